// Load balancing and health checks of every stack on both clouds, held to the clouds' own rules:
// - what replaces each service is exactly the liveness its workload declares, and the load balancers' checks
//   are exactly the readiness its targets declare (./healthChecks.ts reads the graphs as the clouds act);
// - the liveness watchdog of the AWS back-end and the Ceramic scenario run for real against stand-ins on
//   127.0.0.1 that answer as the upstream sources say;
// - Compute Engine's balancing-mode rules over every instance group, its health-check source ranges, and the
//   ALB target group health check limits, each as a table kept with its source.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LIVENESS_WATCHDOG_NAME, watchdogScript } from "../../components/aws/liveness";
import { CERAMIC_LIVENESS, CERAMIC_ONE_LIVENESS, HEALTH as CERAMIC_HEALTH, IPFS_FLAVOURS, NAMES as CERAMIC_NAMES, PORTS as CERAMIC_PORTS, ipfsLiveness } from "../../components/ceramic";
import { HEALTH as CHAINLINK_HEALTH, NODE_LIVENESS, PORTS as CHAINLINK_PORTS } from "../../components/chainlink";
import { GOOGLE_RANGES } from "../../components/gcp/shared";
import { EMPTY_DIR_CID, HEALTH as CLUSTER_HEALTH, PEER_LIVENESS, PORTS as CLUSTER_PORTS } from "../../components/ipfs-cluster";
import { LIVENESS_PROBE, Liveness, LoadBalancerTargetArgs } from "../../components/topology";
import { SynthResource } from "../../tools/harness";
import { SynthReport } from "../../tools/synth";
import { descendants } from "../support";
import { inputMember } from "./botocoreModel";
import { GraphCase, graphCases, graphOf } from "./graphs";
import {
    ReplacementCheck, STAND_INS, awsContainers, awsReplacementChecks, ceramicDaemon, gcpGroup, gcpGroupUrl, gcpHealthCheckById, gcpHostFiles,
    get, healthCheckIds, gcpReplacementChecks, gcpRoutingChecks, services, standIn, targets,
} from "./healthChecks";

type Inputs = Record<string, any>;

// ---------------------------------------------------------------- what the workloads declare

/** The one IPFS flavour a Ceramic node runs today; a second one is a second row here. */
const CERAMIC_IPFS = IPFS_FLAVOURS["go-ipfs-daemon"];

/** Each service's declared liveness, from the workloads' own declarations; a service not named here fails the test. */
function declaredLiveness(service: string): Liveness {
    if (/^ipfs-\d+$/.test(service)) return PEER_LIVENESS;
    if (service === CERAMIC_NAMES.ceramic) return CERAMIC_LIVENESS;
    if (service === CERAMIC_NAMES.ipfs) return ipfsLiveness(CERAMIC_IPFS);
    if (service === CERAMIC_NAMES.ceramicOne) return CERAMIC_ONE_LIVENESS;
    if (/^chainlink-\d+$/.test(service)) return NODE_LIVENESS;
    throw new Error(`service ${service}: no declared liveness known to this test; add its workload's declaration`);
}

/** Each load balancer target as its workload declares it: the port it forwards to and its readiness. */
function declaredTarget(target: string): Pick<LoadBalancerTargetArgs, "port" | "readiness"> {
    const swarmTls = CERAMIC_IPFS.swarm.find(l => l.tlsAtLoadBalancer)!;
    const table: Record<string, Pick<LoadBalancerTargetArgs, "port" | "readiness">> = {
        "ipfs-api": { port: CLUSTER_PORTS.restApi, readiness: CLUSTER_HEALTH.restApi },
        "ipfs-gateway": { port: CLUSTER_PORTS.gateway, readiness: CLUSTER_HEALTH.gateway },
        [CERAMIC_NAMES.api]: { port: CERAMIC_PORTS.api, readiness: CERAMIC_HEALTH.api },
        [CERAMIC_NAMES.swarmTls]: { port: swarmTls.port, readiness: CERAMIC_IPFS.health },
        "chainlink-api": { port: CHAINLINK_PORTS.http, readiness: CHAINLINK_HEALTH },
    };
    const found = table[target];
    if (!found) throw new Error(`load balancer target ${target}: no declaration known to this test; add its workload's`);
    return found;
}

/** The replacement checks a declared liveness must amount to, on any cloud. */
function expectedReplacement(liveness: Liveness): Omit<ReplacementCheck, "by">[] {
    if (liveness.kind === "exit") return [];
    return [{ check: { kind: "http", port: liveness.port, path: liveness.path }, graceSeconds: liveness.gracePeriodSeconds, timing: { ...LIVENESS_PROBE } }];
}

