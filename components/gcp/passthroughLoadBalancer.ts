// A regional external passthrough Network Load Balancer in front of one service's public (libp2p swarm)
// ports: a static address that never changes with the instance, packets delivered unchanged (client
// address kept), replies straight from the instance. TCP and UDP (QUIC) share the address.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Protocol } from "../topology";
import { LOAD_BALANCER_PROBE_TIMING, Probe, probeArgs } from "./healthcheck";
import { GOOGLE_RANGES, GcpEnv, afterApis, gcpName } from "./shared";

/** A forwarding rule lists at most five ports. */
export const PORTS_PER_FORWARDING_RULE = 5;

export interface ForwardingRuleSpec {
    role: string;
    protocol: "TCP" | "UDP";
    ports: string[];
}

/** One rule per protocol and group of five ports, in a stable order. */
export function forwardingRuleSpecs(ports: { port: number; protocol: Protocol }[]): ForwardingRuleSpec[] {
    const specs: ForwardingRuleSpec[] = [];
    for (const protocol of ["tcp", "udp"] as const) {
        const numbers = [...new Set(ports.filter(p => p.protocol === protocol).map(p => p.port))].sort((a, b) => a - b);
        for (let i = 0; i < numbers.length; i += PORTS_PER_FORWARDING_RULE) {
            const group = i / PORTS_PER_FORWARDING_RULE;
            specs.push({
                role: group === 0 ? protocol : `${protocol}-${group}`,
                protocol: protocol === "tcp" ? "TCP" : "UDP",
                ports: numbers.slice(i, i + PORTS_PER_FORWARDING_RULE).map(String),
            });
        }
    }
    return specs;
}

export interface GcpPassthroughLoadBalancerArgs {
    /** The service it fronts; names the resources. */
    service: string;
    instanceGroup: pulumi.Input<string>;
    ports: { port: number; protocol: Protocol }[];
    probe: Probe;
    vpcId: pulumi.Input<string>;
    /** The service's network tag: the probers are let in to its instance only. */
    targetTag: string;
}

export class GcpPassthroughLoadBalancer extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;

    constructor(name: string, args: GcpPassthroughLoadBalancerArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.passthroughLoadBalancer, name, {}, opts);
        const prefix = env.context.prefix;
        // The peer's public address is part of its multiaddress: locked in prod like its data.
        const address = new gcp.compute.Address(`${name}-address`, {
            name: gcpName([prefix, args.service, "public"]),
            region: env.region,
            addressType: "EXTERNAL",
            networkTier: "PREMIUM",
            description: `public address of service ${args.service}: its multiaddresses name it`,
        }, { ...afterApis(env, this, "compute"), protect: env.context.profile === "prod" });
        this.address = address.address;

        const check = new gcp.compute.RegionHealthCheck(`${name}-health`, {
            name: gcpName([prefix, args.service, "public"]),
            region: env.region,
            ...probeArgs(args.probe, LOAD_BALANCER_PROBE_TIMING),
        }, afterApis(env, this, "compute"));
        new gcp.compute.Firewall(`${name}-probes`, {
            name: gcpName([prefix, args.service, "public-probes"]),
            network: args.vpcId,
            description: `passthrough load balancer health checks of ${args.service}`,
            direction: "INGRESS",
            sourceRanges: [...GOOGLE_RANGES.passthroughHealthChecks],
            targetTags: [args.targetTag],
            allows: [{ protocol: "tcp", ports: [String(args.probe.port)] }],
        }, { parent: this });

        // UNSPECIFIED: one backend service serves both the TCP and the UDP forwarding rule.
        const backendService = new gcp.compute.RegionBackendService(`${name}-backend`, {
            name: gcpName([prefix, args.service, "public"]),
            region: env.region,
            loadBalancingScheme: "EXTERNAL",
            protocol: "UNSPECIFIED",
            healthChecks: check.id,
            backends: [{ group: args.instanceGroup, balancingMode: "CONNECTION" }],
            connectionDrainingTimeoutSec: 30,
        }, { parent: this });

        for (const rule of forwardingRuleSpecs(args.ports)) {
            new gcp.compute.ForwardingRule(`${name}-${rule.role}`, {
                name: gcpName([prefix, args.service, rule.role]),
                region: env.region,
                loadBalancingScheme: "EXTERNAL",
                networkTier: "PREMIUM",
                ipAddress: address.address,
                ipProtocol: rule.protocol,
                ports: rule.ports,
                backendService: backendService.id,
            }, { parent: this, deleteBeforeReplace: true });
        }
        this.registerOutputs({ address: this.address });
    }
}

