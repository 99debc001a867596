// What replaces a service and what routes to it, read from a synthesized graph the way each cloud reads its
// resources, so the tests can compare both with what the workloads declare. The clouds' rules these read by:
// - ECS stops a task that fails an Elastic Load Balancing or a container health check, except during the
//   service's grace period, which suspends both (ecs CreateServiceRequest.healthCheckGracePeriodSeconds,
//   docs.aws.amazon.com ECS API reference, read 2026-12-01: "ignores unhealthy Elastic Load Balancing, VPC
//   Lattice, and container health checks after a task has first started"; up to 2,147,483,647 seconds; it
//   is only used with a load balancer); a task whose essential container is UNHEALTHY is stopped and
//   replaced (ecs HealthCheck); a task whose essential container exits is stopped (ecs ContainerDefinition.essential).
// - Compute Engine recreates a managed instance group's instance when its autohealing health check fails,
//   after initialDelaySec (compute v1 InstanceGroupManager.autoHealingPolicies); load balancers' health
//   checks only take a backend out of rotation. An HTTP health check passes on a 200 response alone
//   (cloud.google.com/load-balancing/docs/health-check-concepts, "success criteria").
import * as YAML from "yaml";
import { COMPONENT_TYPES } from "../../components/topology";
import { SynthResource } from "../../tools/harness";
import { computedState } from "../../tools/mocks";
import { descendants } from "../support";

type Inputs = Record<string, any>;
type Graph = { resources: SynthResource[] };

/** A check as the cloud runs it: an HTTP GET that must answer 200, a TCP connect, or a command in a container. */
export type Check = { kind: "http"; port: number; path: string } | { kind: "tcp"; port: number } | { kind: "command"; command: string[] };

/** The check the cloud replaces a service on, with when it starts counting and how. */
export interface ReplacementCheck {
    /** What runs it, for messages: "the ALB target group x", "the watchdog container", ... */
    by: string;
    check: Check;
    graceSeconds?: number;
    timing?: { intervalSeconds: number; timeoutSeconds: number; failures: number };
}

/** The longest grace ECS accepts: ecs CreateServiceRequest.healthCheckGracePeriodSeconds, "up to 2,147,483,647 seconds". */
export const ECS_LONGEST_GRACE_SECONDS = 2_147_483_647;

export function services(graph: Graph): SynthResource[] {
    return graph.resources.filter(r => r.type === COMPONENT_TYPES.service);
}

export function targets(graph: Graph): SynthResource[] {
    return graph.resources.filter(r => r.type === COMPONENT_TYPES.loadBalancerTarget);
}

function below(graph: Graph, component: SynthResource, type: string): SynthResource[] {
    return descendants(graph, component.urn).filter(r => r.type === type);
}

function only(found: SynthResource[], what: string): SynthResource {
    if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}`);
    return found[0];
}

// ---------------------------------------------------------------- AWS

/** The ECS container definitions of a service's task. */
export function awsContainers(graph: Graph, service: SynthResource): Inputs[] {
    const task = only(below(graph, service, "aws:ecs/taskDefinition:TaskDefinition"), `task definition under ${service.name}`);
    return JSON.parse(task.inputs.containerDefinitions as string);
}

/** A target group's ARN as the mock provider gives it, to find the group an ECS service names. */
function targetGroupArn(tg: SynthResource): string {
    return computedState(tg.type, tg.name, tg.inputs).state.arn as string;
}

function elbCheck(tg: SynthResource): Check {
    const hc = tg.inputs.healthCheck as Inputs;
    const port = hc.port === undefined || hc.port === "traffic-port" ? Number(tg.inputs.port) : Number(hc.port);
    return hc.protocol === "TCP" ? { kind: "tcp", port } : { kind: "http", port, path: hc.path ?? "/" };
}

/**
 * What the liveness watchdog script probes, read from its own text: the URL, the grace and the timing. The
 * script's behaviour is tested for real against stand-ins (load-balancing.test.ts).
 */
export function watchdogProbe(script: string): Omit<ReplacementCheck, "by"> | undefined {
    const url = /--write-out '%\{http_code\}' '(http:\/\/127\.0\.0\.1:(\d+)(\/[^']*))'/.exec(script);
    const grace = /^sleep (\d+) & wait \$!$/m.exec(script);
    const interval = /^ {2}sleep (\d+) & wait \$!$/m.exec(script);
    const timeout = /--max-time (\d+)/.exec(script);
    const failures = /-ge (\d+) \]/.exec(script);
    if (!url || !grace || !interval || !timeout || !failures) return undefined;
    return {
        check: { kind: "http", port: Number(url[2]), path: url[3] },
        graceSeconds: Number(grace[1]),
        timing: { intervalSeconds: Number(interval[1]), timeoutSeconds: Number(timeout[1]), failures: Number(failures[1]) },
    };
}

/**
 * Every check that can make ECS replace the service's task: its load balancers' checks and its essential
 * containers' health checks unless the grace period suspends them, and a watchdog: an essential container
 * whose whole job is probing and exiting.
 */
export function awsReplacementChecks(graph: Graph, service: SynthResource): ReplacementCheck[] {
    const ecs = only(below(graph, service, "aws:ecs/service:Service"), `ECS service under ${service.name}`);
    const balanced = (ecs.inputs.loadBalancers ?? []) as Inputs[];
    const grace = ecs.inputs.healthCheckGracePeriodSeconds as number | undefined;
    const checksSuspended = balanced.length > 0 && grace === ECS_LONGEST_GRACE_SECONDS;
    const found: ReplacementCheck[] = [];
    if (!checksSuspended) {
        const groups = graph.resources.filter(r => r.type === "aws:lb/targetGroup:TargetGroup");
        for (const lb of balanced) {
            const tg = groups.find(g => targetGroupArn(g) === lb.targetGroupArn);
            if (!tg) throw new Error(`${service.name}: no target group has the ARN ${lb.targetGroupArn}`);
            found.push({ by: `target group ${tg.name}`, check: elbCheck(tg), graceSeconds: grace ?? 0 });
        }
    }
    for (const c of awsContainers(graph, service)) {
        if (c.essential === false) continue;
        if (c.healthCheck && !checksSuspended) {
            found.push({ by: `container ${c.name}'s health check`, check: { kind: "command", command: c.healthCheck.command } });
        }
        const script = Array.isArray(c.entryPoint) ? c.entryPoint.join("\n") : "";
        const probe = watchdogProbe(script);
        if (probe && (c.portMappings ?? []).length === 0) found.push({ by: `watchdog container ${c.name}`, ...probe });
    }
    return found;
}

