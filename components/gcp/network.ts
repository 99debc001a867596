// The stack's network on GCP: a custom-mode VPC with one regional subnet, Cloud NAT on static addresses, a
// private DNS zone for stable service names, and a log bucket that keeps the containers' logs (the only place they are stored).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Network, NetworkArgs } from "../topology";
import { GOOGLE_RANGES, GcpEnv, afterApis, gcpName } from "./shared";
import { gcpNameFor } from "./names";

/** The log name Docker's gcplogs driver writes under; the sink selects container logs by it. */
export const DOCKER_LOG_NAME = "gcplogs-docker-driver";

/**
 * libp2p dials thousands of peers; Cloud NAT's default of 64 ports per VM would drop most of them. Dynamic
 * allocation starts each VM at `min` and grows it to `max` as it needs.
 */
export const NAT_PORTS_PER_VM = { min: 4096, max: 65536 } as const;

/**
 * The instances' subnet: the first half of the stack's range. GCP subnets are regional, so this one subnet
 * spans all three zones; the second half stays free for private services access (Cloud SQL) and later subnets.
 */
export function instanceSubnetCidr(cidr: string): string {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
    if (!m || Number(m[2]) > 28) throw new Error(`network cidr "${cidr}" must be an IPv4 network of /28 or larger`);
    return `${m[1]}/${Number(m[2]) + 1}`;
}

/** The private DNS domain services are reachable under inside the VPC, without the root's dot. */
export function privateDomain(prefix: string): string {
    return `${prefix}.internal`;
}

/** The stack's container logs: Docker's log name, from instances named `<prefix>-<service>` (see `instanceName`). */
export function containerLogFilter(project: string, prefix: string): string {
    return [`logName="projects/${project}/logs/${DOCKER_LOG_NAME}"`, `jsonPayload.instance.name=~"^${prefix}-"`].join(" AND ");
}

export class GcpNetwork extends pulumi.ComponentResource implements Network {
    readonly cidr: string;
    readonly egressIps: pulumi.Output<string[]>;
    readonly vpc: gcp.compute.Network;
    readonly subnet: gcp.compute.Subnetwork;
    readonly privateZone: gcp.dns.ManagedZone;
    /** `<prefix>.internal`: services register `<service>.<prefix>.internal` in the private zone. */
    readonly privateDomain: string;
    /** Network tag every instance of the stack carries. */
    readonly instanceTag: string;

    constructor(name: string, args: NetworkArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.network, name, {}, opts);
        const prefix = env.context.prefix;
        this.cidr = args.cidr;
        this.privateDomain = privateDomain(prefix);
        this.instanceTag = gcpName([prefix, "instance"]);

        this.vpc = new gcp.compute.Network(`${name}-vpc`, {
            name: gcpName([prefix, "vpc"]),
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
        }, afterApis(env, this, "compute"));

        this.subnet = new gcp.compute.Subnetwork(`${name}-instances`, {
            name: gcpName([prefix, "instances"]),
            network: this.vpc.id,
            region: env.region,
            ipCidrRange: instanceSubnetCidr(args.cidr),
            // Instances have no external IP: Google APIs (Secret Manager, Logging) are reached privately.
            privateIpGoogleAccess: true,
            logConfig: { aggregationInterval: "INTERVAL_5_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
        }, { parent: this });

        const natAddresses = Array.from({ length: args.natAddresses }, (_, i) =>
            new gcp.compute.Address(`${name}-nat-${i}`, {
                name: gcpName([prefix, "nat", String(i)]),
                region: env.region,
                addressType: "EXTERNAL",
                networkTier: "PREMIUM",
                description: "static egress address of the stack: hand it to allowlists",
            }, afterApis(env, this, "compute")));
        this.egressIps = pulumi.all(natAddresses.map(a => a.address));

        const router = new gcp.compute.Router(`${name}-router`, {
            name: gcpName([prefix, "router"]),
            network: this.vpc.id,
            region: env.region,
        }, { parent: this });
        new gcp.compute.RouterNat(`${name}-nat`, {
            name: gcpName([prefix, "nat"]),
            router: router.name,
            region: env.region,
            // Only the reserved addresses, so the egress IPs never change behind an allowlist's back.
            natIpAllocateOption: "MANUAL_ONLY",
            natIps: natAddresses.map(a => a.selfLink),
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: this.subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
            enableDynamicPortAllocation: true,
            enableEndpointIndependentMapping: false,
            minPortsPerVm: NAT_PORTS_PER_VM.min,
            maxPortsPerVm: NAT_PORTS_PER_VM.max,
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        }, { parent: this });

        this.privateZone = new gcp.dns.ManagedZone(`${name}-private-zone`, {
            name: gcpName([prefix, "internal"]),
            dnsName: `${this.privateDomain}.`,
            description: "stable names of the stack's services inside its VPC",
            visibility: "private",
            privateVisibilityConfig: { networks: [{ networkUrl: this.vpc.id }] },
        }, { ...afterApis(env, this, "dns") });

        // OS Login is on and no instance has a public address: operators come in through IAP only.
        new gcp.compute.Firewall(`${name}-iap-ssh`, {
            name: gcpName([prefix, "iap-ssh"]),
            network: this.vpc.id,
            description: "SSH through Identity-Aware Proxy",
            direction: "INGRESS",
            sourceRanges: [...GOOGLE_RANGES.iapTcpForwarding],
            targetTags: [this.instanceTag],
            allows: [{ protocol: "tcp", ports: ["22"] }],
        }, { parent: this });

        const bucketId = gcpNameFor("logBucket", [prefix, "containers"]);
        const logBucket = new gcp.logging.ProjectBucketConfig(`${name}-logs`, {
            project: env.project,
            location: env.region,
            bucketId,
            retentionDays: env.context.logRetentionDays,
            description: "container logs of the stack's instances",
        }, afterApis(env, this, "logging"));
        const sink = new gcp.logging.ProjectSink(`${name}-logs-sink`, {
            name: gcpNameFor("logSink", [prefix, "containers"]),
            destination: `logging.googleapis.com/projects/${env.project}/locations/${env.region}/buckets/${bucketId}`,
            filter: containerLogFilter(env.project, prefix),
            uniqueWriterIdentity: true,
            description: "routes the stack's container logs to its own bucket and retention",
        }, { parent: this, dependsOn: [logBucket] });
        // The _Default sink takes every log too, so each container line would be stored (and billed) twice. A
        // project exclusion is an exclusion of the _Default sink only ("Creates a new exclusion in the _Default
        // sink": https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.exclusions/create): the
        // stack's own sink still takes the lines, and nothing can be excluded from _Required. Same filter, so
        // exactly the lines the sink takes; made once the sink routes them, so none is stored nowhere.
        new gcp.logging.ProjectExclusion(`${name}-logs-default-exclusion`, {
            project: env.project,
            name: gcpNameFor("logExclusion", [prefix, "containers"]),
            filter: containerLogFilter(env.project, prefix),
            description: "the stack's container logs: stored once, in the stack's own log bucket",
        }, { parent: this, dependsOn: [sink] });

        this.registerOutputs({ egressIps: this.egressIps, vpc: this.vpc.id, subnet: this.subnet.id });
    }
}
