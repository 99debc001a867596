// What Google's probers ask of an instance: one shape for the global and the regional health check.
import * as gcp from "@pulumi/gcp";
import { LIVENESS_PROBE, Liveness } from "../topology";

/**
 * An HTTP probe succeeds only on a 200 response: Google's HTTP health checks accept no other status. A
 * target answering 204 (or "any 2xx") is probed with TCP on its port instead, which at least proves the
 * process listens.
 */
export type Probe = { kind: "http"; port: number; path: string } | { kind: "tcp"; port: number };

/** Load balancers take a backend out quickly; its instance is not harmed. */
export const LOAD_BALANCER_PROBE_TIMING = { checkIntervalSec: 10, timeoutSec: 5, healthyThreshold: 2, unhealthyThreshold: 3 } as const;
/** Autohealing probes a service's liveness as every back-end does (topology LIVENESS_PROBE). */
export const AUTOHEALING_PROBE_TIMING = {
    checkIntervalSec: LIVENESS_PROBE.intervalSeconds,
    timeoutSec: LIVENESS_PROBE.timeoutSeconds,
    healthyThreshold: 1,
    unhealthyThreshold: LIVENESS_PROBE.failures,
} as const;

export function probeArgs(probe: Probe, timing: typeof LOAD_BALANCER_PROBE_TIMING | typeof AUTOHEALING_PROBE_TIMING): gcp.compute.HealthCheckArgs & gcp.compute.RegionHealthCheckArgs {
    return probe.kind === "http"
        ? { ...timing, httpHealthCheck: { port: probe.port, requestPath: probe.path } }
        : { ...timing, tcpHealthCheck: { port: probe.port } };
}

/** The probe of a service's "http" liveness: exactly its GET, which Google passes on 200 alone, as the liveness asks. */
export function livenessProbe(liveness: Liveness): Probe | undefined {
    return liveness.kind === "http" ? { kind: "http", port: liveness.port, path: liveness.path } : undefined;
}
