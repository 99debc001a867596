// The VPC over the stack's three zones, its egress through NAT, the ECS cluster every service runs in and
// the private DNS namespace services find each other by.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Network, NetworkArgs, Profile } from "../topology";
import { ANY_IPV4 } from "./constants";

export interface AwsNetworkArgs extends NetworkArgs {
    prefix: string;
    profile: Profile;
    zones: string[];
}

/**
 * Container Insights per profile: per-task CPU, memory, network and storage metrics, billed as custom metrics.
 * Dev keeps the service-level CPU and memory utilization ECS publishes for every service at no charge
 * (AWS/ECS namespace), and gives up the per-task detail.
 */
export function containerInsights(profile: Profile): "enabled" | "disabled" {
    return profile === "prod" ? "enabled" : "disabled";
}

/** Splits an IPv4 CIDR into `count` equal subnets, the first `count` of the next power of two. */
export function carveSubnets(cidr: string, count: number): string[] {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) throw new Error(`"${cidr}" is not an IPv4 CIDR block`);
    const base = m.slice(1, 5).map(Number).reduce((acc, o) => acc * 256 + o, 0);
    const prefix = Number(m[5]);
    const extraBits = Math.ceil(Math.log2(count));
    const subnetPrefix = prefix + extraBits;
    if (subnetPrefix > 28) throw new Error(`${cidr} is too small to cut into ${count} subnets (AWS subnets are /28 at the smallest)`);
    const size = 2 ** (32 - subnetPrefix);
    return Array.from({ length: count }, (_, i) => {
        const start = base + i * size;
        const octets = [24, 16, 8, 0].map(shift => Math.floor(start / 2 ** shift) % 256);
        return `${octets.join(".")}/${subnetPrefix}`;
    });
}

/** The NAT gateway a zone's private subnet leaves through: its own when there is one per zone, else a shared one. */
export function natIndexForZone(zoneIndex: number, natAddresses: number): number {
    return zoneIndex % natAddresses;
}

/** Rejects a network the zones cannot carry, naming both inputs. */
export function networkProblems(args: AwsNetworkArgs): string[] {
    const problems: string[] = [];
    if (args.zones.length !== 3) problems.push(`the network spans three zones, got ${args.zones.length} (${args.zones.join(", ")})`);
    if (!Number.isInteger(args.natAddresses) || args.natAddresses < 1 || args.natAddresses > args.zones.length) {
        problems.push(`network.natAddresses is ${args.natAddresses}: AWS puts one NAT gateway per address, at most one per zone, so it must be 1 to ${args.zones.length}`);
    }
    return problems;
}