const withoutBy = (checks: ReplacementCheck[]) => checks.map(({ by: _by, ...rest }) => rest);

function eachService(report: SynthReport, judge: (service: SynthResource) => string[]): string[] {
    const all = services(report);
    assert.ok(all.length > 0, "the graph has services");
    return all.flatMap(s => judge(s).map(p => `${s.name}: ${p}`));
}

function noProblems(problems: string[]): void {
    if (problems.length > 0) assert.fail(`${problems.length} problem(s):\n  ${problems.slice(0, 25).join("\n  ")}`);
}

describe("conformance: what replaces a service is its declared liveness, what routes to it its declared readiness", function () {
    for (const c of graphCases()) {
        describe(c.label, () => {
            let report: SynthReport;
            before(async function () {
                this.timeout(120_000);
                report = await graphOf(c);
            });

            it("every check the cloud replaces a service on is exactly the liveness its workload declares", () => {
                noProblems(eachService(report, s => {
                    const acting = c.cloud === "aws" ? awsReplacementChecks(report, s) : gcpReplacementChecks(report, s);
                    const expected = expectedReplacement(declaredLiveness(s.name));
                    try {
                        assert.deepStrictEqual(withoutBy(acting), expected);
                        return [];
                    } catch {
                        return [`replaced on ${acting.map(a => `${a.by} ${JSON.stringify(a.check)} (grace ${a.graceSeconds ?? "none"})`).join(", ") || "nothing but exits"}; declared ${JSON.stringify(declaredLiveness(s.name))}`];
                    }
                }));
            });

            it("every load balancer target is checked with exactly its declared readiness", () => {
                const problems: string[] = [];
                const all = targets(report);
                assert.ok(all.length > 0, "the graph has load balancer targets");
                for (const t of all) {
                    const { port: served, readiness } = declaredTarget(t.name);
                    const checkPort = "port" in readiness && readiness.port !== undefined ? readiness.port : served;
                    const below = descendants(report, t.urn);
                    if (c.cloud === "aws") {
                        const [tg] = below.filter(r => r.type === "aws:lb/targetGroup:TargetGroup");
                        const hc = tg.inputs.healthCheck as Inputs;
                        const actual = { servedPort: tg.inputs.port, protocol: hc.protocol, path: hc.path, matcher: hc.matcher, port: hc.port === "traffic-port" ? tg.inputs.port : Number(hc.port) };
                        const expected = { servedPort: served, protocol: "HTTP", path: readiness.path, matcher: readiness.status, port: checkPort };
                        if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${t.name}: target group checks ${JSON.stringify(actual)}, declared ${JSON.stringify(expected)}`);
                    } else {
                        const [hc] = below.filter(r => r.type === "gcp:compute/healthCheck:HealthCheck");
                        // Google's HTTP checks pass on 200 alone: any other ready status is a TCP connect (the closest a probe comes).
                        const expected = readiness.status === "200"
                            ? { httpHealthCheck: { port: checkPort, requestPath: readiness.path } }
                            : { tcpHealthCheck: { port: checkPort } };
                        const actual = hc.inputs.httpHealthCheck ? { httpHealthCheck: hc.inputs.httpHealthCheck } : { tcpHealthCheck: hc.inputs.tcpHealthCheck };
                        if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${t.name}: health check ${JSON.stringify(actual)}, declared ${JSON.stringify(expected)}`);
                        const users = report.resources.filter(r => r.type === "gcp:compute/backendService:BackendService" && healthCheckIds(r).includes(hc.id!));
                        if (users.length !== 1) problems.push(`${t.name}: its readiness check is used by ${users.length} backend services, not its one HTTPS load balancer`);
                    }
                }
                noProblems(problems);
            });

            if (c.cloud === "gcp") {
                it("no container check restarts anything on an instance: no Docker health check runs, the image's own included", () => {
                    noProblems(eachService(report, s => [...gcpHostFiles(report, s)].flatMap(([file, content]) => {
                        if (!/\/run-[a-z0-9-]+\.sh$/.test(file)) return /unhealthy/.test(content) ? [`${file} acts on container health`] : [];
                        return [
                            ...(/--health-cmd/.test(content) ? [`${file} gives its container a health check`] : []),
                            ...(!/--no-healthcheck/.test(content) ? [`${file} leaves the image's HEALTHCHECK on`] : []),
                        ];
                    })));
                });
            } else {
                it("no container health check is defined: the grace period keeps ECS from acting on one, so it would only mislead", () => {
                    noProblems(eachService(report, s => awsContainers(report, s).filter(k => k.healthCheck).map(k => `container ${k.name} has a health check`)));
                });
            }
        });
    }
});

