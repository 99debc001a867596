// Managed Postgres on AWS: an Aurora PostgreSQL cluster with a writer and a reader in two zones. Aurora
// promotes the reader when the writer or its zone fails, and the cluster endpoint follows the writer, so
// clients keep one host name. Private subnets only, reachable from the clients' access groups only, TLS
// forced by the cluster parameter group, encrypted, backed up, protected from deletion, alarmed.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DATA_PROTECTION, Postgres, PostgresArgs } from "../topology";
import { ALARM_DEFAULTS, POSTGRES_PORT, POSTGRES_VERSIONS, ServerTrust, connectionLimit, databaseClass, databasePassword, postgresUrl, rdsCaBundleUrl } from "../topology/postgres";
import { AwsContext } from "./context";
import { awsName, awsNamePrefix } from "./names";

/**
 * The minor release each major version starts on. Aurora applies later minors itself in the maintenance
 * window (autoMinorVersionUpgrade), so the program ignores the engine version once the cluster exists.
 */
export const AURORA_ENGINE_VERSIONS: Record<number, string> = { 14: "14.15", 15: "15.10", 16: "16.6", 17: "17.4" };

/** UTC: backups first, maintenance after them, both in a quiet hour for most operators. */
export const BACKUP_WINDOW = "03:00-04:00";
export const MAINTENANCE_WINDOW = "sun:04:30-sun:05:30";

/** Alarms look at five-minute averages; CPU must stay high for fifteen minutes before anyone is woken. */
const ALARM_PERIOD_SECONDS = 300;
const CPU_EVALUATION_PERIODS = 3;

/** The cluster parameters that differ from Aurora's defaults: no connection without TLS. */
export function clusterParameters(): aws.types.input.rds.ClusterParameterGroupParameter[] {
    // Static on some engine versions: applied at creation, or at the next reboot.
    return [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }];
}

/** Lets CloudWatch alarms and RDS event notifications publish to the topic, for this account's resources only. */
export function alarmTopicPolicy(topicArn: pulumi.Input<string>, accountId: string): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "AlarmsAndDatabaseEvents",
            Effect: "Allow",
            Principal: { Service: ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"] },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        }],
    });
}

export interface AwsPostgresArgs extends PostgresArgs {
    context: AwsContext;
}

export class AwsPostgres extends pulumi.ComponentResource implements Postgres {
    readonly databaseName: string;
    readonly userName: string;
    readonly zones: string[];
    readonly port = POSTGRES_PORT;
    readonly host: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly connectionLimit: number;
    readonly serverTrust: ServerTrust;
    readonly alarmDestination: pulumi.Output<string | undefined>;
    readonly cluster: aws.rds.Cluster;
    readonly instances: aws.rds.ClusterInstance[];

    constructor(name: string, args: AwsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        // The planned storage, in the graph for cost estimates (tools/cost.ts): Aurora storage has no size of its own.
        super(COMPONENT_TYPES.postgres, name, { storageGiB: args.storageGiB }, opts);
        const ctx = args.context;
        const { prefix } = ctx.stack;
        const parent = { parent: this };
        const version = args.version ?? POSTGRES_VERSIONS.default;
        const identifier = awsName("dbCluster", [prefix, name]);
        this.databaseName = args.databaseName;
        this.userName = args.userName;
        this.zones = [...args.zones];
        this.connectionLimit = connectionLimit("aws", args.instanceClass);
        // The cluster endpoint clients dial is named in the certificate an RDS CA of the region signs.
        this.serverTrust = { sslMode: "verify-full", caUrl: rdsCaBundleUrl(ctx.region) };

        const password = databasePassword(name, this);

        // Every private subnet: Aurora may rebuild an instance in any zone of the group.
        const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, {
            subnetIds: ctx.stack.zones.map(z => ctx.network.privateSubnet(z)),
            description: `${prefix} ${name}: private subnets`,
        }, parent);

