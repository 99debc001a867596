// The stack's static public addresses: network load balancers that pass TCP and UDP through untouched, each
// with an Elastic IP in every zone of the stack. One serves the libp2p swarm ports of every service (a
// listener per public port) and the addresses several services share (PassthroughAddress); another is added
// only when the first would pass the listeners a network load balancer can hold.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Profile, Protocol, publicPortFor } from "../topology";
import { DEREGISTRATION_DELAY_SECONDS } from "./constants";
import { awsLogicalName } from "./names";

export type NlbProtocol = "TCP" | "UDP";

/**
 * Listeners a network load balancer holds; not adjustable (elbv2 quota "Listeners per Network Load Balancer":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html).
 */
export const NLB_MAX_LISTENERS = 50;

/**
 * Services of one zone with the same public container port that one load balancer serves: the n-th of them
 * (ZonalService.publicPort's ordinal) is on load balancer floor(n / this). Twenty kubo peers a zone (two
 * listeners each) and the stack's other swarm and shared ports stay under NLB_MAX_LISTENERS.
 */
export const ORDINALS_PER_LOAD_BALANCER = 20;

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

/** How often a pass-through target group checks its targets, and how many checks move one: about 20 s to follow a failover. */
export const SHARED_ADDRESS_CHECK = { interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

/** A swarm port's check: a peer that stops accepting connections is dropped within 90 s. */
const SWARM_CHECK = { interval: 30, healthyThreshold: 3, unhealthyThreshold: 3 } as const;

export interface AwsPassthroughLoadBalancerArgs {
    /** Every zone of the stack, in order. */
    zones: string[];
    profile: Profile;
    vpcId: pulumi.Input<string>;
    /** The public subnet of each zone, in the order of `zones`. */
    publicSubnetIds: pulumi.Input<string>[];
}

/** What one public port of the load balancer passes to. */
export interface PassthroughRoute {
    /** The port the world connects to. */
    publicPort: number;
    protocol: NlbProtocol;
    /** The container port the targets are registered on. */
    targetPort: number;
    /** A TCP container port of the same targets the health check connects to. */
    healthCheckPort: number;
    /**
     * Whether the port reaches its target in any zone from every address. Off (the load balancer's own default,
     * elbv2 load_balancing.cross_zone.enabled) for swarm ports: each zone's address reaches only the services of
     * its zone, which is what lets services of different zones share a port.
     */
    crossZone: boolean;
    /** Who the port is for, in messages. */
    owner: string;
}

/**
 * One network load balancer in every zone of the stack, an Elastic IP in each zone's public subnet: the
 * addresses the world reaches the stack's public ports on. Cross-zone load balancing is off: the IP of a zone
 * reaches only the targets of that zone, unless a port's target group turns it on (a shared address).
 */
export class AwsPassthroughLoadBalancer extends pulumi.ComponentResource {
    readonly loadBalancerName: string;
    readonly loadBalancer: aws.lb.LoadBalancer;
    /** Each zone's Elastic IP. */
    readonly addresses: ReadonlyMap<string, pulumi.Output<string>>;
    readonly publicIps: pulumi.Output<string[]>;
    private readonly routes = new Map<number, PassthroughRoute & { targetGroup: aws.lb.TargetGroup; listener: aws.lb.Listener }>();
    private readonly vpcId: pulumi.Input<string>;

    constructor(name: string, args: AwsPassthroughLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.passthroughLoadBalancer, name, {}, opts);
        this.loadBalancerName = name;
        this.vpcId = args.vpcId;
        // Peers announce these addresses: locked in prod like data.
        const eips = args.zones.map(zone => new aws.ec2.Eip(`${name}-${zone}`, { domain: "vpc", tags: { Name: `${name}-${zone}` } }, { parent: this, protect: args.profile === "prod" }));
        this.addresses = new Map(args.zones.map((zone, i) => [zone, eips[i].publicIp]));
        this.publicIps = pulumi.all(eips.map(e => e.publicIp));
        this.loadBalancer = new aws.lb.LoadBalancer(awsLogicalName("loadBalancer", `${name}-nlb`), {
            loadBalancerType: "network",
            internal: false,
            subnetMappings: eips.map((e, i) => ({ subnetId: args.publicSubnetIds[i], allocationId: e.allocationId })),
            enableCrossZoneLoadBalancing: false,
            enableDeletionProtection: args.profile === "prod",
            // A network load balancer's subnet mappings can only be added (elbv2 SetSubnets: "you must include all
            // subnets that were enabled previously"); any other change remakes it, and its Elastic IPs, which are
            // what is kept, can only go to the new one once the old one is gone. Deletion protection must be
            // turned off first in prod (docs/ipfs-cluster.md).
        }, { parent: this, deleteBeforeReplace: true });
        this.registerOutputs({ publicIps: this.publicIps });
    }

    /**
     * The listener and target group of a public port, made on first use; a later user must want the same
     * route (the services of other zones with the same port), and a port wanted two ways is refused.
     */
    route(route: PassthroughRoute, parent: pulumi.Resource = this): { targetGroup: aws.lb.TargetGroup; listener: aws.lb.Listener } {
        const existing = this.routes.get(route.publicPort);
        if (existing) {
            const same = existing.protocol === route.protocol && existing.targetPort === route.targetPort && existing.crossZone === route.crossZone;
            if (!same) {
                throw new Error(`public port ${route.publicPort} of ${this.loadBalancerName} is wanted by ${route.owner} (${route.protocol} to port ${route.targetPort}) ` +
                    `and is already ${existing.owner}'s (${existing.protocol} to port ${existing.targetPort}); give one of them another port`);
            }
            return existing;
        }
        if (this.routes.size >= NLB_MAX_LISTENERS) {
            throw new Error(`${route.owner} needs public port ${route.publicPort} on ${this.loadBalancerName}, which already has ${NLB_MAX_LISTENERS} listeners, ` +
                "all a network load balancer can hold (not adjustable)");
        }
        const key = `${this.loadBalancerName}-${route.publicPort}-${route.protocol.toLowerCase()}`;
        const targetGroup = new aws.lb.TargetGroup(awsLogicalName("targetGroup", key), {
            targetType: "ip",
            protocol: route.protocol,
            port: route.targetPort,
            vpcId: this.vpcId,
            // Peers must see each other's real addresses; libp2p records them.
            preserveClientIp: "true",
            deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
            ...(route.crossZone ? { loadBalancingCrossZoneEnabled: "true" } : {}),
            // NLB checks UDP targets over TCP; a target group whose targets all fail still forwards (fails open).
            healthCheck: {
                enabled: true,
                protocol: "TCP",
                port: route.healthCheckPort === route.targetPort ? "traffic-port" : String(route.healthCheckPort),
                ...(route.crossZone ? SHARED_ADDRESS_CHECK : SWARM_CHECK),
            },
        }, { parent });
        const listener = new aws.lb.Listener(key, {
            loadBalancerArn: this.loadBalancer.arn,
            port: route.publicPort,
            protocol: route.protocol,
            defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        }, { parent });
        const made = { ...route, targetGroup, listener };
        this.routes.set(route.publicPort, made);
        return made;
    }
}