export class AwsNetwork extends pulumi.ComponentResource implements Network {
    readonly cidr: string;
    readonly zones: string[];
    readonly egressIps: pulumi.Output<string[]>;
    readonly vpcId: pulumi.Output<string>;
    /** Subnet IDs by zone. */
    readonly publicSubnetIds: Record<string, pulumi.Output<string>>;
    readonly privateSubnetIds: Record<string, pulumi.Output<string>>;
    readonly cluster: aws.ecs.Cluster;
    readonly namespace: aws.servicediscovery.PrivateDnsNamespace;
    /** `<prefix>.internal`: every service is `<service>.<namespaceName>` inside the VPC. */
    readonly namespaceName: string;

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = networkProblems(args);
        if (problems.length > 0) throw new Error(`invalid network:\n  - ${problems.join("\n  - ")}`);
        super(COMPONENT_TYPES.network, name, {}, opts);
        this.cidr = args.cidr;
        this.zones = args.zones;
        const parent = { parent: this };

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.cidr,
            // Cloud Map names and EFS mount targets resolve through the VPC resolver.
            enableDnsSupport: true,
            enableDnsHostnames: true,
            tags: { Name: args.prefix },
        }, parent);
        this.vpcId = vpc.id;

        const cidrs = carveSubnets(args.cidr, args.zones.length * 2);
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: args.prefix } }, parent);

        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: { Name: `${args.prefix}-public` } }, parent);
        new aws.ec2.Route(`${name}-public-default`, { routeTableId: publicRoutes.id, destinationCidrBlock: ANY_IPV4, gatewayId: igw.id }, parent);

        this.publicSubnetIds = {};
        this.privateSubnetIds = {};
        const privateRoutes: aws.ec2.RouteTable[] = [];
        args.zones.forEach((zone, i) => {
            // Nothing in a public subnet needs an automatic public IP: load balancers and NAT bring their own.
            const pub = new aws.ec2.Subnet(`${name}-public-${zone}`, {
                vpcId: vpc.id,
                availabilityZone: zone,
                cidrBlock: cidrs[i],
                mapPublicIpOnLaunch: false,
                tags: { Name: `${args.prefix}-public-${zone}` },
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-public-${zone}`, { subnetId: pub.id, routeTableId: publicRoutes.id }, parent);
            this.publicSubnetIds[zone] = pub.id;

            const priv = new aws.ec2.Subnet(`${name}-private-${zone}`, {
                vpcId: vpc.id,
                availabilityZone: zone,
                cidrBlock: cidrs[args.zones.length + i],
                mapPublicIpOnLaunch: false,
                tags: { Name: `${args.prefix}-private-${zone}` },
            }, parent);
            // One route table per zone whatever the NAT count, so changing natAddresses moves a route, not a subnet.
            const routes = new aws.ec2.RouteTable(`${name}-private-${zone}`, { vpcId: vpc.id, tags: { Name: `${args.prefix}-private-${zone}` } }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: priv.id, routeTableId: routes.id }, parent);
            this.privateSubnetIds[zone] = priv.id;
            privateRoutes.push(routes);
        });

        const eips: aws.ec2.Eip[] = [];
        const nats: aws.ec2.NatGateway[] = [];
        for (let i = 0; i < args.natAddresses; i++) {
            const zone = args.zones[i];
            const eip = new aws.ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc", tags: { Name: `${args.prefix}-nat-${zone}` } }, parent);
            eips.push(eip);
            nats.push(new aws.ec2.NatGateway(`${name}-nat-${zone}`, {
                allocationId: eip.allocationId,
                subnetId: this.publicSubnetIds[zone],
                connectivityType: "public",
                tags: { Name: `${args.prefix}-nat-${zone}` },
            }, { parent: this, dependsOn: [igw] }));
        }
        args.zones.forEach((zone, i) => {
            new aws.ec2.Route(`${name}-private-${zone}-default`, {
                routeTableId: privateRoutes[i].id,
                destinationCidrBlock: ANY_IPV4,
                natGatewayId: nats[natIndexForZone(i, args.natAddresses)].id,
            }, parent);
        });
        this.egressIps = pulumi.all(eips.map(e => e.publicIp));

        this.cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            name: args.prefix,
            settings: [{ name: "containerInsights", value: containerInsights(args.profile) }],
        }, parent);

        this.namespaceName = `${args.prefix}.internal`;
        this.namespace = new aws.servicediscovery.PrivateDnsNamespace(`${name}-namespace`, {
            name: this.namespaceName,
            vpc: vpc.id,
            description: `Private names of the ${args.prefix} services`,
        }, parent);

        this.registerOutputs({
            vpcId: this.vpcId,
            egressIps: this.egressIps,
            clusterArn: this.cluster.arn,
            namespace: this.namespaceName,
        });
    }

    /** The private subnet a zonal service runs in. */
    privateSubnet(zone: string): pulumi.Output<string> {
        const id = this.privateSubnetIds[zone];
        if (!id) throw new Error(`zone ${zone} is not one of the network's zones (${this.zones.join(", ")})`);
        return id;
    }

    publicSubnet(zone: string): pulumi.Output<string> {
        const id = this.publicSubnetIds[zone];
        if (!id) throw new Error(`zone ${zone} is not one of the network's zones (${this.zones.join(", ")})`);
        return id;
    }
}
