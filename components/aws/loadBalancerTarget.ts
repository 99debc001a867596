// The services behind one HTTPS name: an ALB target group, made before the services so their ECS services can
// register, and the egress of the stack's ALB to them (whose security group the services let in).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, LoadBalancerTarget, LoadBalancerTargetArgs } from "../topology";
import { readinessPort } from "../topology/rules";
import { DEREGISTRATION_DELAY_SECONDS } from "./constants";
import { awsLogicalName } from "./names";

export interface AwsLoadBalancerTargetArgs extends LoadBalancerTargetArgs {
    vpcId: pulumi.Input<string>;
    vpcCidr: string;
    /** The security group of the stack's HTTPS entry point. */
    albSecurityGroup: aws.ec2.SecurityGroup;
}


export class AwsLoadBalancerTarget extends pulumi.ComponentResource implements LoadBalancerTarget {
    readonly targetName: string;
    readonly port: number;
    readonly readiness: LoadBalancerTargetArgs["readiness"];
    /** Serves long-lived WebSockets: its load balancer keeps idle connections open as long as an ALB can. */
    readonly websocket: boolean;
    readonly targetGroup: aws.lb.TargetGroup;
    /** The stack's ALB's security group: what services let in on this target's port. */
    readonly albSecurityGroup: aws.ec2.SecurityGroup;
    /**
     * Resolves with the listener that forwards to the target group. ECS refuses to attach a service to a
     * target group no load balancer uses yet, so services wait for it; the HTTPS load balancer resolves it.
     */
    readonly attached: Promise<pulumi.Resource>;
    private attach?: (listener: pulumi.Resource) => void;

    constructor(name: string, args: AwsLoadBalancerTargetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.loadBalancerTarget, name, {}, opts);
        this.targetName = name;
        this.port = args.port;
        this.readiness = { ...args.readiness };
        this.websocket = args.websocket === true;
        const checkPort = readinessPort(this);
        this.attached = new Promise(resolve => (this.attach = resolve));

        this.targetGroup = new aws.lb.TargetGroup(awsLogicalName("targetGroup", `${name}-targets`), {
            targetType: "ip",
            protocol: "HTTP",
            port: args.port,
            vpcId: args.vpcId,
            deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
            // The target's readiness: it routes, and never stops a task (the services' grace period, ./liveness.ts).
            healthCheck: {
                enabled: true,
                protocol: "HTTP",
                port: checkPort === args.port ? "traffic-port" : String(checkPort),
                path: args.readiness.path,
                matcher: args.readiness.status,
                interval: 15,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            },
        }, { parent: this });

        this.albSecurityGroup = args.albSecurityGroup;
        // The load balancer only ever talks to its targets, on their port (and the port it checks them on).
        new aws.vpc.SecurityGroupEgressRule(`${name}-alb-to-targets`, {
            securityGroupId: this.albSecurityGroup.id,
            cidrIpv4: args.vpcCidr,
            ipProtocol: "tcp",
            fromPort: args.port,
            toPort: args.port,
            description: `to ${name} targets`,
        }, { parent: this });
        if (checkPort !== args.port) {
            new aws.vpc.SecurityGroupEgressRule(`${name}-alb-to-health-checks`, {
                securityGroupId: this.albSecurityGroup.id,
                cidrIpv4: args.vpcCidr,
                ipProtocol: "tcp",
                fromPort: checkPort,
                toPort: checkPort,
                description: `health checks of ${name} targets`,
            }, { parent: this });
        }

        this.registerOutputs({ targetGroupArn: this.targetGroup.arn });
    }

    /** True once an HTTPS load balancer forwards to this target. */
    get served(): boolean {
        return this.attach === undefined;
    }

    /** Called once, by the HTTPS load balancer that forwards to this target. */
    markAttached(listener: pulumi.Resource): void {
        if (!this.attach) throw new Error(`load balancer target ${this.targetName} is already served by an HTTPS load balancer`);
        this.attach(listener);
        this.attach = undefined;
    }
}
