// What the containers of a resource are, whatever back-end declares them: ECS container definitions (a JSON
// string), `docker run` lines in a GCE instance's cloud-init user-data or startup script, @pulumi/docker
// containers, and the specs a zonal service publishes. The non-root, state, secret and image rules all read
// containers through here, so a new way of running a container is taught once.
//
// A zonal service's containers are described twice: by the service itself, in plain values known before any
// cloud resource exists, and by the task definition or instance template it declares, which is unknown in the
// preview of a new stack. Each fact is judged once, where it is known first: what the spec states (user, image,
// environment, entrypoint and command, mounts) on the service; on the cloud resource only what the back-end
// adds and the spec cannot state (privileged mode, capabilities, the boot configuration around the containers).
// An env value computed from other resources is published without it, and the back-ends refuse one that is a
// Pulumi secret. tests/container-specs.test.ts checks that each back-end's cloud resources run exactly the
// containers its services publish.
import { gunzipSync } from "zlib";
import * as YAML from "yaml";
import { CONTAINER_TYPES, GCE_VM_TYPES, T } from "./types";
import { Maybe, UNKNOWN, Unknown, at, bool, isUnknown, list, record, str, strings } from "./values";

/**
 * What runs the container: an ECS task, a GCE VM's docker, a docker host managed by @pulumi/docker, or the
 * zonal service whose published spec it is (whichever cloud then runs it).
 */
export type ContainerRunner = "ecs" | "gce" | "docker" | "service";

export interface EnvVar {
    name: string;
    value: Maybe<string>;
}

/**
 * Where a container path comes from. `persistent-volume`: an EFS volume (ECS) or a docker volume or host
 * path (docker); `host-path`: a bind mount whose host side is in `source` (GCE decides by where it lies);
 * `ephemeral`: storage that dies with the task or container.
 */
export interface Mount {
    containerPath: string;
    kind: "persistent-volume" | "host-path" | "ephemeral" | "unknown";
    source: string;
}

export interface Container {
    runner: ContainerRunner;
    /** Names the container inside its resource, for messages: `containerDefinitions[0] ("kubo")`. */
    label: string;
    image: Maybe<string>;
    user: Maybe<string>;
    privileged: Maybe<boolean>;
    capAdd: Maybe<string[]>;
    env: Maybe<EnvVar[]>;
    /** Command lines run inside the container: entrypoint + command, health check. */
    commands: Maybe<string[][]>;
    mounts: Maybe<Mount[]>;
}

export interface Containers {
    containers: Container[];
}

// ---------------------------------------------------------------- shell

/**
 * Splits shell text (a script, a systemd unit, an env file) into commands, honouring quotes, escapes, line
 * continuations, `$(...)`/`${...}` and comments. Enough for the scripts and units this program writes; not
 * a shell.
 */
export function shellCommands(text: string): string[][] {
    const commands: string[][] = [];
    let tokens: string[] = [];
    let current = "";
    let inToken = false;
    const endToken = () => {
        if (inToken) tokens.push(current);
        current = "";
        inToken = false;
    };
    const endCommand = () => {
        endToken();
        if (tokens.length > 0) commands.push(tokens);
        tokens = [];
    };
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === "\\") {
            if (text[i + 1] === "\n") {
                i += 2;
                continue;
            }
            if (text[i + 1] === "\r" && text[i + 2] === "\n") {
                i += 3;
                continue;
            }
            current += text[i + 1] ?? "";
            inToken = true;
            i += 2;
        } else if (c === "'") {
            const close = text.indexOf("'", i + 1);
            const end = close < 0 ? text.length : close;
            current += text.slice(i + 1, end);
            inToken = true;
            i = end + 1;
        } else if (c === '"') {
            inToken = true;
            i++;
            while (i < text.length && text[i] !== '"') {
                if (text[i] === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
                    if (text[i + 1] !== "\n") current += text[i + 1];
                    i += 2;
                } else {
                    current += text[i];
                    i++;
                }
            }
            i++;
        } else if (c === "$" && (text[i + 1] === "(" || text[i + 1] === "{")) {
            const open = text[i + 1];
            const close = open === "(" ? ")" : "}";
            let depth = 0;
            let j = i + 1;
            for (; j < text.length; j++) {
                if (text[j] === open) depth++;
                else if (text[j] === close && --depth === 0) break;
            }
            current += text.slice(i, j + 1);
            inToken = true;
            i = j + 1;
        } else if (c === "#" && !inToken) {
            while (i < text.length && text[i] !== "\n") i++;
        } else if (c === "\n" || c === ";") {
            endCommand();
            i++;
        } else if (c === "&" || c === "|") {
            endCommand();
            i += text[i + 1] === c ? 2 : 1;
        } else if (c === " " || c === "\t" || c === "\r") {
            endToken();
            i++;
        } else {
            current += c;
            inToken = true;
            i++;
        }
    }
    endCommand();
    return commands;
}