// ---------------------------------------------------------------- stand-ins and the watchdog, for real

/** What a test started, stopped after it whatever its outcome, so a failing test leaves nothing running. */
const running = { servers: STAND_INS, children: new Set<ChildProcess>() };
async function stopAll(): Promise<void> {
    for (const child of running.children) child.kill("SIGKILL");
    running.children.clear();
    await Promise.all([...running.servers].map(s => s.close()));
    running.servers.clear();
}

/** The shell the watchdog image runs (Alpine's busybox ash); the test fails without it, as .ci/run installs it. */
function watchdogShell(): string[] {
    const found = spawnSync("busybox", ["sh", "-c", "true"]);
    assert.strictEqual(found.status, 0, "busybox is needed to run the watchdog as its image does: apt-get install busybox (.ci/run installs it)");
    return ["busybox", "sh"];
}

/** Fast timings for the real runs: the script's logic is the same, the waits are short. */
const FAST = { intervalSeconds: 0.1, timeoutSeconds: 1, failures: 2 };

/** Runs a watchdog script; resolves with its exit status once it exits. */
function runWatchdog(script: string): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
    const [shell, ...args] = watchdogShell();
    const child = spawn(shell, [...args, "-c", script, "liveness"], { stdio: ["ignore", "ignore", "pipe"] });
    running.children.add(child);
    child.on("exit", () => running.children.delete(child));
    let stderr = "";
    child.stderr!.on("data", d => (stderr += d));
    const exited = new Promise<{ code: number | null; stderr: string }>(resolve => child.on("exit", code => resolve({ code, stderr })));
    return { child, exited };
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<"still running">(resolve => setTimeout(() => resolve("still running"), ms))]);

/** The watchdog script of a service in an AWS graph, pointed at a stand-in and sped up. */
function graphWatchdog(report: SynthReport, service: string, port: number): string {
    const s = services(report).find(r => r.name === service)!;
    const watchdog = awsContainers(report, s).find(k => k.name === LIVENESS_WATCHDOG_NAME);
    assert.ok(watchdog, `${service} has a liveness watchdog`);
    const script = (watchdog.entryPoint as string[])[2];
    return script
        .replace(/127\.0\.0\.1:\d+/g, `127.0.0.1:${port}`)
        .replace(/^sleep \d+ & wait \$!$/m, "sleep 0 & wait $!")
        .replace(new RegExp(`sleep ${LIVENESS_PROBE.intervalSeconds} & wait`), `sleep ${FAST.intervalSeconds} & wait`)
        .replace(`--max-time ${LIVENESS_PROBE.timeoutSeconds}`, `--max-time ${FAST.timeoutSeconds}`);
}

describe("the AWS liveness watchdog, run for real against stand-ins", function () {
    this.timeout(20_000);
    afterEach(stopAll);
    const liveness = (port: number, p = "/alive"): Extract<Liveness, { kind: "http" }> => ({ kind: "http", port, path: p, gracePeriodSeconds: 0 });
    const failFast = FAST.failures * FAST.intervalSeconds * 1000 + 1500;

    it("is a script shellcheck finds nothing wrong with (POSIX sh, as the image's busybox runs it)", function () {
        if (spawnSync("shellcheck", ["--version"]).status !== 0) this.skip();
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "watchdog-")), "liveness.sh");
        fs.writeFileSync(file, watchdogScript({ kind: "http", port: 7007, path: "/api/v0/node/healthcheck?checkIpfs=false", gracePeriodSeconds: 600 }));
        const run = spawnSync("shellcheck", ["-s", "sh", file], { encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stdout);
    });

    for (const [what, answer] of [
        ["a 301 (a kubo directory path without its slash)", { status: 301, headers: { Location: "/alive/" } }],
        ["a 204 (no HTTP check of any cloud takes it)", { status: 204 }],
        ["a 503", { status: 503 }],
    ] as const) {
        it(`stops the task when the liveness answers ${what}, after the failures allowed`, async () => {
            const server = await standIn(() => answer);
            const { exited } = runWatchdog(watchdogScript(liveness(server.port), FAST));
            const result = await within(exited, failFast);
            await server.close();
            assert.notStrictEqual(result, "still running");
            assert.strictEqual((result as { code: number }).code, 1);
            assert.match((result as { stderr: string }).stderr, new RegExp(`answered ${answer.status} \\(${FAST.failures} of ${FAST.failures}\\)`));
        });
    }

    it("stops the task when nothing answers in time, and when nothing listens", async () => {
        const hanging = await standIn(() => "hang");
        const patient = { ...FAST, timeoutSeconds: 0.5 };
        const first = await within(runWatchdog(watchdogScript(liveness(hanging.port), patient)).exited, patient.failures * (patient.intervalSeconds + patient.timeoutSeconds) * 1000 + 2000);
        await hanging.close();
        assert.strictEqual((first as { code: number }).code, 1);
        const closed = await standIn(() => ({ status: 200 }));
        const port = closed.port;
        await closed.close();
        const second = await within(runWatchdog(watchdogScript(liveness(port), FAST)).exited, failFast);
        assert.strictEqual((second as { code: number }).code, 1);
        assert.match((second as { stderr: string }).stderr, /answered 000/);
    });

    it("keeps running while the liveness answers 200, forgives a lone failure, and ends at once on SIGTERM", async () => {
        let calls = 0;
        const server = await standIn(() => ({ status: ++calls === 3 ? 500 : 200 }));
        const { child, exited } = runWatchdog(watchdogScript(liveness(server.port), FAST));
        assert.strictEqual(await within(exited, 1000), "still running");
        assert.ok(calls >= 4, `probed ${calls} times`);
        const started = Date.now();
        child.kill("SIGTERM");
        const result = await within(exited, 1000);
        await server.close();
        assert.deepStrictEqual([(result as { code: number }).code, Date.now() - started < 1000], [0, true], "SIGTERM ends it at once, with status 0");
    });
});

