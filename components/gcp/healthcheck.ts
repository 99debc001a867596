// What Google's probers ask of an instance: one shape for the global and the regional health check.
import * as gcp from "@pulumi/gcp";

/**
 * An HTTP probe succeeds only on a 200 response: Google's HTTP health checks accept no other status. A
 * target answering 204 (or "any 2xx") is probed with TCP on its port instead, which at least proves the
 * process listens.
 */
export type Probe = { kind: "http"; port: number; path: string } | { kind: "tcp"; port: number };

/** Load balancers take a backend out quickly; its instance is not harmed. */
export const LOAD_BALANCER_PROBE_TIMING = { checkIntervalSec: 10, timeoutSec: 5, healthyThreshold: 2, unhealthyThreshold: 3 } as const;
/** Autohealing recreates the instance, which costs minutes of a node's life: only after two minutes of failure. */
export const AUTOHEALING_PROBE_TIMING = { checkIntervalSec: 30, timeoutSec: 10, healthyThreshold: 1, unhealthyThreshold: 4 } as const;
/** Autohealing's grace after an instance starts, when the service names none: boot, image pull, first sync. */
export const DEFAULT_GRACE_SECONDS = 300;
/** Compute Engine's bounds for autohealing's initial delay. */
export const GRACE_SECONDS_RANGE = { min: 0, max: 3600 } as const;

export function probeArgs(probe: Probe, timing: typeof LOAD_BALANCER_PROBE_TIMING | typeof AUTOHEALING_PROBE_TIMING): gcp.compute.HealthCheckArgs & gcp.compute.RegionHealthCheckArgs {
    return probe.kind === "http"
        ? { ...timing, httpHealthCheck: { port: probe.port, requestPath: probe.path } }
        : { ...timing, tcpHealthCheck: { port: probe.port } };
}

export function graceSeconds(requested: number | undefined): number {
    const seconds = requested ?? DEFAULT_GRACE_SECONDS;
    return Math.min(GRACE_SECONDS_RANGE.max, Math.max(GRACE_SECONDS_RANGE.min, Math.round(seconds)));
}
