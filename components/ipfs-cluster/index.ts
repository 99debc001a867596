// An IPFS Cluster: kubo + ipfs-cluster-service peers spread round-robin over the stack's zones, a shared
// cluster secret, per-peer identities kept in state, the REST API and the gateway behind HTTPS load
// balancers. Written against the topology only; the constructor is thin and the plan is plain functions.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Backend, DATA_PROTECTION, Liveness, LoadBalancerTarget, Secret, ZonalService } from "../topology";
import { PeerIdentity } from "../libp2p/identity";
import { PeerRef, bootstrapPeers, clusterContainer, clusterMultiaddress, peerAddresses } from "./cluster";
import { kuboContainer } from "./kubo";
import { KuboPeerRef, peeringIndices, peeringPeers } from "./peering";
import { HEALTH, IPFS_USER, PORTS, PublicSwarmPorts, publicSwarmAddresses } from "./ports";
import { IpfsClusterSettings, settingsProblems } from "./settings";
import { deferred } from "../topology/deferred";

export { IMAGES } from "./images";
export { EMPTY_DIR_CID, HEALTH, IPFS_USER, PATHS, PORTS } from "./ports";
export { kuboStartScript, storageMax } from "./kubo";
export { ALLOCATE_BY, bootstrapPeers, clusterEnv, clusterMultiaddress, peerAddresses } from "./cluster";
export { peersKnownAtStart } from "./membership";
export * from "./settings";

export const COMPONENT_TYPE = "web3-nodes:ipfs-cluster:IpfsCluster";
export const PEER_TYPE = "web3-nodes:ipfs-cluster:IpfsClusterPeer";

/** The labels under the stack's domain. */
export const HOSTNAMES = { restApi: "cluster", gateway: "gateway" } as const;
/** The REST API's basic-auth user; its password is generated and kept in state. */
export const REST_API_USER = "admin";
/** The cluster secret: 32 bytes, given to ipfs-cluster as 64 hex characters. */
export const CLUSTER_SECRET_BYTES = 32;
/** Long enough to resist guessing; letters and digits only, since `:` and `,` delimit the credential list. */
export const REST_API_PASSWORD_LENGTH = 32;
/** Seconds a replaced peer has to open its repo (and migrate it) before its liveness counts. */
const PEER_GRACE_SECONDS = 600;
/**
 * What replaces a peer: its kubo no longer serving a block of its own repo. ipfs-cluster-service exits when
 * it fails, which replaces the peer too.
 */
export const PEER_LIVENESS: Liveness = { kind: "http", port: PORTS.gateway, path: HEALTH.gateway.path, gracePeriodSeconds: PEER_GRACE_SECONDS };

export type IpfsClusterArgs = Omit<IpfsClusterSettings, "enabled">;

export interface PeerPlacement {
    index: number;
    /** The peer's service name, also its private hostname's first label. */
    name: string;
    zone: string;
}

/** Peer i in zone i mod 3: every zone holds a peer, and the zones differ by at most one peer. */
export function placePeers(prefix: string, count: number, zones: readonly string[]): PeerPlacement[] {
    if (zones.length === 0) throw new Error("placing peers needs at least one zone");
    return Array.from({ length: count }, (_, index) => ({ index, name: `${prefix}-${index}`, zone: zones[index % zones.length] }));
}

