// What a service's instance does at boot, as a cloud-config document for Container-Optimized OS: mount the
// volumes, read the secrets, run each container as a systemd unit that restarts it whenever it exits.
// Container-Optimized OS applies the document on every boot, so the units and scripts are always the ones
// of the instance template the instance was made from. Plain functions of plain data: testable offline.
import * as YAML from "yaml";
import { MemoryScratch, RunAs } from "../topology";
import { describeUser } from "../topology/rules";
import { parseImageReference } from "../topology/images";
import { isArtifactRegistryHost } from "./registryMirror";

/** Where the boot scripts live on the host. */
export const HOST_CONFIG_DIR = "/etc/web3-nodes";
export const UNIT_DIR = "/etc/systemd/system";
/** Where udev links each attached disk by the device name it was attached under: google-<device name>. */
export const DEVICE_DIR = "/dev/disk/by-id";
export const METADATA_SERVER = "http://metadata.google.internal";
const METADATA_TOKEN_URL = `${METADATA_SERVER}/computeMetadata/v1/instance/service-accounts/default/token`;
export const SECRET_MANAGER_API = "https://secretmanager.googleapis.com/v1";
/**
 * How the secrets script retries: for as long as it takes, since an IAM grant can take minutes to reach a new
 * instance and a service without its secrets is down; backing off to one try a minute.
 */
const SECRET_RETRY = { firstDelaySeconds: 10, maxDelaySeconds: 60 } as const;
/** The tmpfs the host keeps the secrets on: small, root's alone, nothing on it runs. */
const SECRETS_TMPFS_OPTIONS = "mode=0700,size=16m,nosuid,nodev,noexec";
/** Where a container finds its secrets: one file bound read-only from the host's tmpfs, NAME=value per line. */
export const CONTAINER_SECRETS_FILE = "/run/web3-secrets/env";
/** Options of a container's memory scratch tmpfs besides its size and owner (moby pkg/mount ParseTmpfsOptions). */
const SCRATCH_TMPFS_OPTIONS = ["rw", "nosuid", "nodev", "noexec", "mode=0700"] as const;
/** How long to wait for a disk to appear under /dev/disk/by-id after boot. */
const DISK_WAIT = { count: 90, delaySeconds: 2 } as const;
const STOP_TIMEOUT_SECONDS = 30;

export const UNITS = {
    volumes: "web3-volumes.service",
    secrets: "web3-secrets.service",
    container: (name: string) => `web3-container-${name}.service`,
} as const;

export interface HostVolume {
    /** The disk's device name: it appears as /dev/disk/by-id/google-<device>. */
    device: string;
    mountPoint: string;
    owner: RunAs;
    /** The size the disk was made with: a blank disk smaller than this is not the volume's. */
    sizeGiB: number;
}

export interface HostSecretEnv {
    /** Environment variable the value is given as. */
    name: string;
    /**
     * The Secret Manager version the instance reads, `projects/<p>/secrets/<id>/versions/<n>`: the one its
     * template was made with, so a new value makes a new template and a reboot never changes what runs.
     */
    version: string;
}

export interface HostContainer {
    name: string;
    image: string;
    entrypoint?: string[];
    command?: string[];
    env: Record<string, string>;
    secrets: HostSecretEnv[];
    user: RunAs;
    mounts: { hostPath: string; containerPath: string }[];
    memoryMiB: number;
    memoryScratch?: MemoryScratch;
}

export interface HostSpec {
    /** The service's name; names its runtime directory. */
    service: string;
    /**
     * Ports the host firewall accepts. Container-Optimized OS's own firewall drops every inbound connection but
     * SSH (cloud.google.com/container-optimized-os/docs/how-to/firewall), and containers share the host's
     * network: without these rules nothing reaches them, whatever the VPC firewall allows. None when absent.
     */
    inbound?: { port: number; protocol: "tcp" | "udp" }[];
    volumes: HostVolume[];
    containers: HostContainer[];
}

