// Every HTTP health check the program declares, on both clouds, run as its cloud runs it (GET, no redirect
// followed, judged by its matcher: an ALB target group's, 200 alone for Google's checks and the AWS liveness
// watchdog) against a stand-in on 127.0.0.1 that answers as the upstream server at that port does per its source
// at the deployed version (./healthChecks.ts, the models). A healthy deployment must pass every one of them:
// a check that a healthy server fails would take its service out of rotation, or replace it, for ever.
import * as assert from "assert";
import * as http from "http";
import { CERAMIC_ONE_PORTS, IPFS_FLAVOURS, NAMES as CERAMIC_NAMES, PORTS as CERAMIC_PORTS } from "../../components/ceramic";
import { DEFAULT_VERSION as CHAINLINK_VERSION, PORTS as CHAINLINK_PORTS } from "../../components/chainlink";
import { HEALTH as CLUSTER_HEALTH, PORTS as CLUSTER_PORTS } from "../../components/ipfs-cluster";
import { graphCases, graphOf } from "./graphs";
import {
    DeclaredHttpCheck, StandIn, UpstreamModel, awsHttpChecks, ceramicDaemon, ceramicOneApi, chainlinkNode, clusterRestApi, gcpHttpChecks, get, goIpfsHealthcheck,
    kuboGateway, kuboRpc, services, standIn, statusPasses,
} from "./healthChecks";

/** The IPFS flavour Ceramic runs today; a second one is a second row in `upstreamAt`. */
const CERAMIC_IPFS = IPFS_FLAVOURS["go-ipfs-daemon"];

/** Every upstream as it answers when it is healthy. */
const HEALTHY = {
    kuboGateway: kuboGateway(),
    kuboRpc: kuboRpc(),
    clusterRestApi: clusterRestApi(),
    ceramicDaemon: ceramicDaemon({ online: true }),
    ceramicIpfsHealth: goIpfsHealthcheck({ serving: true }),
    ceramicIpfsRpc: kuboRpc(),
    ceramicOne: ceramicOneApi(),
    chainlink: chainlinkNode({ ready: true, everyCheckPasses: true }),
} satisfies Record<string, UpstreamModel>;
type Upstream = keyof typeof HEALTHY;

/** No model hangs: a long wait only absorbs this process being busy (a synthesis finishing) when a probe starts. */
const PATIENT_MS = 30_000;

/** The server listening at a service's port, from the workloads' own port declarations. */
function upstreamAt(service: string, port: number): Upstream | undefined {
    const table: [RegExp, number, Upstream][] = [
        [/^ipfs-\d+$/, CLUSTER_PORTS.gateway, "kuboGateway"],
        [/^ipfs-\d+$/, CLUSTER_PORTS.kuboRpc, "kuboRpc"],
        [/^ipfs-\d+$/, CLUSTER_PORTS.restApi, "clusterRestApi"],
        [new RegExp(`^${CERAMIC_NAMES.ceramic}$`), CERAMIC_PORTS.api, "ceramicDaemon"],
        [new RegExp(`^${CERAMIC_NAMES.ipfs}$`), CERAMIC_IPFS.health.port, "ceramicIpfsHealth"],
        [new RegExp(`^${CERAMIC_NAMES.ipfs}$`), CERAMIC_IPFS.apiPort, "ceramicIpfsRpc"],
        [new RegExp(`^${CERAMIC_NAMES.ceramicOne}$`), CERAMIC_ONE_PORTS.api, "ceramicOne"],
        [/^chainlink-\d+$/, CHAINLINK_PORTS.http, "chainlink"],
    ];
    return table.find(([name, at]) => name.test(service) && at === port)?.[2];
}

