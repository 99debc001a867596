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
// The HTTP servers those checks reach are stood in for too, each answering as its upstream's source says at the
// deployed version (the models below), so every declared check can be run against what it will meet.
import * as http from "http";
import { AddressInfo, Socket } from "net";
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

// ---------------------------------------------------------------- every HTTP check, as the clouds run them

/** An HTTP check as declared in the graph: where it goes, and which statuses its runner takes as healthy. */
export interface DeclaredHttpCheck {
    /** What runs it, for messages. */
    by: string;
    /** The zonal service it reaches. */
    service: string;
    port: number;
    path: string;
    /** The statuses that pass, as its runner reads them ("200", "200-299", "200,204"). */
    passes: string;
}

/** Whether `status` is one of `passes` (an ELB matcher's grammar: codes, lists and ranges). */
export function statusPasses(passes: string, status: number): boolean {
    return passes.split(",").some(part => {
        const [from, to] = part.split("-").map(Number);
        return status >= from && status <= (to ?? from);
    });
}

/** Google's HTTP health checks pass on 200 alone (cloud.google.com/load-balancing/docs/health-check-concepts, "success criteria"). */
const GOOGLE_HTTP_PASSES = "200";

/**
 * Every HTTP check that reaches the service on AWS: its target groups' checks, whether they route or (outside
 * the grace) replace, with their matchers (elbv2 Matcher.HttpCode; an ALB's default is 200), and its watchdog's
 * GET, which passes on the status its script compares with.
 */
export function awsHttpChecks(graph: Graph, service: SynthResource): DeclaredHttpCheck[] {
    const ecs = only(below(graph, service, "aws:ecs/service:Service"), `ECS service under ${service.name}`);
    const groups = graph.resources.filter(r => r.type === "aws:lb/targetGroup:TargetGroup");
    const found: DeclaredHttpCheck[] = [];
    for (const lb of (ecs.inputs.loadBalancers ?? []) as Inputs[]) {
        const tg = groups.find(g => targetGroupArn(g) === lb.targetGroupArn);
        if (!tg) throw new Error(`${service.name}: no target group has the ARN ${lb.targetGroupArn}`);
        const check = elbCheck(tg);
        if (check.kind !== "http") continue;
        found.push({ by: `target group ${tg.name}`, service: service.name, port: check.port, path: check.path, passes: String((tg.inputs.healthCheck as Inputs).matcher ?? "200") });
    }
    for (const c of awsContainers(graph, service)) {
        const script = Array.isArray(c.entryPoint) ? c.entryPoint.join("\n") : "";
        const probe = watchdogProbe(script);
        const passes = /if \[ "\$status" = (\d{3}) \]/.exec(script);
        if (!probe || probe.check.kind !== "http") continue;
        if (!passes) throw new Error(`${service.name}: the watchdog ${c.name} compares its answer with no status this reader knows`);
        found.push({ by: `watchdog container ${c.name}`, service: service.name, port: probe.check.port, path: probe.check.path, passes: passes[1] });
    }
    return found;
}

/** Every HTTP check that reaches the service on GCP: its autohealing check and its backend services' checks. */
export function gcpHttpChecks(graph: Graph, service: SynthResource): DeclaredHttpCheck[] {
    const checks = [
        ...gcpReplacementChecks(graph, service).map(c => ({ by: c.by, check: c.check })),
        ...gcpRoutingChecks(graph, service).map(c => ({ by: `backend service ${c.backendService.name}`, check: c.check })),
    ];
    return checks.flatMap(({ by, check }) => check.kind === "http" ? [{ by, service: service.name, port: check.port, path: check.path, passes: GOOGLE_HTTP_PASSES }] : []);
}

// ---------------------------------------------------------------- stand-ins of the upstream servers

export interface StandIn {
    port: number;
    close(): Promise<void>;
}

export type Answer = { status: number; body?: string; headers?: Record<string, string> };
export type Handler = (url: URL, method: string) => Answer | "hang";