/** A command's program, without a systemd `ExecStart=` key, its `-@+!:` prefixes or a directory. */
export function programOf(token: string): string {
    const bare = token.replace(/^Exec[A-Za-z]*=/, "").replace(/^[-@+!:]+/, "");
    return bare.slice(bare.lastIndexOf("/") + 1);
}

/** Commands, with `sh -c '<script>'` opened up so the script's own commands are seen too. */
export function expandShells(commands: string[][]): string[][] {
    const out: string[][] = [];
    for (const tokens of commands) {
        out.push(tokens);
        for (let i = 0; i < tokens.length - 2; i++) {
            if (["sh", "bash", "ash", "dash", "zsh"].includes(programOf(tokens[i])) && /^-[a-z]*c$/.test(tokens[i + 1])) {
                out.push(...expandShells(shellCommands(tokens[i + 2])));
                break;
            }
        }
    }
    return out;
}

/** A Docker-style health check: ["CMD-SHELL", "script"], ["CMD", ...argv] or ["NONE"]. */
function healthCheckCommands(test: Maybe<string[]>): string[][] {
    if (test === undefined || isUnknown(test) || test.length === 0) return [];
    if (test[0] === "CMD-SHELL") return shellCommands(test.slice(1).join(" "));
    if (test[0] === "CMD") return [test.slice(1)];
    if (test[0] === "NONE") return [];
    return [test];
}

// ---------------------------------------------------------------- docker run

// `docker run` options that take no value; every other option takes one.
const BOOLEAN_LONG_OPTIONS = new Set([
    "detach", "disable-content-trust", "help", "init", "interactive", "no-healthcheck", "oom-kill-disable",
    "privileged", "publish-all", "quiet", "read-only", "rm", "sig-proxy", "tty", "use-api-socket",
]);
const BOOLEAN_SHORT_OPTIONS = new Set(["d", "i", "t", "P", "q"]);
const SHORT_OPTIONS: Record<string, string> = {
    a: "attach", c: "cpu-shares", e: "env", h: "hostname", l: "label", m: "memory", p: "publish", u: "user", v: "volume", w: "workdir",
};
const CONTAINER_CLIS = new Set(["docker", "podman", "nerdctl"]);

export interface DockerRun {
    options: { name: string; value: string }[];
    image: string | undefined;
    /** Arguments after the image: the container's command. */
    args: string[];
}

/** The `docker run` / `docker create` invocations among a command's tokens. */
export function dockerRuns(tokens: string[]): DockerRun[] {
    const runs: DockerRun[] = [];
    for (let k = 0; k < tokens.length; k++) {
        if (!CONTAINER_CLIS.has(programOf(tokens[k]))) continue;
        let next = k + 1;
        if (tokens[next] === "container") next++;
        if (tokens[next] !== "run" && tokens[next] !== "create") continue;
        runs.push(parseDockerRun(tokens.slice(next + 1)));
    }
    return runs;
}