/** What a service with public ports is given: its addresses, the port each container port is reached on, and where ECS registers it. */
export interface ServicePublicEndpoint {
    /** Its zone's address. */
    publicAddress: pulumi.Output<string>;
    /** Container port to public port. */
    publicPorts: ReadonlyMap<number, number>;
    targets: { targetGroup: aws.lb.TargetGroup; container: string; containerPort: number }[];
    /** ECS attaches a service only to target groups a listener already uses. */
    listeners: aws.lb.Listener[];
}

/**
 * The stack's pass-through load balancers, made as services need them. A service's public ports go to the
 * address of its zone on load balancer floor(n / ORDINALS_PER_LOAD_BALANCER), where n counts the services of
 * its zone declared before it with the same container port, on public port publicPortFor(port, n): the
 * services of different zones share each port (each zone's address reaches only its own), and those of one
 * zone get a port each. Nothing a later service adds moves an earlier one. Cross-zone stays off for these
 * ports: with it, a peer dialling several of a service's addresses at once from one source port (QUIC always
 * does, over its one UDP socket) would reach the one target through several load balancer nodes with its
 * address kept, which the target sees as one connection and AWS documents as connection errors (Network Load
 * Balancers, "Client IP preservation"; UDP target groups cannot turn preservation off).
 */
