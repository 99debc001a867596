// A scheduled job on GCP: a Cloud Run job (its own service account, reading only its own secrets, leaving
// through the stack's VPC and Cloud NAT so it calls from the stack's egress addresses) that Cloud Scheduler
// starts on a cron schedule through the Cloud Run Admin API, with an invoker account allowed to run that job
// only. Cloud Run runs the image's own user: the job's `user` must be it (the curl and busybox images have one).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ScheduledJob, ScheduledJobArgs } from "../topology";
import { GcpNetwork } from "./network";
import { GcpRegistryMirror } from "./registryMirror";
import { GcpSecret, SECRET_ACCESSOR_ROLE } from "./secret";
import { GcpEnv, afterApis, expectGcp, gcpName } from "./shared";
import { gcpNameFor } from "./names";

/** Cloud Run jobs take whole vCPUs here (fractions need a memory cap of 512 MiB and buy nothing for a short run). */
export const CLOUD_RUN_MIN = { cpu: 1, memoryMiB: 512 } as const;
const OAUTH_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** The cron schedule for a job run every `minutes` (an interval the topology's rules accept). */
export function cronSchedule(minutes: number): string {
    if (minutes < 60) return minutes === 1 ? "* * * * *" : `*/${minutes} * * * *`;
    const hours = minutes / 60;
    return hours === 24 ? "0 0 * * *" : hours === 1 ? "0 * * * *" : `0 */${hours} * * *`;
}

/** A run may take at most the interval, and never more than ten minutes: the next one is coming. */
export function runTimeoutSeconds(minutes: number): number {
    return Math.min(minutes * 60, 600);
}

export function cloudRunResources(cpu: number, memoryMiB: number): { cpu: string; memory: string } {
    return { cpu: String(Math.max(CLOUD_RUN_MIN.cpu, Math.ceil(cpu))), memory: `${Math.max(CLOUD_RUN_MIN.memoryMiB, memoryMiB)}Mi` };
}

export interface GcpScheduledJobDeps {
    env: GcpEnv;
    network: GcpNetwork;
    registryMirror: GcpRegistryMirror;
}

export class GcpScheduledJob extends pulumi.ComponentResource implements ScheduledJob {
    readonly jobName: string;
    readonly everyMinutes: number;
    readonly cloudRunJob: gcp.cloudrunv2.Job;

    constructor(name: string, args: ScheduledJobArgs, deps: GcpScheduledJobDeps, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.scheduledJob, name, {}, opts);
        const { env, network } = deps;
        const prefix = env.context.prefix;
        // Cloud Run imports the image through its service agent when the job is deployed, from the mirror.
        const pulled = deps.registryMirror.pull(args.container.image);
        this.jobName = name;
        this.everyMinutes = args.everyMinutes;
        const c = args.container;
        const secrets = Object.entries(c.secrets ?? {}).map(([envName, s]) => ({ envName, secret: expectGcp(s, GcpSecret, `secret ${s.secretName} of job ${name}`) }));

        const account = new gcp.serviceaccount.Account(`${name}-identity`, {
            accountId: gcpNameFor("serviceAccount", [prefix, "job", name]),
            displayName: `job ${name} (${prefix})`,
        }, afterApis(env, this, "iam"));
        const reads = secrets.map(({ secret }) => new gcp.secretmanager.SecretIamMember(`${name}-reads-${secret.secretName}`, {
            secretId: secret.reference,
            role: SECRET_ACCESSOR_ROLE,
            member: pulumi.interpolate`serviceAccount:${account.email}`,
        }, { parent: this }));

        const jobId = gcpName([prefix, name]);
        const plainEnv = Object.entries(c.env ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, value]) => ({ name: k, value }));
        this.cloudRunJob = new gcp.cloudrunv2.Job(`${name}-job`, {
            name: jobId,
            location: env.region,
            // Stateless: removing it loses nothing.
            deletionProtection: false,
            template: {
                taskCount: 1,
                template: {
                    serviceAccount: account.email,
                    maxRetries: 0,
                    timeout: `${runTimeoutSeconds(args.everyMinutes)}s`,
                    vpcAccess: {
                        networkInterfaces: [{ network: network.vpc.id, subnetwork: network.subnet.id }],
                        egress: "ALL_TRAFFIC",
                    },
                    containers: [{
                        name: c.name,
                        image: pulled.image,
                        ...(c.entrypoint ? { commands: c.entrypoint } : {}),
                        ...(c.command ? { args: c.command } : {}),
                        envs: [
                            ...plainEnv,
                            ...secrets.map(({ envName, secret }) => ({ name: envName, valueSource: { secretKeyRef: { secret: secret.reference, version: "latest" } } })),
                        ],
                        resources: { limits: cloudRunResources(c.cpu, c.memoryMiB) },
                    }],
                },
            },
        }, { parent: this, dependsOn: [env.apis.run, pulled.repository, ...reads] });

        const invoker = new gcp.serviceaccount.Account(`${name}-invoker`, {
            accountId: gcpNameFor("serviceAccount", [prefix, "run", name]),
            displayName: `starts job ${name} (${prefix})`,
        }, afterApis(env, this, "iam"));
        const mayRun = new gcp.cloudrunv2.JobIamMember(`${name}-invoker-runs`, {
            name: this.cloudRunJob.name,
            location: env.region,
            role: "roles/run.invoker",
            member: pulumi.interpolate`serviceAccount:${invoker.email}`,
        }, { parent: this });

        new gcp.cloudscheduler.Job(`${name}-schedule`, {
            name: jobId,
            region: env.region,
            description: `runs job ${name} of ${prefix} every ${args.everyMinutes} minute(s)`,
            schedule: cronSchedule(args.everyMinutes),
            timeZone: "Etc/UTC",
            // A missed run is made good by the next one.
            retryConfig: { retryCount: 0 },
            httpTarget: {
                httpMethod: "POST",
                uri: pulumi.interpolate`https://run.googleapis.com/v2/projects/${env.project}/locations/${env.region}/jobs/${this.cloudRunJob.name}:run`,
                oauthToken: { serviceAccountEmail: invoker.email, scope: OAUTH_SCOPE },
            },
        }, { parent: this, dependsOn: [env.apis.scheduler, mayRun] });

        this.registerOutputs({ job: this.cloudRunJob.id });
    }
}