export function parseDockerRun(args: string[]): DockerRun {
    const options: { name: string; value: string }[] = [];
    let i = 0;
    while (i < args.length) {
        const arg = args[i];
        if (arg === "--") {
            i++;
            break;
        }
        if (arg.startsWith("--")) {
            const eq = arg.indexOf("=");
            if (eq >= 0) {
                options.push({ name: arg.slice(2, eq), value: arg.slice(eq + 1) });
                i++;
            } else if (BOOLEAN_LONG_OPTIONS.has(arg.slice(2))) {
                options.push({ name: arg.slice(2), value: "true" });
                i++;
            } else {
                options.push({ name: arg.slice(2), value: args[i + 1] ?? "" });
                i += 2;
            }
            continue;
        }
        if (arg.startsWith("-") && arg.length > 1) {
            // A cluster of short options such as -it or -u1000:100.
            for (let j = 1; j < arg.length; j++) {
                const ch = arg[j];
                if (BOOLEAN_SHORT_OPTIONS.has(ch)) {
                    options.push({ name: ch, value: "true" });
                    continue;
                }
                let value = arg.slice(j + 1).replace(/^=/, "");
                if (value === "") {
                    value = args[i + 1] ?? "";
                    i++;
                }
                options.push({ name: SHORT_OPTIONS[ch] ?? ch, value });
                break;
            }
            i++;
            continue;
        }
        break;
    }
    return { options, image: args[i], args: args.slice(i + 1) };
}

function optionValues(run: DockerRun, name: string): string[] {
    return run.options.filter(o => o.name === name).map(o => o.value);
}

function runMounts(run: DockerRun): Mount[] {
    const mounts: Mount[] = [];
    for (const spec of optionValues(run, "volume")) {
        const parts = spec.split(":");
        if (parts.length === 1) {
            mounts.push({ containerPath: parts[0], kind: "ephemeral", source: "an anonymous volume" });
            continue;
        }
        const [source, containerPath] = parts;
        const kind = source.startsWith("$") ? "unknown" : source.startsWith("/") ? "host-path" : "ephemeral";
        mounts.push({ containerPath, kind, source: kind === "ephemeral" ? `docker volume ${source}` : source });
    }
    for (const spec of optionValues(run, "mount")) {
        const fields = new Map(spec.split(",").map(kv => {
            const eq = kv.indexOf("=");
            return (eq < 0 ? [kv, "true"] : [kv.slice(0, eq), kv.slice(eq + 1)]) as [string, string];
        }));
        const target = fields.get("target") ?? fields.get("destination") ?? fields.get("dst");
        if (target === undefined) continue;
        const source = fields.get("source") ?? fields.get("src") ?? "";
        const type = fields.get("type") ?? "volume";
        const kind = source.startsWith("$") ? "unknown" : type === "bind" ? "host-path" : "ephemeral";
        mounts.push({ containerPath: target, kind, source: type === "bind" ? source : `${type} ${source}`.trim() });
    }
    return mounts;
}

function runEnv(run: DockerRun): EnvVar[] {
    return optionValues(run, "env").flatMap(spec => {
        const eq = spec.indexOf("=");
        // `-e NAME` passes the CLI's own variable through: nothing literal here.
        return eq < 0 ? [] : [{ name: spec.slice(0, eq), value: spec.slice(eq + 1) }];
    });
}

function containerOfRun(run: DockerRun, where: string): Container {
    const users = optionValues(run, "user");
    const privileged = optionValues(run, "privileged");
    const entrypoint = optionValues(run, "entrypoint");
    return {
        runner: "gce",
        label: `the docker run of ${run.image ?? "an unnamed image"} in ${where}`,
        image: run.image === undefined || run.image.startsWith("$") ? UNKNOWN : run.image,
        user: users.length === 0 ? undefined : users[users.length - 1].startsWith("$") ? UNKNOWN : users[users.length - 1],
        privileged: privileged.length === 0 ? undefined : privileged[privileged.length - 1] !== "false",
        capAdd: optionValues(run, "cap-add").flatMap(v => v.split(",")),
        env: runEnv(run),
        commands: expandShells([[...entrypoint, ...run.args], ...optionValues(run, "health-cmd").flatMap(shellCommands)]),
        mounts: runMounts(run),
    };
}

