// The managed Postgres primitive on both clouds, under mocks: a writer and a standby in two zones that fail
// over on their own, TLS forced, never public, reachable from its clients' access groups only, encrypted,
// backed up, protected, alarmed; the password generated and kept secret; its requests checked with clear
// messages; its connection limit derived from the class.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, PublicCloud, Postgres, PostgresArgs, StackContext } from "../components/topology";
import {
    RESERVED_CONNECTIONS, SSL_MODE, connectionLimit, databaseClass, databaseClassProblem, postgresProblems, postgresUrl,
} from "../components/topology/postgres";
import { AURORA_ENGINE_VERSIONS } from "../components/aws/postgres";
import { privateServicesRange } from "../components/gcp/postgres";
import { accessGroupTag } from "../components/gcp/service";
import { evaluatePolicies } from "../policies/evaluate";
import { SECRET_MASK, SynthResource, SynthResult } from "../tools/harness";
import { descendants, ofType, synthBackend } from "./support";

const T = {
    cluster: "aws:rds/cluster:Cluster",
    instance: "aws:rds/clusterInstance:ClusterInstance",
    parameters: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    subnet: "aws:ec2/subnet:Subnet",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    eventSubscription: "aws:rds/eventSubscription:EventSubscription",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
    cloudSql: "gcp:sql/databaseInstance:DatabaseInstance",
    sqlDatabase: "gcp:sql/database:Database",
    sqlUser: "gcp:sql/user:User",
    globalAddress: "gcp:compute/globalAddress:GlobalAddress",
    peering: "gcp:servicenetworking/connection:Connection",
    firewall: "gcp:compute/firewall:Firewall",
    alertPolicy: "gcp:monitoring/alertPolicy:AlertPolicy",
    channel: "gcp:monitoring/notificationChannel:NotificationChannel",
    randomPassword: "random:index/randomPassword:RandomPassword",
};

// Zones that offer everything a stack needs in the mock account (us-east-1b is use1-az3: no EFS One Zone).
const ZONES: Record<PublicCloud, string[]> = { aws: ["us-east-1a", "us-east-1c", "us-east-1d"], gcp: ["us-central1-a", "us-central1-b", "us-central1-c"] };
const STACK_ZONES: Record<PublicCloud, Record<string, unknown>> = {
    aws: { aws: { region: "us-east-1", zones: ZONES.aws } },
    gcp: { gcp: { project: "web3-nodes-test", region: "us-central1", zones: ZONES.gcp } },
};
const CLASS: Record<PublicCloud, string> = { aws: "db.r6g.large", gcp: "db-custom-2-13312" };

function request(cloud: PublicCloud, overrides: Partial<PostgresArgs> = {}): PostgresArgs {
    return {
        zones: [ZONES[cloud][0], ZONES[cloud][1]],
        instanceClass: CLASS[cloud],
        storageGiB: 100,
        databaseName: "app",
        userName: "app",
        clientGroups: ["app"],
        alarms: { email: "oncall@example.com" },
        ...overrides,
    };
}

interface Built {
    result: SynthResult;
    url: string;
    urlIsSecret: boolean;
    postgres: Postgres;
}

async function build(cloud: PublicCloud, args: PostgresArgs = request(cloud)): Promise<Built> {
    let postgres!: Postgres;
    let url = "";
    let urlIsSecret = false;
    const result = await synthBackend(cloud, async backend => {
        postgres = backend.postgres("app-db", args);
        url = await new Promise<string>(resolve => postgres.url.apply(resolve));
        urlIsSecret = await pulumi.isSecret(postgres.url);
    }, STACK_ZONES[cloud]);
    return { result, url, urlIsSecret, postgres };
}

function byName(result: SynthResult, type: string, name: string): SynthResource {
    const found = ofType(result, type).filter(r => r.name === name);
    assert.strictEqual(found.length, 1, `one ${type} named ${name}`);
    return found[0];
}

const context = (cloud: PublicCloud, profile: "dev" | "prod" = "prod"): StackContext => ({
    prefix: "web3-test", profile, zones: ZONES[cloud], domain: "nodes.example.com", tags: {}, logRetentionDays: 30, backupRetentionDays: 14,
});

