// Checks both back-ends run on a service before declaring anything, so a bad service definition fails the
// same way on every cloud. Plain functions: unit-testable without a deployment.
import { ContainerSpec, Exposure, LoadBalancerTarget, LoadBalancerTargetArgs, RunAs, ScheduledJobArgs, StackContext, Volume, ZonalServiceArgs } from "./index";

/** Volumes already mounted, and by whom: a volume has exactly one writer. */
const volumeWriters = new WeakMap<Volume, string>();

export function describeUser(user: RunAs): string {
    return `${user.uid}:${user.gid}`;
}

/** An image reference pinned to a version tag or a digest, never a moving tag. */
export function isPinnedImage(image: string): boolean {
    if (image.includes("@sha256:")) return true;
    const lastSlash = image.lastIndexOf("/");
    const colon = image.indexOf(":", lastSlash + 1);
    if (colon < 0) return false;
    const tag = image.slice(colon + 1);
    return tag !== "" && tag !== "latest" && !tag.endsWith("-root");
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
            if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) problems.push(`${where}: port ${p.port} is out of range`);
            if (p.exposure.kind === "loadBalancer" && !targetUsesPort(p.exposure.target, p.port)) {
                const target = p.exposure.target;
                const checks = healthCheckPort(target) === target.port ? "" : ` and checks ${healthCheckPort(target)}`;
                problems.push(`${where}: port ${p.port} is given to load balancer target ${target.targetName}, which forwards to ${target.port}${checks}`);
            }
            if (p.exposure.kind === "loadBalancer" && (p.protocol ?? "tcp") !== "tcp") {
                problems.push(`${where}: port ${key} cannot sit behind an HTTPS load balancer`);
            }
        }
        const paths = new Set<string>();
        for (const m of c.mounts ?? []) {
            if (!m.path.startsWith("/")) problems.push(`${where}: mount path "${m.path}" must be absolute`);
            if (paths.has(m.path)) problems.push(`${where}: two volumes mounted at ${m.path}`);
            paths.add(m.path);
            if (m.volume.zone !== args.zone) {
                problems.push(`${where}: volume ${m.volume.volumeName} is in zone ${m.volume.zone}, the service in ${args.zone}; a volume is only reachable from its own zone`);
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
    if (args.healthCheck && !args.containers.some(c => (c.ports ?? []).some(p => p.port === args.healthCheck!.port))) {
        problems.push(`service ${name}: health check port ${args.healthCheck.port} is not a port of any of its containers`);
    }
    if (args.autohealing === "containers" && args.healthCheck) {
        problems.push(`service ${name}: autohealing is "containers" but it names a healthCheck on port ${args.healthCheck.port}; only its containers replace it, so drop one of the two`);
    }
    const granted = new Set<unknown>();
    (args.buckets ?? []).forEach((grant, i) => {
        if (granted.has(grant.bucket)) problems.push(`service ${name}: buckets[${i}] grants a bucket already granted; give each bucket once, with the widest access it needs`);
        granted.add(grant.bucket);
        if (grant.access !== "read" && grant.access !== "readWrite") problems.push(`service ${name}: buckets[${i}] access "${grant.access}" must be read or readWrite`);
    });
    if (problems.length === 0) for (const v of mountedHere) volumeWriters.set(v, name);
    return problems;
}

/** The port a load balancer target's health checks go to. */
export function healthCheckPort(target: Pick<LoadBalancerTarget, "port" | "healthCheck">): number {
    return target.healthCheck.port ?? target.port;
}

/** A target reaches its services on the port it forwards to and on the port it checks. */
export function targetUsesPort(target: Pick<LoadBalancerTarget, "port" | "healthCheck">, port: number): boolean {
    return port === target.port || port === healthCheckPort(target);
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

/** Label-safe physical name: lowercase, dashes, at most `max` characters. */
export function physicalName(parts: string[], max = 40): string {
    const joined = parts.join("-").toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-");
    return joined.slice(0, max).replace(/-$/, "");
}

/** Every problem with a load balancer target, as sentences naming it. */
export function targetProblems(name: string, args: LoadBalancerTargetArgs): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) problems.push(`load balancer target ${name}: port ${args.port} is out of range`);
    const checked = args.healthCheck.port;
    if (checked !== undefined && (!Number.isInteger(checked) || checked < 1 || checked > 65535)) {
        problems.push(`load balancer target ${name}: health check port ${checked} is out of range`);
    }
    if (!args.healthCheck.path.startsWith("/")) problems.push(`load balancer target ${name}: health check path "${args.healthCheck.path}" must start with /`);
    if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(args.healthCheck.status)) {
        problems.push(`load balancer target ${name}: health check status "${args.healthCheck.status}" must be codes such as 200, 200-299 or 200,204`);
    }
    return problems;
}
