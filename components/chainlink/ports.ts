// The facts of a Chainlink node that more than one file relies on: its port, the user its image runs as,
// what a healthy node answers, and where its start script keeps its files. Each lives here once.
import { RunAs } from "../topology";

export const PORTS = {
    /** The operator UI, the API the CLI talks to, /health and /metrics; plain HTTP behind the HTTPS load balancer. */
    http: 6688,
} as const;

/** The release images' user `chainlink` and its group; its home is the image's working directory. */
export const CHAINLINK_USER: RunAs = { uid: 14933, gid: 14933 };

export const HEALTH = {
    /** 200 when every check passes, 503 otherwise; only the lease holder answers at all. */
    path: "/health",
    status: "200",
} as const;

/** Prometheus metrics, behind the bearer token of secrets.toml's [Prometheus] AuthToken. */
export const METRICS_PATH = "/metrics";

/**
 * The start script's files: the decoded configuration, secrets and API credentials, and the node's PID. In
 * the container's own writable layer, readable by the node's user only, gone with the container: nothing of
 * the node's state lives there (keys, jobs and runs are in the database).
 */
export const RUN_DIR = "/tmp/chainlink";
