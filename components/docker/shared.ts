// What every primitive of the Docker back-end needs from it, and the facts several of them share: the
// engine's provider, physical names, labels, the security every container runs with.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { RunAs, StackContext } from "../topology";

export interface DockerEnv {
    readonly context: StackContext;
    readonly provider: docker.Provider;
    /** The stack's one user-defined bridge network. */
    readonly networkName: pulumi.Output<string>;
    /** Where the stack's public ports are announced (web3-nodes:docker.announceAddress). */
    readonly announceAddress: string;
    /** The engine's copy of an image, pulled once per stack (registryMirror.ts). */
    pulled(image: string): docker.RemoteImage;
}

/** Options for a primitive declared by the back-end: its children inherit the one explicit provider. */
export function primitiveOptions(env: Pick<DockerEnv, "provider">, extra: pulumi.ComponentResourceOptions = {}): pulumi.ComponentResourceOptions {
    return { ...extra, provider: env.provider };
}

/**
 * A physical name on the engine: the stack's prefix and the parts, joined with dashes. Names of containers,
 * volumes and networks are unique per engine, so two stacks on one machine never meet.
 */
export function engineName(context: Pick<StackContext, "prefix">, ...parts: string[]): string {
    const name = [context.prefix, ...parts].join("-");
    // moby daemon/names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (names.RestrictedNamePattern).
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) throw new Error(`"${name}" is not a name the Docker engine accepts: letters, digits, _ . -`);
    return name;
}

/** Label keys of the program's own; the stack's tags are labels too, as they are. */
export const LABELS = {
    stack: "web3-nodes.stack",
    zone: "web3-nodes.zone",
    service: "web3-nodes.service",
    role: "web3-nodes.role",
    secretsDelivery: "web3-nodes.secrets-delivery",
} as const;

/** What a container or volume is to the back-end, as its role label says. */
export type Role = "sandbox" | "container" | "secrets" | "liveness" | "volume" | "volume-owner" | "https-entry" | "passthrough" | "postgres" | "scheduled-job" | "network";

/** Labels as the provider takes them: a list of label/value pairs, sorted so a plan never reorders them. */
export function labels(context: StackContext, extra: Record<string, pulumi.Input<string>>): { label: string; value: pulumi.Input<string> }[] {
    const all: Record<string, pulumi.Input<string>> = { ...context.tags, [LABELS.stack]: context.tags.stack ?? context.prefix, ...extra };
    return Object.keys(all).sort().map(label => ({ label, value: all[label] }));
}

/** `uid:gid`, as the engine's User takes it: numeric, so no name in the image can stand for root. */
export function userOf(user: RunAs): string {
    if (!Number.isInteger(user.uid) || user.uid <= 0 || !Number.isInteger(user.gid) || user.gid < 0) {
        throw new Error(`user ${user.uid}:${user.gid}: every container runs with a non-zero uid`);
    }
    return `${user.uid}:${user.gid}`;
}

/**
 * What every container of the stack runs with: no capability (moby's default set dropped whole), no gain of
 * privilege through setuid or file capabilities (no-new-privileges, moby daemon/oci_linux.go), never privileged.
 */
export function containerSecurity(addCapabilities: string[] = []): Pick<docker.ContainerArgs, "capabilities" | "securityOpts" | "privileged"> {
    return {
        capabilities: { drops: ["ALL"], ...(addCapabilities.length > 0 ? { adds: addCapabilities.map(capabilityName) } : {}) },
        securityOpts: ["no-new-privileges:true"],
        privileged: false,
    };
}

/**
 * Logs stay on the engine in the json-file driver, rotated so a chatty daemon never fills the laptop's disk
 * (moby daemon/logger/jsonfilelog: max-size, max-file).
 */
export const LOG_OPTIONS = { logDriver: "json-file", logOpts: { "max-size": "10m", "max-file": "3" } } as const;

