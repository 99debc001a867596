// Checks both back-ends run on a service before declaring anything, so a bad service definition fails the
// same way on every cloud. Plain functions: unit-testable without a deployment.
import { ContainerSpec, Exposure, LIVENESS_GRACE_SECONDS, LoadBalancerTarget, LoadBalancerTargetArgs, PassthroughAddressArgs, RunAs, ScheduledJobArgs, StackContext, Volume, ZonalServiceArgs } from "./index";
import { fenceLivenessProblems, fenceProblems } from "./fence";
// The pinning rule is the policy pack's (images-pinned): the pack carries it, the program checks with it too.
import { isPinnedImage } from "../../policies/rules/imageReference";

export { isPinnedImage };

/** Volumes already mounted, and by whom: a volume has exactly one writer. */
const volumeWriters = new WeakMap<Volume, string>();

export function describeUser(user: RunAs): string {
    return `${user.uid}:${user.gid}`;
}


/**
 * A load balancer's path prefix: segments of RFC 3986 unreserved characters, each followed by "/", so the
 * prefix is the same text in an ALB path pattern and in a Cloud Armor expression's string literal.
 */
const PATH_PREFIX = /^\/(?:[A-Za-z0-9._~-]+\/)+$/;
/** An ALB path pattern holds at most 128 characters (elbv2 PathPatternConditionConfig), its trailing "*" included. */
export const ALB_PATH_PATTERN_MAX = 128;
/** Prefixes one load balancer takes: an ALB rule condition compares at most three values, and one rule per prefix is plenty. */
export const MAX_PATH_PREFIXES = 3;

/** What is wrong with an HTTPS load balancer's path prefixes, or undefined. */
export function pathPrefixesProblem(prefixes: readonly string[]): string | undefined {
    if (prefixes.length === 0) return "an empty list forwards nothing; leave pathPrefixes out to forward every path";
    if (prefixes.length > MAX_PATH_PREFIXES) return `${prefixes.length} prefixes, at most ${MAX_PATH_PREFIXES}`;
    const bad = prefixes.filter(p => !PATH_PREFIX.test(p) || p.length + 1 > ALB_PATH_PATTERN_MAX);
    if (bad.length > 0) return `not paths of letters, digits and . _ ~ - segments, each ending in "/" (at most ${ALB_PATH_PATTERN_MAX - 1} characters): ${bad.join(", ")}`;
    return undefined;
}

