// A zonal service on ECS Fargate: one task in one zone's private subnet, never two at once (they would share
// a volume), replaced by ECS when a container exits or its liveness fails (./liveness.ts), reachable by a
// stable private name.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    BucketGrant,
    COMPONENT_TYPES,
    ContainerSpec,
    MemoryScratch,
    Protocol,
    Secret,
    Volume,
    ZonalService,
    ZonalServiceArgs,
    rollingStepTimeout,
} from "../topology";
import { describeUser, lookupPublicPort, servicePorts } from "../topology/rules";
import { fencedEntrypoint } from "../topology/fence";
import { assertComponentInputsSent, publishedService, secretEnvProblems } from "../topology/published";
import {
    ANY_IPV4,
    ANY_IPV6,
    ECS_MAX_HEALTH_CHECK_GRACE_SECONDS,
    MAX_TARGET_GROUPS_PER_SERVICE,
    TASK_EXECUTION_MANAGED_POLICY,
} from "./constants";
import { AwsBucket } from "./bucket";
import { AwsContext, expectAws } from "./context";
import { cpuUnits, FargateSize, fargateTaskSize } from "./fargate";
import { livenessContainers, livenessProblems } from "./liveness";
import { AwsLoadBalancerTarget } from "./loadBalancerTarget";
import { awsLogicalName } from "./names";
import { AwsPassthroughAddress, passthroughListeners } from "./passthroughLoadBalancer";
import { pullThroughCachePolicy } from "./registryMirror";
import { AwsSecret } from "./secret";
import { AwsVolume } from "./volume";

// ---------------------------------------------------------------- plain functions (unit-tested)

/** Fargate gives a stopping container at most this long after SIGTERM; kubo needs it to release its repo lock. */
export const STOP_TIMEOUT_SECONDS = 120;

/**
 * What one start of a task takes before its liveness grace begins, at most: the old task stopping (its stop
 * timeout), placement and the task's network interface, its images pulled through the registry mirror.
 */
export const TASK_START_SECONDS = STOP_TIMEOUT_SECONDS + 180;

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Problems only the AWS back-end has with a service (the shared rules have run already). */
export function awsServiceProblems(name: string, args: ZonalServiceArgs): string[] {
    const problems: string[] = [];
    if (!SERVICE_NAME.test(name)) problems.push(`service ${name}: name must be a DNS label (lowercase letters, digits, dashes); it becomes its private hostname`);
    problems.push(...livenessProblems(name, args.containers));
    try {
        taskSize(taskContainers(args));
    } catch (e) {
        problems.push(`service ${name}: ${(e as Error).message}`);
    }
    // A port a target only checks needs no target group of its own.
    const loadBalanced = servicePorts(args.containers).filter(p => p.exposure.kind === "loadBalancer" && p.exposure.target.port === p.port).length;
    // Each public port gets a listener and a target group of its own.
    const publicPorts = servicePorts(args.containers).filter(p => p.exposure.kind === "public");
    const sharedPorts = servicePorts(args.containers).filter(p => p.exposure.kind === "publicAddress").length;
    try {
        passthroughListeners(publicPorts);
    } catch (e) {
        problems.push(`service ${name}: ${(e as Error).message}`);
    }
    if (loadBalanced + publicPorts.length + sharedPorts > MAX_TARGET_GROUPS_PER_SERVICE) {
        problems.push(`service ${name}: ${loadBalanced + publicPorts.length + sharedPorts} load-balanced and public ports; an ECS service takes at most ${MAX_TARGET_GROUPS_PER_SERVICE} target groups`);
    }
    return problems;
}

/** What the service's task runs: its containers, and what its liveness adds (./liveness.ts). */
export function taskContainers(args: Pick<ZonalServiceArgs, "containers" | "liveness">): ContainerSpec[] {
    return [...args.containers, ...livenessContainers(args.liveness)];
}

/** The smallest Fargate task that holds every container of the service. */
export function taskSize(containers: ContainerSpec[]): FargateSize {
    const units = containers.reduce((sum, c) => sum + cpuUnits(c.cpu), 0);
    const memory = containers.reduce((sum, c) => sum + c.memoryMiB, 0);
    return fargateTaskSize(units / 1024, memory);
}

/** Each volume once, in the order the containers mount them. */
export function taskVolumes(containers: ContainerSpec[]): Volume[] {
    const seen = new Set<Volume>();
    for (const c of containers) for (const m of c.mounts ?? []) seen.add(m.volume);
    return [...seen];
}