// ---------------------------------------------------------------- GCE boot documents

/** A piece of text a VM is given at boot, with where it was found. */
export interface BootText {
    where: string;
    text: string;
    /**
     * `file`: a write_files entry that is data (a unit, an env file, a config file); `script`: something a shell
     * runs (a runcmd entry, a startup script, a written file with a shebang or a .sh name).
     */
    kind: "file" | "script";
}

export interface BootCommand {
    where: string;
    tokens: string[];
}

export interface GuestConfig {
    /** Metadata entries other than the boot documents. */
    metadata: { key: string; value: Maybe<string> }[];
    texts: BootText[];
    commands: BootCommand[];
}

/** Metadata keys a VM runs or reads at boot. */
const BOOT_DOCUMENT_KEYS = ["user-data", "startup-script"];

function decodeWriteFile(content: string, encoding: string | undefined): string | undefined {
    try {
        switch ((encoding ?? "").toLowerCase()) {
            case "":
            case "text/plain":
                return content;
            case "b64":
            case "base64":
                return Buffer.from(content, "base64").toString("utf8");
            case "gz+b64":
            case "gz+base64":
            case "gzip+b64":
            case "gzip+base64":
                return gunzipSync(Buffer.from(content, "base64")).toString("utf8");
            default:
                return undefined;
        }
    } catch {
        return undefined;
    }
}

/**
 * Reads a user-data document: cloud-config YAML (write_files, runcmd, bootcmd) or anything else as a script.
 * Texts go to `into.texts`; runcmd/bootcmd entries given as argument lists go to `argv`.
 */
function readBootDocument(text: string, where: string, into: GuestConfig, argv: BootCommand[]): void {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch {
        doc = undefined;
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
        into.texts.push({ where, text, kind: "script" });
        return;
    }
    const config = doc as Record<string, unknown>;
    for (const file of Array.isArray(config.write_files) ? config.write_files : []) {
        if (file === null || typeof file !== "object") continue;
        const f = file as Record<string, unknown>;
        if (typeof f.content !== "string") continue;
        const content = decodeWriteFile(f.content, typeof f.encoding === "string" ? f.encoding : undefined);
        if (content === undefined) continue;
        const path = String(f.path ?? "?");
        const script = content.startsWith("#!") || /\.(sh|bash)$/.test(path);
        into.texts.push({ where: `${where} write_files ${path}`, text: content, kind: script ? "script" : "file" });
    }
    for (const section of ["bootcmd", "runcmd"]) {
        const entries = Array.isArray(config[section]) ? (config[section] as unknown[]) : [];
        entries.forEach((entry, i) => {
            const entryWhere = `${where} ${section}[${i}]`;
            if (typeof entry === "string") into.texts.push({ where: entryWhere, text: entry, kind: "script" });
            else if (Array.isArray(entry)) argv.push({ where: entryWhere, tokens: entry.map(String) });
        });
    }
}

/** Everything a GCE instance or template hands its VM at boot. */
export function guestConfigOf(props: Record<string, unknown>): GuestConfig | Unknown {
    const metadata = record(props.metadata);
    if (isUnknown(metadata)) return UNKNOWN;
    const guest: GuestConfig = { metadata: [], texts: [], commands: [] };
    const documents: { where: string; value: Maybe<string> }[] = [];
    for (const [key, value] of Object.entries(metadata ?? {})) {
        if (BOOT_DOCUMENT_KEYS.includes(key)) documents.push({ where: `metadata["${key}"]`, value: str(value) });
        else guest.metadata.push({ key, value: str(value) });
    }
    documents.push({ where: "metadataStartupScript", value: str(props.metadataStartupScript) });
    const argv: BootCommand[] = [];
    for (const { where, value } of documents) {
        if (value === undefined || isUnknown(value)) continue;
        readBootDocument(value, where, guest, argv);
    }
    for (const text of guest.texts) {
        for (const tokens of expandShells(shellCommands(text.text))) guest.commands.push({ where: text.where, tokens });
    }
    for (const command of argv) {
        for (const tokens of expandShells([command.tokens])) guest.commands.push({ where: command.where, tokens });
    }
    return guest;
}

