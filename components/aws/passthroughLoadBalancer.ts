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

        const nlb = new aws.lb.LoadBalancer(awsLogicalName("loadBalancer", `${name}-nlb`), {
            loadBalancerType: "network",
            internal: false,
            subnetMappings: [{ subnetId: args.publicSubnetId, allocationId: address.allocationId }],
            enableDeletionProtection: args.profile === "prod",
        }, parent);

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
