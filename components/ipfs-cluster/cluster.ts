// The ipfs-cluster-service container of a peer. Its image applies CLUSTER_* variables over service.json at
// every start (and `init`s service.json on a blank volume), so the environment is the whole configuration.
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, LoadBalancerTarget, Secret, Volume } from "../topology";
import { withGoMemoryLimit } from "./goRuntime";
import { IMAGES } from "./images";
import { peersKnownAtStart } from "./membership";
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

/**
 * The peers peer `self` bootstraps from: the first peers of every zone placed before it (./membership.ts), so
 * adding a peer changes no other peer's list. Each peer keeps redialling them (ipfs-cluster@v1.1.6 cluster.go
 * reBootstrap: every 30 s, from the peerstore, where CLUSTER_PEERADDRESSES are kept permanently), so a peer
 * that restarts is found again by the later peers that list it.
 */
export function bootstrapPeers<P extends { zone: string }>(peers: readonly P[], self: number): P[] {
    return peersKnownAtStart(peers, self, BOOTSTRAP_PEERS_PER_ZONE);
}

/** CLUSTER_PEERADDRESSES: the given peers by their stable private names. */
export function peerAddresses(peers: readonly PeerRef[]): string {
    return peers.map(p => clusterMultiaddress(p.hostname, p.clusterPeerId)).join(",");
}

/**
 * Every peer on the cluster's private network may change the pinset: the cluster secret keeps every other
 * host off that network (ipfs-cluster@v1.1.6 clusterhost.go: libp2p.PrivateNetwork), and it is what
 * ipfs-cluster itself defaults to (consensus/crdt/config.go DefaultTrustAll). A list of peer IDs would change
 * every peer's definition when a peer is added, and until each restarted it would drop the new peer's pinset
 * updates (consensus/crdt/consensus.go: the topic validator accepts trusted signers only) and refuse its
 * trusted RPC calls (rpc_api.go).
 */
export const TRUSTED_PEERS = "*";

export interface ClusterEnvArgs {
    peerName: string;
    zone: string;
    peerId: pulumi.Input<string>;
    /** CLUSTER_PEERADDRESSES (peerAddresses of bootstrapPeers). */
    peerAddresses: pulumi.Input<string>;
    replicationFactorMin: number;
    replicationFactorMax: number;
    concurrentPins: number;
    pinTimeout: string;
}

export function clusterEnv(args: ClusterEnvArgs): Record<string, pulumi.Input<string>> {
    return {
        IPFS_CLUSTER_PATH: PATHS.clusterState,
        // Read by the image's entrypoint when it initialises a blank volume (ipfs-cluster@v1.1.6
        // docker/entrypoint.sh `init --consensus`). The datastore is init's default, pebble: nothing reads a
        // variable for it (cmd/ipfs-cluster-service/main.go defaultDatastore).
        IPFS_CLUSTER_CONSENSUS: "crdt",
        CLUSTER_PEERNAME: args.peerName,
        // The private key comes from the secret store; the ID beside it is public.
        CLUSTER_ID: args.peerId,
        // TCP only: ipfs-cluster builds its host with the TCP and websocket transports alone, since QUIC cannot
        // carry its private-network key (ipfs-cluster@v1.1.6 clusterhost.go baseOpts); a UDP listener is never served.
        CLUSTER_LISTENMULTIADDRESS: anyInterface(PORTS.clusterSwarm),
        CLUSTER_PEERADDRESSES: args.peerAddresses,
        CLUSTER_CRDT_TRUSTEDPEERS: TRUSTED_PEERS,
        CLUSTER_REPLICATIONFACTORMIN: String(args.replicationFactorMin),
        CLUSTER_REPLICATIONFACTORMAX: String(args.replicationFactorMax),
        // Repinning is off by default (ipfs-cluster@v1.1.6 cluster_config.go DefaultDisableRepinning): a pin
        // whose copies a lost peer takes below replicationFactorMin would stay there. On, the peer closest to the
        // pin re-allocates it once the lost peer's ping metric expires (cluster.go alertsHandler, repinFromPeer);
        // allocate.go obtainAllocations adds peers only below the minimum, and then up to the maximum.
        CLUSTER_DISABLEREPINNING: "false",
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
    return withGoMemoryLimit({
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
    });
}