// ---------------------------------------------------------------- per back-end

/** flatMap over a list that may be absent or unknown, keeping which. */
function mapKnown<T>(items: Maybe<unknown[]>, f: (item: unknown) => T[]): Maybe<T[]> {
    if (items === undefined || isUnknown(items)) return items;
    return items.flatMap(f);
}

function ecsContainers(props: Record<string, unknown>): Containers | Unknown {
    const definitions = str(props.containerDefinitions);
    if (definitions === undefined) return { containers: [] };
    if (isUnknown(definitions)) return UNKNOWN;
    let parsed: unknown;
    try {
        parsed = JSON.parse(definitions);
    } catch {
        return UNKNOWN;
    }
    if (!Array.isArray(parsed)) return UNKNOWN;

    const volumes = list(props.volumes);
    const volumeKinds = new Map<string, Mount["kind"]>();
    if (Array.isArray(volumes)) {
        for (const v of volumes) {
            const name = str(at(v, "name"));
            if (typeof name !== "string") continue;
            const efs = at(v, "efsVolumeConfiguration");
            volumeKinds.set(name, isUnknown(efs) ? "unknown" : efs !== undefined ? "persistent-volume" : "ephemeral");
        }
    }

    const containers = parsed.map((raw, i): Container => {
        const def = (raw ?? {}) as Record<string, unknown>;
        const name = typeof def.name === "string" ? def.name : `#${i}`;
        const env = list(def.environment);
        const mountPoints = list(def.mountPoints);
        return {
            runner: "ecs",
            label: `containerDefinitions[${i}] ("${name}")`,
            image: str(def.image),
            user: str(def.user),
            privileged: bool(def.privileged),
            capAdd: strings(at(def, "linuxParameters", "capabilities", "add")),
            env: mapKnown(env, e => {
                const n = str(at(e, "name"));
                return typeof n === "string" ? [{ name: n, value: str(at(e, "value")) }] : [];
            }),
            commands: expandShells([
                [...(strings(def.entryPoint) as string[] | undefined ?? []), ...(strings(def.command) as string[] | undefined ?? [])],
                ...healthCheckCommands(strings(at(def, "healthCheck", "command"))),
            ]),
            mounts: isUnknown(volumes)
                ? UNKNOWN
                : mapKnown(mountPoints, m => {
                      const containerPath = str(at(m, "containerPath"));
                      const source = str(at(m, "sourceVolume"));
                      if (typeof containerPath !== "string" || typeof source !== "string") return [];
                      return [{ containerPath, kind: volumeKinds.get(source) ?? "ephemeral", source: `task volume "${source}"` }];
                  }),
        };
    });
    return { containers };
}

function gceContainers(props: Record<string, unknown>): Containers | Unknown {
    const guest = guestConfigOf(props);
    if (isUnknown(guest)) return UNKNOWN;
    const containers: Container[] = [];
    for (const command of guest.commands) {
        for (const run of dockerRuns(command.tokens)) containers.push(containerOfRun(run, command.where));
    }
    return { containers };
}

