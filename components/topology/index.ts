// Provider-neutral contracts. Workloads are written against these types only; components/aws and
// components/gcp implement them. Nothing here imports a cloud SDK.
import * as pulumi from "@pulumi/pulumi";

export type Cloud = "aws" | "gcp";

/**
 * One type token per primitive, the same on both clouds, so policies, tests and the zone-failure analysis
 * find a service or a volume without knowing which cloud made it.
 */
export const COMPONENT_TYPES = {
    network: "web3-nodes:topology:Network",
    secret: "web3-nodes:topology:Secret",
    volume: "web3-nodes:topology:Volume",
    bucket: "web3-nodes:topology:Bucket",
    service: "web3-nodes:topology:ZonalService",
    loadBalancerTarget: "web3-nodes:topology:LoadBalancerTarget",
    httpsLoadBalancer: "web3-nodes:topology:HttpsLoadBalancer",
    passthroughLoadBalancer: "web3-nodes:topology:PassthroughLoadBalancer",
    dnsRecord: "web3-nodes:topology:DnsRecord",
} as const;
export type Profile = "dev" | "prod";

/** A uid:gid pair. Zero is refused everywhere: nothing in this program runs as root. */
export interface RunAs {
    uid: number;
    gid: number;
}

/** Facts every primitive needs about the stack it belongs to. */
export interface StackContext {
    /** Short lowercase prefix for physical names, e.g. "web3-dev". */
    prefix: string;
    profile: Profile;
    /** The three zones of the region, in order. */
    zones: string[];
    /** Apex domain under which load balancers get their names. */
    domain: string;
    /** Tags on AWS, labels on GCP. */
    tags: Record<string, string>;
    logRetentionDays: number;
    backupRetentionDays: number;
}

// ---------------------------------------------------------------- network

export interface NetworkArgs {
    /** IPv4 CIDR of the VPC, e.g. 10.40.0.0/16. */
    cidr: string;
    /** How many static egress addresses NAT uses (AWS: one NAT gateway per address, one per zone at most). */
    natAddresses: number;
}

export interface Network extends pulumi.ComponentResource {
    readonly cidr: string;
    /** Static public IPs all outbound traffic leaves from: hand these to allowlists. */
    readonly egressIps: pulumi.Output<string[]>;
}

// ---------------------------------------------------------------- secrets

export interface SecretArgs {
    /** The value; made secret if it is not already. */
    value: pulumi.Input<string>;
    description?: string;
}

/** A value in the cloud's secret store. Services reference it; it is never copied into their definition. */
export interface Secret extends pulumi.ComponentResource {
    readonly secretName: string;
    /** The cloud's reference to the secret (an ARN or a Secret Manager resource name), never the value. */
    readonly reference: pulumi.Output<string>;
}

// ---------------------------------------------------------------- volumes and buckets

export interface VolumeArgs {
    zone: string;
    sizeGiB: number;
    /** Owner of the volume's root directory; the service mounting it must run as this user. */
    owner: RunAs;
}

/** A zonal persistent volume: mounted read-write by exactly one service in its zone. */
export interface Volume extends pulumi.ComponentResource {
    readonly volumeName: string;
    readonly zone: string;
    readonly sizeGiB: number;
    readonly owner: RunAs;
}

export interface BucketArgs {
    /** Days to keep noncurrent object versions (the bucket's backup window). */
    noncurrentVersionDays?: number;
}

export interface Bucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    /** Endpoint for S3-compatible clients. */
    readonly s3Endpoint: string;
}

// ---------------------------------------------------------------- services

export type Protocol = "tcp" | "udp";

/**
 * Who may reach a port. `public` is for libp2p swarm ports only: the world reaches it through a static
 * pass-through address. `loadBalancer` lets the given HTTPS load balancer (and its health checks) in.
 * `services` lets the named access groups in (a group is a service's `accessGroup`, default its name).
 * `local` keeps the port inside the service: its own containers only.
 */
export type Exposure =
    | { kind: "public" }
    | { kind: "loadBalancer"; target: LoadBalancerTarget }
    | { kind: "services"; groups: string[] }
    | { kind: "local" };

export interface PortSpec {
    port: number;
    protocol?: Protocol;
    exposure: Exposure;
}

export interface ContainerHealthCheck {
    /** Exec form, run inside the container. Must not carry a secret. */
    command: string[];
    intervalSeconds?: number;
    timeoutSeconds?: number;
    retries?: number;
    startPeriodSeconds?: number;
}

export interface MountSpec {
    volume: Volume;
    path: string;
}

export interface ContainerSpec {
    name: string;
    /** A pinned reference: repository:tag or repository@sha256:digest. */
    image: string;
    /** Replaces the image's entrypoint. */
    entrypoint?: string[];
    command?: string[];
    env?: Record<string, pulumi.Input<string>>;
    /** Environment variables read from the secret store at start. */
    secrets?: Record<string, Secret>;
    ports?: PortSpec[];
    healthCheck?: ContainerHealthCheck;
    /** vCPU, e.g. 0.5. */
    cpu: number;
    memoryMiB: number;
    user: RunAs;
    mounts?: MountSpec[];
}

/** The HTTP check the platform uses to decide that the whole service is dead and must be replaced. */
export interface ServiceHealthCheck {
    port: number;
    path: string;
    /** The status a healthy service answers, e.g. "200" or "204". Default "200". */
    status?: string;
    /** Seconds after start before failures count. */
    gracePeriodSeconds?: number;
}

