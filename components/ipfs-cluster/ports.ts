// The facts of a kubo + ipfs-cluster-service peer that more than one file relies on: ports, the user both
// images run as, where their state lives, and what a healthy peer answers. Each lives here once.
import { RunAs } from "../topology";

export const PORTS = {
    /** libp2p swarm of kubo over TCP: with the QUIC port below, all the world needs. */
    kuboSwarm: 4001,
    /**
     * libp2p swarm of kubo over QUIC (UDP). A port of its own: ECS maps a container port once, for one protocol
     * (ecs PortMapping: "You can't expose the same container port for multiple protocols"), and an NLB has one
     * listener per port; both clouds' pass-through load balancers forward it untranslated.
     */
    kuboSwarmQuic: 4002,
    /** kubo RPC: full control of the node; only its own cluster container talks to it. */
    kuboRpc: 5001,
    /** kubo's read-only HTTP gateway, behind the gateway's HTTPS load balancer. */
    gateway: 8080,
    /** ipfs-cluster REST API, behind the cluster's HTTPS load balancer with basic auth. */
    restApi: 9094,
    /** ipfs-cluster's IPFS proxy: no auth of its own, so it never leaves the peer. */
    proxy: 9095,
    /** ipfs-cluster swarm, encrypted with the cluster secret: peer to peer only. */
    clusterSwarm: 9096,
    /** ipfs-cluster Prometheus metrics, scraped from inside the cluster's access group. */
    metrics: 8888,
} as const;

/** Both images create this user (ipfs, in group users) and drop to it; starting as it skips the root step. */
export const IPFS_USER: RunAs = { uid: 1000, gid: 100 };

export const PATHS = {
    /** kubo's repo: blocks, datastore and the config holding the peer's identity. */
    ipfsRepo: "/data/ipfs",
    /** ipfs-cluster's service.json, identity.json, peerstore and the pinset datastore. */
    clusterState: "/data/ipfs-cluster",
} as const;

/** The empty UnixFS directory: every kubo repo pins it at init, so a gateway serving it is a working gateway. */
export const EMPTY_DIR_CID = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";

export const HEALTH = {
    /**
     * The REST API's readiness: GET /health answers 204 without credentials, and consults nothing else
     * (ipfs-cluster@v1.1.6 api/common/api.go HealthHandler; authHandler lets GET /health through).
     */
    restApi: { path: "/health", status: "204" },
    /**
     * The gateway's readiness and the peer's liveness: kubo serves the empty directory from its own repo,
     * asking no other peer. The trailing slash matters: a directory path without one is answered with a 301
     * to the same path with it (boxo@v0.40.0 gateway/handler_unixfs_dir.go, kubo v0.42.0's gateway), which
     * no load balancer or autohealing check takes as healthy. It is the probe of kubo's `ipfs diag healthy`
     * (kubo@v0.42.0 core/commands/diag.go: the same directory resolved and read), but for that command's
     * shutdown flag; the command itself is an RPC call, POST only on the loopback-only API, which no cloud's
     * HTTP check can make, and here a shutdown only ever starts with the runtime stopping the container.
     */
    gateway: { path: `/ipfs/${EMPTY_DIR_CID}/`, status: "200" },
} as const;

/** A multiaddress of a loopback port: how a peer's containers reach each other (they share its network). */
export function loopback(port: number): string {
    return `/ip4/127.0.0.1/tcp/${port}`;
}

/** A multiaddress listening on every interface: TCP, or QUIC version 1 (RFC 9000) over UDP. */
export function anyInterface(port: number, transport: "tcp" | "quic-v1" = "tcp"): string {
    return transport === "tcp" ? `/ip4/0.0.0.0/tcp/${port}` : `/ip4/0.0.0.0/udp/${port}/quic-v1`;
}

/** The ports the world reaches kubo's swarm on: its container ports unless the back-end numbers them (ZonalService.publicPort). */
export interface PublicSwarmPorts {
    tcp: number;
    quic: number;
}

/** kubo's public swarm multiaddresses at `address`: what it announces, what the stack exports, what the world dials. */
export function publicSwarmAddresses(address: string, ports: PublicSwarmPorts = { tcp: PORTS.kuboSwarm, quic: PORTS.kuboSwarmQuic }): string[] {
    return [`/ip4/${address}/tcp/${ports.tcp}`, `/ip4/${address}/udp/${ports.quic}/quic-v1`];
}
