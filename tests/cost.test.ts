// The monthly cost estimate (tools/cost.ts): a small stack priced by hand from the price table's entries, every
// stack file on both clouds priced with no unpriced resource type, every resource type the program can declare
// priced or named free, and every price with its source and the date it was read.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as cloudflare from "@pulumi/cloudflare";
import * as random from "@pulumi/random";
import { Cloud, COMPONENT_TYPES, PublicCloud } from "../components/topology";
import { CLOUDS } from "../stacks/config";
import { CostReport, HOURS_PER_MONTH, RULES, estimateCost, main, priceTable, runsPerMonthOfCron, runsPerMonthOfRate } from "../tools/cost";
import { SynthResource } from "../tools/harness";
import { ROOT } from "../tools/stackfile";
import { cloudStacks, graphCases, graphOf } from "./conformance/graphs";

const H = HOURS_PER_MONTH;
const price = (cloud: Cloud, id: string): number => {
    const usd = priceTable(cloud).prices[id]?.usd;
    assert.ok(typeof usd === "number", `no price ${id} in tools/prices/${cloud}.json`);
    return usd;
};

/** A resource of a hand-made graph: `parent` is a name among those made before it. */
function graphOfResources(stack: string, specs: { type: string; name: string; inputs?: Record<string, unknown>; parent?: string; id?: string; component?: boolean }[]): SynthResource[] {
    const out: SynthResource[] = [];
    for (const s of specs) {
        const parent = s.parent ? out.find(r => r.name === s.parent)! : undefined;
        const urn = `urn:pulumi:${stack}::web3-nodes::${parent ? `${parent.urn.split("::")[2]}$` : ""}${s.type}::${s.name}`;
        out.push({
            urn, type: s.type, name: s.name, id: s.component ? null : s.id ?? `${s.name}-id`, parent: parent?.urn ?? `urn:pulumi:${stack}::web3-nodes::pulumi:pulumi:Stack::web3-nodes-${stack}`,
            custom: !s.component, inputs: s.inputs ?? {}, options: { protect: false, retainOnDelete: false, dependsOn: [] },
        });
    }
    return out;
}

const lineSum = (cost: CostReport, component?: string) => cost.lines.filter(l => component === undefined || l.component === component).reduce((s, l) => s + l.monthlyUsd, 0);
const cents = (n: number) => Math.round(n * 100) / 100;

