// A load balancer target on a Docker engine: the services behind it, by their private hostnames on the stack's
// network, which the HTTPS entry point (./entryPoint.ts) proxies to and health-checks.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, LoadBalancerTarget, LoadBalancerTargetArgs } from "../topology";
import { targetProblems } from "../topology/rules";

export interface TargetBackend {
    hostname: string;
    service: string;
}

export class DockerLoadBalancerTarget extends pulumi.ComponentResource implements LoadBalancerTarget {
    readonly targetName: string;
    readonly port: number;
    readonly readiness: LoadBalancerTargetArgs["readiness"];
    readonly websocket: boolean;
    private readonly attached: TargetBackend[] = [];

    constructor(name: string, args: LoadBalancerTargetArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = targetProblems(name, args);
        if (problems.length > 0) throw new Error(`invalid load balancer target:\n  - ${problems.join("\n  - ")}`);
        super(COMPONENT_TYPES.loadBalancerTarget, name, {}, opts);
        this.targetName = name;
        this.port = args.port;
        this.readiness = args.readiness;
        this.websocket = args.websocket === true;
        this.registerOutputs({ port: this.port });
    }

    /** Called by each service that serves the target. */
    attach(hostname: string, service: string): void {
        if (!this.attached.some(b => b.hostname === hostname)) this.attached.push({ hostname, service });
    }

    get backends(): readonly TargetBackend[] {
        return this.attached;
    }
}
