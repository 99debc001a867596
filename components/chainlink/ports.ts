// The facts of a Chainlink node that more than one file relies on: its port, the user its image runs as,
// what a healthy node answers, and where its start script keeps its files. Each lives here once.
import { RunAs } from "../topology";

export const PORTS = {
    /** The operator UI, the API the CLI talks to, /readyz, /health and /metrics; plain HTTP behind the HTTPS load balancer. */
    http: 6688,
    /**
     * The default of chainlink.p2p.port: OCR's ragep2p listener, open to the world through the pair's shared
     * public address (6690, as Chainlink's own CCIP and VRF test configurations listen).
     */
    p2p: 6690,
} as const;

/** The release images' user `chainlink` and its group; its home is the image's working directory. */
export const CHAINLINK_USER: RunAs = { uid: 14933, gid: 14933 };

/**
 * The node's readiness, which its load balancer routes by: GET /readyz answers 200 once every service the node
 * registered reports Ready() (they have started), and 503 otherwise (core/web/health_controller.go Readyz;
 * chainlink-common pkg/services/health.go HealthChecker.IsReady). It asks no chain: the lease holder stays in
 * rotation through an RPC outage. /health is the wrong check for routing or liveness: it answers 207
 * (Multi-Status) as soon as any health report fails, and every chain and every job reports there, so an RPC
 * outage or one failing job turns it (core/web/health_controller.go Health: http.StatusMultiStatus, at v2.28.0
 * and v2.29.0). The image's own HEALTHCHECK, `curl -f /health`, even passes on 207. Only the lease holder serves.
 */
export const HEALTH = {
    path: "/readyz",
    status: "200",
} as const;

/**
 * While a lease holder checks its version and migrates the database, the port answers with the start-up
 * report, which serves /health (204) and nothing else (core/services/health.go StartUpHealthReport): /readyz
 * answers Go's 404. Neither load balancer routes to it; the start script counts it as the start-up.
 */
export const STARTUP_REPORT = { readyzStatus: "404" } as const;

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
