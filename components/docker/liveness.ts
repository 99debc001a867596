// How a service's "http" liveness replaces what is broken on a Docker engine. The engine restarts a container
// that exits (its restart policy) but never one whose health check fails: a health check only sets the
// container's health status (moby daemon/health.go handleProbeResult; restart policies act on exits alone,
// container/restartmanager). So a watchdog container probes the liveness over the service's own loopback
// (it shares the pod's network namespace) and, after the failures the liveness allows, sends SIGTERM to the
// process of the container that serves the port: it joins that container's process namespace (PidMode
// container:<id>) as its user, so the signal needs no capability. That process is the namespace's init, which
// takes only the signals it handles (pid_namespaces(7)); every container here starts through the volume fence
// or the secrets loader's exec, and the fence hands SIGTERM on to the daemon. The container exits and its
// restart policy starts it again; the watchdog, whose process namespace ended with it, restarts too and
// waits out the grace again. Only that container restarts, not its siblings (a cloud replaces the whole task or
// instance).
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
        command: "kill -TERM 1",
    }, timing);
}

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
        processesOf: served.name,
        role: "liveness",
    }];
}
