// The services behind one HTTPS name: a health check and the list of instance groups that serve the port.
// Services register their group when they are declared; the HTTPS load balancer, declared after them,
// builds its backend service from the list.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, LoadBalancerTarget, LoadBalancerTargetArgs } from "../topology";
import { readinessPort, targetProblems } from "../topology/rules";
import { LOAD_BALANCER_PROBE_TIMING, Probe, probeArgs } from "./healthcheck";
import { GcpEnv, afterApis, gcpName } from "./shared";

/** The named port a service's instance group publishes for a load balancer port; backend services use it. */
export function namedPortFor(port: number): string {
    return `http-${port}`;
}

/** The target's readiness: HTTP on the path when it answers 200; TCP on the port otherwise (see Probe). */
export function targetProbe(args: LoadBalancerTargetArgs): Probe {
    const port = readinessPort(args);
    return args.readiness.status.trim() === "200"
        ? { kind: "http", port, path: args.readiness.path }
        : { kind: "tcp", port };
}

/**
 * The backend timeout of a target that serves WebSockets: Google's load balancer closes a WebSocket after
 * the backend timeout whatever its traffic, so a day, after which the peer reconnects.
 */
export const WEBSOCKET_TIMEOUT_SECONDS = 86_400;


export interface TargetBackend {
    service: string;
    zone: string;
    instanceGroup: pulumi.Input<string>;
}

export class GcpLoadBalancerTarget extends pulumi.ComponentResource implements LoadBalancerTarget {
    readonly targetName: string;
    readonly port: number;
    readonly readiness: LoadBalancerTargetArgs["readiness"];
    readonly namedPort: string;
    readonly probe: Probe;
    /** Serves long-lived WebSockets: its backend service keeps them open for a day. */
    readonly websocket: boolean;
    readonly healthCheckId: pulumi.Output<string>;
    private readonly attached: TargetBackend[] = [];

    constructor(name: string, args: LoadBalancerTargetArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        const problems = targetProblems(name, args);
        if (problems.length > 0) throw new Error(`invalid load balancer target:\n  - ${problems.join("\n  - ")}`);
        super(COMPONENT_TYPES.loadBalancerTarget, name, {}, opts);
        this.targetName = name;
        this.port = args.port;
        this.readiness = args.readiness;
        this.namedPort = namedPortFor(args.port);
        this.probe = targetProbe(args);
        this.websocket = args.websocket === true;
        const check = new gcp.compute.HealthCheck(`${name}-health`, {
            name: gcpName([env.context.prefix, name]),
            description: `load balancer target ${name}: ${this.probe.kind === "http" ? `GET ${args.readiness.path}` : "TCP connect"} on ${this.probe.port}`,
            ...probeArgs(this.probe, LOAD_BALANCER_PROBE_TIMING),
        }, afterApis(env, this, "compute"));
        this.healthCheckId = check.id;
        this.registerOutputs({ healthCheck: this.healthCheckId });
    }

    /** Called by a service that exposes this target's port: its instance group becomes a backend. */
    attach(backend: TargetBackend): void {
        if (this.attached.some(b => b.service === backend.service)) {
            throw new Error(`service ${backend.service} is attached to load balancer target ${this.targetName} twice`);
        }
        this.attached.push(backend);
    }

    get backends(): readonly TargetBackend[] {
        return [...this.attached];
    }
}
