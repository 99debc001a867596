// A scheduled job on AWS: EventBridge Scheduler starts a Fargate task from the job's task definition every
// few minutes, in the stack's private subnets (out through NAT, on the stack's egress addresses), with a
// security group that lets nothing in. The task ends when its command does.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ScheduledJob, ScheduledJobArgs } from "../topology";
import { ANY_IPV4 } from "./constants";
import { AwsContext } from "./context";
import { awsLogicalName } from "./names";
import { fargateTask } from "./service";

/** EventBridge Scheduler's rate expression for a job run every `minutes`. */
export function rateExpression(minutes: number): string {
    return `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`;
}

/**
 * The scheduler may start tasks of this family only, tag the tasks it starts (ECS authorizes tags set at
 * RunTask as ecs:TagResource on the new task, with ecs:CreateAction RunTask:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html), and hand
 * them exactly their two roles.
 */
export function schedulerPolicy(taskFamilyArn: pulumi.Input<string>, clusterTasksArn: pulumi.Input<string>, roleArns: pulumi.Input<string>[]): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "RunJobTask", Effect: "Allow", Action: ["ecs:RunTask"], Resource: [taskFamilyArn] },
            { Sid: "TagStartedTasks", Effect: "Allow", Action: ["ecs:TagResource"], Resource: [clusterTasksArn], Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } } },
            { Sid: "PassJobRoles", Effect: "Allow", Action: ["iam:PassRole"], Resource: roleArns, Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
        ],
    });
}

export interface AwsScheduledJobArgs extends ScheduledJobArgs {
    context: AwsContext;
}

export class AwsScheduledJob extends pulumi.ComponentResource implements ScheduledJob {
    readonly jobName: string;
    readonly everyMinutes: number;
    readonly schedule: aws.scheduler.Schedule;

    constructor(name: string, args: AwsScheduledJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.scheduledJob, name, {}, opts);
        const ctx = args.context;
        const { prefix, zones } = ctx.stack;
        const { account, region, network } = ctx;
        const parent = { parent: this };
        this.jobName = name;
        this.everyMinutes = args.everyMinutes;

        // The job's own permissions: none. It only talks to the network.
        const { executionRole, taskRole, taskDefinition, rolePolicies } = fargateTask(name, { label: `${prefix} job ${name}`, containers: [args.container] }, ctx, this);

        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: network.vpcId,
            description: `${prefix} job ${name}: outbound only`,
        }, parent);
        new aws.vpc.SecurityGroupEgressRule(`${name}-egress`, {
            securityGroupId: securityGroup.id,
            cidrIpv4: ANY_IPV4,
            ipProtocol: "-1",
            description: "all outbound, through NAT",
        }, parent);

        const schedulerRole = new aws.iam.Role(awsLogicalName("iamRole", `${name}-scheduler`), {
            description: `EventBridge Scheduler starts ${prefix} job ${name} with this role`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
                }],
            }),
        }, parent);
        const schedulerGrant = new aws.iam.RolePolicy(`${name}-scheduler-run`, {
            role: schedulerRole.id,
            policy: schedulerPolicy(
                pulumi.interpolate`arn:${account.partition}:ecs:${region}:${account.accountId}:task-definition/${taskDefinition.family}:*`,
                pulumi.interpolate`arn:${account.partition}:ecs:${region}:${account.accountId}:task/${network.cluster.name}/*`,
                [executionRole.arn, taskRole.arn],
            ),
        }, parent);

        // Starts once the execution role's grants exist: the first run pulls through the registry mirror.
        this.schedule = new aws.scheduler.Schedule(awsLogicalName("schedule", `${name}-schedule`), {
            description: `runs job ${name} of ${prefix} every ${args.everyMinutes} minute(s)`,
            scheduleExpression: rateExpression(args.everyMinutes),
            flexibleTimeWindow: { mode: "OFF" },
            state: "ENABLED",
            target: {
                arn: network.cluster.arn,
                roleArn: schedulerRole.arn,
                ecsParameters: {
                    taskDefinitionArn: taskDefinition.arn,
                    launchType: "FARGATE",
                    platformVersion: "LATEST",
                    taskCount: 1,
                    // Any zone will do: the job keeps no state. Each private subnet leaves through NAT.
                    networkConfiguration: { subnets: zones.map(z => network.privateSubnet(z)), securityGroups: [securityGroup.id], assignPublicIp: false },
                    enableEcsManagedTags: true,
                },
                // A missed run is made good by the next one.
                retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
            },
        }, { parent: this, dependsOn: [schedulerGrant, ...rolePolicies] });

        this.registerOutputs({ schedule: this.schedule.arn, taskDefinition: taskDefinition.arn });
    }
}
