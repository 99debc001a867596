// The ipfs-cluster-service container of a peer. Its image applies CLUSTER_* variables over service.json at
// every start (and `init`s service.json on a blank volume), so the environment is the whole configuration.
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, LoadBalancerTarget, Secret, Volume } from "../topology";
import { IMAGES } from "./images";
import { IPFS_USER, PATHS, PORTS, anyInterface, loopback } from "./ports";

/** The tag each peer carries and the allocator balances on first: copies of a pin land in different zones. */
export const ZONE_TAG = "zone";
/** Zone first, then the peer with the shortest pin queue, then the one with most free space. */
export const ALLOCATE_BY = [`tag:${ZONE_TAG}`, "pinqueue", "freespace"];

/** A cluster peer's swarm multiaddress by its stable private name. */
export function clusterMultiaddress(hostname: string, peerId: string): string {
    return `/dns4/${hostname}/tcp/${PORTS.clusterSwarm}/p2p/${peerId}`;
}

export interface PeerRef {
    hostname: string;
    zone: string;
    clusterPeerId: string;
}

/**
 * Peers a peer bootstraps from, in each zone. CRDT needs one reachable peer, and a peer that knows the
 * cluster keeps every address in its peerstore; a few per zone still answer when a zone is gone, and the
 * list stays the same size however large the cluster grows.
 */
export const BOOTSTRAP_PEERS_PER_ZONE = 2;

/** CLUSTER_PEERADDRESSES of peer `self`: the first peers of every zone but itself. */
export function peerAddresses(peers: PeerRef[], self: number): string {
    const perZone = new Map<string, number>();
    const chosen: PeerRef[] = [];
    peers.forEach((p, i) => {
        const taken = perZone.get(p.zone) ?? 0;
        if (i === self || taken >= BOOTSTRAP_PEERS_PER_ZONE) return;
        perZone.set(p.zone, taken + 1);
        chosen.push(p);
    });
    return chosen.map(p => clusterMultiaddress(p.hostname, p.clusterPeerId)).join(",");
}

export interface ClusterEnvArgs {
    peerName: string;
    zone: string;
    peerId: pulumi.Input<string>;
    /** The cluster's own peer IDs: the only peers allowed to change the pinset. */
    trustedPeers: pulumi.Input<string[]>;
    /** CLUSTER_PEERADDRESSES, once every peer's name is known. */
    peerAddresses: pulumi.Input<string>;
    replicationFactorMin: number;
    replicationFactorMax: number;
    concurrentPins: number;
    pinTimeout: string;
}

export function clusterEnv(args: ClusterEnvArgs): Record<string, pulumi.Input<string>> {
    return {
        IPFS_CLUSTER_PATH: PATHS.clusterState,
        IPFS_CLUSTER_CONSENSUS: "crdt",
        IPFS_CLUSTER_DATASTORE: "pebble",
        CLUSTER_PEERNAME: args.peerName,
        // The private key comes from the secret store; the ID beside it is public.
        CLUSTER_ID: args.peerId,
        // TCP only: ipfs-cluster builds its host with the TCP and websocket transports alone, since QUIC cannot
        // carry its private-network key (ipfs-cluster@v1.1.6 clusterhost.go baseOpts); a UDP listener is never served.
        CLUSTER_LISTENMULTIADDRESS: anyInterface(PORTS.clusterSwarm),
        CLUSTER_PEERADDRESSES: args.peerAddresses,
        CLUSTER_CRDT_TRUSTEDPEERS: pulumi.output(args.trustedPeers).apply(ids => ids.join(",")),
        CLUSTER_REPLICATIONFACTORMIN: String(args.replicationFactorMin),
        CLUSTER_REPLICATIONFACTORMAX: String(args.replicationFactorMax),
        CLUSTER_TAGS_TAGS: `${ZONE_TAG}:${args.zone}`,
        CLUSTER_BALANCED_ALLOCATEBY: ALLOCATE_BY.join(","),
        CLUSTER_STATELESS_CONCURRENTPINS: String(args.concurrentPins),
        CLUSTER_IPFSHTTP_NODEMULTIADDRESS: loopback(PORTS.kuboRpc),
        CLUSTER_IPFSHTTP_PINTIMEOUT: args.pinTimeout,
        CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS: anyInterface(PORTS.restApi),
        // The proxy has no authentication: it answers on the peer's loopback only.
        CLUSTER_IPFSPROXY_LISTENMULTIADDRESS: loopback(PORTS.proxy),
        CLUSTER_IPFSPROXY_NODEMULTIADDRESS: loopback(PORTS.kuboRpc),
        CLUSTER_METRICS_ENABLESTATS: "true",
        CLUSTER_METRICS_PROMETHEUSENDPOINT: anyInterface(PORTS.metrics),
    };
}

/**
 * The image's start, as its Dockerfile declares it (ipfs-cluster@v1.1.6 Dockerfile: ENTRYPOINT ["/sbin/tini",
 * "--", "/usr/local/bin/entrypoint.sh"], CMD ["daemon"]), given here because the volume fence runs it. tini
 * gets -s to reap zombies as a subreaper: the fence, not tini, is the container's first process.
 */
export const CLUSTER_ENTRYPOINT = ["/sbin/tini", "-s", "--", "/usr/local/bin/entrypoint.sh"];
/** A container that names its entrypoint gets no command from the image: the Dockerfile's CMD, given again. */
export const CLUSTER_COMMAND = ["daemon"];

/**
 * The locks a killed ipfs-cluster-service leaves in its state directory: its own execution lock
 * (ipfs-cluster@v1.1.6 cmd/ipfs-cluster-service/lock.go lockFileName) and pebble's, in the datastore's
 * folder (ipfs-cluster@v1.1.6 datastore/pebble/config.go DefaultSubFolder; pebble names it LOCK).
 */
export const CLUSTER_STATE_LOCKS = ["cluster.lock", "pebble/LOCK"];

export interface ClusterSecrets {
    /** 64 hex characters, the same on every peer. */
    clusterSecret: Secret;
    /** This peer's libp2p private key. */
    privateKey: Secret;
    /** `user:password` of the REST API. */
    restApiCredentials: Secret;
}

export interface ClusterContainerArgs extends ClusterEnvArgs {
    secrets: ClusterSecrets;
    state: Volume;
    restApi: LoadBalancerTarget;
    /** The access group of the cluster's peers: the only ones that reach its swarm and metrics. */
    accessGroup: string;
    cpu: number;
    memoryMiB: number;
}

export function clusterContainer(args: ClusterContainerArgs): ContainerSpec {
    const peers = { kind: "services" as const, groups: [args.accessGroup] };
    return {
        name: "cluster",
        image: IMAGES.cluster,
        entrypoint: CLUSTER_ENTRYPOINT,
        command: CLUSTER_COMMAND,
        env: clusterEnv(args),
        secrets: {
            CLUSTER_SECRET: args.secrets.clusterSecret,
            CLUSTER_PRIVATEKEY: args.secrets.privateKey,
            CLUSTER_RESTAPI_BASICAUTHCREDENTIALS: args.secrets.restApiCredentials,
        },
        ports: [
            { port: PORTS.restApi, exposure: { kind: "loadBalancer", target: args.restApi } },
            { port: PORTS.clusterSwarm, protocol: "tcp", exposure: peers },
            { port: PORTS.metrics, exposure: peers },
            { port: PORTS.proxy, exposure: { kind: "local" } },
        ],
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        user: IPFS_USER,
        mounts: [{ volume: args.state, path: PATHS.clusterState, staleLocks: CLUSTER_STATE_LOCKS }],
    };
}
