// A Ceramic node: the js-ceramic daemon and its out-of-process IPFS daemon as two services in one zone, each
// sized and restarted on its own; the IPFS identity and the node's DID seed kept in state and injected at
// start; the IPFS repo, the state store and the logs on protected storage; the swarm websocket public at a
// stable address (and over TLS at an HTTPS load balancer), the IPFS API open to Ceramic alone, the Ceramic
// API behind HTTPS. Written against the topology only; the constructor is thin and the plan is plain functions.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Backend, Bucket, ContainerSpec, DATA_PROTECTION, Liveness, PortSpec, ZonalService } from "../topology";
import { PeerIdentity, ed25519PublicKey } from "../libp2p/identity";
import { StateStoreTarget, ceramicContainer } from "./daemon";
import { IPFS_FLAVOURS, IpfsFlavour, SwarmListener } from "./ipfs";
import { didKey, keepAliveContainer } from "./keepalive";
import { CERAMIC_USER, HEALTH, HOSTNAMES, HTTPS_PORT, PORTS } from "./ports";
import { CeramicSettings, DEFAULTS, settingsProblems } from "./settings";
import { deferred } from "../topology/deferred";

export { IMAGES } from "./images";
export { CERAMIC_USER, HEALTH, HOSTNAMES, PATHS, PORTS } from "./ports";
export { CERAMIC_ENV, LOG_FILE_MAX_BYTES, LOG_FLAGS, ceramicStartScript, daemonConfig } from "./daemon";
export { GO_IPFS_ENV, GO_IPFS_PORTS, IPFS_FLAVOURS, goIpfsDaemon, goIpfsStartScript } from "./ipfs";
export type { IpfsFlavour, SwarmListener } from "./ipfs";
export { KEEP_ALIVE_CONTROLLER, KEEP_ALIVE_FAMILY, didKey, keepAliveScript } from "./keepalive";
export * from "./settings";

export const COMPONENT_TYPE = "web3-nodes:ceramic:CeramicNode";

/** The names of what a node declares, under its component. */
export const NAMES = {
    ceramic: "ceramic",
    ipfs: "ceramic-ipfs",
    identity: "ceramic-ipfs-identity",
    nodeSeed: "ceramic-node-seed",
    ipfsKey: "ceramic-ipfs-key",
    ethereumRpcUrl: "ceramic-ethereum-rpc-url",
    repo: "ceramic-ipfs-repo",
    state: "ceramic-state",
    logs: "ceramic-logs",
    api: "ceramic-api",
    swarmTls: "ceramic-wss",
    swarmDns: "ceramic-ipfs-swarm",
    keepAlive: "ceramic-keepalive",
} as const;

/** The Ceramic service's access group: the one group let into the IPFS API. */
export const CERAMIC_ACCESS_GROUP = "ceramic";
/** The logs' own volume: a burst of logs must not fill the state's. The start script keeps the files in bounds. */
export const LOGS_VOLUME_GIB = 10;
/** Seconds a replaced daemon has to open its repo or state store before its liveness counts. */
const GRACE_SECONDS = 600;
/**
 * What replaces the Ceramic daemon: it no longer answering for itself. Never an unreachable IPFS: that only
 * takes it out of its load balancer (HEALTH.api, its target's readiness).
 */
export const CERAMIC_LIVENESS: Liveness = { kind: "http", port: PORTS.api, path: HEALTH.daemonOnly.path, gracePeriodSeconds: GRACE_SECONDS };

/** What replaces the IPFS daemon: its own health endpoint, which asks no other peer. */
export function ipfsLiveness(flavour: IpfsFlavour): Liveness {
    return { kind: "http", port: flavour.health.port, path: flavour.health.path, gracePeriodSeconds: GRACE_SECONDS };
}

/** How js-ceramic names a node DID seed given in place: an Ed25519 seed in hex follows. */
const SEED_URL_PREFIX = "inplace:ed25519#";

export type CeramicArgs = Omit<CeramicSettings, "enabled" | "ethereumRpcUrl"> & {
    /** Made a secret here whatever it was given as. */
    ethereumRpcUrl?: pulumi.Input<string>;
};

/** Throws one error listing every problem with the settings, keys named as in the stack file. */
export function assertValidSettings(args: Pick<CeramicArgs, "network" | "ethereumRpcUrl">): void {
    const problems = settingsProblems({ network: args.network, ethereumRpcUrl: args.ethereumRpcUrl === undefined ? undefined : "given" });
    if (problems.length > 0) {
        throw new Error(`invalid Ceramic settings:\n  - ${problems.map(p => `ceramic.${p.key}: ${p.allowed}`).join("\n  - ")}`);
    }
}

/** Where a swarm listener is reached from outside. */
export interface SwarmEndpoints {
    /** The service's static public address. */
    address: string;
    /** The DNS name that points at it, when the stack manages DNS. */
    dnsName?: string;
    /** The name of the HTTPS load balancer that adds TLS. */
    tlsName: string;
}

/**
 * The multiaddresses the IPFS daemon announces, without its peer ID: each public listener at the DNS name
 * (when there is one) and at the address, each TLS listener at the load balancer's name on 443 as wss.
 */
