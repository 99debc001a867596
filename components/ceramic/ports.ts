// The facts of a Ceramic node that more than one file relies on: its ports, users, paths and what a healthy
// daemon answers. Each lives here once; the IPFS side's own facts live with its flavour (ipfs.ts).
import { RunAs } from "../topology";

export const PORTS = {
    /** js-ceramic's HTTP API, behind the HTTPS load balancer. */
    api: 7007,
} as const;

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
    /** The Ceramic API. */
    api: "ceramic",
    /** The IPFS daemon's public swarm address (websocket). */
    swarm: "ceramic-ipfs",
    /** The IPFS daemon's TLS websocket, through an HTTPS load balancer. */
    swarmTls: "ceramic-ipfs-wss",
} as const;

/** The port browsers and peers reach a TLS websocket on, at the HTTPS load balancer. */
export const HTTPS_PORT = 443;
