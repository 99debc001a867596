// A group of containers on one network namespace, as an ECS task or a GCE host runs a service's containers: what
// a zonal service, a Postgres and the stack's entry points are on a Docker engine.
//  - The sandbox, busybox sleeping as `nobody`, owns the namespace: it is on the stack's bridge network under the
//    pod's aliases and publishes the pod's host ports. The other containers join it (NetworkMode container:<id>),
//    so they reach each other on 127.0.0.1, and a container that restarts keeps its address and ports.
//  - Secrets reach each container as a file on a tmpfs volume of its own (the local driver mounts type=tmpfs, a
//    memory filesystem, moby daemon/volume/local/local_unix.go), never in the container's configuration
//    (Env, Labels, Cmd: what `docker inspect` shows and the engine writes to its disk). The file arrives through
//    the engine's archive API (the provider's `uploads`, PUT /containers/{id}/archive, before the container
//    starts) into a delivery container that mounts the volumes. The archive API writes into a volume's mount
//    for a container that is not running (moby daemon/containerfs_linux.go openContainerFS: setupMounts, then a
//    bind of each mount into a private view), but into a tmpfs of the container's own it never reaches the
//    running container (the same file's containerFSView: "Each view has its own private set of tmpfs mounts"),
//    which is why the memory is a volume. A tmpfs volume lives while a container holds it mounted: the local
//    driver unmounts it, and its content is gone, when the last container lets go
//    (daemon/volume/local/local.go localVolume.Unmount). The sandbox holds every one of the pod's secret
//    volumes while the delivery writes into them, and after.
//  - Limits: the secrets live in memory, so a restart of the engine (or of the host) forgets them. The delivery
//    container is removed at the engine's start (AutoRemove: moby daemon/daemon.go restore puts a stopped
//    AutoRemove container on removeContainers), so `pulumi up --refresh` finds it gone and makes it again, which
//    delivers the secrets again and replaces the containers that read them. Until then those containers stop
//    at start with a message naming that command.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { MemoryScratch, Protocol, RunAs, Secret } from "../topology";
import { BUSYBOX_IMAGE, HOLDER_USER } from "./images";
import { DockerSecret, SECRETS_DIR, SECRETS_FILE, secretsFile, withSecretsLoader } from "./secret";
import { containerSecurity, DockerEnv, GRACEFUL_STOP, HELPER_MEMORY_MIB, LABELS, LOG_OPTIONS, RESTART_POLICY, Role, dockerCpus, engineName, expectDocker, labels, memoryLimits, userOf } from "./shared";
import { DockerVolume, VOLUME_DATA_DIR } from "./volume";
import { WATCHED_CONTAINER_ENV } from "./liveness";

/** A host port the pod publishes: on loopback alone, or (`public`) on every address of the host. */
export interface PublishedPort {
    containerPort: number;
    hostPort: number;
    protocol: Protocol;
    /** 127.0.0.1, or 0.0.0.0 for what the world must reach (swarm ports, pass-through addresses). */
    hostIp: string;
}

/** A file of the pod's own configuration (a proxy's), uploaded before the container starts: never a secret. */
export interface ConfigFile {
    path: string;
    content: pulumi.Input<string>;
}

export interface PodContainer {
    name: string;
    /** The upstream reference; the engine pulls it itself (./registryMirror.ts). */
    image: string;
    user: RunAs;
    /** What the container runs, the fence and the secrets loader already around it. */
    entrypoint?: string[];
    command?: string[];
    env?: Record<string, pulumi.Input<string>>;
    secrets?: Record<string, Secret>;
    /** Volumes of this back-end, at their paths. */
    mounts?: { volume: DockerVolume; path: string }[];
    memoryScratch?: MemoryScratch;
    cpu: number;
    memoryMiB: number;
    /** Capabilities added back after dropping all: only what an image's binary needs to start at all. */
    addCapabilities?: string[];
    configFiles?: ConfigFile[];
    /**
     * Another container of the pod this one watches and stops (the liveness watchdog's target): both stand in the
     * holder's process namespace, and this one is given the other's engine ID (WATCHED_CONTAINER_ENV).
     */
    watches?: string;
    role?: Role;
}

export interface PodArgs {
    /** The pod's name in engine names: <prefix>-<name>[-<container>]. */
    name: string;
    zone: string;
    /** Names other containers on the stack's network reach the pod by. */
    aliases: string[];
    ports: PublishedPort[];
    containers: PodContainer[];
    /** Labels every container of the pod carries besides the stack's. */
    labels?: Record<string, string>;
    /** Resources the containers wait for (the step before this one in a roll). */
    dependsOn?: pulumi.Resource[];
    /** Env values that must not be given (secretEnvProblems): the containers fail to declare while there are any. */
    envProblems?: Promise<string[]>;
}

