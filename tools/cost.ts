// What a stack costs a month at on-demand list prices: the synthesized graph priced against the tables in
// tools/prices/ (the prices of the region the stack files use, each with its source and the date it was read).
// Charges driven by traffic or by data the program cannot size rest on the stated ASSUMPTIONS, printed with every
// result. A resource type with no price is listed as unpriced, never counted as zero; a free one is listed as
// free with the source that says so.
import * as fs from "fs";
import * as path from "path";
import { Cloud, COMPONENT_TYPES, PublicCloud } from "../components/topology";
import { CLOUDS } from "../stacks/config";
import { E2_MACHINE_TYPES } from "../components/gcp/machine";
import { ConfigError } from "../stacks/validate";
import { SynthResource } from "./harness";
import { UsageError } from "./overrides";
import { instancesPerTemplate } from "./quotas";
import { StackFileError } from "./stackfile";
import { SynthReport, parseArgs, synthStack } from "./synth";

/** The hours a month is billed for: 8,760 a year over 12 months, as both clouds' calculators count. */
export const HOURS_PER_MONTH = 730;

export interface PriceEntry {
    what: string;
    unit: string;
    /** USD per unit; null when no price was found, and `notFound` says so. */
    usd: number | null;
    source: string;
    /** Where the figure was read when the provider's page renders it from data the stored copy lacks. */
    via?: string;
    read: string;
    quote?: string;
    note?: string;
    notFound?: string;
}

export interface FreeEntry {
    why: string;
    source: string;
    via?: string;
    read: string;
}

export interface PriceTable {
    cloud: Cloud;
    region: string;
    currency: "USD";
    prices: Record<string, PriceEntry>;
    free: Record<string, FreeEntry>;
}

const PRICES_DIR = path.join(__dirname, "prices");

const tables = new Map<Cloud, PriceTable>();

/** tools/prices/<cloud>.json. */
export function priceTable(cloud: Cloud): PriceTable {
    let table = tables.get(cloud);
    if (!table) {
        table = JSON.parse(fs.readFileSync(path.join(PRICES_DIR, `${cloud}.json`), "utf8")) as PriceTable;
        tables.set(cloud, table);
    }
    return table;
}

/** What the estimate assumes where the graph cannot say: each is printed with the result it shaped. */
export const ASSUMPTIONS = {
    natTraffic: { value: 100, text: "100 GB a month go out through NAT per stack (image pulls, RPC and API calls, peers dialled out), spread evenly over its NAT gateways" },
    loadBalancerTraffic: { value: 730, text: "each load balancer carries 1 GB an hour (730 GB a month): one capacity unit on an ALB or NLB, 730 GiB processed by a Google application load balancer" },
    logVolume: { value: 5, text: "each CloudWatch log group takes in 5 GB a month; on GCP the containers of each VM write 5 GiB a month; Container Insights' performance events come to 1 GB a month per cluster" },
    networkLogVolume: { value: 10, text: "a subnet's VPC Flow Logs come to 10 GiB a month and Cloud NAT's error logs to 1 GiB" },
    plannedSizes: { value: 1, text: "EFS file systems and Aurora clusters hold their planned size (the volumes' sizeGiB, the database's storageGiB): both bill what is stored" },
    efsThroughput: { value: { read: 1, write: 0.25 }, text: "Elastic Throughput: each EFS file system reads its stored data once a month and writes a quarter of it" },
    backupCopies: { value: 1, text: "backups and snapshots hold one full copy of what they back up (incremental changes not counted); Aurora's backups within the retention period are free up to the cluster's size" },
    auroraIo: { value: 10, text: "each Aurora Standard cluster makes 10 million I/O requests a month" },
    objectStorage: { value: 10, text: "each object storage bucket holds 10 GB" },
    registryMirror: { value: 5, text: "each registry mirror (pull-through rule, remote repository) caches 5 GB of images" },
    containerInsights: { value: { perCluster: 16, perService: 13 }, text: "Container Insights publishes 16 metrics per cluster and 13 per service (the ECS metric list of https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/appinsights-metrics-ecs.html), billed as custom metrics" },
    alertEvaluation: { value: 30, text: "each Google alerting condition returns one time series every 30 seconds" },
    scheduledRun: { value: 60, text: "a scheduled job's run lasts 60 seconds (Fargate bills at least a minute)" },
    armorRequests: { value: 1, text: "each Cloud Armor policy evaluates 1 million requests a month" },
    dedicatedProject: { value: 1, text: "the GCP project holds only this stack's forwarding rules (Google bills the first five of a project in a location at one rate)" },
} as const;

export type AssumptionId = keyof typeof ASSUMPTIONS;

/** Charges the estimate leaves out, printed with every result. */
export const NOT_INCLUDED = [
    "data transfer out to the internet, between zones and between regions",
    "API and request charges (Secrets Manager and Secret Manager reads, S3 and Cloud Storage operations), DNS queries",
    "free tiers and allotments: they belong to an account, billing account or project, shared with whatever else runs there",
    "taxes, support plans, discounts and commitments",
];

/** One priced charge of one resource. */
export interface CostLine {
    component: string;
    type: string;
    name: string;
    urn: string;
    item: string;
    quantity: number;
    unit: string;
    price: string;
    usdPerUnit: number;
    monthlyUsd: number;
    assumptions: AssumptionId[];
}

/** A charge, or a whole resource, that could not be priced: listed, never counted as zero. */
export interface UnpricedItem {
    component: string;
    type: string;
    name: string;
    urn: string;
    item: string;
    reason: string;
    price?: string;
}

export interface TypeSummary {
    type: string;
    resources: number;
    /** priced: a price applies; free: the table names it free (its `free`); unpriced: neither. */
    status: "priced" | "free" | "unpriced";
    monthlyUsd: number;
    free?: FreeEntry;
}

/** The `--json` contract. */
export interface CostReport {
    stack: string;
    cloud: Cloud;
    region: string;
    currency: "USD";
    hoursPerMonth: number;
    /** The sum of every priced line; unpriced items are not in it. */
    monthlyUsd: number;
    byComponent: { component: string; monthlyUsd: number }[];
    byType: TypeSummary[];
    /**
     * What the workloads themselves run on and keep: compute, storage and databases (the resource types of
     * CORE_TYPES), and how many times that the whole stack costs; the rest is what reaches and surrounds them
     * (load balancers, addresses, NAT, logs, secrets, backups).
     */
    core: { types: string[]; monthlyUsd: number; ratio: number };
    lines: CostLine[];
    unpriced: UnpricedItem[];
    assumptions: { id: AssumptionId; text: string }[];
    notIncluded: string[];
    /** The price entries the lines use, with their sources. */
    prices: (PriceEntry & { id: string })[];
}