describe("Ceramic with its IPFS down: the node leaves its load balancer and is not replaced, on both clouds", function () {
    this.timeout(120_000);
    afterEach(stopAll);
    const prodOn = (cloud: string) => graphCases().find(c => c.label === `prod on ${cloud}`) as GraphCase;

    it("AWS: the watchdog of the Ceramic task from the graph keeps it running; the target group's check fails; a daemon that stops answering is replaced", async () => {
        const report = await graphOf(prodOn("aws"));
        const ipfs = { online: false };
        const daemon = await standIn(ceramicDaemon(ipfs).handler);
        const ceramic = services(report).find(s => s.name === CERAMIC_NAMES.ceramic)!;
        const tgCheck = (descendants(report, targets(report).find(t => t.name === CERAMIC_NAMES.api)!.urn).find(r => r.type === "aws:lb/targetGroup:TargetGroup")!.inputs.healthCheck) as Inputs;
        assert.strictEqual(await get(daemon.port, tgCheck.path), 503, "the ALB's check fails: the node leaves its target group");
        assert.deepStrictEqual(withoutBy(awsReplacementChecks(report, ceramic)).map(r => r.check), [{ kind: "http", port: CERAMIC_LIVENESS.kind === "http" ? CERAMIC_LIVENESS.port : 0, path: CERAMIC_HEALTH.daemonOnly.path }]);
        const { exited } = runWatchdog(graphWatchdog(report, CERAMIC_NAMES.ceramic, daemon.port));
        assert.strictEqual(await within(exited, 1000), "still running", "IPFS down does not stop the Ceramic task");
        await daemon.close();
        const result = await within(exited, FAST.failures * FAST.intervalSeconds * 1000 + 2000);
        assert.strictEqual((result as { code: number }).code, 1, "a daemon that no longer answers is replaced");
    });

    it("GCP: the autohealing check of the Ceramic group from the graph passes; the backend service's check fails", async () => {
        const report = await graphOf(prodOn("gcp"));
        const ipfs = { online: false };
        const daemon = await standIn(ceramicDaemon(ipfs).handler);
        const ceramic = services(report).find(s => s.name === CERAMIC_NAMES.ceramic)!;
        const [healing] = gcpReplacementChecks(report, ceramic);
        const routing = gcpRoutingChecks(report, ceramic);
        assert.strictEqual(healing.check.kind, "http");
        assert.strictEqual(routing.length, 1);
        assert.strictEqual(await get(daemon.port, (healing.check as { path: string }).path), 200, "autohealing passes: the instance is kept");
        assert.strictEqual(await get(daemon.port, (routing[0].check as { path: string }).path), 503, "the load balancer's check fails: the backend is out");
        ipfs.online = true;
        assert.strictEqual(await get(daemon.port, (routing[0].check as { path: string }).path), 200, "and back in once IPFS answers");
        await daemon.close();
        assert.notStrictEqual(await get(daemon.port, (healing.check as { path: string }).path), 200, "a daemon that no longer answers fails autohealing");
    });
});