export interface ZonalServiceArgs {
    zone: string;
    containers: ContainerSpec[];
    /** Network identity other services name in `{ kind: "services" }` exposures. Default: the service name. */
    accessGroup?: string;
    healthCheck?: ServiceHealthCheck;
}

/** Containers pinned to one zone, one copy at a time, restarted when they die or fail their checks. */
export interface ZonalService extends pulumi.ComponentResource {
    readonly serviceName: string;
    readonly zone: string;
    readonly accessGroup: string;
    /** Stable private DNS name other services in the VPC reach this one by. */
    readonly privateHostname: string;
    /** Static public address of its `public` ports, when it has any. */
    readonly publicAddress?: pulumi.Output<string>;
}

// ---------------------------------------------------------------- load balancing

export interface LoadBalancerTargetArgs {
    /** Container port the load balancer forwards to. */
    port: number;
    healthCheck: { path: string; /** e.g. "200" or "200-299" or "204". */ status: string };
}

/**
 * A set of services behind one HTTPS name. Create it, give it to services' ports, then build its HTTPS load
 * balancer: every target needs exactly one, since on AWS a service waits for its target's listener.
 */
export interface LoadBalancerTarget extends pulumi.ComponentResource {
    readonly targetName: string;
    readonly port: number;
    readonly healthCheck: LoadBalancerTargetArgs["healthCheck"];
}

export interface HttpsLoadBalancerArgs {
    /** Label under the stack's domain, e.g. "cluster" for cluster.<domain>. */
    hostname: string;
    target: LoadBalancerTarget;
    /** Source CIDRs allowed to reach it. Default: everyone. */
    allowedCidrs?: string[];
}

/** What a DNS record must point at to reach a load balancer or an address. */
export type DnsTarget =
    | { type: "A"; addresses: pulumi.Input<string>[] }
    | { type: "CNAME"; name: pulumi.Input<string> }
    | { type: "ALIAS"; name: pulumi.Input<string>; zoneId: pulumi.Input<string> };

export interface HttpsLoadBalancer extends pulumi.ComponentResource {
    readonly fqdn: string;
    readonly url: string;
    readonly dnsTarget: DnsTarget;
}

// ---------------------------------------------------------------- DNS

export interface DnsRecordArgs {
    /** Fully qualified name. */
    fqdn: string;
    target: DnsTarget;
    ttl?: number;
}

export interface DnsRecord extends pulumi.ComponentResource {
    readonly fqdn: string;
}

/** A DNS provider: Route 53, Cloud DNS or Cloudflare, chosen by `dns.provider`, independent of the cloud. */
export interface Dns {
    readonly provider: string;
    record(name: string, args: DnsRecordArgs, parent?: pulumi.Resource): DnsRecord;
}

// ---------------------------------------------------------------- the back-end

/** One cloud. Every method declares a primitive as a ComponentResource whose cloud resources are its children. */
export interface Backend {
    readonly cloud: Cloud;
    readonly context: StackContext;
    readonly network: Network;
    readonly dns: Dns | undefined;
    // `parent`: the workload component the primitive belongs to, so policies and the resource tree see
    // which workload a service, a volume or a load balancer serves. Default: the stack.
    secret(name: string, args: SecretArgs, parent?: pulumi.Resource): Secret;
    volume(name: string, args: VolumeArgs, parent?: pulumi.Resource): Volume;
    bucket(name: string, args?: BucketArgs, parent?: pulumi.Resource): Bucket;
    service(name: string, args: ZonalServiceArgs, parent?: pulumi.Resource): ZonalService;
    loadBalancerTarget(name: string, args: LoadBalancerTargetArgs, parent?: pulumi.Resource): LoadBalancerTarget;
    httpsLoadBalancer(name: string, args: HttpsLoadBalancerArgs, parent?: pulumi.Resource): HttpsLoadBalancer;
}

/** What a back-end is built from: the validated stack configuration, reduced to what the cloud needs. */
export interface BackendSettings {
    prefix: string;
    profile: Profile;
    domain: string;
    tags: Record<string, string>;
    logRetentionDays: number;
    backupRetentionDays: number;
    region: string;
    /** Explicit zones; when absent the back-end uses the region's first three available zones. */
    zones?: string[];
    /** GCP only: the project to deploy into. */
    project?: string;
    network: NetworkArgs;
    dns: { provider: "route53" | "clouddns" | "cloudflare" | "none"; zone?: string };
}

/**
 * Resource options for everything that holds data that cannot be recreated (volumes, file systems, disks,
 * buckets, databases, the seeds of peer identities), on every profile: `protect` makes `pulumi destroy`
 * refuse, and it is what the policy pack can see during a real preview; `retainOnDelete` keeps the data in
 * the cloud even once unprotected and removed from the program.
 */
export const DATA_PROTECTION = { protect: true, retainOnDelete: true } as const;

/** The stack facts every primitive sees, once the back-end has resolved its zones. */
export function stackContext(settings: BackendSettings, zones: string[]): StackContext {
    const { prefix, profile, domain, tags, logRetentionDays, backupRetentionDays } = settings;
    return { prefix, profile, zones, domain, tags, logRetentionDays, backupRetentionDays };
}