/** A charge a rule finds: a quantity of a priced unit. */
interface Charge {
    item: string;
    quantity: number;
    price: string;
    assumptions?: AssumptionId[];
}

/** A charge a rule cannot price, and why. */
interface Missing {
    item: string;
    reason: string;
}

type RuleResult = Charge | Missing;
type Rule = (resource: SynthResource, graph: Graph) => RuleResult[];

const H = HOURS_PER_MONTH;

/** The graph with the links pricing needs. */
export class Graph {
    readonly byUrn: Map<string, SynthResource>;
    private readonly byType = new Map<string, SynthResource[]>();

    constructor(readonly resources: SynthResource[]) {
        this.byUrn = new Map(resources.map(r => [r.urn, r]));
        for (const r of resources) {
            const list = this.byType.get(r.type) ?? [];
            list.push(r);
            this.byType.set(r.type, list);
        }
    }

    ofType(...types: string[]): SynthResource[] {
        return types.flatMap(t => this.byType.get(t) ?? []);
    }

    parentOf(r: SynthResource): SynthResource | undefined {
        return r.parent ? this.byUrn.get(r.parent) : undefined;
    }

    childrenOf(r: SynthResource): SynthResource[] {
        return this.resources.filter(c => c.parent === r.urn);
    }

    /** The top-level component a resource belongs to, by name; "stack" for what sits directly under the stack. */
    componentOf(r: SynthResource): string {
        let top: SynthResource | undefined;
        for (let at: SynthResource | undefined = r; at; at = this.parentOf(at)) top = at;
        return top && !top.custom ? top.name : "stack";
    }

    /**
     * The resources of `types` an input property of `r` names: those its value came from (the engine's property
     * dependencies, which a synthesized graph carries) and those whose ID the value holds (a value can come
     * through another resource, as a file system's ID through its mount target).
     */
    linked(r: SynthResource, property: string, ...types: string[]): SynthResource[] {
        const urns = r.engine?.propertyDependencies[property] ?? [];
        const values = new Set(stringsIn(r.inputs[property]));
        return this.ofType(...types).filter(c => urns.includes(c.urn) || (c.id !== null && values.has(c.id)));
    }
}

function stringsIn(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(stringsIn);
    if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
    return [];
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !isNaN(Number(v)) ? Number(v) : undefined);
const isMissing = (r: RuleResult): r is Missing => "reason" in r;

// ---------------------------------------------------------------- AWS

const AWS = {
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    ecsService: "aws:ecs/service:Service",
    fileSystem: "aws:efs/fileSystem:FileSystem",
    accessPoint: "aws:efs/accessPoint:AccessPoint",
    natGateway: "aws:ec2/natGateway:NatGateway",
    loadBalancers: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
} as const;

/** Fargate charges of `tasks` tasks of a task definition for `hours` each. */
function fargateCharges(taskDefinition: SynthResource, tasks: number, hours: number, what: string): RuleResult[] {
    const cpu = num(taskDefinition.inputs.cpu);
    const memory = num(taskDefinition.inputs.memory);
    if (cpu === undefined || memory === undefined) return [{ item: what, reason: `task definition ${taskDefinition.name} sets no task-level cpu and memory, which Fargate bills` }];
    const platform = taskDefinition.inputs.runtimePlatform as { cpuArchitecture?: string; operatingSystemFamily?: string } | undefined;
    if (platform?.operatingSystemFamily && platform.operatingSystemFamily !== "LINUX") return [{ item: what, reason: `Fargate on ${platform.operatingSystemFamily} is not in the price table` }];
    const arch = platform?.cpuArchitecture === "ARM64" ? "linuxArm" : "linuxX86";
    const out: RuleResult[] = [
        { item: `${what}: ${tasks} × ${cpu / 1024} vCPU`, quantity: tasks * (cpu / 1024) * hours, price: `fargate.${arch}.vcpuHour` },
        { item: `${what}: ${tasks} × ${memory / 1024} GB`, quantity: tasks * (memory / 1024) * hours, price: `fargate.${arch}.gbHour` },
    ];
    const ephemeral = num((taskDefinition.inputs.ephemeralStorage as { sizeInGiB?: unknown } | undefined)?.sizeInGiB) ?? 20;
    if (ephemeral > 20) out.push({ item: `${what}: ${ephemeral - 20} GB of ephemeral storage beyond 20`, quantity: tasks * (ephemeral - 20) * hours, price: "fargate.ephemeralGbHour" });
    return out;
}

function taskDefinitionOf(service: SynthResource, graph: Graph): SynthResource | undefined {
    const linked = graph.linked(service, "taskDefinition", AWS.taskDefinition)[0];
    if (linked) return linked;
    // A task definition's ARN names its family: arn:...:task-definition/<family>:<revision>.
    const arn = String(service.inputs.taskDefinition ?? "");
    return graph.ofType(AWS.taskDefinition).find(t => arn.includes(`task-definition/${String(t.inputs.family)}:`));
}

const fargateService: Rule = (service, graph) => {
    const strategies = (service.inputs.capacityProviderStrategies as { capacityProvider?: string }[] | undefined) ?? [];
    const onFargate = service.inputs.launchType === "FARGATE" || strategies.some(s => s.capacityProvider === "FARGATE");
    if (!onFargate) return [{ item: "tasks", reason: "only services on Fargate are priced (launchType FARGATE)" }];
    const taskDefinition = taskDefinitionOf(service, graph);
    if (!taskDefinition) return [{ item: "tasks", reason: "its task definition is not in the graph" }];
    return fargateCharges(taskDefinition, num(service.inputs.desiredCount) ?? 1, H, "Fargate tasks");
};

