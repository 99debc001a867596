// The facts of a Chainlink node that more than one file relies on: its port, the user its image runs as,
// what a healthy node answers, and where its start script keeps its files. Each lives here once.
import { RunAs } from "../topology";

export const PORTS = {
    /** The operator UI, the API the CLI talks to, /readyz, /health and /metrics; plain HTTP behind the HTTPS load balancer. */
    http: 6688,
} as const;

/** The release images' user `chainlink` and its group; its home is the image's working directory. */
export const CHAINLINK_USER: RunAs = { uid: 14933, gid: 14933 };

/**
 * The node's readiness, which both its load balancer and its own watch judge it by. GET /readyz answers 200
 * once every service of the node has started and 503 otherwise: it asks the services whether they run
 * (HealthChecker.IsReady, each service's Ready()), not whether their chains' RPC nodes answer. /health is
 * the wrong check for either: it is 503 whenever any health report fails, and the EVM client reports "no
 * primary nodes available" while every RPC node is down (smartcontractkit/chainlink core/web/router.go
 * healthRoutes, core/web/health_controller.go Readyz and Health; chainlink-common pkg/services/health.go;
 * chainlink-framework multinode/multi_node.go). Only the lease holder answers at all.
 */
export const HEALTH = {
    path: "/readyz",
    status: "200",
} as const;

/** Prometheus metrics, behind the bearer token of secrets.toml's [Prometheus] AuthToken. */
export const METRICS_PATH = "/metrics";

/**
 * The start script's files: the decoded configuration, secrets and API credentials, and the node's PID. The
 * container's memory scratch (a tmpfs), readable by the node's user only, gone with the container: the
 * decoded secrets never reach a disk, and nothing of the node's state lives there (keys, jobs and runs are
 * in the database).
 */
export const RUN_DIR = "/tmp/chainlink";
/** The scratch's size: the three files are a few KiB. */
export const RUN_DIR_MIB = 16;
