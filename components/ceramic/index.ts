// A Ceramic node in one of three flavours (settings.ts FLAVOURS), each a set of zonal services in one zone,
// each service sized and restarted on its own:
// - js-ceramic: js-ceramic 6.11 and ceramic-one, its out-of-process IPFS, whose API only js-ceramic reaches;
//   ComposeDB's index in Postgres;
// - ceramic-one: ceramic-one alone, its Ceramic API (and nothing else of its API) behind HTTPS for the allowed
//   networks, anchoring through the anchor service or by itself on the network's chain;
// - js-ceramic-kubo: js-ceramic 5.16 and go-ipfs-daemon, as nodes that already run it have it.
// Identities are made once, kept in state and injected at start; data is on protected storage; only the
// swarm is public, at a static address the p2p daemon announces. Written against the topology only; the
// constructor is thin and the plan is plain functions.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Backend, Bucket, ContainerSpec, DATA_PROTECTION, Exposure, Liveness, PortSpec, RunAs, Secret, Volume, ZonalService } from "../topology";
import { PeerIdentity, ed25519PublicKey } from "../libp2p/identity";
import { CERAMIC_ONE_ENV, CeramicOneAnchoring, ceramicOneContainer, externalSwarmAddresses, nodeKeyFileValue, seedOfLibp2pKey } from "./ceramicOne";
import { StateStoreTarget, ceramicContainer } from "./daemon";
import { IndexDatabaseSettings, assertValidIndexDatabase, ceramicIndexDatabase, indexDatabaseSettings } from "./indexDatabase";
import { IPFS_FLAVOURS, IpfsFlavour, SwarmListener, kuboMigrationStep } from "./ipfs";
import { didKey, keepAliveContainer } from "./keepalive";
import { CERAMIC_ONE_API_PREFIX, CERAMIC_ONE_HEALTH, CERAMIC_ONE_PORTS, CERAMIC_ONE_STORE, CERAMIC_ONE_USER, CERAMIC_USER, HEALTH, HOSTNAMES, HTTPS_PORT, PORTS } from "./ports";
import { CeramicFlavour, CeramicSettings, DEFAULTS, SelfAnchoring, settingsProblems } from "./settings";
import { deferred } from "../topology/deferred";
import { NodePlacement, assertZoneHoldsVolume, nodePlacement } from "./zones";

export { IMAGES } from "./images";
export { CERAMIC_ONE_HEALTH, CERAMIC_ONE_PORTS, CERAMIC_ONE_STORE, CERAMIC_ONE_USER, CERAMIC_USER, HEALTH, HOSTNAMES, PATHS, PORTS } from "./ports";
export { CERAMIC_ENV, LOG_FILE_MAX_BYTES, LOG_FLAGS, ceramicStartScript, daemonConfig } from "./daemon";
export { GO_IPFS_ENV, GO_IPFS_PORTS, IPFS_FLAVOURS, goIpfsDaemon, goIpfsStartScript } from "./ipfs";
export type { IpfsFlavour, SwarmListener } from "./ipfs";
export { CERAMIC_ONE_ENV, CERAMIC_ONE_LOG_FILTER, ceramicOneContainer, ceramicOneEnv, ceramicOneStartScript, externalSwarmAddresses, openSshEd25519PrivateKey } from "./ceramicOne";
export { KEEP_ALIVE_CONTROLLER, KEEP_ALIVE_FAMILY, didKey, keepAliveScript } from "./keepalive";
export * from "./settings";

export const COMPONENT_TYPE = "web3-nodes:ceramic:CeramicNode";

