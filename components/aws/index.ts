// The AWS back-end: the topology's primitives on VPC, ECS Fargate, EFS, S3, ALB/NLB, Route 53 and Secrets
// Manager. Every cloud resource is made through one explicit provider, so the region and the stack's tags
// apply everywhere and nothing falls back to ambient configuration.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    Backend,
    BackendSettings,
    BucketArgs,
    HttpsLoadBalancerArgs,
    LoadBalancerTargetArgs,
    PassthroughAddressArgs,
    ScheduledJobArgs,
    SecretArgs,
    StackContext,
    stackContext,
    VolumeArgs,
    ZonalServiceArgs,
} from "../topology";
import { assertValidService, jobProblems, passthroughAddressProblems, targetProblems } from "../topology/rules";
import { CloudflareDns } from "../cloudflare";
import { AwsBucket } from "./bucket";
import { AwsAccount, AwsContext, expectAws, primitiveOptions } from "./context";
import { AwsDns, Route53Dns } from "./dns";
import { AwsHttpsLoadBalancer, HttpsEntryPoint } from "./httpsLoadBalancer";
import { AwsLoadBalancerTarget } from "./loadBalancerTarget";
import { AwsNetwork } from "./network";
import { AwsPassthroughAddress, PublicLoadBalancers } from "./passthroughLoadBalancer";
import type { PostgresArgs } from "../topology";
import { assertValidPostgres } from "../topology/postgres";
import { AwsPostgres } from "./postgres";
import { AwsRegistryMirror } from "./registryMirror";
import { AwsScheduledJob } from "./scheduledJob";
import { AwsSecret } from "./secret";
import { awsServiceProblems, AwsZonalService } from "./service";
import { AwsVolume, FileSystems, volumeProblems } from "./volume";
import { AwsZone, chooseZones } from "./zones";

export { AwsBucket } from "./bucket";
export { AwsHttpsLoadBalancer, HttpsEntryPoint, hostRules, priorityBlock } from "./httpsLoadBalancer";
export { AwsLoadBalancerTarget } from "./loadBalancerTarget";
export { AwsNetwork, carveSubnets, natIndexForZone } from "./network";
export { AURORA_ENGINE_VERSIONS, AwsPostgres, clusterParameters } from "./postgres";
export { AwsPassthroughLoadBalancer, PublicLoadBalancers, passthroughListeners } from "./passthroughLoadBalancer";
export { AwsRegistryMirror, ECR_UPSTREAMS, ecrMirrorImage, ecrRegistryHost, ecrRepositoryPrefix, pullThroughCachePolicy } from "./registryMirror";
export { AwsSecret } from "./secret";
export { AwsScheduledJob, rateExpression } from "./scheduledJob";
export { AwsZonalService, containerDefinition, ingressRules, taskSize } from "./service";
export { AwsVolume, ZoneFileSystem } from "./volume";
export { Route53Dns } from "./dns";
export { FARGATE_SIZES, fargateTaskSize } from "./fargate";

export { chooseZones, missingOfferings, ZONAL_OFFERINGS } from "./zones";
export type { AwsZone } from "./zones";

function throwIfAny(what: string, problems: string[]): void {
    if (problems.length > 0) throw new Error(`invalid ${what}:\n  - ${problems.join("\n  - ")}`);
}

export function chooseDns(settings: BackendSettings, provider: aws.Provider): AwsDns | undefined {
    const { provider: kind, zone } = settings.dns;
    if (kind === "none") return undefined;
    if (zone === undefined) throw new Error(`dns.provider is ${kind} but dns.zone is not set`);
    switch (kind) {
        case "route53":
            return new Route53Dns(zone, provider);
        case "cloudflare":
            return new CloudflareDns(zone);
        default:
            throw new Error(`dns.provider ${kind} needs another cloud's credentials; on AWS use route53, cloudflare or none`);
    }
}

class AwsBackend implements Backend {
    readonly cloud = "aws" as const;
    readonly context: StackContext;
    readonly network: AwsNetwork;
    readonly dns: AwsDns | undefined;
    readonly registryMirror: AwsRegistryMirror;
    private readonly ctx: AwsContext;
    private readonly accessGroups = new Map<string, aws.ec2.SecurityGroup>();

    constructor(settings: BackendSettings, zones: string[], account: AwsAccount, provider: aws.Provider) {
        this.context = stackContext(settings, zones);
        const network = new AwsNetwork("network", { ...settings.network, prefix: settings.prefix, profile: settings.profile, zones }, primitiveOptions({ provider }));
        this.network = network;
        this.dns = chooseDns(settings, provider);
        this.registryMirror = new AwsRegistryMirror("registry-mirror", {
            prefix: settings.prefix,
            profile: settings.profile,
            registry: { account, region: settings.region },
            settings: settings.registryMirror,
        }, primitiveOptions({ provider }));
        const fileSystems = new FileSystems("volumes", {
            prefix: settings.prefix,
            profile: settings.profile,
            account,
            vpcId: network.vpcId,
            privateSubnet: zone => network.privateSubnet(zone),
        }, network);
        const publicSubnetIds = zones.map(z => network.publicSubnet(z));
        const publicLoadBalancers = new PublicLoadBalancers({
            zones,
            profile: settings.profile,
            vpcId: network.vpcId,
            publicSubnetIds,
            opts: primitiveOptions({ provider }),
        });
        const httpsEntryPoint = new HttpsEntryPoint({
            prefix: settings.prefix,
            profile: settings.profile,
            vpcId: network.vpcId,
            publicSubnetIds,
        }, primitiveOptions({ provider }));
        this.ctx = {
            settings,
            stack: this.context,
            region: settings.region,
            account,
            provider,
            network,
            fileSystems,
            registryMirror: this.registryMirror,
            dns: this.dns,
            publicLoadBalancers,
            httpsEntryPoint,
            accessGroup: group => this.accessGroup(group),
        };
    }