export function announceAddresses(swarm: SwarmListener[], at: SwarmEndpoints): string[] {
    const out: string[] = [];
    const suffix = (l: SwarmListener) => (l.transport ? `/${l.transport}` : "");
    for (const l of swarm.filter(s => !s.tlsAtLoadBalancer)) {
        if (at.dnsName) out.push(`/dns4/${at.dnsName}/${l.protocol}/${l.port}${suffix(l)}`);
        out.push(`/ip4/${at.address}/${l.protocol}/${l.port}${suffix(l)}`);
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


export class CeramicNode extends pulumi.ComponentResource {
    /** The Ceramic API, https://ceramic.<domain>. */
    readonly url: string;
    /** The IPFS daemon's peer ID (12D3KooW...). */
    readonly ipfsPeerId: pulumi.Output<string>;
    /** The IPFS daemon's multiaddresses with its peer ID: what goes into the network's peer list. */
    readonly multiaddresses: pulumi.Output<string[]>;
    /** The node's DID (did:key), what the anchor service knows it by. */
    readonly nodeDid: pulumi.Output<string>;
    /** Static addresses the node's outbound calls leave from: what an anchor service allowlists. */
    readonly egressIps: pulumi.Output<string[]>;
    /** Where the state store is: "volume" or the bucket's name. */
    readonly stateStore: pulumi.Output<string>;
    readonly ipfsService: ZonalService;
    readonly ceramicService: ZonalService;

    constructor(name: string, args: CeramicArgs, backend: Backend, opts?: pulumi.ComponentResourceOptions) {
        assertValidSettings(args);
        super(COMPONENT_TYPE, name, {}, opts);
        const self = { parent: this };
        const flavour = IPFS_FLAVOURS[args.ipfsFlavour];
        const zone = backend.context.zones[0];
        const domain = backend.context.domain;

        // Identities: generated once, protected, injected at start, so a lost volume changes neither.
        const identity = new PeerIdentity(NAMES.identity, self);
        const seed = new random.RandomBytes(NAMES.nodeSeed, { length: 32 }, { ...self, ...DATA_PROTECTION });
        const ipfsKey = backend.secret(NAMES.ipfsKey, { value: identity.privateKey, description: "libp2p private key of the Ceramic node's IPFS daemon" }, this);
        const nodeSeed = backend.secret(NAMES.nodeSeed, {
            value: pulumi.secret(pulumi.interpolate`${SEED_URL_PREFIX}${seed.hex}`),
            description: "seed of the Ceramic node's DID (js-ceramic node.private-seed-url)",
        }, this);
        const ethereumRpcUrl = args.ethereumRpcUrl === undefined ? undefined : backend.secret(NAMES.ethereumRpcUrl, {
            value: pulumi.secret(args.ethereumRpcUrl),
            description: "Ethereum JSON-RPC endpoint the Ceramic node checks anchors against",
        }, this);
        this.nodeDid = pulumi.unsecret(seed.hex.apply(hex => didKey(ed25519PublicKey(Buffer.from(hex, "hex")))));

        const repo = backend.volume(NAMES.repo, { zone, sizeGiB: args.repoVolumeGiB, owner: flavour.user }, this);
        const state = backend.volume(NAMES.state, { zone, sizeGiB: args.stateVolumeGiB, owner: CERAMIC_USER }, this);
        const logs = backend.volume(NAMES.logs, { zone, sizeGiB: LOGS_VOLUME_GIB, owner: CERAMIC_USER }, this);
        const bucket: Bucket | undefined = args.stateStore === "bucket" ? backend.bucket(NAMES.state, {}, this) : undefined;
        const stateStore: StateStoreTarget = bucket ? { kind: "bucket", bucket } : { kind: "volume" };
        this.stateStore = bucket ? bucket.bucketName : pulumi.output("volume");

        // Short names: they end up in load balancer names, which AWS caps at 32 characters.
        const api = backend.loadBalancerTarget(NAMES.api, { port: PORTS.api, readiness: { ...HEALTH.api } }, this);
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
        try {
            this.ipfsService = backend.service(NAMES.ipfs, {
                zone,
                containers: [ipfs],
                liveness: ipfsLiveness(flavour),
            }, this);
        } catch (e) {
            announce.reject(e);
            throw e;
        }
        const address = this.ipfsService.publicAddress;
        if (!address) {
            const e = new Error(`service ${NAMES.ipfs} has public ports but the back-end gave it no public address`);
            announce.reject(e);
            throw e;
        }
        const announced = address.apply(a => announceAddresses(flavour.swarm, { address: a, dnsName: swarmName, tlsName }));
        announce.resolve(announced);
        if (backend.dns && swarmName) {
            backend.dns.record(NAMES.swarmDns, { fqdn: swarmName, target: { type: "A", addresses: [address] } }, this);
        }

        this.ceramicService = backend.service(NAMES.ceramic, {
            zone,
            accessGroup: CERAMIC_ACCESS_GROUP,
            containers: [ceramicContainer({
                network: args.network,
                anchorServiceUrl: args.anchorServiceUrl,
                ipfsApiUrl: flavour.apiUrl(this.ipfsService.privateHostname),
                corsAllowedOrigins: args.corsAllowedOrigins,
                logLevel: args.logLevel,
                stateStore,
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

        // Every target has its load balancer, declared once the services that serve it are.
        const apiLb = backend.httpsLoadBalancer(NAMES.api, { hostname: HOSTNAMES.api, target: api }, this);
        if (swarmTls) backend.httpsLoadBalancer(NAMES.swarmTls, { hostname: HOSTNAMES.swarmTls, target: swarmTls }, this);
        this.url = apiLb.url;

        if (args.keepAlive) {
            backend.scheduledJob(NAMES.keepAlive, { everyMinutes: DEFAULTS.keepAliveEveryMinutes, container: keepAliveContainer(this.url) }, this);
        }

        this.ipfsPeerId = identity.peerId;
        this.multiaddresses = pulumi.all([announced, identity.peerId]).apply(([list, id]) => peerMultiaddresses(list, id));
        this.egressIps = backend.network.egressIps;
        this.registerOutputs({ url: this.url, ipfsPeerId: this.ipfsPeerId, multiaddresses: this.multiaddresses, nodeDid: this.nodeDid });
    }
}