/** The names of what a node declares, under its component. */
export const NAMES = {
    ceramic: "ceramic",
    ipfs: "ceramic-ipfs",
    ceramicOne: "ceramic-one",
    /** The p2p identity of the IPFS side, go-ipfs-daemon's or ceramic-one's: one name, so a migrated node keeps its peer ID. */
    identity: "ceramic-ipfs-identity",
    nodeSeed: "ceramic-node-seed",
    ipfsKey: "ceramic-ipfs-key",
    ceramicOneKey: "ceramic-one-key",
    ethereumRpcUrl: "ceramic-ethereum-rpc-url",
    anchorRpcUrl: "ceramic-anchor-rpc-url",
    anchorPrivateKey: "ceramic-anchor-key",
    repo: "ceramic-ipfs-repo",
    ceramicOneStore: "ceramic-one-store",
    state: "ceramic-state",
    logs: "ceramic-logs",
    api: "ceramic-api",
    swarmTls: "ceramic-wss",
    swarmDns: "ceramic-ipfs-swarm",
    ceramicOneSwarmDns: "ceramic-one-swarm",
    keepAlive: "ceramic-keepalive",
} as const;

/** The Ceramic service's access group: the one group let into the IPFS API. */
export const CERAMIC_ACCESS_GROUP = "ceramic";
/** The logs' own volume: a burst of logs must not fill the state's. The start script keeps the files in bounds. */
export const LOGS_VOLUME_GIB = 10;
/** Seconds a replaced daemon has to open its repo, store or state store before its liveness counts. */
const GRACE_SECONDS = 600;
/**
 * What replaces the Ceramic daemon: it no longer answering for itself. Never an unreachable IPFS: that only
 * takes it out of its load balancer (HEALTH.api, its target's readiness).
 */
export const CERAMIC_LIVENESS: Liveness = { kind: "http", port: PORTS.api, path: HEALTH.daemonOnly.path, gracePeriodSeconds: GRACE_SECONDS };

/** What replaces ceramic-one: its API no longer answering /ceramic/liveness, which asks nothing of anyone. */
export const CERAMIC_ONE_LIVENESS: Liveness = { kind: "http", port: CERAMIC_ONE_PORTS.api, path: CERAMIC_ONE_HEALTH.liveness.path, gracePeriodSeconds: GRACE_SECONDS };

/** What replaces the IPFS daemon: its own health endpoint, which asks no other peer. */
export function ipfsLiveness(flavour: IpfsFlavour): Liveness {
    return { kind: "http", port: flavour.health.port, path: flavour.health.path, gracePeriodSeconds: GRACE_SECONDS };
}

/** How js-ceramic names a node DID seed given in place: an Ed25519 seed in hex follows. */
const SEED_URL_PREFIX = "inplace:ed25519#";

export type CeramicArgs = Omit<CeramicSettings, "enabled" | "ethereumRpcUrl" | "selfAnchoring" | keyof IndexDatabaseSettings> & Partial<IndexDatabaseSettings> & {
    /** Made a secret here whatever it was given as. */
    ethereumRpcUrl?: pulumi.Input<string>;
    /** Its RPC URL and private key are made secrets here whatever they were given as. */
    selfAnchoring?: Omit<SelfAnchoring, "rpcUrl" | "privateKey"> & { rpcUrl: pulumi.Input<string>; privateKey: pulumi.Input<string> };
};

/** Throws one error listing every problem with the settings, keys named as in the stack file. */
export function assertValidSettings(args: Partial<CeramicArgs> & Pick<CeramicArgs, "network">): void {
    const problems = settingsProblems({
        flavour: args.flavour ?? DEFAULTS.flavour,
        network: args.network,
        ethereumRpcUrl: args.ethereumRpcUrl === undefined ? undefined : "given",
        keepAlive: args.keepAlive ?? DEFAULTS.keepAlive,
        adminDids: args.adminDids ?? [],
        metricsPublisher: args.metricsPublisher ?? DEFAULTS.metricsPublisher,
        stateStore: args.stateStore ?? DEFAULTS.stateStore,
        migrateFromKubo: args.migrateFromKubo ?? DEFAULTS.migrateFromKubo,
        selfAnchoring: args.selfAnchoring === undefined ? undefined : { ...args.selfAnchoring, rpcUrl: "given", privateKey: "given" },
    });
    if (problems.length > 0) {
        throw new Error(`invalid Ceramic settings:\n  - ${problems.map(p => `ceramic.${p.key}: ${p.allowed}`).join("\n  - ")}`);
    }
}