/** Each secret once, in the order the containers reference them. */
export function referencedSecrets(containers: ContainerSpec[]): Secret[] {
    const seen = new Set<Secret>();
    for (const c of containers) for (const s of Object.values(c.secrets ?? {})) seen.add(s);
    return [...seen];
}

export interface LogSettings {
    group: pulumi.Input<string>;
    region: string;
    streamPrefix: string;
}

/**
 * One container definition. Secrets go in `secrets` as ARNs, read by ECS at start; they never appear in
 * `environment`. The container runs as its declared uid:gid, never privileged.
 */
export function containerDefinition(c: ContainerSpec, log: LogSettings): Record<string, unknown> {
    const env = Object.entries(c.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const secrets = Object.entries(c.secrets ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const clash = secrets.map(([k]) => k).filter(k => (c.env ?? {})[k] !== undefined);
    if (clash.length > 0) throw new Error(`container ${c.name}: ${clash.join(", ")} set both as environment and as secret`);
    // A container with a volume starts through the fence that keeps it the volume's one writer.
    const entryPoint = fencedEntrypoint(c);
    return {
        name: c.name,
        image: c.image,
        essential: true,
        user: describeUser(c.user),
        readonlyRootFilesystem: false,
        ...(entryPoint ? { entryPoint } : {}),
        ...(c.command ? { command: c.command } : {}),
        cpu: cpuUnits(c.cpu),
        // No limit for a container that reserves nothing (the liveness watchdog): optional on Fargate
        // (ecs ContainerDefinition.memory), which then lets it use what the task has.
        ...(c.memoryMiB > 0 ? { memory: c.memoryMiB } : {}),
        stopTimeout: STOP_TIMEOUT_SECONDS,
        environment: env.map(([name, value]) => ({ name, value })),
        secrets: secrets.map(([name, secret]) => ({ name, valueFrom: expectAws(secret, AwsSecret, `secret ${name} of container ${c.name}`).arn })),
        portMappings: (c.ports ?? []).map(p => ({ containerPort: p.port, hostPort: p.port, protocol: p.protocol ?? "tcp" })),
        mountPoints: (c.mounts ?? []).map(m => ({ sourceVolume: m.volume.volumeName, containerPath: m.path, readOnly: false })),
        ...(c.memoryScratch ? { linuxParameters: { tmpfs: [memoryScratchTmpfs(c.memoryScratch)] } } : {}),
        logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": log.group, "awslogs-region": log.region, "awslogs-stream-prefix": log.streamPrefix },
        },
    };
}

/**
 * Mount options of a memory scratch, from ECS's Tmpfs.mountOptions values: flags only. Its root keeps tmpfs's
 * default mode, 1777 (Linux mm/shmem.c), so the container's non-root user writes there, and its umask keeps
 * what it writes its own.
 */
export const SCRATCH_MOUNT_OPTIONS = ["rw", "nosuid", "nodev", "noexec"] as const;

/**
 * A container's memory scratch as ECS mounts it (linuxParameters.tmpfs): Fargate accepts tmpfs mounts since
 * January 2026 (https://aws.amazon.com/about-aws/whats-new/2026/01/amazon-ecs-tmpfs-mounts-aws-fargate-managed-instances/;
 * the ECS API model no longer lists tmpfs among the parameters Fargate refuses, @aws-sdk/client-ecs 3.1164.0
 * LinuxParameters.tmpfs, while it still does for sharedMemorySize).
 */
export function memoryScratchTmpfs(scratch: MemoryScratch): Record<string, unknown> {
    return { containerPath: scratch.path, size: scratch.sizeMiB, mountOptions: [...SCRATCH_MOUNT_OPTIONS] };
}

/**
 * The task's container definitions, refused while an env value is a secret: a task definition keeps its
 * environment in plain text. The check needs no other resource, so it fails a preview too, a new stack's included.
 */
export function containerDefinitions(owner: string, containers: ContainerSpec[], log: LogSettings): pulumi.Output<string> {
    return pulumi.output(secretEnvProblems(owner, containers)).apply(problems => {
        if (problems.length > 0) throw new Error(`invalid definition of ${owner}:\n  - ${problems.join("\n  - ")}`);
        return pulumi.jsonStringify(containers.map(c => containerDefinition(c, log)));
    });
}

/** Where an ingress rule lets traffic in from. */
export type IngressSource =
    | { kind: "cidr"; cidr: string }
    | { kind: "loadBalancer"; target: AwsLoadBalancerTarget }
    | { kind: "group"; group: string };

export interface IngressRule {
    /** Unique within the service; part of the rule's logical name. */
    key: string;
    port: number;
    protocol: Protocol;
    source: IngressSource;
    description: string;
}

/** The ingress rules a service's ports need: only `public` ports are open to the world; `local` ones to nobody. */
export function ingressRules(containers: ContainerSpec[]): IngressRule[] {
    const rules: IngressRule[] = [];
    for (const p of servicePorts(containers)) {
        const base = `${p.port}-${p.protocol}`;
        const what = `${p.container} ${p.port}/${p.protocol}`;
        switch (p.exposure.kind) {
            case "public":
                rules.push({ key: `${base}-ipv4`, port: p.port, protocol: p.protocol, source: { kind: "cidr", cidr: ANY_IPV4 }, description: `${what} from anywhere` });
                rules.push({ key: `${base}-ipv6`, port: p.port, protocol: p.protocol, source: { kind: "cidr", cidr: ANY_IPV6 }, description: `${what} from anywhere` });
                break;
            case "loadBalancer": {
                const target = expectAws(p.exposure.target, AwsLoadBalancerTarget, `load balancer target of port ${p.port}`);
                rules.push({ key: `${base}-lb`, port: p.port, protocol: p.protocol, source: { kind: "loadBalancer", target }, description: `${what} from load balancer ${target.targetName}` });
                break;
            }
            case "publicAddress":
                // The address passes connections through with the client's IPv4 address kept (and checks the port from its own).
                rules.push({ key: `${base}-ipv4`, port: p.port, protocol: p.protocol, source: { kind: "cidr", cidr: ANY_IPV4 }, description: `${what} from anywhere, through ${p.exposure.address.addressName}` });
                break;
            case "services":
                for (const group of [...new Set(p.exposure.groups)]) {
                    rules.push({ key: `${base}-from-${group}`, port: p.port, protocol: p.protocol, source: { kind: "group", group }, description: `${what} from ${group}` });
                }
                break;
            case "local":
                break;
        }
    }
    return rules;
}

/**
 * How a service's deployment runs. One task at a time: ECS stops the old task before starting the new one
 * (ECS counts only RUNNING and PENDING tasks against these, so the new one may start while the old one is still
 * stopping: the volume fence keeps it waiting). The circuit breaker fails a deployment whose tasks do not
 * start or fail their health checks and rolls it back (botocore ecs 2014-11-13 DeploymentCircuitBreaker;
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html). A rolling
 * service's update waits for its deployment to end (`waitForSteadyState`: terraform-provider-aws
 * internal/service/ecs/service.go statusServiceWaitForStable waits for the new deployment to be SUCCESSFUL, and
 * fails on ROLLBACK_SUCCESSFUL, STOPPED or ROLLBACK_FAILED), so the step after it starts only once it is healthy.
 */
export function deploymentSettings(rolling: boolean): Pick<aws.ecs.ServiceArgs, "deploymentMinimumHealthyPercent" | "deploymentMaximumPercent" | "deploymentCircuitBreaker" | "waitForSteadyState"> {
    return {
        deploymentMinimumHealthyPercent: 0,
        deploymentMaximumPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...(rolling ? { waitForSteadyState: true } : {}),
    };
}

/**
 * A new value of a secret the task reads starts a new deployment, as a new value makes a new instance template
 * on GCP: ECS reads secrets only when a task starts, and the task definition names the secret, not its version.
 */
export function secretRedeployment(secrets: AwsSecret[]): Pick<aws.ecs.ServiceArgs, "forceNewDeployment" | "triggers"> {
    if (secrets.length === 0) return {};
    const versions = [...secrets].sort((a, b) => a.secretName.localeCompare(b.secretName)).map(s => s.versionId);
    return { forceNewDeployment: true, triggers: { secretVersions: pulumi.all(versions).apply(v => v.join(",")) } };
}

/** The execution role reads exactly these secrets; no policy at all when there are none. */
export function secretsReadPolicy(secretArns: pulumi.Input<string>[]): pulumi.Output<string> | undefined {
    if (secretArns.length === 0) return undefined;
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArns }],
    });
}