const loadBalancer: Rule = lb => {
    const kind = (lb.inputs.loadBalancerType as string | undefined) ?? "application";
    if (kind !== "application" && kind !== "network") return [{ item: "load balancer", reason: `a ${kind} load balancer is not in the price table` }];
    const alb = kind === "application";
    const out: RuleResult[] = [
        { item: `${alb ? "Application" : "Network"} Load Balancer hours`, quantity: H, price: alb ? "elb.albHour" : "elb.nlbHour" },
        { item: `${alb ? "LCU" : "NLCU"} hours`, quantity: H, price: alb ? "elb.lcuHour" : "elb.nlcuHour", assumptions: ["loadBalancerTraffic"] },
    ];
    if (lb.inputs.internal !== true) {
        // One node, and one AWS-assigned address, per zone at least; a mapping that brings an Elastic IP is priced on it.
        const mappings = (lb.inputs.subnetMappings as { allocationId?: string }[] | undefined) ?? [];
        const subnets = (lb.inputs.subnets as string[] | undefined) ?? [];
        const assigned = subnets.length + mappings.filter(m => !m.allocationId).length;
        if (assigned > 0) out.push({ item: `${assigned} public IPv4 address(es) AWS assigns, one per zone`, quantity: assigned * H, price: "vpc.publicIpv4Hour" });
    }
    return out;
};

const natGateway: Rule = (nat, graph) => {
    const gateways = graph.ofType(AWS.natGateway).length;
    return [
        { item: "NAT gateway hours", quantity: H, price: "vpc.natGatewayHour" },
        { item: "data processed", quantity: ASSUMPTIONS.natTraffic.value / gateways, price: "vpc.natGatewayGb", assumptions: ["natTraffic"] },
    ];
};

/** The planned GB of the volumes carved from a file system (its access points' volumes). */
function efsPlannedGb(fileSystem: SynthResource, graph: Graph): number | Missing {
    let total = 0;
    for (const accessPoint of graph.ofType(AWS.accessPoint)) {
        if (!graph.linked(accessPoint, "fileSystemId", AWS.fileSystem).includes(fileSystem)) continue;
        const volume = graph.parentOf(accessPoint);
        const size = volume?.type === COMPONENT_TYPES.volume ? num(volume.inputs.sizeGiB) : undefined;
        if (size === undefined) return { item: "storage", reason: `access point ${accessPoint.name} is not under a volume with a planned sizeGiB` };
        total += size;
    }
    return total;
}

const efsFileSystem: Rule = (fileSystem, graph) => {
    const gb = efsPlannedGb(fileSystem, graph);
    if (typeof gb !== "number") return [gb];
    const oneZone = fileSystem.inputs.availabilityZoneName !== undefined || fileSystem.inputs.availabilityZoneId !== undefined;
    const out: RuleResult[] = [{ item: `${oneZone ? "One Zone" : "Standard"} storage, ${gb} GB planned`, quantity: gb, price: oneZone ? "efs.oneZoneGbMonth" : "efs.standardGbMonth", assumptions: ["plannedSizes"] }];
    const mode = (fileSystem.inputs.throughputMode as string | undefined) ?? "bursting";
    if (mode === "elastic") {
        const { read, write } = ASSUMPTIONS.efsThroughput.value;
        out.push({ item: "Elastic Throughput reads", quantity: gb * read, price: "efs.elasticReadGb", assumptions: ["efsThroughput"] });
        out.push({ item: "Elastic Throughput writes", quantity: gb * write, price: "efs.elasticWriteGb", assumptions: ["efsThroughput"] });
    } else if (mode !== "bursting") {
        out.push({ item: "throughput", reason: `${mode} throughput is not in the price table` });
    }
    return out;
};

const efsBackup: Rule = (policy, graph) => {
    if ((policy.inputs.backupPolicy as { status?: string } | undefined)?.status !== "ENABLED") return [];
    const fileSystem = graph.linked(policy, "fileSystemId", AWS.fileSystem)[0];
    if (!fileSystem) return [{ item: "backup storage", reason: "its file system is not in the graph" }];
    const gb = efsPlannedGb(fileSystem, graph);
    if (typeof gb !== "number") return [gb];
    return [{ item: `backups of ${fileSystem.name}`, quantity: gb * ASSUMPTIONS.backupCopies.value, price: "backup.efsWarmGbMonth", assumptions: ["plannedSizes", "backupCopies"] }];
};

const auroraInstance: Rule = instance => {
    const engine = String(instance.inputs.engine ?? "");
    const instanceClass = String(instance.inputs.instanceClass ?? "");
    if (engine !== "aurora-postgresql") return [{ item: "instance hours", reason: `engine ${engine} is not in the price table` }];
    return [{ item: `${instanceClass} instance hours`, quantity: H, price: `aurora.postgresql.${instanceClass}` }];
};

const auroraCluster: Rule = (cluster, graph) => {
    if (cluster.inputs.storageType === "aurora-iopt1") return [{ item: "storage", reason: "Aurora I/O-Optimized is not in the price table" }];
    const component = graph.parentOf(cluster);
    const gb = component?.type === COMPONENT_TYPES.postgres ? num(component.inputs.storageGiB) : undefined;
    if (gb === undefined) return [{ item: "storage", reason: "not under a Postgres component with a planned storageGiB" }];
    return [
        { item: `storage, ${gb} GB planned`, quantity: gb, price: "aurora.storageGbMonth", assumptions: ["plannedSizes", "backupCopies"] },
        { item: "I/O requests", quantity: ASSUMPTIONS.auroraIo.value, price: "aurora.ioMillion", assumptions: ["auroraIo"] },
    ];
};

const logGroup: Rule = group => {
    const gb = ASSUMPTIONS.logVolume.value;
    const retention = num(group.inputs.retentionInDays) ?? 0;
    const out: RuleResult[] = [{ item: "log ingestion", quantity: gb, price: "cloudwatch.logsIngestGb", assumptions: ["logVolume"] }];
    // What a month's ingestion leaves stored, once retention has reached its steady state.
    if (retention > 0) out.push({ item: `log storage, ${retention} days kept`, quantity: gb * retention / (365 / 12), price: "cloudwatch.logsStoreGbMonth", assumptions: ["logVolume"] });
    else out.push({ item: "log storage", reason: "no retention: stored logs grow without bound" });
    return out;
};