/** Every problem with a service definition, as sentences naming the service and container. */
export function serviceProblems(name: string, args: ZonalServiceArgs, context: StackContext): string[] {
    const problems: string[] = [];
    if (!context.zones.includes(args.zone)) {
        problems.push(`service ${name}: zone "${args.zone}" is not one of the stack's zones (${context.zones.join(", ")})`);
    }
    if (args.containers.length === 0) problems.push(`service ${name}: needs at least one container`);
    const containerNames = new Set<string>();
    const ports = new Map<string, string>();
    const mountedHere = new Set<Volume>();
    /** The container of this service that mounts each volume: the fence gives a volume to one container. */
    const mountedBy = new Map<Volume, string>();
    for (const c of args.containers) {
        const where = `service ${name}, container ${c.name}`;
        if (!/^[a-z][a-z0-9-]{0,30}$/.test(c.name)) problems.push(`${where}: name must be lowercase letters, digits and dashes`);
        if (containerNames.has(c.name)) problems.push(`${where}: container name used twice`);
        containerNames.add(c.name);
        if (!isPinnedImage(c.image)) {
            problems.push(`${where}: image "${c.image}" must be pinned to a version tag or digest (not latest, not -root)`);
        }
        if (!Number.isInteger(c.user.uid) || c.user.uid <= 0 || !Number.isInteger(c.user.gid) || c.user.gid < 0) {
            problems.push(`${where}: user ${describeUser(c.user)} must have a non-zero uid; nothing runs as root`);
        }
        if (!(c.cpu > 0)) problems.push(`${where}: cpu must be positive`);
        if (!(c.memoryMiB >= 128)) problems.push(`${where}: memoryMiB must be at least 128`);
        for (const p of c.ports ?? []) {
            const key = `${p.port}/${p.protocol ?? "tcp"}`;
            if (ports.has(key)) problems.push(`${where}: port ${key} is already used by container ${ports.get(key)}`);
            ports.set(key, c.name);
            // ECS maps a container port once, for one protocol ("Container port N is used in more than one port
            // mapping"), so a workload that runs on every cloud gives each protocol a port number of its own.
            const other = `${p.port}/${(p.protocol ?? "tcp") === "tcp" ? "udp" : "tcp"}`;
            if (ports.has(other)) problems.push(`${where}: port ${p.port} is declared for both tcp and udp (also by container ${ports.get(other)}); give each protocol its own port number`);
            if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) problems.push(`${where}: port ${p.port} is out of range`);
            if (p.exposure.kind === "loadBalancer" && !targetUsesPort(p.exposure.target, p.port)) {
                const target = p.exposure.target;
                const checks = readinessPort(target) === target.port ? "" : ` and checks ${readinessPort(target)}`;
                problems.push(`${where}: port ${p.port} is given to load balancer target ${target.targetName}, which forwards to ${target.port}${checks}`);
            }
            if (p.exposure.kind === "loadBalancer" && (p.protocol ?? "tcp") !== "tcp") {
                problems.push(`${where}: port ${key} cannot sit behind an HTTPS load balancer`);
            }
            if (p.exposure.kind === "publicAddress") {
                const address = p.exposure.address;
                if (p.port !== address.port || (p.protocol ?? "tcp") !== "tcp") {
                    problems.push(`${where}: port ${key} is given to pass-through address ${address.addressName}, which serves ${address.port}/tcp`);
                }
                if (!address.zones.includes(args.zone)) {
                    problems.push(`${where}: pass-through address ${address.addressName} stands in ${address.zones.join(", ")}, not in the service's zone ${args.zone}`);
                }
            }
        }
        problems.push(...fenceProblems(c).map(p => `service ${name}, ${p}`));
        problems.push(...secretDeliveryProblems(c, (args.buckets ?? []).length > 0).map(p => `service ${name}, ${p}`));
        const paths = new Set<string>();
        for (const m of c.mounts ?? []) {
            const other = mountedBy.get(m.volume);
            if (other !== undefined && other !== c.name) {
                problems.push(`${where}: volume ${m.volume.volumeName} is already mounted by container ${other}; a volume has one writer, and its fence lets one container in`);
            }
            mountedBy.set(m.volume, c.name);
            if (!m.path.startsWith("/")) problems.push(`${where}: mount path "${m.path}" must be absolute`);
            if (paths.has(m.path)) problems.push(`${where}: two volumes mounted at ${m.path}`);
            paths.add(m.path);
            if (!m.volume.zones.includes(args.zone)) {
                problems.push(`${where}: volume ${m.volume.volumeName} is in ${m.volume.zones.length === 1 ? `zone ${m.volume.zone}` : `zones ${m.volume.zones.join(", ")}`}, ` +
                    `the service in ${args.zone}; a volume is only reachable from ${m.volume.zones.length === 1 ? "its own zone" : "its zones"}`);
            }
            if (m.volume.owner.uid !== c.user.uid || m.volume.owner.gid !== c.user.gid) {
                problems.push(`${where}: runs as ${describeUser(c.user)} but volume ${m.volume.volumeName} belongs to ${describeUser(m.volume.owner)}`);
            }
            const writer = volumeWriters.get(m.volume);
            if (writer !== undefined && writer !== name) {
                problems.push(`${where}: volume ${m.volume.volumeName} is already mounted by service ${writer}; a volume has one writer`);
            }
            mountedHere.add(m.volume);
        }
    }
    problems.push(...livenessProblems(name, args));
    problems.push(...fenceLivenessProblems(name, args));
    const granted = new Set<unknown>();
    (args.buckets ?? []).forEach((grant, i) => {
        if (granted.has(grant.bucket)) problems.push(`service ${name}: buckets[${i}] grants a bucket already granted; give each bucket once, with the widest access it needs`);
        granted.add(grant.bucket);
        if (grant.access !== "read" && grant.access !== "readWrite") problems.push(`service ${name}: buckets[${i}] access "${grant.access}" must be read or readWrite`);
    });
    if (problems.length === 0) for (const v of mountedHere) volumeWriters.set(v, name);
    return problems;
}

/** A memory scratch path the back-ends mount as given: absolute, plain characters (Docker splits --tmpfs at ":"). */
const SCRATCH_PATH = /^\/[A-Za-z0-9._/-]+$/;