describe("upstream health endpoints the declarations rely on, at the deployed versions", () => {
    it("no kubo gateway check names a directory without its trailing slash (boxo@v0.40.0 handler_unixfs_dir.go, kubo v0.42.0 answers it with a 301)", () => {
        for (const p of [CLUSTER_HEALTH.gateway.path, PEER_LIVENESS.kind === "http" ? PEER_LIVENESS.path : ""]) {
            assert.ok(p.startsWith(`/ipfs/${EMPTY_DIR_CID}`), p);
            assert.ok(p.endsWith("/"), `${p} is redirected, which no check takes as healthy`);
        }
    });

});

/**
 * A Chainlink node's port as smartcontractkit/chainlink v2.28.0 and v2.29.0 serve it: the web server's /readyz
 * 200 or 503 and /health 200 or 207 (core/web/health_controller.go Readyz, Health: http.StatusMultiStatus when
 * any report fails, and every chain and job reports there); the start-up report of a migrating lease holder,
 * /health 204 and Go's 404 for everything else (core/services/health.go StartUpHealthReport).
 */
function chainlinkNode(state: { kind: "serving"; ready: boolean; allHealthy: boolean } | { kind: "startup-report" }) {
    return (url: URL) => {
        if (state.kind === "startup-report") return { status: url.pathname === "/health" ? 204 : 404 };
        if (url.pathname === "/readyz") return { status: state.ready ? 200 : 503 };
        if (url.pathname === "/health") return { status: state.allHealthy ? 200 : 207 };
        return { status: 404 };
    };
}

describe("Chainlink through an RPC outage: the lease holder stays in its load balancer and nothing replaces it, on both clouds", function () {
    this.timeout(120_000);
    afterEach(stopAll);
    const prodOn = (cloud: string) => graphCases().find(c => c.label === `prod on ${cloud}`) as GraphCase;

    for (const cloud of ["aws", "gcp"] as const) {
        it(`${cloud}: the load balancer's check of the graph passes while /health answers 207, fails on 503 and on the start-up report; no check replaces a node`, async () => {
            const report = await graphOf(prodOn(cloud));
            const nodes = services(report).filter(s => /^chainlink-\d+$/.test(s.name));
            assert.strictEqual(nodes.length, 2);
            let path = "";
            let healthy = (status: number): boolean => status === 200;
            if (cloud === "aws") {
                const tg = descendants(report, targets(report).find(t => t.name === "chainlink-api")!.urn).find(r => r.type === "aws:lb/targetGroup:TargetGroup")!;
                path = (tg.inputs.healthCheck as Inputs).path;
                const matcher = String((tg.inputs.healthCheck as Inputs).matcher);
                healthy = status => matcher.split(",").some(m => { const [from, to] = m.split("-").map(Number); return status >= from && status <= (to ?? from); });
                for (const n of nodes) assert.deepStrictEqual(awsReplacementChecks(report, n), [], `${n.name}: no platform check replaces it`);
            } else {
                const routing = gcpRoutingChecks(report, nodes[0]).filter(r => r.check.kind === "http");
                assert.strictEqual(routing.length, 1);
                path = (routing[0].check as { path: string }).path;
                for (const n of nodes) assert.deepStrictEqual(gcpReplacementChecks(report, n), [], `${n.name}: no autohealing`);
            }
            const state: Parameters<typeof chainlinkNode>[0] = { kind: "serving", ready: true, allHealthy: false };
            const node = await standIn(chainlinkNode(state));
            assert.ok(healthy(await get(node.port, path)), "an RPC outage (/health 207) keeps the lease holder in rotation");
            assert.strictEqual(await get(node.port, "/health"), 207, "the stand-in answers /health as the source does");
            Object.assign(state, { ready: false });
            assert.ok(!healthy(await get(node.port, path)), "a node whose services are not ready (/readyz 503) is out of rotation");
            Object.assign(state, { kind: "startup-report" });
            assert.ok(!healthy(await get(node.port, path)), "a migrating lease holder's start-up report is out of rotation");
            assert.strictEqual(await get(node.port, "/health"), 204);
            await node.close();
            assert.ok(!healthy(await get(node.port, path)), "the standby, which listens on nothing, is out of rotation");
            assert.deepStrictEqual(NODE_LIVENESS, { kind: "exit" });
            assert.strictEqual(CHAINLINK_HEALTH.path, path);
        });
    }
});

// ---------------------------------------------------------------- Compute Engine's balancing modes

type Mode = "UTILIZATION" | "RATE" | "CONNECTION";