describe("cost estimate (tools/cost.ts)", () => {
    describe("a small stack, priced by hand from the table's entries", () => {
        it("aws: Fargate tasks by the service's desired count, load balancers with their hours, capacity units and AWS-assigned addresses, EFS One Zone at the volumes' planned size, Aurora", () => {
            const resources = graphOfResources("tiny", [
                { type: COMPONENT_TYPES.service, name: "app", component: true },
                { type: "aws:ecs/taskDefinition:TaskDefinition", name: "app-task", parent: "app", inputs: { family: "web3-tiny-app", cpu: "512", memory: "1024", requiresCompatibilities: ["FARGATE"] } },
                { type: "aws:ecs/service:Service", name: "app-service", parent: "app", inputs: { launchType: "FARGATE", desiredCount: 2, taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web3-tiny-app:3" } },
                { type: "aws:ec2/eip:Eip", name: "app-address", parent: "app", inputs: { domain: "vpc" } },
                { type: COMPONENT_TYPES.volume, name: "app-data", parent: "app", component: true, inputs: { sizeGiB: 10 } },
                { type: COMPONENT_TYPES.network, name: "network", component: true },
                { type: "aws:efs/fileSystem:FileSystem", name: "zone-fs", parent: "network", id: "fs-1", inputs: { availabilityZoneName: "us-east-1a", throughputMode: "elastic" } },
                { type: "aws:efs/accessPoint:AccessPoint", name: "app-data-access-point", parent: "app-data", inputs: { fileSystemId: "fs-1" } },
                { type: "web3-nodes:topology:PassthroughAddress", name: "front", component: true },
                { type: "aws:lb/loadBalancer:LoadBalancer", name: "front-nlb", parent: "front", inputs: { loadBalancerType: "network", internal: false, subnetMappings: [{ allocationId: "eipalloc-1", subnetId: "subnet-a" }] } },
                { type: "aws:lb/loadBalancer:LoadBalancer", name: "front-alb", parent: "front", inputs: { internal: false, subnets: ["subnet-a", "subnet-b"] } },
                { type: COMPONENT_TYPES.postgres, name: "db", component: true, inputs: { storageGiB: 20 } },
                { type: "aws:rds/cluster:Cluster", name: "db-cluster", parent: "db", inputs: { engine: "aurora-postgresql" } },
                { type: "aws:rds/clusterInstance:ClusterInstance", name: "db-a", parent: "db", inputs: { engine: "aurora-postgresql", instanceClass: "db.t4g.medium" } },
                { type: "aws:iam/role:Role", name: "app-role", parent: "app" },
                { type: "aws:fsx/lustreFileSystem:LustreFileSystem", name: "scratch", parent: "app" },
            ]);
            const cost = estimateCost({ stack: "tiny", cloud: "aws", resources });
            const p = (id: string) => price("aws", id);
            const app = 2 * 0.5 * H * p("fargate.linuxX86.vcpuHour") + 2 * 1 * H * p("fargate.linuxX86.gbHour")
                + H * p("vpc.publicIpv4Hour");
            // The file system is the network's; its size is the planned size of the volumes carved from it.
            const network = 10 * p("efs.oneZoneGbMonth") + 10 * 1 * p("efs.elasticReadGb") + 10 * 0.25 * p("efs.elasticWriteGb");
            const front = H * p("elb.nlbHour") + H * p("elb.nlcuHour")
                + H * p("elb.albHour") + H * p("elb.lcuHour") + 2 * H * p("vpc.publicIpv4Hour");
            const db = H * p("aurora.postgresql.db.t4g.medium") + 20 * p("aurora.storageGbMonth") + 10 * p("aurora.ioMillion");
            assert.ok(Math.abs(lineSum(cost, "app") - app) < 1e-9, `app: ${lineSum(cost, "app")} != ${app}`);
            assert.ok(Math.abs(lineSum(cost, "front") - front) < 1e-9, `front: ${lineSum(cost, "front")} != ${front}`);
            assert.ok(Math.abs(lineSum(cost, "db") - db) < 1e-9, `db: ${lineSum(cost, "db")} != ${db}`);
            assert.ok(Math.abs(lineSum(cost, "network") - network) < 1e-9, `network: ${lineSum(cost, "network")} != ${network}`);
            assert.strictEqual(cost.monthlyUsd, cents(app + front + db + network));
            // Compute, storage and databases: the tasks' vCPU and GB-hours, the file system, Aurora; not the front.
            const core = app - H * p("vpc.publicIpv4Hour") + network + db;
            assert.ok(Math.abs(cost.core.monthlyUsd - cents(core)) < 0.011, `core: ${cost.core.monthlyUsd} != ${core}`);
            assert.strictEqual(cost.core.ratio, Math.round(((app + front + db + network) / core) * 100) / 100);
            assert.deepStrictEqual(cost.byComponent.map(c => c.component).sort(), ["app", "db", "front", "network"]);
            // A type with no price is listed, never counted as zero; a free one is listed free with its source.
            const types = Object.fromEntries(cost.byType.map(t => [t.type, t]));
            assert.strictEqual(types["aws:fsx/lustreFileSystem:LustreFileSystem"].status, "unpriced");
            assert.deepStrictEqual(cost.unpriced.map(u => u.name), ["scratch"]);
            assert.strictEqual(types["aws:iam/role:Role"].status, "free");
            assert.match(types["aws:iam/role:Role"].free!.source, /^https:\/\/aws\.amazon\.com\/iam\//);
            assert.ok(cost.assumptions.some(a => a.id === "loadBalancerTraffic") && cost.assumptions.some(a => a.id === "efsThroughput"));
            assert.ok(cost.prices.every(e => e.source.startsWith("https://")));
        });

        it("gcp: VMs by template × group size with their boot disks, regional disks twice, forwarding rules five at a flat rate then one by one, Cloud SQL REGIONAL twice, container logs once with the _Default exclusion", () => {
            const filter = 'logName="projects/p/logs/gcplogs-docker-driver" AND jsonPayload.instance.name=~"^web3-tiny-"';
            const specs = [
                { type: COMPONENT_TYPES.service, name: "vm", component: true },
                { type: "gcp:compute/instanceTemplate:InstanceTemplate", name: "vm-template", parent: "vm", id: "tpl-1", inputs: { machineType: "e2-standard-2", disks: [{ boot: true, diskSizeGb: 20, diskType: "pd-balanced" }], networkInterfaces: [{ subnetwork: "sn" }] } },
                { type: "gcp:compute/instanceGroupManager:InstanceGroupManager", name: "vm-group", parent: "vm", inputs: { name: "web3-tiny-vm", targetSize: 2, versions: [{ instanceTemplate: "https://www.googleapis.com/compute/v1/projects/p/InstanceTemplate/tpl-1" }] } },
                { type: "gcp:compute/regionDisk:RegionDisk", name: "vm-data", parent: "vm", inputs: { size: 10, type: "pd-ssd" } },
                { type: COMPONENT_TYPES.passthroughAddress, name: "edge", component: true },
                ...[1, 2, 3, 4, 5, 6].map(i => ({ type: "gcp:compute/forwardingRule:ForwardingRule", name: `edge-rule-${i}`, parent: "edge", inputs: { region: "us-central1", loadBalancingScheme: "EXTERNAL" } })),
                { type: COMPONENT_TYPES.postgres, name: "db", component: true },
                { type: "gcp:sql/databaseInstance:DatabaseInstance", name: "db-instance", parent: "db", inputs: { settings: { tier: "db-custom-2-8192", availabilityType: "REGIONAL", edition: "ENTERPRISE", diskSize: 50, diskType: "PD_SSD", backupConfiguration: { enabled: true }, ipConfiguration: { ipv4Enabled: false } } } },
                { type: COMPONENT_TYPES.network, name: "network", component: true },
                { type: "gcp:logging/projectSink:ProjectSink", name: "network-logs-sink", parent: "network", inputs: { destination: "logging.googleapis.com/projects/p/locations/us-central1/buckets/web3-tiny-containers", filter } },
            ];
            const p = (id: string) => price("gcp", id);
            const vm = 2 * 2 * H * p("compute.e2.vcpuHour") + 2 * 8 * H * p("compute.e2.memoryGbHour") + 2 * 20 * p("disk.pd-balanced") + 10 * p("disk.regional-pd-ssd");
            const edge = H * p("lb.forwardingRulesFirst5Hour") + H * p("lb.forwardingRuleExtraHour");
            const db = 2 * 2 * H * p("sql.enterprise.vcpuHour") + 2 * 8 * H * p("sql.enterprise.memoryGbHour") + 2 * 50 * p("sql.ssdGbMonth") + 50 * p("sql.backupGbMonth");
            const logsOnce = 2 * 5 * p("logging.storageGb");

            const withoutExclusion = estimateCost({ stack: "tiny", cloud: "gcp", resources: graphOfResources("tiny", specs) });
            const withExclusion = estimateCost({ stack: "tiny", cloud: "gcp", resources: graphOfResources("tiny", [...specs, { type: "gcp:logging/projectExclusion:ProjectExclusion", name: "network-logs-default-exclusion", parent: "network", inputs: { filter } }]) });
            for (const [component, expected] of [["vm", vm], ["edge", edge], ["db", db]] as const) {
                assert.ok(Math.abs(lineSum(withExclusion, component) - expected) < 1e-9, `${component}: ${lineSum(withExclusion, component)} != ${expected}`);
            }
            assert.ok(Math.abs(lineSum(withExclusion, "network") - logsOnce) < 1e-9, "with the exclusion, the logs are stored once");
            assert.ok(Math.abs(lineSum(withoutExclusion, "network") - 2 * logsOnce) < 1e-9, "without it, twice: the stack's bucket and _Default");
            assert.strictEqual(withExclusion.monthlyUsd, cents(vm + edge + db + logsOnce));
            assert.deepStrictEqual(withExclusion.unpriced, []);
        });

        it("scheduled jobs: each run a Fargate task of the job's size for a minute (AWS), a Cloud Run execution of its limits (GCP), plus the scheduler", () => {
            const awsCost = estimateCost({
                stack: "tiny", cloud: "aws", resources: graphOfResources("tiny", [
                    { type: COMPONENT_TYPES.scheduledJob, name: "ping", component: true },
                    { type: "aws:ecs/taskDefinition:TaskDefinition", name: "ping-task", parent: "ping", inputs: { family: "web3-tiny-ping", cpu: "256", memory: "512" } },
                    { type: "aws:scheduler/schedule:Schedule", name: "ping-schedule", parent: "ping", inputs: { scheduleExpression: "rate(2 minutes)", target: { ecsParameters: { taskCount: 1, launchType: "FARGATE" } } } },
                ]),
            });
            const runs = H * 30;
            const pa = (id: string) => price("aws", id);
            const awsExpected = runs / 1e6 * pa("scheduler.invocationMillion") + runs / 60 * (0.25 * pa("fargate.linuxX86.vcpuHour") + 0.5 * pa("fargate.linuxX86.gbHour"));
            assert.ok(Math.abs(lineSum(awsCost) - awsExpected) < 1e-9, `${lineSum(awsCost)} != ${awsExpected}`);
            const gcpCost = estimateCost({
                stack: "tiny", cloud: "gcp", resources: graphOfResources("tiny", [
                    { type: COMPONENT_TYPES.scheduledJob, name: "ping", component: true },
                    { type: "gcp:cloudrunv2/job:Job", name: "ping-job", parent: "ping", inputs: { template: { template: { containers: [{ resources: { limits: { cpu: "1", memory: "512Mi" } } }] } } } },
                    { type: "gcp:cloudscheduler/job:Job", name: "ping-schedule", parent: "ping", inputs: { schedule: "*/2 * * * *" } },
                ]),
            });
            const pg = (id: string) => price("gcp", id);
            const gcpExpected = runs * 60 * (1 * pg("run.vcpuSecond") + 0.5 * pg("run.memoryGibSecond")) + pg("scheduler.jobMonth");
            assert.ok(Math.abs(lineSum(gcpCost) - gcpExpected) < 1e-9, `${lineSum(gcpCost)} != ${gcpExpected}`);
        });

        it("schedules: EventBridge rate expressions and the cron schedules the GCP job writes, as runs a month", () => {
            assert.strictEqual(runsPerMonthOfRate("rate(2 minutes)"), H * 30);
            assert.strictEqual(runsPerMonthOfRate("rate(1 hour)"), H);
            assert.strictEqual(runsPerMonthOfRate("cron(0 * * * ? *)"), undefined);
            assert.strictEqual(runsPerMonthOfCron("*/2 * * * *"), H * 30);
            assert.strictEqual(runsPerMonthOfCron("0 */6 * * *"), H / 6);
            assert.strictEqual(runsPerMonthOfCron("15 3 * * 1"), undefined);
        });
    });

    describe("every stack file on both clouds", () => {
        const cases = graphCases().filter(c => cloudStacks().some(s => c.label === `${s} on ${c.cloud}`));
        it("covers every stack file on every cloud", () => assert.strictEqual(cases.length, cloudStacks().length * CLOUDS.length));
        for (const c of cases) {
            it(`${c.label}: priced with no unpriced resource type; what stays unpriced is a price the table records as not found`, async () => {
                const cost = estimateCost(await graphOf(c));
                assert.deepStrictEqual(cost.byType.filter(t => t.status === "unpriced").map(t => t.type), []);
                for (const u of cost.unpriced) {
                    const entry = u.price ? priceTable(c.cloud).prices[u.price] : undefined;
                    assert.ok(entry && entry.usd === null && entry.notFound, `${u.type} ${u.name}: ${u.item}: ${u.reason}`);
                }
                assert.ok(cost.monthlyUsd > 0);
                assert.strictEqual(cost.monthlyUsd, cents(lineSum(cost)));
                assert.ok(Math.abs(cost.byComponent.reduce((s, x) => s + x.monthlyUsd, 0) - cost.monthlyUsd) < 0.05);
            });
        }
        // The layout's own target: what reaches and surrounds the workloads (load balancers, addresses, NAT, logs,
        // secrets, backups) adds at most a fifth to their compute, storage and databases in prod, a half in dev.
        it("every stack costs within 1.2x (prod) or 1.5x (dev) of its compute, storage and databases", async () => {
            const target: Record<string, number> = { prod: 1.2, dev: 1.5 };
            for (const c of cases) {
                const report = await graphOf(c);
                const cost = estimateCost(report);
                const limit = target[report.outputs.profile as string];
                assert.ok(limit, `${c.label}: a profile without a target`);
                assert.ok(cost.core.ratio > 1 && cost.core.ratio <= limit, `${c.label}: ${cost.core.ratio}x of $${cost.core.monthlyUsd}, over ${limit}x`);
            }
        });

        it("gcp: the container logs are stored once, the sink's filter excluded from _Default", async () => {
            for (const c of cases.filter(x => x.cloud === "gcp")) {
                const cost = estimateCost(await graphOf(c));
                assert.deepStrictEqual(cost.lines.filter(l => /_Default/.test(l.item)).map(l => l.item), [], c.label);
            }
        });
    });

    it("every resource type the program can declare has a price rule or a free entry (components/, stacks/)", () => {
        const sdks: Record<string, Record<string, Record<string, { __pulumiType?: string }>>> = { aws, gcp, cloudflare, random } as never;
        const declared = new Set<string>();
        const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
        for (const file of [...walk(path.join(ROOT, "components")), ...walk(path.join(ROOT, "stacks"))]) {
            for (const m of fs.readFileSync(file, "utf8").matchAll(/new (aws|gcp|cloudflare|random)\.(\w+)\.(\w+)\(/g)) {
                const type = sdks[m[1]][m[2]]?.[m[3]]?.__pulumiType;
                assert.ok(type, `${path.relative(ROOT, file)}: ${m[0]} names no resource class of the SDK`);
                declared.add(type);
            }
        }
        assert.ok(declared.size > 50, `only ${declared.size} types found`);
        const missing = [...declared].filter(type => {
            const clouds: PublicCloud[] = type.startsWith("aws:") ? ["aws"] : type.startsWith("gcp:") ? ["gcp"] : [...CLOUDS];
            return clouds.some(cloud => !RULES[cloud][type] && !priceTable(cloud).free[type]);
        });
        assert.deepStrictEqual(missing, []);
    });

    it("every price and free entry has its source and the date it was read; a price not found says so and has no figure", () => {
        const today = new Date().toISOString().slice(0, 10);
        for (const cloud of CLOUDS) {
            const table = priceTable(cloud);
            assert.strictEqual(table.cloud, cloud);
            for (const [id, e] of [...Object.entries(table.prices), ...Object.entries(table.free)]) {
                assert.match(e.source, /^https:\/\/[^\s]+$/, `${cloud} ${id}: source`);
                if (e.via !== undefined) assert.match(e.via, /^https?:\/\/[^\s]+$/, `${cloud} ${id}: via`);
                assert.match(e.read, /^\d{4}-\d{2}-\d{2}$/, `${cloud} ${id}: read`);
                assert.ok(e.read <= today, `${cloud} ${id}: read in the future`);
            }
            for (const [id, e] of Object.entries(table.prices)) {
                if (e.usd === null) assert.ok(e.notFound && !e.quote, `${cloud} ${id}: a missing price says why, and quotes nothing`);
                else assert.ok(e.usd > 0 && e.quote && !e.notFound && e.unit, `${cloud} ${id}: a price has its unit and the words it was read in`);
            }
            for (const [type, e] of Object.entries(table.free)) assert.ok(e.why, `${cloud} ${type}: why it is free`);
        }
    });

    it("README's Cost section shows an excerpt of what `npm run cost -- dev --cloud gcp --json` prints (the layout's figures aside)", async () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const start = readme.indexOf("\n## Cost\n");
        const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
        const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)![1]) as CostReport;
        const real = JSON.parse(JSON.stringify(estimateCost(await graphOf(graphCases().find(c => c.label === "dev on gcp")!)))) as CostReport;
        assert.deepStrictEqual(Object.keys(example), Object.keys(real));
        for (const key of ["stack", "cloud", "region", "currency", "hoursPerMonth"] as const) assert.strictEqual(example[key], real[key]);
        assert.strictEqual(typeof example.monthlyUsd, "number");
        for (const c of example.byComponent) assert.ok(real.byComponent.some(x => x.component === c.component), c.component);
        // What a line is and how it is priced; its quantity is the layout's, which changes with it.
        const identity = (l: CostReport["lines"][number]) => ({ ...l, quantity: undefined, monthlyUsd: undefined });
        for (const line of example.lines) {
            const found = real.lines.find(l => l.urn === line.urn && l.item === line.item);
            assert.ok(found, `no line ${line.item} of ${line.urn}`);
            assert.deepStrictEqual(identity(line), identity(found));
            assert.strictEqual(line.monthlyUsd, line.quantity * line.usdPerUnit);
        }
        for (const u of example.unpriced) assert.deepStrictEqual(u, real.unpriced.find(x => x.urn === u.urn && x.item === u.item));
        for (const t of example.byType) {
            const found = real.byType.find(x => x.type === t.type);
            assert.ok(found, t.type);
            assert.deepStrictEqual({ ...t, resources: 0, monthlyUsd: 0 }, { ...found, resources: 0, monthlyUsd: 0 });
        }
        for (const a of example.assumptions) assert.deepStrictEqual(a, real.assumptions.find(x => x.id === a.id));
        for (const n of example.notIncluded) assert.ok(real.notIncluded.includes(n), n);
        for (const e of example.prices) assert.deepStrictEqual(e, real.prices.find(x => x.id === e.id));
    });

    it("the command refuses a flag it does not know with its own usage line, exit 2", async () => {
        const err: string[] = [];
        const code = await main(["dev", "--clod", "aws"], { out: async () => undefined, err: t => void err.push(t) });
        assert.strictEqual(code, 2);
        assert.match(err.join(""), /unknown option --clod; usage: npm run cost -- <stack>/);
    });
});