const containerInsights: Rule = (cluster, graph) => {
    const setting = ((cluster.inputs.settings as { name?: string; value?: string }[] | undefined) ?? []).find(s => s.name === "containerInsights")?.value;
    if (setting === undefined || setting === "disabled") return [];
    if (setting !== "enabled") return [{ item: "Container Insights", reason: `containerInsights ${setting} is not in the price table` }];
    const name = String(cluster.inputs.name ?? cluster.name);
    const services = graph.ofType(AWS.ecsService).filter(s => graph.linked(s, "cluster", cluster.type).includes(cluster) || String(s.inputs.cluster ?? "").endsWith(`cluster/${name}`)).length;
    const { perCluster, perService } = ASSUMPTIONS.containerInsights.value;
    return [
        { item: `Container Insights metrics (${services} services)`, quantity: perCluster + perService * services, price: "cloudwatch.metricMonth", assumptions: ["containerInsights"] },
        { item: "Container Insights performance events", quantity: 1, price: "cloudwatch.logsIngestGb", assumptions: ["logVolume"] },
    ];
};

/** Runs a month of an EventBridge Scheduler rate expression, undefined for what it does not parse. */
export function runsPerMonthOfRate(expression: string): number | undefined {
    const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
    if (!m) return undefined;
    const minutes = Number(m[1]) * (m[2].startsWith("minute") ? 1 : m[2].startsWith("hour") ? 60 : 1440);
    return (H * 60) / minutes;
}

const eventBridgeSchedule: Rule = (schedule, graph) => {
    const runs = runsPerMonthOfRate(String(schedule.inputs.scheduleExpression ?? ""));
    if (runs === undefined) return [{ item: "runs", reason: `schedule ${String(schedule.inputs.scheduleExpression)} is not a rate expression` }];
    const out: RuleResult[] = [{ item: `${Math.round(runs)} invocations`, quantity: runs / 1e6, price: "scheduler.invocationMillion" }];
    const ecs = (schedule.inputs.target as { ecsParameters?: { taskCount?: number } } | undefined)?.ecsParameters;
    if (ecs) {
        // The job's task definition is the schedule's sibling, under the same job component.
        const parent = graph.parentOf(schedule);
        const taskDefinition = parent ? graph.childrenOf(parent).find(c => c.type === AWS.taskDefinition) : undefined;
        if (!taskDefinition) return [...out, { item: "task runs", reason: "the job's task definition is not beside its schedule" }];
        const hours = (runs * Math.max(60, ASSUMPTIONS.scheduledRun.value)) / 3600;
        out.push(...fargateCharges(taskDefinition, ecs.taskCount ?? 1, hours, `${Math.round(runs)} Fargate task runs`).map(c => (isMissing(c) ? c : { ...c, assumptions: ["scheduledRun" as const] })));
    }
    return out;
};

const AWS_RULES: Record<string, Rule> = {
    [AWS.ecsService]: fargateService,
    "aws:ec2/eip:Eip": () => [{ item: "public IPv4 address (Elastic IP)", quantity: H, price: "vpc.publicIpv4Hour" }],
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:alb/loadBalancer:LoadBalancer": loadBalancer,
    [AWS.natGateway]: natGateway,
    [AWS.fileSystem]: efsFileSystem,
    "aws:efs/backupPolicy:BackupPolicy": efsBackup,
    "aws:rds/clusterInstance:ClusterInstance": auroraInstance,
    "aws:rds/cluster:Cluster": auroraCluster,
    "aws:secretsmanager/secret:Secret": () => [{ item: "secret", quantity: 1, price: "secretsmanager.secretMonth" }],
    "aws:cloudwatch/logGroup:LogGroup": logGroup,
    "aws:cloudwatch/metricAlarm:MetricAlarm": () => [{ item: "standard-resolution alarm", quantity: 1, price: "cloudwatch.alarmMonth" }],
    "aws:ecs/cluster:Cluster": containerInsights,
    "aws:scheduler/schedule:Schedule": eventBridgeSchedule,
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": () => [{ item: "its Route 53 private hosted zone", quantity: 1, price: "route53.hostedZoneMonth" }],
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": () => [{ item: "cached images", quantity: ASSUMPTIONS.registryMirror.value, price: "ecr.storageGbMonth", assumptions: ["registryMirror"] }],
    "aws:s3/bucket:Bucket": () => [{ item: "S3 Standard storage", quantity: ASSUMPTIONS.objectStorage.value, price: "s3.standardGbMonth", assumptions: ["objectStorage"] }],
    "aws:s3/bucketV2:BucketV2": () => [{ item: "S3 Standard storage", quantity: ASSUMPTIONS.objectStorage.value, price: "s3.standardGbMonth", assumptions: ["objectStorage"] }],
};

// ---------------------------------------------------------------- GCP

const GCP = {
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
    disk: "gcp:compute/disk:Disk",
    regionDisk: "gcp:compute/regionDisk:RegionDisk",
    address: "gcp:compute/address:Address",
    globalAddress: "gcp:compute/globalAddress:GlobalAddress",
    forwardingRule: "gcp:compute/forwardingRule:ForwardingRule",
    globalForwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    routerNat: "gcp:compute/routerNat:RouterNat",
    exclusion: "gcp:logging/projectExclusion:ProjectExclusion",
    sink: "gcp:logging/projectSink:ProjectSink",
    secret: "gcp:secretmanager/secret:Secret",
    schedulerJob: "gcp:cloudscheduler/job:Job",
} as const;

/** The VMs of the stack: each template's instances. */
function vmCount(graph: Graph): number {
    return [...instancesPerTemplate(graph.resources).values()].reduce((a, b) => a + b, 0);
}

/** Billed vCPUs and memory of a machine type, and the rates that bill them; undefined for a type the table lacks. */
function machineShape(machineType: string): { vcpu: number; memoryGiB: number; rates: "compute.e2" | "compute.e2custom" } | undefined {
    // e2-medium shares a core: two vCPUs billed as one (E2_MACHINE_TYPES counts what the containers get, the same).
    const predefined = E2_MACHINE_TYPES.find(t => t.name === machineType);
    if (predefined) return { vcpu: predefined.vcpu, memoryGiB: predefined.memoryMiB / 1024, rates: "compute.e2" };
    const custom = /^e2-custom-(\d+)-(\d+)$/.exec(machineType);
    if (custom) return { vcpu: Number(custom[1]), memoryGiB: Number(custom[2]) / 1024, rates: "compute.e2custom" };
    return undefined;
}