/** Where a swarm listener is reached from outside. */
export interface SwarmEndpoints {
    /** The service's static public addresses (its ZonalService.publicAddress). */
    addresses: string[];
    /** The DNS name that points at it, when the stack manages DNS. */
    dnsName?: string;
    /** The name of the HTTPS load balancer that adds TLS. */
    tlsName: string;
    /** The port the world reaches a container port on (ZonalService.publicPort). Default: the container port. */
    publicPort?: (containerPort: number) => number;
}

/**
 * The multiaddresses the IPFS daemon announces, without its peer ID: each public listener at the DNS name
 * (when there is one) and at the address, each TLS listener at the load balancer's name on 443 as wss.
 */
export function announceAddresses(swarm: SwarmListener[], at: SwarmEndpoints): string[] {
    const out: string[] = [];
    const suffix = (l: SwarmListener) => (l.transport ? `/${l.transport}` : "");
    const publicPort = at.publicPort ?? ((port: number) => port);
    for (const l of swarm.filter(s => !s.tlsAtLoadBalancer)) {
        if (at.dnsName) out.push(`/dns4/${at.dnsName}/${l.protocol}/${publicPort(l.port)}${suffix(l)}`);
        for (const address of at.addresses) out.push(`/ip4/${address}/${l.protocol}/${publicPort(l.port)}${suffix(l)}`);
    }
    for (const l of swarm.filter(s => s.tlsAtLoadBalancer)) {
        if (l.transport !== "ws") throw new Error(`swarm listener ${l.port}: only websockets can take TLS from an HTTPS load balancer`);
        out.push(`/dns4/${at.tlsName}/tcp/${HTTPS_PORT}/wss`);
    }
    return out;
}

/** What a peer list takes: the announced addresses with the peer ID. */
export function peerMultiaddresses(announce: string[], peerId: string): string[] {
    return announce.map(a => `${a}/p2p/${peerId}`);
}

/** The IPFS container's ports: swarm public or behind TLS, the API to Ceramic only, health to the TLS load balancer's checks. */
export function ipfsPorts(flavour: IpfsFlavour, swarmTls: PortSpec["exposure"] | undefined): PortSpec[] {
    return [
        ...flavour.swarm.map(l => ({
            port: l.port,
            protocol: l.protocol,
            exposure: l.tlsAtLoadBalancer ? swarmTls! : { kind: "public" as const },
        })),
        { port: flavour.apiPort, exposure: { kind: "services", groups: [CERAMIC_ACCESS_GROUP] } },
        // The topology has no "health checks only" exposure: the port goes to the TLS target, which checks
        // it, so its load balancer's health checks reach it and nothing else does (the liveness probe comes
        // from inside the task on AWS, from Google's health-check ranges alone on GCP).
        { port: flavour.health.port, exposure: swarmTls ?? { kind: "local" } },
    ];
}

/** The p2p side of a node, whichever daemon it is: its service, its peer ID and the multiaddresses it announces. */
interface P2pNode {
    service: ZonalService;
    peerId: pulumi.Output<string>;
    announced: pulumi.Output<string[]>;
}

/** The service's static public address, which its daemon announces once it exists; the error otherwise. */
function publicAddressesOf(service: ZonalService, name: string): pulumi.Output<string>[] {
    if (!service.publicAddress) throw new Error(`service ${name} has public ports but the back-end gave it no public address`);
    return [service.publicAddress];
}

