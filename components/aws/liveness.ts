// How a service's liveness replaces it on ECS. ECS stops a task that fails an Elastic Load Balancing or a
// container health check once the service's health check grace period is over, and the grace suspends both
// (ecs CreateServiceRequest.healthCheckGracePeriodSeconds: "ignores unhealthy Elastic Load Balancing, VPC
// Lattice, and container health checks after a task has first started"). Load balancer checks are readiness
// and must never replace a task, so every balanced service gets the longest grace ECS accepts; what replaces
// a task is then only an essential container exiting. An "http" liveness is probed by a watchdog container in
// the task, over the task's own loopback, which exits after the failures the liveness allows: ECS stops the
// task ("all other containers in the task are stopped" when an essential container exits) and starts another.
import { ContainerSpec, LIVENESS_PROBE, Liveness } from "../topology";
import { LIVENESS_WATCHDOG_IMAGE, LIVENESS_WATCHDOG_NAME, LIVENESS_WATCHDOG_USER, ProbeTiming, watchdogScript as probeScript } from "../topology/watchdog";

export { LIVENESS_WATCHDOG_IMAGE, LIVENESS_WATCHDOG_NAME, LIVENESS_WATCHDOG_USER } from "../topology/watchdog";

/** The watchdog's script on ECS: the failures the liveness allows end it with status 1, and ECS stops the task. */
export function watchdogScript(liveness: Extract<Liveness, { kind: "http" }>, timing: ProbeTiming = LIVENESS_PROBE): string {
    return probeScript(liveness, {
        subject: "this task",
        message: "the service is broken; stopping the task so that ECS starts a new one",
        command: "exit 1",
    }, timing);
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
