// Provider-neutral contracts. Workloads are written against these types only; components/aws,
// components/gcp and components/docker implement them. Nothing here imports a cloud SDK.
import * as pulumi from "@pulumi/pulumi";
import type { ServerTrust } from "./postgres";

/** Where a stack runs: a public cloud, or a local Docker engine (components/docker, the `local` profile only). */
export type Cloud = "aws" | "gcp" | "docker";
/** The clouds a stack of the dev or prod profile runs on. */
export type PublicCloud = Exclude<Cloud, "docker">;

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
    passthroughAddress: "web3-nodes:topology:PassthroughAddress",
    /** What every HTTPS name of the stack shares: one address and its listeners (an ALB on AWS, a URL map on GCP). */
    httpsEntryPoint: "web3-nodes:topology:HttpsEntryPoint",
    dnsRecord: "web3-nodes:topology:DnsRecord",
    postgres: "web3-nodes:topology:Postgres",
    scheduledJob: "web3-nodes:topology:ScheduledJob",
    registryMirror: "web3-nodes:topology:RegistryMirror",
} as const;
/** dev: small and cheap; prod: survives a lost zone; local: the whole topology on one Docker engine, to try it. */
export type Profile = "dev" | "prod" | "local";

/** A uid:gid pair. Zero is refused everywhere: nothing in this program runs as root. */
export interface RunAs {
    uid: number;
    gid: number;
}

/** A stack stands in this many zones of its region: a zone can be lost and a majority is left. */
export const ZONES_PER_STACK = 3;

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
    /** The zone it is made for; with `regional`, the first of the zones that hold it. */
    zone: string;
    sizeGiB: number;
    /** Owner of the volume's root directory; the service mounting it must run as this user. */
    owner: RunAs;
    /**
     * Its data outlives the loss of its zone, and a service in another of its zones mounts it: a single
     * service then moves zones (its `zone`) and keeps its data. AWS: a directory of the stack's EFS Standard
     * file system, stored across the region's zones with a mount target in each (every zone of the stack);
     * GCP: a regional persistent disk, replicated synchronously to the next zone of the stack (two zones).
     * Default: zonal (EFS One Zone, a zonal persistent disk), which its zone's loss takes with it.
     */
    regional?: boolean;
}

/** A persistent volume: mounted read-write by exactly one service, in one of its zones. */
export interface Volume extends pulumi.ComponentResource {
    readonly volumeName: string;
    /** The zone it was made for. */
    readonly zone: string;
    /** The zones a service that mounts it may stand in: its zone alone, or every zone that holds it. */
    readonly zones: readonly string[];
    readonly regional: boolean;
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
    /** The region S3-compatible clients sign their requests for (AWS_REGION). */
    readonly s3Region: string;
}

export type BucketAccess = "read" | "readWrite";

/**
 * A service's right to a bucket's objects. Its containers reach the bucket with any S3 client through the
 * AWS SDK's default credential chain: the task role on AWS (no key anywhere); on GCP an HMAC key of the
 * service's own account, given to every container as the secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
 */
export interface BucketGrant {
    bucket: Bucket;
    access: BucketAccess;
}

// ---------------------------------------------------------------- services

export type Protocol = "tcp" | "udp";

/**
 * Who may reach a port. `public` is for libp2p swarm ports only: the world reaches it through a static
 * pass-through address, which sends it connections while it accepts TCP connections (the readiness of a
 * public port; UDP has none). `loadBalancer` lets the given HTTPS load balancer (and its health checks) in.
 * `services` lets the named access groups in (a group is a service's `accessGroup`, default its name).
 * `local` keeps the port inside the service: its own containers only. `publicAddress` opens a TCP port to the
 * world through a pass-through address several services share (PassthroughAddress), which sends connections to
 * whichever of them accepts TCP on it.
 */
export type Exposure =
    | { kind: "public" }
    | { kind: "publicAddress"; address: PassthroughAddress }
    | { kind: "loadBalancer"; target: LoadBalancerTarget }
    | { kind: "services"; groups: string[] }
    | { kind: "local" };