// ---------------------------------------------------------------- GCP

function gcpCheck(hc: SynthResource): Check {
    const http = hc.inputs.httpHealthCheck as Inputs | undefined;
    if (http) return { kind: "http", port: Number(http.port), path: http.requestPath ?? "/" };
    return { kind: "tcp", port: Number((hc.inputs.tcpHealthCheck as Inputs).port) };
}

export function gcpHealthCheckById(graph: Graph, id: string): SynthResource {
    const found = graph.resources.filter(r => (r.type === "gcp:compute/healthCheck:HealthCheck" || r.type === "gcp:compute/regionHealthCheck:RegionHealthCheck") && r.id === id);
    return only(found, `health check ${id}`);
}

/** The health checks a backend service names (one, or a list). */
export function healthCheckIds(backendService: SynthResource): string[] {
    const ids = backendService.inputs.healthChecks;
    return (Array.isArray(ids) ? ids : [ids]).map(String);
}

/** The service's managed instance group. */
export function gcpGroup(graph: Graph, service: SynthResource): SynthResource {
    return only(below(graph, service, "gcp:compute/instanceGroupManager:InstanceGroupManager"), `instance group manager under ${service.name}`);
}

/** The URL load balancers name the group by, as the mock provider gives it. */
export function gcpGroupUrl(group: SynthResource): string {
    return computedState(group.type, group.name, group.inputs).state.instanceGroup as string;
}

/** What makes Compute Engine recreate the service's instance: its autohealing health check, if any. */
export function gcpReplacementChecks(graph: Graph, service: SynthResource): ReplacementCheck[] {
    const group = gcpGroup(graph, service);
    const policies = group.inputs.autoHealingPolicies as Inputs | Inputs[] | undefined;
    const policy = Array.isArray(policies) ? policies[0] : policies;
    if (!policy) return [];
    const hc = gcpHealthCheckById(graph, policy.healthCheck);
    return [{
        by: `autohealing health check ${hc.name}`,
        check: gcpCheck(hc),
        graceSeconds: policy.initialDelaySec ?? 0,
        timing: { intervalSeconds: Number(hc.inputs.checkIntervalSec), timeoutSeconds: Number(hc.inputs.timeoutSec), failures: Number(hc.inputs.unhealthyThreshold) },
    }];
}

/** The checks of the backend services (global and regional) that have the group as a backend. */
export function gcpRoutingChecks(graph: Graph, service: SynthResource): { backendService: SynthResource; check: Check }[] {
    const url = gcpGroupUrl(gcpGroup(graph, service));
    return graph.resources
        .filter(r => r.type === "gcp:compute/backendService:BackendService" || r.type === "gcp:compute/regionBackendService:RegionBackendService")
        .filter(r => ((r.inputs.backends ?? []) as Inputs[]).some(b => b.group === url))
        .flatMap(r => healthCheckIds(r).map(id => ({ backendService: r, check: gcpCheck(gcpHealthCheckById(graph, id)) })));
}

/** The files the instance's cloud-config writes, by path. */
export function gcpHostFiles(graph: Graph, service: SynthResource): Map<string, string> {
    const template = only(below(graph, service, "gcp:compute/instanceTemplate:InstanceTemplate"), `instance template under ${service.name}`);
    const document = YAML.parse(String((template.inputs.metadata as Inputs)["user-data"])) as { write_files: { path: string; content: string }[] };
    return new Map(document.write_files.map(f => [f.path, f.content]));
}