const instanceTemplate: Rule = (template, graph) => {
    const vms = instancesPerTemplate(graph.resources).get(template) ?? 0;
    const machineType = String(template.inputs.machineType ?? "");
    const shape = machineShape(machineType);
    const out: RuleResult[] = shape
        ? [
            { item: `${vms} × ${machineType}: vCPUs`, quantity: vms * shape.vcpu * H, price: `${shape.rates}.vcpuHour` },
            { item: `${vms} × ${machineType}: memory`, quantity: vms * shape.memoryGiB * H, price: `${shape.rates}.memoryGbHour` },
        ]
        : [{ item: `${vms} × ${machineType}`, reason: `machine type ${machineType} is not in the price table` }];
    for (const disk of (template.inputs.disks as { source?: string; diskType?: string; diskSizeGb?: number; boot?: boolean }[] | undefined) ?? []) {
        if (disk.source !== undefined) continue;
        const type = disk.diskType ?? "pd-standard";
        if (disk.diskSizeGb === undefined) out.push({ item: `${vms} × ${type} ${disk.boot ? "boot " : ""}disk`, reason: "the disk's size is its image's, which the graph does not carry" });
        else out.push({ item: `${vms} × ${disk.diskSizeGb} GB ${type} ${disk.boot ? "boot " : ""}disk`, quantity: vms * disk.diskSizeGb, price: `disk.${type}` });
    }
    for (const nic of (template.inputs.networkInterfaces as { accessConfigs?: { natIp?: string }[] }[] | undefined) ?? []) {
        const ephemeral = (nic.accessConfigs ?? []).filter(c => c.natIp === undefined).length;
        if (ephemeral > 0) out.push({ item: `${vms * ephemeral} ephemeral external IPv4 address(es)`, quantity: vms * ephemeral * H, price: "ip.vmInUseHour" });
    }
    return out;
};

const zonalDisk: Rule = disk => {
    const type = String(disk.inputs.type ?? "pd-standard");
    const size = num(disk.inputs.size);
    if (size === undefined) return [{ item: type, reason: "the disk's size is its image's or snapshot's, which the graph does not carry" }];
    return [{ item: `${size} GB ${type}`, quantity: size, price: `disk.${type}` }];
};

const regionalDisk: Rule = disk => {
    const type = String(disk.inputs.type ?? "pd-standard");
    const size = num(disk.inputs.size);
    if (size === undefined) return [{ item: `regional ${type}`, reason: "the disk's size is not in the graph" }];
    return [{ item: `${size} GB regional ${type} (two replicas)`, quantity: size, price: `disk.regional-${type}` }];
};

const snapshotSchedule: Rule = (policy, graph) => {
    const schedule = policy.inputs.snapshotSchedulePolicy as { snapshotProperties?: { storageLocations?: string } } | undefined;
    if (!schedule) return [];
    const location = schedule.snapshotProperties?.storageLocations;
    if (location !== undefined && location !== policy.inputs.region) return [{ item: "snapshots", reason: `snapshots stored in ${location} (multi-regional) are not in the price table` }];
    let gb = 0;
    const attachments = graph.ofType("gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment", "gcp:compute/regionDiskResourcePolicyAttachment:RegionDiskResourcePolicyAttachment")
        .filter(a => a.inputs.name === policy.inputs.name);
    for (const attachment of attachments) {
        const disk = graph.ofType(GCP.disk, GCP.regionDisk).find(d => d.inputs.name === attachment.inputs.disk);
        const size = disk ? num(disk.inputs.size) : undefined;
        if (size === undefined) return [{ item: "snapshots", reason: `the size of disk ${String(attachment.inputs.disk)} is not in the graph` }];
        gb += size;
    }
    return [{ item: `snapshots of ${attachments.length} disk(s), ${gb} GB`, quantity: gb * ASSUMPTIONS.backupCopies.value, price: "snapshot.regionalGbMonth", assumptions: ["backupCopies"] }];
};

/** Who uses an external address: forwarding rules (billed through the rule), a Cloud NAT gateway or VMs. */
const externalAddress: Rule = (address, graph) => {
    if (((address.inputs.addressType as string | undefined) ?? "EXTERNAL") !== "EXTERNAL") return [];
    const rules = graph.ofType(GCP.forwardingRule, GCP.globalForwardingRule).filter(f => graph.linked(f, "ipAddress", address.type).includes(address));
    if (rules.length > 0) return [];
    const nats = graph.ofType(GCP.routerNat).filter(n => graph.linked(n, "natIps", address.type).includes(address)
        || ((n.inputs.natIps as string[] | undefined) ?? []).some(ip => ip.endsWith(`/${String(address.inputs.name)}`)));
    if (nats.length > 0) return [{ item: "external IPv4 address of Cloud NAT", quantity: H, price: "ip.natHour" }];
    const templates = graph.ofType(GCP.template).filter(t => graph.linked(t, "networkInterfaces", address.type).includes(address));
    if (templates.length > 0) {
        const vms = templates.reduce((n, t) => n + (instancesPerTemplate(graph.resources).get(t) ?? 0), 0);
        return [{ item: "external IPv4 address of a VM", quantity: Math.min(1, vms) * H, price: "ip.vmInUseHour" }];
    }
    return [{ item: "reserved external IPv4 address nothing uses", quantity: H, price: "ip.unusedStaticHour" }];
};

/** Forwarding rules, billed per location: the first five together, each further one on its own. */
const forwardingRule: Rule = (rule, graph) => {
    const locationOf = (r: SynthResource) => (r.type === GCP.globalForwardingRule ? "global" : String(r.inputs.region ?? "the provider's region"));
    const location = locationOf(rule);
    const peers = graph.ofType(GCP.forwardingRule, GCP.globalForwardingRule).filter(r => locationOf(r) === location);
    const index = peers.indexOf(rule);
    const first = Math.min(peers.length, 5);
    if (index < 5) return [{ item: `1/${first} of the first five forwarding rules in ${location}`, quantity: H / first, price: "lb.forwardingRulesFirst5Hour", assumptions: ["dedicatedProject"] }];
    return [{ item: `forwarding rule ${index + 1} in ${location}`, quantity: H, price: "lb.forwardingRuleExtraHour", assumptions: ["dedicatedProject"] }];
};

const cloudNat: Rule = (nat, graph) => {
    const vms = vmCount(graph);
    const out: RuleResult[] = vms > 32
        ? [{ item: `gateway serving ${vms} VMs`, quantity: H, price: "nat.maxHour" }]
        : [{ item: `gateway serving ${vms} VMs`, quantity: vms * H, price: "nat.vmHour" }];
    out.push({ item: "data processed", quantity: ASSUMPTIONS.natTraffic.value, price: "nat.processedGb", assumptions: ["natTraffic"] });
    if ((nat.inputs.logConfig as { enable?: boolean } | undefined)?.enable) out.push(...networkLogs("Cloud NAT logs", 1));
    return out;
};

