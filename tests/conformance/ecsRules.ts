// What ECS and Elastic Load Balancing refuse (or what breaks a service) that their API models cannot express:
// each rule cites where AWS states it. Documentation shapes named "ecs:Shape.member" are the member's
// documentation in botocore's ecs 2014-11-13 model (Debian python3-botocore 1.29.27); URLs read 2026-12-01.
// Rules judge API-shaped requests (./awsRequests.ts) and return problems as sentences, empty when none.

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

// ---------------------------------------------------------------- documented tables

/**
 * Fargate (Linux) task sizes: CPU units to the memory values (MiB) allowed with them.
 * Source: ecs:RegisterTaskDefinitionRequest.cpu; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export const FARGATE_TASK_SIZES_DOCUMENTED: Record<number, number[]> = {
    256: [512, 1024, 2048],
    512: [1024, 2048, 3072, 4096],
    1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
    2048: steps(4096, 16384, 1024),
    4096: steps(8192, 30720, 1024),
    8192: steps(16 * 1024, 60 * 1024, 4 * 1024),
    16384: steps(32 * 1024, 120 * 1024, 8 * 1024),
};

function steps(from: number, to: number, by: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += by) out.push(v);
    return out;
}

/** Container health check ranges. Source: ecs:HealthCheck.interval/timeout/retries/startPeriod. */
export const CONTAINER_HEALTH_CHECK_RANGES = {
    interval: { min: 5, max: 300 },
    timeout: { min: 2, max: 60 },
    retries: { min: 1, max: 10 },
    startPeriod: { min: 0, max: 300 },
} as const;

/** Source: ecs:ContainerDefinition.stopTimeout ("The max stop timeout value is 120 seconds", Fargate). */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;

/**
 * Target groups one ECS service may be attached to.
 * Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html ("Target groups per service", 5, not adjustable).
 */
export const ECS_TARGET_GROUPS_PER_SERVICE = 5;

/** Source: ecs:CreateServiceRequest.healthCheckGracePeriodSeconds ("up to 2,147,483,647 seconds"). */
export const ECS_MAX_HEALTH_CHECK_GRACE_PERIOD_SECONDS = 2_147_483_647;

/** Names of containers and families. Source: ecs:ContainerDefinition.name, ecs:RegisterTaskDefinitionRequest.family. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Listener protocols each load balancer type accepts, and the target group protocols a listener may forward to.
 * Sources: elbv2:CreateListenerInput.Protocol, elbv2:CreateTargetGroupInput.Protocol ("A TCP_UDP listener must
 * be associated with a TCP_UDP target group"); https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html
 * ("To support both TCP and UDP on the same port, create a TCP_UDP listener"; one listener per port).
 */
export const LISTENER_PROTOCOLS: Record<string, string[]> = { application: ["HTTP", "HTTPS"], network: ["TCP", "TLS", "UDP", "TCP_UDP"] };
export const FORWARDABLE_TARGET_PROTOCOLS: Record<string, string[]> = {
    HTTP: ["HTTP", "HTTPS"],
    HTTPS: ["HTTP", "HTTPS"],
    TCP: ["TCP"],
    TLS: ["TCP", "TLS"],
    UDP: ["UDP"],
    TCP_UDP: ["TCP_UDP"],
};

/**
 * Target group health checks. Source: elbv2:CreateTargetGroupInput.HealthCheckProtocol ("The TCP protocol is not
 * supported for health checks if the protocol of the target group is HTTP or HTTPS. The GENEVE, TLS, UDP, and
 * TCP_UDP protocols are not supported for health checks"), HealthCheckIntervalSeconds 5-300,
 * HealthCheckTimeoutSeconds 2-120, Healthy/UnhealthyThresholdCount 2-10.
 */
export const TARGET_HEALTH_CHECK = {
    protocols: ["HTTP", "HTTPS", "TCP"],
    interval: { min: 5, max: 300 },
    timeout: { min: 2, max: 120 },
    threshold: { min: 2, max: 10 },
} as const;