/** A service behind a shared pass-through address: its instance group, in its zone. */
export interface AddressBackend {
    service: string;
    zone: string;
    instanceGroup: pulumi.Input<string>;
}

/**
 * A pass-through address several services share (topology PassthroughAddress): a regional external passthrough
 * network load balancer on one regional address, so no zone holds it; a regional TCP health check on the port,
 * so connections go to the instance that listens; every service's instance group a backend. Services attach
 * their group when they are declared; once a service of every zone has, the backend service and the forwarding
 * rule are declared.
 */
export class GcpPassthroughAddress extends pulumi.ComponentResource {
    readonly addressName: string;
    readonly port: number;
    readonly zones: readonly string[];
    readonly publicIps: pulumi.Output<string[]>;
    readonly probe: Probe;
    private readonly backends: AddressBackend[] = [];
    private readonly address: gcp.compute.Address;
    private readonly check: gcp.compute.RegionHealthCheck;

    constructor(name: string, args: { port: number; zones: string[] }, private readonly env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.passthroughAddress, name, {}, opts);
        const prefix = env.context.prefix;
        this.addressName = name;
        this.port = args.port;
        this.zones = [...args.zones];
        this.probe = { kind: "tcp", port: args.port };
        // Peers keep the announced address: locked in prod like data.
        this.address = new gcp.compute.Address(`${name}-address`, {
            name: gcpName([prefix, name]),
            region: env.region,
            addressType: "EXTERNAL",
            networkTier: "PREMIUM",
            description: `shared public address ${name}: follows the instance that listens on ${args.port}`,
        }, { ...afterApis(env, this, "compute"), protect: env.context.profile === "prod" });
        this.publicIps = this.address.address.apply(a => [a]);
        this.check = new gcp.compute.RegionHealthCheck(`${name}-health`, {
            name: gcpName([prefix, name]),
            region: env.region,
            description: `TCP connect on ${args.port}: only the instance that listens gets connections`,
            ...probeArgs(this.probe, LOAD_BALANCER_PROBE_TIMING),
        }, afterApis(env, this, "compute"));
        this.registerOutputs({ publicIps: this.publicIps });
    }

    /** Called by each service that serves the port; the last zone's service completes the load balancer. */
    attach(backend: AddressBackend): void {
        if (!this.zones.includes(backend.zone)) throw new Error(`service ${backend.service} in ${backend.zone} is attached to pass-through address ${this.addressName}, which stands in ${this.zones.join(", ")}`);
        if (this.backends.some(b => b.zone === backend.zone)) throw new Error(`pass-through address ${this.addressName} already has a service in ${backend.zone}`);
        this.backends.push(backend);
        if (this.backends.length < this.zones.length) return;
        const prefix = this.env.context.prefix;
        const backendService = new gcp.compute.RegionBackendService(`${this.addressName}-backend`, {
            name: gcpName([prefix, this.addressName]),
            region: this.env.region,
            loadBalancingScheme: "EXTERNAL",
            protocol: "TCP",
            healthChecks: this.check.id,
            backends: this.backends.map(b => ({ group: b.instanceGroup, balancingMode: "CONNECTION" })),
            connectionDrainingTimeoutSec: 30,
        }, { parent: this });
        new gcp.compute.ForwardingRule(`${this.addressName}-tcp`, {
            name: gcpName([prefix, this.addressName, "tcp"]),
            region: this.env.region,
            loadBalancingScheme: "EXTERNAL",
            networkTier: "PREMIUM",
            ipAddress: this.address.address,
            ipProtocol: "TCP",
            ports: [String(this.port)],
            backendService: backendService.id,
        }, { parent: this, deleteBeforeReplace: true });
    }
}