        // No egress rule and one ingress rule per client group: the database only ever answers.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: ctx.network.vpcId,
            description: `${prefix} ${name}: Postgres from ${args.clientGroups.join(", ")}`,
        }, parent);
        for (const group of [...new Set(args.clientGroups)]) {
            new aws.vpc.SecurityGroupIngressRule(`${name}-from-${group}`, {
                securityGroupId: securityGroup.id,
                referencedSecurityGroupId: ctx.accessGroup(group).id,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: `Postgres from ${group}`,
            }, parent);
        }

        const parameters = new aws.rds.ClusterParameterGroup(`${name}-parameters`, {
            family: `aurora-postgresql${version}`,
            description: `${prefix} ${name}: TLS required`,
            parameters: clusterParameters(),
        }, parent);

        // Made before the cluster, so the exported Postgres log keeps the stack's retention instead of forever.
        const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/aws/rds/cluster/${identifier}/postgresql`,
            retentionInDays: ctx.stack.logRetentionDays,
        }, parent);

        this.cluster = new aws.rds.Cluster(`${name}-cluster`, {
            clusterIdentifier: identifier,
            engine: "aurora-postgresql",
            engineVersion: AURORA_ENGINE_VERSIONS[version],
            allowMajorVersionUpgrade: false,
            databaseName: args.databaseName,
            masterUsername: args.userName,
            masterPassword: password.result,
            port: POSTGRES_PORT,
            dbSubnetGroupName: subnets.name,
            vpcSecurityGroupIds: [securityGroup.id],
            dbClusterParameterGroupName: parameters.name,
            storageEncrypted: true,
            backupRetentionPeriod: args.backupRetentionDays ?? ctx.stack.backupRetentionDays,
            preferredBackupWindow: BACKUP_WINDOW,
            preferredMaintenanceWindow: MAINTENANCE_WINDOW,
            copyTagsToSnapshot: true,
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: awsName("dbClusterFinalSnapshot", [identifier, "final"]),
            enabledCloudwatchLogsExports: ["postgresql"],
        }, { parent: this, ...DATA_PROTECTION, dependsOn: [logs], ignoreChanges: ["engineVersion"] });

        // The first instance Aurora creates becomes the writer: the reader waits for it. Equal promotion
        // tiers: either takes over from the other. Protected: destroying them takes the database offline.
        const burstable = databaseClass("aws", args.instanceClass)?.burstable ?? false;
        this.instances = [];
        for (const zone of args.zones) {
            const previous = this.instances[this.instances.length - 1];
            this.instances.push(new aws.rds.ClusterInstance(`${name}-${zone}`, {
                identifier: awsName("dbInstance", [prefix, name, zone]),
                clusterIdentifier: this.cluster.id,
                engine: "aurora-postgresql",
                engineVersion: this.cluster.engineVersion,
                instanceClass: args.instanceClass,
                availabilityZone: zone,
                dbSubnetGroupName: subnets.name,
                publiclyAccessible: false,
                promotionTier: 0,
                autoMinorVersionUpgrade: true,
                copyTagsToSnapshot: true,
                preferredMaintenanceWindow: MAINTENANCE_WINDOW,
                // Performance Insights is not offered on every burstable class.
                performanceInsightsEnabled: !burstable,
            }, { parent: this, protect: true, ignoreChanges: ["engineVersion"], ...(previous ? { dependsOn: [previous] } : {}) }));
        }

        this.alarmDestination = this.alarms(name, args, identifier);
        this.host = this.cluster.endpoint;
        this.url = postgresUrl({ host: this.host, port: POSTGRES_PORT, user: args.userName, password: password.result, database: args.databaseName });
        this.registerOutputs({ host: this.host, zones: this.zones, alarmDestination: this.alarmDestination });
    }

    /** An SNS topic, a failover event subscription, CPU alarms per instance and a storage alarm on the cluster. */
    private alarms(name: string, args: AwsPostgresArgs, identifier: string): pulumi.Output<string> {
        const ctx = args.context;
        const parent = { parent: this };
        const thresholds = { ...ALARM_DEFAULTS, ...args.alarms };
        // Not encrypted with the AWS-managed SNS key: RDS cannot publish events to a topic under that key, and
        // the notifications name resources, never data.
        const topic = new aws.sns.Topic(`${name}-alarms`, {
            namePrefix: awsNamePrefix("snsTopic", [identifier, "alarms"]),
            displayName: `${ctx.stack.prefix} ${name} database alarms`,
        }, parent);
        new aws.sns.TopicPolicy(`${name}-alarms`, { arn: topic.arn, policy: alarmTopicPolicy(topic.arn, ctx.account.accountId) }, parent);
        if (thresholds.email) {
            // Confirmed by the recipient from the first message AWS sends.
            new aws.sns.TopicSubscription(`${name}-alarms-email`, { topic: topic.arn, protocol: "email", endpoint: thresholds.email }, parent);
        }
        new aws.rds.EventSubscription(`${name}-failover`, {
            namePrefix: awsNamePrefix("dbEventSubscription", [identifier, "failover"]),
            snsTopic: topic.arn,
            sourceType: "db-cluster",
            sourceIds: [this.cluster.id],
            eventCategories: ["failover"],
        }, parent);
        const actions = { alarmActions: [topic.arn], okActions: [topic.arn] };
        args.zones.forEach((zone, i) => {
            new aws.cloudwatch.MetricAlarm(`${name}-${zone}-cpu`, {
                alarmDescription: `${identifier} instance in ${zone}: CPU above ${thresholds.cpuPercent}% for ${CPU_EVALUATION_PERIODS * ALARM_PERIOD_SECONDS / 60} minutes`,
                namespace: "AWS/RDS",
                metricName: "CPUUtilization",
                dimensions: { DBInstanceIdentifier: this.instances[i].identifier },
                statistic: "Average",
                period: ALARM_PERIOD_SECONDS,
                evaluationPeriods: CPU_EVALUATION_PERIODS,
                comparisonOperator: "GreaterThanThreshold",
                threshold: thresholds.cpuPercent,
                treatMissingData: "missing",
                ...actions,
            }, parent);
        });
        new aws.cloudwatch.MetricAlarm(`${name}-storage`, {
            alarmDescription: `${identifier}: more than ${thresholds.storagePercent}% of the planned ${args.storageGiB} GiB in use`,
            namespace: "AWS/RDS",
            metricName: "VolumeBytesUsed",
            dimensions: { DBClusterIdentifier: this.cluster.id },
            statistic: "Maximum",
            period: ALARM_PERIOD_SECONDS,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: Math.round(args.storageGiB * 2 ** 30 * thresholds.storagePercent / 100),
            treatMissingData: "missing",
            ...actions,
        }, parent);
        return topic.arn;
    }
}