/** The options of a tmpfs that holds a container's memory scratch, owned by its user (moby pkg/mount ParseTmpfsOptions). */
export function memoryScratchOptions(scratch: MemoryScratch, user: RunAs): string {
    return ["rw", "nosuid", "nodev", "noexec", "mode=0700", `size=${scratch.sizeMiB}m`, `uid=${user.uid}`, `gid=${user.gid}`].join(",");
}

/**
 * The driver options of a container's secrets volume: a tmpfs of 1 MiB whose root only the container's user
 * may enter (mode 0500, uid and gid), holding nothing it can run. The file in it is world-readable (0444): the
 * archive API writes it as root's, and the directory alone decides who reads it.
 */
export function secretsVolumeOptions(user: RunAs): Record<string, string> {
    return { type: "tmpfs", device: "tmpfs", o: ["size=1m", `uid=${user.uid}`, `gid=${user.gid}`, "mode=0500", "nosuid", "nodev", "noexec"].join(",") };
}

export const SECRETS_FILE_MODE = "0444";
/** Where the sandbox holds its pod's secret volumes, and where the delivery container writes into them. */
const HELD_DIR = "/held";
const DELIVERY_DIR = "/deliver";

/** A container's secret values, resolved: NAME to value, as one secret Output. */
function secretValues(owner: string, secrets: Record<string, Secret>): pulumi.Output<Record<string, string>> {
    const entries = Object.entries(secrets).map(([envName, secret]) =>
        expectDocker(secret, DockerSecret, `secret ${secret.secretName}`).value.apply(value => [envName, value] as const));
    return pulumi.secret(pulumi.all(entries).apply(pairs => Object.fromEntries(pairs)));
}

/** A container's env as the engine takes it, KEY=value in name order, or a failure naming every value that is a secret. */
function checkedEnv(args: Pick<PodArgs, "name" | "envProblems">, c: Pick<PodContainer, "env">): pulumi.Output<string[]> {
    const env = pulumi.all(Object.entries(c.env ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => pulumi.interpolate`${k}=${v}`));
    return pulumi.all([env, args.envProblems ?? Promise.resolve([])]).apply(([lines, problems]) => {
        if (problems.length > 0) throw new Error(`invalid service definition:\n  - ${problems.join("\n  - ")}`);
        return lines;
    });
}

export class Pod {
    readonly sandbox: docker.Container;
    readonly containers: Map<string, docker.Container> = new Map();
    /** The delivery of the pod's secrets, when it has any. */
    readonly delivery?: docker.Container;