describe("managed Postgres", function () {
    this.timeout(60_000);

    describe("plain functions", () => {
        it("derives the connection limit from the class's memory: Aurora's formula, Cloud SQL's table", () => {
            // LEAST(DBInstanceClassMemory / 9531392, 5000), with nine tenths of the class's memory.
            assert.strictEqual(connectionLimit("aws", "db.r6g.large"), Math.floor(16 * 2 ** 30 * 0.9 / 9531392));
            assert.strictEqual(connectionLimit("aws", "db.t4g.medium"), Math.floor(4 * 2 ** 30 * 0.9 / 9531392));
            assert.strictEqual(connectionLimit("aws", "db.r7g.16xlarge"), 5000);
            assert.strictEqual(connectionLimit("gcp", "db-custom-1-3840"), 100);
            assert.strictEqual(connectionLimit("gcp", "db-custom-2-13312"), 400);
            assert.strictEqual(connectionLimit("gcp", "db-custom-4-16384"), 500);
            assert.strictEqual(connectionLimit("gcp", "db-f1-micro"), 25);
            assert.strictEqual(connectionLimit("gcp", "db-n1-highmem-32"), 1000);
            assert.ok(RESERVED_CONNECTIONS > 3, "more than Postgres's own superuser reserve");
        });

        it("knows which classes are burstable and refuses them in prod, with what to use instead", () => {
            assert.deepStrictEqual(databaseClass("aws", "db.t4g.medium"), { name: "db.t4g.medium", memoryGiB: 4, burstable: true });
            assert.deepStrictEqual(databaseClass("gcp", "db-custom-2-13312"), { name: "db-custom-2-13312", memoryGiB: 13, burstable: false });
            assert.strictEqual(databaseClassProblem("aws", "dev", "db.t4g.medium"), undefined);
            assert.strictEqual(databaseClassProblem("aws", "prod", "db.t4g.medium"),
                "not a burstable or shared-core class in a prod stack: when its CPU credits run out, queries stall and leases expire; use db.r6g.large or larger");
            assert.strictEqual(databaseClassProblem("gcp", "prod", "db-g1-small"),
                "not a burstable or shared-core class in a prod stack: when its CPU credits run out, queries stall and leases expire; use db-custom-2-13312 or larger");
            // Cloud SQL custom tiers: 1 or an even number of vCPUs, 0.9 to 6.5 GiB each, 256 MiB steps, 3.75 GiB at least.
            for (const tier of ["db-custom-3-7680", "db-custom-2-14336", "db-custom-2-7000", "db-custom-1-2048"]) assert.strictEqual(databaseClass("gcp", tier), undefined, tier);
            assert.match(databaseClassProblem("aws", "prod", "db.m5.large")!, /^an Aurora PostgreSQL class whose memory is known/);
        });

        it("builds the URL of the one writer endpoint with TLS required, escaping what needs it", async () => {
            const url = await new Promise<string>(resolve => postgresUrl({ host: "db.internal", port: 5432, user: "app", password: "a/b@c", database: "app" }).apply(resolve));
            assert.strictEqual(url, "postgresql://app:a%2Fb%40c@db.internal:5432/app?sslmode=require");
            assert.strictEqual(SSL_MODE, "require");
        });

        it("gives Cloud SQL the third quarter of the VPC range, clear of the instances' subnet", () => {
            assert.deepStrictEqual(privateServicesRange("10.50.0.0/16"), { address: "10.50.128.0", prefixLength: 18, cidr: "10.50.128.0/18" });
            assert.deepStrictEqual(privateServicesRange("192.168.4.0/22"), { address: "192.168.6.0", prefixLength: 24, cidr: "192.168.6.0/24" });
        });

        it("starts Aurora on a known minor release of every supported major version", () => {
            assert.deepStrictEqual(Object.keys(AURORA_ENGINE_VERSIONS).map(Number), [14, 15, 16, 17]);
        });

        it("rejects a request that could not fail over or would be unsafe, naming the database and the value", () => {
            const problems = postgresProblems("app-db", request("aws", {
                zones: ["us-east-1a", "us-east-1a"], version: 13, instanceClass: "db.t3.medium", storageGiB: 5, backupRetentionDays: 3,
                databaseName: "postgres", clientGroups: [], alarms: { cpuPercent: 120, email: "nobody" },
            }), context("aws"), "aws");
            assert.deepStrictEqual(problems, [
                "postgres app-db: zones must name the writer's zone and a different one for its standby, got us-east-1a, us-east-1a; a standby in the writer's zone dies with it",
                "postgres app-db: version 13 is not a PostgreSQL major version from 14 to 17",
                "postgres app-db: instance class db.t3.medium: not a burstable or shared-core class in a prod stack: when its CPU credits run out, queries stall and leases expire; use db.r6g.large or larger",
                "postgres app-db: storageGiB 5 must be a whole number from 10 to 65536",
                "postgres app-db: backupRetentionDays 3 must be a whole number from 7 to 35",
                "postgres app-db: databaseName \"postgres\" must be lowercase letters, digits and _ (starting with a letter), and not one of postgres, rdsadmin, rdsrepladmin, cloudsqladmin, cloudsqlsuperuser, template0, template1",
                "postgres app-db: clientGroups is empty, so no service could ever connect",
                "postgres app-db: alarms.cpuPercent 120 must be above 0 and at most 100",
                "postgres app-db: alarms.email \"nobody\" is not an email address",
            ]);
            assert.deepStrictEqual(postgresProblems("app-db", request("gcp", { zones: ["us-central1-a", "europe-west1-b"] }), context("gcp"), "gcp"),
                ['postgres app-db: zone "europe-west1-b" is not one of the stack\'s zones (us-central1-a, us-central1-b, us-central1-c)']);
            assert.deepStrictEqual(postgresProblems("app-db", request("gcp"), context("gcp"), "gcp"), []);
        });
    });

    describe("on aws", () => {
        let built: Built;
        before(async () => {
            built = await build("aws");
        });

        it("is an Aurora PostgreSQL 16 cluster, encrypted, backed up, protected, with a final snapshot", () => {
            const [cluster] = ofType(built.result, T.cluster);
            const i = cluster.inputs;
            assert.deepStrictEqual([i.engine, i.engineVersion, i.storageEncrypted, i.deletionProtection, i.skipFinalSnapshot], ["aurora-postgresql", "16.6", true, true, false]);
            assert.strictEqual(i.backupRetentionPeriod, 30, "the stack's backupRetentionDays (prod fixture)");
            assert.match(i.finalSnapshotIdentifier as string, /-final$/);
            assert.strictEqual(i.masterPassword, SECRET_MASK);
            assert.deepStrictEqual(cluster.options, { ...cluster.options, protect: true, retainOnDelete: true });
        });

        it("has a writer and a reader in the two zones asked for, private, the reader created after the writer", () => {
            const instances = ofType(built.result, T.instance);
            assert.deepStrictEqual(instances.map(x => x.inputs.availabilityZone), ["us-east-1a", "us-east-1c"]);
            for (const x of instances) {
                assert.strictEqual(x.inputs.publiclyAccessible, false);
                assert.strictEqual(x.inputs.instanceClass, "db.r6g.large");
                assert.strictEqual(x.options.protect, true);
            }
            assert.deepStrictEqual(instances[1].options.dependsOn, [instances[0].urn]);
            assert.deepStrictEqual(built.postgres.zones, ["us-east-1a", "us-east-1c"]);
        });

        it("forces TLS with the cluster parameter group, and puts sslmode=require in the URL, which is a secret", () => {
            const [parameters] = ofType(built.result, T.parameters);
            assert.strictEqual(parameters.inputs.family, "aurora-postgresql16");
            assert.deepStrictEqual((parameters.inputs.parameters as { name: string; value: string }[]).map(p => [p.name, p.value]), [["rds.force_ssl", "1"]]);
            assert.match(built.url, /^postgresql:\/\/app:[^@]{32}@web3-test-app-db\.cluster-[0-9a-f]+\.us-east-1\.rds\.amazonaws\.com:5432\/app\?sslmode=require$/);
            assert.ok(built.urlIsSecret);
        });

        it("sits in the private subnets and lets in only its clients' access group, on the Postgres port", () => {
            const [group] = ofType(built.result, T.subnetGroup);
            const privateIds = ofType(built.result, T.subnet).filter(s => s.name.includes("-private-")).map(s => s.id);
            assert.deepStrictEqual([...(group.inputs.subnetIds as string[])].sort(), [...privateIds].sort());
            const sg = byName(built.result, T.securityGroup, "app-db-sg");
            const rules = ofType(built.result, T.ingress).filter(r => r.inputs.securityGroupId === sg.id);
            const appGroup = byName(built.result, T.securityGroup, "access-group-app");
            assert.deepStrictEqual(rules.map(r => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]), [[appGroup.id, 5432, 5432, undefined]]);
            assert.deepStrictEqual(ofType(built.result, T.egress).filter(r => r.inputs.securityGroupId === sg.id), [], "the database opens no connection");
        });

        it("alarms on failover (RDS events), CPU of each instance and storage, to an SNS topic with the email subscribed", () => {
            const [events] = ofType(built.result, T.eventSubscription);
            assert.deepStrictEqual([events.inputs.sourceType, events.inputs.eventCategories], ["db-cluster", ["failover"]]);
            const alarms = ofType(built.result, T.metricAlarm).map(a => [a.name, a.inputs.metricName, a.inputs.threshold]);
            assert.deepStrictEqual(alarms, [
                ["app-db-us-east-1a-cpu", "CPUUtilization", 80],
                ["app-db-us-east-1c-cpu", "CPUUtilization", 80],
                ["app-db-storage", "VolumeBytesUsed", 80 * 2 ** 30],
            ]);
            const [subscription] = ofType(built.result, T.topicSubscription);
            assert.deepStrictEqual([subscription.inputs.protocol, subscription.inputs.endpoint], ["email", "oncall@example.com"]);
        });

        it("declares nothing the policy pack objects to", () => {
            const violations = evaluatePolicies(built.result.resources, { config: { profile: "prod", backupRetentionDays: 30 } });
            assert.deepStrictEqual(violations.filter(v => v.enforcementLevel === "mandatory"), []);
        });
    });

    describe("on gcp", () => {
        let built: Built;
        before(async () => {
            built = await build("gcp");
        });

        it("is Cloud SQL for PostgreSQL 16 with REGIONAL availability, its standby in the second zone", () => {
            const [instance] = ofType(built.result, T.cloudSql);
            const s = instance.inputs.settings as Record<string, any>;
            assert.strictEqual(instance.inputs.databaseVersion, "POSTGRES_16");
            assert.deepStrictEqual([s.availabilityType, s.locationPreference], ["REGIONAL", { zone: "us-central1-a", secondaryZone: "us-central1-b" }]);
            assert.deepStrictEqual([s.tier, s.edition], ["db-custom-2-13312", "ENTERPRISE"]);
        });

        it("keeps backups with point-in-time recovery, and is protected from deletion on both sides", () => {
            const [instance] = ofType(built.result, T.cloudSql);
            const s = instance.inputs.settings as Record<string, any>;
            assert.deepStrictEqual(s.backupConfiguration.backupRetentionSettings, { retainedBackups: 30, retentionUnit: "COUNT" });
            assert.deepStrictEqual([s.backupConfiguration.enabled, s.backupConfiguration.pointInTimeRecoveryEnabled], [true, true]);
            assert.deepStrictEqual([instance.inputs.deletionProtection, s.deletionProtectionEnabled, s.retainBackupsOnDelete], [true, true, true]);
            assert.deepStrictEqual([instance.options.protect, instance.options.retainOnDelete], [true, true]);
            const [database] = ofType(built.result, T.sqlDatabase);
            assert.deepStrictEqual([database.options.protect, database.inputs.deletionPolicy], [true, "ABANDON"]);
        });

        it("has a private IP only, through private services access, requires TLS, and sets the connection limit it is checked against", () => {
            const [instance] = ofType(built.result, T.cloudSql);
            const s = instance.inputs.settings as Record<string, any>;
            assert.deepStrictEqual([s.ipConfiguration.ipv4Enabled, s.ipConfiguration.sslMode, s.ipConfiguration.authorizedNetworks], [false, "ENCRYPTED_ONLY", undefined]);
            const [range] = ofType(built.result, T.globalAddress).filter(a => a.inputs.purpose === "VPC_PEERING");
            assert.strictEqual(s.ipConfiguration.allocatedIpRange, range.inputs.name);
            const [peering] = ofType(built.result, T.peering);
            assert.deepStrictEqual(peering.inputs.reservedPeeringRanges, [range.inputs.name]);
            assert.ok(instance.options.dependsOn.includes(peering.urn), "created once the peering exists");
            assert.deepStrictEqual(s.databaseFlags, [{ name: "max_connections", value: "400" }]);
            assert.strictEqual(built.postgres.connectionLimit, 400);
            assert.match(built.url, /^postgresql:\/\/app:[^@]{32}@10\.\d+\.\d+\.\d+:5432\/app\?sslmode=require$/);
            assert.ok(built.urlIsSecret);
            const [user] = ofType(built.result, T.sqlUser);
            assert.strictEqual(user.inputs.password, SECRET_MASK);
        });

        it("lets only its clients' instances open the Postgres port, and refuses it to everything else in the VPC", () => {
            const firewalls = ofType(built.result, T.firewall).filter(f => (f.inputs.destinationRanges as string[] | undefined) !== undefined);
            const allow = firewalls.find(f => f.name === "app-db-clients")!;
            const host = new URL(built.url).hostname;
            assert.deepStrictEqual([allow.inputs.direction, allow.inputs.targetTags, allow.inputs.allows], ["EGRESS", [accessGroupTag("web3-test", "app")], [{ protocol: "tcp", ports: ["5432"] }]]);
            assert.deepStrictEqual(allow.inputs.destinationRanges, [`${host}/32`], "this database's address only");
            const deny = firewalls.find(f => f.name === "private-services-postgres-refused")!;
            assert.deepStrictEqual([deny.inputs.direction, deny.inputs.denies, deny.inputs.targetTags], ["EGRESS", [{ protocol: "tcp", ports: ["5432"] }], undefined]);
            assert.ok((deny.inputs.priority as number) > (allow.inputs.priority as number), "the clients' rule wins");
        });

        it("alerts on failover, CPU and storage through an email channel", () => {
            const policies = ofType(built.result, T.alertPolicy);
            const metrics = policies.map(p => (p.inputs.conditions as any[])[0].conditionThreshold.filter.match(/database\/([a-z_/]+)"/)[1]);
            assert.deepStrictEqual(metrics, ["auto_failover_request_count", "cpu/utilization", "disk/bytes_used"]);
            const [channel] = ofType(built.result, T.channel);
            assert.deepStrictEqual(channel.inputs.labels, { email_address: "oncall@example.com" });
            for (const p of policies) assert.strictEqual((p.inputs.notificationChannels as string[]).length, 1);
        });

        it("makes private services access once, however many databases the stack has", async () => {
            const result = await synthBackend("gcp", async backend => {
                backend.postgres("one", request("gcp"));
                backend.postgres("two", request("gcp", { zones: ["us-central1-b", "us-central1-c"] }));
            });
            assert.strictEqual(ofType(result, T.peering).length, 1);
            assert.strictEqual(ofType(result, T.cloudSql).length, 2);
            const [network] = ofType(result, COMPONENT_TYPES.network);
            assert.ok(descendants(result, network.urn).some(r => r.type === T.peering), "under the network, whichever database asked first");
        });

        it("declares nothing the policy pack objects to", () => {
            const violations = evaluatePolicies(built.result.resources, { config: { profile: "prod", backupRetentionDays: 30 } });
            assert.deepStrictEqual(violations.filter(v => v.enforcementLevel === "mandatory"), []);
        });
    });

    it("refuses an invalid request on either cloud before declaring anything", async () => {
        for (const cloud of ["aws", "gcp"] as const) {
            await assert.rejects(synthBackend(cloud, backend => {
                backend.postgres("bad", request(cloud, { zones: [ZONES[cloud][0], ZONES[cloud][0]] }));
            }), /invalid postgres definition:\n {2}- postgres bad: zones must name the writer's zone and a different one/);
        }
    });
});