export class CeramicNode extends pulumi.ComponentResource {
    readonly flavour: CeramicFlavour;
    /** The Ceramic API, https://ceramic.<domain>: js-ceramic's, or ceramic-one's under /ceramic/. */
    readonly url: string;
    /** The peer ID of the IPFS side, go-ipfs-daemon's or ceramic-one's (12D3KooW...). */
    readonly ipfsPeerId: pulumi.Output<string>;
    /** Its multiaddresses with its peer ID: what goes into the network's peer list. */
    readonly multiaddresses: pulumi.Output<string[]>;
    /**
     * The node's DID (did:key), what the anchor service knows it by: js-ceramic's node seed's, or in the
     * `ceramic-one` flavour ceramic-one's own key's (its remote anchor client signs with it).
     */
    readonly nodeDid: pulumi.Output<string>;
    /** Static addresses the node's outbound calls leave from: what an anchor service allowlists. */
    readonly egressIps: pulumi.Output<string[]>;
    /** Where js-ceramic's state store is: "volume" or the bucket's name; none in the `ceramic-one` flavour. */
    readonly stateStore: pulumi.Output<string> | undefined;
    /** The IPFS side: go-ipfs-daemon, or ceramic-one. */
    readonly ipfsService: ZonalService;
    /** js-ceramic; none in the `ceramic-one` flavour. */
    readonly ceramicService: ZonalService | undefined;

    /** Where the node runs and where its volumes live (zones.ts). */
    private readonly placement: NodePlacement;

    constructor(name: string, args: CeramicArgs, backend: Backend, opts?: pulumi.ComponentResourceOptions) {
        assertValidSettings(args);
        assertValidIndexDatabase({ ...indexDatabaseSettings(args, backend.cloud, backend.context.profile), flavour: args.flavour, network: args.network }, backend.cloud, backend.context.profile);
        super(COMPONENT_TYPE, name, {}, opts);
        const self = { parent: this };
        this.flavour = args.flavour;
        this.placement = nodePlacement(backend.context.zones, args.zone);
        const zone = this.placement.zone;

        // The p2p identity: generated once, protected, injected at start, so a lost volume changes nothing.
        const identity = new PeerIdentity(NAMES.identity, self);
        const ethereumRpcUrl = args.ethereumRpcUrl === undefined ? undefined : backend.secret(NAMES.ethereumRpcUrl, {
            value: pulumi.secret(args.ethereumRpcUrl),
            description: "JSON-RPC endpoint of the Ceramic network's anchor chain, anchors are checked against",
        }, this);
        const api = backend.loadBalancerTarget(NAMES.api, args.flavour === "ceramic-one"
            ? { port: CERAMIC_ONE_PORTS.api, readiness: { ...CERAMIC_ONE_HEALTH.readiness } }
            : { port: PORTS.api, readiness: { ...HEALTH.api } }, this);

        let p2p: P2pNode;
        if (args.flavour === "js-ceramic-kubo") {
            p2p = this.goIpfsNode(args, backend, zone, identity);
        } else {
            p2p = this.ceramicOneNode(args, backend, zone, identity, ethereumRpcUrl, args.flavour === "js-ceramic"
                ? { kind: "services", groups: [CERAMIC_ACCESS_GROUP] }
                : { kind: "loadBalancer", target: api });
        }
        this.ipfsService = p2p.service;
        this.ipfsPeerId = identity.peerId;
        this.multiaddresses = pulumi.all([p2p.announced, identity.peerId]).apply(([list, id]) => peerMultiaddresses(list, id));

        if (args.flavour === "ceramic-one") {
            this.ceramicService = undefined;
            this.stateStore = undefined;
            this.nodeDid = pulumi.unsecret(identity.privateKey.apply(key => didKey(seedOfLibp2pKey(key).publicKey)));
            // Only the Ceramic API: the same port serves a kubo RPC without authentication (daemon.rs MakePrefixService).
            this.url = backend.httpsLoadBalancer(NAMES.api, { hostname: HOSTNAMES.api, target: api, allowedCidrs: args.apiCidrs, pathPrefixes: [CERAMIC_ONE_API_PREFIX] }, this).url;
        } else {
            const jsCeramic = this.jsCeramic(args, backend, zone, p2p.service, api, ethereumRpcUrl);
            this.ceramicService = jsCeramic.service;
            this.stateStore = jsCeramic.stateStore;
            this.nodeDid = jsCeramic.nodeDid;
            this.url = backend.httpsLoadBalancer(NAMES.api, { hostname: HOSTNAMES.api, target: api }, this).url;
        }

        // Only the pubsub line needs its connections kept busy (settingsProblems refuses it elsewhere).
        if (args.keepAlive) {
            backend.scheduledJob(NAMES.keepAlive, { everyMinutes: DEFAULTS.keepAliveEveryMinutes, container: keepAliveContainer(this.url) }, this);
        }

        this.egressIps = backend.network.egressIps;
        this.registerOutputs({ flavour: this.flavour, url: this.url, ipfsPeerId: this.ipfsPeerId, multiaddresses: this.multiaddresses, nodeDid: this.nodeDid });
    }