    constructor(args: PodArgs, env: DockerEnv, parent: pulumi.Resource) {
        const { context } = env;
        const podLabels = (role: Role, extra: Record<string, pulumi.Input<string>> = {}) =>
            labels(context, { [LABELS.zone]: args.zone, [LABELS.service]: args.name, [LABELS.role]: role, ...args.labels, ...extra });
        const withSecrets = args.containers.filter(c => Object.keys(c.secrets ?? {}).length > 0);
        const secretVolumes = new Map(withSecrets.map(c => [c.name, new docker.Volume(`${args.name}-${c.name}-secrets`, {
            name: engineName(context, args.name, c.name, "secrets"),
            driver: "local",
            driverOpts: secretsVolumeOptions(c.user),
            labels: podLabels("secrets"),
            // A fixed name: the engine would hand a new volume of that name back as the old one (moby
            // daemon/volume/service/store.go checkConflict), so the old one goes first.
        }, { parent, deleteBeforeReplace: true })]));
        const held = [...secretVolumes.entries()].map(([container, volume]) => ({ container, volume }));

        this.sandbox = new docker.Container(`${args.name}-sandbox`, {
            name: engineName(context, args.name),
            image: env.pulled(BUSYBOX_IMAGE).imageId,
            user: userOf(HOLDER_USER),
            entrypoints: ["sleep", "2147483647"],
            // sleep has no handler: a stop signal it would ignore as PID 1 is one it cannot ignore.
            stopSignal: "SIGKILL",
            // Its process namespace is also the watched container's and its watchdog's: the engine's init (docker-init)
            // reaps what they leave behind.
            init: true,
            networksAdvanced: [{ name: env.networkName, aliases: args.aliases }],
            ports: args.ports.map(p => ({ internal: p.containerPort, external: p.hostPort, protocol: p.protocol, ip: p.hostIp })),
            mounts: held.map(h => ({ type: "volume", source: h.volume.name, target: `${HELD_DIR}/${h.container}`, readOnly: true, volumeOptions: { noCopy: true } })),
            ...containerSecurity(),
            ...LOG_OPTIONS,
            ...memoryLimits(HELPER_MEMORY_MIB),
            restart: RESTART_POLICY,
            labels: podLabels("sandbox"),
        }, { parent, deleteBeforeReplace: true, dependsOn: args.dependsOn });

        if (withSecrets.length > 0) {
            const files = withSecrets.map(c => {
                const where = `service ${args.name}, container ${c.name}`;
                return {
                    file: `${DELIVERY_DIR}/${c.name}/${SECRETS_FILE.slice(SECRETS_DIR.length + 1)}`,
                    content: pulumi.secret(secretValues(where, c.secrets!).apply(values => secretsFile(where, values))),
                    permissions: SECRETS_FILE_MODE,
                };
            });
            this.delivery = new docker.Container(`${args.name}-secrets`, {
                name: engineName(context, args.name, "secrets"),
                image: env.pulled(BUSYBOX_IMAGE).imageId,
                user: userOf(HOLDER_USER),
                entrypoints: ["sleep", "2147483647"],
                stopSignal: "SIGKILL",
                networkMode: "none",
                mounts: held.map(h => ({ type: "volume", source: h.volume.name, target: `${DELIVERY_DIR}/${h.container}`, volumeOptions: { noCopy: true } })),
                uploads: files,
                // Gone when the engine restarts (and its memory volumes with it): a refresh then makes it again.
                rm: true,
                restart: "no",
                ...containerSecurity(),
                ...LOG_OPTIONS,
                ...memoryLimits(HELPER_MEMORY_MIB),
                labels: podLabels("secrets"),
            }, { parent, deleteBeforeReplace: true, dependsOn: [this.sandbox], additionalSecretOutputs: ["uploads"] });
        }

        // A watched container and its watchdog stand in the holder's process namespace (./liveness.ts).
        const watched = new Set(args.containers.flatMap(c => (c.watches === undefined ? [] : [c.watches])));
        for (const c of args.containers) {
            const secretVolume = secretVolumes.get(c.name);
            const entrypoint = secretVolume ? withSecretsLoader(context.tags.stack ?? context.prefix, c.entrypoint ?? []) : c.entrypoint;
            const target = c.watches === undefined ? undefined : this.containers.get(c.watches);
            if (c.watches !== undefined && !target) throw new Error(`pod ${args.name}, container ${c.name}: watches ${c.watches}, which is not declared before it`);
            const waitFor: pulumi.Resource[] = [this.sandbox, ...(c.mounts ?? []).map(m => m.volume.ready), ...(this.delivery && secretVolume ? [this.delivery] : []), ...(target ? [target] : []), ...(args.dependsOn ?? [])];
            const container = new docker.Container(`${args.name}-${c.name}`, {
                name: engineName(context, args.name, c.name),
                image: env.pulled(c.image).imageId,
                user: userOf(c.user),
                entrypoints: entrypoint,
                command: c.command,
                envs: checkedEnv(args, target ? { env: { ...c.env, [WATCHED_CONTAINER_ENV]: target.id } } : c),
                networkMode: pulumi.interpolate`container:${this.sandbox.id}`,
                ...(target || watched.has(c.name) ? { pidMode: pulumi.interpolate`container:${this.sandbox.id}` } : {}),
                mounts: [
                    ...(c.mounts ?? []).map(m => ({
                        type: "volume",
                        source: m.volume.engineVolumeName,
                        target: m.path,
                        volumeOptions: { subpath: VOLUME_DATA_DIR, noCopy: true },
                    })),
                    ...(secretVolume ? [{ type: "volume", source: secretVolume.name, target: SECRETS_DIR, readOnly: true, volumeOptions: { noCopy: true } }] : []),
                ],
                tmpfs: c.memoryScratch ? { [c.memoryScratch.path]: memoryScratchOptions(c.memoryScratch, c.user) } : undefined,
                uploads: c.configFiles?.map(f => ({ file: f.path, content: f.content, permissions: "0444" })),
                ...containerSecurity(c.addCapabilities),
                ...LOG_OPTIONS,
                // Only the service's liveness replaces anything: an image's own HEALTHCHECK is not run (as on ECS and GCP).
                healthcheck: { tests: ["NONE"] },
                ...memoryLimits(c.memoryMiB),
                cpus: dockerCpus(c.cpu),
                restart: RESTART_POLICY,
                ...GRACEFUL_STOP,
                // A new delivery of its secrets replaces the container, which then starts with them.
                labels: podLabels(c.role ?? "container", this.delivery && secretVolume ? { [LABELS.secretsDelivery]: this.delivery.id } : {}),
            }, { parent, deleteBeforeReplace: true, dependsOn: waitFor });
            this.containers.set(c.name, container);
        }
    }
}
