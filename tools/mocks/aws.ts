// Computed outputs and invoke answers of the AWS provider, as the offline synth fakes them.
import type { Invokes } from "../mocks";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
/** Route 53 zone IDs of us-east-1's load balancers (published by AWS per region and type). */
const LB_ZONE_ID = { application: "Z35SXDOTRQ7X7K", network: "Z26RNL4JYFTOTI" } as const;

/** A stable hex string from a seed (kept here so this module loads without ../mocks). */
function hex(seed: string, length: number): string {
    let out = "";
    let h = 2166136261;
    while (out.length < length) {
        for (const ch of seed + out.length) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

/** A documentation-range address (RFC 5737), stable per resource. */
function publicIp(seed: string): string {
    return `203.0.113.${(parseInt(hex(seed, 4), 16) % 254) + 1}`;
}

function arn(service: string, resource: string, region = REGION): string {
    return `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
}

type State = Record<string, unknown>;

/** Per-type outputs the program reads; every other AWS resource gets a generic ARN and a name. */
const byType: Record<string, (name: string, inputs: Record<string, any>, id: string) => State> = {
    "aws:ec2/eip:Eip": (name, _inputs, id) => ({ publicIp: publicIp(name), allocationId: `eipalloc-${hex(id, 17)}` }),
    "aws:lb/loadBalancer:LoadBalancer": (name, inputs) => {
        const kind: keyof typeof LB_ZONE_ID = inputs.loadBalancerType === "network" ? "network" : "application";
        const short = kind === "network" ? "net" : "app";
        return {
            arn: arn("elasticloadbalancing", `loadbalancer/${short}/${name}/${hex(name, 16)}`),
            dnsName: `${name}-${hex(name, 10)}.${kind === "network" ? `elb.${REGION}` : `${REGION}.elb`}.amazonaws.com`,
            zoneId: LB_ZONE_ID[kind],
        };
    },
    "aws:lb/targetGroup:TargetGroup": name => ({ arn: arn("elasticloadbalancing", `targetgroup/${name.slice(0, 32)}/${hex(name, 16)}`) }),
    "aws:lb/listener:Listener": name => ({ arn: arn("elasticloadbalancing", `listener/app/${name}/${hex(name, 16)}`) }),
    "aws:acm/certificate:Certificate": (name, inputs) => ({
        arn: arn("acm", `certificate/${hex(name, 8)}-${hex(name + "1", 4)}-${hex(name + "2", 4)}-${hex(name + "3", 4)}-${hex(name + "4", 12)}`),
        status: "PENDING_VALIDATION",
        domainValidationOptions: [{
            domainName: inputs.domainName,
            resourceRecordName: `_${hex(name, 32)}.${inputs.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${hex(name + "v", 32)}.xlfgrmvvlj.acm-validations.aws.`,
        }],
    }),
    "aws:acm/certificateValidation:CertificateValidation": (_name, inputs) => ({ certificateArn: inputs.certificateArn }),
    "aws:efs/fileSystem:FileSystem": (_name, _inputs, id) => ({ arn: arn("elasticfilesystem", `file-system/${id}`), dnsName: `${id}.efs.${REGION}.amazonaws.com` }),
    "aws:efs/mountTarget:MountTarget": (_name, inputs) => ({
        fileSystemId: inputs.fileSystemId,
        fileSystemArn: arn("elasticfilesystem", `file-system/${inputs.fileSystemId}`),
    }),
    "aws:efs/accessPoint:AccessPoint": (_name, inputs, id) => ({
        arn: arn("elasticfilesystem", `access-point/${id}`),
        fileSystemArn: arn("elasticfilesystem", `file-system/${inputs.fileSystemId}`),
    }),
    "aws:secretsmanager/secret:Secret": (name, inputs) => {
        const secretName = `${inputs.namePrefix ?? `${name}-`}${hex(name, 8)}`;
        return { arn: arn("secretsmanager", `secret:${secretName}-${hex(name, 6)}`), name: secretName };
    },
    // The secret's ID is its ARN on AWS; the mock's IDs are not, so the version builds the ARN from it.
    "aws:secretsmanager/secretVersion:SecretVersion": (name, inputs) => ({
        arn: String(inputs.secretId).startsWith("arn:") ? inputs.secretId : arn("secretsmanager", `secret:${inputs.secretId}`),
        versionId: `${hex(name, 8)}-${hex(name, 4)}`,
    }),
    "aws:s3/bucket:Bucket": (name, inputs) => {
        const bucket = inputs.bucket ?? `${inputs.bucketPrefix ?? `${name}-`}${hex(name, 12)}`;
        return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${REGION}.amazonaws.com` };
    },
    "aws:iam/role:Role": (name, inputs, id) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${inputs.name ?? id}`, name: inputs.name ?? id }),
    "aws:ecs/cluster:Cluster": (name, inputs) => ({ arn: arn("ecs", `cluster/${inputs.name ?? name}`) }),
    "aws:ecs/taskDefinition:TaskDefinition": (name, inputs) => ({ arn: arn("ecs", `task-definition/${inputs.family ?? name}:1`), revision: 1 }),
    "aws:ecs/service:Service": (name, inputs) => ({ arn: arn("ecs", `service/${inputs.name ?? name}`) }),
    "aws:cloudwatch/logGroup:LogGroup": (name, inputs) => ({ arn: arn("logs", `log-group:${inputs.name ?? name}`) }),
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": name => ({
        arn: arn("servicediscovery", `namespace/ns-${hex(name, 16)}`),
        hostedZone: `Z${hex(name, 20).toUpperCase()}`,
    }),
    "aws:servicediscovery/service:Service": name => ({ arn: arn("servicediscovery", `service/srv-${hex(name, 16)}`) }),
    "aws:ec2/securityGroup:SecurityGroup": (name, _inputs, id) => ({ arn: arn("ec2", `security-group/${id}`) }),
    // Aurora's endpoints: the writer's follows failover; the reader's spreads over the replicas.
    "aws:rds/cluster:Cluster": (name, inputs) => {
        const cluster = inputs.clusterIdentifier ?? name;
        const host = (kind: string) => `${cluster}.${kind}${hex(name, 12)}.${REGION}.rds.amazonaws.com`;
        return { arn: arn("rds", `cluster:${cluster}`), endpoint: host("cluster-"), readerEndpoint: host("cluster-ro-"), clusterIdentifier: cluster };
    },
    "aws:rds/clusterInstance:ClusterInstance": (name, inputs) => ({ arn: arn("rds", `db:${inputs.identifier ?? name}`), identifier: inputs.identifier ?? name }),
};

export function awsState(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, unknown> {
    const service = type.split(":")[1].split("/")[0];
    return {
        arn: arn(service, name),
        ...(inputs.name === undefined ? { name: id } : {}),
        ...(byType[type]?.(name, inputs, id) ?? {}),
    };
}

/**
 * The standard Availability Zones (no Local Zones) of the mock account, name to AZ ID. AWS maps names to
 * physical zones independently for each account; the IDs are the same in every account
 * (https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html). Shuffled here as in a real
 * account, so a choice made by name and one made by ID differ. us-east-1 has six zones, use1-az1 to use1-az6;
 * this account sees us-west-1 through two of its zones, as accounts made since 2013 do.
 */
export const ACCOUNT_ZONES: Record<string, readonly (readonly [name: string, zoneId: string])[]> = {
    "us-east-1": [
        ["us-east-1a", "use1-az2"], ["us-east-1b", "use1-az3"], ["us-east-1c", "use1-az6"],
        ["us-east-1d", "use1-az1"], ["us-east-1e", "use1-az4"], ["us-east-1f", "use1-az5"],
    ],
    "us-west-1": [["us-west-1a", "usw1-az3"], ["us-west-1c", "usw1-az1"]],
};

export const awsInvokes: Invokes = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": inputs => {
        const region = inputs.region ?? REGION;
        const zones = ACCOUNT_ZONES[region];
        if (!zones) throw new Error(`the offline synth knows the Availability Zones of ${Object.keys(ACCOUNT_ZONES).join(", ")}, not of ${region}`);
        return {
            id: region,
            region,
            names: zones.map(([name]) => name),
            zoneIds: zones.map(([, id]) => id),
            groupNames: zones.map(() => region),
        };
    },
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/mock`, userId: "mock" }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
};