function networkLogs(what: string, gib: number): RuleResult[] {
    return [
        { item: `${what}: storage`, quantity: gib, price: "logging.vendedGb", assumptions: ["networkLogVolume"] },
        { item: `${what}: network telemetry`, quantity: gib, price: "network.telemetryGb", assumptions: ["networkLogVolume"] },
    ];
}

const subnetwork: Rule = subnet => (subnet.inputs.logConfig ? networkLogs("VPC Flow Logs", ASSUMPTIONS.networkLogVolume.value) : []);

const cloudSql: Rule = instance => {
    const settings = (instance.inputs.settings ?? {}) as { tier?: string; availabilityType?: string; diskSize?: number; diskType?: string; edition?: string; backupConfiguration?: { enabled?: boolean }; ipConfiguration?: { ipv4Enabled?: boolean } };
    const tier = settings.tier ?? "";
    const ha = settings.availabilityType === "REGIONAL" ? 2 : 1;
    const label = ha === 2 ? " (REGIONAL: a standby too)" : "";
    const out: RuleResult[] = [];
    const custom = /^db-custom-(\d+)-(\d+)$/.exec(tier);
    if (settings.edition !== undefined && settings.edition !== "ENTERPRISE") out.push({ item: `tier ${tier}`, reason: `Cloud SQL ${settings.edition} is not in the price table` });
    else if (!custom) out.push({ item: `tier ${tier}`, reason: `tier ${tier} is not in the price table (only custom tiers are)` });
    else {
        out.push({ item: `${custom[1]} vCPU${label}`, quantity: Number(custom[1]) * H * ha, price: "sql.enterprise.vcpuHour" });
        out.push({ item: `${Number(custom[2]) / 1024} GB memory${label}`, quantity: (Number(custom[2]) / 1024) * H * ha, price: "sql.enterprise.memoryGbHour" });
    }
    const size = settings.diskSize ?? 10;
    if ((settings.diskType ?? "PD_SSD") !== "PD_SSD") out.push({ item: "storage", reason: `disk type ${settings.diskType} is not in the price table` });
    else out.push({ item: `${size} GB SSD${label}`, quantity: size * ha, price: "sql.ssdGbMonth" });
    if (settings.backupConfiguration?.enabled) out.push({ item: "backups", quantity: size * ASSUMPTIONS.backupCopies.value, price: "sql.backupGbMonth", assumptions: ["backupCopies"] });
    if (settings.ipConfiguration?.ipv4Enabled !== false) out.push({ item: "public IPv4 address", reason: "a Cloud SQL public IP is not in the price table" });
    return out;
};

const secretVersion: Rule = (version, graph) => {
    if (version.inputs.enabled === false) return [];
    const secret = graph.linked(version, "secret", GCP.secret)[0]
        ?? graph.ofType(GCP.secret).find(s => String(version.inputs.secret ?? "").endsWith(`/secrets/${String(s.inputs.secretId)}`));
    const replicas = ((secret?.inputs.replication as { userManaged?: { replicas?: unknown[] } } | undefined)?.userManaged?.replicas ?? [1]).length;
    return [{ item: `active version in ${replicas} location(s)`, quantity: replicas, price: "secretmanager.versionMonth" }];
};

/** The container logs a sink routes to the stack's bucket, and again to _Default unless an exclusion there matches its filter. */
const logSink: Rule = (sink, graph) => {
    if (!String(sink.inputs.destination ?? "").startsWith("logging.googleapis.com/")) return [{ item: "routed logs", reason: "only sinks into log buckets are priced" }];
    const gib = vmCount(graph) * ASSUMPTIONS.logVolume.value;
    const out: RuleResult[] = [{ item: "container logs stored in the stack's bucket", quantity: gib, price: "logging.storageGb", assumptions: ["logVolume"] }];
    const excluded = graph.ofType(GCP.exclusion).some(e => e.inputs.filter === sink.inputs.filter && e.inputs.disabled !== true);
    if (!excluded) out.push({ item: "the same logs stored again in _Default: no exclusion there matches the sink's filter", quantity: gib, price: "logging.storageGb", assumptions: ["logVolume"] });
    return out;
};

/** Retention beyond the 30 days storage includes, for what the stack's sinks route to the bucket. */
const logBucket: Rule = (bucket, graph) => {
    const retention = num(bucket.inputs.retentionDays) ?? 30;
    if (retention <= 30) return [];
    const sinks = graph.ofType(GCP.sink).filter(s => String(s.inputs.destination ?? "").endsWith(`/buckets/${String(bucket.inputs.bucketId)}`));
    const gib = sinks.length * vmCount(graph) * ASSUMPTIONS.logVolume.value;
    return [{ item: `retention of ${retention} days, ${retention - 30} beyond the 30 included`, quantity: gib * (retention - 30) / 30, price: "logging.retentionGbMonth", assumptions: ["logVolume"] }];
};

const alertPolicy: Rule = policy => {
    const conditions = ((policy.inputs.conditions as unknown[] | undefined) ?? []).length;
    const seriesPerMonth = conditions * (H * 3600) / ASSUMPTIONS.alertEvaluation.value;
    return [
        { item: `${conditions} condition(s)`, quantity: conditions, price: "monitoring.alertConditionMonth" },
        { item: "time series returned", quantity: seriesPerMonth / 1e6, price: "monitoring.alertTimeSeriesMillion", assumptions: ["alertEvaluation"] },
    ];
};

const armorPolicy: Rule = policy => {
    const rules = ((policy.inputs.rules as unknown[] | undefined) ?? []).length;
    return [
        { item: "Cloud Armor policy", quantity: 1, price: "armor.policyMonth" },
        { item: `${rules} rule(s), the default one included`, quantity: rules, price: "armor.ruleMonth" },
        { item: "requests evaluated", quantity: ASSUMPTIONS.armorRequests.value, price: "armor.requestMillion", assumptions: ["armorRequests"] },
    ];
};

