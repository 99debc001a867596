// The naming rules of every AWS resource this back-end names or lets the provider name, and the functions that
// make names which keep them. Rules come from botocore's service models (the API's own definition; the
// conformance tests read the model and hold each row to it) or, where the model is silent, the documentation
// page cited. Read 2026-12-01.
import { AUTONAME_SUFFIX_LENGTH, CERTIFICATE_NAME_MAX, NameRule, UNIQUE_ID_SUFFIX_LENGTH, assertName, dnsNameRule, fitName } from "../topology/names";

/** Letters, digits and dashes, neither first nor last. */
const ALNUM_DASHES = /^(?!-)[A-Za-z0-9-]+(?<!-)$/;
/** RDS identifiers: a letter first, letters, digits and single dashes, no dash last (the provider wants lowercase). */
const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]*(?<!-)$/;
const RDS_IDENTIFIER_WORDS = "lowercase letters, digits and hyphens, a letter first, no hyphen last and no two in a row";
const ECS_NAME = /^[A-Za-z0-9_-]+$/;
const ECS_NAME_QUOTE = "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.";
const prefixed = (field: string) => ({ field, suffixLength: UNIQUE_ID_SUFFIX_LENGTH });

export const AWS_NAME_RULES = {
    targetGroup: {
        type: "aws:lb/targetGroup:TargetGroup", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 32, pattern: ALNUM_DASHES,
        allowed: "letters, digits and hyphens, no hyphen first or last",
        source: { botocore: { service: "elbv2", operation: "CreateTargetGroup", member: "Name" }, quote: "can have a maximum of 32 characters, must contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen" },
    },
    loadBalancer: {
        type: "aws:lb/loadBalancer:LoadBalancer", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 32, pattern: /^(?!internal-)(?!-)[A-Za-z0-9-]+(?<!-)$/,
        allowed: "letters, digits and hyphens, no hyphen first or last, not starting internal-",
        source: { botocore: { service: "elbv2", operation: "CreateLoadBalancer", member: "Name" }, quote: "must not begin or end with a hyphen, and must not begin with \"internal-\"" },
    },
    securityGroup: {
        type: "aws:ec2/securityGroup:SecurityGroup", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 255, pattern: /^(?!sg-)[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/,
        allowed: "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*, not starting sg-",
        source: { botocore: { service: "ec2", operation: "CreateSecurityGroup", member: "GroupName" }, quote: "Up to 255 characters in length. Cannot start with sg-" },
    },
    iamRole: {
        type: "aws:iam/role:Role", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 64, pattern: /^[\w+=,.@-]+$/,
        allowed: "letters, digits and _+=,.@-",
        source: { botocore: { service: "iam", operation: "CreateRole", member: "RoleName" } },
    },
    iamRolePolicy: {
        type: "aws:iam/rolePolicy:RolePolicy", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 128, pattern: /^[\w+=,.@-]+$/,
        allowed: "letters, digits and _+=,.@-",
        source: { botocore: { service: "iam", operation: "PutRolePolicy", member: "PolicyName" } },
    },
    metricAlarm: {
        type: "aws:cloudwatch/metricAlarm:MetricAlarm", field: "name", min: 1, max: 255, pattern: /^.+$/,
        allowed: "1 to 255 characters",
        source: { botocore: { service: "cloudwatch", operation: "PutMetricAlarm", member: "AlarmName" } },
    },
    logGroup: {
        type: "aws:cloudwatch/logGroup:LogGroup", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/,
        allowed: "letters, digits and ._-/#",
        source: { botocore: { service: "logs", operation: "CreateLogGroup", member: "logGroupName" } },
    },
    schedule: {
        type: "aws:scheduler/schedule:Schedule", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 64, pattern: /^[0-9a-zA-Z\-_.]+$/,
        allowed: "letters, digits and -_.",
        source: { botocore: { service: "scheduler", operation: "CreateSchedule", member: "Name" } },
    },
    dbCluster: {
        type: "aws:rds/cluster:Cluster", field: "clusterIdentifier", prefix: prefixed("clusterIdentifierPrefix"), min: 1, max: 63, pattern: RDS_IDENTIFIER,
        allowed: RDS_IDENTIFIER_WORDS,
        source: { botocore: { service: "rds", operation: "CreateDBCluster", member: "DBClusterIdentifier" }, quote: "Must contain from 1 to 63 letters, numbers, or hyphens." },
    },
    dbClusterFinalSnapshot: {
        type: "aws:rds/cluster:Cluster", field: "finalSnapshotIdentifier", min: 1, max: 255, pattern: RDS_IDENTIFIER,
        allowed: RDS_IDENTIFIER_WORDS,
        source: { botocore: { service: "rds", operation: "DeleteDBCluster", member: "FinalDBSnapshotIdentifier" }, quote: "Must be 1 to 255 letters, numbers, or hyphens." },
    },
    dbInstance: {
        type: "aws:rds/clusterInstance:ClusterInstance", field: "identifier", prefix: prefixed("identifierPrefix"), min: 1, max: 63, pattern: RDS_IDENTIFIER,
        allowed: RDS_IDENTIFIER_WORDS,
        source: { botocore: { service: "rds", operation: "CreateDBInstance", member: "DBInstanceIdentifier" }, quote: "Must contain from 1 to 63 letters, numbers, or hyphens." },
    },
    dbClusterParameterGroup: {
        type: "aws:rds/clusterParameterGroup:ClusterParameterGroup", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 255, pattern: RDS_IDENTIFIER,
        allowed: RDS_IDENTIFIER_WORDS,
        source: { url: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html" },
    },
    dbSubnetGroup: {
        type: "aws:rds/subnetGroup:SubnetGroup", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 255, pattern: /^(?!default$)[a-z][a-z0-9._ -]*$/,
        allowed: "lowercase letters, digits, periods, underscores, spaces and hyphens, a letter first, not default",
        source: { botocore: { service: "rds", operation: "CreateDBSubnetGroup", member: "DBSubnetGroupName" }, quote: "Must contain no more than 255 letters, numbers, periods, underscores, spaces, or hyphens." },
    },
    dbEventSubscription: {
        type: "aws:rds/eventSubscription:EventSubscription", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 254, pattern: /^[A-Za-z0-9-]+$/,
        allowed: "letters, digits and hyphens, fewer than 255",
        source: { botocore: { service: "rds", operation: "CreateEventSubscription", member: "SubscriptionName" }, quote: "The name must be less than 255 characters." },
    },
    snsTopic: {
        type: "aws:sns/topic:Topic", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 256, pattern: /^[A-Za-z0-9_-]+$/,
        allowed: "letters, digits, underscores and hyphens",
        source: { botocore: { service: "sns", operation: "CreateTopic", member: "Name" }, quote: "must be between 1 and 256 characters long" },
    },
    secret: {
        // The API appends a dash and six characters to the ARN; a name ending like that confuses lookups by ARN.
        type: "aws:secretsmanager/secret:Secret", field: "name", prefix: prefixed("namePrefix"), min: 1, max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$(?<!-[A-Za-z0-9/_+=.@]{6})/,
        allowed: "letters, digits and /_+=.@-, not ending in a hyphen and six characters",
        source: { botocore: { service: "secretsmanager", operation: "CreateSecret", member: "Name" }, quote: "Do not end your secret name with a hyphen followed by six characters." },
    },
    ecsCluster: {
        type: "aws:ecs/cluster:Cluster", field: "name", min: 1, max: 255, pattern: ECS_NAME, allowed: "letters, digits, underscores and hyphens",
        source: { botocore: { service: "ecs", operation: "CreateCluster", member: "clusterName" }, quote: ECS_NAME_QUOTE },
    },
    ecsService: {
        type: "aws:ecs/service:Service", field: "name", min: 1, max: 255, pattern: ECS_NAME, allowed: "letters, digits, underscores and hyphens",
        source: { botocore: { service: "ecs", operation: "CreateService", member: "serviceName" }, quote: ECS_NAME_QUOTE },
    },
    taskFamily: {
        type: "aws:ecs/taskDefinition:TaskDefinition", field: "family", min: 1, max: 255, pattern: ECS_NAME, allowed: "letters, digits, underscores and hyphens",
        source: { botocore: { service: "ecs", operation: "RegisterTaskDefinition", member: "family" }, quote: ECS_NAME_QUOTE },
    },
    privateDnsNamespace: {
        type: "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", field: "name", min: 1, max: 253, pattern: /^[!-~]{1,253}$/,
        allowed: "printable ASCII without spaces",
        source: { botocore: { service: "servicediscovery", operation: "CreatePrivateDnsNamespace", member: "Name" } },
    },
    discoveryService: {
        type: "aws:servicediscovery/service:Service", field: "name", min: 1, max: 127,
        pattern: /^(?:[a-zA-Z0-9_][a-zA-Z0-9\-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9_][a-zA-Z0-9\-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$/,
        allowed: "DNS labels of at most 63 letters, digits, hyphens and underscores, no hyphen first or last",
        source: { botocore: { service: "servicediscovery", operation: "CreateService", member: "Name" } },
    },
    s3Bucket: {
        type: "aws:s3/bucket:Bucket", field: "bucket", prefix: prefixed("bucketPrefix"), min: 3, max: 63,
        pattern: /^(?!xn--|sthree-|amzn-s3-demo-)(?!\d+\.\d+\.\d+\.\d+$)(?!.*(?:-s3alias|--ol-s3|--x-s3|--table-s3)$)(?!.*\.\.)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
        allowed: "lowercase letters, digits, dots and hyphens, a letter or digit first and last, no reserved prefix or suffix",
        source: { url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html" },
    },
    efsCreationToken: {
        type: "aws:efs/fileSystem:FileSystem", field: "creationToken", min: 1, max: 64, pattern: /^[\x20-\x7e]+$/,
        allowed: "up to 64 ASCII characters",
        source: { botocore: { service: "efs", operation: "CreateFileSystem", member: "CreationToken" } },
    },
    certificateDomain: {
        // RFC 5280's ub-common-name: the first name becomes the certificate's common name.
        type: "aws:acm/certificate:Certificate", field: "domainName", min: 1, max: CERTIFICATE_NAME_MAX,
        pattern: /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/,
        allowed: "a DNS name of at most 64 characters, the limit of a certificate's common name",
        source: { botocore: { service: "acm", operation: "RequestCertificate", member: "DomainName" }, quote: "cannot exceed 64 octets (characters), including periods" },
    },
    ecrRepositoryPrefix: {
        // Debian's botocore predates the limit's rise to 30 and the slashes; the current API reference states both.
        type: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule", field: "ecrRepositoryPrefix", min: 2, max: 30,
        pattern: /^(?:(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\/?|ROOT)$/,
        allowed: "lowercase path segments of letters and digits joined by . _ or -, separated by /",
        source: { url: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html" },
    },
    route53Record: dnsNameRule("aws:route53/record:Record", "name"),
} satisfies Record<string, NameRule>;

export type AwsNameKind = keyof typeof AWS_NAME_RULES;

/** The words `parts` joined by dashes, cut to fit `kind`'s rule if they must be. Throws if the result breaks the rule. */
export function awsName(kind: AwsNameKind, parts: string[]): string {
    const rule: NameRule = AWS_NAME_RULES[kind];
    return assertName(rule, fitName(parts.join("-"), rule.max));
}

/**
 * The logical name of a resource whose physical name the provider generates from it (the logical name, a dash
 * and seven characters): `wanted`, or `wanted` cut so that the generated name keeps `kind`'s rule. Generated
 * names let a replacement be created before the old resource goes.
 */
export function awsLogicalName(kind: AwsNameKind, wanted: string): string {
    const rule: NameRule = AWS_NAME_RULES[kind];
    const logical = fitName(wanted, rule.max - AUTONAME_SUFFIX_LENGTH);
    assertName(rule, `${logical}-${"0".repeat(AUTONAME_SUFFIX_LENGTH - 1)}`);
    return logical;
}

/** A prefix (ending in a dash) the provider completes with a unique suffix, short enough for `kind`'s rule. */
export function awsNamePrefix(kind: AwsNameKind, parts: string[]): string {
    const rule: NameRule = AWS_NAME_RULES[kind];
    if (!rule.prefix) throw new Error(`${rule.type} takes no name prefix`);
    const prefix = `${fitName(parts.join("-"), rule.max - rule.prefix.suffixLength - 1)}-`;
    assertName(rule, `${prefix}${"0".repeat(rule.prefix.suffixLength)}`);
    return prefix;
}