/** The task mounts and writes exactly its file systems, and only through its own access points. */
export function volumeMountPolicy(volumes: AwsVolume[]): pulumi.Output<string> | undefined {
    if (volumes.length === 0) return undefined;
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "MountOwnVolumes",
            Effect: "Allow",
            Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            Resource: pulumi.all(volumes.map(v => v.fileSystemArn)).apply(arns => [...new Set(arns)]),
            Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": volumes.map(v => v.accessPointArn) } },
        }],
    });
}

/** What each kind of access lets a task do with a bucket's objects; listing is what S3 clients need to find them. */
export const BUCKET_ACTIONS = {
    read: ["s3:GetObject", "s3:GetObjectVersion"],
    readWrite: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
} as const;
const BUCKET_LEVEL_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"];

/** The task role reaches exactly the buckets granted to the service, and only their objects; no policy when there are none. */
export function bucketAccessPolicy(grants: BucketGrant[]): pulumi.Output<string> | undefined {
    if (grants.length === 0) return undefined;
    const buckets = grants.map(g => ({ arn: expectAws(g.bucket, AwsBucket, "a granted bucket").bucketArn, access: g.access }));
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "ListGrantedBuckets", Effect: "Allow", Action: BUCKET_LEVEL_ACTIONS, Resource: buckets.map(b => b.arn) },
            ...(["read", "readWrite"] as const)
                .map(access => ({ access, arns: buckets.filter(b => b.access === access).map(b => pulumi.interpolate`${b.arn}/*`) }))
                .filter(g => g.arns.length > 0)
                .map(g => ({ Sid: g.access === "read" ? "ReadObjects" : "ReadWriteObjects", Effect: "Allow", Action: BUCKET_ACTIONS[g.access], Resource: g.arns })),
        ],
    });
}