/** Runs a month of the cron schedules components/gcp/scheduledJob.ts writes; undefined for others. */
export function runsPerMonthOfCron(cron: string): number | undefined {
    const every = /^\*\/(\d+) \* \* \* \*$/.exec(cron);
    if (every) return (H * 60) / Number(every[1]);
    if (cron === "* * * * *") return H * 60;
    if (cron === "0 * * * *") return H;
    const hours = /^0 \*\/(\d+) \* \* \*$/.exec(cron);
    if (hours) return H / Number(hours[1]);
    if (cron === "0 0 * * *") return H / 24;
    return undefined;
}

/** Cloud Run job executions, as often as the scheduler job beside it starts them. */
const cloudRunJob: Rule = (job, graph) => {
    const parent = graph.parentOf(job);
    const scheduler = parent ? graph.childrenOf(parent).find(c => c.type === GCP.schedulerJob) : undefined;
    const runs = scheduler ? runsPerMonthOfCron(String(scheduler.inputs.schedule ?? "")) : undefined;
    if (runs === undefined) return [{ item: "executions", reason: "no scheduler job with a known schedule starts it" }];
    const limits = ((((job.inputs.template as { template?: { containers?: { resources?: { limits?: Record<string, string> } }[] } } | undefined)?.template?.containers) ?? [])[0]?.resources?.limits) ?? {};
    const cpu = num(limits.cpu) ?? 1;
    const memory = /^(\d+)(Mi|Gi)$/.exec(limits.memory ?? "512Mi");
    if (!memory) return [{ item: "executions", reason: `memory limit ${limits.memory} is not a Mi or Gi quantity` }];
    const gib = Number(memory[1]) / (memory[2] === "Gi" ? 1 : 1024);
    const seconds = runs * ASSUMPTIONS.scheduledRun.value;
    return [
        { item: `${Math.round(runs)} executions: ${cpu} vCPU`, quantity: seconds * cpu, price: "run.vcpuSecond", assumptions: ["scheduledRun"] },
        { item: `${Math.round(runs)} executions: ${gib} GiB`, quantity: seconds * gib, price: "run.memoryGibSecond", assumptions: ["scheduledRun"] },
    ];
};

const storageBucket: Rule = bucket => {
    const location = String(bucket.inputs.location ?? "US").toLowerCase();
    const storageClass = String(bucket.inputs.storageClass ?? "STANDARD");
    if (storageClass !== "STANDARD" || !/^[a-z]+-[a-z]+\d$/.test(location)) return [{ item: "storage", reason: `${storageClass} storage in ${location} is not in the price table` }];
    return [{ item: "Standard storage", quantity: ASSUMPTIONS.objectStorage.value, price: "storage.standardRegionalGbMonth", assumptions: ["objectStorage"] }];
};

const GCP_RULES: Record<string, Rule> = {
    [GCP.template]: instanceTemplate,
    [GCP.disk]: zonalDisk,
    [GCP.regionDisk]: regionalDisk,
    "gcp:compute/resourcePolicy:ResourcePolicy": snapshotSchedule,
    [GCP.address]: externalAddress,
    [GCP.globalAddress]: externalAddress,
    [GCP.forwardingRule]: forwardingRule,
    [GCP.globalForwardingRule]: forwardingRule,
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": () => [{ item: "data processed by the load balancer", quantity: ASSUMPTIONS.loadBalancerTraffic.value, price: "lb.dataProcessedGb", assumptions: ["loadBalancerTraffic"] }],
    [GCP.routerNat]: cloudNat,
    "gcp:compute/subnetwork:Subnetwork": subnetwork,
    "gcp:compute/securityPolicy:SecurityPolicy": armorPolicy,
    "gcp:sql/databaseInstance:DatabaseInstance": cloudSql,
    "gcp:secretmanager/secretVersion:SecretVersion": secretVersion,
    [GCP.sink]: logSink,
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": logBucket,
    "gcp:monitoring/alertPolicy:AlertPolicy": alertPolicy,
    "gcp:dns/managedZone:ManagedZone": () => [{ item: "managed zone", quantity: 1, price: "dns.managedZoneMonth" }],
    [GCP.schedulerJob]: () => [{ item: "scheduler job", quantity: 1, price: "scheduler.jobMonth" }],
    "gcp:cloudrunv2/job:Job": cloudRunJob,
    "gcp:artifactregistry/repository:Repository": () => [{ item: "cached images", quantity: ASSUMPTIONS.registryMirror.value, price: "artifactregistry.storageGbMonth", assumptions: ["registryMirror"] }],
    "gcp:storage/bucket:Bucket": storageBucket,
};

export const RULES: Record<PublicCloud, Record<string, Rule>> = { aws: AWS_RULES, gcp: GCP_RULES };

/**
 * A stack on the local Docker engine runs on the operator's own machine: nothing of it is billed, so nothing is
 * priced, and a figure of $0 would read as a price. The command says so and exits 2, like any other input it
 * cannot take.
 */
export class NotBilled extends Error {
    constructor(stack: string, cloud: Cloud) {
        super(`stack ${stack} runs on cloud ${cloud}, a Docker engine on your own machine: nothing of it is billed, so there is nothing to price; npm run cost prices stacks on ${CLOUDS.join(" and ")} (--cloud)`);
        this.name = "NotBilled";
    }
}

// ---------------------------------------------------------------- the estimate

/** The resource types that are the workloads' compute, storage and databases, per cloud (CostReport.core). */
export const CORE_TYPES: Record<string, string[]> = {
    aws: [AWS.ecsService, "aws:efs/fileSystem:FileSystem", "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance"],
    gcp: ["gcp:compute/instanceTemplate:InstanceTemplate", "gcp:compute/disk:Disk", "gcp:compute/regionDisk:RegionDisk", "gcp:sql/databaseInstance:DatabaseInstance"],
};

const cents = (usd: number) => Math.round(usd * 100) / 100;