/**
 * A capability as the engine reports it back, `CAP_` first: the Docker client rewrites every name so before it
 * sends a create (moby v28.5.2 client/container_create.go normalizeCapabilities), the provider stores what the
 * engine answers, and a capability list that differs from the program's replaces the container
 * (kreuzwerker/terraform-provider-docker v4.5.0 resource_docker_container.go: capabilities ForceNew).
 */
export function capabilityName(capability: string): string {
    const upper = capability.toUpperCase();
    return upper === "ALL" || upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
}

/**
 * A CPU limit spelt as the provider reads it back from the engine's NanoCPUs (kreuzwerker/terraform-provider-docker
 * v4.5.0 helpers.go nanoInt64ToDecimalString: nine decimals, then one when the nine hold nine zeros, else the
 * trailing zeros trimmed). `cpus` replaces the container when it differs (ForceNew, no diff suppression), so the
 * program sends exactly that spelling: 1 is "1.0", 0.25 is "0.25".
 */
export function dockerCpus(cpu: number): string {
    const nano = Math.round(cpu * 1e9);
    if (nano <= 0) throw new Error(`a CPU limit of ${cpu}: the engine takes a positive number of CPUs`);
    const whole = Math.floor(nano / 1e9);
    const fraction = String(nano % 1e9).padStart(9, "0");
    const nine = `${whole}.${fraction}`;
    if ((nine.match(/0/g) ?? []).length === 9) {
        // FloatString(1): one decimal, rounded half away from zero.
        const tenths = Math.round(nano / 1e8);
        return `${Math.floor(tenths / 10)}.${tenths % 10}`;
    }
    return nine.replace(/0+$/, "");
}

/** Memory for containers that only hold, deliver or prepare (sleep, a copy, a chown), in MiB, with no swap. */
export const HELPER_MEMORY_MIB = 16;

/**
 * The memory options of a container: its limit and as much swap as memory, i.e. none beyond it (a leaking daemon
 * is restarted, not paged out). Both are sent: the engine stores twice the limit as swap when none is given
 * (moby daemon/daemon_unix.go), which would read back as a change on every update.
 */
export function memoryLimits(memoryMiB: number): Pick<docker.ContainerArgs, "memory" | "memorySwap"> {
    return { memory: memoryMiB, memorySwap: memoryMiB };
}

/** Every address of the host: what a `public` port and a pass-through address are open on, as a cloud opens them to the world. */
export const EVERY_HOST_ADDRESS = "0.0.0.0";

/**
 * Seconds a container has to stop after SIGTERM before the engine kills it, as on GCP's hosts: both when the
 * engine stops it (stopTimeout) and when the provider does, on a replacement or a destroy, which otherwise sends
 * a timeout of 0 that overrides the container's own (terraform-provider-docker v4.5.0 destroy_grace_seconds,
 * default 0; moby daemon/stop.go): the volume fence then releases its lease and Postgres shuts down cleanly.
 */
export const STOP_TIMEOUT_SECONDS = 30;

/** The stop settings of a container that does work: SIGTERM, then STOP_TIMEOUT_SECONDS, whoever stops it. */
export const GRACEFUL_STOP = { stopTimeout: STOP_TIMEOUT_SECONDS, destroyGraceSeconds: STOP_TIMEOUT_SECONDS } as const;

/**
 * Restarted whenever it exits, and after the engine restarts, unless an operator stopped it (`docker stop` or
 * `docker kill`: moby daemon/kill.go marks a container killed with its stop signal or SIGKILL as not to be
 * restarted, container.ExitOnNext). What a zone's loss looks like locally: a killed container stays down.
 */
export const RESTART_POLICY = "unless-stopped";

/** Narrows a provider-neutral value to the Docker implementation this back-end made, with a clear error otherwise. */
export function expectDocker<T>(value: unknown, cls: abstract new (...args: never[]) => T, what: string): T {
    if (value instanceof cls) return value;
    throw new Error(`${what} was not created by the Docker back-end; pass objects made by this stack's backend`);
}
