// What a zonal service tells the engine about its containers (PublishedService in ./index.ts), built the same
// way on every back-end from the specs it runs, and the env values no back-end ever writes anywhere.
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, PublishedContainer, PublishedService } from "./index";

/**
 * The SDK's switch that sends a local component's inputs as `{}` (@pulumi/pulumi resource.js, ComponentResource's
 * constructor). With it set the policy pack would see no container of a service: a back-end refuses to start.
 */
export const SKIP_COMPONENT_INPUTS = "PULUMI_NODEJS_SKIP_COMPONENT_INPUTS";

/** Throws when the engine would not receive a component's inputs, naming the variable to unset. */
export function assertComponentInputsSent(service: string, env: NodeJS.ProcessEnv = process.env): void {
    if (env[SKIP_COMPONENT_INPUTS]) {
        throw new Error(
            `service ${service}: ${SKIP_COMPONENT_INPUTS} is set (to "${env[SKIP_COMPONENT_INPUTS]}"), so the engine would receive none of the ` +
                "service's containers, which the policy pack judges from its inputs; unset it",
        );
    }
}

/**
 * What a service publishes of the containers it runs. `containers` are the specs as the back-end runs them,
 * additions included; `pulledImage` maps an upstream reference to the one the runtime pulls (the stack's
 * registry mirror); `addedSecrets` are variables the back-end itself reads from the secret store for every
 * container (GCP's bucket credentials). Plain values only: an env value given as an Output or a promise is
 * published without it, since the engine would otherwise hold the service's registration until it resolved,
 * and a service's own outputs (its public address) can be among them.
 */
export function publishedService(
    zone: string,
    containers: readonly ContainerSpec[],
    pulledImage: (image: string) => string,
    addedSecrets: readonly string[] = [],
): PublishedService {
    return { zone, containers: containers.map(c => publishedContainer(c, pulledImage(c.image), addedSecrets)) };
}

function publishedContainer(c: ContainerSpec, image: string, addedSecrets: readonly string[]): PublishedContainer {
    const env = Object.entries(c.env ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => (typeof value === "string" ? { name, value } : { name }));
    return {
        name: c.name,
        image,
        user: { uid: c.user.uid, gid: c.user.gid },
        ...(c.entrypoint ? { entrypoint: [...c.entrypoint] } : {}),
        ...(c.command ? { command: [...c.command] } : {}),
        env,
        secrets: [...new Set([...Object.keys(c.secrets ?? {}), ...addedSecrets])].sort(),
        mounts: (c.mounts ?? []).map(m => ({ volume: m.volume.volumeName, path: m.path })),
        ...(c.memoryScratch ? { memoryScratch: { path: c.memoryScratch.path, sizeMiB: c.memoryScratch.sizeMiB } } : {}),
        ports: (c.ports ?? []).map(p => ({ port: p.port, protocol: p.protocol ?? "tcp" })),
    };
}

/**
 * Env values that are Pulumi secrets, one sentence each naming `owner` ("service kubo"). Every back-end
 * refuses them: a task definition and an instance's metadata keep their environment in plain text, and what a
 * service publishes never holds them. A secret goes in `secrets`, read from the secret store at start.
 */
export async function secretEnvProblems(owner: string, containers: readonly Pick<ContainerSpec, "name" | "env">[]): Promise<string[]> {
    const checks = containers.flatMap(c => Object.entries(c.env ?? {})
        .filter(([, value]) => pulumi.Output.isInstance(value))
        .map(async ([name, value]) => ((await pulumi.isSecret(value as pulumi.Output<string>))
            ? `${owner}, container ${c.name}: env ${name} is a secret; give it in \`secrets\` so it is read from the secret store at start`
            : undefined)));
    return (await Promise.all(checks)).filter((p): p is string => p !== undefined);
}