/**
 * What keeps a container's secrets from reaching it in memory only: a back-end that hands them over through
 * the image's shell must know the entrypoint to run next, and a memory scratch must be a place of its own.
 * `grantsBuckets`: its service is granted buckets, whose credentials are secrets on some clouds (GCP's HMAC key).
 */
export function secretDeliveryProblems(c: Pick<ContainerSpec, "name" | "entrypoint" | "secrets" | "mounts" | "memoryScratch" | "memoryMiB">, grantsBuckets = false): string[] {
    const where = `container ${c.name}`;
    const problems: string[] = [];
    const why = Object.keys(c.secrets ?? {}).length > 0 ? "reads secrets" : grantsBuckets ? "reaches the service's buckets with credentials from the secret store" : undefined;
    if (why && !(c.entrypoint && c.entrypoint.length > 0)) {
        problems.push(`${where}: ${why}, so it must give its entrypoint (and command) as its image declares them: the secrets are handed over before it runs`);
    }
    const scratch = c.memoryScratch;
    if (scratch) {
        if (!SCRATCH_PATH.test(scratch.path) || scratch.path.split("/").includes("..") || scratch.path === "/") {
            problems.push(`${where}: memoryScratch.path "${scratch.path}" must be an absolute path of letters, digits, ".", "_", "-" and "/"`);
        }
        for (const m of c.mounts ?? []) {
            if (scratch.path === m.path || scratch.path.startsWith(`${m.path}/`) || m.path.startsWith(`${scratch.path}/`)) {
                problems.push(`${where}: memoryScratch.path ${scratch.path} overlaps the volume mounted at ${m.path}; what is in memory must stay off the disk`);
            }
        }
        if (!Number.isInteger(scratch.sizeMiB) || scratch.sizeMiB < 1 || scratch.sizeMiB >= c.memoryMiB) {
            problems.push(`${where}: memoryScratch.sizeMiB is ${scratch.sizeMiB}; a whole number from 1 to less than the container's memoryMiB (${c.memoryMiB}), which it counts against`);
        }
    }
    return problems;
}

/** Every problem with a service's liveness, as sentences naming the service. */
export function livenessProblems(name: string, args: Pick<ZonalServiceArgs, "containers" | "liveness">): string[] {
    const liveness = args.liveness;
    if (liveness?.kind === "exit") return [];
    if (liveness?.kind !== "http") return [`service ${name}: liveness must be { kind: "http", port, path, gracePeriodSeconds } or { kind: "exit" }`];
    const problems: string[] = [];
    if (!args.containers.some(c => (c.ports ?? []).some(p => p.port === liveness.port && (p.protocol ?? "tcp") === "tcp"))) {
        problems.push(`service ${name}: liveness port ${liveness.port} is not a TCP port of any of its containers`);
    }
    if (!liveness.path.startsWith("/")) problems.push(`service ${name}: liveness path "${liveness.path}" must start with /`);
    const grace = liveness.gracePeriodSeconds;
    if (!Number.isInteger(grace) || grace < LIVENESS_GRACE_SECONDS.min || grace > LIVENESS_GRACE_SECONDS.max) {
        problems.push(`service ${name}: liveness gracePeriodSeconds is ${grace}; every cloud honours ${LIVENESS_GRACE_SECONDS.min} to ${LIVENESS_GRACE_SECONDS.max}`);
    }
    return problems;
}

/** The port a load balancer target's readiness checks go to. */
export function readinessPort(target: Pick<LoadBalancerTarget, "port" | "readiness">): number {
    return target.readiness.port ?? target.port;
}

/** A target reaches its services on the port it forwards to and on the port it checks. */
export function targetUsesPort(target: Pick<LoadBalancerTarget, "port" | "readiness">, port: number): boolean {
    return port === target.port || port === readinessPort(target);
}

/**
 * How often a scheduled job may run: a number of minutes that divides an hour, or of hours that divides a
 * day, so that every cloud's scheduler (cron on GCP, a rate on AWS) runs it on the same cadence.
 */
export const JOB_INTERVAL_MINUTES: readonly number[] = [
    ...[1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30],
    ...[1, 2, 3, 4, 6, 8, 12, 24].map(h => h * 60),
];

