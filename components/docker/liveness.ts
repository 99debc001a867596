// How a service's "http" liveness replaces what is broken on a Docker engine. The engine restarts a container
// that exits (its restart policy) but never one whose health check fails: a health check only sets the
// container's health status (moby daemon/health.go handleProbeResult; restart policies act on exits alone,
// container/restartmanager). So a watchdog container probes the liveness over the service's own loopback
// (it shares the pod's network namespace) and, after the failures the liveness allows, sends SIGTERM to the
// first process of the container that serves the port. Both stand in the process namespace of the service's
// holder, which never restarts by itself (PidMode container:<holder>), so the watchdog outlives the container
// it stops: had it joined that container's own namespace, the kernel would end it with that container, and
// its restart, refused while the other's is under way, would not be tried again (moby daemon/monitor.go). It
// runs as that container's user, so the signal needs no capability. The container exits, its restart policy
// starts it again, and the watchdog waits out the grace before it probes again. Only that container restarts,
// not its siblings (a cloud replaces the whole task or instance).
import { LIVENESS_PROBE, Liveness, RunAs } from "../topology";
import { LIVENESS_WATCHDOG_IMAGE, LIVENESS_WATCHDOG_NAME, ProbeTiming, watchdogScript as probeScript } from "../topology/watchdog";
import type { PodContainer } from "./pod";

export { LIVENESS_WATCHDOG_IMAGE, LIVENESS_WATCHDOG_NAME } from "../topology/watchdog";

/**
 * The watchdog's script on Docker: the failures the liveness allows send SIGTERM to the served container's first
 * process, again every interval while it still runs and fails.
 */
export function watchdogScript(liveness: Extract<Liveness, { kind: "http" }>, served: string, timing: ProbeTiming = LIVENESS_PROBE): string {
    return probeScript(liveness, {
        subject: `container ${served}`,
        message: `${served} is broken; stopping it so that the engine restarts it`,
        command: "stop_watched",
        functions: [
            `: "\${${WATCHED_CONTAINER_ENV}:?names the container this watchdog stops}"`,
            `# The watched container's first process: of those whose cgroup names its ID (${WATCHED_CONTAINER_ENV}; proc(5)`,
            "# /proc/<pid>/cgroup), the one whose parent is outside this process namespace (PPid 0, pid_namespaces(7)).",
            "stop_watched() {",
            `  for dir in ${PROC_ROOT}/[0-9]*; do`,
            `    if grep -q "$${WATCHED_CONTAINER_ENV}" "$dir/cgroup" 2>/dev/null && grep -q '^PPid:[[:space:]]*0$' "$dir/status" 2>/dev/null; then`,
            '      kill -TERM "${dir##*/}" 2>/dev/null || true',
            "    fi",
            "  done",
            "  failures=0",
            `  sleep ${liveness.gracePeriodSeconds} & wait $!`,
            "}",
        ],
    }, timing);
}

/** The variable that gives the watchdog the engine's ID of the container it watches. */
export const WATCHED_CONTAINER_ENV = "WEB3_NODES_WATCHED_CONTAINER";
/** Where the watchdog reads the processes of its namespace. */
export const PROC_ROOT = "/proc";

/** The watchdog of an "http" liveness, joined to the container that serves its port, or nothing. */
export function livenessWatchdog(liveness: Liveness, containers: readonly Pick<PodContainer, "name" | "user">[], portsOf: (name: string) => number[]): PodContainer[] {
    if (liveness.kind !== "http") return [];
    const served = containers.find(c => portsOf(c.name).includes(liveness.port));
    if (!served) throw new Error(`liveness port ${liveness.port} is not a port of any container`);
    const user: RunAs = served.user;
    return [{
        name: LIVENESS_WATCHDOG_NAME,
        image: LIVENESS_WATCHDOG_IMAGE,
        user,
        entrypoint: ["/bin/sh", "-c", watchdogScript(liveness, served.name), LIVENESS_WATCHDOG_NAME],
        command: [],
        // A shell that sleeps between curls.
        cpu: 0.1,
        memoryMiB: 32,
        watches: served.name,
        role: "liveness",
    }];
}