    /** A volume of the node: regional, placed the same whatever `ceramic.zone` says, mountable from the node's zone. */
    private volume(backend: Backend, name: string, sizeGiB: number, owner: RunAs): Volume {
        const volume = backend.volume(name, { ...this.placement.volumes, sizeGiB, owner }, this);
        assertZoneHoldsVolume(this.placement, volume);
        return volume;
    }

    /** go-ipfs-daemon (the `js-ceramic-kubo` flavour): its repo volume, its public websocket and its TLS websocket. */
    private goIpfsNode(args: CeramicArgs, backend: Backend, zone: string, identity: PeerIdentity): P2pNode {
        const flavour = IPFS_FLAVOURS["go-ipfs-daemon"];
        const domain = backend.context.domain;
        const ipfsKey = backend.secret(NAMES.ipfsKey, { value: identity.privateKey, description: "libp2p private key of the Ceramic node's IPFS daemon" }, this);
        const repo = this.volume(backend, NAMES.repo, args.repoVolumeGiB, flavour.user);
        // Short names: they end up in load balancer names, which AWS caps at 32 characters.
        const tlsListener = flavour.swarm.find(l => l.tlsAtLoadBalancer);
        const swarmTls = tlsListener && backend.loadBalancerTarget(NAMES.swarmTls, {
            port: tlsListener.port,
            readiness: { path: flavour.health.path, status: flavour.health.status, port: flavour.health.port },
            websocket: true,
        }, this);

        // The daemon announces its service's public address, which exists only once the service does.
        const announce = deferred<pulumi.Output<string[]>>();
        const tlsName = `${HOSTNAMES.swarmTls}.${domain}`;
        const swarmName = backend.dns ? `${HOSTNAMES.swarm}.${domain}` : undefined;
        const ipfs: ContainerSpec = {
            name: "ipfs",
            image: flavour.image,
            entrypoint: flavour.entrypoint,
            command: flavour.command,
            env: flavour.env(identity.peerId, pulumi.output(announce.promise)),
            secrets: { [flavour.privateKeyEnv]: ipfsKey },
            ports: ipfsPorts(flavour, swarmTls && { kind: "loadBalancer", target: swarmTls }),
            cpu: args.ipfsCpu,
            memoryMiB: args.ipfsMemoryMiB,
            user: flavour.user,
            mounts: [{ volume: repo, path: flavour.repoPath, staleLocks: flavour.staleLocks }],
        };
        let service: ZonalService;
        let addresses: pulumi.Output<string>[];
        try {
            service = backend.service(NAMES.ipfs, { zone, containers: [ipfs], liveness: ipfsLiveness(flavour) }, this);
            addresses = publicAddressesOf(service, NAMES.ipfs);
        } catch (e) {
            announce.reject(e);
            throw e;
        }
        const announced = pulumi.all(addresses).apply(a => announceAddresses(flavour.swarm, { addresses: a, dnsName: swarmName, tlsName, publicPort: port => service.publicPort(port) }));
        announce.resolve(announced);
        if (backend.dns && swarmName) backend.dns.record(NAMES.swarmDns, { fqdn: swarmName, target: { type: "A", addresses } }, this);
        if (swarmTls) backend.httpsLoadBalancer(NAMES.swarmTls, { hostname: HOSTNAMES.swarmTls, target: swarmTls }, this);
        return { service, peerId: identity.peerId, announced };
    }