/** Stand-ins running now: a test's `after` closes them whatever its outcome, so a failing test leaves none. */
export const STAND_INS = new Set<StandIn>();

/** An HTTP server on 127.0.0.1 (port 0) answering `handler`; `close` stops it answering (connections are refused). */
export async function standIn(handler: Handler): Promise<StandIn> {
    const sockets = new Set<Socket>();
    const server = http.createServer((req, res) => {
        const answer = handler(new URL(req.url ?? "/", "http://127.0.0.1"), req.method ?? "GET");
        if (answer === "hang") return;
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? "");
    });
    server.on("connection", s => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const stand: StandIn = {
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>(resolve => {
            STAND_INS.delete(stand);
            for (const s of sockets) s.destroy();
            if (!server.listening) return resolve();
            server.close(() => resolve());
        }),
    };
    STAND_INS.add(stand);
    return stand;
}

/**
 * A probe as Google's health checker, the ALB and the watchdog's curl run an HTTP check: GET, no redirect
 * followed; 0 when nothing answers within `timeoutMs` of socket inactivity (which counts time this process spends
 * busy elsewhere, a synthesis for one: give a long one where nothing is meant to hang).
 */
export function get(port: number, pathAndQuery: string, timeoutMs = 2000): Promise<number> {
    return new Promise(resolve => {
        // A connection of its own, as a health checker opens for each probe: a pooled one the server closed while
        // idle would be reset on reuse.
        const req = http.get({ host: "127.0.0.1", port, path: pathAndQuery, timeout: timeoutMs, agent: false }, res => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(0));
    });
}

/** An upstream HTTP server as its source answers, with the source it was read from. */
export interface UpstreamModel {
    what: string;
    source: string;
    handler: Handler;
}

/** The empty UnixFS directory every kubo repo pins at init (kubo@v0.42.0 cmd/ipfs/kubo/init.go initializeIpnsKeyspace). */
const KUBO_EMPTY_DIR = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";

/**
 * kubo's gateway, as boxo serves it for kubo v0.42.0 (go.mod: boxo v0.40.0): a UnixFS directory asked for
 * without a trailing slash is answered 301 to the same path with one, its query kept (gateway/
 * handler_unixfs_dir.go serveDirectory); with it, the empty directory, which has no index.html, is listed with
 * 200. Any other CID is not in a fresh repo: the stand-in answers 404 rather than model a fetch.
 */
export function kuboGateway(): UpstreamModel {
    return {
        what: "kubo's gateway",
        source: "ipfs/boxo@v0.40.0 gateway/handler_unixfs_dir.go",
        handler: (url): Answer => {
            if (url.pathname === `/ipfs/${KUBO_EMPTY_DIR}`) return { status: 301, headers: { Location: `${url.pathname}/${url.search}` } };
            if (url.pathname === `/ipfs/${KUBO_EMPTY_DIR}/`) return { status: 200, headers: { "Content-Type": "text/html" }, body: "<html>Index of /ipfs/</html>" };
            return { status: 404 };
        },
    };
}

/**
 * kubo's RPC API: only POST reaches a command (kubo sets no AllowGet); OPTIONS is answered 204 and any other
 * method 405 (ipfs/go-ipfs-cmds@v0.16.1 http/handler.go ServeHTTP, kubo v0.42.0's). `diag healthy` answers 200 while the daemon runs
 * (kubo@v0.42.0 core/commands/diag.go diagHealthyCmd).
 */
export function kuboRpc(): UpstreamModel {
    return {
        what: "kubo's RPC API",
        source: "ipfs/go-ipfs-cmds@v0.16.1 http/handler.go",
        handler: (url, method) => {
            if (!url.pathname.startsWith("/api/v0/")) return { status: 404 };
            if (method === "OPTIONS") return { status: 204 };
            if (method !== "POST") return { status: 405, body: "405 - Method Not Allowed" };
            return url.pathname === "/api/v0/diag/healthy" ? { status: 200, body: "ok" } : { status: 200 };
        },
    };
}