/**
 * Which balancing modes two backend services may use on one instance group. Read 2026-12-01.
 * - Compute Engine refuses the others: "Validation failed for instance group INSTANCE_GROUP: backend services
 *   1 and 2 point to the same instance group but the backends have incompatible balancing_mode. Values should
 *   be the same." (cloud.google.com/load-balancing/docs/l7-internal/troubleshooting-l7-ilb); compute v1
 *   Backend.balancingMode: "Backends must use compatible balancing modes ... see Restrictions and guidance for
 *   instance groups" (cloud.google.com/load-balancing/docs/backend-service#restrictions_and_guidance).
 * - UTILIZATION with CONNECTION: refused ("With utilization mode we can not use ILB and HTTP LB on the same
 *   IG", kubernetes/ingress-nginx#112); UTILIZATION with RATE: refused ("all backends in the same instance group
 *   must have the same balancing_mode", kubernetes/ingress-gce#740; kubernetes/ingress-nginx
 *   controllers/gce/cmd/mode-updater/README.md).
 * - RATE with CONNECTION: accepted; why GKE's ingress moved its instance-group backends to RATE, so that
 *   passthrough load balancers (CONNECTION) share the groups (kubernetes/ingress-nginx#251,
 *   kubernetes/kubernetes#58500).
 */
const SHARED_GROUP_MODES: { modes: [Mode, Mode]; compatible: boolean }[] = [
    { modes: ["UTILIZATION", "UTILIZATION"], compatible: true },
    { modes: ["RATE", "RATE"], compatible: true },
    { modes: ["CONNECTION", "CONNECTION"], compatible: true },
    { modes: ["RATE", "CONNECTION"], compatible: true },
    { modes: ["UTILIZATION", "CONNECTION"], compatible: false },
    { modes: ["UTILIZATION", "RATE"], compatible: false },
];

function compatible(a: Mode, b: Mode): boolean {
    const row = SHARED_GROUP_MODES.find(r => (r.modes[0] === a && r.modes[1] === b) || (r.modes[0] === b && r.modes[1] === a));
    if (!row) throw new Error(`no rule for ${a} with ${b}`);
    return row.compatible;
}

/**
 * The modes each kind of backend service takes for instance-group backends, and the capacity settings each
 * mode needs (cloud.google.com/load-balancing/docs/backend-service#balancing-mode-lb, compute v1
 * Backend.balancingMode, read 2026-12-01): a global external Application Load Balancer (EXTERNAL_MANAGED,
 * HTTP) takes RATE or UTILIZATION, RATE with exactly one of maxRate, maxRatePerInstance, maxRatePerEndpoint;
 * an external passthrough Network Load Balancer (regional, EXTERNAL) takes CONNECTION and no capacity setting.
 */
const MODES_BY_LOAD_BALANCER = {
    "global EXTERNAL_MANAGED": ["RATE", "UTILIZATION"],
    "regional EXTERNAL": ["CONNECTION"],
} as const;
const RATE_TARGETS = ["maxRate", "maxRatePerInstance", "maxRatePerEndpoint"];
const CONNECTION_TARGETS = ["maxConnections", "maxConnectionsPerInstance", "maxConnectionsPerEndpoint"];

describe("conformance: Compute Engine's balancing modes over every instance group", () => {
    for (const c of graphCases().filter(g => g.cloud === "gcp")) {
        it(`${c.label}: each backend's mode fits its load balancer, and every group shared by backend services has compatible modes`, async function () {
            this.timeout(120_000);
            const report = await graphOf(c);
            const problems: string[] = [];
            const byGroup = new Map<string, { service: string; mode: Mode }[]>();
            for (const bs of report.resources.filter(r => r.type === "gcp:compute/backendService:BackendService" || r.type === "gcp:compute/regionBackendService:RegionBackendService")) {
                const kind = `${bs.type.includes("region") ? "regional" : "global"} ${bs.inputs.loadBalancingScheme}` as keyof typeof MODES_BY_LOAD_BALANCER;
                for (const b of (bs.inputs.backends ?? []) as Inputs[]) {
                    const mode = b.balancingMode as Mode;
                    const allowed = MODES_BY_LOAD_BALANCER[kind] as readonly string[] | undefined;
                    if (!allowed || !allowed.includes(mode)) problems.push(`${bs.name}: ${kind} backend ${b.group} uses ${mode}; it takes ${allowed?.join(" or ") ?? "nothing known"}`);
                    const rate = RATE_TARGETS.filter(k => b[k] !== undefined);
                    if (mode === "RATE" && rate.length !== 1) problems.push(`${bs.name}: RATE needs exactly one of ${RATE_TARGETS.join(", ")}; it gives ${rate.join(", ") || "none"}`);
                    if (mode === "CONNECTION" && kind === "regional EXTERNAL" && [...RATE_TARGETS, ...CONNECTION_TARGETS, "maxUtilization"].some(k => b[k] !== undefined)) {
                        problems.push(`${bs.name}: a passthrough backend takes no capacity setting`);
                    }
                    byGroup.set(b.group, [...(byGroup.get(b.group) ?? []), { service: bs.name, mode }]);
                }
            }
            // The services behind a passthrough balancer (IPFS peers, Ceramic's IPFS) are behind an HTTPS one too:
            // the case the rule is about.
            if (report.resources.some(r => r.type === "gcp:compute/regionBackendService:RegionBackendService")) {
                assert.ok([...byGroup.values()].some(uses => uses.length > 1), "instance groups shared between backend services");
            }
            for (const [group, uses] of byGroup) {
                for (let i = 0; i < uses.length; i++) {
                    for (let j = i + 1; j < uses.length; j++) {
                        if (!compatible(uses[i].mode, uses[j].mode)) {
                            problems.push(`${group}: ${uses[i].service} (${uses[i].mode}) and ${uses[j].service} (${uses[j].mode}) have incompatible balancing modes`);
                        }
                    }
                }
            }
            noProblems(problems);
        });
    }
});