describe("conformance: every HTTP health check passes against its upstream server, as that server's source answers", function () {
    const running = new Map<Upstream, StandIn>();
    before(async () => {
        for (const [name, model] of Object.entries(HEALTHY) as [Upstream, UpstreamModel][]) running.set(name, await standIn(model.handler));
    });
    after(async () => {
        await Promise.all([...running.values()].map(s => s.close()));
    });

    /** The status the stand-in of the check's upstream answers it with, or a problem naming what is missing. */
    async function run(check: DeclaredHttpCheck): Promise<number | string> {
        const upstream = upstreamAt(check.service, check.port);
        if (!upstream) return `${check.service}:${check.port} (${check.by}): no upstream model here for that port; add its server's, from its source`;
        return get(running.get(upstream)!.port, check.path, PATIENT_MS);
    }

    for (const c of graphCases()) {
        it(`${c.label}: every target group, backend service, autohealing and watchdog check passes on a healthy server`, async function () {
            this.timeout(120_000);
            const report = await graphOf(c);
            const checks = services(report).flatMap(s => (c.cloud === "aws" ? awsHttpChecks(report, s) : gcpHttpChecks(report, s)));
            assert.ok(checks.length > 0, "the graph declares HTTP checks");
            const problems: string[] = [];
            for (const check of checks) {
                const status = await run(check);
                if (typeof status === "string") problems.push(status);
                else if (!statusPasses(check.passes, status)) {
                    const model = HEALTHY[upstreamAt(check.service, check.port)!];
                    problems.push(`${check.service} (${check.by}): GET ${check.path} on ${check.port} answers ${status} (${model.source}); the check passes on ${check.passes}`);
                }
            }
            if (problems.length > 0) assert.fail(`${problems.length} check(s) fail on a healthy server:\n  ${problems.slice(0, 20).join("\n  ")}`);
            // The IPFS cluster's checks are among them whenever the stack runs a cluster (its REST API's 204 is
            // checked over HTTP on AWS only: Google's HTTP checks pass on 200 alone, so GCP connects over TCP).
            if (report.resources.some(r => /^ipfs-\d+$/.test(r.name))) {
                const paths = new Set(checks.map(k => k.path));
                assert.ok(paths.has(CLUSTER_HEALTH.gateway.path), "the cluster's gateway check was run");
                assert.strictEqual(paths.has(CLUSTER_HEALTH.restApi.path), c.cloud === "aws", "the cluster's REST API check was run on AWS");
            }
        });
    }

    describe("the stand-ins fail what their servers fail, so the run above can fail", () => {
        const prodOnAws = () => graphOf(graphCases().find(k => k.label === "prod on aws")!);

        it("a kubo directory path without its trailing slash is answered 301, which the ALB's 200 and Google's checks both refuse (boxo@v0.40.0 handler_unixfs_dir.go)", async () => {
            const report = await prodOnAws();
            const gateway = services(report).flatMap(s => awsHttpChecks(report, s)).find(k => k.port === CLUSTER_PORTS.gateway && k.by.startsWith("target group"))!;
            assert.ok(gateway.path.endsWith("/"), gateway.path);
            const redirected = await run({ ...gateway, path: gateway.path.slice(0, -1) });
            assert.strictEqual(redirected, 301);
            assert.ok(!statusPasses(gateway.passes, redirected as number), `the ALB matcher ${gateway.passes} takes a redirect`);
            assert.ok(!statusPasses("200", redirected as number));
            assert.strictEqual(await run(gateway), 200);
        });

        it(`a Chainlink node answers /health 207 once any check fails while /readyz stays 200: only /readyz can route (chainlink v2.29.0 health_controller.go; deployed ${CHAINLINK_VERSION})`, async () => {
            const failingJob = await standIn(chainlinkNode({ ready: true, everyCheckPasses: false }).handler);
            try {
                assert.strictEqual(await get(failingJob.port, "/health", PATIENT_MS), 207);
                assert.ok(!statusPasses("200", 207));
                assert.strictEqual(await get(failingJob.port, "/readyz", PATIENT_MS), 200);
            } finally {
                await failingJob.close();
            }
        });

        it("kubo's RPC answers a GET with 405 and only a POST runs `diag healthy`: no cloud's HTTP check can be it (go-ipfs-cmds@v0.16.1 http/handler.go)", async () => {
            const rpc = running.get("kuboRpc")!;
            assert.strictEqual(await get(rpc.port, "/api/v0/diag/healthy", PATIENT_MS), 405);
            const posted = await new Promise<number>((resolve, reject) => {
                const req = http.request({ host: "127.0.0.1", port: rpc.port, path: "/api/v0/diag/healthy", method: "POST" }, res => {
                    res.resume();
                    resolve(res.statusCode ?? 0);
                });
                req.on("error", reject);
                req.end();
            });
            assert.strictEqual(posted, 200);
        });

        it("ipfs-cluster's REST API lets GET /health through without credentials and nothing else (ipfs-cluster@v1.1.6 api/common/api.go)", async () => {
            const api = running.get("clusterRestApi")!;
            assert.strictEqual(await get(api.port, "/health", PATIENT_MS), 204);
            assert.strictEqual(await get(api.port, "/id", PATIENT_MS), 401);
        });
    });
});