function dockerContainers(props: Record<string, unknown>): Containers {
    const envs = strings(props.envs);
    const volumes = list(props.volumes);
    const mounts = list(props.mounts);
    const allMounts: Maybe<Mount[]> =
        isUnknown(volumes) || isUnknown(mounts)
            ? UNKNOWN
            : [
                  ...(volumes ?? []).flatMap(v => {
                      const containerPath = str(at(v, "containerPath"));
                      if (typeof containerPath !== "string") return [];
                      const hostPath = str(at(v, "hostPath"));
                      const volumeName = str(at(v, "volumeName"));
                      const known = typeof hostPath === "string" ? hostPath : typeof volumeName === "string" ? `docker volume ${volumeName}` : undefined;
                      const unknown = isUnknown(hostPath) || isUnknown(volumeName);
                      return [{ containerPath, kind: unknown ? "unknown" : known ? "persistent-volume" : "ephemeral", source: known ?? "an anonymous volume" } as Mount];
                  }),
                  ...(mounts ?? []).flatMap(m => {
                      const target = str(at(m, "target"));
                      if (typeof target !== "string") return [];
                      const type = str(at(m, "type"));
                      const kind: Mount["kind"] = isUnknown(type) ? "unknown" : type === "bind" || type === "volume" ? "persistent-volume" : "ephemeral";
                      return [{ containerPath: target, kind, source: `${String(type)} ${String(str(at(m, "source")) ?? "")}`.trim() }];
                  }),
              ];
    return {
        containers: [
            {
                runner: "docker",
                label: "the container",
                image: str(props.image),
                user: str(props.user),
                privileged: bool(props.privileged),
                capAdd: strings(at(props, "capabilities", "adds")),
                env: isUnknown(envs)
                    ? UNKNOWN
                    : (envs ?? []).flatMap(spec => {
                          const eq = spec.indexOf("=");
                          return eq < 0 ? [] : [{ name: spec.slice(0, eq), value: spec.slice(eq + 1) }];
                      }),
                commands: expandShells([
                    [...((strings(props.entrypoints) as string[] | undefined) ?? []), ...((strings(props.command) as string[] | undefined) ?? [])],
                    ...healthCheckCommands(strings(at(props, "healthcheck", "tests"))),
                ]),
                mounts: allMounts,
            },
        ],
    };
}

// ---------------------------------------------------------------- a zonal service's published specs

/**
 * What a zonal service publishes, as its inputs and among its outputs: the pack's own statement of the shape
 * components/topology PublishedService builds (a test binds the two).
 */
export interface PublishedServiceShape {
    zone: string;
    containers: {
        name: string;
        /** The reference the runtime pulls, through the stack's registry mirror. */
        image: string;
        user: { uid: number; gid: number };
        entrypoint?: string[];
        command?: string[];
        /** `value` absent: computed from other resources, unknown until they exist. */
        env: { name: string; value?: string }[];
        /** Variables read from the secret store at start: names only. */
        secrets: string[];
        /** Volumes: zonal persistent volumes (EFS on AWS, a persistent disk on GCP). */
        mounts: { volume: string; path: string }[];
        /** A tmpfs: empty at every start. */
        memoryScratch?: { path: string; sizeMiB: number };
        ports: { port: number; protocol: string }[];
    }[];
}

/** A published uid:gid as the runtimes write it, unknown when either part is not a number. */
function publishedUser(user: unknown): Maybe<string> {
    if (user === undefined) return undefined;
    const uid = at(user, "uid");
    const gid = at(user, "gid");
    return typeof uid === "number" && typeof gid === "number" ? `${uid}:${gid}` : UNKNOWN;
}