/** Every problem with a scheduled job, as sentences naming the job. */
export function jobProblems(name: string, args: ScheduledJobArgs): string[] {
    const problems: string[] = [];
    const where = `scheduled job ${name}`;
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) problems.push(`${where}: name must be lowercase letters, digits and dashes, at most 41 characters`);
    if (!JOB_INTERVAL_MINUTES.includes(args.everyMinutes)) {
        problems.push(`${where}: everyMinutes is ${args.everyMinutes}; one of ${JOB_INTERVAL_MINUTES.join(", ")} (minutes that divide an hour, or hours that divide a day)`);
    }
    const c = args.container;
    if (!isPinnedImage(c.image)) problems.push(`${where}: image "${c.image}" must be pinned to a version tag or digest (not latest, not -root)`);
    if (!Number.isInteger(c.user.uid) || c.user.uid <= 0 || !Number.isInteger(c.user.gid) || c.user.gid < 0) {
        problems.push(`${where}: user ${describeUser(c.user)} must have a non-zero uid; nothing runs as root`);
    }
    if (!(c.cpu > 0)) problems.push(`${where}: cpu must be positive`);
    if (!(c.memoryMiB >= 128)) problems.push(`${where}: memoryMiB must be at least 128`);
    return problems;
}

/** Throws one error listing every problem, so a workload author sees them all at once. */
export function assertValidService(name: string, args: ZonalServiceArgs, context: StackContext): void {
    const problems = serviceProblems(name, args, context);
    if (problems.length > 0) throw new Error(`invalid service definition:\n  - ${problems.join("\n  - ")}`);
}

/** The ports of a service, flattened, with the container they belong to. */
export function servicePorts(containers: ContainerSpec[]): { container: string; port: number; protocol: "tcp" | "udp"; exposure: Exposure }[] {
    return containers.flatMap(c =>
        (c.ports ?? []).map(p => ({ container: c.name, port: p.port, protocol: p.protocol ?? "tcp", exposure: p.exposure })),
    );
}

/** Every problem with a load balancer target, as sentences naming it. */
export function targetProblems(name: string, args: LoadBalancerTargetArgs): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) problems.push(`load balancer target ${name}: port ${args.port} is out of range`);
    const { readiness } = args;
    const checked = readiness.port;
    if (checked !== undefined && (!Number.isInteger(checked) || checked < 1 || checked > 65535)) {
        problems.push(`load balancer target ${name}: readiness port ${checked} is out of range`);
    }
    if (!readiness.path.startsWith("/") || readiness.path.length > READINESS.maxPathLength) {
        problems.push(`load balancer target ${name}: readiness path "${readiness.path}" must start with / and be at most ${READINESS.maxPathLength} characters`);
    }
    const codes = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(readiness.status) ? readiness.status.split(/[,-]/).map(Number) : undefined;
    if (!codes || codes.some(c => c < READINESS.statuses.min || c > READINESS.statuses.max)) {
        problems.push(`load balancer target ${name}: readiness status "${readiness.status}" must be codes from ${READINESS.statuses.min} to ${READINESS.statuses.max} such as 200, 200-299 or 200,204`);
    }
    return problems;
}

/** What is wrong with a pass-through address's arguments, given the stack's zones. */
export function passthroughAddressProblems(name: string, args: PassthroughAddressArgs, stackZones: readonly string[]): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) problems.push(`pass-through address ${name}: port ${args.port} is out of range`);
    if (args.zones.length === 0 || new Set(args.zones).size !== args.zones.length) problems.push(`pass-through address ${name}: zones must name one or more different zones`);
    for (const z of args.zones) if (!stackZones.includes(z)) problems.push(`pass-through address ${name}: zone "${z}" is not one of the stack's zones (${stackZones.join(", ")})`);
    return problems;
}

/**
 * What every back-end's load balancer takes as a readiness check: the Application Load Balancer's limits
 * (botocore elbv2 2015-12-01: shape Path, 1 to 1024 characters; Matcher.HttpCode, 200 to 499 for an
 * Application Load Balancer). Google's HTTP checks take 200 alone; the GCP back-end probes any other status
 * with a TCP connect (components/gcp/loadBalancerTarget.ts).
 */
export const READINESS = { maxPathLength: 1024, statuses: { min: 200, max: 499 } } as const;

/**
 * The public port a service's `public` container port is reached on, from the back-end's numbering; a port the
 * service does not open to the public is a program error, named.
 */
export function lookupPublicPort(service: string, publicPorts: ReadonlyMap<number, number>, containerPort: number): number {
    const port = publicPorts.get(containerPort);
    if (port === undefined) throw new Error(`service ${service} has no public port ${containerPort}; its public ports: ${[...publicPorts.keys()].join(", ") || "none"}`);
    return port;
}
