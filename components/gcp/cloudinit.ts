// What a service's instance does at boot, as a cloud-config document for Container-Optimized OS: mount the
// volumes, read the secrets, run each container as a systemd unit and restart the unhealthy ones.
// Container-Optimized OS applies the document on every boot, so the units and scripts are always the ones
// of the instance template the instance was made from. Plain functions of plain data: testable offline.
import * as YAML from "yaml";
import { ContainerHealthCheck, RunAs } from "../topology";
import { describeUser } from "../topology/rules";

/** Where the boot scripts live on the host. */
export const HOST_CONFIG_DIR = "/etc/web3-nodes";
const UNIT_DIR = "/etc/systemd/system";
const METADATA_TOKEN_URL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token";
const SECRET_MANAGER_API = "https://secretmanager.googleapis.com/v1";
/** How long the secrets script keeps trying (IAM grants can take minutes to reach a new instance). */
const SECRET_ATTEMPTS = { count: 60, delaySeconds: 10 } as const;
/** How long to wait for a disk to appear under /dev/disk/by-id after boot. */
const DISK_WAIT = { count: 90, delaySeconds: 2 } as const;
const DOCKER_HEALTH_DEFAULTS = { intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 60 } as const;
const HEALTH_WATCH_INTERVAL = "30s";
const STOP_TIMEOUT_SECONDS = 30;

export const UNITS = {
    volumes: "web3-volumes.service",
    secrets: "web3-secrets.service",
    healthCheck: "web3-health.service",
    healthTimer: "web3-health.timer",
    container: (name: string) => `web3-container-${name}.service`,
} as const;

export interface HostVolume {
    /** The disk's device name: it appears as /dev/disk/by-id/google-<device>. */
    device: string;
    mountPoint: string;
    owner: RunAs;
}

export interface HostSecretEnv {
    /** Environment variable the value is given as. */
    name: string;
    /** Secret Manager resource name, `projects/<p>/secrets/<id>`. */
    reference: string;
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
    healthCheck?: ContainerHealthCheck;
}

export interface HostSpec {
    /** The service's name; names its runtime directory. */
    service: string;
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

/** On tmpfs: gone at shutdown, never on a disk or in a snapshot. */
export function envFilePath(spec: HostSpec, container: string): string {
    return `${runtimeDir(spec)}/${container}.env`;
}

export const SCRIPTS = {
    volumes: `${HOST_CONFIG_DIR}/mount-volumes.sh`,
    secrets: `${HOST_CONFIG_DIR}/fetch-secrets.sh`,
    health: `${HOST_CONFIG_DIR}/watch-health.sh`,
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
    }
    return problems;
}

function script(description: string[], body: string[]): string {
    return ["#!/bin/bash", ...description.map(l => `# ${l}`), "set -euo pipefail", "", ...body, ""].join("\n");
}

/** Formats a disk only when blkid finds no filesystem on it, so a disk that holds data is never wiped. */
export function volumesScript(spec: HostSpec): string {
    return script(
        [`Attaches the volumes of service ${spec.service}: waits for each disk, formats it only if it holds no`, "filesystem, mounts it and hands its root to the volume's owner."],
        [
            "mount_volume() {",
            '  local device="$1" mount_point="$2" owner="$3" attempt status=0',
            `  for attempt in $(seq 1 ${DISK_WAIT.count}); do`,
            '    if [ -b "$device" ]; then',
            "      break",
            "    fi",
            '    echo "waiting for ${device} (${attempt})"',
            `    sleep ${DISK_WAIT.delaySeconds}`,
            "  done",
            '  if [ ! -b "$device" ]; then',
            '    echo "${device} never appeared" >&2',
            "    return 1",
            "  fi",
            '  blkid "$device" >/dev/null || status=$?',
            "  # blkid exits 2 when it finds no filesystem at all; any other failure leaves the disk alone.",
            '  if [ "$status" -eq 2 ]; then',
            '    echo "no filesystem on ${device}: formatting it"',
            '    mkfs.ext4 -m 0 -E lazy_itable_init=0,lazy_journal_init=0,discard "$device"',
            '  elif [ "$status" -ne 0 ]; then',
            '    echo "blkid cannot read ${device} (exit ${status}); leaving it alone" >&2',
            "    return 1",
            "  fi",
            '  mkdir -p "$mount_point"',
            '  if ! mountpoint -q "$mount_point"; then',
            '    mount -o discard,defaults,nosuid,nodev "$device" "$mount_point"',
            "  fi",
            "  # Grows the filesystem after the disk was enlarged; does nothing otherwise.",
            '  resize2fs "$device"',
            '  chown "$owner" "$mount_point"',
            "}",
            "",
            ...spec.volumes.map(v => `mount_volume ${shellWords([`/dev/disk/by-id/google-${v.device}`, v.mountPoint, describeUser(v.owner)])}`),
        ],
    );
}