export class PublicLoadBalancers {
    private readonly made: AwsPassthroughLoadBalancer[] = [];
    /** Services so far per zone and container port. */
    private readonly ordinals = new Map<string, number>();

    constructor(private readonly args: AwsPassthroughLoadBalancerArgs & { opts: pulumi.ComponentResourceOptions }) {}

    /** The n-th load balancer (from 0): "public", then "public-2" and on. */
    loadBalancer(index: number): AwsPassthroughLoadBalancer {
        while (this.made.length <= index) {
            const name = this.made.length === 0 ? "public" : `public-${this.made.length + 1}`;
            const { opts, ...args } = this.args;
            this.made.push(new AwsPassthroughLoadBalancer(name, args, opts));
        }
        return this.made[index];
    }

    serve(service: string, zone: string, ports: PublicPort[]): ServicePublicEndpoint {
        const listeners = passthroughListeners(ports);
        const key = (port: number) => `${zone}/${port}`;
        const ordinal = Math.max(...listeners.map(l => this.ordinals.get(key(l.port)) ?? 0));
        const publicPorts = new Map(listeners.map(l => [l.port, publicPortFor(l.port, ordinal)]));
        const loadBalancer = this.loadBalancer(Math.floor(ordinal / ORDINALS_PER_LOAD_BALANCER));
        const address = loadBalancer.addresses.get(zone);
        if (!address) throw new Error(`service ${service} stands in zone ${zone}, which is not one of the stack's zones`);
        const routes = listeners.map(l => ({
            spec: l,
            ...loadBalancer.route({
                publicPort: publicPorts.get(l.port)!,
                protocol: l.protocol,
                targetPort: l.port,
                healthCheckPort: l.healthCheckPort,
                crossZone: false,
                owner: `service ${service}`,
            }),
        }));
        for (const l of listeners) this.ordinals.set(key(l.port), ordinal + 1);
        return {
            publicAddress: address,
            publicPorts,
            targets: routes.map(r => ({ targetGroup: r.targetGroup, container: r.spec.container, containerPort: r.spec.port })),
            listeners: routes.map(r => r.listener),
        };
    }
}

export interface AwsPassthroughAddressArgs {
    port: number;
    zones: string[];
    /** The stack's first pass-through load balancer, whose every address reaches the address's services. */
    loadBalancer: AwsPassthroughLoadBalancer;
}

/**
 * A pass-through address several services share (topology PassthroughAddress): a TCP listener of the stack's
 * network load balancer whose target group turns cross-zone load balancing on, so the IP of every zone reaches
 * whichever service accepts TCP on the port, in any zone (elbv2 target group attribute
 * load_balancing.cross_zone.enabled). A lost zone takes its IP; the others keep reaching the survivor.
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
        this.addressName = name;
        this.port = args.port;
        this.zones = [...args.zones];
        this.publicIps = args.loadBalancer.publicIps;
        const { targetGroup, listener } = args.loadBalancer.route({
            publicPort: args.port,
            protocol: "TCP",
            targetPort: args.port,
            healthCheckPort: args.port,
            crossZone: true,
            owner: `pass-through address ${name}`,
        }, this);
        this.targetGroup = targetGroup;
        this.listener = listener;
        this.registerOutputs({ publicIps: this.publicIps });
    }
}
