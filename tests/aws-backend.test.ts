// The AWS back-end under mocks: what operators rely on (data kept and encrypted, nothing root, nothing
// private exposed, one task per volume), checked on the resources it declares.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Backend, COMPONENT_TYPES, ContainerSpec, LoadBalancerTarget, Secret, Volume, ZonalService, publicPortFor } from "../components/topology";
import { carveSubnets, chooseZones, FARGATE_SIZES, fargateTaskSize, hostRules, natIndexForZone, passthroughListeners, priorityBlock } from "../components/aws";
import { PRIORITY_BLOCK } from "../components/aws/httpsLoadBalancer";
import { MAX_ALLOWED_CIDRS } from "../components/topology/cidrs";
import { ingressRules, taskSize } from "../components/aws/service";
import { SECRET_MASK, SynthResource, SynthResult } from "../tools/harness";
import { computedState } from "../tools/mocks";
import { ConfigError } from "../stacks/validate";
import { named, ofType, oneOfType, synthBackend } from "./support";


const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    eip: "aws:ec2/eip:Eip",
    nat: "aws:ec2/natGateway:NatGateway",
    route: "aws:ec2/route:Route",
    routeTable: "aws:ec2/routeTable:RouteTable",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    fileSystem: "aws:efs/fileSystem:FileSystem",
    backupPolicy: "aws:efs/backupPolicy:BackupPolicy",
    mountTarget: "aws:efs/mountTarget:MountTarget",
    accessPoint: "aws:efs/accessPoint:AccessPoint",
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    ecsService: "aws:ecs/service:Service",
    ecsCluster: "aws:ecs/cluster:Cluster",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    role: "aws:iam/role:Role",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    listenerCertificate: "aws:lb/listenerCertificate:ListenerCertificate",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    certificate: "aws:acm/certificate:Certificate",
    certificateValidation: "aws:acm/certificateValidation:CertificateValidation",
    route53Record: "aws:route53/record:Record",
    cloudflareRecord: "cloudflare:index/dnsRecord:DnsRecord",
    secret: "aws:secretsmanager/secret:Secret",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    namespace: "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
};

/** The zones the back-end picks by default in the mock account: use1-az1, use1-az2 and use1-az4 by their names there. */
const ZONES = ["us-east-1d", "us-east-1a", "us-east-1e"];
const IPFS_USER = { uid: 1000, gid: 100 };
const SECRET_VALUE = "correct-horse-battery-staple";


function idOf(result: SynthResult, type: string, name: string): string {
    const id = named(result, type, name).id;
    assert.ok(id, `${type} ${name} has no id`);
    return id;
}

/** The components above a resource. */
function ancestors(result: SynthResult, r: SynthResource): SynthResource[] {
    const parentOf = (child: SynthResource) => result.resources.find(p => p.urn === child.parent);
    const chain: SynthResource[] = [];
    for (let p = parentOf(r); p; p = parentOf(p)) chain.push(p);
    return chain;
}

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise(r => output.apply(v => r(v)));
}

function containerDefinitionsOf(result: SynthResult, service: string): any[] {
    return JSON.parse(named(result, T.taskDefinition, `${service}-task`).inputs.containerDefinitions as string);
}

/** A peer with one port of every exposure, a volume, a secret and a load-balanced API. */
function ipfsPeer(backend: Backend, opts: { name?: string; volume: Volume; secret: Secret; target: LoadBalancerTarget }): ZonalService {
    const containers: ContainerSpec[] = [{
        name: "kubo",
        image: "ipfs/kubo:v0.32.1",
        cpu: 0.5,
        memoryMiB: 1536,
        user: IPFS_USER,
        env: { IPFS_PATH: "/data/ipfs" },
        secrets: { IPFS_IDENTITY: opts.secret },
        ports: [
            { port: 4001, protocol: "tcp", exposure: { kind: "public" } },
            { port: 4002, protocol: "udp", exposure: { kind: "public" } },
            { port: 8080, exposure: { kind: "loadBalancer", target: opts.target } },
            { port: 9096, exposure: { kind: "services", groups: ["cluster-peers"] } },
            { port: 5001, exposure: { kind: "local" } },
        ],
        // A container with a volume gives its entrypoint: the volume fence runs it (the image's own, kubo's Dockerfile).
        entrypoint: ["/sbin/tini", "--", "/usr/local/bin/start_ipfs"],
        mounts: [{ volume: opts.volume, path: "/data/ipfs" }],
    }];
    return backend.service(opts.name ?? "ipfs-0", { zone: ZONES[0], containers, accessGroup: "cluster-peers", liveness: { kind: "http", port: 8080, path: "/", gracePeriodSeconds: 300 } });
}

/** The whole surface once: secret, volume, bucket, target, service, HTTPS load balancer. */
function buildAll(backend: Backend, captured: { service?: ZonalService } = {}): void {
    const secret = backend.secret("ipfs-identity", { value: SECRET_VALUE });
    const volume = backend.volume("ipfs-0-repo", { zone: ZONES[0], sizeGiB: 100, owner: IPFS_USER });
    backend.bucket("ceramic-state");
    const target = backend.loadBalancerTarget("gateway", { port: 8080, readiness: { path: "/ipfs/bafkqaaa", status: "200" } });
    captured.service = ipfsPeer(backend, { volume, secret, target });
    backend.httpsLoadBalancer("gateway", { hostname: "gateway", target });
}

