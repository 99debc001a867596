// How a service's liveness replaces it on ECS. ECS stops a task that fails an Elastic Load Balancing or a
// container health check once the service's health check grace period is over, and the grace suspends both
// (ecs CreateServiceRequest.healthCheckGracePeriodSeconds: "ignores unhealthy Elastic Load Balancing, VPC
// Lattice, and container health checks after a task has first started"). Load balancer checks are readiness
// and must never replace a task, so every balanced service gets the longest grace ECS accepts; what replaces
// a task is then only an essential container exiting. An "http" liveness is probed by a watchdog container in
// the task, over the task's own loopback, which exits after the failures the liveness allows: ECS stops the
// task ("all other containers in the task are stopped" when an essential container exits) and starts another.
import { ContainerSpec, LIVENESS_PROBE, Liveness, RunAs } from "../topology";
import { CURL_IMAGE } from "../topology/images";

/** The watchdog's image and user: curl and a POSIX shell, nothing else. */
export const LIVENESS_WATCHDOG_IMAGE = CURL_IMAGE.image;
export const LIVENESS_WATCHDOG_USER: RunAs = CURL_IMAGE.user;
/** The watchdog's container name; no workload container may take it. */
export const LIVENESS_WATCHDOG_NAME = "liveness";

export interface ProbeTiming {
    intervalSeconds: number;
    timeoutSeconds: number;
    failures: number;
}

/**
 * The watchdog's script: waits the liveness's grace, then GETs the URL every interval; an answer other than
 * 200 (curl follows no redirect; "000" when nothing answers in time) is a failure, `failures` in a row end
 * it with status 1. SIGTERM (ECS stopping the task) ends it at once with status 0, so it never holds up a stop.
 */
export function watchdogScript(liveness: Extract<Liveness, { kind: "http" }>, timing: ProbeTiming = LIVENESS_PROBE): string {
    const url = `http://127.0.0.1:${liveness.port}${liveness.path}`;
    const quotedUrl = `'${url.replace(/'/g, `'\\''`)}'`;
    return [
        `# Liveness of this task: GET ${url} must answer 200; ${timing.failures} failures in a row stop the task.`,
        "trap 'exit 0' TERM INT",
        `sleep ${liveness.gracePeriodSeconds} & wait $!`,
        "failures=0",
        "while :; do",
        `  status="$(curl --silent --output /dev/null --max-time ${timing.timeoutSeconds} --write-out '%{http_code}' ${quotedUrl})"`,
        '  if [ "$status" = 200 ]; then',
        "    failures=0",
        "  else",
        "    failures=$((failures + 1))",
        `    echo "liveness: GET ${url.replace(/["$`\\]/g, "\\$&")} answered \${status:-nothing} (\${failures} of ${timing.failures})" >&2`,
        `    if [ "$failures" -ge ${timing.failures} ]; then`,
        '      echo "liveness: the service is broken; stopping the task so that ECS starts a new one" >&2',
        "      exit 1",
        "    fi",
        "  fi",
        `  sleep ${timing.intervalSeconds} & wait $!`,
        "done",
        "",
    ].join("\n");
}

/** The containers a service's liveness adds to its task: the watchdog of an "http" liveness, else none. */
export function livenessContainers(liveness: Liveness): ContainerSpec[] {
    if (liveness.kind !== "http") return [];
    return [{
        name: LIVENESS_WATCHDOG_NAME,
        image: LIVENESS_WATCHDOG_IMAGE,
        entrypoint: ["/bin/sh", "-c", watchdogScript(liveness), "liveness"],
        command: [],
        // A shell that sleeps between curls reserves nothing, so the task keeps its size: container-level
        // cpu and memory are optional on Fargate (ecs ContainerDefinition.cpu and .memory).
        cpu: 0,
        memoryMiB: 0,
        user: LIVENESS_WATCHDOG_USER,
    }];
}

/** Problems only the watchdog brings: a workload container may not take its name. */
export function livenessProblems(name: string, containers: ContainerSpec[]): string[] {
    return containers.some(c => c.name === LIVENESS_WATCHDOG_NAME)
        ? [`service ${name}: container name "${LIVENESS_WATCHDOG_NAME}" is the AWS back-end's liveness watchdog; give the container another name`]
        : [];
}