export function assumeRolePolicy(condition?: Record<string, unknown>): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            ...(condition ? { Condition: condition } : {}),
        }],
    });
}

export interface FargateTaskSpec {
    /** What runs, as role descriptions name it: "<prefix> <name>" or "<prefix> job <name>". */
    label: string;
    containers: ContainerSpec[];
    volumes?: AwsVolume[];
    /** Task-role policies by name suffix; an undefined one (nothing to grant) is not declared. */
    taskPolicies?: Record<string, pulumi.Input<string> | undefined>;
}

/**
 * A Fargate task definition with its log group and two roles, as services and scheduled jobs both run them.
 * Execution role: what ECS itself needs to start the task (pull, log, read exactly the referenced secrets).
 * Task role: what the containers may do, trusted only by ECS tasks of this account and region.
 */
export function fargateTask(name: string, spec: FargateTaskSpec, ctx: AwsContext, owner: pulumi.Resource): {
    logGroup: aws.cloudwatch.LogGroup;
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
    taskDefinition: aws.ecs.TaskDefinition;
    rolePolicies: pulumi.Resource[];
} {
    const parent = { parent: owner };
    const { prefix } = ctx.stack;
    const { account, region } = ctx;
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
        name: `/ecs/${prefix}/${name}`,
        retentionInDays: ctx.stack.logRetentionDays,
    }, parent);

    const executionRole = new aws.iam.Role(awsLogicalName("iamRole", `${name}-execution`), {
        description: `ECS starts ${spec.label} with this role`,
        assumeRolePolicy: assumeRolePolicy(),
    }, parent);
    const rolePolicies: pulumi.Resource[] = [
        new aws.iam.RolePolicyAttachment(`${name}-execution-managed`, {
            role: executionRole.name,
            policyArn: `arn:${account.partition}:iam::aws:policy/${TASK_EXECUTION_MANAGED_POLICY}`,
        }, parent),
    ];
    const secretArns = referencedSecrets(spec.containers).map(s => expectAws(s, AwsSecret, `secret ${s.secretName}`).arn);
    const secretsPolicy = secretsReadPolicy(secretArns);
    if (secretsPolicy) {
        rolePolicies.push(new aws.iam.RolePolicy(`${name}-execution-secrets`, { role: executionRole.id, policy: secretsPolicy }, parent));
    }
    // Every image through the stack's registry mirror: the execution role may import exactly the task's images.
    const pulls = spec.containers.map(c => ctx.registryMirror.pull(c.image));
    const mirrorPolicy = pullThroughCachePolicy(pulls.map(p => p.repositoryArn));
    if (mirrorPolicy) {
        rolePolicies.push(new aws.iam.RolePolicy(`${name}-execution-mirror`, { role: executionRole.id, policy: mirrorPolicy }, parent));
    }

    const taskRole = new aws.iam.Role(awsLogicalName("iamRole", `${name}-task`), {
        description: `Containers of ${spec.label} run with this role`,
        assumeRolePolicy: assumeRolePolicy({
            StringEquals: { "aws:SourceAccount": account.accountId },
            ArnLike: { "aws:SourceArn": `arn:${account.partition}:ecs:${region}:${account.accountId}:*` },
        }),
    }, parent);
    for (const [suffix, policy] of Object.entries(spec.taskPolicies ?? {})) {
        if (policy) rolePolicies.push(new aws.iam.RolePolicy(`${name}-task-${suffix}`, { role: taskRole.id, policy }, parent));
    }

    const size = taskSize(spec.containers);
    const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
        family: `${prefix}-${name}`,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: String(size.cpu),
        memory: String(size.memoryMiB),
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions: containerDefinitions(spec.label, spec.containers.map((c, i) => ({ ...c, image: pulls[i].image })), { group: logGroup.name, region, streamPrefix: name }),
        ...(spec.volumes ? {
            volumes: spec.volumes.map(v => ({
                name: v.volumeName,
                efsVolumeConfiguration: {
                    fileSystemId: v.fileSystemId,
                    transitEncryption: "ENABLED",
                    authorizationConfig: { accessPointId: v.accessPointId, iam: "ENABLED" },
                },
            })),
        } : {}),
    }, { parent: owner, dependsOn: [...new Set(pulls.map(p => p.rule))] });
    return { logGroup, executionRole, taskRole, taskDefinition, rolePolicies };
}