    /** One security group per access group, made on first mention: a rule may name a group before its owner exists. */
    private accessGroup(group: string): aws.ec2.SecurityGroup {
        let sg = this.accessGroups.get(group);
        if (!sg) {
            sg = new aws.ec2.SecurityGroup(`access-group-${group}`, {
                vpcId: this.network.vpcId,
                description: `Members of access group ${group} in ${this.context.prefix}`,
            }, { parent: this.network });
            this.accessGroups.set(group, sg);
        }
        return sg;
    }

    secret(name: string, args: SecretArgs, parent?: pulumi.Resource): AwsSecret {
        return new AwsSecret(name, { ...args, prefix: this.context.prefix, profile: this.context.profile }, primitiveOptions(this.ctx, parent));
    }

    volume(name: string, args: VolumeArgs, parent?: pulumi.Resource): AwsVolume {
        throwIfAny("volume definition", volumeProblems(name, args, this.context.zones));
        const fileSystem = args.regional ? this.ctx.fileSystems.regional(this.context.zones) : this.ctx.fileSystems.forZone(args.zone);
        return new AwsVolume(name, { ...args, profile: this.context.profile, fileSystem }, primitiveOptions(this.ctx, parent));
    }

    bucket(name: string, args: BucketArgs = {}, parent?: pulumi.Resource): AwsBucket {
        return new AwsBucket(name, {
            ...args,
            prefix: this.context.prefix,
            profile: this.context.profile,
            region: this.ctx.region,
            dnsSuffix: this.ctx.account.dnsSuffix,
            backupRetentionDays: this.context.backupRetentionDays,
        }, primitiveOptions(this.ctx, parent));
    }

    service(name: string, args: ZonalServiceArgs, parent?: pulumi.Resource): AwsZonalService {
        // The AWS-only checks are pure; the shared ones record the volume's writer once they pass, so they run last.
        throwIfAny("service definition", awsServiceProblems(name, args));
        assertValidService(name, args, this.context);
        return new AwsZonalService(name, { ...args, context: this.ctx }, primitiveOptions(this.ctx, parent));
    }

    loadBalancerTarget(name: string, args: LoadBalancerTargetArgs, parent?: pulumi.Resource): AwsLoadBalancerTarget {
        throwIfAny("load balancer target", targetProblems(name, args));
        const target = new AwsLoadBalancerTarget(name, {
            ...args,
            vpcId: this.network.vpcId,
            vpcCidr: this.network.cidr,
            albSecurityGroup: this.ctx.httpsEntryPoint.securityGroup,
        }, primitiveOptions(this.ctx, parent));
        this.ctx.httpsEntryPoint.addTarget(target);
        return target;
    }

    postgres(name: string, args: PostgresArgs, parent?: pulumi.Resource): AwsPostgres {
        assertValidPostgres(name, args, this.context, this.cloud);
        return new AwsPostgres(name, { ...args, context: this.ctx }, primitiveOptions(this.ctx, parent));
    }

    passthroughAddress(name: string, args: PassthroughAddressArgs, parent?: pulumi.Resource): AwsPassthroughAddress {
        throwIfAny("pass-through address", passthroughAddressProblems(name, args, this.context.zones));
        return new AwsPassthroughAddress(name, { ...args, loadBalancer: this.ctx.publicLoadBalancers.loadBalancer(0) }, primitiveOptions(this.ctx, parent));
    }

    httpsLoadBalancer(name: string, args: HttpsLoadBalancerArgs, parent?: pulumi.Resource): AwsHttpsLoadBalancer {
        const target = expectAws(args.target, AwsLoadBalancerTarget, `load balancer target of ${name}`);
        return new AwsHttpsLoadBalancer(name, {
            ...args,
            target,
            domain: this.context.domain,
            entryPoint: this.ctx.httpsEntryPoint,
            dns: this.dns,
        }, primitiveOptions(this.ctx, parent));
    }

    finish(): void {
        this.ctx.httpsEntryPoint.finish();
    }

    scheduledJob(name: string, args: ScheduledJobArgs, parent?: pulumi.Resource): AwsScheduledJob {
        throwIfAny("scheduled job", jobProblems(name, args));
        return new AwsScheduledJob(name, { ...args, context: this.ctx }, primitiveOptions(this.ctx, parent));
    }
}

/** Builds the AWS back-end: one provider for the region with the stack's tags, the zones, and the network. */
export async function createAwsBackend(settings: BackendSettings): Promise<Backend> {
    const provider = new aws.Provider("aws", {
        region: settings.region,
        defaultTags: { tags: settings.tags },
    });
    const invoke = { provider };
    const [offered, identity, partition] = await Promise.all([
        // Every standard zone, whatever its state: a zone impaired during one preview must not move the stack.
        aws.getAvailabilityZones({ region: settings.region, filters: [{ name: "zone-type", values: ["availability-zone"] }] }, invoke)
            .then(r => r.names.map((name, i): AwsZone => ({ name, id: r.zoneIds[i] }))),
        aws.getCallerIdentity({}, invoke),
        aws.getPartition({}, invoke),
    ]);
    const zones = chooseZones(settings.region, settings.zones, offered).map(z => z.name);
    const account: AwsAccount = { accountId: identity.accountId, partition: partition.partition, dnsSuffix: partition.dnsSuffix };
    return new AwsBackend(settings, zones, account, provider);
}