    /**
     * ceramic-one, js-ceramic's IPFS or the whole node: its store on a protected volume, its key from the
     * secret store, its swarm (TCP and QUIC) public at a static address it announces, its API as `apiExposure`.
     */
    private ceramicOneNode(args: CeramicArgs, backend: Backend, zone: string, identity: PeerIdentity, ethereumRpcUrl: Secret | undefined, apiExposure: Exposure): P2pNode {
        const domain = backend.context.domain;
        const nodeKey = backend.secret(NAMES.ceramicOneKey, {
            value: pulumi.secret(identity.privateKey.apply(nodeKeyFileValue)),
            description: "ceramic-one's node key (its id_ed25519_0 file, base64): its peer ID and DID",
        }, this);
        const store = this.volume(backend, NAMES.ceramicOneStore, args.repoVolumeGiB, CERAMIC_ONE_USER);
        // The former go-ipfs-daemon's repo, the same volume js-ceramic-kubo declared, read once into the store.
        const migration = args.migrateFromKubo ? kuboMigrationStep({
            kuboRepo: this.volume(backend, NAMES.repo, args.repoVolumeGiB, IPFS_FLAVOURS["go-ipfs-daemon"].user),
            storeDir: CERAMIC_ONE_STORE,
            network: args.network,
            rpcUrlEnv: ethereumRpcUrl ? CERAMIC_ONE_ENV.additionalChainRpcUrls : undefined,
        }) : undefined;
        const announce = deferred<pulumi.Output<string[]>>();
        const swarmName = backend.dns ? `${HOSTNAMES.ceramicOneSwarm}.${domain}` : undefined;
        let service: ZonalService;
        let addresses: pulumi.Output<string>[];
        try {
            const container = ceramicOneContainer({
                network: args.network,
                nodeKey,
                ethereumRpcUrl,
                announce: pulumi.output(announce.promise),
                apiExposure,
                anchoring: this.ceramicOneAnchoring(args, backend),
                store,
                migration,
                cpu: args.ipfsCpu,
                memoryMiB: args.ipfsMemoryMiB,
            });
            const liveness = migration && CERAMIC_ONE_LIVENESS.kind === "http"
                ? { ...CERAMIC_ONE_LIVENESS, gracePeriodSeconds: Math.max(CERAMIC_ONE_LIVENESS.gracePeriodSeconds, migration.gracePeriodSeconds) }
                : CERAMIC_ONE_LIVENESS;
            service = backend.service(NAMES.ceramicOne, { zone, containers: [container], liveness }, this);
            addresses = publicAddressesOf(service, NAMES.ceramicOne);
        } catch (e) {
            announce.reject(e);
            throw e;
        }
        const announced = pulumi.all(addresses).apply(a => externalSwarmAddresses(a, swarmName, port => service.publicPort(port)));
        announce.resolve(announced);
        if (backend.dns && swarmName) backend.dns.record(NAMES.ceramicOneSwarmDns, { fqdn: swarmName, target: { type: "A", addresses } }, this);
        return { service, peerId: identity.peerId, announced };
    }

