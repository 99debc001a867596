// What a stack needs of the clouds' quotas that a new account or project does not always grant, computed from
// the synthesized graph and compared with the default. Each quota is kept as data with its source and the date
// it was read; the synth prints the comparison and puts it in its --json report.
import { Cloud } from "../components/topology";
import { SynthResource } from "./harness";

export interface QuotaRule {
    cloud: Cloud;
    /** The quota's name in the Service Quotas console / the Compute Engine quota metric. */
    name: string;
    /** AWS Service Quotas service code and quota code, or the Compute Engine metric. */
    service: string;
    code: string;
    /** What the quota is counted over: "region" or "availability zone". */
    per: "region" | "availability zone";
    /** The default limit. */
    defaultLimit: number;
    /**
     * "documented": the provider's documented default for every account. "typical": Google sets quotas per
     * project ("Not all projects have the same quotas", https://cloud.google.com/compute/resource-usage), so this
     * is what a new project commonly starts with: read the project's own limit before deploying.
     */
    defaultKind: "documented" | "typical";
    source: string;
    read: string;
    /** How much of the quota the stack's resources use (for per-zone quotas, the most any one zone uses). */
    need(resources: SynthResource[]): number;
}

export interface QuotaNeed {
    name: string;
    service: string;
    code: string;
    per: QuotaRule["per"];
    needed: number;
    defaultLimit: number;
    defaultKind: QuotaRule["defaultKind"];
    /** Whether the stack needs more than the default: request an increase before the first deployment. */
    exceedsDefault: boolean;
    source: string;
}

const READ = "2026-12-01";

const ofType = (resources: SynthResource[], type: string) => resources.filter(r => r.type === type);

/** ALB unless loadBalancerType says otherwise (the provider's default is "application"). */
function loadBalancersOfKind(resources: SynthResource[], kind: "application" | "network"): number {
    return resources.filter(r => (r.type === "aws:lb/loadBalancer:LoadBalancer" || r.type === "aws:alb/loadBalancer:LoadBalancer") &&
        ((r.inputs.loadBalancerType as string | undefined) ?? "application") === kind).length;
}

