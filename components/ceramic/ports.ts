// The facts of a Ceramic node that more than one file relies on: its ports, users, paths and what a healthy
// daemon answers. Each lives here once; go-ipfs-daemon's own facts live with its flavour (ipfs.ts).
import { RunAs } from "../topology";

export const PORTS = {
    /** js-ceramic's HTTP API, behind the HTTPS load balancer. */
    api: 7007,
} as const;

/**
 * ceramic-one's ports (rust-ceramic@v0.58.0 one/src/daemon.rs DaemonOpts defaults, but QUIC). The API serves
 * both the Ceramic HTTP API (/ceramic/) and a kubo-compatible RPC without authentication (/api/v0/), so it
 * is never public: js-ceramic's alone, or behind the HTTPS load balancer forwarding /ceramic/ only.
 */
export const CERAMIC_ONE_PORTS = {
    /** The HTTP API (--bind-address). */
    api: 5101,
    /** Flight SQL (--flight-sql-bind-address), started unconditionally: bound to loopback, the container's own. */
    flightSql: 5102,
    /** Prometheus pull endpoint (--metrics-bind-address), always started: bound to loopback. */
    metrics: 9464,
    /** libp2p swarm over TCP, public at the service's static address. */
    swarmTcp: 4101,
    /**
     * libp2p swarm over QUIC (UDP). ceramic-one's default puts it on 4101 too, but ECS maps a container port
     * once, for one protocol (PortMapping: "You can't expose the same container port for multiple
     * protocols"), so it gets a port of its own, as kubo's 4002 does.
     */
    swarmQuic: 4102,
} as const;

/**
 * The user ceramic-one runs as. Its image declares none and would run as root (rust-ceramic@v0.58.0
 * Dockerfile); it needs nothing of root once its store directory is writable, which the volume's owner makes it.
 * go-ipfs-daemon's `ipfs` user (ipfs.ts GO_IPFS_USER): a node moving from js-ceramic-kubo has ceramic-one read
 * the kubo repo that user owns, on the node's own volumes, and keep owning its store afterwards.
 */
export const CERAMIC_ONE_USER: RunAs = { uid: 1000, gid: 100 };

/**
 * ceramic-one's store (db.sqlite3 and the pipeline/ object store) on its volume, also its HOME, so nothing it
 * writes by default lands on the container's disk.
 */
export const CERAMIC_ONE_STORE = "/data/ceramic-one";
/**
 * Where the start script writes the node's key file (id_ed25519_0) from the secret store: a memory scratch,
 * never a disk. ceramic-one reads it from its p2p key directory and would otherwise create a new one.
 */
export const CERAMIC_ONE_KEY_DIR = "/run/ceramic-one-key";
export const CERAMIC_ONE_KEY_DIR_MIB = 1;

/**
 * ceramic-one's health (rust-ceramic@v0.58.0 api/ceramic.yaml, api/src/server.rs): GET /ceramic/liveness
 * answers 200 while the API serves, asking nothing else; GET /ceramic/version answers 200 with its version.
 */
export const CERAMIC_ONE_HEALTH = {
    liveness: { path: "/ceramic/liveness", status: "200" },
    readiness: { path: "/ceramic/version", status: "200" },
} as const;

/** The API's Ceramic part, the one thing the HTTPS load balancer forwards (one/src/daemon.rs MakePrefixService). */
export const CERAMIC_ONE_API_PREFIX = "/ceramic/";

/** The node image's `node` user: js-ceramic runs as it, never as the image's default root. */
export const CERAMIC_USER: RunAs = { uid: 1000, gid: 1000 };

export const PATHS = {
    /** The state store (pinned streams' commits) when it is on a volume, and the ComposeDB index. */
    state: "/data/ceramic",
    /** Log files, on a volume of their own so a burst of logs never fills the state's. */
    logs: "/data/ceramic-logs",
} as const;

/**
 * Where the start script writes the daemon's config file, which holds the Ethereum RPC URL and its API key:
 * the container's memory scratch, never a disk. The file is a few KiB.
 */
export const CONFIG_DIR = "/tmp/ceramic";
export const CONFIG_DIR_MIB = 16;

/** Inside the state volume. */
export const STATE_STORE_DIRECTORY = `${PATHS.state}/statestore`;
export const INDEXING_DB = `sqlite://${PATHS.state}/indexing.sqlite`;

/** js-ceramic@5.16.0 packages/cli/src/ceramic-daemon.ts, `healthcheck`. */
export const HEALTH = {
    /** The API's readiness: 200 "Alive!" when its IPFS answers, 503 "IPFS unreachable" otherwise. */
    api: { path: "/api/v0/node/healthcheck", status: "200" },
    /**
     * The node's liveness: with checkIpfs=false the daemon answers 200 "Alive!" at once, asking IPFS nothing,
     * so a sick or starting IPFS never replaces Ceramic.
     */
    daemonOnly: { path: "/api/v0/node/healthcheck?checkIpfs=false", status: "200" },
} as const;

/** The labels under the stack's domain. */
export const HOSTNAMES = {
    /** The Ceramic API: js-ceramic's, or ceramic-one's /ceramic/ API. */
    api: "ceramic",
    /** ceramic-one's public swarm address (TCP and QUIC). */
    ceramicOneSwarm: "ceramic-one",
    /** The IPFS daemon's public swarm address (websocket). */
    swarm: "ceramic-ipfs",
    /** The IPFS daemon's TLS websocket, through an HTTPS load balancer. */
    swarmTls: "ceramic-ipfs-wss",
} as const;

/** The port browsers and peers reach a TLS websocket on, at the HTTPS load balancer. */
export const HTTPS_PORT = 443;