function serviceContainers(props: Record<string, unknown>): Containers | Unknown {
    const published = list(props.containers);
    if (published === undefined) return { containers: [] };
    if (isUnknown(published)) return UNKNOWN;
    const containers = published.map((raw, i): Container => {
        const name = str(at(raw, "name"));
        const entrypoint = strings(at(raw, "entrypoint"));
        const command = strings(at(raw, "command"));
        const volumes = list(at(raw, "mounts"));
        const scratchPath = str(at(raw, "memoryScratch", "path"));
        return {
            runner: "service",
            label: `containers[${i}] ("${typeof name === "string" ? name : `#${i}`}")`,
            image: str(at(raw, "image")),
            user: publishedUser(at(raw, "user")),
            // A spec has no way to ask for either.
            privileged: undefined,
            capAdd: [],
            env: mapKnown(list(at(raw, "env")), e => {
                const n = str(at(e, "name"));
                // Absent: computed from another resource's output, not published.
                const value = str(at(e, "value"));
                return typeof n === "string" ? [{ name: n, value: value === undefined ? UNKNOWN : value }] : [];
            }),
            commands: isUnknown(entrypoint) || isUnknown(command)
                ? UNKNOWN
                : expandShells([[...(entrypoint ?? []), ...(command ?? [])]]),
            mounts: isUnknown(volumes) || isUnknown(scratchPath)
                ? UNKNOWN
                : [
                      ...(volumes ?? []).flatMap((m): Mount[] => {
                          const path = str(at(m, "path"));
                          const volume = str(at(m, "volume"));
                          if (typeof path !== "string") return [];
                          return [{ containerPath: path, kind: "persistent-volume", source: `volume ${typeof volume === "string" ? volume : "?"}` }];
                      }),
                      ...(typeof scratchPath === "string" ? [{ containerPath: scratchPath, kind: "ephemeral" as const, source: "its memory scratch (a tmpfs)" }] : []),
                  ],
        };
    });
    return { containers };
}

/**
 * Whether a resource is a task definition or VM a zonal service declared (its direct child, as its URN's parent
 * type says): the containers it runs are the service's published specs, judged on the service.
 */
export function rendersPublishedSpecs(urn: string): boolean {
    const types = (urn.split("::")[2] ?? "").split("$");
    const own = types[types.length - 1];
    // A docker container is what the engine runs, as it runs it: judged on its own too, the back-end's additions
    // beside the service's containers (the sandbox holding their network, the delivery of their secrets) included.
    if (own === T.dockerContainer) return false;
    return types.length >= 2 && types[types.length - 2] === T.zonalService && (CONTAINER_TYPES as string[]).includes(own);
}

/**
 * A VM's boot configuration without the start scripts of its containers (the texts holding a `docker run`): what
 * is left is the back-end's own, judged on the VM when its containers' specs are judged on their service.
 */
export function withoutContainerStarts(guest: GuestConfig): GuestConfig {
    const starts = new Set(guest.commands.filter(c => dockerRuns(c.tokens).length > 0).map(c => c.where));
    return {
        metadata: guest.metadata,
        texts: guest.texts.filter(t => !starts.has(t.where)),
        commands: guest.commands.filter(c => !starts.has(c.where)),
    };
}

/** The containers a resource runs; UNKNOWN when the definition itself cannot be known during preview. */
export function containersOf(type: string, props: Record<string, unknown>): Containers | Unknown {
    if (type === T.ecsTaskDefinition) return ecsContainers(props);
    if ((GCE_VM_TYPES as string[]).includes(type)) return gceContainers(props);
    if (type === T.dockerContainer) return dockerContainers(props);
    if (type === T.zonalService) return serviceContainers(props);
    return { containers: [] };
}

/** Repository of an image reference without registry host, tag or digest: "ipfs/kubo". */
export function imageRepository(image: string): string {
    const noDigest = image.split("@")[0];
    const slash = noDigest.lastIndexOf("/");
    const colon = noDigest.indexOf(":", slash + 1);
    const path = colon < 0 ? noDigest : noDigest.slice(0, colon);
    const parts = path.split("/");
    if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) parts.shift();
    if (parts[0] === "library") parts.shift();
    return parts.join("/");
}

/**
 * Whether an image's repository matches a pattern such as "ipfs/kubo" or "ceramicnetwork/*", as a whole or as
 * its last components: a registry mirror keeps the upstream path under its own prefix (web3-dev/dockerhub/ipfs/kubo).
 */
export function imageMatches(image: string, pattern: string): boolean {
    const repository = imageRepository(image);
    const regex = new RegExp(`^(?:[^]*/)?${pattern.split("*").map(p => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join("[^]*")}$`);
    return regex.test(repository);
}