describe("AWS back-end", function () {
    this.timeout(30_000);

    describe("plain functions", () => {
        it("picks the smallest Fargate size that fits, CPU first", () => {
            assert.deepStrictEqual(fargateTaskSize(0.25, 512), { cpu: 256, memoryMiB: 512 });
            assert.deepStrictEqual(fargateTaskSize(0.25, 513), { cpu: 256, memoryMiB: 1024 });
            assert.deepStrictEqual(fargateTaskSize(0.25, 3000), { cpu: 512, memoryMiB: 3072 });
            assert.deepStrictEqual(fargateTaskSize(1, 2048), { cpu: 1024, memoryMiB: 2048 });
            assert.deepStrictEqual(fargateTaskSize(1.5, 3072), { cpu: 2048, memoryMiB: 4096 });
            assert.deepStrictEqual(fargateTaskSize(4, 8192), { cpu: 4096, memoryMiB: 8192 });
            assert.deepStrictEqual(fargateTaskSize(5, 1024), { cpu: 8192, memoryMiB: 16384 });
            assert.deepStrictEqual(fargateTaskSize(8, 17000), { cpu: 8192, memoryMiB: 20480 });
            assert.deepStrictEqual(fargateTaskSize(16, 122880), { cpu: 16384, memoryMiB: 122880 });
            assert.throws(() => fargateTaskSize(16.5, 1024), /no Fargate task size/);
            assert.throws(() => fargateTaskSize(1, 130000), /no Fargate task size/);
        });

        it("lists each Fargate size once, cheapest first", () => {
            const keys = FARGATE_SIZES.map(s => `${s.cpu}/${s.memoryMiB}`);
            assert.strictEqual(new Set(keys).size, keys.length);
            for (let i = 1; i < FARGATE_SIZES.length; i++) {
                const [a, b] = [FARGATE_SIZES[i - 1], FARGATE_SIZES[i]];
                assert.ok(a.cpu < b.cpu || (a.cpu === b.cpu && a.memoryMiB < b.memoryMiB), `${keys[i - 1]} before ${keys[i]}`);
            }
            assert.strictEqual(FARGATE_SIZES.length, 3 + 4 + 7 + 13 + 23 + 12 + 12);
        });

        it("sizes a task from the sum of its containers", () => {
            const c = (cpu: number, memoryMiB: number): ContainerSpec => ({ name: "c", image: "x:1", cpu, memoryMiB, user: IPFS_USER });
            assert.deepStrictEqual(taskSize([c(0.5, 1536), c(0.25, 512)]), { cpu: 1024, memoryMiB: 2048 });
            assert.deepStrictEqual(taskSize([c(1, 2048), c(1, 2048)]), { cpu: 2048, memoryMiB: 4096 });
        });

        it("carves the VPC into six subnets and routes zones to NAT", () => {
            assert.deepStrictEqual(carveSubnets("10.40.0.0/16", 6), [
                "10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19", "10.40.96.0/19", "10.40.128.0/19", "10.40.160.0/19",
            ]);
            assert.deepStrictEqual(carveSubnets("192.168.4.0/22", 6).slice(-1), ["192.168.6.128/25"]);
            assert.deepStrictEqual([0, 1, 2].map(i => natIndexForZone(i, 1)), [0, 0, 0]);
            assert.deepStrictEqual([0, 1, 2].map(i => natIndexForZone(i, 3)), [0, 1, 2]);
        });

        it("uses configured zones by name or AZ ID, else the lowest AZ IDs that offer everything, and names the key when a region has too few", () => {
            const offered = [
                { name: "us-east-1a", id: "use1-az2" }, { name: "us-east-1b", id: "use1-az3" }, { name: "us-east-1c", id: "use1-az6" },
                { name: "us-east-1d", id: "use1-az1" }, { name: "us-east-1e", id: "use1-az4" },
            ];
            assert.deepStrictEqual(chooseZones("us-east-1", undefined, offered).map(z => z.name), ZONES);
            assert.deepStrictEqual(chooseZones("us-east-1", ["use1-az6", "us-east-1e", "use1-az2"], offered).map(z => z.name), ["us-east-1c", "us-east-1e", "us-east-1a"]);
            assert.throws(() => chooseZones("us-west-1", undefined, [{ name: "us-west-1a", id: "usw1-az3" }, { name: "us-west-1c", id: "usw1-az1" }]),
                (e: Error) => e instanceof ConfigError && /^web3-nodes:aws\.region = "us-west-1": the stack needs 3 zones/.test(e.problems[0]));
        });

        it("gives each public port a listener of one protocol, UDP ones checked on a TCP port of the same container", () => {
            assert.deepStrictEqual(passthroughListeners([
                { container: "kubo", port: 4002, protocol: "udp" },
                { container: "kubo", port: 4001, protocol: "tcp" },
                { container: "cluster", port: 9096, protocol: "tcp" },
            ]), [
                { port: 4001, protocol: "TCP", container: "kubo", healthCheckPort: 4001 },
                { port: 4002, protocol: "UDP", container: "kubo", healthCheckPort: 4001 },
                { port: 9096, protocol: "TCP", container: "cluster", healthCheckPort: 9096 },
            ]);
            // ECS maps a container port once, for one protocol; an NLB listens on a port once.
            assert.throws(() => passthroughListeners([
                { container: "kubo", port: 4001, protocol: "tcp" },
                { container: "kubo", port: 4001, protocol: "udp" },
            ]), /public port 4001 is opened by kubo tcp and kubo udp; ECS maps a container port once/);
            assert.throws(() => passthroughListeners([{ container: "dns", port: 53, protocol: "udp" }]), /public udp port 53 of container dns needs a public tcp port/);
        });

        it("opens only public ports to the world, and local ports to nobody", () => {
            const rules = ingressRules([{
                name: "c", image: "x:1", cpu: 0.25, memoryMiB: 512, user: IPFS_USER,
                ports: [
                    { port: 4001, exposure: { kind: "public" } },
                    { port: 9096, exposure: { kind: "services", groups: ["a", "b", "a"] } },
                    { port: 5001, exposure: { kind: "local" } },
                ],
            }]);
            assert.deepStrictEqual(rules.map(r => [r.port, r.source]), [
                [4001, { kind: "cidr", cidr: "0.0.0.0/0" }],
                [4001, { kind: "cidr", cidr: "::/0" }],
                [9096, { kind: "group", group: "a" }],
                [9096, { kind: "group", group: "b" }],
            ]);
        });
    });

    describe("storage", () => {
        it("makes one encrypted One Zone EFS file system per zone used, with backups on", async () => {
            const result = await synthBackend("aws", backend => {
                backend.volume("a-0", { zone: ZONES[0], sizeGiB: 10, owner: IPFS_USER });
                backend.volume("a-1", { zone: ZONES[0], sizeGiB: 10, owner: IPFS_USER });
                backend.volume("b-0", { zone: ZONES[1], sizeGiB: 10, owner: IPFS_USER });
            });
            const fileSystems = ofType(result, T.fileSystem);
            assert.deepStrictEqual(fileSystems.map(f => f.inputs.availabilityZoneName).sort(), [ZONES[0], ZONES[1]].sort());
            for (const fs of fileSystems) {
                assert.strictEqual(fs.inputs.encrypted, true);
                assert.strictEqual(fs.inputs.performanceMode, "generalPurpose");
                assert.strictEqual(fs.inputs.throughputMode, "elastic");
                const backups = ofType(result, T.backupPolicy).filter(b => b.inputs.fileSystemId === fs.id);
                assert.deepStrictEqual(backups.map(b => b.inputs.backupPolicy), [{ status: "ENABLED" }]);
                const mounts = ofType(result, T.mountTarget).filter(m => m.inputs.fileSystemId === fs.id);
                assert.strictEqual(mounts.length, 1);
                const zone = fs.inputs.availabilityZoneName as string;
                assert.strictEqual(mounts[0].inputs.subnetId, idOf(result, T.subnet, `network-private-${zone}`));
            }
            // NFS reaches the mount targets from volume clients only.
            const nfs = ofType(result, T.ingress).filter(r => r.inputs.fromPort === 2049);
            assert.strictEqual(nfs.length, 1);
            assert.strictEqual(nfs[0].inputs.referencedSecurityGroupId, idOf(result, T.securityGroup, "volumes-clients"));
            assert.strictEqual(nfs[0].inputs.cidrIpv4, undefined);
        });

        it("gives each volume an access point that pins its directory and owner", async () => {
            const result = await synthBackend("aws", backend => {
                backend.volume("ipfs-0-repo", { zone: ZONES[0], sizeGiB: 10, owner: IPFS_USER });
            });
            const ap = oneOfType(result, T.accessPoint);
            assert.deepStrictEqual(ap.inputs.posixUser, { uid: 1000, gid: 100 });
            assert.deepStrictEqual(ap.inputs.rootDirectory, {
                path: "/volumes/ipfs-0-repo",
                creationInfo: { ownerUid: 1000, ownerGid: 100, permissions: "0750" },
            });
        });

        for (const profile of ["prod", "dev"] as const) {
            it(`protects and retains the file systems and buckets in ${profile}, and nothing around them`, async () => {
                const result = await synthBackend("aws", backend => {
                    backend.volume("v", { zone: ZONES[0], sizeGiB: 10, owner: IPFS_USER });
                    backend.bucket("b");
                }, { profile });
                const data = [...ofType(result, T.fileSystem), ...ofType(result, T.bucket)];
                assert.strictEqual(data.length, 2);
                // Options as the engine applies them (inherited ones included): only what holds data is kept.
                for (const r of result.resources) {
                    const holdsData = data.includes(r);
                    assert.strictEqual(r.options.retainOnDelete, holdsData, `${r.type} ${r.name} retainOnDelete`);
                    assert.strictEqual(r.options.protect, holdsData, `${r.type} ${r.name} protect`);
                }
            });
        }

        it("keeps buckets private, versioned, KMS-encrypted and TLS-only, expiring old versions after the backup window", async () => {
            let endpoint = "";
            const result = await synthBackend("aws", backend => {
                endpoint = backend.bucket("state").s3Endpoint;
                backend.bucket("short", { noncurrentVersionDays: 10 });
            });
            assert.strictEqual(endpoint, "https://s3.us-east-1.amazonaws.com");
            for (const bucket of ofType(result, T.bucket)) {
                assert.strictEqual(bucket.inputs.forceDestroy, false);
                const of = (type: string) => ofType(result, type).filter(r => r.inputs.bucket === bucket.id);
                assert.deepStrictEqual(of(T.versioning).map(v => v.inputs.versioningConfiguration), [{ status: "Enabled" }]);
                assert.deepStrictEqual(of(T.encryption).map(e => e.inputs.rules), [[{
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
                    bucketKeyEnabled: true,
                }]]);
                const block = of(T.publicAccess);
                assert.strictEqual(block.length, 1);
                for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                    assert.strictEqual(block[0].inputs[key], true, key);
                }
                assert.deepStrictEqual(of(T.ownership).map(o => o.inputs.rule), [{ objectOwnership: "BucketOwnerEnforced" }]);
                const policy = JSON.parse(of(T.bucketPolicy)[0].inputs.policy as string);
                assert.deepStrictEqual(policy.Statement.map((s: any) => [s.Effect, s.Condition]), [["Deny", { Bool: { "aws:SecureTransport": "false" } }]]);
                const days = of(T.lifecycle)[0].inputs.rules as any[];
                const expected = bucket.name === "short-bucket" ? 10 : 30;
                assert.deepStrictEqual(days.filter(r => r.noncurrentVersionExpiration).map(r => r.noncurrentVersionExpiration.noncurrentDays), [expected]);
            }
        });

        it("rejects a volume outside the stack's zones or owned by root", async () => {
            await assert.rejects(synthBackend("aws", backend => {
                backend.volume("v", { zone: "us-east-1b", sizeGiB: 10, owner: IPFS_USER });
            }), /zone "us-east-1b" is not one of the stack's zones/);
            await assert.rejects(synthBackend("aws", backend => {
                backend.volume("v", { zone: ZONES[0], sizeGiB: 10, owner: { uid: 0, gid: 0 } });
            }), /non-zero uid/);
        });
    });

    describe("services", () => {
        it("runs containers as their non-root user, never privileged, with secrets only as ARNs", async () => {
            const result = await synthBackend("aws", backend => buildAll(backend));
            const [kubo] = containerDefinitionsOf(result, "ipfs-0");
            assert.strictEqual(kubo.user, "1000:100");
            assert.ok(Number(kubo.user.split(":")[0]) > 0);
            assert.notStrictEqual(kubo.privileged, true);
            assert.strictEqual(kubo.readonlyRootFilesystem, false);
            assert.strictEqual(kubo.essential, true);
            assert.deepStrictEqual(kubo.secrets.map((s: any) => s.name), ["IPFS_IDENTITY"]);
            assert.match(kubo.secrets[0].valueFrom, /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:/);
            assert.deepStrictEqual(kubo.environment, [{ name: "IPFS_PATH", value: "/data/ipfs" }]);
            // No container health check: the grace period would keep ECS from acting on it. The liveness is a
            // watchdog beside the containers, which exits (and so stops the task) when the liveness fails.
            assert.strictEqual(kubo.healthCheck, undefined);
            const watchdog = containerDefinitionsOf(result, "ipfs-0").find((c: any) => c.name === "liveness");
            assert.deepStrictEqual([watchdog.essential, watchdog.user, watchdog.portMappings, watchdog.secrets], [true, "100:101", [], []]);
            assert.match(watchdog.entryPoint[2], /--write-out '%\{http_code\}' 'http:\/\/127\.0\.0\.1:8080\/'/);
            assert.deepStrictEqual(kubo.logConfiguration.options, { "awslogs-group": "/ecs/web3-test/ipfs-0", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ipfs-0" });
            assert.deepStrictEqual(kubo.mountPoints, [{ sourceVolume: "ipfs-0-repo", containerPath: "/data/ipfs", readOnly: false }]);
            // The value itself is nowhere in any resource input except the masked secret version.
            assert.ok(!JSON.stringify(result.resources).includes(SECRET_VALUE));
            assert.strictEqual(named(result, "aws:secretsmanager/secretVersion:SecretVersion", "ipfs-identity-version").inputs.secretString, SECRET_MASK);
            assert.strictEqual(named(result, T.secret, "ipfs-identity-secret").inputs.recoveryWindowInDays, 30);
            assert.strictEqual(named(result, T.logGroup, "ipfs-0-logs").inputs.retentionInDays, 90);
        });

        it("mounts EFS through its access point with TLS and IAM", async () => {
            const result = await synthBackend("aws", backend => buildAll(backend));
            const task = named(result, T.taskDefinition, "ipfs-0-task");
            assert.strictEqual(task.inputs.networkMode, "awsvpc");
            assert.deepStrictEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
            assert.deepStrictEqual([task.inputs.cpu, task.inputs.memory], ["512", "2048"]);
            const ap = oneOfType(result, T.accessPoint);
            assert.deepStrictEqual(task.inputs.volumes, [{
                name: "ipfs-0-repo",
                efsVolumeConfiguration: {
                    fileSystemId: oneOfType(result, T.fileSystem).id,
                    transitEncryption: "ENABLED",
                    authorizationConfig: { accessPointId: ap.id, iam: "ENABLED" },
                },
            }]);
        });

        it("grants the execution role exactly its secrets and the task role exactly its file system", async () => {
            const result = await synthBackend("aws", backend => {
                buildAll(backend);
                backend.secret("unrelated", { value: "x" });
                backend.service("plain", { zone: ZONES[1], liveness: { kind: "exit" }, containers: [{ name: "c", image: "busybox:1.36", cpu: 0.25, memoryMiB: 512, user: IPFS_USER }] });
            });
            const secrets = JSON.parse(named(result, T.rolePolicy, "ipfs-0-execution-secrets").inputs.policy as string);
            const [kubo] = containerDefinitionsOf(result, "ipfs-0");
            assert.deepStrictEqual(secrets.Statement, [{ Sid: "ReadOwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [kubo.secrets[0].valueFrom] }]);
            const volumes = JSON.parse(named(result, T.rolePolicy, "ipfs-0-task-volumes").inputs.policy as string);
            assert.deepStrictEqual(volumes.Statement[0].Action, ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]);
            assert.deepStrictEqual(volumes.Statement[0].Resource, [`arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${oneOfType(result, T.fileSystem).id}`]);
            assert.deepStrictEqual(volumes.Statement[0].Condition.StringEquals["elasticfilesystem:AccessPointArn"], [`arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${oneOfType(result, T.accessPoint).id}`]);
            // A service with no secrets and no volumes gets no inline policy but the one that pulls its images through the registry mirror.
            const policies = ofType(result, T.rolePolicy).map(p => p.name);
            assert.deepStrictEqual(policies.filter(n => !n.endsWith("-execution-mirror")).sort(), ["ipfs-0-execution-secrets", "ipfs-0-task-volumes"]);
            assert.ok(policies.includes("plain-execution-mirror"), policies.join(", "));
        });

        it("opens only public ports to 0.0.0.0/0, the load-balanced port to the ALB, and service ports to their groups", async () => {
            const result = await synthBackend("aws", backend => buildAll(backend));
            const sg = idOf(result, T.securityGroup, "ipfs-0-sg");
            const rules = ofType(result, T.ingress).filter(r => r.inputs.securityGroupId === sg);
            const summary = rules.map(r => [r.inputs.fromPort, r.inputs.toPort, r.inputs.ipProtocol, r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? r.inputs.referencedSecurityGroupId]);
            assert.deepStrictEqual(summary.sort(), [
                [4001, 4001, "tcp", "0.0.0.0/0"],
                [4001, 4001, "tcp", "::/0"],
                [4002, 4002, "udp", "0.0.0.0/0"],
                [4002, 4002, "udp", "::/0"],
                [8080, 8080, "tcp", idOf(result, T.securityGroup, "https-alb")],
                [9096, 9096, "tcp", idOf(result, T.securityGroup, "access-group-cluster-peers")],
            ].sort());
            // Nothing else anywhere in the stack is open to the world except the ALB's 80/443.
            const world = ofType(result, T.ingress).filter(r => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
            for (const r of world) {
                assert.ok(r.inputs.securityGroupId === sg ? [4001, 4002].includes(r.inputs.fromPort as number) : [80, 443].includes(r.inputs.fromPort as number), `${r.name} open to the world`);
            }
            const service = named(result, T.ecsService, "ipfs-0-service");
            const groups = (service.inputs.networkConfiguration as any).securityGroups;
            assert.deepStrictEqual(groups, [sg, idOf(result, T.securityGroup, "access-group-cluster-peers"), idOf(result, T.securityGroup, "volumes-clients")]);
        });

        it("pins the service to its zone's private subnet, one task at a time, rolled back when it fails", async () => {
            const captured: { service?: ZonalService } = {};
            const result = await synthBackend("aws", backend => buildAll(backend, captured));
            const service = named(result, T.ecsService, "ipfs-0-service");
            const i = service.inputs as any;
            assert.deepStrictEqual(i.networkConfiguration.subnets, [idOf(result, T.subnet, `network-private-${ZONES[0]}`)]);
            assert.strictEqual(i.networkConfiguration.assignPublicIp, false);
            assert.strictEqual(i.desiredCount, 1);
            assert.strictEqual(i.deploymentMinimumHealthyPercent, 0);
            assert.strictEqual(i.deploymentMaximumPercent, 100);
            assert.deepStrictEqual(i.deploymentCircuitBreaker, { enable: true, rollback: true });
            assert.strictEqual(i.launchType, "FARGATE");
            assert.strictEqual(i.platformVersion, "LATEST");
            // Load balancer checks are readiness: the longest grace ECS accepts keeps them from stopping a task.
            assert.strictEqual(i.healthCheckGracePeriodSeconds, 2_147_483_647);
            assert.strictEqual(i.cluster, `arn:aws:ecs:us-east-1:123456789012:cluster/web3-test`);
            assert.strictEqual(captured.service!.privateHostname, "ipfs-0.web3-test.internal");
            assert.strictEqual(oneOfType(result, T.namespace).inputs.name, "web3-test.internal");
            // Registered behind the ALB target and the pass-through listener, after both listeners exist.
            assert.deepStrictEqual(i.loadBalancers.map((l: any) => [l.targetGroupArn.split(":").pop().split("/")[1], l.containerName, l.containerPort]), [
                ["gateway-targets", "kubo", 8080],
                ["public-4001-tcp", "kubo", 4001],
                ["public-4002-udp", "kubo", 4002],
            ]);
            const listeners = ofType(result, T.listener).map(l => l.urn);
            const dependsOn = service.options.dependsOn;
            assert.ok(listeners.filter(u => /public-4001/.test(u)).every(u => dependsOn.includes(u)));
            assert.ok(ofType(result, T.listenerRule).filter(r => r.name.startsWith("gateway-rule-0")).every(r => dependsOn.includes(r.urn)), "the service waits for the rule that forwards to its target");
        });

        it("serves public ports on the stack's one NLB, an Elastic IP in every zone, the service at its zone's", async () => {
            const captured: { service?: ZonalService } = {};
            const result = await synthBackend("aws", backend => buildAll(backend, captured));
            const nlb = named(result, T.loadBalancer, "public-nlb");
            assert.strictEqual(nlb.inputs.loadBalancerType, "network");
            assert.strictEqual(nlb.inputs.internal, false);
            // Off: each zone's address reaches only the targets of its zone (elbv2 load_balancing.cross_zone.enabled).
            assert.strictEqual(nlb.inputs.enableCrossZoneLoadBalancing, false);
            const mappings = nlb.inputs.subnetMappings as { subnetId: string; allocationId: string }[];
            assert.deepStrictEqual(mappings.map(m => m.subnetId), ZONES.map(z => idOf(result, T.subnet, `network-public-${z}`)));
            for (const m of mappings) assert.match(m.allocationId, /^eipalloc-/);
            for (const z of ZONES) assert.strictEqual(named(result, T.eip, `public-${z}`).options.protect, true);
            // TCP and QUIC each on a listener and target group of their own; QUIC's is checked on the TCP swarm port.
            for (const [key, port, protocol, checked] of [["4001-tcp", 4001, "TCP", "traffic-port"], ["4002-udp", 4002, "UDP", "4001"]] as const) {
                const listener = named(result, T.listener, `public-${key}`);
                assert.deepStrictEqual([listener.inputs.port, listener.inputs.protocol], [port, protocol]);
                const tg = named(result, T.targetGroup, `public-${key}`);
                assert.deepStrictEqual([tg.inputs.port, tg.inputs.protocol, tg.inputs.targetType], [port, protocol, "ip"]);
                assert.deepStrictEqual([(tg.inputs.healthCheck as any).protocol, (tg.inputs.healthCheck as any).port], ["TCP", checked]);
            }
            const address = await resolve(captured.service!.publicAddress!);
            const zoneIp = computedState(T.eip, `public-${ZONES[0]}`, named(result, T.eip, `public-${ZONES[0]}`).inputs as Record<string, unknown>).state.publicIp;
            assert.strictEqual(address, zoneIp, "the service's address is the NLB's in its zone");
            assert.deepStrictEqual([captured.service!.publicPort(4001), captured.service!.publicPort(4002)], [4001, 4002]);
            assert.throws(() => captured.service!.publicPort(8080), /has no public port 8080/);
            // A service without public ports adds nothing.
            assert.strictEqual(ofType(result, COMPONENT_TYPES.passthroughLoadBalancer).length, 1);
        });

        it("gives the n-th service of a zone with a public port that port + n*1000, and services of other zones the same port", async () => {
            const services: ZonalService[] = [];
            const result = await synthBackend("aws", backend => {
                const c = (port: number): ContainerSpec => ({ name: "c", image: "busybox:1.36", cpu: 0.25, memoryMiB: 512, user: IPFS_USER, ports: [{ port, protocol: "tcp", exposure: { kind: "public" } }] });
                for (const [name, zone] of [["a0", ZONES[0]], ["b0", ZONES[1]], ["a1", ZONES[0]], ["a2", ZONES[0]]] as const) {
                    services.push(backend.service(name, { zone, liveness: { kind: "exit" }, containers: [c(4001)] }));
                }
            });
            assert.deepStrictEqual(services.map(s => s.publicPort(4001)), [4001, 4001, 5001, 6001]);
            const listeners = ofType(result, T.listener).map(l => l.inputs.port).sort();
            assert.deepStrictEqual(listeners, [4001, 5001, 6001]);
            // a0 and b0 share 4001's target group: different zones, each reached at its own zone's address.
            const group = (name: string) => (named(result, T.ecsService, `${name}-service`).inputs.loadBalancers as any[])[0].targetGroupArn;
            assert.strictEqual(group("a0"), group("b0"));
            assert.notStrictEqual(group("a0"), group("a1"));
            assert.deepStrictEqual(services.map(s => s.publicPort(4001)).map(p => p > 65535), [false, false, false, false]);
        });

        it("refuses a public port two container ports would share, and a port above 65535", async () => {
            assert.throws(() => publicPortFor(4001, 62), /above 65535/);
            await assert.rejects(synthBackend("aws", backend => {
                const c = (port: number): ContainerSpec => ({ name: "c", image: "busybox:1.36", cpu: 0.25, memoryMiB: 512, user: IPFS_USER, ports: [{ port, protocol: "tcp", exposure: { kind: "public" } }] });
                backend.service("first", { zone: ZONES[0], liveness: { kind: "exit" }, containers: [c(4001)] });
                backend.service("second", { zone: ZONES[0], liveness: { kind: "exit" }, containers: [c(4001)] });
                backend.service("third", { zone: ZONES[0], liveness: { kind: "exit" }, containers: [c(5001)] });
            }), /public port 5001 of public is wanted by service third \(TCP to port 5001\) and is already service second's \(TCP to port 4001\)/);
        });

        it("memoizes access groups: a rule can name a group before its owner exists", async () => {
            const result = await synthBackend("aws", backend => {
                const c = (name: string, port: number, groups: string[]): ContainerSpec => ({
                    name, image: "busybox:1.36", cpu: 0.25, memoryMiB: 512, user: IPFS_USER,
                    ports: [{ port, exposure: { kind: "services", groups } }],
                });
                backend.service("client", { zone: ZONES[0], liveness: { kind: "exit" }, containers: [c("c", 7000, ["db"])] });
                backend.service("db", { zone: ZONES[1], liveness: { kind: "exit" }, containers: [c("c", 5432, ["client"])], accessGroup: "db" });
            });
            assert.deepStrictEqual(ofType(result, T.securityGroup).filter(s => s.name.startsWith("access-group-")).map(s => s.name).sort(), ["access-group-client", "access-group-db"]);
            const dbRule = ofType(result, T.ingress).find(r => r.name === "db-in-5432-tcp-from-client")!;
            assert.strictEqual(dbRule.inputs.referencedSecurityGroupId, idOf(result, T.securityGroup, "access-group-client"));
            // Services without public or load-balanced ports have no load balancer and no grace period.
            assert.strictEqual(named(result, T.ecsService, "db-service").inputs.healthCheckGracePeriodSeconds, undefined);
        });

        it("refuses a second service on the same volume, a volume from another zone, and uid 0", async () => {
            await assert.rejects(synthBackend("aws", backend => {
                const secret = backend.secret("s", { value: "v" });
                const volume = backend.volume("shared", { zone: ZONES[0], sizeGiB: 10, owner: IPFS_USER });
                const target = backend.loadBalancerTarget("t", { port: 8080, readiness: { path: "/", status: "200" } });
                ipfsPeer(backend, { name: "first", volume, secret, target });
                ipfsPeer(backend, { name: "second", volume, secret, target });
            }), /already mounted by service first/);
            await assert.rejects(synthBackend("aws", backend => {
                const volume = backend.volume("far", { zone: ZONES[1], sizeGiB: 10, owner: IPFS_USER });
                backend.service("near", { zone: ZONES[0], liveness: { kind: "exit" }, containers: [{ name: "c", image: "busybox:1.36", cpu: 0.25, memoryMiB: 512, user: IPFS_USER, mounts: [{ volume, path: "/data" }] }] });
            }), new RegExp(`is in zone ${ZONES[1]}, the service in ${ZONES[0]}`));
            await assert.rejects(synthBackend("aws", backend => {
                backend.service("root", { zone: ZONES[0], liveness: { kind: "exit" }, containers: [{ name: "c", image: "busybox:1.36", cpu: 0.25, memoryMiB: 512, user: { uid: 0, gid: 0 } }] });
            }), /must have a non-zero uid/);
        });
    });

    describe("HTTPS load balancer and DNS", () => {
        it("serves HTTPS with a TLS 1.3 policy and only redirects HTTP", async () => {
            const result = await synthBackend("aws", backend => buildAll(backend));
            const https = named(result, T.listener, "https-listener");
            assert.strictEqual(https.inputs.protocol, "HTTPS");
            assert.strictEqual(https.inputs.port, 443);
            assert.strictEqual(https.inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
            // A name no rule knows gets a 404; the gateway's rule forwards its name.
            assert.deepStrictEqual((https.inputs.defaultActions as any[]).map(a => [a.type, a.fixedResponse?.statusCode]), [["fixed-response", "404"]]);
            const [rule] = ofType(result, T.listenerRule);
            assert.deepStrictEqual(rule.inputs.conditions, [{ hostHeader: { values: ["gateway.nodes.example.com"] } }]);
            assert.deepStrictEqual((rule.inputs.actions as any[]).map(a => a.type), ["forward"]);
            const http = named(result, T.listener, "http-listener");
            assert.strictEqual(http.inputs.port, 80);
            assert.deepStrictEqual(http.inputs.defaultActions, [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
            const alb = named(result, T.loadBalancer, "https-alb");
            assert.strictEqual(alb.inputs.idleTimeout, 60);
            assert.strictEqual(alb.inputs.dropInvalidHeaderFields, true);
            assert.strictEqual(alb.inputs.enableDeletionProtection, true);
            assert.strictEqual((alb.inputs.subnets as string[]).length, 3);
            const tg = named(result, T.targetGroup, "gateway-targets");
            assert.deepStrictEqual([tg.inputs.targetType, tg.inputs.protocol, tg.inputs.port], ["ip", "HTTP", 8080]);
            assert.deepStrictEqual([(tg.inputs.healthCheck as any).path, (tg.inputs.healthCheck as any).matcher], ["/ipfs/bafkqaaa", "200"]);
        });

        it("gives a target one HTTPS load balancer only", async () => {
            await assert.rejects(synthBackend("aws", backend => {
                buildAll(backend);
                const target = backend.loadBalancerTarget("other", { port: 9094, readiness: { path: "/health", status: "204" } });
                backend.httpsLoadBalancer("first", { hostname: "first", target });
                backend.httpsLoadBalancer("second", { hostname: "second", target });
            }), /target other already has an HTTPS load balancer/);
        });

        it("serves every name on one ALB: a certificate each by SNI, host rules, an allowlist as source-ip rules ending in a 403", async () => {
            const cidrs = ["203.0.113.0/24", "198.51.100.7/32", "192.0.2.0/28", "2001:db8::/32"];
            const result = await synthBackend("aws", backend => {
                buildAll(backend);
                const api = backend.loadBalancerTarget("api", { port: 9094, readiness: { path: "/health", status: "204" } });
                const swarm = backend.loadBalancerTarget("swarm", { port: 4011, readiness: { path: "/", status: "200" }, websocket: true });
                backend.service("api", { zone: ZONES[1], liveness: { kind: "exit" }, containers: [{ name: "c", image: "busybox:1.36", cpu: 0.25, memoryMiB: 512, user: IPFS_USER, ports: [{ port: 9094, exposure: { kind: "loadBalancer", target: api } }, { port: 4011, exposure: { kind: "loadBalancer", target: swarm } }] }] });
                backend.httpsLoadBalancer("api", { hostname: "cluster", target: api, allowedCidrs: cidrs, pathPrefixes: ["/pins/", "/id/"] });
                backend.httpsLoadBalancer("swarm", { hostname: "swarm", target: swarm });
            });
            assert.strictEqual(ofType(result, T.loadBalancer).filter(l => l.inputs.loadBalancerType === "application").length, 1);
            const alb = named(result, T.loadBalancer, "https-alb");
            // A WebSocket target keeps the longest idle timeout an ALB allows (elbv2 idle_timeout.timeout_seconds 1-4000).
            assert.strictEqual(alb.inputs.idleTimeout, 4000);
            // The first name's certificate is the listener's default; every name's is in its list, chosen by SNI.
            const certificates = ofType(result, T.listenerCertificate).map(c => c.name).sort();
            assert.deepStrictEqual(certificates, ["api-certificate", "gateway-certificate", "swarm-certificate"]);
            const rules = ofType(result, T.listenerRule).filter(r => r.name.startsWith("api-rule-"));
            // Two prefixes x two source sets of at most three blocks, then the 403 (elbv2: three values a condition, five a rule).
            assert.strictEqual(rules.length, 5);
            for (const r of rules) {
                const values = (r.inputs.conditions as any[]).flatMap(c => Object.values(c).flatMap((v: any) => v.values));
                assert.ok(values.length <= 5, `${r.name} has ${values.length} condition values`);
                for (const c of r.inputs.conditions as any[]) for (const v of Object.values(c) as any[]) assert.ok(v.values.length <= 3, `${r.name}: a condition with ${v.values.length} values`);
            }
            const forwarded = rules.filter(r => (r.inputs.actions as any[])[0].type === "forward").flatMap(r => (r.inputs.conditions as any[]).find(c => c.sourceIp)!.sourceIp.values);
            assert.deepStrictEqual([...new Set(forwarded)].sort(), [...cidrs].sort());
            const last = rules.reduce((a, b) => ((a.inputs.priority as number) > (b.inputs.priority as number) ? a : b));
            // Other sources get a 403 on the served paths; other paths fall to the listener's 404, as on GCP.
            assert.deepStrictEqual([(last.inputs.actions as any[])[0].fixedResponse.statusCode, last.inputs.conditions],
                ["403", [{ hostHeader: { values: ["cluster.nodes.example.com"] } }, { pathPattern: { values: ["/pins/*", "/id/*"] } }]]);
            // Priorities are unique on the listener.
            const priorities = ofType(result, T.listenerRule).map(r => r.inputs.priority);
            assert.strictEqual(new Set(priorities).size, priorities.length);
            // The gateway is open to everyone, so the ALB's security group is too; the API's allowlist is its rules'.
            const sg = idOf(result, T.securityGroup, "https-alb");
            const open = ofType(result, T.ingress).filter(r => r.inputs.securityGroupId === sg).map(r => `${r.inputs.fromPort} ${r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6}`).sort();
            assert.deepStrictEqual(open, ["443 0.0.0.0/0", "443 ::/0", "80 0.0.0.0/0", "80 ::/0"]);
        });

        it("keeps each name's rule priorities where they were when names come and go, and refuses two names whose blocks meet", () => {
            const taken = new Map<number, string>();
            const blocks = ["cluster", "gateway", "ceramic", "chainlink", "ceramic-ipfs-wss"].map(h => {
                const b = priorityBlock(h, taken);
                taken.set(b, h);
                return [h, b] as const;
            });
            for (const [h, b] of blocks) assert.strictEqual(priorityBlock(h, new Map()), b, `${h} moves when others are missing`);
            assert.ok(blocks.every(([, b]) => b * PRIORITY_BLOCK + PRIORITY_BLOCK <= 50_000), "priorities stay within 1-50000 (elbv2 CreateRule Priority)");
            // The most rules a name can need fit its block: three prefixes times ten source rules of three blocks, and the 403.
            const most = hostRules("a.example.com", Array.from({ length: MAX_ALLOWED_CIDRS }, (_, i) => `10.${i}.0.0/16`), ["/a/", "/b/", "/c/"]);
            assert.ok(most.length <= PRIORITY_BLOCK, `${most.length} rules`);
            // A listener refuses two rules of one priority (elbv2 CreateRule, PriorityInUse): a name is never moved onto another's.
            assert.throws(() => priorityBlock("name88", new Map([[priorityBlock("name31", new Map()), "name31"]])), /name88: its listener rule priorities \(block \d+\) are name31's/);
            assert.deepStrictEqual(hostRules("a.example.com", ["0.0.0.0/0", "::/0"]), [{ hostHeader: "a.example.com", action: "forward" }]);
        });

        it("refuses a target no name serves (its services would wait for ever) and allowlists one security group cannot hold", async () => {
            await assert.rejects(synthBackend("aws", backend => {
                backend.loadBalancerTarget("orphan", { port: 9094, readiness: { path: "/health", status: "204" } });
            }), /load balancer target orphan has no HTTPS load balancer/);
            // 31 distinct IPv4 blocks over two names: 62 inbound rules where a group holds 60 per family (VPC quota L-0EA8095F).
            await assert.rejects(synthBackend("aws", backend => {
                for (const [name, offset] of [["one", 0], ["two", 16]] as const) {
                    const target = backend.loadBalancerTarget(name, { port: 9094, readiness: { path: "/health", status: "204" } });
                    const cidrs = Array.from({ length: name === "one" ? 16 : 15 }, (_, i) => `10.${offset + i}.0.0/16`);
                    backend.httpsLoadBalancer(name, { hostname: name, target, allowedCidrs: cidrs });
                }
            }), /hold 31 distinct IPv4 blocks, 62 inbound rules of its security group/);
        });

        it("refuses names whose rules an ALB cannot hold", async () => {
            const many = Array.from({ length: 30 }, (_, i) => `10.${i}.0.0/16`);
            await assert.rejects(synthBackend("aws", backend => {
                for (const name of ["one", "two", "three", "four"]) {
                    const target = backend.loadBalancerTarget(name, { port: 9094, readiness: { path: "/health", status: "204" } });
                    backend.httpsLoadBalancer(name, { hostname: name, target, allowedCidrs: many, pathPrefixes: ["/a/", "/b/", "/c/"] });
                }
            }), /need 124 listener rules \(one 31, two 31, three 31, four 31\); an ALB holds 100/);
        });

        it("validates the certificate and names the load balancer in Route 53", async () => {
            const result = await synthBackend("aws", backend => buildAll(backend));
            const cert = oneOfType(result, T.certificate);
            assert.deepStrictEqual([cert.inputs.domainName, cert.inputs.validationMethod], ["gateway.nodes.example.com", "DNS"]);
            const records = ofType(result, T.route53Record);
            const validation = records.find(r => r.inputs.type === "CNAME")!;
            assert.match(validation.inputs.name as string, /^_[0-9a-f]+\.gateway\.nodes\.example\.com\.$/);
            assert.match((validation.inputs.records as string[])[0], /acm-validations\.aws\.$/);
            assert.deepStrictEqual(oneOfType(result, T.certificateValidation).inputs.validationRecordFqdns, [validation.inputs.name]);
            const alias = records.find(r => r.inputs.type === "A")!;
            assert.strictEqual(alias.inputs.name, "gateway.nodes.example.com");
            assert.strictEqual(alias.inputs.zoneId, "Z0123456789ABCDEFGHIJ");
            const [target] = alias.inputs.aliases as { name: string; zoneId: string; evaluateTargetHealth: boolean }[];
            assert.match(target.name, /^https-alb-[0-9a-f]+\.us-east-1\.elb\.amazonaws\.com$/);
            assert.deepStrictEqual([target.zoneId, target.evaluateTargetHealth], ["Z35SXDOTRQ7X7K", true]);
            assert.strictEqual(ofType(result, COMPONENT_TYPES.dnsRecord).length, 2);
        });

        it("writes DNS-only Cloudflare records when dns.provider is cloudflare", async () => {
            const result = await synthBackend("aws", backend => buildAll(backend), { dns: { provider: "cloudflare", zone: "023e105f4ecef8ad9ca31a8372d0c353" } });
            const records = ofType(result, T.cloudflareRecord);
            assert.strictEqual(records.length, 2);
            for (const r of records) {
                assert.strictEqual(r.inputs.proxied, false);
                assert.strictEqual(r.inputs.type, "CNAME");
                assert.strictEqual(r.inputs.zoneId, "023e105f4ecef8ad9ca31a8372d0c353");
                assert.ok(!(r.inputs.name as string).endsWith("."));
            }
            assert.ok(records.some(r => r.inputs.name === "gateway.nodes.example.com" && /\.elb\.amazonaws\.com$/.test(r.inputs.content as string)));
            assert.strictEqual(ofType(result, T.route53Record).length, 0);
            assert.strictEqual(ofType(result, T.certificateValidation).length, 1);
        });

        it("leaves DNS to the operator when dns.provider is none, exporting the validation record", async () => {
            let lb: any;
            const result = await synthBackend("aws", backend => {
                assert.strictEqual(backend.dns, undefined);
                const target = backend.loadBalancerTarget("api", { port: 7007, readiness: { path: "/api/v0/node/healthcheck", status: "200" } });
                backend.service("ceramic", { zone: ZONES[2], liveness: { kind: "exit" }, containers: [{ name: "ceramic", image: "ceramicnetwork/js-ceramic:6.5.0", cpu: 1, memoryMiB: 2048, user: { uid: 1000, gid: 1000 }, ports: [{ port: 7007, exposure: { kind: "loadBalancer", target } }] }] });
                lb = backend.httpsLoadBalancer("api", { hostname: "ceramic", target });
            }, { dns: { provider: "none" }, profile: "dev" });
            assert.strictEqual(ofType(result, T.certificateValidation).length, 0);
            assert.strictEqual(ofType(result, T.route53Record).length, 0);
            assert.strictEqual(ofType(result, COMPONENT_TYPES.dnsRecord).length, 0);
            const record = await resolve(lb.validationRecord as pulumi.Output<{ name: string; type: string; value: string }>);
            assert.strictEqual(record.type, "CNAME");
            assert.match(record.name, /\.ceramic\.nodes\.example\.com\.$/);
            assert.strictEqual(named(result, T.loadBalancer, "https-alb").inputs.enableDeletionProtection, false);
            assert.strictEqual(lb.url, "https://ceramic.nodes.example.com");
        });
    });

    describe("network", () => {
        for (const [profile, nats] of [["dev", 1], ["prod", 3]] as const) {
            it(`has ${nats} NAT address(es) in ${profile}, every private subnet routed through one, all listed in egressIps`, async () => {
                let egress: pulumi.Output<string[]> | undefined;
                const result = await synthBackend("aws", backend => {
                    egress = backend.network.egressIps;
                }, { profile });
                assert.strictEqual(ofType(result, T.nat).length, nats);
                const ips = await resolve(egress!);
                assert.strictEqual(ips.length, nats);
                for (const ip of ips) assert.match(ip, /^203\.0\.113\.\d+$/);
                const natIds = ofType(result, T.nat).map(n => n.id);
                const privateRoutes = ofType(result, T.route).filter(r => /^network-private-/.test(r.name));
                assert.strictEqual(privateRoutes.length, 3);
                assert.deepStrictEqual(new Set(privateRoutes.map(r => r.inputs.natGatewayId)), new Set(natIds));
                const vpc = oneOfType(result, T.vpc);
                assert.deepStrictEqual([vpc.inputs.enableDnsSupport, vpc.inputs.enableDnsHostnames], [true, true]);
                assert.strictEqual(ofType(result, T.subnet).length, 6);
                // Per-task metrics are billed as custom metrics: prod only (botocore ecs ClusterSetting: enabled or disabled).
                assert.deepStrictEqual(oneOfType(result, T.ecsCluster).inputs.settings, [{ name: "containerInsights", value: profile === "prod" ? "enabled" : "disabled" }]);
            });
        }

        it("puts every cloud resource under a topology primitive, through one explicit provider with the stack's tags", async () => {
            const result = await synthBackend("aws", backend => buildAll(backend));
            const provider = oneOfType(result, "pulumi:providers:aws");
            assert.strictEqual(provider.inputs.region, "us-east-1");
            // Provider inputs reach the engine as JSON strings.
            assert.deepStrictEqual(JSON.parse(provider.inputs.defaultTags as string).tags, { "managed-by": "pulumi", stack: "test" });
            const primitives = new Set<string>(Object.values(COMPONENT_TYPES));
            const stackUrn = "urn:pulumi:test::web3-nodes::pulumi:pulumi:Stack::web3-nodes-test";
            const topLevel = result.resources.filter(r => r.parent === stackUrn).map(r => r.type);
            for (const type of topLevel) assert.ok(primitives.has(type) || type === "pulumi:providers:aws", `${type} at the top level`);
            for (const r of result.resources.filter(r => r.type.startsWith("aws:") || r.type.startsWith("cloudflare:"))) {
                assert.ok(ancestors(result, r).some(a => primitives.has(a.type)), `${r.type} ${r.name} is under no primitive`);
            }
        });
    });
});