/**
 * ipfs-cluster's REST API with basic auth: GET /health passes the auth handler and answers 204; every other
 * request without credentials is refused with 401 (ipfs-cluster@v1.1.6 api/common/api.go authHandler,
 * HealthHandler).
 */
export function clusterRestApi(): UpstreamModel {
    return {
        what: "ipfs-cluster's REST API",
        source: "ipfs-cluster/ipfs-cluster@v1.1.6 api/common/api.go",
        handler: (url, method) => (method === "GET" && url.pathname === "/health" ? { status: 204 } : { status: 401, body: "unauthorized: no auth provided" }),
    };
}

/**
 * js-ceramic's healthcheck handler as js-ceramic@5.16.0 packages/cli/src/ceramic-daemon.ts writes it: with
 * checkIpfs=false (parsed by parseQueryObject) it answers 200 "Alive!" at once; otherwise 200 when its IPFS
 * is online, 503 "IPFS unreachable" after three failed attempts.
 */
export function ceramicDaemon(ipfs: { online: boolean }): UpstreamModel {
    return {
        what: "js-ceramic's daemon",
        source: "ceramicnetwork/js-ceramic@5.16.0 packages/cli/src/ceramic-daemon.ts",
        handler: url => {
            if (url.pathname !== "/api/v0/node/healthcheck") return { status: 404 };
            if (url.searchParams.get("checkIpfs") === "false") return { status: 200, body: "Alive!" };
            return ipfs.online ? { status: 200, body: "Alive!" } : { status: 503, body: "IPFS unreachable" };
        },
    };
}

/**
 * ceramic-one's API: its Ceramic part under /ceramic/ (api/ceramic.yaml `servers: /ceramic`), where GET
 * /ceramic/liveness answers 200 unconditionally (api/src/server.rs liveness_get) and /ceramic/version 200; a
 * path under no prefix it serves is answered 404 (one/src/daemon.rs MakePrefixService, one/src/http.rs). The
 * kubo-compatible RPC under /api/v0/ is not modelled.
 */
export function ceramicOneApi(): UpstreamModel {
    return {
        what: "ceramic-one's API",
        source: "ceramicnetwork/rust-ceramic@v0.58.0 api/src/server.rs, one/src/http.rs",
        handler: (url, method) => {
            if (method === "GET" && ["/ceramic/liveness", "/ceramic/version"].includes(url.pathname)) return { status: 200 };
            return { status: 404 };
        },
    };
}

/**
 * The health plugin of Ceramic's IPFS image: a handler on "/" (every path) that answers 200 while the node
 * reads the empty directory from its own repo, 500 once it does not (ceramicnetwork/go-ipfs-healthcheck@v0.14.0
 * server.go healthcheckHandler).
 */
export function goIpfsHealthcheck(node: { serving: boolean }): UpstreamModel {
    return {
        what: "go-ipfs-healthcheck",
        source: "ceramicnetwork/go-ipfs-healthcheck@v0.14.0 server.go",
        handler: () => (node.serving ? { status: 200, body: "Health check succeeded" } : { status: 500, body: "Health check failed" }),
    };
}

/**
 * A Chainlink node that serves: /readyz 200 once every service reports ready, 503 before; /health 200 while
 * every health report passes and 207 (Multi-Status) as soon as one fails; anything else 404 (chainlink v2.29.0,
 * commit 10bd946f, core/web/health_controller.go Readyz and Health, core/web/router.go healthRoutes).
 */
export function chainlinkNode(state: { ready: boolean; everyCheckPasses: boolean }): UpstreamModel {
    return {
        what: "a Chainlink node",
        source: "smartcontractkit/chainlink@v2.29.0 core/web/health_controller.go",
        handler: url => {
            if (url.pathname === "/readyz") return { status: state.ready ? 200 : 503 };
            if (url.pathname === "/health") return { status: state.everyCheckPasses ? 200 : 207 };
            return { status: 404 };
        },
    };
}