/** The transport a target group's traffic, or a health check, travels over inside the VPC. */
function transportOf(protocol: string): "tcp" | "udp" | "both" {
    if (protocol === "UDP") return "udp";
    if (protocol === "TCP_UDP") return "both";
    return "tcp";
}

function inRange(value: unknown, range: { min: number; max: number }): boolean {
    return typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max;
}

// ---------------------------------------------------------------- RegisterTaskDefinition

export function taskDefinitionProblems(td: Json): string[] {
    const problems: string[] = [];
    const where = `task definition ${td.family}`;
    const fargate = (td.requiresCompatibilities ?? []).includes("FARGATE");
    const containers: Json[] = td.containerDefinitions ?? [];
    if (!ECS_NAME.test(String(td.family))) problems.push(`${where}: family must be 1-255 letters, digits, _ and - (ecs:RegisterTaskDefinitionRequest.family)`);

    if (fargate) {
        // ecs:RegisterTaskDefinitionRequest.cpu: required on Fargate, one of the documented pairs.
        const cpu = Number(td.cpu);
        const memory = Number(td.memory);
        if (!(FARGATE_TASK_SIZES_DOCUMENTED[cpu] ?? []).includes(memory)) {
            problems.push(`${where}: cpu ${td.cpu} with memory ${td.memory} is not a Fargate task size (ecs:RegisterTaskDefinitionRequest.cpu)`);
        }
        // ecs:RegisterTaskDefinitionRequest.networkMode: "For Amazon ECS tasks on Fargate, the awsvpc network mode is required."
        if (td.networkMode !== "awsvpc") problems.push(`${where}: networkMode ${td.networkMode} on Fargate; awsvpc is required`);
        // Fargate pulls, logs and reads secrets with the task execution role:
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
        const needsExecutionRole = containers.some(c => c.logConfiguration?.logDriver === "awslogs" || (c.secrets ?? []).length > 0);
        if (needsExecutionRole && !td.executionRoleArn) problems.push(`${where}: awslogs or secrets on Fargate need executionRoleArn`);
    }

    // ecs:ContainerDefinition.essential: "All tasks must have at least one essential container."
    if (!containers.some(c => c.essential !== false)) problems.push(`${where}: no essential container`);
    // ecs:ContainerDefinition.cpu / .memory: the containers' reservations must fit in the task's.
    const cpuSum = containers.reduce((n, c) => n + (c.cpu ?? 0), 0);
    if (td.cpu !== undefined && cpuSum > Number(td.cpu)) problems.push(`${where}: containers reserve ${cpuSum} CPU units, the task has ${td.cpu}`);
    const memorySum = containers.reduce((n, c) => n + (c.memory ?? c.memoryReservation ?? 0), 0);
    if (td.memory !== undefined && memorySum > Number(td.memory)) problems.push(`${where}: containers reserve ${memorySum} MiB, the task has ${td.memory}`);

    const names = new Set<string>();
    // In awsvpc mode the containers share one network namespace: a host port (with its protocol) exists once
    // per task ("TCP host port N is mapped multiple times in task").
    const hostPorts = new Map<string, string>();
    const volumes = new Set<string>((td.volumes ?? []).map((v: Json) => v.name));
    for (const c of containers) {
        const at = `${where}, container ${c.name}`;
        if (!ECS_NAME.test(String(c.name))) problems.push(`${at}: name must be 1-255 letters, digits, _ and - (ecs:ContainerDefinition.name)`);
        if (names.has(c.name)) problems.push(`${at}: container name used twice`);
        names.add(c.name);
        // ecs:PortMapping: "You can't expose the same container port for multiple protocols. If you attempt this,
        // an error is returned." (ECS: "Container port N is used in more than one port mapping").
        const seen = new Map<number, string>();
        for (const m of c.portMappings ?? []) {
            const protocol = m.protocol ?? "tcp";
            if (seen.has(m.containerPort)) {
                problems.push(`${at}: container port ${m.containerPort} is used in more than one port mapping (${seen.get(m.containerPort)} and ${protocol}); ECS maps a container port once`);
            }
            seen.set(m.containerPort, protocol);
            // ecs:PortMapping.hostPort: in awsvpc (and host) mode, blank or equal to containerPort.
            if (td.networkMode === "awsvpc" && m.hostPort !== undefined && m.hostPort !== m.containerPort) {
                problems.push(`${at}: hostPort ${m.hostPort} differs from containerPort ${m.containerPort}; awsvpc needs them equal`);
            }
            const key = `${m.hostPort ?? m.containerPort}/${protocol}`;
            const owner = hostPorts.get(key);
            if (owner !== undefined && owner !== c.name) problems.push(`${at}: host port ${key} is already mapped by container ${owner}`);
            hostPorts.set(key, c.name);
        }
        if (c.healthCheck) {
            const hc = c.healthCheck;
            // ecs:HealthCheck.command: "must start with CMD ... or CMD-SHELL".
            if (!["CMD", "CMD-SHELL"].includes(hc.command?.[0])) problems.push(`${at}: healthCheck.command must start with CMD or CMD-SHELL`);
            for (const [key, range] of Object.entries(CONTAINER_HEALTH_CHECK_RANGES)) {
                if (hc[key] !== undefined && !inRange(hc[key], range)) problems.push(`${at}: healthCheck.${key} ${hc[key]} is outside ${range.min}-${range.max} (ecs:HealthCheck.${key})`);
            }
        }
        if (fargate && c.stopTimeout !== undefined && !inRange(c.stopTimeout, { min: 0, max: FARGATE_MAX_STOP_TIMEOUT_SECONDS })) {
            problems.push(`${at}: stopTimeout ${c.stopTimeout} above Fargate's ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} s (ecs:ContainerDefinition.stopTimeout)`);
        }
        // ecs:MountPoint.sourceVolume: "Must be a volume name referenced in the name parameter of task definition volume."
        for (const mp of c.mountPoints ?? []) {
            if (!volumes.has(mp.sourceVolume)) problems.push(`${at}: mount point names volume ${mp.sourceVolume}, which the task does not declare`);
        }
    }
    for (const c of containers) {
        for (const d of c.dependsOn ?? []) if (!names.has(d.containerName)) problems.push(`${where}, container ${c.name}: depends on unknown container ${d.containerName}`);
    }
    for (const v of td.volumes ?? []) {
        const efs = v.efsVolumeConfiguration;
        if (!efs) continue;
        const encrypted = efs.transitEncryption === "ENABLED";
        // ecs:EFSAuthorizationConfig.iam: "If enabled, transit encryption must be enabled".
        if (efs.authorizationConfig?.iam === "ENABLED" && !encrypted) problems.push(`${where}, volume ${v.name}: EFS IAM authorization needs transitEncryption ENABLED`);
        // ecs:EFSAuthorizationConfig.accessPointId: transit encryption on, rootDirectory omitted or "/".
        if (efs.authorizationConfig?.accessPointId !== undefined) {
            if (!encrypted) problems.push(`${where}, volume ${v.name}: an EFS access point needs transitEncryption ENABLED`);
            if (efs.rootDirectory !== undefined && efs.rootDirectory !== "/") problems.push(`${where}, volume ${v.name}: rootDirectory must be omitted or / with an access point`);
        }
    }
    return problems;
}

