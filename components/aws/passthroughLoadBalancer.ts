// The static public address of a service's `public` ports (libp2p swarm): a network load balancer in the
// service's zone that passes TCP and UDP through untouched, on an Elastic IP so the multiaddress never moves.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Profile, Protocol } from "../topology";
import { DEREGISTRATION_DELAY_SECONDS } from "./constants";
import { awsLogicalName } from "./names";

export type NlbProtocol = "TCP" | "UDP";

export interface PublicPort {
    container: string;
    port: number;
    protocol: Protocol;
}

export interface PassthroughListener {
    port: number;
    protocol: NlbProtocol;
    /** The container ECS registers for this port. */
    container: string;
    /**
     * The TCP port the target group's health check connects to: NLB checks UDP targets over TCP or HTTP only
     * (elbv2 CreateTargetGroup HealthCheckProtocol), so a UDP port is checked on a TCP port of the same container.
     */
    healthCheckPort: number;
}

/**
 * One listener and target group per public port, each with one protocol. ECS maps a container port once, for
 * one protocol, so TCP and UDP (libp2p TCP and QUIC) come on two port numbers, never one TCP_UDP listener.
 */
export function passthroughListeners(ports: PublicPort[]): PassthroughListener[] {
    const byPort = new Map<number, PublicPort[]>();
    for (const p of ports) byPort.set(p.port, [...(byPort.get(p.port) ?? []), p]);
    return [...byPort.entries()].sort(([a], [b]) => a - b).map(([port, list]) => {
        if (list.length > 1) {
            const who = list.map(p => `${p.container} ${p.protocol}`).join(" and ");
            throw new Error(`public port ${port} is opened by ${who}; ECS maps a container port once, for one protocol: give each its own port number`);
        }
        const [p] = list;
        if (p.protocol === "tcp") return { port, protocol: "TCP", container: p.container, healthCheckPort: port };
        const tcp = ports.filter(q => q.container === p.container && q.protocol === "tcp").map(q => q.port).sort((a, b) => a - b);
        if (tcp.length === 0) {
            throw new Error(`public udp port ${port} of container ${p.container} needs a public tcp port on the same container: the load balancer checks UDP targets over TCP`);
        }
        return { port, protocol: "UDP", container: p.container, healthCheckPort: tcp[0] };
    });
}

export interface AwsPassthroughLoadBalancerArgs {
    zone: string;
    profile: Profile;
    vpcId: pulumi.Input<string>;
    publicSubnetId: pulumi.Input<string>;
    ports: PublicPort[];
}

export class AwsPassthroughLoadBalancer extends pulumi.ComponentResource {
    readonly publicAddress: pulumi.Output<string>;
    /** What the ECS service registers its task in, one per public port. */
    readonly targets: { listener: PassthroughListener; targetGroup: aws.lb.TargetGroup }[];
    /** ECS attaches a service only to target groups a listener already uses. */
    readonly listeners: aws.lb.Listener[];

    constructor(name: string, args: AwsPassthroughLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.passthroughLoadBalancer, name, {}, opts);
        const parent = { parent: this };
        // The peer's public address is part of its multiaddress: locked in prod like its data.
        const address = new aws.ec2.Eip(`${name}-address`, { domain: "vpc", tags: { Name: name } }, { parent: this, protect: args.profile === "prod" });
        this.publicAddress = address.publicIp;

        // A service that moves zones takes its address along: the NLB is remade in the new zone's subnet (a
        // network load balancer's subnet mappings can only be added, the provider's LoadBalancerArgs.subnetMappings),
        // the old one gone first so the Elastic IP is free for it. The address is what is kept; the NLB holds
        // nothing, so it carries no deletion protection that would stop the move.
        const nlb = new aws.lb.LoadBalancer(awsLogicalName("loadBalancer", `${name}-nlb`), {
            loadBalancerType: "network",
            internal: false,
            subnetMappings: [{ subnetId: args.publicSubnetId, allocationId: address.allocationId }],
        }, { ...parent, deleteBeforeReplace: true });