/**
 * Reads the secrets with the instance's own service account (its token from the metadata server) through
 * the Secret Manager REST API into root-only env files on tmpfs. The token reaches curl on stdin and the
 * values only pass through builtins, so neither appears on a command line; nothing is traced.
 */
export function secretsScript(spec: HostSpec): string {
    const withSecrets = spec.containers.filter(c => c.secrets.length > 0);
    return script(
        [`Reads the secrets of service ${spec.service} from Secret Manager into env files only root can read.`],
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
            '  local reference="$1" response data',
            "  response=\"$(printf 'header = \"Authorization: Bearer %s\"\\n' \"$token\" | curl --silent --show-error --fail --retry 5 --retry-connrefused --config - \"${API}/${reference}/versions/latest:access\")\" || return 1",
            "  data=\"$(printf '%s' \"$response\" | sed -n 's/.*\"data\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p')\"",
            "  printf '%s' \"$data\" | base64 --decode",
            "}",
            "",
            "# write_env_file FILE NAME REFERENCE [NAME REFERENCE]...",
            "write_env_file() {",
            '  local file="$1" tmp name reference value',
            "  shift",
            '  tmp="$(mktemp "${file}.XXXXXX")" || return 1',
            '  while [ "$#" -ge 2 ]; do',
            '    name="$1"',
            '    reference="$2"',
            "    shift 2",
            '    if ! value="$(secret_value "$reference")"; then',
            '      echo "cannot read secret ${reference} for ${name}" >&2',
            '      rm -f "$tmp"',
            "      return 1",
            "    fi",
            "    if [[ \"$value\" == *$'\\n'* ]]; then",
            '      echo "secret ${reference} for ${name} spans several lines, which an env file cannot hold" >&2',
            '      rm -f "$tmp"',
            "      return 1",
            "    fi",
            "    printf '%s=%s\\n' \"$name\" \"$value\" >> \"$tmp\"",
            "  done",
            '  mv -f "$tmp" "$file"',
            "}",
            "",
            "fetch_all() {",
            "  fetch_token || return 1",
            ...withSecrets.map(c =>
                `  write_env_file ${shellWords([envFilePath(spec, c.name), ...c.secrets.flatMap(s => [s.name, s.reference])])} || return 1`),
            "}",
            "",
            `mkdir -p ${shellQuote(runtimeDir(spec))}`,
            `chmod 0700 ${shellQuote(runtimeDir(spec))}`,
            `for attempt in $(seq 1 ${SECRET_ATTEMPTS.count}); do`,
            "  if fetch_all; then",
            "    exit 0",
            "  fi",
            `  echo "reading secrets failed (attempt \${attempt} of ${SECRET_ATTEMPTS.count}); retrying in ${SECRET_ATTEMPTS.delaySeconds} seconds" >&2`,
            `  sleep ${SECRET_ATTEMPTS.delaySeconds}`,
            "done",
            "exit 1",
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
    ];
    if (c.secrets.length > 0) lines.push(["--env-file", envFilePath(spec, c.name)]);
    for (const key of Object.keys(c.env).sort()) lines.push(["--env", `${key}=${c.env[key]}`]);
    for (const m of c.mounts) lines.push(["--volume", `${m.hostPath}:${m.containerPath}`]);
    if (c.healthCheck) {
        const h = { ...DOCKER_HEALTH_DEFAULTS, ...c.healthCheck };
        // Docker's CLI takes the check as one shell string; quoting each word keeps the exec form's meaning.
        lines.push(
            ["--health-cmd", shellWords(h.command)],
            ["--health-interval", `${h.intervalSeconds}s`],
            ["--health-timeout", `${h.timeoutSeconds}s`],
            ["--health-retries", String(h.retries)],
            ["--health-start-period", `${h.startPeriodSeconds}s`],
        );
    }
    const [executable, ...entrypointArgs] = c.entrypoint ?? [];
    if (executable !== undefined) lines.push(["--entrypoint", executable]);
    lines.push([c.image, ...entrypointArgs, ...(c.command ?? [])]);
    return lines;
}