/** Prices the resources of a synthesized stack against its cloud's table. */
export function estimateCost(report: Pick<SynthReport, "stack" | "cloud" | "resources">): CostReport {
    const cloud = report.cloud;
    if (cloud === "docker") throw new NotBilled(report.stack, cloud);
    const table = priceTable(cloud);
    const rules = RULES[cloud];
    const graph = new Graph(report.resources);
    const lines: CostLine[] = [];
    const unpriced: UnpricedItem[] = [];
    const types = new Map<string, TypeSummary>();
    const used = new Set<string>();
    const assumed = new Set<AssumptionId>();

    for (const r of report.resources.filter(res => res.custom)) {
        const where = { component: graph.componentOf(r), type: r.type, name: r.name, urn: r.urn };
        const free = table.free[r.type];
        const rule = rules[r.type] as Rule | undefined;
        // Free until a line prices one of its resources; unpriced when one of them has neither price nor free entry.
        const summary = types.get(r.type) ?? { type: r.type, resources: 0, status: "free", monthlyUsd: 0, ...(free ? { free } : {}) };
        summary.resources++;
        types.set(r.type, summary);
        const results = rule ? rule(r, graph) : [];
        if (results.length === 0 && !free) {
            summary.status = "unpriced";
            unpriced.push({ ...where, item: "the resource", reason: rule ? `this configuration of ${r.type} has no price and the table does not name it free` : `no price for ${r.type} in tools/prices/${report.cloud}.json` });
        }
        for (const result of results) {
            if (isMissing(result)) {
                unpriced.push({ ...where, item: result.item, reason: result.reason });
                continue;
            }
            const entry = table.prices[result.price];
            if (!entry) {
                unpriced.push({ ...where, item: result.item, reason: `no entry ${result.price} in tools/prices/${report.cloud}.json`, price: result.price });
                continue;
            }
            if (entry.usd === null) {
                unpriced.push({ ...where, item: result.item, reason: entry.notFound ?? "no price found", price: result.price });
                continue;
            }
            const monthlyUsd = result.quantity * entry.usd;
            lines.push({ ...where, item: result.item, quantity: result.quantity, unit: entry.unit, price: result.price, usdPerUnit: entry.usd, monthlyUsd, assumptions: result.assumptions ?? [] });
            used.add(result.price);
            for (const a of result.assumptions ?? []) assumed.add(a);
            summary.monthlyUsd += monthlyUsd;
            if (summary.status === "free") summary.status = "priced";
        }
    }

    const byComponent = new Map<string, number>();
    for (const l of lines) byComponent.set(l.component, (byComponent.get(l.component) ?? 0) + l.monthlyUsd);
    const total = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
    const coreTypes = CORE_TYPES[report.cloud] ?? [];
    const core = lines.filter(l => coreTypes.includes(l.type)).reduce((sum, l) => sum + l.monthlyUsd, 0);
    return {
        stack: report.stack,
        cloud: report.cloud,
        region: table.region,
        currency: "USD",
        hoursPerMonth: H,
        monthlyUsd: cents(total),
        byComponent: [...byComponent].map(([component, usd]) => ({ component, monthlyUsd: cents(usd) })).sort((a, b) => b.monthlyUsd - a.monthlyUsd),
        byType: [...types.values()].map(t => ({ ...t, monthlyUsd: cents(t.monthlyUsd) })).sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.type.localeCompare(b.type)),
        core: { types: coreTypes, monthlyUsd: cents(core), ratio: core > 0 ? Math.round((total / core) * 100) / 100 : 0 },
        lines,
        unpriced,
        assumptions: (Object.keys(ASSUMPTIONS) as AssumptionId[]).filter(a => assumed.has(a)).map(id => ({ id, text: ASSUMPTIONS[id].text })),
        notIncluded: NOT_INCLUDED,
        prices: [...used].sort().map(id => ({ id, ...table.prices[id] })),
    };
}

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The estimate as text: totals by component and by resource type, what is unpriced, the assumptions. */
export function renderCost(cost: CostReport): string {
    const out: string[] = [];
    out.push(`stack ${cost.stack} on ${cost.cloud} (${cost.region}): ${usd(cost.monthlyUsd)} a month at on-demand list prices (${cost.hoursPerMonth} hours)`);
    if (cost.unpriced.length > 0) out.push(`  plus ${cost.unpriced.length} unpriced item(s), not counted: see below`);
    out.push(`  of which compute, storage and databases: ${usd(cost.core.monthlyUsd)}; the stack costs ${cost.core.ratio.toFixed(2)}x that`);
    out.push("by component:");
    for (const c of cost.byComponent) out.push(`  ${c.component.padEnd(24)} ${usd(c.monthlyUsd).padStart(12)}`);
    out.push("by resource type:");
    for (const t of cost.byType.filter(t => t.status !== "free")) out.push(`  ${`${t.type} x${t.resources}`.padEnd(72)} ${t.status === "unpriced" ? "unpriced".padStart(12) : usd(t.monthlyUsd).padStart(12)}`);
    const free = cost.byType.filter(t => t.status === "free");
    if (free.length > 0) out.push(`free (each with its source in tools/prices/${cost.cloud}.json): ${free.map(t => `${t.type} x${t.resources}`).join(", ")}`);
    out.push(`unpriced, not counted: ${cost.unpriced.length === 0 ? "none" : ""}`);
    for (const u of cost.unpriced) out.push(`  ${u.type} ${u.name}: ${u.item}: ${u.reason}`);
    out.push("assumptions:");
    for (const a of cost.assumptions) out.push(`  - ${a.text}`);
    out.push("not included:");
    for (const n of cost.notIncluded) out.push(`  - ${n}`);
    return out.join("\n");
}

const USAGE = "usage: npm run cost -- <stack> [--cloud aws|gcp] [--json] [--set key=value ...]";

/** The command: arguments in, exit code out; the synth's exit codes for a bad stack file, config or flag. */
export async function main(argv: string[], io: { out(text: string): Promise<void>; err(text: string): void } = {
    out: text => new Promise<void>((resolve, reject) => process.stdout.write(text, e => (e ? reject(e) : resolve()))),
    err: text => void process.stderr.write(text),
}): Promise<number> {
    let cost: CostReport;
    let json: boolean;
    try {
        const request = parseArgs(argv);
        json = request.json;
        cost = estimateCost(await synthStack({ ...request, onNotice: line => io.err(`${line}\n`) }));
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`${e.message.replace(/usage: npm run synth -- .*$/, USAGE)}\n`);
            return 2;
        }
        if (e instanceof ConfigError || e instanceof StackFileError || e instanceof NotBilled) {
            io.err(`${e.message}\n`);
            return 2;
        }
        io.err(`cost failed: ${(e as Error).stack ?? e}\n`);
        return 3;
    }
    await io.out(json ? `${JSON.stringify(cost, null, 2)}\n` : `${renderCost(cost)}\n`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(code => process.exit(code), e => {
        process.stderr.write(`${e}\n`);
        process.exit(3);
    });
}