    /**
     * How ceramic-one anchors: not at all under js-ceramic, which anchors through the anchor service itself;
     * alone, by itself on the network's chain when self-anchoring is set, else through the anchor service.
     */
    private ceramicOneAnchoring(args: CeramicArgs, backend: Backend): CeramicOneAnchoring {
        if (args.flavour !== "ceramic-one") return { kind: "none" };
        const self = args.selfAnchoring;
        if (!self) return { kind: "service", url: args.anchorServiceUrl, intervalSeconds: DEFAULTS.anchorIntervalSeconds };
        return {
            kind: "self",
            rpcUrl: backend.secret(NAMES.anchorRpcUrl, { value: pulumi.secret(self.rpcUrl), description: "JSON-RPC endpoint ceramic-one anchors on" }, this),
            privateKey: backend.secret(NAMES.anchorPrivateKey, { value: pulumi.secret(self.privateKey), description: "private key of the account ceramic-one anchors with" }, this),
            chainId: self.chainId,
            contractAddress: self.contractAddress,
            intervalSeconds: self.intervalSeconds,
        };
    }

    /** js-ceramic, over the node's IPFS side: its DID seed, its state and logs, its API behind `api`. */
    private jsCeramic(args: CeramicArgs, backend: Backend, zone: string, ipfs: ZonalService, api: ReturnType<Backend["loadBalancerTarget"]>, ethereumRpcUrl: Secret | undefined):
        { service: ZonalService; stateStore: pulumi.Output<string>; nodeDid: pulumi.Output<string> } {
        const seed = new random.RandomBytes(NAMES.nodeSeed, { length: 32 }, { parent: this, ...DATA_PROTECTION });
        const nodeSeed = backend.secret(NAMES.nodeSeed, {
            value: pulumi.secret(pulumi.interpolate`${SEED_URL_PREFIX}${seed.hex}`),
            description: "seed of the Ceramic node's DID (js-ceramic node.private-seed-url)",
        }, this);
        const nodeDid = pulumi.unsecret(seed.hex.apply(hex => didKey(ed25519PublicKey(Buffer.from(hex, "hex")))));
        const state = this.volume(backend, NAMES.state, args.stateVolumeGiB, CERAMIC_USER);
        const logs = this.volume(backend, NAMES.logs, LOGS_VOLUME_GIB, CERAMIC_USER);
        const bucket: Bucket | undefined = args.stateStore === "bucket" ? backend.bucket(NAMES.state, {}, this) : undefined;
        const stateStore: StateStoreTarget = bucket ? { kind: "bucket", bucket } : { kind: "volume" };
        const ipfsApiUrl = args.flavour === "js-ceramic"
            ? `http://${ipfs.privateHostname}:${CERAMIC_ONE_PORTS.api}`
            : IPFS_FLAVOURS["go-ipfs-daemon"].apiUrl(ipfs.privateHostname);
        const index = ceramicIndexDatabase(backend, {
            ...indexDatabaseSettings(args, backend.cloud, backend.context.profile),
            flavour: args.flavour,
            network: args.network,
            access: CERAMIC_ACCESS_GROUP,
        }, this);
        const service = backend.service(NAMES.ceramic, {
            zone,
            accessGroup: CERAMIC_ACCESS_GROUP,
            containers: [ceramicContainer({
                flavour: args.flavour === "js-ceramic-kubo" ? "js-ceramic-kubo" : "js-ceramic",
                network: args.network,
                anchorServiceUrl: args.anchorServiceUrl,
                ipfsApiUrl,
                corsAllowedOrigins: args.corsAllowedOrigins,
                adminDids: args.adminDids,
                logLevel: args.logLevel,
                metricsPublisher: args.metricsPublisher,
                stateStore,
                indexing: index.target,
                state,
                logs,
                api,
                nodeSeed,
                ethereumRpcUrl,
                cpu: args.ceramicCpu,
                memoryMiB: args.ceramicMemoryMiB,
            })],
            liveness: CERAMIC_LIVENESS,
            ...(bucket ? { buckets: [{ bucket, access: "readWrite" as const }] } : {}),
        }, this);
        return { service, stateStore: bucket ? bucket.bucketName : pulumi.output("volume"), nodeDid };
    }
}