export interface PortSpec {
    port: number;
    protocol?: Protocol;
    exposure: Exposure;
}

/**
 * A volume in a container. A container that mounts one starts through the volume fence (./fence.ts), which
 * holds the volume for it alone: the container must then give its entrypoint.
 */
export interface MountSpec {
    volume: Volume;
    path: string;
    /**
     * Lock files the software leaves on the volume when it is killed, relative to `path` (`*` matches within
     * one directory). The fence removes them once it holds the volume, never before.
     */
    staleLocks?: string[];
}

export interface ContainerSpec {
    name: string;
    /** A pinned reference: repository:tag or repository@sha256:digest. */
    image: string;
    /** Replaces the image's entrypoint. */
    entrypoint?: string[];
    command?: string[];
    env?: Record<string, pulumi.Input<string>>;
    /**
     * Environment variables read from the secret store at start. They reach the container's processes in
     * memory only; a back-end may hand them over through a shell in the image (/bin/sh) that then runs the
     * entrypoint, so a container with secrets gives its entrypoint.
     */
    secrets?: Record<string, Secret>;
    ports?: PortSpec[];
    /** vCPU, e.g. 0.5. */
    cpu: number;
    memoryMiB: number;
    user: RunAs;
    mounts?: MountSpec[];
    /** Where the container writes what it decodes from its secrets: a directory in memory, never on a disk. */
    memoryScratch?: MemoryScratch;
}

/**
 * A tmpfs at `path`, empty at every start, gone when the container stops, writable by the container's user:
 * files written there never reach the container's writable layer (which lives on a disk) or a volume. What it
 * holds counts against the container's memory. Both back-ends mount it: a `--tmpfs` on GCP, the task
 * definition's linuxParameters.tmpfs on AWS (which Fargate supports since January 2026).
 */
export interface MemoryScratch {
    path: string;
    sizeMiB: number;
}

/**
 * Liveness: what replaces a service. It fails only when a process of the service is itself broken, never
 * because something the service depends on is down or still starting (another service, a chain's RPC, the
 * database): that is readiness, which only steers traffic (a load balancer target's `readiness`).
 * - "http": GET http://<the service>:<port><path> answers 200 within LIVENESS_PROBE.timeoutSeconds. Once
 *   `gracePeriodSeconds` have passed since the service started, LIVENESS_PROBE.failures failures in a row,
 *   LIVENESS_PROBE.intervalSeconds apart, replace it. 200 and nothing else, no redirect followed: the one
 *   answer every cloud's probe takes as alive (Google's HTTP health checks pass on 200 alone).
 * - "exit": only its containers decide, by exiting when they are broken. For an active/standby pair whose
 *   standby answers on no port until it takes over: a probe of a port would replace the standby over and over.
 * Whatever the liveness, a container that exits is restarted (on AWS its whole task is replaced).
 */
export type Liveness =
    | { kind: "http"; port: number; path: string; gracePeriodSeconds: number }
    | { kind: "exit" };

/** How a "http" liveness is probed, on every cloud: a broken process is replaced after about two minutes. */
export const LIVENESS_PROBE = { intervalSeconds: 30, timeoutSeconds: 10, failures: 4 } as const;

/**
 * The grace a "http" liveness may give a starting service: what every back-end can honour (Compute Engine's
 * autohealing initial delay is 0 to 3600 s, compute v1 InstanceGroupManagerAutoHealingPolicy.initialDelaySec).
 */
export const LIVENESS_GRACE_SECONDS = { min: 0, max: 3600 } as const;

export interface ZonalServiceArgs {
    zone: string;
    containers: ContainerSpec[];
    /** Network identity other services name in `{ kind: "services" }` exposures. Default: the service name. */
    accessGroup?: string;
    /** What replaces the service, and nothing else does. */
    liveness: Liveness;
    /** Buckets its containers read or write, each granted to this service alone. */
    buckets?: BucketGrant[];
    /** Changes reach it as one step of a roll (see RollingUpdate). Default: an update ends once the cloud accepts it. */
    rolling?: RollingUpdate;
}