// ---------------------------------------------------------------- CreateService with its load balancing

export interface LoadBalancing {
    /** Target groups by ARN: their CreateTargetGroup request. */
    targetGroups: Map<string, Json>;
    /** Listeners by the target group ARN they forward to. */
    listenersByTargetGroup: Map<string, Json[]>;
}

/** A health check's port on a target: the traffic port unless it names another. */
function checkedPort(tg: Json, containerPort: number): number {
    const port = tg.HealthCheckPort;
    return port === undefined || port === "traffic-port" ? containerPort : Number(port);
}

export function serviceProblems(svc: Json, td: Json, lb: LoadBalancing): string[] {
    const problems: string[] = [];
    const where = `service ${svc.serviceName}`;
    const containers = new Map<string, Json>((td.containerDefinitions ?? []).map((c: Json) => [c.name, c]));
    const balanced: Json[] = svc.loadBalancers ?? [];

    if (svc.launchType === "FARGATE" && !(td.requiresCompatibilities ?? []).includes("FARGATE")) {
        problems.push(`${where}: launch type FARGATE, but task definition ${td.family} does not require FARGATE compatibility`);
    }
    // ecs:CreateServiceRequest.networkConfiguration: required for awsvpc task definitions.
    if (td.networkMode === "awsvpc" && !svc.networkConfiguration?.awsvpcConfiguration) problems.push(`${where}: awsvpc tasks need networkConfiguration.awsvpcConfiguration`);
    if (balanced.length > ECS_TARGET_GROUPS_PER_SERVICE) problems.push(`${where}: ${balanced.length} target groups, ECS allows ${ECS_TARGET_GROUPS_PER_SERVICE} per service`);
    const grace = svc.healthCheckGracePeriodSeconds;
    if (grace !== undefined) {
        if (!inRange(grace, { min: 0, max: ECS_MAX_HEALTH_CHECK_GRACE_PERIOD_SECONDS })) problems.push(`${where}: healthCheckGracePeriodSeconds ${grace} is outside 0-${ECS_MAX_HEALTH_CHECK_GRACE_PERIOD_SECONDS}`);
        // ecs:CreateServiceRequest.healthCheckGracePeriodSeconds: "only used when your service is configured to use a load balancer".
        if (balanced.length === 0) problems.push(`${where}: healthCheckGracePeriodSeconds without a load balancer`);
    }

    const attached = new Set<string>();
    for (const [n, b] of balanced.entries()) {
        const at = `${where}, loadBalancers[${n}] (${b.containerName}:${b.containerPort})`;
        if (attached.has(b.targetGroupArn)) problems.push(`${at}: target group attached twice`);
        attached.add(b.targetGroupArn);
        const tg = lb.targetGroups.get(b.targetGroupArn);
        if (!tg) {
            problems.push(`${at}: target group ${b.targetGroupArn} is not declared`);
            continue;
        }
        // ECS attaches a service only to a target group a load balancer's listener uses ("The target group ...
        // does not have an associated load balancer"):
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
        if ((lb.listenersByTargetGroup.get(b.targetGroupArn) ?? []).length === 0) problems.push(`${at}: target group ${tg.Name} has no listener forwarding to it`);
        // awsvpc tasks register by IP: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html ("you must choose ip as the target type").
        if (td.networkMode === "awsvpc" && tg.TargetType !== "ip") problems.push(`${at}: target group ${tg.Name} has target type ${tg.TargetType ?? "instance"}; awsvpc tasks need ip`);
        const container = containers.get(b.containerName);
        if (!container) {
            problems.push(`${at}: the task definition has no container ${b.containerName}`);
            continue;
        }
        // ecs:LoadBalancer.containerPort: "must correspond to a containerPort in the task definition"; ecs:PortMapping:
        // a container port is mapped once, so it carries one protocol, which must be the target group's.
        const mappings = (container.portMappings ?? []).filter((m: Json) => m.containerPort === b.containerPort);
        if (mappings.length !== 1) {
            problems.push(`${at}: container port ${b.containerPort} is mapped ${mappings.length} times; a load-balanced port is mapped exactly once`);
            continue;
        }
        const mapped = mappings[0].protocol ?? "tcp";
        const carried = transportOf(tg.Protocol);
        if (carried === "both") problems.push(`${at}: target group ${tg.Name} is ${tg.Protocol}; the one mapping of port ${b.containerPort} (${mapped}) cannot carry both TCP and UDP`);
        else if (carried !== mapped) problems.push(`${at}: target group ${tg.Name} carries ${carried}, the container maps ${b.containerPort}/${mapped}`);
        // ECS replaces a task whose load balancer health check fails: the check must reach a port the container
        // serves over the check's transport (elbv2:CreateTargetGroupInput.HealthCheckPort: traffic-port by default).
        const checkTransport = transportOf(tg.HealthCheckProtocol ?? (["HTTP", "HTTPS"].includes(tg.Protocol) ? "HTTP" : "TCP"));
        const port = checkedPort(tg, b.containerPort);
        const served = [...containers.values()].some(c => (c.portMappings ?? []).some((m: Json) => m.containerPort === port && (m.protocol ?? "tcp") === checkTransport));
        if (!served) problems.push(`${at}: target group ${tg.Name} checks ${checkTransport} ${port}, which no container of the task maps`);
    }
    return problems;
}