// ---------------------------------------------------------------- health-check source ranges

/**
 * Where Google's probes and proxies come from, read 2026-12-01 (cloud.google.com/load-balancing/docs/firewall-rules;
 * cloud.google.com/load-balancing/docs/health-check-concepts "Probe IP ranges and firewall rules";
 * cloud.google.com/compute/docs/samples/compute-firewall-rule-for-health-check-tag for autohealing):
 * global external Application Load Balancer (health checks, and its GFE proxies for instance-group backends)
 * and autohealing: 35.191.0.0/16 and 130.211.0.0/22; external passthrough Network Load Balancer health
 * checks: 35.191.0.0/16, 209.85.152.0/22 and 209.85.204.0/22.
 */
const DOCUMENTED_RANGES = {
    globalApplicationAndAutohealing: ["35.191.0.0/16", "130.211.0.0/22"],
    externalPassthrough: ["35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"],
} as const;

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every(x => b.includes(x));

function allowsTcpPort(fw: SynthResource, port: number): boolean {
    return ((fw.inputs.allows ?? []) as Inputs[]).some(a => a.protocol === "tcp" && ((a.ports ?? []) as string[]).some(p => {
        const [from, to] = p.split("-").map(Number);
        return port >= from && port <= (to ?? from);
    }));
}