export function dockerRunArgs(spec: HostSpec, c: HostContainer): string[] {
    return dockerRunLines(spec, c).flat();
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
            `docker rm --force ${shellQuote(c.name)} >/dev/null 2>&1 || true`,
            `exec /usr/bin/docker ${run.join(" \\\n  ")}`,
        ],
    );
}

/** Docker marks a container unhealthy but never restarts it: this restarts the container's unit instead. */
export function healthScript(spec: HostSpec): string {
    const checked = spec.containers.filter(c => c.healthCheck);
    return script(
        [`Restarts the unit of any container of service ${spec.service} that Docker reports unhealthy.`],
        [
            "restart_if_unhealthy() {",
            '  local container="$1" unit="$2" status',
            "  status=\"$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' \"$container\" 2>/dev/null)\" || return 0",
            '  if [ "$status" = "unhealthy" ]; then',
            '    echo "container ${container} is unhealthy: restarting ${unit}"',
            '    systemctl restart "$unit"',
            "  fi",
            "}",
            "",
            ...checked.map(c => `restart_if_unhealthy ${shellWords([c.name, UNITS.container(c.name)])}`),
        ],
    );
}

function unitFile(sections: Record<string, [string, string][]>): string {
    return Object.entries(sections)
        .map(([section, entries]) => [`[${section}]`, ...entries.map(([k, v]) => `${k}=${v}`)].join("\n"))
        .join("\n\n") + "\n";
}

/** What a host needs besides the containers: only the steps a service has a use for. */
export function hostSteps(spec: HostSpec): { volumes: boolean; secrets: boolean; healthWatch: boolean } {
    return {
        volumes: spec.volumes.length > 0,
        secrets: spec.containers.some(c => c.secrets.length > 0),
        healthWatch: spec.containers.some(c => c.healthCheck),
    };
}

/** The systemd units: volumes, then secrets, then the containers in their order, and the health watcher. */
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
    if (steps.healthWatch) {
        units.push(
            {
                path: `${UNIT_DIR}/${UNITS.healthCheck}`,
                permissions: "0644",
                content: unitFile({
                    Unit: [["Description", `Restart unhealthy containers of ${spec.service}`], ["After", "docker.service"]],
                    Service: [["Type", "oneshot"], ["ExecStart", `/bin/bash ${SCRIPTS.health}`]],
                }),
            },
            {
                path: `${UNIT_DIR}/${UNITS.healthTimer}`,
                permissions: "0644",
                content: unitFile({
                    Unit: [["Description", `Check the containers of ${spec.service} every ${HEALTH_WATCH_INTERVAL}`]],
                    Timer: [["OnBootSec", "2min"], ["OnUnitActiveSec", HEALTH_WATCH_INTERVAL], ["AccuracySec", "5s"]],
                }),
            },
        );
    }
    return units;
}

export function hostScripts(spec: HostSpec): HostFile[] {
    const steps = hostSteps(spec);
    return [
        ...(steps.volumes ? [{ path: SCRIPTS.volumes, permissions: "0700", content: volumesScript(spec) }] : []),
        ...(steps.secrets ? [{ path: SCRIPTS.secrets, permissions: "0700", content: secretsScript(spec) }] : []),
        ...spec.containers.map(c => ({ path: SCRIPTS.container(c.name), permissions: "0700", content: containerScript(spec, c) })),
        ...(steps.healthWatch ? [{ path: SCRIPTS.health, permissions: "0700", content: healthScript(spec) }] : []),
    ];
}

/** The instance's `user-data`: a `#cloud-config` document. Throws on a spec that would be unsafe to run. */
export function cloudConfig(spec: HostSpec): string {
    const problems = hostSpecProblems(spec);
    if (problems.length > 0) throw new Error(`cannot configure the instance:\n  - ${problems.join("\n  - ")}`);
    const steps = hostSteps(spec);
    const document = {
        write_files: [...hostScripts(spec), ...hostUnits(spec)].map(f => ({ path: f.path, permissions: f.permissions, owner: "root:root", content: f.content })),
        runcmd: [
            ["systemctl", "daemon-reload"],
            ...(steps.volumes ? [["systemctl", "start", UNITS.volumes]] : []),
            ...(steps.secrets ? [["systemctl", "start", UNITS.secrets]] : []),
            ["systemctl", "start", "--no-block", ...spec.containers.map(c => UNITS.container(c.name))],
            ...(steps.healthWatch ? [["systemctl", "start", "--no-block", UNITS.healthTimer]] : []),
        ],
    };
    return `#cloud-config\n${YAML.stringify(document, { lineWidth: 0 })}`;
}