// ---------------------------------------------------------------- listeners and target groups

export function targetGroupProblems(tg: Json): string[] {
    const problems: string[] = [];
    const where = `target group ${tg.Name}`;
    const hcProtocol = tg.HealthCheckProtocol ?? (["HTTP", "HTTPS"].includes(tg.Protocol) ? "HTTP" : "TCP");
    if (!(TARGET_HEALTH_CHECK.protocols as readonly string[]).includes(hcProtocol)) problems.push(`${where}: health check protocol ${hcProtocol} is not supported`);
    if (hcProtocol === "TCP" && ["HTTP", "HTTPS"].includes(tg.Protocol)) problems.push(`${where}: TCP health checks are not supported for ${tg.Protocol} target groups`);
    const checks: [string, unknown, { min: number; max: number }][] = [
        ["HealthCheckIntervalSeconds", tg.HealthCheckIntervalSeconds, TARGET_HEALTH_CHECK.interval],
        ["HealthCheckTimeoutSeconds", tg.HealthCheckTimeoutSeconds, TARGET_HEALTH_CHECK.timeout],
        ["HealthyThresholdCount", tg.HealthyThresholdCount, TARGET_HEALTH_CHECK.threshold],
        ["UnhealthyThresholdCount", tg.UnhealthyThresholdCount, TARGET_HEALTH_CHECK.threshold],
    ];
    for (const [key, value, range] of checks) {
        if (value !== undefined && !inRange(value, range)) problems.push(`${where}: ${key} ${value} is outside ${range.min}-${range.max}`);
    }
    return problems;
}