/** The most NAT gateways any one availability zone holds (a gateway stands in its subnet's zone). */
function natGatewaysPerZone(resources: SynthResource[]): number {
    const zoneOfSubnet = new Map(ofType(resources, "aws:ec2/subnet:Subnet").map(s => [s.id, (s.inputs.availabilityZone ?? s.inputs.availabilityZoneId) as string]));
    const perZone = new Map<string, number>();
    for (const nat of ofType(resources, "aws:ec2/natGateway:NatGateway")) {
        if (nat.inputs.availabilityMode === "regional") continue;
        const zone = zoneOfSubnet.get(nat.inputs.subnetId as string) ?? String(nat.inputs.subnetId);
        perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    return Math.max(0, ...perZone.values());
}

/** Balanced and SSD persistent disks draw on the SSD quota; standard disks on another. */
const SSD_QUOTA_DISK_TYPES = ["pd-ssd", "pd-balanced"];

/** How many VMs each instance template makes: its group's target size plus the instances its per-instance configs create. */
export function instancesPerTemplate(resources: SynthResource[]): Map<SynthResource, number> {
    const templates = ofType(resources, "gcp:compute/instanceTemplate:InstanceTemplate");
    const out = new Map<SynthResource, number>();
    for (const group of ofType(resources, "gcp:compute/instanceGroupManager:InstanceGroupManager")) {
        const groupName = group.inputs.name as string;
        const configs = ofType(resources, "gcp:compute/perInstanceConfig:PerInstanceConfig").filter(c => c.inputs.instanceGroupManager === groupName).length;
        const instances = ((group.inputs.targetSize as number | undefined) ?? 0) + configs;
        for (const version of (group.inputs.versions as { instanceTemplate?: string }[] | undefined) ?? []) {
            const url = version.instanceTemplate ?? "";
            const template = templates.find(t => (t.id !== null && url.includes(t.id)) || url.split("?")[0].endsWith(`/${t.inputs.name as string}`));
            if (template) out.set(template, (out.get(template) ?? 0) + instances);
        }
    }
    return out;
}

function ssdGigabytes(resources: SynthResource[]): number {
    let total = 0;
    // Regional disks (a Ceramic node's volumes) draw on the same regional quota; counted here at their size.
    for (const disk of [...ofType(resources, "gcp:compute/disk:Disk"), ...ofType(resources, "gcp:compute/regionDisk:RegionDisk")]) {
        if (SSD_QUOTA_DISK_TYPES.includes((disk.inputs.type as string | undefined) ?? "pd-standard")) total += (disk.inputs.size as number | undefined) ?? 0;
    }
    // Disks a template creates (a boot disk, a scratch disk), once per VM; disks it attaches by source are counted above.
    for (const [template, instances] of instancesPerTemplate(resources)) {
        for (const disk of (template.inputs.disks as { source?: string; diskType?: string; diskSizeGb?: number }[] | undefined) ?? []) {
            if (disk.source === undefined && SSD_QUOTA_DISK_TYPES.includes(disk.diskType ?? "pd-standard")) total += (disk.diskSizeGb ?? 0) * instances;
        }
    }
    return total;
}

const regionalExternalAddresses = (resources: SynthResource[]) =>
    ofType(resources, "gcp:compute/address:Address").filter(a => ((a.inputs.addressType as string | undefined) ?? "EXTERNAL") === "EXTERNAL");

/** External addresses in use: the reserved ones (each is used), and ephemeral ones of VMs and forwarding rules. */
function externalAddressesInUse(resources: SynthResource[]): number {
    let ephemeral = 0;
    for (const [template, instances] of instancesPerTemplate(resources)) {
        for (const nic of (template.inputs.networkInterfaces as { accessConfigs?: { natIp?: string }[] }[] | undefined) ?? []) {
            ephemeral += (nic.accessConfigs ?? []).filter(c => c.natIp === undefined).length * instances;
        }
    }
    ephemeral += ofType(resources, "gcp:compute/forwardingRule:ForwardingRule")
        .filter(f => ((f.inputs.loadBalancingScheme as string | undefined) ?? "EXTERNAL") === "EXTERNAL" && f.inputs.ipAddress === undefined).length;
    return regionalExternalAddresses(resources).length + ephemeral;
}

/** The quotas the program's resources draw on and a default account or project may not cover. */
export const QUOTAS: readonly QuotaRule[] = [
    {
        cloud: "aws",
        name: "EC2-VPC Elastic IPs",
        service: "ec2",
        code: "L-0263D0A3",
        per: "region",
        defaultLimit: 5,
        defaultKind: "documented",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit",
        read: READ,
        need: resources => ofType(resources, "aws:ec2/eip:Eip").length,
    },
    {
        cloud: "aws",
        name: "Application Load Balancers per Region",
        service: "elasticloadbalancing",
        code: "L-53DA6B97",
        per: "region",
        defaultLimit: 50,
        defaultKind: "documented",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html",
        read: READ,
        need: resources => loadBalancersOfKind(resources, "application"),
    },
    {
        cloud: "aws",
        name: "Network Load Balancers per Region",
        service: "elasticloadbalancing",
        code: "L-69A177A2",
        per: "region",
        defaultLimit: 50,
        defaultKind: "documented",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html",
        read: READ,
        need: resources => loadBalancersOfKind(resources, "network"),
    },
    {
        cloud: "aws",
        name: "NAT gateways per Availability Zone",
        service: "vpc",
        code: "L-FE5A380F",
        per: "availability zone",
        defaultLimit: 5,
        defaultKind: "documented",
        source: "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
        read: READ,
        need: natGatewaysPerZone,
    },
    {
        cloud: "gcp",
        name: "Persistent Disk SSD (GB)",
        service: "compute.googleapis.com",
        code: "SSD_TOTAL_GB",
        per: "region",
        defaultLimit: 500,
        defaultKind: "typical",
        // Zonal pd-ssd and pd-balanced disks count against their region's SSD_TOTAL_GB, boot disks included.
        source: "https://cloud.google.com/compute/quotas#disk_quota",
        read: READ,
        need: ssdGigabytes,
    },
    {
        cloud: "gcp",
        name: "Static IP addresses",
        service: "compute.googleapis.com",
        code: "STATIC_ADDRESSES",
        per: "region",
        defaultLimit: 8,
        defaultKind: "typical",
        source: "https://cloud.google.com/compute/quotas#external_ip_addresses",
        read: READ,
        need: resources => regionalExternalAddresses(resources).length,
    },
    {
        cloud: "gcp",
        name: "In-use IP addresses",
        service: "compute.googleapis.com",
        code: "IN_USE_ADDRESSES",
        per: "region",
        defaultLimit: 8,
        defaultKind: "typical",
        source: "https://cloud.google.com/compute/quotas#external_ip_addresses",
        read: READ,
        need: externalAddressesInUse,
    },
];

/** What the stack's resources need of each quota of its cloud, against the default. */
export function quotaNeeds(cloud: Cloud, resources: SynthResource[]): QuotaNeed[] {
    return QUOTAS.filter(q => q.cloud === cloud).map(q => {
        const needed = q.need(resources);
        return {
            name: q.name,
            service: q.service,
            code: q.code,
            per: q.per,
            needed,
            defaultLimit: q.defaultLimit,
            defaultKind: q.defaultKind,
            exceedsDefault: needed > q.defaultLimit,
            source: q.source,
        };
    });
}

/** The command (AWS) or console path (GCP) that asks for more. */
export function increaseRequest(need: QuotaNeed, cloud: Cloud, region: string): string {
    if (cloud === "aws") {
        return `aws service-quotas request-service-quota-increase --service-code ${need.service} --quota-code ${need.code} --desired-value ${need.needed} --region ${region}`;
    }
    return `Google Cloud console, IAM & Admin > Quotas & System Limits: "${need.name}" (${need.code}) in ${region}, at least ${need.needed}`;
}

/** One line per quota, for the synth's tree output. */
export function renderQuotas(needs: QuotaNeed[], cloud: Cloud, region: string): string[] {
    return needs.map(n => {
        const limit = `${n.defaultKind === "typical" ? "typical default" : "default"} ${n.defaultLimit}`;
        const verdict = n.exceedsDefault ? `over the default: ${increaseRequest(n, cloud, region)}` : "within the default";
        return `  ${n.name} (${n.service} ${n.code}, per ${n.per}): needs ${n.needed}, ${limit}; ${verdict}`;
    });
}