describe("conformance: Google's health-check source ranges", () => {
    it("the back-end's range groups are the documented ranges", () => {
        assert.ok(sameSet(GOOGLE_RANGES.proxiesAndHealthChecks, DOCUMENTED_RANGES.globalApplicationAndAutohealing));
        assert.ok(sameSet(GOOGLE_RANGES.passthroughHealthChecks, DOCUMENTED_RANGES.externalPassthrough));
    });

    for (const c of graphCases().filter(g => g.cloud === "gcp")) {
        it(`${c.label}: every port a health check or proxy reaches is open to exactly its documented ranges, and to no other range`, async function () {
            this.timeout(120_000);
            const report = await graphOf(c);
            noProblems(eachService(report, s => {
                const problems: string[] = [];
                const tag = (descendants(report, s.urn).find(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate")!.inputs.tags as string[])[0];
                const firewalls = report.resources.filter(r => r.type === "gcp:compute/firewall:Firewall" && ((r.inputs.targetTags ?? []) as string[]).includes(tag));
                const needs: { what: string; port: number; ranges: readonly string[] }[] = [];
                for (const healing of gcpReplacementChecks(report, s)) {
                    needs.push({ what: "autohealing", port: (healing.check as { port: number }).port, ranges: DOCUMENTED_RANGES.globalApplicationAndAutohealing });
                }
                const url = gcpGroupUrl(gcpGroup(report, s));
                for (const bs of report.resources.filter(r => ((r.inputs.backends ?? []) as Inputs[]).some(b => b.group === url))) {
                    const regional = bs.type === "gcp:compute/regionBackendService:RegionBackendService";
                    const ranges = regional ? DOCUMENTED_RANGES.externalPassthrough : DOCUMENTED_RANGES.globalApplicationAndAutohealing;
                    for (const id of healthCheckIds(bs)) {
                        const hc = gcpHealthCheckById(report, id);
                        const port = Number(((hc.inputs.httpHealthCheck ?? hc.inputs.tcpHealthCheck) as Inputs).port);
                        needs.push({ what: `${bs.name}'s health check`, port, ranges });
                    }
                    if (!regional) {
                        const named = ((gcpGroup(report, s).inputs.namedPorts ?? []) as Inputs[]).find(p => p.name === bs.inputs.portName);
                        if (named) needs.push({ what: `${bs.name}'s proxies`, port: named.port, ranges });
                    }
                }
                for (const need of needs) {
                    if (!firewalls.some(f => sameSet((f.inputs.sourceRanges ?? []) as string[], need.ranges) && allowsTcpPort(f, need.port))) {
                        problems.push(`${need.what} reaches port ${need.port}, which no firewall opens to exactly ${need.ranges.join(", ")}`);
                    }
                }
                const google = new Set<string>([...DOCUMENTED_RANGES.globalApplicationAndAutohealing, ...DOCUMENTED_RANGES.externalPassthrough]);
                for (const f of firewalls) {
                    const ranges = (f.inputs.sourceRanges ?? []) as string[];
                    if (ranges.some(r => google.has(r)) && !Object.values(DOCUMENTED_RANGES).some(d => sameSet(ranges, d))) {
                        problems.push(`firewall ${f.name} mixes Google's ranges: ${ranges.join(", ")}`);
                    }
                }
                return problems;
            }));
        });
    }
});

// ---------------------------------------------------------------- ALB and NLB target group health checks

/**
 * The status codes a target group's health check may match, by load balancer (botocore elbv2 2015-12-01,
 * Matcher.HttpCode documentation, read 2026-12-01): an Application Load Balancer 200 to 499, a Network Load
 * Balancer 200 to 599. Single codes, lists ("200,202") and ranges ("200-299").
 */
const MATCHER_CODES = { HTTP: { min: 200, max: 499 }, HTTPS: { min: 200, max: 499 }, TCP: { min: 200, max: 599 }, UDP: { min: 200, max: 599 }, TCP_UDP: { min: 200, max: 599 }, TLS: { min: 200, max: 599 } } as const;

describe("conformance: target group health checks within the ELB API's limits", () => {
    const limit = (member: string) => inputMember("elbv2", "CreateTargetGroup", member);

    for (const c of graphCases().filter(g => g.cloud === "aws")) {
        it(`${c.label}: paths, matchers, intervals, timeouts and thresholds every target group's load balancer accepts`, async function () {
            this.timeout(120_000);
            const report = await graphOf(c);
            const problems: string[] = [];
            const path = limit("HealthCheckPath");
            const interval = limit("HealthCheckIntervalSeconds");
            const timeout = limit("HealthCheckTimeoutSeconds");
            const healthy = limit("HealthyThresholdCount");
            const unhealthy = limit("UnhealthyThresholdCount");
            const groups = report.resources.filter(r => r.type === "aws:lb/targetGroup:TargetGroup");
            assert.ok(groups.length > 0);
            for (const g of groups) {
                const hc = g.inputs.healthCheck as Inputs;
                const where = `target group ${g.name} (${g.inputs.protocol})`;
                const inRange = (v: unknown, m: { min?: number; max?: number }) => v === undefined || (typeof v === "number" && v >= (m.min ?? -Infinity) && v <= (m.max ?? Infinity));
                if (!inRange(hc.interval, interval)) problems.push(`${where}: interval ${hc.interval} outside ${interval.min}-${interval.max} (${interval.model})`);
                if (!inRange(hc.timeout, timeout)) problems.push(`${where}: timeout ${hc.timeout} outside ${timeout.min}-${timeout.max}`);
                if (!inRange(hc.healthyThreshold, healthy)) problems.push(`${where}: healthy threshold ${hc.healthyThreshold} outside ${healthy.min}-${healthy.max}`);
                if (!inRange(hc.unhealthyThreshold, unhealthy)) problems.push(`${where}: unhealthy threshold ${hc.unhealthyThreshold} outside ${unhealthy.min}-${unhealthy.max}`);
                if (hc.protocol === "HTTP" || hc.protocol === "HTTPS") {
                    const p = hc.path as string | undefined;
                    if (p === undefined || !p.startsWith("/") || p.length < (path.min ?? 1) || p.length > (path.max ?? Infinity)) problems.push(`${where}: path ${p} must start with / and be ${path.min}-${path.max} characters`);
                    const codes = MATCHER_CODES[g.inputs.protocol as keyof typeof MATCHER_CODES];
                    const matcher = String(hc.matcher ?? "200");
                    const parsed = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(matcher) ? matcher.split(/[,-]/).map(Number) : undefined;
                    if (!parsed || parsed.some(n => n < codes.min || n > codes.max)) problems.push(`${where}: matcher ${matcher} must be codes ${codes.min}-${codes.max}`);
                } else if (hc.protocol !== "TCP") {
                    problems.push(`${where}: health check protocol ${hc.protocol}`);
                } else if (hc.path !== undefined || hc.matcher !== undefined) {
                    problems.push(`${where}: a TCP health check takes no path or matcher`);
                }
            }
            noProblems(problems);
        });
    }
});