export interface HostFile {
    path: string;
    permissions: string;
    content: string;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One shell word that means exactly `word` to bash and sh, whatever it contains. */
export function shellQuote(word: string): string {
    if (SAFE_WORD.test(word)) return word;
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellWords(words: string[]): string {
    return words.map(shellQuote).join(" ");
}

export function runtimeDir(spec: HostSpec): string {
    return `/run/${spec.service}`;
}

/** On the tmpfs the secrets script mounts: gone at shutdown, never on a disk or in a snapshot. */
export function envFilePath(spec: HostSpec, container: string): string {
    return `${runtimeDir(spec)}/${container}.env`;
}

export const SCRIPTS = {
    volumes: `${HOST_CONFIG_DIR}/mount-volumes.sh`,
    secrets: `${HOST_CONFIG_DIR}/fetch-secrets.sh`,
    container: (name: string) => `${HOST_CONFIG_DIR}/run-${name}.sh`,
} as const;

/** Every problem that would make the host configuration wrong or unsafe, naming the container. */
export function hostSpecProblems(spec: HostSpec): string[] {
    const problems: string[] = [];
    if (!/^[a-z][a-z0-9-]*$/.test(spec.service)) problems.push(`service name "${spec.service}" must be lowercase letters, digits and dashes`);
    for (const c of spec.containers) {
        const where = `service ${spec.service}, container ${c.name}`;
        for (const name of [...Object.keys(c.env), ...c.secrets.map(s => s.name)]) {
            if (!ENV_NAME.test(name)) problems.push(`${where}: "${name}" is not a valid environment variable name`);
        }
        const both = Object.keys(c.env).filter(k => c.secrets.some(s => s.name === k));
        if (both.length > 0) problems.push(`${where}: ${both.join(", ")} given both as env and as secret`);
        for (const [k, v] of Object.entries(c.env)) {
            if (v.includes("\n")) problems.push(`${where}: env ${k} spans several lines`);
        }
        for (const m of c.mounts) {
            if (/[:,]/.test(m.hostPath + m.containerPath)) problems.push(`${where}: mount path ${m.containerPath} must not contain ":" or ","`);
        }
        if (c.user.uid <= 0) problems.push(`${where}: runs as ${describeUser(c.user)}; nothing runs as root`);
        if (c.secrets.length > 0 && !(c.entrypoint && c.entrypoint.length > 0)) {
            problems.push(`${where}: reads secrets, which its shell hands to its entrypoint: give the entrypoint`);
        }
        if (c.memoryScratch && /[:,\s]/.test(c.memoryScratch.path)) problems.push(`${where}: memoryScratch path ${c.memoryScratch.path} must not contain ":", "," or spaces`);
    }
    return problems;
}

function script(description: string[], body: string[]): string {
    return ["#!/bin/bash", ...description.map(l => `# ${l}`), "set -euo pipefail", "", ...body, ""].join("\n");
}

/** Bytes in the GB of a disk's size: "the size of the disk in base-2 GB" (compute v1 AttachedDiskInitializeParams.diskSizeGb). */
const DISK_GB_BYTES = 1024 ** 3;
/**
 * Where the signatures blkid knows live: the first and the last MiB of a disk (superblocks, partition tables
 * and their backups, RAID metadata at the end). A disk Compute Engine made blank reads as zeros there.
 */
const SIGNATURE_AREA_BYTES = 1024 * 1024;

/**
 * Mounts each volume's disk, formatting it only when it is proven blank. `blkid -p` exits 0 when it finds a
 * signature, 2 when it finds none and also when it cannot read the disk, 8 when the signatures contradict
 * each other, 4 on any other error (man blkid, EXIT STATUS; util-linux misc-utils/blkid.c lowprobe_device).
 * So a 2 counts as blank only with nothing on blkid's stderr, the disk at least the size it was made with,
 * and its first and last MiB read back as zeros. ext4 is mounted as it is; anything else is refused loudly
 * and left untouched.
 */
export function volumesScript(spec: HostSpec): string {
    const zeroCheck = SIGNATURE_AREA_BYTES / 1024;
    return script(
        [`Attaches the volumes of service ${spec.service}: waits for each disk, formats it only when it is proven`, "blank, mounts it and hands its root to the volume's owner. Refuses any disk it cannot vouch for."],
        [
            "# reads_as_zeros DEVICE OFFSET_KIB: fails if the MiB at OFFSET_KIB cannot be read (status 2) or holds a non-zero byte.",
            "reads_as_zeros() {",
            "  local nonzero",
            `  nonzero="$(dd if="$1" bs=1024 skip="$2" count=${zeroCheck} status=none | tr -d '\\000' | wc -c)" || return 2`,
            '  [ "$nonzero" -eq 0 ]',
            "}",
            "",
            "# mount_volume DEVICE MOUNT_POINT OWNER SIZE_BYTES",
            "mount_volume() {",
            '  local device="$1" mount_point="$2" owner="$3" expected_bytes="$4" attempt size probe type status=0 area',
            `  for attempt in $(seq 1 ${DISK_WAIT.count}); do`,
            '    if [ -e "$device" ]; then',
            "      break",
            "    fi",
            '    echo "waiting for ${device} (${attempt})"',
            `    sleep ${DISK_WAIT.delaySeconds}`,
            "  done",
            '  if [ ! -e "$device" ]; then',
            `    echo "\${device} never appeared in ${DISK_WAIT.count * DISK_WAIT.delaySeconds} seconds: is the disk attached under that device name?" >&2`,
            "    return 1",
            "  fi",
            "  # Only a block device has a size to give.",
            '  if ! size="$(blockdev --getsize64 "$device")"; then',
            '    echo "${device} is not an attached disk" >&2',
            "    return 1",
            "  fi",
            '  probe="$(blkid -p -o export "$device" 2>&1)" || status=$?',
            '  case "$status" in',
            "    0)",
            `      type="$(printf '%s\\n' "$probe" | sed -n 's/^TYPE=//p')"`,
            '      if [ "$type" != ext4 ]; then',
            '        echo "${device} holds ${type:-a partition table or an unknown signature}, not the ext4 filesystem of a volume: leaving it alone" >&2',
            `        printf '%s\\n' "$probe" >&2`,
            "        return 1",
            "      fi",
            "      ;;",
            "    2)",
            '      if [ -n "$probe" ]; then',
            '        echo "blkid cannot probe ${device}: ${probe}" >&2',
            "        return 1",
            "      fi",
            '      if [ "$size" -lt "$expected_bytes" ]; then',
            '        echo "${device} is ${size} bytes, less than the ${expected_bytes} bytes of its volume: not the disk made for it, leaving it alone" >&2',
            "        return 1",
            "      fi",
            `      for area in 0 $(( size / 1024 - ${zeroCheck} )); do`,
            "        status=0",
            '        reads_as_zeros "$device" "$area" || status=$?',
            '        if [ "$status" -eq 2 ]; then',
            '          echo "cannot read ${device} at ${area} KiB: leaving it alone" >&2',
            "          return 1",
            '        elif [ "$status" -ne 0 ]; then',
            '          echo "${device} holds data blkid does not recognise (at ${area} KiB): it is not blank, leaving it alone" >&2',
            "          return 1",
            "        fi",
            "      done",
            '      echo "${device} is blank: formatting it"',
            '      mkfs.ext4 -m 0 -E lazy_itable_init=0,lazy_journal_init=0,discard "$device"',
            "      ;;",
            "    *)",
            '      echo "blkid cannot tell what ${device} holds (exit ${status}): leaving it alone" >&2',
            `      printf '%s\\n' "$probe" >&2`,
            "      return 1",
            "      ;;",
            "  esac",
            '  mkdir -p "$mount_point"',
            '  if ! mountpoint -q "$mount_point"; then',
            '    mount -o discard,defaults,nosuid,nodev "$device" "$mount_point"',
            "  fi",
            "  # Grows the filesystem after the disk was enlarged; does nothing otherwise.",
            '  resize2fs "$device"',
            '  chown "$owner" "$mount_point"',
            "}",
            "",
            ...spec.volumes.map(v => `mount_volume ${shellWords([`${DEVICE_DIR}/google-${v.device}`, v.mountPoint, describeUser(v.owner), String(v.sizeGiB * DISK_GB_BYTES)])}`),
        ],
    );
}

/**
 * Reads the secrets with the instance's own service account (its token from the metadata server) through
 * the Secret Manager REST API, into one env file per container on a tmpfs of the service's own: in memory
 * only, whatever /run is, readable by the container's user alone. It tries until it has them all, backing
 * off to a try a minute: the containers are ordered after it and start once it is done. The token reaches
 * curl on stdin and the values only pass through builtins, so neither appears on a command line; nothing
 * is traced.
 */
export function secretsScript(spec: HostSpec): string {
    const withSecrets = spec.containers.filter(c => c.secrets.length > 0);
    const runtime = runtimeDir(spec);
    return script(
        [`Reads the secrets of service ${spec.service} from Secret Manager into env files on a tmpfs, one per container.`],
        [
            "umask 077",
            `readonly TOKEN_URL=${shellQuote(METADATA_TOKEN_URL)}`,
            `readonly API=${shellQuote(SECRET_MANAGER_API)}`,
            "token=''",
            "",
            "fetch_token() {",
            "  local response",
            "  response=\"$(curl --silent --show-error --fail --retry 5 --retry-connrefused --header 'Metadata-Flavor: Google' \"$TOKEN_URL\")\" || return 1",
            "  token=\"$(printf '%s' \"$response\" | sed -n 's/.*\"access_token\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p')\"",
            '  [ -n "$token" ]',
            "}",
            "",
            "secret_value() {",
            '  local version="$1" response data',
            "  response=\"$(printf 'header = \"Authorization: Bearer %s\"\\n' \"$token\" | curl --silent --show-error --fail --retry 5 --retry-connrefused --config - \"${API}/${version}:access\")\" || return 1",
            "  data=\"$(printf '%s' \"$response\" | sed -n 's/.*\"data\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p')\"",
            "  printf '%s' \"$data\" | base64 --decode",
            "}",
            "",
            "# write_env_file FILE OWNER NAME VERSION [NAME VERSION]...: a file only OWNER reads, replaced whole.",
            "write_env_file() {",
            '  local file="$1" owner="$2" tmp name version value',
            "  shift 2",
            '  tmp="$(mktemp "${file}.XXXXXX")" || return 1',
            '  while [ "$#" -ge 2 ]; do',
            '    name="$1"',
            '    version="$2"',
            "    shift 2",
            '    if ! value="$(secret_value "$version")"; then',
            '      echo "cannot read secret ${version} for ${name}" >&2',
            '      rm -f "$tmp"',
            "      return 1",
            "    fi",
            "    if [[ \"$value\" == *$'\\n'* ]]; then",
            '      echo "secret ${version} for ${name} spans several lines, which an env file cannot hold" >&2',
            '      rm -f "$tmp"',
            "      return 1",
            "    fi",
            "    printf '%s=%s\\n' \"$name\" \"$value\" >> \"$tmp\"",
            "  done",
            '  chmod 0400 "$tmp"',
            '  chown "$owner" "$tmp"',
            '  mv -f "$tmp" "$file"',
            "}",
            "",
            "fetch_all() {",
            "  fetch_token || return 1",
            ...withSecrets.map(c =>
                `  write_env_file ${shellWords([envFilePath(spec, c.name), describeUser(c.user), ...c.secrets.flatMap(s => [s.name, s.version])])} || return 1`),
            "}",
            "",
            `mkdir -p ${shellQuote(runtime)}`,
            `if ! mountpoint -q ${shellQuote(runtime)}; then`,
            `  mount -t tmpfs -o ${SECRETS_TMPFS_OPTIONS} tmpfs ${shellQuote(runtime)}`,
            "fi",
            `delay=${SECRET_RETRY.firstDelaySeconds}`,
            "attempt=1",
            "until fetch_all; do",
            '  echo "reading secrets failed (attempt ${attempt}); retrying in ${delay} seconds" >&2',
            '  sleep "$delay"',
            `  delay=$(( delay * 2 > ${SECRET_RETRY.maxDelaySeconds} ? ${SECRET_RETRY.maxDelaySeconds} : delay * 2 ))`,
            "  attempt=$(( attempt + 1 ))",
            "done",
            'echo "read every secret (attempt ${attempt})"',
        ],
    );
}

/**
 * `docker run` for one container, an option and its value per line: its user, host networking, its env file,
 * its volumes, logs to Cloud Logging. No --privileged, no added capability.
 */
export function dockerRunLines(spec: HostSpec, c: HostContainer): string[][] {
    const lines = [
        ["run", "--rm"],
        ["--name", c.name],
        ["--user", describeUser(c.user)],
        // Host networking: the ports are the instance's, reached through its firewall rules and load balancers.
        ["--network", "host"],
        ["--cap-drop", "ALL"],
        ["--security-opt", "no-new-privileges"],
        // A hard memory limit (a leaking daemon is restarted, not the whole host starved); no CPU cap: cpu
        // sizes the machine, and a container may use cores the others leave idle.
        ["--memory", `${c.memoryMiB}m`],
        ["--stop-timeout", String(STOP_TIMEOUT_SECONDS)],
        ["--log-driver", "gcplogs"],
        // Only the service's liveness replaces anything; an image's own HEALTHCHECK is not run (as on ECS).
        ["--no-healthcheck"],
    ];
    for (const key of Object.keys(c.env).sort()) lines.push(["--env", `${key}=${c.env[key]}`]);
    for (const m of c.mounts) lines.push(["--volume", `${m.hostPath}:${m.containerPath}`]);
    if (c.memoryScratch) lines.push(["--tmpfs", memoryScratchTmpfs(c)]);
    // Docker writes a container's environment into its configuration on the boot disk
    // (/var/lib/docker/containers/<id>/config.v2.json): secrets come as a file bound from the host's tmpfs
    // instead, and the image's shell puts them into the environment of the entrypoint it then becomes.
    const entrypoint = c.secrets.length > 0 ? [CONTAINER_SHELL, "-c", secretsLoader(), SECRETS_LOADER_NAME, ...(c.entrypoint ?? [])] : c.entrypoint ?? [];
    if (c.secrets.length > 0) lines.push(["--mount", `type=bind,source=${envFilePath(spec, c.name)},target=${CONTAINER_SECRETS_FILE},readonly`]);
    const [executable, ...entrypointArgs] = entrypoint;
    if (executable !== undefined) lines.push(["--entrypoint", executable]);
    lines.push([c.image, ...entrypointArgs, ...(c.command ?? [])]);
    return lines;
}

/** The shell the secrets loader runs in: every image with secrets here has one (busybox ash, dash, bash). */
const CONTAINER_SHELL = "/bin/sh";
/** The loader's $0: its name in process listings and messages. */
const SECRETS_LOADER_NAME = "web3-secrets";

/**
 * The container's first process when it has secrets: exports each NAME=value line of its secrets file as it
 * is (`export "${line?}"` expands nothing in the value), then becomes the container's own entrypoint.
 */
export function secretsLoader(): string {
    return [
        `while IFS= read -r line || [ -n "$line" ]; do export "\${line?}"; done < ${CONTAINER_SECRETS_FILE}`,
        'exec "$@"',
    ].join("\n");
}

/** `--tmpfs PATH:OPTIONS` of a container's memory scratch, owned by the container's user. */
export function memoryScratchTmpfs(c: Pick<HostContainer, "memoryScratch" | "user">): string {
    const scratch = c.memoryScratch!;
    return `${scratch.path}:${[...SCRATCH_TMPFS_OPTIONS, `size=${scratch.sizeMiB}m`, `uid=${c.user.uid}`, `gid=${c.user.gid}`].join(",")}`;
}

export function dockerRunArgs(spec: HostSpec, c: HostContainer): string[] {
    return dockerRunLines(spec, c).flat();
}

/** Where the container scripts keep Docker's client configuration: root's home is read-only on Container-Optimized OS. */
export function dockerConfigDir(spec: HostSpec): string {
    return `${runtimeDir(spec)}/docker`;
}

/**
 * Lets docker pull the container's image from Artifact Registry with the instance's service account:
 * docker-credential-gcr, which Container-Optimized OS ships, registered as the credential helper of the host.
 */
export function registryAuthLines(spec: HostSpec, c: HostContainer): string[] {
    const { domain } = parseImageReference(c.image);
    if (!isArtifactRegistryHost(domain)) return [];
    return [
        `export DOCKER_CONFIG=${shellQuote(dockerConfigDir(spec))}`,
        'mkdir -p "$DOCKER_CONFIG"',
        `docker-credential-gcr configure-docker ${shellQuote(`--registries=${domain}`)}`,
    ];
}

/** Runs one container in the foreground for systemd, once its volumes are mounted and its secrets read. */
export function containerScript(spec: HostSpec, c: HostContainer): string {
    const preconditions = [
        ...c.mounts.map(m => m.hostPath).filter((p, i, all) => all.indexOf(p) === i).flatMap(p => [
            `if ! mountpoint -q ${shellQuote(p)}; then`,
            `  echo ${shellQuote(`${p} is not mounted yet`)} >&2`,
            "  exit 1",
            "fi",
        ]),
        ...(c.secrets.length > 0 ? [
            `if [ ! -f ${shellQuote(envFilePath(spec, c.name))} ]; then`,
            `  echo ${shellQuote(`the secrets of ${c.name} are not read yet`)} >&2`,
            "  exit 1",
            "fi",
        ] : []),
    ];
    const run = dockerRunLines(spec, c).map(shellWords);
    return script(
        [`Runs container ${c.name} of service ${spec.service}; systemd restarts it whenever it exits.`],
        [
            ...preconditions,
            ...registryAuthLines(spec, c),
            `docker rm --force ${shellQuote(c.name)} >/dev/null 2>&1 || true`,
            `exec /usr/bin/docker ${run.join(" \\\n  ")}`,
        ],
    );
}

function unitFile(sections: Record<string, [string, string][]>): string {
    return Object.entries(sections)
        .map(([section, entries]) => [`[${section}]`, ...entries.map(([k, v]) => `${k}=${v}`)].join("\n"))
        .join("\n\n") + "\n";
}

/** What a host needs besides the containers: only the steps a service has a use for. */
export function hostSteps(spec: HostSpec): { volumes: boolean; secrets: boolean } {
    return {
        volumes: spec.volumes.length > 0,
        secrets: spec.containers.some(c => c.secrets.length > 0),
    };
}

/** The systemd units: volumes, then secrets, then the containers in their order. */
export function hostUnits(spec: HostSpec): HostFile[] {
    const steps = hostSteps(spec);
    const before = [...(steps.volumes ? [UNITS.volumes] : []), ...(steps.secrets ? [UNITS.secrets] : [])];
    const units: HostFile[] = [];
    if (steps.volumes) {
        units.push({
            path: `${UNIT_DIR}/${UNITS.volumes}`,
            permissions: "0644",
            content: unitFile({
                Unit: [["Description", `Mount the volumes of ${spec.service}`]],
                Service: [["Type", "oneshot"], ["RemainAfterExit", "yes"], ["ExecStart", `/bin/bash ${SCRIPTS.volumes}`]],
            }),
        });
    }
    if (steps.secrets) {
        units.push({
            path: `${UNIT_DIR}/${UNITS.secrets}`,
            permissions: "0644",
            content: unitFile({
                Unit: [
                    ["Description", `Read the secrets of ${spec.service} from Secret Manager`],
                    ["Wants", "network-online.target"],
                    ["After", ["network-online.target", ...(steps.volumes ? [UNITS.volumes] : [])].join(" ")],
                ],
                // It retries until it has every secret, which takes as long as an IAM grant takes to arrive:
                // no start timeout, and the containers (ordered after it) wait until it is done.
                Service: [["Type", "oneshot"], ["RemainAfterExit", "yes"], ["TimeoutStartSec", "0"], ["ExecStart", `/bin/bash ${SCRIPTS.secrets}`]],
            }),
        });
    }
    spec.containers.forEach((c, i) => {
        const previous = i > 0 ? [UNITS.container(spec.containers[i - 1].name)] : [];
        units.push({
            path: `${UNIT_DIR}/${UNITS.container(c.name)}`,
            permissions: "0644",
            content: unitFile({
                Unit: [
                    ["Description", `Container ${c.name} of ${spec.service}`],
                    ["Requires", "docker.service"],
                    ["Wants", ["network-online.target", ...before].join(" ")],
                    ["After", ["docker.service", "network-online.target", ...before, ...previous].join(" ")],
                    // Never give up: a node that stopped restarting is a node that is gone.
                    ["StartLimitIntervalSec", "0"],
                ],
                Service: [
                    ["ExecStart", `/bin/bash ${SCRIPTS.container(c.name)}`],
                    ["ExecStop", `/usr/bin/docker stop --time ${STOP_TIMEOUT_SECONDS} ${c.name}`],
                    ["Restart", "always"],
                    ["RestartSec", "10"],
                    // The first start pulls the image.
                    ["TimeoutStartSec", "0"],
                    ["TimeoutStopSec", String(STOP_TIMEOUT_SECONDS + 30)],
                ],
            }),
        });
    });
    return units;
}

export function hostScripts(spec: HostSpec): HostFile[] {
    const steps = hostSteps(spec);
    return [
        ...(steps.volumes ? [{ path: SCRIPTS.volumes, permissions: "0700", content: volumesScript(spec) }] : []),
        ...(steps.secrets ? [{ path: SCRIPTS.secrets, permissions: "0700", content: secretsScript(spec) }] : []),
        ...spec.containers.map(c => ({ path: SCRIPTS.container(c.name), permissions: "0700", content: containerScript(spec, c) })),
    ];
}

/** The host firewall rules, for IPv4 and IPv6; the VPC firewall decides who may come in. */
export function hostFirewallCommands(spec: Pick<HostSpec, "inbound">): string[][] {
    return (spec.inbound ?? []).flatMap(p => ["iptables", "ip6tables"].map(tool => [tool, "-w", "-A", "INPUT", "-p", p.protocol, "--dport", String(p.port), "-j", "ACCEPT"]));
}

/** The instance's `user-data`: a `#cloud-config` document. Throws on a spec that would be unsafe to run. */
export function cloudConfig(spec: HostSpec): string {
    const problems = hostSpecProblems(spec);
    if (problems.length > 0) throw new Error(`cannot configure the instance:\n  - ${problems.join("\n  - ")}`);
    const steps = hostSteps(spec);
    const document = {
        write_files: [...hostScripts(spec), ...hostUnits(spec)].map(f => ({ path: f.path, permissions: f.permissions, owner: "root:root", content: f.content })),
        // One queue of jobs, ordered by the units themselves: the containers wait for the volumes and the
        // secrets however long the secrets take, and cloud-init does not wait for any of it.
        runcmd: [
            ...hostFirewallCommands(spec),
            ["systemctl", "daemon-reload"],
            ["systemctl", "start", "--no-block", ...(steps.volumes ? [UNITS.volumes] : []), ...(steps.secrets ? [UNITS.secrets] : []), ...spec.containers.map(c => UNITS.container(c.name))],
        ],
    };
    return `#cloud-config\n${YAML.stringify(document, { lineWidth: 0 })}`;
}