/**
 * A change to the service is one step of a roll: the update of the service ends only once its new copy is
 * healthy, and fails, leaving every later step untouched, when it does not become healthy in time
 * (rollingStepTimeout). Healthy is what each cloud itself waits for: on AWS the ECS deployment reaches
 * COMPLETED (the new task runs and passes the readiness of every load balancer target it serves), and ECS rolls
 * a failed deployment back; on GCP the instance group is stable on its new template (the new instance passed
 * its autohealing check, the service's "http" liveness; with an "exit" liveness, it runs).
 */
export interface RollingUpdate {
    /** The step before: its update must have ended before this service's starts, so the two are never down together. */
    after?: ZonalService;
}

/** The longest a new copy may take to pass its liveness before the liveness replaces it: none for an "exit" liveness. */
export function livenessDeadlineSeconds(liveness: Liveness): number {
    return liveness.kind === "http" ? liveness.gracePeriodSeconds + LIVENESS_PROBE.failures * LIVENESS_PROBE.intervalSeconds : 0;
}

/** Starts one step of a roll waits through: the new copy's, then a second (the old copy rolled back, or the new one replaced). */
export const ROLLING_STEP_STARTS = 2;

/**
 * How long one step of a roll may take before the roll stops there, as a Pulumi custom timeout: every start it
 * waits through, each given what the back-end needs to start a copy (`startSeconds`) and the liveness deadline.
 */
export function rollingStepTimeout(liveness: Liveness, startSeconds: number): string {
    return `${Math.ceil((ROLLING_STEP_STARTS * (startSeconds + livenessDeadlineSeconds(liveness))) / 60)}m`;
}

/**
 * What a zonal service publishes of its containers: its inputs as the engine records them (what resource
 * policies see) and among its registered outputs (what stack policies see). Plain values the program knows
 * before any cloud resource exists, so the policy pack judges the containers even in the preview of a new
 * stack, where the task definition or instance template that runs them is still unknown. Built by
 * publishedService (./published.ts) on every back-end; policies/rules/containers.ts reads it.
 */
export interface PublishedService {
    zone: string;
    /** Every container the service runs, back-end additions included (AWS's liveness watchdog). */
    containers: PublishedContainer[];
}

export interface PublishedContainer {
    name: string;
    /** The reference the runtime pulls: through the stack's registry mirror. */
    image: string;
    user: RunAs;
    /** As the workload gives it; a back-end may start it through the volume fence (./fence.ts), which then runs it. */
    entrypoint?: string[];
    command?: string[];
    /**
     * Environment variables in name order. `value` only when the program gives it as plain text: one computed
     * from other resources is unknown before they exist, and is never waited for.
     */
    env: { name: string; value?: string }[];
    /** Names of the variables read from the secret store at start; never their values. */
    secrets: string[];
    mounts: { volume: string; path: string }[];
    memoryScratch?: MemoryScratch;
    ports: { port: number; protocol: Protocol }[];
}

/** Containers pinned to one zone, one copy at a time, replaced when they exit or fail their liveness. */
export interface ZonalService extends pulumi.ComponentResource {
    readonly serviceName: string;
    readonly zone: string;
    readonly accessGroup: string;
    /** Stable private DNS name other services in the VPC reach this one by. */
    readonly privateHostname: string;
    /**
     * Static public address of its `public` ports, when it has any: it reaches the service in its zone. On AWS the
     * stack's network load balancer's address in that zone (a service that moves zones moves to that zone's
     * address), on GCP a regional address that stays.
     */
    readonly publicAddress?: pulumi.Output<string>;
    /**
     * The port the world reaches one of its `public` container ports on, at `publicAddress`: the container port
     * itself unless the back-end serves several services' same port on one address, which
     * gives each its own (PUBLIC_PORT_STRIDE). What the service's software must announce.
     */
    publicPort(containerPort: number): number;
}