/** Listeners of one load balancer (its type from CreateLoadBalancer) with the target groups they forward to. */
export function listenerProblems(loadBalancerType: string, listeners: Json[], targetGroups: Map<string, Json>): string[] {
    const problems: string[] = [];
    const ports = new Map<number, string>();
    for (const l of listeners) {
        const where = `listener ${l.Protocol}:${l.Port}`;
        if (!(LISTENER_PROTOCOLS[loadBalancerType] ?? []).includes(l.Protocol)) problems.push(`${where}: a ${loadBalancerType} load balancer does not listen on ${l.Protocol}`);
        if (ports.has(l.Port)) problems.push(`${where}: port ${l.Port} already has a ${ports.get(l.Port)} listener; one listener per port (use TCP_UDP for both)`);
        ports.set(l.Port, l.Protocol);
        for (const a of l.DefaultActions ?? []) {
            if (a.Type !== "forward") continue;
            const tg = targetGroups.get(a.TargetGroupArn);
            if (!tg) {
                problems.push(`${where}: forwards to undeclared target group ${a.TargetGroupArn}`);
                continue;
            }
            if (!(FORWARDABLE_TARGET_PROTOCOLS[l.Protocol] ?? []).includes(tg.Protocol)) problems.push(`${where}: forwards to ${tg.Protocol} target group ${tg.Name}`);
        }
    }
    return problems;
}