        this.targets = [];
        this.listeners = [];
        for (const listener of passthroughListeners(args.ports)) {
            const key = `${listener.port}-${listener.protocol.toLowerCase().replace("_", "-")}`;
            const targetGroup = new aws.lb.TargetGroup(awsLogicalName("targetGroup", `${name}-${key}`), {
                targetType: "ip",
                protocol: listener.protocol,
                port: listener.port,
                vpcId: args.vpcId,
                // Peers must see each other's real addresses; libp2p records them.
                preserveClientIp: "true",
                deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
                // NLB checks UDP targets over TCP; an NLB whose targets all fail still forwards (fails open).
                healthCheck: {
                    enabled: true,
                    protocol: "TCP",
                    port: listener.healthCheckPort === listener.port ? "traffic-port" : String(listener.healthCheckPort),
                    interval: 30,
                    healthyThreshold: 3,
                    unhealthyThreshold: 3,
                },
            }, parent);
            this.listeners.push(new aws.lb.Listener(`${name}-${key}`, {
                loadBalancerArn: nlb.arn,
                port: listener.port,
                protocol: listener.protocol,
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            }, parent));
            this.targets.push({ listener, targetGroup });
        }
        this.registerOutputs({ publicAddress: this.publicAddress });
    }
}

/** How often the shared address's network load balancer checks its targets, and how many checks move one: about 20 s to follow a failover. */
export const SHARED_ADDRESS_CHECK = { interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

export interface AwsPassthroughAddressArgs {
    port: number;
    zones: string[];
    profile: Profile;
    vpcId: pulumi.Input<string>;
    /** The public subnet of each zone, in the order of `zones`. */
    publicSubnetIds: pulumi.Input<string>[];
}

/**
 * A pass-through address several services share (topology PassthroughAddress): one network load balancer with
 * an Elastic IP in each zone's public subnet, cross-zone load balancing on, so each IP reaches the target in
 * any zone (an NLB node only sends to targets in its own zone otherwise, elbv2 load_balancing.cross_zone.enabled);
 * one IP target group that every service's ECS service registers its task in, checked with a TCP connect, so
 * connections go to the task that listens. A lost zone takes its IP; the others keep reaching the survivor.
 */
export class AwsPassthroughAddress extends pulumi.ComponentResource {
    readonly addressName: string;
    readonly port: number;
    readonly zones: readonly string[];
    readonly publicIps: pulumi.Output<string[]>;
    readonly targetGroup: aws.lb.TargetGroup;
    /** ECS attaches a service only to a target group a listener already uses. */
    readonly listener: aws.lb.Listener;

    constructor(name: string, args: AwsPassthroughAddressArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.passthroughAddress, name, {}, opts);
        const parent = { parent: this };
        this.addressName = name;
        this.port = args.port;
        this.zones = [...args.zones];
        // Peers keep the announced addresses: locked in prod like data.
        const addresses = args.zones.map(zone => new aws.ec2.Eip(`${name}-${zone}`, { domain: "vpc", tags: { Name: `${name}-${zone}` } }, { parent: this, protect: args.profile === "prod" }));
        this.publicIps = pulumi.all(addresses.map(a => a.publicIp));

        const nlb = new aws.lb.LoadBalancer(awsLogicalName("loadBalancer", `${name}-nlb`), {
            loadBalancerType: "network",
            internal: false,
            subnetMappings: addresses.map((a, i) => ({ subnetId: args.publicSubnetIds[i], allocationId: a.allocationId })),
            enableCrossZoneLoadBalancing: true,
            enableDeletionProtection: args.profile === "prod",
        }, parent);
        this.targetGroup = new aws.lb.TargetGroup(awsLogicalName("targetGroup", `${name}-${args.port}-tcp`), {
            targetType: "ip",
            protocol: "TCP",
            port: args.port,
            vpcId: args.vpcId,
            preserveClientIp: "true",
            deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
            healthCheck: { enabled: true, protocol: "TCP", port: "traffic-port", ...SHARED_ADDRESS_CHECK },
        }, parent);
        this.listener = new aws.lb.Listener(`${name}-${args.port}-tcp`, {
            loadBalancerArn: nlb.arn,
            port: args.port,
            protocol: "TCP",
            defaultActions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
        }, parent);
        this.registerOutputs({ publicIps: this.publicIps });
    }
}