/**
 * How public ports are numbered where one address serves the same container port of several services. The
 * n-th service (from 0, in declaration order) with that port behind an address is reached on
 * `containerPort + n * stride`: the first keeps its container port, and services added later never move the
 * ports of those before them. The stride keeps the ports of different container ports apart (4001 and 4101
 * never meet), and a port above 65535 is refused.
 */
export const PUBLIC_PORT_STRIDE = 1000;

/** The public port of the `ordinal`-th service with `containerPort` behind one address (PUBLIC_PORT_STRIDE). */
export function publicPortFor(containerPort: number, ordinal: number): number {
    const port = containerPort + ordinal * PUBLIC_PORT_STRIDE;
    if (port > 65535) throw new Error(`public port of container port ${containerPort} for service number ${ordinal + 1} behind one address would be ${port}, above 65535: too many services serve that port on one address`);
    return port;
}

// ---------------------------------------------------------------- load balancing

export interface LoadBalancerTargetArgs {
    /** Container port the load balancer forwards to. */
    port: number;
    /**
     * Readiness: whether a service behind the target is sent requests now. It may fail while something the
     * service depends on is down or still starting; it never replaces the service (its `liveness` does).
     * GET `path`, ready on `status`.
     */
    readiness: {
        path: string;
        /** e.g. "200" or "200-299" or "204". */
        status: string;
        /**
         * Where the check goes when the service answers it on another port than it serves (a daemon's own
         * health endpoint). The services expose that port to this target too, so the load balancer's health
         * checks, and nothing else, reach it. Default: the target's port.
         */
        port?: number;
    };
    /**
     * The target serves WebSocket connections that live for hours: the load balancer keeps them open (AWS:
     * the longest idle timeout an ALB allows; GCP: a backend timeout of a day, after which clients reconnect).
     */
    websocket?: boolean;
}

/**
 * A set of services behind one HTTPS name. Create it, give it to services' ports, then build its HTTPS load
 * balancer: every target needs exactly one, since on AWS a service waits for its target's listener.
 */
export interface LoadBalancerTarget extends pulumi.ComponentResource {
    readonly targetName: string;
    readonly port: number;
    readonly readiness: LoadBalancerTargetArgs["readiness"];
}

export interface PassthroughAddressArgs {
    /** The TCP port the world reaches; every service behind the address serves it as `{ kind: "publicAddress" }`. */
    port: number;
    /** The zones of the services behind it, one service in each: the AWS back-end gives the address an IP in each. */
    zones: string[];
}

/**
 * One static public address in front of the same TCP port of services in several zones, passing each
 * connection through untouched to whichever of them accepts TCP on the port (a TCP health check): for an
 * active/standby pair whose standby does not listen, the address follows the active one, and it stays served
 * while any of the services' zones stands. AWS: a network load balancer with an Elastic IP in each zone and
 * cross-zone load balancing, so every IP reaches the service in any zone; GCP: a regional external passthrough
 * network load balancer on one regional address, every service's instance group a backend.
 */
export interface PassthroughAddress extends pulumi.ComponentResource {
    readonly addressName: string;
    readonly port: number;
    readonly zones: readonly string[];
    /** Its public IPv4 addresses, each reaching the same services: one per zone on AWS, one on GCP. */
    readonly publicIps: pulumi.Output<string[]>;
}

