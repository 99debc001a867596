// The policy pack against hand-written resources: for every mandatory policy, on every back-end it applies to,
// resources that violate it (with the message they must get) and ones that comply; whole compliant stacks;
// and values that are unknown during a preview, which must never produce a violation. Records hold what the
// engine hands a policy pack: unknowns as its sentinels, a Pulumi secret as the wire's secret object around its
// plain text (which the policy SDK unwraps), options without retainOnDelete or dependsOn.
import { strict as assert } from "assert";
import { ResourceValidationPolicy, StackValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as YAML from "yaml";
import { EvaluateOptions, Violation, evaluatePolicies } from "../policies/evaluate";
import { policies } from "../policies/rules/all";
import { SynthResource } from "../tools/harness";

// ---------------------------------------------------------------- records

const PROJECT = "web3-nodes";
const STACK = "test";
const STACK_URN = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;
/** How the project declares stateful resources. */
const KEEP = { protect: true, retainOnDelete: true };
/** Unknown-value sentinels as the engine sends them during a preview. */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_BOOL = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
const UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";

/**
 * A Pulumi secret as the engine sends it to a policy pack (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go
 * marshals with KeepSecrets): the wire's secret object around the plain text.
 */
function secret(value: unknown): Record<string, unknown> {
    return { [specialSigKey]: specialSecretSig, value };
}

/** A resource record as the offline synth writes it. */
function res(type: string, name: string, inputs: Record<string, unknown> = {}, options: Partial<SynthResource["options"]> = {}): SynthResource {
    return {
        urn: `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`,
        type,
        name,
        id: `${name}-0a1b2c3d`,
        parent: STACK_URN,
        custom: true,
        inputs,
        options: { protect: false, retainOnDelete: false, dependsOn: [], ...options },
    };
}

function violationsOf(policy: string, resources: SynthResource[], options?: EvaluateOptions): Violation[] {
    return evaluatePolicies(resources, options).filter(v => v.policy === policy);
}

/** Asserts `policy` reports `message` against `on` (default: the first resource). */
function expectViolation(policy: string, resources: SynthResource[], message: RegExp, options?: EvaluateOptions & { on?: SynthResource }): void {
    const found = violationsOf(policy, resources, options);
    const urn = (options?.on ?? resources[0]).urn;
    assert.ok(
        found.some(v => v.urn === urn && message.test(v.message)),
        `expected ${policy} to report ${message} on ${urn}; got:\n${found.map(v => `  ${v.urn}: ${v.message}`).join("\n") || "  nothing"}`,
    );
    const level = policies.find(p => p.name === policy)?.enforcementLevel;
    assert.ok(found.every(v => v.enforcementLevel === level));
}

function expectNone(policy: string, resources: SynthResource[], options?: EvaluateOptions): void {
    const found = violationsOf(policy, resources, options);
    assert.deepEqual(found.map(v => v.message), [], `expected no ${policy} violation`);
}

// ---------------------------------------------------------------- AWS building blocks

const T = {
    efs: "aws:efs/fileSystem:FileSystem",
    efsBackup: "aws:efs/backupPolicy:BackupPolicy",
    s3: "aws:s3/bucket:Bucket",
    s3v2: "aws:s3/bucketV2:BucketV2",
    s3Versioning: "aws:s3/bucketVersioning:BucketVersioning",
    s3VersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    s3Sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsInstance: "aws:rds/instance:Instance",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    ebs: "aws:ebs/volume:Volume",
    ec2: "aws:ec2/instance:Instance",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    task: "aws:ecs/taskDefinition:TaskDefinition",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    disk: "gcp:compute/disk:Disk",
    regionDisk: "gcp:compute/regionDisk:RegionDisk",
    diskAttachment: "gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment",
    regionDiskAttachment: "gcp:compute/regionDiskResourcePolicyAttachment:RegionDiskResourcePolicyAttachment",
    resourcePolicy: "gcp:compute/resourcePolicy:ResourcePolicy",
    gcs: "gcp:storage/bucket:Bucket",
    sql: "gcp:sql/databaseInstance:DatabaseInstance",
    firewall: "gcp:compute/firewall:Firewall",
    forwardingRule: "gcp:compute/forwardingRule:ForwardingRule",
    globalForwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    httpProxy: "gcp:compute/targetHttpProxy:TargetHttpProxy",
    urlMap: "gcp:compute/uRLMap:URLMap",
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
    instance: "gcp:compute/instance:Instance",
    mig: "gcp:compute/instanceGroupManager:InstanceGroupManager",
    perInstanceConfig: "gcp:compute/perInstanceConfig:PerInstanceConfig",
    logBucket: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
    container: "docker:index/container:Container",
    ecrRule: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
    arRepository: "gcp:artifactregistry/repository:Repository",
    cloudRunJob: "gcp:cloudrunv2/job:Job",
} as const;

const KUBO_IMAGE = "ipfs/kubo:v0.29.0";
const CLUSTER_IMAGE = "ipfs/ipfs-cluster:v1.1.1";
/** Where a stack's registry mirrors keep upstream images: an ECR pull-through cache rule, an Artifact Registry remote repository. */
const ECR_MIRROR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web3-test/dockerhub";
const AR_MIRROR = "us-central1-docker.pkg.dev/web3-nodes-test/web3-test-dockerhub";
const ecrRule = (name = "mirror-dockerhub", inputs: Record<string, unknown> = {}) =>
    res(T.ecrRule, name, { ecrRepositoryPrefix: "web3-test/dockerhub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/web3-test-dockerhub-a1b2c3", ...inputs });
const remoteRepository = (name = "mirror-dockerhub", inputs: Record<string, unknown> = {}) =>
    res(T.arRepository, name, { project: "web3-nodes-test", location: "us-central1", repositoryId: "web3-test-dockerhub", format: "DOCKER", mode: "REMOTE_REPOSITORY", remoteRepositoryConfig: { dockerRepository: { publicRepository: "DOCKER_HUB" } }, ...inputs });

interface EcsContainer {
    name: string;
    image: string;
    user?: string;
    privileged?: boolean;
    environment?: { name: string; value: string }[];
    secrets?: { name: string; valueFrom: string }[];
    command?: string[];
    entryPoint?: string[];
    healthCheck?: { command: string[] };
    mountPoints?: { sourceVolume: string; containerPath: string }[];
    linuxParameters?: { capabilities: { add: string[] } };
}

function kuboContainer(overrides: Partial<EcsContainer> = {}): EcsContainer {
    return {
        name: "kubo",
        image: KUBO_IMAGE,
        user: "1000:100",
        environment: [{ name: "IPFS_PATH", value: "/data/ipfs" }],
        secrets: [{ name: "IPFS_SWARM_KEY", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:swarm" }],
        mountPoints: [{ sourceVolume: "ipfs", containerPath: "/data/ipfs" }],
        healthCheck: { command: ["CMD-SHELL", "ipfs diag healthy || exit 1"] },
        ...overrides,
    };
}

function clusterContainer(overrides: Partial<EcsContainer> = {}): EcsContainer {
    return {
        name: "cluster",
        image: CLUSTER_IMAGE,
        user: "1000:100",
        environment: [
            { name: "IPFS_CLUSTER_PATH", value: "/data/ipfs-cluster" },
            { name: "CLUSTER_IPFSHTTP_NODEMULTIADDRESS", value: "/ip4/127.0.0.1/tcp/5001" },
        ],
        secrets: [{ name: "CLUSTER_SECRET", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cluster" }],
        mountPoints: [{ sourceVolume: "cluster", containerPath: "/data/ipfs-cluster" }],
        healthCheck: { command: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:9094/health || exit 1"] },
        ...overrides,
    };
}

const EFS_VOLUMES = [
    { name: "ipfs", efsVolumeConfiguration: { fileSystemId: "fs-0123", transitEncryption: "ENABLED", authorizationConfig: { accessPointId: "fsap-1", iam: "ENABLED" } } },
    { name: "cluster", efsVolumeConfiguration: { fileSystemId: "fs-0123", transitEncryption: "ENABLED", authorizationConfig: { accessPointId: "fsap-2", iam: "ENABLED" } } },
];

function taskDefinition(name: string, containers: EcsContainer[], volumes: unknown = EFS_VOLUMES): SynthResource {
    return res(T.task, name, {
        family: name,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "1024",
        memory: "2048",
        containerDefinitions: JSON.stringify(containers),
        volumes,
    });
}

const efs = (name: string, inputs: Record<string, unknown> = {}, options: Partial<SynthResource["options"]> = KEEP) =>
    res(T.efs, name, { encrypted: true, availabilityZoneName: "us-east-1a", ...inputs }, options);
const efsBackup = (name: string, fs: SynthResource, status = "ENABLED") => res(T.efsBackup, name, { fileSystemId: fs.id, backupPolicy: { status } });
const s3 = (name: string, inputs: Record<string, unknown> = {}, options: Partial<SynthResource["options"]> = KEEP) => res(T.s3, name, { bucket: `web3-test-${name}`, ...inputs }, options);
const s3Versioning = (name: string, bucketRef: unknown, status = "Enabled") => res(T.s3Versioning, name, { bucket: bucketRef, versioningConfiguration: { status } });
const s3Sse = (name: string, bucketRef: unknown, sseAlgorithm = "AES256", kmsMasterKeyId?: string) =>
    res(T.s3Sse, name, { bucket: bucketRef, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, ...(kmsMasterKeyId ? { kmsMasterKeyId } : {}) } }] });
const aurora = (name: string, inputs: Record<string, unknown> = {}, options: Partial<SynthResource["options"]> = KEEP) =>
    res(T.rdsCluster, name, { engine: "aurora-postgresql", deletionProtection: true, backupRetentionPeriod: 30, storageEncrypted: true, ...inputs }, options);
const sg = (name: string, ingress: unknown[]) => res(T.sg, name, { vpcId: "vpc-1", ingress });

function awsStack(): SynthResource[] {
    const ipfsFs = efs("kubo-a-data");
    const bucket = s3("state");
    const swarm = sg("kubo-a-swarm", [
        { protocol: "tcp", fromPort: 4001, toPort: 4001, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
        { protocol: "udp", fromPort: 4001, toPort: 4001, cidrBlocks: ["0.0.0.0/0"] },
    ]);
    const albSg = sg("gateway-alb", [
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
    ]);
    const alb = res(T.lb, "gateway", { loadBalancerType: "application", securityGroups: [albSg.id], subnets: ["subnet-1", "subnet-2"] });
    const dbCluster = aurora("chainlink-db");
    return [
        ipfsFs,
        efsBackup("kubo-a-backup", ipfsFs),
        bucket,
        s3Versioning("state-versioning", bucket.id),
        s3Sse("state-encryption", bucket.id),
        swarm,
        albSg,
        alb,
        res(T.sgRule, "kubo-a-rpc-from-cluster", { type: "ingress", protocol: "tcp", fromPort: 5001, toPort: 5001, securityGroupId: swarm.id, sourceSecurityGroupId: "sg-cluster" }),
        res(T.sgIngress, "cluster-swarm-from-vpc", { ipProtocol: "tcp", fromPort: 9096, toPort: 9096, cidrIpv4: "10.40.0.0/16", securityGroupId: swarm.id }),
        res(T.sgRule, "gateway-from-alb", { type: "ingress", protocol: "tcp", fromPort: 8080, toPort: 8080, securityGroupId: swarm.id, sourceSecurityGroupId: albSg.id }),
        res(T.listener, "gateway-http", { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] }),
        res(T.listener, "gateway-https", { loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", certificateArn: "arn:cert", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] }),
        taskDefinition("kubo-a", [kuboContainer({ image: `${ECR_MIRROR}/${KUBO_IMAGE}` }), clusterContainer({ image: `${ECR_MIRROR}/${CLUSTER_IMAGE}` })]),
        ecrRule(),
        dbCluster,
        res(T.rdsClusterInstance, "chainlink-db-1", { clusterIdentifier: dbCluster.id, engine: "aurora-postgresql", instanceClass: "db.r6g.large", publiclyAccessible: false }),
        res(T.logGroup, "kubo-a-logs", { retentionInDays: 90 }),
    ];
}

// ---------------------------------------------------------------- GCP building blocks

function unitFile(execStart: string, environment: string[] = []): string {
    return [
        "[Unit]",
        "Description=web3-nodes container",
        "After=docker.service",
        "[Service]",
        ...environment.map(e => `Environment="${e}"`),
        "ExecStartPre=-/usr/bin/docker rm -f node",
        `ExecStart=${execStart}`,
        "ExecStop=/usr/bin/docker stop node",
        "Restart=always",
        "",
    ].join("\n");
}

const KUBO_RUN =
    "/usr/bin/docker run --rm --name kubo --user 1000:100 --network host \\\n" +
    "  -e IPFS_PATH=/data/ipfs -v /mnt/disks/kubo-data/ipfs:/data/ipfs \\\n" +
    `  ${KUBO_IMAGE} daemon --migrate=true`;

function cloudConfig(files: Record<string, string>, runcmd: unknown[] = ["systemctl daemon-reload", "systemctl start kubo.service"]): string {
    return `#cloud-config\n${YAML.stringify({
        write_files: Object.entries(files).map(([path, content]) => ({ path, permissions: "0644", owner: "root", content })),
        runcmd,
    })}`;
}

function template(name: string, userData: string, extra: Record<string, unknown> = {}): SynthResource {
    return res(T.template, name, {
        machineType: "e2-standard-2",
        disks: [{ boot: true, sourceImage: "cos-cloud/cos-stable", autoDelete: true }],
        metadata: { "user-data": userData, "google-logging-enabled": "true" },
        ...extra,
    });
}

const disk = (name: string, inputs: Record<string, unknown> = {}, options: Partial<SynthResource["options"]> = KEEP) =>
    res(T.disk, name, { name, zone: "us-central1-a", size: 100, type: "pd-balanced", ...inputs }, options);
const snapshotPolicy = (name: string, maxRetentionDays = 14) =>
    res(T.resourcePolicy, name, {
        name,
        region: "us-central1",
        snapshotSchedulePolicy: { schedule: { dailySchedule: { daysInCycle: 1, startTime: "04:00" } }, retentionPolicy: { maxRetentionDays } },
    });
const attachment = (name: string, diskName: string, policyName: string) => res(T.diskAttachment, name, { disk: diskName, name: policyName, zone: "us-central1-a" });
const gcs = (name: string, inputs: Record<string, unknown> = {}, options: Partial<SynthResource["options"]> = KEEP) =>
    res(T.gcs, name, { name: `web3-test-${name}`, location: "US-CENTRAL1", uniformBucketLevelAccess: true, versioning: { enabled: true }, ...inputs }, options);

function cloudSql(name: string, settings: Record<string, unknown> = {}, inputs: Record<string, unknown> = {}, options: Partial<SynthResource["options"]> = KEEP): SynthResource {
    return res(
        T.sql,
        name,
        {
            databaseVersion: "POSTGRES_16",
            region: "us-central1",
            settings: {
                tier: "db-custom-2-7680",
                availabilityType: "REGIONAL",
                deletionProtectionEnabled: true,
                backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true, backupRetentionSettings: { retainedBackups: 30 } },
                ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/p/global/networks/web3" },
                ...settings,
            },
            ...inputs,
        },
        options,
    );
}

function gcpStack(): SynthResource[] {
    const data = disk("kubo-a-data");
    const snap = snapshotPolicy("daily-snapshots");
    const map = res(T.urlMap, "gateway-redirect", { name: "gateway-redirect", defaultUrlRedirect: { httpsRedirect: true, stripQuery: false } });
    return [
        data,
        snap,
        attachment("kubo-a-data-snapshots", "kubo-a-data", "daily-snapshots"),
        gcs("state"),
        cloudSql("chainlink-db"),
        template("kubo-a", cloudConfig({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN.replace(KUBO_IMAGE, `${AR_MIRROR}/${KUBO_IMAGE}`)) })),
        remoteRepository(),
        res(T.firewall, "swarm", {
            network: "web3",
            direction: "INGRESS",
            sourceRanges: ["0.0.0.0/0"],
            allows: [{ protocol: "tcp", ports: ["4001"] }, { protocol: "udp", ports: ["4001"] }],
            targetTags: ["kubo"],
        }),
        res(T.firewall, "gateway-from-google", {
            network: "web3",
            sourceRanges: ["130.211.0.0/22", "35.191.0.0/16"],
            allows: [{ protocol: "tcp", ports: ["8080", "9094"] }],
        }),
        res(T.firewall, "internal", { network: "web3", sourceRanges: ["10.40.0.0/16"], allows: [{ protocol: "all" }] }),
        map,
        res(T.httpProxy, "gateway-http", { urlMap: `https://www.googleapis.com/compute/v1/projects/web3/global/urlMaps/gateway-redirect` }),
        res(T.globalForwardingRule, "gateway-http", { target: "gateway-http", portRange: "80", loadBalancingScheme: "EXTERNAL_MANAGED" }),
        res(T.globalForwardingRule, "gateway-https", { target: "gateway-https", portRange: "443", loadBalancingScheme: "EXTERNAL_MANAGED" }),
        res(T.forwardingRule, "kubo-a-swarm", { backendService: "kubo-a", portRange: "4001", region: "us-central1", loadBalancingScheme: "EXTERNAL" }),
        res(T.logBucket, "default-logs", { bucketId: "_Default", project: "web3", location: "global", retentionDays: 90 }),
    ];
}

function dockerKubo(overrides: Record<string, unknown> = {}): SynthResource {
    return res(T.container, "kubo", {
        image: KUBO_IMAGE,
        user: "1000:100",
        envs: ["IPFS_PATH=/data/ipfs"],
        volumes: [{ containerPath: "/data/ipfs", volumeName: "kubo-data" }],
        command: ["daemon", "--migrate=true"],
        ...overrides,
    });
}

// ---------------------------------------------------------------- the pack

describe("policy pack", () => {
    it("gives every policy a unique name, a description, a fix and a level", () => {
        const names = policies.map(p => p.name);
        assert.equal(new Set(names).size, names.length);
        for (const p of policies) {
            assert.ok(p.description.length > 40, p.name);
            assert.ok((p.remediationSteps ?? "").length > 20, p.name);
            assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", p.name);
        }
    });

    it("finds nothing in a compliant AWS stack", () => {
        assert.deepEqual(evaluatePolicies(awsStack()), []);
    });

    it("finds nothing in a compliant GCP stack", () => {
        assert.deepEqual(evaluatePolicies(gcpStack()), []);
    });

    it("finds nothing in a compliant docker container", () => {
        assert.deepEqual(evaluatePolicies([dockerKubo()]), []);
    });

    it("takes enforcement levels and thresholds from the config", () => {
        const resources = [aurora("db", { backupRetentionPeriod: 14 })];
        expectNone("stateful-resources-backed-up", resources);
        expectViolation("stateful-resources-backed-up", resources, /backupRetentionPeriod is 14, below the 30 days/, {
            config: { "stateful-resources-backed-up": { backupRetentionDays: 30 } },
        });
        const unprotected = [efs("fs", {}, {})];
        assert.equal(violationsOf("stateful-resources-protected", unprotected, { config: { "stateful-resources-protected": "disabled" } }).length, 0);
        const advisory = violationsOf("stateful-resources-protected", unprotected, { config: { "stateful-resources-protected": { enforcementLevel: "advisory" } } });
        assert.ok(advisory.length > 0 && advisory.every(v => v.enforcementLevel === "advisory"));
    });

    it("takes a setting for every policy that declares it, a policy's own entry first, and refuses unknown keys", () => {
        const fs = efs("fs");
        const db = aurora("db", { backupRetentionPeriod: 14 });
        // backupRetentionDays is declared by two policies: the database rule and the backup-attachment rule.
        expectViolation("stateful-resources-backed-up", [db], /below the 30 days/, { config: { backupRetentionDays: 30 } });
        expectNone("stateful-resources-backed-up", [db], { config: { backupRetentionDays: 30, "stateful-resources-backed-up": { backupRetentionDays: 7 } } });
        expectNone("stateful-resources-backup-attached", [fs, efsBackup("b", fs)], { config: { backupRetentionDays: 30 } });
        assert.throws(() => evaluatePolicies([fs], { config: { backupRetentionDayz: 30 } }), /"backupRetentionDayz" is neither a policy nor a setting/);
    });
});

// ---------------------------------------------------------------- what a policy is handed

describe("arguments as the engine builds them", () => {
    it("options without retainOnDelete or dependsOn, props with secrets unwrapped, dependencies from the engine view", () => {
        const seen: { opts?: object; props?: Record<string, unknown>; dependencies?: string[] } = {};
        const probe: ResourceValidationPolicy = {
            name: "probe",
            description: "records its arguments",
            enforcementLevel: "advisory",
            validateResource: args => {
                seen.opts = args.opts;
                seen.props = args.props;
            },
        };
        const stackProbe: StackValidationPolicy = {
            name: "stack-probe",
            description: "records the dependencies",
            enforcementLevel: "advisory",
            validateStack: args => {
                seen.dependencies = args.resources.find(r => r.urn.endsWith("::b"))!.dependencies.map(d => d.urn);
            },
        };
        const a = res(T.efs, "a", {}, KEEP);
        const b = res(T.efsBackup, "b", { fileSystemId: "fs-1", token: "[secret]" }, { dependsOn: [a.urn], deleteBeforeReplace: true });
        // What the offline synth keeps beside the record: the plain text and the dependencies the program registered.
        Object.defineProperty(b, "engine", { value: { inputs: { fileSystemId: "fs-1", token: secret("hunter2") }, dependencies: [], propertyDependencies: {} } });
        evaluatePolicies([a, b], { policies: [probe, stackProbe] });
        // pulumi/pulumi-policy sdk/nodejs/policy/server.ts getResourceOptions: what the engine's AnalyzerResourceOptions carry.
        assert.deepEqual(Object.keys(seen.opts!).sort(), ["additionalSecretOutputs", "aliases", "customTimeouts", "deleteBeforeReplace", "ignoreChanges", "parent", "protect"]);
        assert.equal((seen.opts as { protect: boolean }).protect, false);
        assert.equal(seen.props!.token, "hunter2");
        assert.deepEqual(seen.dependencies, []);
    });
});

// ---------------------------------------------------------------- persistence

describe("stateful-resources-protected", () => {
    const policy = "stateful-resources-protected";

    it("AWS: reports unprotected volumes, buckets and databases", () => {
        expectViolation(policy, [efs("fs", {}, {})], /aws:efs\/fileSystem:FileSystem "fs": the protect resource option is not set, so nothing stops a replacement or `pulumi destroy`.*\{ protect: true, retainOnDelete: true \}/);
        expectViolation(policy, [aurora("db", { deletionProtection: false })], /"db": deletionProtection is false.*Set deletionProtection: true/);
        expectViolation(policy, [res(T.rdsInstance, "pg", { instanceClass: "db.m7g.large", storageEncrypted: true, backupRetentionPeriod: 7 }, KEEP)], /"pg": deletionProtection is not set \(off by default\)/);
        expectViolation(policy, [s3("state", { forceDestroy: true })], /"state": forceDestroy is true.*Remove forceDestroy/);
        expectViolation(policy, [res(T.s3v2, "legacy", { bucket: "legacy" })], /aws:s3\/bucketV2:BucketV2 "legacy": the protect resource option is not set/);
    });

    it("AWS: accepts protected resources", () => {
        expectNone(policy, [efs("fs"), aurora("db"), s3("state"), efs("p", {}, { protect: true })]);
    });

    it("reports retainOnDelete without protect: the engine does not show policies retainOnDelete (pulumi/pulumi analyzer_plugin.go marshalResourceOptions)", () => {
        expectViolation(policy, [efs("r", {}, { retainOnDelete: true })], /"r": the protect resource option is not set.*retainOnDelete, which policies cannot see/);
    });

    it("GCP: reports unprotected disks, buckets and Cloud SQL instances", () => {
        expectViolation(policy, [disk("data", {}, {})], /gcp:compute\/disk:Disk "data": the protect resource option is not set/);
        expectViolation(policy, [res(T.regionDisk, "rdata", { replicaZones: ["a", "b"] })], /gcp:compute\/regionDisk:RegionDisk "rdata": the protect resource option is not set/);
        expectViolation(policy, [gcs("state", { forceDestroy: true })], /gcp:storage\/bucket:Bucket "state": forceDestroy is true/);
        expectViolation(policy, [cloudSql("db", { deletionProtectionEnabled: undefined })], /settings\.deletionProtectionEnabled is not set \(off by default\).*Set settings\.deletionProtectionEnabled: true/);
        expectViolation(policy, [cloudSql("db", {}, { deletionProtection: false })], /"db": deletionProtection is false, so Pulumi may delete the instance/);
    });

    it("GCP: accepts protected resources, and deletionPolicy PREVENT or ABANDON", () => {
        expectNone(policy, [disk("data"), gcs("state"), cloudSql("db"), disk("prevented", { deletionPolicy: "PREVENT" }, {}), gcs("abandoned", { deletionPolicy: "ABANDON" }, {})]);
    });
});

describe("stateful-resources-backed-up", () => {
    const policy = "stateful-resources-backed-up";

    it("AWS: reports databases that keep backups too briefly", () => {
        expectViolation(policy, [aurora("db", { backupRetentionPeriod: undefined })], /"db": backupRetentionPeriod is not set \(1 day by default\), below the 7 days required/);
        expectViolation(policy, [aurora("db", { backupRetentionPeriod: 3 })], /backupRetentionPeriod is 3, below the 7 days required\. Set backupRetentionPeriod: 7 or more/);
        expectViolation(policy, [res(T.rdsInstance, "pg", { backupRetentionPeriod: 1 }, KEEP)], /aws:rds\/instance:Instance "pg": backupRetentionPeriod is 1/);
    });

    it("AWS: accepts enough retention", () => {
        expectNone(policy, [aurora("db"), res(T.rdsInstance, "pg", { backupRetentionPeriod: 7 }, KEEP)]);
    });

    it("GCP: reports buckets without versions and Cloud SQL without enough backups", () => {
        expectViolation(policy, [gcs("state", { versioning: undefined })], /"state": versioning\.enabled is not set.*Set versioning: \{ enabled: true \}/);
        expectViolation(policy, [gcs("state", { versioning: { enabled: false } })], /versioning\.enabled is false/);
        expectViolation(policy, [cloudSql("db", { backupConfiguration: { enabled: false } })], /"db": settings\.backupConfiguration\.enabled is false.*no automated backups/);
        expectViolation(policy, [cloudSql("db", { backupConfiguration: { enabled: true, backupRetentionSettings: { retainedBackups: 3 } } })], /retainedBackups is 3, below the 7 daily backups required/);
        expectViolation(policy, [cloudSql("db", { backupConfiguration: { enabled: true } })], /retainedBackups is not set \(7 by default\), below the 30/, {
            config: { [policy]: { backupRetentionDays: 30 } },
        });
    });

    it("GCP: accepts versioned buckets, backed-up instances, and read replicas", () => {
        expectNone(policy, [gcs("state"), cloudSql("db"), cloudSql("replica", { backupConfiguration: undefined }, { masterInstanceName: "db" })]);
    });
});

describe("stateful-resources-backup-attached", () => {
    const policy = "stateful-resources-backup-attached";

    it("AWS: reports EFS file systems without an enabled backup policy and buckets without versioning", () => {
        const fs = efs("fs");
        expectViolation(policy, [fs], /"fs": no aws:efs\/backupPolicy:BackupPolicy covers it.*backupPolicy\.status "ENABLED"/);
        expectViolation(policy, [fs, efsBackup("fs-backup", fs, "DISABLED")], /"fs": its backup policy status is DISABLED/);
        expectViolation(policy, [fs, efsBackup("other-backup", efs("other"))], /"fs": no aws:efs\/backupPolicy:BackupPolicy covers it/, { on: fs });
        const bucket = s3("state");
        expectViolation(policy, [bucket], /"state": no aws:s3\/bucketVersioning:BucketVersioning covers it/);
        expectViolation(policy, [bucket, s3Versioning("v", bucket.id, "Suspended")], /"state": its versioning status is Suspended/);
    });

    it("AWS: accepts backup policies and versioning by ID, name or inline", () => {
        const fs = efs("fs");
        const byId = s3("by-id");
        const byName = s3("by-name");
        expectNone(policy, [
            fs,
            efsBackup("fs-backup", fs),
            byId,
            s3Versioning("v1", byId.id),
            byName,
            res(T.s3VersioningV2, "v2", { bucket: "web3-test-by-name", versioningConfiguration: { status: "Enabled" } }),
            s3("inline", { versioning: { enabled: true } }),
        ]);
    });

    it("GCP: reports disks without a snapshot schedule long enough", () => {
        const data = disk("data");
        expectViolation(policy, [data], /"data": no snapshot schedule is attached to it.*keeping at least 7 days/);
        const placement = res(T.resourcePolicy, "spread", { name: "spread", groupPlacementPolicy: { availabilityDomainCount: 3 } });
        expectViolation(policy, [data, placement, attachment("a", "data", "spread")], /"data": no snapshot schedule is attached/);
        expectViolation(policy, [data, snapshotPolicy("short", 3), attachment("a", "data", "short")], /its snapshot schedule .*"short" keeps snapshots 3 days, below the 7 required/);
        const rdisk = res(T.regionDisk, "rdata", { name: "rdata", replicaZones: ["us-central1-a", "us-central1-b"] }, KEEP);
        expectViolation(policy, [rdisk], /gcp:compute\/regionDisk:RegionDisk "rdata": no snapshot schedule/);
    });

    it("GCP: accepts a schedule attached by resource or inline, or one from outside the stack", () => {
        const rdisk = res(T.regionDisk, "rdata", { name: "rdata", replicaZones: ["us-central1-a", "us-central1-b"] }, KEEP);
        expectNone(policy, [
            disk("data"),
            snapshotPolicy("daily"),
            attachment("a", "data", "daily"),
            disk("inline", { resourcePolicies: ["https://www.googleapis.com/compute/v1/projects/web3/regions/us-central1/resourcePolicies/daily"] }),
            disk("org-wide", { resourcePolicies: ["projects/shared/regions/us-central1/resourcePolicies/org-daily"] }),
            rdisk,
            res(T.regionDiskAttachment, "ra", { disk: "rdata", name: "daily", region: "us-central1" }),
        ]);
    });
});

describe("state-on-persistent-volumes", () => {
    const policy = "state-on-persistent-volumes";

    it("AWS: reports state paths on the task's ephemeral storage", () => {
        expectViolation(policy, [taskDefinition("t", [kuboContainer({ mountPoints: [] })])], /containerDefinitions\[0\] \("kubo"\) keeps state in \/data\/ipfs \(IPFS_PATH points at it\) but no mount covers it.*ephemeral storage.*efsVolumeConfiguration/);
        expectViolation(
            policy,
            [taskDefinition("t", [kuboContainer()], [{ name: "ipfs", hostPath: "/ecs/ipfs" }])],
            /keeps state in \/data\/ipfs .*mounted from task volume "ipfs", which is not a persistent volume/,
        );
        expectViolation(policy, [taskDefinition("t", [clusterContainer({ mountPoints: [{ sourceVolume: "cluster", containerPath: "/data/other" }] })])], /\("cluster"\) keeps state in \/data\/ipfs-cluster/);
        expectViolation(
            policy,
            [taskDefinition("t", [{ name: "ceramic", image: "ceramicnetwork/js-ceramic:6.5.0", user: "1000:1000", command: ["daemon", "--port", "7007"] }])],
            /runs ceramicnetwork\/js-ceramic:6\.5\.0, which keeps state, but none of the state paths/,
        );
        expectViolation(
            policy,
            [taskDefinition("t", [{ name: "ceramic", image: "ceramicnetwork/js-ceramic:6.5.0", user: "1000:1000", command: ["daemon", "--state-store-directory", "/data/ceramic"] }])],
            /keeps state in \/data\/ceramic \(its environment or command names it\) but no mount covers it/,
        );
    });

    it("AWS: accepts state paths on EFS volumes", () => {
        expectNone(policy, [taskDefinition("t", [kuboContainer(), clusterContainer(), { name: "sidecar", image: "busybox:1.36", user: "65534:65534" }])]);
    });

    it("GCP: reports docker runs without a persistent-disk bind mount, auto-deleted disks and deleting MIGs", () => {
        const run = (mount: string) => cloudConfig({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN.replace("-v /mnt/disks/kubo-data/ipfs:/data/ipfs", mount)) });
        expectViolation(policy, [template("t", run(""))], /the docker run of ipfs\/kubo:v0\.29\.0 in metadata\["user-data"\] write_files \/etc\/systemd\/system\/kubo\.service keeps state in \/data\/ipfs .*no mount covers it.*boot disk.*-v \/mnt\/disks/);
        expectViolation(policy, [template("t", run("-v kubo-data:/data/ipfs"))], /mounted from docker volume kubo-data, which is not a persistent volume/);
        expectViolation(policy, [template("t", run("-v /var/lib/kubo:/data/ipfs"))], /mounted from \/var\/lib\/kubo, which is not a persistent volume/);
        expectViolation(
            policy,
            [template("t", run("--mount type=bind,source=/home/kubo,target=/data/ipfs"))],
            /mounted from \/home\/kubo, which is not a persistent volume/,
        );
        expectViolation(
            policy,
            [template("t", run(""), { disks: [{ boot: true, sourceImage: "cos" }, { source: "kubo-data", deviceName: "kubo-data" }] })],
            /disks\[1\] attaches an existing persistent disk with autoDelete not set \(true by default\).*Set autoDelete: false/,
        );
        expectViolation(policy, [res(T.mig, "kubo-a", { statefulDisks: [{ deviceName: "kubo-data", deleteRule: "ON_PERMANENT_INSTANCE_DELETION" }] })], /statefulDisks\[0\] \(device kubo-data\) has deleteRule ON_PERMANENT_INSTANCE_DELETION/);
        expectViolation(
            policy,
            [res(T.perInstanceConfig, "kubo-a-0", { instanceGroupManager: "kubo-a", preservedState: { disks: [{ deviceName: "kubo-data", source: "kubo-data", deleteRule: "ON_PERMANENT_INSTANCE_DELETION" }] } })],
            /preservedState\.disks\[0\] \(device kubo-data\) has deleteRule ON_PERMANENT_INSTANCE_DELETION.*Set deleteRule: "NEVER"/,
        );
    });

    it("GCP: accepts bind mounts from /mnt/disks, kept disks and runcmd argument lists", () => {
        const runcmd = [["docker", "run", "-d", "-u", "1000:100", "-v", "/mnt/disks/cluster/data:/data/ipfs-cluster", CLUSTER_IMAGE]];
        expectNone(policy, [
            template("t", cloudConfig({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN) }, runcmd), {
                disks: [{ boot: true, sourceImage: "cos" }, { source: "kubo-data", deviceName: "kubo-data", autoDelete: false }],
            }),
            res(T.mig, "kubo-a", { statefulDisks: [{ deviceName: "kubo-data", deleteRule: "NEVER" }] }),
            res(T.perInstanceConfig, "kubo-a-0", { instanceGroupManager: "kubo-a", preservedState: { disks: [{ deviceName: "kubo-data", source: "kubo-data" }] } }),
        ]);
    });

    it("docker: reports state in the container's writable layer", () => {
        expectViolation(policy, [dockerKubo({ volumes: undefined })], /docker:index\/container:Container "kubo": the container keeps state in \/data\/ipfs .*no mount covers it.*writable layer.*volumeName/);
        expectViolation(policy, [dockerKubo({ volumes: undefined, mounts: [{ target: "/data/ipfs", type: "tmpfs" }] })], /mounted from tmpfs, which is not a persistent volume/);
        expectViolation(policy, [res(T.container, "cluster", { image: CLUSTER_IMAGE, user: "1000:100" })], /runs ipfs\/ipfs-cluster:v1\.1\.1, which keeps state/);
    });

    it("docker: accepts a named volume or a host path", () => {
        expectNone(policy, [dockerKubo(), dockerKubo({ volumes: [{ containerPath: "/data", hostPath: "/srv/kubo" }] })]);
    });
});

// ---------------------------------------------------------------- non-root

describe("containers-run-as-non-root", () => {
    const policy = "containers-run-as-non-root";

    it("AWS: reports containers without a non-zero uid, privileged ones and root capabilities", () => {
        expectViolation(policy, [taskDefinition("t", [kuboContainer({ user: undefined })])], /containerDefinitions\[0\] \("kubo"\) has no user, so it runs as the image's default user.*Set "user": "<uid>:<gid>"/);
        expectViolation(policy, [taskDefinition("t", [kuboContainer({ user: "root" })])], /runs as user "root", a name rather than a numeric uid/);
        expectViolation(policy, [taskDefinition("t", [kuboContainer(), clusterContainer({ user: "0:0" })])], /containerDefinitions\[1\] \("cluster"\) runs as user "0:0": uid 0 is root/);
        expectViolation(policy, [taskDefinition("t", [kuboContainer({ privileged: true })])], /\("kubo"\) is privileged.*Remove privileged/);
        expectViolation(policy, [taskDefinition("t", [kuboContainer({ linuxParameters: { capabilities: { add: ["SYS_ADMIN"] } } })])], /adds the capability SYS_ADMIN/);
    });

    it("AWS: accepts explicit non-zero uids", () => {
        expectNone(policy, [taskDefinition("t", [kuboContainer(), clusterContainer({ user: "1000" })])]);
    });

    it("GCP: reports docker runs without --user, as root, privileged or with root capabilities", () => {
        const withRun = (execStart: string) => template("t", cloudConfig({ "/etc/systemd/system/kubo.service": unitFile(execStart) }));
        expectViolation(policy, [withRun(KUBO_RUN.replace("--user 1000:100 ", ""))], /the docker run of ipfs\/kubo:v0\.29\.0 .* has no user.*Add --user <uid>:<gid>/);
        expectViolation(policy, [withRun(KUBO_RUN.replace("--user 1000:100", "-u 0"))], /runs as user "0": uid 0 is root/);
        expectViolation(policy, [withRun(KUBO_RUN.replace("--user 1000:100", "--user=root"))], /runs as user "root", a name/);
        expectViolation(policy, [withRun(KUBO_RUN.replace("--user 1000:100", "--user 1000:100 --privileged"))], /is privileged.*Remove --privileged/);
        expectViolation(policy, [withRun(KUBO_RUN.replace("--user 1000:100", "--user 1000:100 --cap-add=ALL"))], /adds the capability ALL/);
        expectViolation(
            policy,
            [res(T.instance, "vm", { metadataStartupScript: "#!/bin/bash\nset -e\ndocker run -d --name chainlink smartcontract/chainlink:2.19.0 node start" })],
            /gcp:compute\/instance:Instance "vm": the docker run of smartcontract\/chainlink:2\.19\.0 in metadataStartupScript has no user/,
        );
    });

    it("GCP: accepts --user and -u with a non-zero uid, in units, runcmd strings and argument lists", () => {
        expectNone(policy, [
            template(
                "t",
                cloudConfig({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN) }, [
                    "docker run -d -u1000:100 busybox:1.36 true",
                    ["docker", "container", "run", "--user", "14933:14933", "smartcontract/chainlink:2.19.0"],
                ]),
            ),
        ]);
    });

    it("docker: reports containers without a non-zero uid or privileged", () => {
        expectViolation(policy, [dockerKubo({ user: undefined })], /"kubo": the container has no user.*Set user: "<uid>:<gid>"/);
        expectViolation(policy, [dockerKubo({ user: "0" })], /the container runs as user "0": uid 0 is root/);
        expectViolation(policy, [dockerKubo({ privileged: true })], /the container is privileged/);
        expectViolation(policy, [dockerKubo({ capabilities: { adds: ["CAP_SYS_ADMIN"] } })], /adds the capability CAP_SYS_ADMIN/);
    });

    it("docker: accepts a non-zero uid", () => {
        expectNone(policy, [dockerKubo({ user: "1000" })]);
    });
});

// ---------------------------------------------------------------- exposure

describe("public-ingress-only-swarm-ports", () => {
    const policy = "public-ingress-only-swarm-ports";

    it("AWS: reports world-open private ports, in every way a rule can be written", () => {
        expectViolation(policy, [sg("kubo", [{ protocol: "tcp", fromPort: 5001, toPort: 5001, cidrBlocks: ["0.0.0.0/0"] }])], /"kubo": ingress\[0\] opens tcp 5001 to 0\.0\.0\.0\/0\. Only 4001, 4002, 4011, 4012, 4101, 4102 and 6690 \(the peer-to-peer ports\).*narrow cidrBlocks/);
        expectViolation(policy, [sg("kubo", [{ protocol: "tcp", fromPort: 0, toPort: 65535, ipv6CidrBlocks: ["::/0"] }])], /opens tcp 0-65535 to ::\/0/);
        expectViolation(policy, [res(T.sgRule, "all", { type: "ingress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1" })], /"all": opens every protocol and port to 0\.0\.0\.0\/0/);
        expectViolation(policy, [res(T.sgIngress, "range", { ipProtocol: "tcp", fromPort: 4000, toPort: 5005, cidrIpv6: "::/0", securityGroupId: "sg-1" })], /"range": opens tcp 4000-5005 to ::\/0.*narrow cidrIpv4\/cidrIpv6/);
        expectViolation(policy, [res(T.sgIngress, "proxy", { ipProtocol: "tcp", fromPort: 9095, toPort: 9095, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" })], /opens tcp 9095/);
        expectViolation(policy, [sg("kubo", [{ protocol: "udp", fromPort: 4011, toPort: 4011, cidrBlocks: ["0.0.0.0/0"] }])], /opens udp 4011.*Only 4001 \(the peer-to-peer ports\)/, {
            config: { [policy]: { allowedPublicPorts: [4001] } },
        });
    });

    it("AWS: accepts swarm ports, ICMP, private sources, and leaves 80/443 to the load balancer rule", () => {
        expectNone(policy, [
            sg("kubo", [
                { protocol: "tcp", fromPort: 4001, toPort: 4001, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
                { protocol: "udp", fromPort: 4011, toPort: 4012, cidrBlocks: ["0.0.0.0/0"] },
                { protocol: "icmp", fromPort: 3, toPort: 4, cidrBlocks: ["0.0.0.0/0"] },
                { protocol: "tcp", fromPort: 5001, toPort: 5001, cidrBlocks: ["10.40.0.0/16"] },
                { protocol: "-1", fromPort: 0, toPort: 0, securityGroups: ["sg-2"] },
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
            ]),
            res(T.sgRule, "egress", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1" }),
        ]);
    });

    it("GCP: reports world-open firewalls beyond the swarm ports, including 80/443 and a missing source", () => {
        const fw = (name: string, inputs: Record<string, unknown>) => res(T.firewall, name, { network: "web3", ...inputs });
        expectViolation(policy, [fw("rpc", { sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["5001"] }] })], /gcp:compute\/firewall:Firewall "rpc": allows\[0\] opens tcp 5001 to 0\.0\.0\.0\/0.*narrow sourceRanges/);
        expectViolation(policy, [fw("tcp", { sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp" }] })], /opens tcp on every port/);
        expectViolation(policy, [fw("all", { sourceRanges: ["::/0"], allows: [{ protocol: "all" }] })], /opens every protocol and port to ::\/0/);
        expectViolation(policy, [fw("nosource", { allows: [{ protocol: "tcp", ports: ["8080"] }] })], /opens tcp 8080 to 0\.0\.0\.0\/0 \(no source given\)/);
        expectViolation(policy, [fw("web", { sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["443"] }] })], /opens tcp 443 to 0\.0\.0\.0\/0\. Only 4001, 4002, 4011, 4012, 4101, 4102 and 6690/);
    });

    it("GCP: reports external forwarding rules beyond the public ports", () => {
        expectViolation(policy, [res(T.forwardingRule, "rpc", { backendService: "kubo", ports: ["4001", "5001"] })], /"rpc": the external forwarding rule exposes tcp 5001 to the internet/);
        expectViolation(policy, [res(T.forwardingRule, "every", { backendService: "kubo", allPorts: true, ipProtocol: "UDP" })], /exposes udp on every port/);
        expectViolation(policy, [res(T.forwardingRule, "noports", { backendService: "kubo" })], /exposes tcp on every port/);
        expectViolation(policy, [res(T.globalForwardingRule, "api", { target: "api", portRange: "9094" })], /exposes tcp 9094/);
    });

    it("GCP: accepts swarm firewalls, Google front-end sources, internal and load-balancer forwarding rules", () => {
        expectNone(policy, [
            ...gcpStack(),
            res(T.firewall, "egress", { network: "web3", direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], allows: [{ protocol: "all" }] }),
            res(T.firewall, "off", { network: "web3", disabled: true, sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "all" }] }),
            res(T.firewall, "tagged", { network: "web3", sourceTags: ["cluster"], allows: [{ protocol: "tcp", ports: ["9096"] }] }),
            res(T.forwardingRule, "internal", { backendService: "db", ports: ["5432"], loadBalancingScheme: "INTERNAL" }),
            res(T.globalForwardingRule, "default-port", { target: "https-proxy" }),
        ]);
    });
});

describe("public-web-ports-only-on-load-balancers", () => {
    const policy = "public-web-ports-only-on-load-balancers";

    it("AWS: reports 80/443 open to the world on security groups no application load balancer uses", () => {
        const task = sg("task", [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]);
        expectViolation(policy, [task], /"task": ingress\[0\] opens 443 to 0\.0\.0\.0\/0, but security group "task" is not attached to an application load balancer/);
        expectViolation(policy, [task, res(T.sgRule, "http", { type: "ingress", protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], securityGroupId: task.id })], /"http": opens 80 to 0\.0\.0\.0\/0, but security group "task"/, {
            on: res(T.sgRule, "http"),
        });
        const nlbSg = sg("nlb", []);
        expectViolation(
            policy,
            [nlbSg, res(T.lb, "swarm", { loadBalancerType: "network", securityGroups: [nlbSg.id] }), res(T.sgIngress, "https", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: nlbSg.id })],
            /"https": opens 443.*security group "nlb" is not attached to an application load balancer/,
            { on: res(T.sgIngress, "https") },
        );
        expectViolation(policy, [res(T.sgRule, "elsewhere", { type: "ingress", protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-0ff" })], /security group sg-0ff \(not in this stack\)/);
    });

    it("AWS: accepts 80/443 on an application load balancer's security group, inline or as rules", () => {
        const albSg = sg("alb", [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }]);
        expectNone(policy, [
            albSg,
            res(T.lb, "alb", { securityGroups: [albSg.id] }),
            res(T.sgIngress, "https", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: albSg.id }),
        ]);
    });
});

describe("databases-private", () => {
    const policy = "databases-private";

    it("AWS: reports publicly accessible instances", () => {
        expectViolation(policy, [res(T.rdsInstance, "pg", { publiclyAccessible: true })], /"pg": publiclyAccessible is true.*Set publiclyAccessible: false/);
        expectViolation(policy, [res(T.rdsClusterInstance, "aurora-1", { publiclyAccessible: true, instanceClass: "db.r6g.large" })], /aws:rds\/clusterInstance:ClusterInstance "aurora-1": publiclyAccessible is true/);
        expectViolation(policy, [res(T.rdsClusterInstance, "aurora-2", { publiclyAccessible: true })], /"aurora-2": publiclyAccessible is true/);
    });

    it("AWS: accepts private instances", () => {
        expectNone(policy, [res(T.rdsInstance, "pg", { publiclyAccessible: false }), res(T.rdsClusterInstance, "aurora-1", {})]);
    });

    it("GCP: reports public IPs and world-wide authorized networks", () => {
        expectViolation(policy, [cloudSql("db", { ipConfiguration: { ipv4Enabled: true } })], /"db": settings\.ipConfiguration\.ipv4Enabled is true.*Set ipv4Enabled: false/);
        expectViolation(policy, [cloudSql("db", { ipConfiguration: undefined })], /ipv4Enabled is not set \(true by default\)/);
        expectViolation(policy, [cloudSql("db", { ipConfiguration: { ipv4Enabled: false, privateNetwork: "n", authorizedNetworks: [{ name: "all", value: "0.0.0.0/0" }] } })], /authorizedNetworks\[0\] is 0\.0\.0\.0\/0/);
    });

    it("GCP: accepts private instances", () => {
        expectNone(policy, [cloudSql("db")]);
    });
});

describe("http-listeners-redirect-to-https", () => {
    const policy = "http-listeners-redirect-to-https";
    const listener = (name: string, inputs: Record<string, unknown>) => res(T.listener, name, { loadBalancerArn: "arn:lb", port: 80, ...inputs });

    it("AWS: reports HTTP listeners that serve instead of redirecting to HTTPS", () => {
        expectViolation(policy, [listener("http", { protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] })], /"http": the HTTP listener's defaultActions has a forward action.*redirect\.protocol "HTTPS"/);
        expectViolation(policy, [listener("http", { protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { port: "8080", statusCode: "HTTP_302" } }] })], /redirects to the same protocol \(HTTP\)/);
        expectViolation(policy, [listener("default", { defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] })], /"default": the HTTP listener's defaultActions has a forward action/);
        expectViolation(policy, [res("aws:alb/listener:Listener", "legacy", { protocol: "http", defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain" } }] })], /"legacy": .*has a fixed-response action/);
    });

    it("AWS: accepts redirects to HTTPS and HTTPS or TCP listeners", () => {
        expectNone(policy, awsStack());
        expectNone(policy, [listener("tcp", { protocol: "TCP", port: 4001, defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] })]);
    });
});

describe("http-proxies-redirect-to-https", () => {
    const policy = "http-proxies-redirect-to-https";
    const proxy = (urlMap: string) => res(T.httpProxy, "http", { urlMap });

    it("GCP: reports target HTTP proxies whose URL map serves content", () => {
        const serving = res(T.urlMap, "serving", { name: "serving", defaultService: "backend" });
        expectViolation(policy, [serving, proxy(serving.id!)], /"serving": serves the HTTP proxy http, but defaultUrlRedirect\.httpsRedirect is not true/);
        const noHttps = res(T.urlMap, "nohttps", { name: "nohttps", defaultUrlRedirect: { httpsRedirect: false, stripQuery: false } });
        expectViolation(policy, [noHttps, proxy("projects/web3/global/urlMaps/nohttps")], /"nohttps": serves the HTTP proxy/);
        const routing = res(T.urlMap, "routing", { name: "routing", defaultUrlRedirect: { httpsRedirect: true, stripQuery: false }, pathMatchers: [{ name: "api", defaultService: "api" }] });
        expectViolation(policy, [routing, proxy("routing")], /it has pathMatchers that route requests to services/);
        expectViolation(policy, [proxy("projects/other/global/urlMaps/theirs")], /"http": urlMap projects\/other\/global\/urlMaps\/theirs is not in this stack/);
    });

    it("GCP: accepts a redirect-only URL map", () => {
        expectNone(policy, gcpStack());
    });

    it("AWS: reports listener rules that serve on an HTTP listener", () => {
        const http = res(T.listener, "http", { protocol: "HTTP", port: 80, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } }] });
        const rule = res(T.listenerRule, "api", { listenerArn: http.id, actions: [{ type: "forward", targetGroupArn: "arn:tg" }], conditions: [] });
        expectViolation(policy, [http, rule], /"api": the rule on an HTTP listener has a forward action/, { on: rule });
        expectNone(policy, [http, res(T.listenerRule, "redirect", { listenerArn: http.id, actions: [{ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } }], conditions: [] })]);
    });
});

// ---------------------------------------------------------------- secrets

describe("no-plaintext-secrets", () => {
    const policy = "no-plaintext-secrets";

    it("AWS: reports literal secrets in environment, commands and health checks", () => {
        const env = (name: string, value: string) => taskDefinition("t", [clusterContainer({ environment: [{ name, value }] })]);
        expectViolation(policy, [env("CLUSTER_SECRET", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")], /containerDefinitions\[0\] \("cluster"\) sets the environment variable CLUSTER_SECRET to a literal secret.*`secrets`/);
        expectViolation(policy, [env("CLUSTER_RESTAPI_BASICAUTHCREDENTIALS", "admin:hunter2")], /sets the environment variable CLUSTER_RESTAPI_BASICAUTHCREDENTIALS to a literal secret/);
        expectViolation(policy, [env("CL_DATABASE_URL", "postgresql://chainlink:s3cret@db:5432/chainlink?sslmode=require")], /sets CL_DATABASE_URL to the URL postgresql:\/\/chainlink:\*\*\*@ with a password in it/);
        expectViolation(
            policy,
            [taskDefinition("t", [clusterContainer({ healthCheck: { command: ["CMD-SHELL", "curl -fsS -u admin:hunter2 http://127.0.0.1:9094/id || exit 1"] } })])],
            /in its command or health check, curl -u passes a literal user:password/,
        );
        expectViolation(policy, [taskDefinition("t", [kuboContainer({ command: ["daemon", "--api-token=abc123"] })])], /the flag --api-token has a literal value/);
        expectViolation(policy, [taskDefinition("t", [kuboContainer({ entryPoint: ["sh", "-c", "exec app --password hunter2"] })])], /the flag --password has a literal value/);
    });

    it("AWS: judges a Pulumi secret by its plain text, as the engine hands it over, and never repeats it", () => {
        const hidden = "9f86d081884c7d659a2feaa0c55ad015";
        const definitions = JSON.stringify([clusterContainer({ environment: [{ name: "CLUSTER_SECRET", value: hidden }] })]);
        const t = res(T.task, "secret", { family: "secret", containerDefinitions: secret(definitions) });
        expectViolation(policy, [t], /"secret": containerDefinitions\[0\] \("cluster"\) sets the environment variable CLUSTER_SECRET to a literal secret/);
        assert.ok(violationsOf(policy, [t]).every(v => !v.message.includes(hidden)));
        // A secret that is no literal (a file it names) is no violation, secret or not.
        const file = JSON.stringify([clusterContainer({ environment: [{ name: "IPFS_SWARM_KEY_FILE", value: "/run/secrets/swarm.key" }] })]);
        expectNone(policy, [res(T.task, "file", { family: "file", containerDefinitions: secret(file) })]);
    });

    it("AWS: accepts secrets from Secrets Manager, references and switches", () => {
        expectNone(policy, [
            taskDefinition("t", [
                clusterContainer({
                    environment: [
                        { name: "IPFS_SWARM_KEY_FILE", value: "/run/secrets/swarm.key" },
                        { name: "AWS_ACCESS_KEY_ID", value: "AKIAEXAMPLE" },
                        { name: "SECRET_ARN", value: "arn:aws:secretsmanager:us-east-1:1:secret:x" },
                        { name: "TOKEN_AUTH_ENABLED", value: "true" },
                        { name: "IPFS_BACKEND_KEYS", value: "default" },
                        { name: "API_TOKEN", value: "" },
                    ],
                    command: ["node", "-config", "/chainlink/config.toml", "-secrets", "secrets.toml", "start", "-p", ".password", "-a", ".api"],
                }),
            ]),
        ]);
    });

    it("GCP: reports literal secrets in metadata, units, env files, config files and docker runs", () => {
        const vm = (files: Record<string, string>, runcmd?: unknown[], metadata: Record<string, unknown> = {}) => {
            const t = template("t", cloudConfig(files, runcmd));
            (t.inputs.metadata as Record<string, unknown>) = { ...(t.inputs.metadata as object), ...metadata };
            return t;
        };
        const kubo = { "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN) };
        expectViolation(policy, [vm(kubo, undefined, { "cluster-secret": "9f86d081884c7d65" })], /metadata\["cluster-secret"\] holds a literal secret.*Secret Manager/);
        expectViolation(policy, [vm({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN.replace("-e IPFS_PATH", "-e IPFS_SWARM_KEY=abcdef -e IPFS_PATH")) })], /the docker run of ipfs\/kubo:v0\.29\.0 in .* passes -e IPFS_SWARM_KEY with a literal secret/);
        expectViolation(policy, [vm({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN, ["CLUSTER_SECRET=abcdef0123456789"]) })], /write_files \/etc\/systemd\/system\/kubo\.service sets CLUSTER_SECRET to a literal secret/);
        expectViolation(policy, [vm({ ...kubo, "/etc/web3/cluster.env": "CLUSTER_PEERNAME=a\nCLUSTER_SECRET=abcdef0123456789\n" })], /write_files \/etc\/web3\/cluster\.env sets CLUSTER_SECRET to a literal secret/);
        expectViolation(policy, [vm({ ...kubo, "/data/ipfs-cluster/identity.json": JSON.stringify({ id: "12D3KooWabc", private_key: "CAESQ..." }) })], /identity\.json sets private_key to a literal secret/);
        expectViolation(policy, [vm({ ...kubo, "/home/chainlink/secrets.toml": "[Password]\nKeystore = 'correct-horse-battery'\n[Database]\nURL = 'postgresql://cl:pw@10.0.0.3/cl'\n" })], /secrets\.toml sets Password\.Keystore to a literal secret/);
        expectViolation(policy, [vm(kubo, ["curl -H 'Authorization: Bearer abc123' https://example.com"])], /runcmd\[0\], curl sends a literal Authorization header/);
        // A Pulumi secret in metadata is stored and shown in plain text all the same.
        expectViolation(policy, [vm(kubo, undefined, { "cluster-secret": secret("9f86d081884c7d65") })], /metadata\["cluster-secret"\] holds a literal secret/);
        const secretBoot = res(T.instance, "vm", { metadata: { "user-data": secret(cloudConfig({ "/etc/web3/cluster.env": "CLUSTER_SECRET=abcdef0123456789\n" })) } });
        expectViolation(policy, [secretBoot], /metadata\["user-data"\] write_files \/etc\/web3\/cluster\.env sets CLUSTER_SECRET to a literal secret/);
        assert.ok(violationsOf(policy, [secretBoot]).every(v => !v.message.includes("abcdef0123456789")));
    });

    it("GCP: accepts secrets read at boot and public keys", () => {
        const unit = unitFile(KUBO_RUN.replace("-e IPFS_PATH", '-e CLUSTER_SECRET="$(cat /run/web3/cluster-secret)" -e IPFS_SWARM_KEY_FILE=/run/web3/swarm.key -e IPFS_PATH'), ["TOKEN_FILE=/run/web3/token"]);
        const t = template("t", cloudConfig({ "/etc/systemd/system/kubo.service": unit, "/etc/web3/cluster.env": "CLUSTER_SECRET=${CLUSTER_SECRET}\n" }));
        (t.inputs.metadata as Record<string, unknown>)["ssh-keys"] = "core:ssh-ed25519 AAAAC3Nza core";
        (t.inputs.metadata as Record<string, unknown>)["secret-versions"] = "cluster-secret-0a1b/versions/1";
        expectNone(policy, [t, ...gcpStack()]);
        // A script that fetches secrets is code, not a config file: its tests and its token URL are no secrets.
        const fetchScript = [
            "#!/bin/bash",
            "readonly TOKEN_URL=http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
            "token=''",
            'token="$(curl -s -H "Metadata-Flavor: Google" "$TOKEN_URL" | jq -r .access_token)"',
            '[ -n "$token" ]',
            'curl -s -H "Authorization: Bearer $token" "https://secretmanager.googleapis.com/v1/projects/p/secrets/cluster-secret/versions/latest:access"',
            "",
        ].join("\n");
        expectNone(policy, [template("s", cloudConfig({ "/etc/web3/fetch-secrets.sh": fetchScript, "/etc/web3/fetch": fetchScript }))]);
    });

    it("docker: reports literal secrets in envs, commands and health checks", () => {
        expectViolation(policy, [dockerKubo({ envs: ["IPFS_PATH=/data/ipfs", "IPFS_SWARM_KEY=abcdef"] })], /"kubo": the container sets the environment variable IPFS_SWARM_KEY to a literal secret.*mounted file/);
        expectViolation(policy, [dockerKubo({ command: ["daemon", "--secret", "abcdef"] })], /the flag --secret has a literal value/);
        expectViolation(policy, [dockerKubo({ healthcheck: { tests: ["CMD", "wget", "--header=Authorization: Basic YWRtaW46aHVudGVyMg==", "http://localhost:9094/id"] } })], /wget sends a literal Authorization header/);
        expectViolation(policy, [dockerKubo({ envs: ["DATABASE_URL=postgres://u:p@db/x"] })], /DATABASE_URL to the URL postgres:\/\/u:\*\*\*@/);
    });

    it("docker: accepts file-based secrets, and judges a Pulumi secret by its plain text", () => {
        expectNone(policy, [dockerKubo({ envs: ["IPFS_PATH=/data/ipfs", secret("IPFS_SWARM_KEY_FILE=/run/secrets/swarm")] })]);
        expectViolation(policy, [dockerKubo({ envs: ["IPFS_PATH=/data/ipfs", secret("IPFS_SWARM_KEY=abcdef")] })], /sets the environment variable IPFS_SWARM_KEY to a literal secret/);
    });
});

// ---------------------------------------------------------------- encryption

describe("storage-encrypted", () => {
    const policy = "storage-encrypted";
    const cmek = { config: { [policy]: { requireCustomerManagedKeys: true } } };

    it("AWS: reports unencrypted file systems, databases and volumes", () => {
        expectViolation(policy, [efs("fs", { encrypted: undefined })], /"fs": encrypted is not set \(off by default\), so the file system is stored unencrypted\. Set encrypted: true/);
        expectViolation(policy, [efs("fs", { encrypted: false })], /encrypted is false/);
        expectViolation(policy, [aurora("db", { storageEncrypted: undefined })], /"db": storageEncrypted is not set.*Set storageEncrypted: true/);
        expectViolation(policy, [res(T.ebs, "vol", { availabilityZone: "us-east-1a", encrypted: false })], /aws:ebs\/volume:Volume "vol": encrypted is false/);
        expectViolation(policy, [res(T.ec2, "bastion", { ami: "ami-1", instanceType: "t3.micro" })], /rootBlockDevice\.encrypted is not set/);
        expectViolation(policy, [efs("fs")], /"fs": kmsKeyId is not set, but requireCustomerManagedKeys asks for a customer-managed KMS key/, cmek);
    });

    it("AWS: accepts encrypted storage", () => {
        expectNone(policy, [efs("fs"), aurora("db"), res(T.ebs, "vol", { encrypted: true }), res(T.ec2, "vm", { rootBlockDevice: { encrypted: true } })]);
        expectNone(policy, [efs("fs", { kmsKeyId: "arn:kms" }), aurora("db", { kmsKeyId: "arn:kms" })], cmek);
    });

    it("GCP: passes Google's default encryption, and with requireCustomerManagedKeys reports resources without a key", () => {
        expectNone(policy, [disk("data"), gcs("state"), cloudSql("db")]);
        expectViolation(policy, [disk("data")], /"data": diskEncryptionKey\.kmsKeySelfLink is not set, but requireCustomerManagedKeys/, cmek);
        expectViolation(policy, [gcs("state")], /"state": encryption\.defaultKmsKeyName is not set/, cmek);
        expectViolation(policy, [cloudSql("db")], /"db": encryptionKeyName is not set/, cmek);
        expectNone(
            policy,
            [disk("data", { diskEncryptionKey: { kmsKeySelfLink: "projects/p/locations/l/keyRings/r/cryptoKeys/k" } }), gcs("state", { encryption: { defaultKmsKeyName: "k" } }), cloudSql("db", {}, { encryptionKeyName: "k" })],
            cmek,
        );
    });
});

describe("s3-encryption-configured", () => {
    const policy = "s3-encryption-configured";

    it("AWS: reports buckets without an explicit encryption configuration", () => {
        const bucket = s3("state");
        expectViolation(policy, [bucket], /"state": no aws:s3\/bucketServerSideEncryptionConfiguration covers it/);
        expectViolation(policy, [bucket, res(T.s3Sse, "sse", { bucket: bucket.id, rules: [{ bucketKeyEnabled: true }] })], /its encryption rule has no applyServerSideEncryptionByDefault\.sseAlgorithm/);
        expectViolation(policy, [bucket, s3Sse("sse", bucket.id)], /its encryption is AES256 without kmsMasterKeyId, but requireCustomerManagedKeys/, {
            config: { [policy]: { requireCustomerManagedKeys: true } },
        });
        expectViolation(policy, [bucket, s3Sse("sse", "some-other-bucket")], /no aws:s3\/bucketServerSideEncryptionConfiguration covers it/);
    });

    it("AWS: accepts a configuration resource or an inline rule", () => {
        const bucket = s3("state");
        expectNone(policy, [bucket, s3Sse("sse", bucket.id), s3("inline", { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } } })]);
        expectNone(policy, [bucket, s3Sse("sse", bucket.inputs.bucket, "aws:kms", "arn:kms")], { config: { [policy]: { requireCustomerManagedKeys: true } } });
    });
});

// ---------------------------------------------------------------- registry mirror

describe("images-pulled-through-mirror", () => {
    const policy = "images-pulled-through-mirror";

    it("AWS: reports images pulled from Docker Hub directly or from ECR outside the stack's pull-through cache rules", () => {
        const direct = taskDefinition("direct", [kuboContainer()]);
        expectViolation(policy, [direct, ecrRule()], /"direct": containerDefinitions\[0\] \("kubo"\) uses image "ipfs\/kubo:v0\.29\.0": it is pulled from docker\.io directly, not through this stack's registry mirror/);
        const elsewhere = taskDefinition("elsewhere", [kuboContainer({ image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/other/${KUBO_IMAGE}` })]);
        expectViolation(policy, [elsewhere, ecrRule()], /it is in ECR under other\/ipfs\/kubo, which no pull-through cache rule of this stack serves \(its prefixes: web3-test\/dockerhub\)/);
        expectViolation(policy, [taskDefinition("nomirror", [kuboContainer({ image: `${ECR_MIRROR}/${KUBO_IMAGE}` })])], /its prefixes: none/);
    });

    it("AWS: accepts images under a pull-through cache rule of the stack", () => {
        expectNone(policy, [taskDefinition("t", [kuboContainer({ image: `${ECR_MIRROR}/${KUBO_IMAGE}` }), clusterContainer({ image: `${ECR_MIRROR}/${CLUSTER_IMAGE}` })]), ecrRule()]);
    });

    it("GCP: reports docker runs and Cloud Run jobs that pull from Docker Hub, or from a repository that is no remote repository of the stack", () => {
        const vm = (image: string) => template("vm", cloudConfig({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN.replace(KUBO_IMAGE, image)) }));
        expectViolation(policy, [vm(KUBO_IMAGE), remoteRepository()], /"vm": the docker run of ipfs\/kubo:v0\.29\.0 .* it is pulled from docker\.io directly/);
        expectViolation(policy, [vm(`${AR_MIRROR}/${KUBO_IMAGE}`), remoteRepository("standard", { mode: "STANDARD_REPOSITORY" })], /repository web3-nodes-test\/web3-test-dockerhub in us-central1, which is no remote repository of this stack/);
        expectViolation(policy, [vm(`${AR_MIRROR}/${KUBO_IMAGE}`), remoteRepository("europe", { location: "europe-west1" })], /which is no remote repository of this stack/);
        const job = (image: string) => res(T.cloudRunJob, "keepalive", { template: { template: { containers: [{ name: "keepalive", image }] } } });
        expectViolation(policy, [job("curlimages/curl:8.11.1"), remoteRepository()], /"keepalive": containers\[0\] \("keepalive"\) uses image "curlimages\/curl:8\.11\.1": it is pulled from docker\.io directly/);
        expectNone(policy, [job(`${AR_MIRROR}/curlimages/curl:8.11.1`), vm(`${AR_MIRROR}/${KUBO_IMAGE}`), remoteRepository()]);
    });

    it("leaves local Docker containers alone: they pull on the operator's machine", () => {
        expectNone(policy, [dockerKubo()]);
    });

    it("keeps a mirrored image known by its upstream path: state-on-persistent-volumes still sees ipfs-cluster keep state", () => {
        const task = taskDefinition("t", [{ name: "cluster", image: `${ECR_MIRROR}/${CLUSTER_IMAGE}`, user: "1000:100" }], []);
        expectViolation("state-on-persistent-volumes", [task, ecrRule()], /runs 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/web3-test\/dockerhub\/ipfs\/ipfs-cluster:v1\.1\.1, which keeps state/);
    });
});

// ---------------------------------------------------------------- advisory

describe("advisory policies", () => {
    it("images-pinned reports moving tags on every back-end", () => {
        expectViolation("images-pinned", [taskDefinition("t", [kuboContainer({ image: "ipfs/kubo:latest" })])], /uses image "ipfs\/kubo:latest", which is not pinned/);
        expectViolation("images-pinned", [template("t", cloudConfig({ "/etc/systemd/system/kubo.service": unitFile(KUBO_RUN.replace(KUBO_IMAGE, "ipfs/kubo")) }))], /uses image "ipfs\/kubo"/);
        expectViolation("images-pinned", [dockerKubo({ image: "smartcontract/chainlink:2.19.0-root" })], /"smartcontract\/chainlink:2\.19\.0-root"/);
    });

    it("log-retention-set reports logs kept forever", () => {
        expectViolation("log-retention-set", [res(T.logGroup, "logs", {})], /"logs": retentionInDays is not set, so logs are kept forever/);
        expectViolation("log-retention-set", [res(T.logBucket, "logs", { bucketId: "_Default" })], /retentionDays is not set/);
        expectNone("log-retention-set", [res(T.logGroup, "logs", { retentionInDays: 14 })]);
    });

    it("no-burstable-databases-in-prod reports burstable classes unless the stack is dev", () => {
        const burstable = [res(T.rdsClusterInstance, "db-1", { instanceClass: "db.t4g.medium" }), cloudSql("db", { tier: "db-f1-micro" })];
        assert.equal(violationsOf("no-burstable-databases-in-prod", burstable).length, 2);
        expectViolation("no-burstable-databases-in-prod", burstable, /"db-1": instanceClass is db\.t4g\.medium, a burstable class/);
        expectNone("no-burstable-databases-in-prod", burstable, { stackTags: { profile: "dev" } });
        expectNone("no-burstable-databases-in-prod", burstable, { config: { "no-burstable-databases-in-prod": { profile: "dev" } } });
        expectNone("no-burstable-databases-in-prod", burstable, { config: { profile: "dev" } });
        assert.equal(violationsOf("no-burstable-databases-in-prod", burstable, { stackTags: { profile: "dev" }, config: { "no-burstable-databases-in-prod": { profile: "prod" } } }).length, 2);
    });
});

// ---------------------------------------------------------------- unknown values

describe("unknown values during a preview", () => {
    it("never produce a violation", () => {
        const unknowns: SynthResource[] = [
            // Sentinels, as the engine sends them for values computed from other resources.
            efs("fs", { encrypted: UNKNOWN_BOOL }),
            res(T.efsBackup, "fs-backup", { fileSystemId: UNKNOWN_STRING, backupPolicy: { status: "ENABLED" } }),
            aurora("db", { backupRetentionPeriod: UNKNOWN_NUMBER, deletionProtection: UNKNOWN_BOOL, storageEncrypted: UNKNOWN_BOOL }),
            s3("state", {}),
            res(T.s3Versioning, "v", { bucket: UNKNOWN_STRING, versioningConfiguration: { status: "Enabled" } }),
            res(T.s3Sse, "sse", { bucket: UNKNOWN_STRING, rules: UNKNOWN_ARRAY }),
            res(T.task, "t", { family: "t", containerDefinitions: UNKNOWN_STRING }),
            taskDefinition("t2", [kuboContainer({ image: `${ECR_MIRROR}/${KUBO_IMAGE}` })], UNKNOWN_ARRAY),
            taskDefinition("t4", [kuboContainer({ image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/elsewhere/${KUBO_IMAGE}` })]),
            res(T.ecrRule, "rule", { ecrRepositoryPrefix: UNKNOWN_STRING, upstreamRegistryUrl: "registry-1.docker.io" }),
            res(T.sg, "sg", { ingress: [{ protocol: "tcp", fromPort: 5001, toPort: 5001, cidrBlocks: UNKNOWN_ARRAY }] }),
            res(T.sgRule, "rule", { type: "ingress", protocol: "tcp", fromPort: UNKNOWN_NUMBER, toPort: UNKNOWN_NUMBER, cidrBlocks: ["0.0.0.0/0"], securityGroupId: UNKNOWN_STRING }),
            res(T.sgIngress, "ingress", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: UNKNOWN_STRING }),
            res(T.listener, "http", { protocol: "HTTP", defaultActions: UNKNOWN_ARRAY }),
            res(T.rdsInstance, "pg", { publiclyAccessible: UNKNOWN_BOOL, deletionProtection: true, backupRetentionPeriod: 7, storageEncrypted: true }, KEEP),
            disk("data"),
            res(T.diskAttachment, "a", { disk: UNKNOWN_STRING, name: "daily" }),
            snapshotPolicy("daily"),
            cloudSql("sql", { ipConfiguration: UNKNOWN_STRING, backupConfiguration: { enabled: UNKNOWN_BOOL }, deletionProtectionEnabled: UNKNOWN_BOOL }),
            res(T.template, "tpl", { metadata: { "user-data": UNKNOWN_STRING } }),
            res(T.template, "tpl2", { metadata: UNKNOWN_STRING }),
            res(T.firewall, "fw", { network: "web3", sourceRanges: UNKNOWN_ARRAY, allows: [{ protocol: "tcp", ports: ["5001"] }] }),
            res(T.httpProxy, "proxy", { urlMap: UNKNOWN_STRING }),
            res(T.container, "c", { image: KUBO_IMAGE, user: UNKNOWN_STRING, envs: UNKNOWN_ARRAY, volumes: UNKNOWN_ARRAY }),
            // A value of the wrong type (an empty object where a string belongs), or nothing at all.
            efs("fs2", { encrypted: {} }),
            res(T.task, "t3", { family: "t3", containerDefinitions: {} }),
            res(T.efsBackup, "fs2-backup", { backupPolicy: { status: "ENABLED" } }),
            res(T.s3Versioning, "v2", { versioningConfiguration: { status: "Enabled" } }),
            res(T.s3Sse, "sse2", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
            res(T.regionDisk, "rdata", { replicaZones: ["a", "b"] }, KEEP),
            res(T.regionDiskAttachment, "ra", { name: "daily" }),
        ];
        // fs2's backup policy and the versioning/encryption of "state" are known only as unknown references.
        const found = evaluatePolicies(unknowns).filter(v => v.enforcementLevel === "mandatory");
        assert.deepEqual(found.map(v => `${v.policy}: ${v.message}`), []);
    });

    it("are read through the engine's proxy without throwing", () => {
        const nonRoot = policies.find(p => p.name === "containers-run-as-non-root") as ResourceValidationPolicy;
        const reported: string[] = [];
        const validate = nonRoot.validateResource as Exclude<ResourceValidationPolicy["validateResource"], undefined | unknown[]>;
        validate(
            {
                type: T.container,
                name: "c",
                urn: res(T.container, "c").urn,
                props: unknownCheckingProxy({ image: KUBO_IMAGE, user: UNKNOWN_STRING, privileged: UNKNOWN_BOOL, capabilities: { adds: UNKNOWN_ARRAY } }),
                opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
                stackTags: new Map(),
                isType: () => true,
                asType: () => undefined,
                getConfig: <T extends object>() => ({}) as T,
                notApplicable: (reason?: string) => {
                    throw new Error(reason);
                },
            },
            message => reported.push(message),
        );
        assert.deepEqual(reported, []);
    });
});
