// A scheduled job on a Docker engine: one container that runs the job's own start every `everyMinutes`, in a
// loop of its image's shell, restarted by the engine if the loop itself ends. A run that fails is not retried:
// the next one comes on schedule, as on the clouds. It reaches the internet through the host; nothing can
// connect to it (it publishes nothing).
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ScheduledJob, ScheduledJobArgs } from "../topology";
import { secretEnvProblems } from "../topology/published";
import { Pod } from "./pod";
import { DockerEnv } from "./shared";

/** The loop's $0: its name in process listings and messages. */
export const SCHEDULE_LOOP_NAME = "scheduled-job";

/** The loop: runs the job's command line, whatever it ends with, then sleeps until the next run. */
export function scheduleLoop(everyMinutes: number): string {
    return [
        "trap 'exit 0' TERM INT",
        "while :; do",
        '  "$@" || echo "scheduled job: the run ended with status $?; the next one comes on schedule" >&2',
        `  sleep ${everyMinutes * 60} & wait $!`,
        "done",
    ].join("\n");
}

export class DockerScheduledJob extends pulumi.ComponentResource implements ScheduledJob {
    readonly jobName: string;
    readonly everyMinutes: number;

    constructor(name: string, args: ScheduledJobArgs, env: DockerEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.scheduledJob, name, {}, opts);
        this.jobName = name;
        this.everyMinutes = args.everyMinutes;
        const c = args.container;
        if (!c.entrypoint || c.entrypoint.length === 0) {
            throw new Error(`scheduled job ${name}: give its entrypoint (and command) as its image declares them: the local back-end runs them in a loop of the image's shell`);
        }
        new Pod({
            name,
            zone: env.context.zones[0],
            aliases: [name],
            ports: [],
            envProblems: secretEnvProblems(`scheduled job ${name}`, [c]),
            containers: [{
                name: c.name,
                image: c.image,
                user: c.user,
                entrypoint: ["/bin/sh", "-c", scheduleLoop(args.everyMinutes), SCHEDULE_LOOP_NAME, ...c.entrypoint],
                command: c.command,
                env: c.env,
                secrets: c.secrets,
                cpu: c.cpu,
                memoryMiB: c.memoryMiB,
                role: "scheduled-job",
            }],
        }, env, this);
        this.registerOutputs({ everyMinutes: this.everyMinutes });
    }
}