export interface HttpsLoadBalancerArgs {
    /** Label under the stack's domain, e.g. "cluster" for cluster.<domain>. */
    hostname: string;
    target: LoadBalancerTarget;
    /** Source CIDRs allowed to reach it. Default: everyone. */
    allowedCidrs?: string[];
    /**
     * Path prefixes, each starting and ending with "/", the target is sent requests for; every other path is
     * answered 404 by the load balancer and never reaches it (AWS: a listener rule per prefix before a fixed
     * 404; GCP: a Cloud Armor rule denying other paths with 404). Default: every path.
     */
    pathPrefixes?: string[];
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

// ---------------------------------------------------------------- scheduled jobs

/** The container a scheduled job runs: no ports, no volumes, no scratch; it does its work and exits. */
export type JobContainerSpec = Omit<ContainerSpec, "ports" | "mounts" | "memoryScratch">;

export interface ScheduledJobArgs {
    /** Minutes between runs: minutes that divide an hour or hours that divide a day (see rules.ts). */
    everyMinutes: number;
    container: JobContainerSpec;
}

/**
 * A container run on a schedule outside every service (AWS: EventBridge Scheduler starting a Fargate task;
 * GCP: Cloud Scheduler starting a Cloud Run job). It reaches the internet through the stack's NAT, so it
 * calls from the stack's egress addresses; nothing can connect to it. A run that fails is not retried: the
 * next one comes on schedule.
 */
export interface ScheduledJob extends pulumi.ComponentResource {
    readonly jobName: string;
    readonly everyMinutes: number;
}

// ---------------------------------------------------------------- managed Postgres

/** Thresholds of the alarms every managed Postgres has, and who hears them. */
export interface PostgresAlarms {
    /** Average CPU of an instance, in percent, above which it alarms. Default 80. */
    cpuPercent?: number;
    /** Share of `storageGiB` in use, in percent, above which it alarms. Default 80. */
    storagePercent?: number;
    /** Address that receives the alarms; without one they show in the cloud's console only. */
    email?: string;
}

/**
 * A managed PostgreSQL with one writer endpoint and a standby in another zone that takes over on its own:
 * Aurora PostgreSQL (a writer and a reader) on AWS, Cloud SQL with REGIONAL availability on GCP. Private
 * only, TLS required, encrypted, backed up with point-in-time recovery, protected from deletion. Facts and
 * checks shared by both back-ends: ./postgres.ts.
 */
export interface PostgresArgs {
    /** Zones of the writer and of the standby that takes over from it: two different zones of the stack. */
    zones: [string, string];
    /** Instance class: an Aurora class on AWS (db.r6g.large), a Cloud SQL tier on GCP (db-custom-2-13312). */
    instanceClass: string;
    /** Cloud SQL: the disk's first size (it grows on its own). Aurora grows by itself: what the storage alarm measures against. */
    storageGiB: number;
    /** PostgreSQL major version, 14 to 17. Default 16. */
    version?: number;
    /** Days automated backups are kept, 7 to 35. Default: the stack's backupRetentionDays. */
    backupRetentionDays?: number;
    /** The database the workload uses, owned by `userName`. */
    databaseName: string;
    userName: string;
    /** Access groups of the services that connect: nothing else reaches the database. */
    clientGroups: string[];
    alarms?: PostgresAlarms;
}

export interface Postgres extends pulumi.ComponentResource {
    readonly databaseName: string;
    readonly userName: string;
    /** The writer's zone, then the standby's. */
    readonly zones: string[];
    readonly port: number;
    /** The single writer endpoint: it follows a failover, so clients never name an instance. */
    readonly host: pulumi.Output<string>;
    /** postgresql://user:password@host:port/database?sslmode=require, as a secret. */
    readonly url: pulumi.Output<string>;
    /** Connections the database accepts, from its class; the workload's pools must fit in it. */
    readonly connectionLimit: number;
    /** What a client that holds a CA file verifies the server's certificate against, and how (postgres.ts ServerTrust). */
    readonly serverTrust: ServerTrust;
    /** Where alarms are published: the SNS topic on AWS, the email notification channel on GCP (none without an email). */
    readonly alarmDestination: pulumi.Output<string | undefined>;
}

// ---------------------------------------------------------------- registry mirror

/**
 * The stack's own pull-through cache of the upstream registries (./images.ts): an ECR pull-through cache on
 * AWS, an Artifact Registry remote repository on GCP. Workloads keep naming upstream images; each back-end
 * pulls every container of its services and scheduled jobs through it, so no task or instance pulls from
 * Docker Hub itself (anonymous pulls are limited per address, and everything behind the stack's NAT shares one).
 */
export interface RegistryMirror extends pulumi.ComponentResource {
    /** The reference this stack's runtimes pull an upstream image by; throws for a registry it does not serve. */
    imageFor(image: string): string;
}

/** Docker Hub credentials the mirror pulls with. On AWS they are required: ECR pulls from Docker Hub only with them. */
export interface RegistryMirrorSettings {
    dockerHub?: { username: string; accessToken: pulumi.Input<string> };
}

// ---------------------------------------------------------------- the back-end

/** One cloud. Every method declares a primitive as a ComponentResource whose cloud resources are its children. */
export interface Backend {
    readonly cloud: Cloud;
    readonly context: StackContext;
    readonly network: Network;
    readonly dns: Dns | undefined;
    /** Where every container image of the stack is pulled from. */
    readonly registryMirror: RegistryMirror;
    // `parent`: the workload component the primitive belongs to, so policies and the resource tree see
    // which workload a service, a volume or a load balancer serves. Default: the stack.
    secret(name: string, args: SecretArgs, parent?: pulumi.Resource): Secret;
    volume(name: string, args: VolumeArgs, parent?: pulumi.Resource): Volume;
    bucket(name: string, args?: BucketArgs, parent?: pulumi.Resource): Bucket;
    service(name: string, args: ZonalServiceArgs, parent?: pulumi.Resource): ZonalService;
    loadBalancerTarget(name: string, args: LoadBalancerTargetArgs, parent?: pulumi.Resource): LoadBalancerTarget;
    httpsLoadBalancer(name: string, args: HttpsLoadBalancerArgs, parent?: pulumi.Resource): HttpsLoadBalancer;
    /** Made before the services that serve its port, each in one of its zones. */
    passthroughAddress(name: string, args: PassthroughAddressArgs, parent?: pulumi.Resource): PassthroughAddress;
    postgres(name: string, args: PostgresArgs, parent?: pulumi.Resource): Postgres;
    scheduledJob(name: string, args: ScheduledJobArgs, parent?: pulumi.Resource): ScheduledJob;
    /**
     * Declares what the stack's workloads share and can only be settled once all of them are declared (the
     * stack's one HTTPS entry point: its host rules, its certificates). Called once, after the last workload.
     */
    finish(): void;
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
    /**
     * Explicit zones as the operator wrote them (AWS: zone names or AZ IDs); when absent the back-end picks
     * three zones of the region that offer everything the stack runs.
     */
    zones?: string[];
    /** GCP only: the project to deploy into. */
    project?: string;
    network: NetworkArgs;
    dns: { provider: "route53" | "clouddns" | "cloudflare" | "none"; zone?: string };
    registryMirror: RegistryMirrorSettings;
}

/**
 * Resource options for everything that holds data that cannot be recreated (volumes, file systems, disks,
 * buckets, databases, the seeds of peer identities), on every profile: `protect` makes `pulumi destroy`
 * refuse, and it is what the policy pack can see during a real preview; `retainOnDelete` keeps the data in
 * the cloud even once unprotected and removed from the program. Give it to the resource that holds the data,
 * never to a component: every child that does not set them takes its parent's protect (the SDK) and
 * retainOnDelete (the engine), and a kept mount target or bucket setting cannot be replaced or cleaned up.
 */
export const DATA_PROTECTION = { protect: true, retainOnDelete: true } as const;

/** The stack facts every primitive sees, once the back-end has resolved its zones. */
export function stackContext(settings: BackendSettings, zones: string[]): StackContext {
    const { prefix, profile, domain, tags, logRetentionDays, backupRetentionDays } = settings;
    return { prefix, profile, zones, domain, tags, logRetentionDays, backupRetentionDays };
}