/** Throws one error listing every problem with the settings, keys named as in the stack file. */
export function assertValidSettings(args: IpfsClusterArgs, zones: number): void {
    const problems = settingsProblems(args, zones);
    if (problems.length > 0) {
        throw new Error(`invalid IPFS cluster settings:\n  - ${problems.map(p => `ipfsCluster.${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`).join("\n  - ")}`);
    }
}

/** What the stack exports of a peer. */
export interface PeerOutputs {
    name: string;
    zone: string;
    /** The cluster peer ID (12D3KooW...). */
    peerId: pulumi.Output<string>;
    /** The kubo peer ID, what IPFS clients see. */
    ipfsPeerId: pulumi.Output<string>;
    /** kubo's public swarm addresses (TCP and QUIC), then the cluster's private swarm address. */
    multiaddresses: pulumi.Output<string[]>;
}


/** One peer: its identities, the secrets that carry their keys, its two volumes and its service. */
export class IpfsClusterPeer extends pulumi.ComponentResource {
    readonly placement: PeerPlacement;
    readonly clusterIdentity: PeerIdentity;
    readonly kuboIdentity: PeerIdentity;
    service!: ZonalService;

    constructor(placement: PeerPlacement, opts: pulumi.ComponentResourceOptions) {
        super(PEER_TYPE, placement.name, {}, opts);
        this.placement = placement;
        this.clusterIdentity = new PeerIdentity(`${placement.name}-cluster-identity`, { parent: this });
        this.kuboIdentity = new PeerIdentity(`${placement.name}-kubo-identity`, { parent: this });
    }

    /**
     * Declares the peer's secrets, volumes and service. `bootstrap`: the peers built before it that it dials at
     * start (bootstrapPeers); `after`: the peer whose service a change reaches first, so peers roll one at a time;
     * `peering`: the peers built before it whose kubo its kubo peers with (peeringIndices).
     */
    build(backend: Backend, args: IpfsClusterArgs, shared: SharedParts, bootstrap: IpfsClusterPeer[], after?: ZonalService, peering: IpfsClusterPeer[] = []): ZonalService {
        const { name, zone } = this.placement;
        const secret = (suffix: string, value: pulumi.Input<string>, description: string) =>
            backend.secret(`${name}-${suffix}`, { value, description }, this);
        const kuboKey = secret("kubo-key", this.kuboIdentity.privateKey, `libp2p private key of kubo on IPFS cluster peer ${name}`);
        const clusterKey = secret("cluster-key", this.clusterIdentity.privateKey, `libp2p private key of IPFS cluster peer ${name}`);
        const repo = backend.volume(`${name}-repo`, { zone, sizeGiB: args.repoVolumeGiB, owner: IPFS_USER }, this);
        const state = backend.volume(`${name}-state`, { zone, sizeGiB: args.clusterVolumeGiB, owner: IPFS_USER }, this);

        // kubo announces the service's public address and ports, which exist only once the service does.
        const announce = deferred<pulumi.Output<string[]>>();
        const kubo = kuboContainer({
            peerId: this.kuboIdentity.peerId,
            privateKey: kuboKey,
            announce: pulumi.output(announce.promise),
            peering: pulumi.all(peering.map(p => p.kuboRef())).apply(peeringPeers),
            privateNetwork: backend.network.cidr,
            repo,
            gateway: shared.gateway,
            cpu: args.kuboCpu,
            memoryMiB: args.kuboMemoryMiB,
        });
        const cluster = clusterContainer({
            peerName: name,
            zone,
            peerId: this.clusterIdentity.peerId,
            peerAddresses: pulumi.all(bootstrap.map(p => p.ref())).apply(peerAddresses),
            replicationFactorMin: args.replicationFactorMin,
            replicationFactorMax: args.replicationFactorMax,
            concurrentPins: args.concurrentPins,
            pinTimeout: args.pinTimeout,
            secrets: { clusterSecret: shared.clusterSecret, privateKey: clusterKey, restApiCredentials: shared.restApiCredentials },
            state,
            restApi: shared.restApi,
            accessGroup: shared.accessGroup,
            cpu: args.clusterCpu,
            memoryMiB: args.clusterMemoryMiB,
        });
        try {
            this.service = backend.service(name, {
                zone,
                containers: [kubo, cluster],
                accessGroup: shared.accessGroup,
                liveness: PEER_LIVENESS,
                rolling: { after },
            }, this);
        } catch (e) {
            announce.reject(e);
            throw e;
        }
        if (!this.service.publicAddress) {
            const e = new Error(`service ${name} has public ports but the back-end gave it no public address`);
            announce.reject(e);
            throw e;
        }
        announce.resolve(this.publicSwarmAddresses());
        this.registerOutputs({ zone, service: name });
        return this.service;
    }

    /** The ports the world reaches this peer's kubo swarm on; its service must be built. */
    private publicSwarmPorts(): PublicSwarmPorts {
        return { tcp: this.service.publicPort(PORTS.kuboSwarm), quic: this.service.publicPort(PORTS.kuboSwarmQuic) };
    }

    /** What this peer's kubo announces; its service must be built. */
    private publicSwarmAddresses(): pulumi.Output<string[]> {
        const ports = this.publicSwarmPorts();
        return this.service.publicAddress!.apply(ip => publicSwarmAddresses(ip, ports));
    }

    /** How other peers' kubo reach this one's kubo; its service must be built. */
    kuboRef(): pulumi.Output<KuboPeerRef> {
        const hostname = this.service.privateHostname;
        return this.kuboIdentity.peerId.apply(kuboPeerId => ({ hostname, kuboPeerId }));
    }

    /** How other peers reach this one's cluster swarm; its service must be built. */
    ref(): pulumi.Output<PeerRef> {
        const { zone } = this.placement;
        const hostname = this.service.privateHostname;
        return this.clusterIdentity.peerId.apply(clusterPeerId => ({ hostname, zone, clusterPeerId }));
    }

    outputs(): PeerOutputs {
        const { name, zone } = this.placement;
        const address = this.service.publicAddress!;
        return {
            name,
            zone,
            peerId: this.clusterIdentity.peerId,
            ipfsPeerId: this.kuboIdentity.peerId,
            multiaddresses: pulumi.all([address, this.kuboIdentity.peerId, this.clusterIdentity.peerId]).apply(([ip, ipfsId, clusterId]) => [
                ...publicSwarmAddresses(ip, this.publicSwarmPorts()).map(a => `${a}/p2p/${ipfsId}`),
                clusterMultiaddress(this.service.privateHostname, clusterId),
            ]),
        };
    }
}

/** What every peer shares. */
export interface SharedParts {
    clusterSecret: Secret;
    restApiCredentials: Secret;
    gateway: LoadBalancerTarget;
    restApi: LoadBalancerTarget;
    accessGroup: string;
}

export class IpfsCluster extends pulumi.ComponentResource {
    readonly restApiUrl: string;
    readonly gatewayUrl: string;
    readonly restApiUser = REST_API_USER;
    readonly restApiPassword: pulumi.Output<string>;
    readonly peers: PeerOutputs[];

    constructor(name: string, args: IpfsClusterArgs, backend: Backend, opts?: pulumi.ComponentResourceOptions) {
        const zones = backend.context.zones;
        assertValidSettings(args, zones.length);
        super(COMPONENT_TYPE, name, {}, opts);
        const parent = { parent: this };

        // Replacing either would lock every peer out of the cluster or every client out of the API.
        const secretBytes = new random.RandomBytes(`${name}-secret`, { length: CLUSTER_SECRET_BYTES }, { ...parent, ...DATA_PROTECTION });
        const password = new random.RandomPassword(`${name}-api-password`, { length: REST_API_PASSWORD_LENGTH, special: false }, { ...parent, ...DATA_PROTECTION });
        this.restApiPassword = pulumi.secret(password.result);
        const clusterSecret = backend.secret(`${name}-secret`, { value: pulumi.secret(secretBytes.hex), description: "IPFS cluster secret, shared by every peer" }, this);
        const restApiCredentials = backend.secret(`${name}-api-credentials`, {
            value: pulumi.secret(pulumi.interpolate`${REST_API_USER}:${password.result}`),
            description: "IPFS cluster REST API basic-auth credentials (user:password)",
        }, this);

        // Short names: they end up in load balancer names, which AWS caps at 32 characters.
        const restApi = backend.loadBalancerTarget("ipfs-api", { port: PORTS.restApi, readiness: { ...HEALTH.restApi } }, this);
        const gateway = backend.loadBalancerTarget("ipfs-gateway", { port: PORTS.gateway, readiness: { ...HEALTH.gateway } }, this);

        const placements = placePeers("ipfs", args.peers, zones);
        const peers = placements.map(p => new IpfsClusterPeer(p, parent));
        const shared: SharedParts = { clusterSecret, restApiCredentials, gateway, restApi, accessGroup: name };
        // Each peer knows only peers built before it, so adding a peer changes no other peer; and a change
        // reaches peer i once peer i-1 is healthy again, so at most one peer is down at a time.
        for (const [i, peer] of peers.entries()) {
            peer.build(backend, args, shared, bootstrapPeers(placements, i).map(p => peers[p.index]), peers[i - 1]?.service, peeringIndices(i).map(j => peers[j]));
        }

        // Every target has its load balancer, declared once the services that serve it are.
        // The REST API answers its allowlist only; the gateway is for everyone.
        const api = backend.httpsLoadBalancer("ipfs-api", { hostname: HOSTNAMES.restApi, target: restApi, allowedCidrs: args.apiCidrs }, this);
        const gatewayLb = backend.httpsLoadBalancer("ipfs-gateway", { hostname: HOSTNAMES.gateway, target: gateway }, this);
        this.restApiUrl = api.url;
        this.gatewayUrl = gatewayLb.url;
        this.peers = peers.map(p => p.outputs());
        this.registerOutputs({ restApiUrl: this.restApiUrl, gatewayUrl: this.gatewayUrl, peers: this.peers.map(p => p.peerId) });
    }
}
