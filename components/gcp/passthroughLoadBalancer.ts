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