// ---------------------------------------------------------------- the component

export interface AwsZonalServiceArgs extends ZonalServiceArgs {
    context: AwsContext;
}

export class AwsZonalService extends pulumi.ComponentResource implements ZonalService {
    readonly serviceName: string;
    readonly zone: string;
    readonly accessGroup: string;
    readonly privateHostname: string;
    readonly publicAddress?: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly ecsService: aws.ecs.Service;
    /** Container port to the port the world reaches it on at publicAddress. */
    private readonly publicPorts: ReadonlyMap<number, number>;

    constructor(name: string, args: AwsZonalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        assertComponentInputsSent(name);
        // What the task runs, each image as ECS pulls it: through the stack's registry mirror.
        const published = publishedService(args.zone, taskContainers(args), image => args.context.registryMirror.imageFor(image));
        super(COMPONENT_TYPES.service, name, published, opts);
        const ctx = args.context;
        const { prefix } = ctx.stack;
        const network = ctx.network;
        const parent = { parent: this };
        this.serviceName = name;
        this.zone = args.zone;
        this.accessGroup = args.accessGroup ?? name;
        this.privateHostname = `${name}.${network.namespaceName}`;

        const volumes = taskVolumes(args.containers).map(v => expectAws(v, AwsVolume, `volume ${v.volumeName}`));

        const { taskDefinition, rolePolicies } = fargateTask(name, {
            label: `${prefix} ${name}`,
            containers: taskContainers(args),
            volumes,
            // The containers may mount their own volumes and reach the buckets granted to them: credentials
            // come from the task role, so no key exists anywhere.
            taskPolicies: { volumes: volumeMountPolicy(volumes), buckets: bucketAccessPolicy(args.buckets ?? []) },
        }, ctx, this);

        // Network identity: its own ingress rules, plus the access group others name, plus volume clients.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: network.vpcId,
            description: `${prefix} ${name}`,
        }, parent);
        this.securityGroupId = securityGroup.id;
        new aws.vpc.SecurityGroupEgressRule(`${name}-egress`, {
            securityGroupId: securityGroup.id,
            cidrIpv4: ANY_IPV4,
            ipProtocol: "-1",
            description: "all outbound, through NAT",
        }, parent);
        for (const rule of ingressRules(args.containers)) {
            const source = rule.source.kind === "cidr"
                ? (rule.source.cidr.includes(":") ? { cidrIpv6: rule.source.cidr } : { cidrIpv4: rule.source.cidr })
                : { referencedSecurityGroupId: rule.source.kind === "loadBalancer" ? rule.source.target.albSecurityGroup.id : ctx.accessGroup(rule.source.group).id };
            new aws.vpc.SecurityGroupIngressRule(`${name}-in-${rule.key}`, {
                securityGroupId: securityGroup.id,
                ipProtocol: rule.protocol,
                fromPort: rule.port,
                toPort: rule.port,
                description: rule.description,
                ...source,
            }, parent);
        }
        const securityGroups = [
            securityGroup.id,
            ctx.accessGroup(this.accessGroup).id,
            ...(volumes.length > 0 ? [ctx.fileSystems.clientsSecurityGroup.id] : []),
        ];

        const registry = new aws.servicediscovery.Service(`${name}-discovery`, {
            name,
            description: `${prefix} ${name}`,
            dnsConfig: { namespaceId: network.namespace.id, routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
            // Deregistering a service that still has instances would otherwise fail the delete.
            forceDestroy: true,
        }, parent);

        const loadBalancers: aws.types.input.ecs.ServiceLoadBalancer[] = [];
        const attachments: pulumi.Input<pulumi.Resource>[] = [];
        const ports = servicePorts(args.containers);
        for (const p of ports) {
            if (p.exposure.kind !== "loadBalancer") continue;
            const target = expectAws(p.exposure.target, AwsLoadBalancerTarget, `load balancer target of port ${p.port}`);
            // The port the target only checks is let in by the ingress rules; the task registers on the served one.
            if (p.port !== target.port) continue;
            loadBalancers.push({ targetGroupArn: target.targetGroup.arn, containerName: p.container, containerPort: p.port });
            attachments.push(target.attached);
        }
        for (const p of ports) {
            if (p.exposure.kind !== "publicAddress") continue;
            const address = expectAws(p.exposure.address, AwsPassthroughAddress, `pass-through address of port ${p.port}`);
            loadBalancers.push({ targetGroupArn: address.targetGroup.arn, containerName: p.container, containerPort: p.port });
            attachments.push(address.listener);
        }
        const publicPorts = ports.filter(p => p.exposure.kind === "public");
        let publicPortMap: ReadonlyMap<number, number> = new Map();
        if (publicPorts.length > 0) {
            const endpoint = ctx.publicLoadBalancers.serve(name, args.zone, publicPorts);
            for (const t of endpoint.targets) {
                loadBalancers.push({ targetGroupArn: t.targetGroup.arn, containerName: t.container, containerPort: t.containerPort });
            }
            attachments.push(...endpoint.listeners);
            this.publicAddress = endpoint.publicAddress;
            publicPortMap = endpoint.publicPorts;
        }
        this.publicPorts = publicPortMap;

        // The step before this one in a roll: its deployment has ended before this one's starts.
        const after = args.rolling?.after ? [expectAws(args.rolling.after, AwsZonalService, `service ${name} rolls after`).ecsService] : [];
        const secrets = referencedSecrets(taskContainers(args)).map(s => expectAws(s, AwsSecret, `secret ${s.secretName}`));
        const stepTimeout = rollingStepTimeout(args.liveness, TASK_START_SECONDS);
        this.ecsService = new aws.ecs.Service(`${name}-service`, {
            name,
            cluster: network.cluster.arn,
            taskDefinition: taskDefinition.arn,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            desiredCount: 1,
            ...deploymentSettings(args.rolling !== undefined),
            ...secretRedeployment(secrets),
            networkConfiguration: {
                subnets: [network.privateSubnet(args.zone)],
                securityGroups,
                assignPublicIp: false,
            },
            serviceRegistries: { registryArn: registry.arn },
            loadBalancers,
            // Load balancer checks are readiness: the longest grace ECS accepts keeps them, and with them any
            // container health check, from ever stopping a task (./liveness.ts). ECS refuses a grace period on
            // a service no load balancer checks.
            ...(loadBalancers.length > 0
                ? { healthCheckGracePeriodSeconds: ECS_MAX_HEALTH_CHECK_GRACE_SECONDS }
                : {}),
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
        }, {
            parent: this,
            dependsOn: [...attachments, ...rolePolicies, ...after],
            ...(args.rolling ? { customTimeouts: { create: stepTimeout, update: stepTimeout } } : {}),
        });

        this.registerOutputs({
            privateHostname: this.privateHostname,
            publicAddress: this.publicAddress,
            publicPorts: Object.fromEntries(this.publicPorts),
            serviceArn: this.ecsService.arn,
            // Stack policies see a component's outputs, not its inputs.
            ...published,
        });
    }

    publicPort(containerPort: number): number {
        return lookupPublicPort(this.serviceName, this.publicPorts, containerPort);
    }
}
