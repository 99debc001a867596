// The container of one Chainlink node and the start script it runs, which writes the node's files from the
// secret store and supervises the node: it is the node's liveness (the service's is "exit"). It judges the
// node with one function, which tells a standby from a broken node:
//   - a standby waiting for the database lease serves no HTTP at all: nothing listens on the port. Alive:
//     restarting it would change nothing, and it must be there to take over;
//   - a node that answers /readyz with anything but 200 (after a start grace), or does not answer in time,
//     is broken: one of its services stopped or never started. The start script stops it after a few
//     failures, the container exits and the platform starts a new one.
// An RPC outage breaks neither: /readyz does not ask the chains (see HEALTH). The load balancer's check of
// the port only steers traffic; a probe of the port would replace the standby over and over.
import { ContainerSpec, LoadBalancerTarget, Secret } from "../topology";
import { chainlinkImage } from "./images";
import { CHAINLINK_USER, HEALTH, PORTS, RUN_DIR, RUN_DIR_MIB } from "./ports";

/** How the node is watched: every 30 s, broken after 4 failures in a row (2 minutes), after a start grace. */
export const HEALTH_WATCH = {
    intervalSeconds: 30,
    /** curl's own limit on one request. */
    requestTimeoutSeconds: 5,
    failuresBeforeRestart: 4,
    /**
     * Seconds a node that has just started serving may answer /readyz with an error: the standby that just
     * took the lease starts its chains and jobs; /readyz answers 503 until they are up.
     */
    servingGraceSeconds: 300,
} as const;

/** curl's exit status when the connection is refused: nothing listens on the port. */
const CURL_CONNECTION_REFUSED = 7;

/** The secret-store values the start script turns into files, by the environment variable that carries each. */
export const NODE_FILES = {
    config: { env: "NODE_CONFIG_TOML_BASE64", file: "config.toml" },
    secrets: { env: "NODE_SECRETS_TOML_BASE64", file: "secrets.toml" },
    apiCredentials: { env: "NODE_API_CREDENTIALS_BASE64", file: "apicredentials" },
} as const;

export interface ScriptOptions {
    port: number;
    runDir: string;
}

const DEFAULT_SCRIPT_OPTIONS: ScriptOptions = { port: PORTS.http, runDir: RUN_DIR };

/** The bash function the start script judges the node with; prints its verdict, fails when the node is broken. */
export function nodeHealthFunction(o: ScriptOptions = DEFAULT_SCRIPT_OPTIONS): string[] {
    const w = HEALTH_WATCH;
    return [
        "# node_health: prints the node's state; fails only when the node runs but is broken.",
        "node_health() {",
        "  local pid status code=0 since",
        `  pid="$(cat '${o.runDir}/node.pid' 2>/dev/null)" || { echo "no node process recorded"; return 1; }`,
        '  if ! kill -0 "$pid" 2>/dev/null; then echo "the node process ${pid} is gone"; return 1; fi',
        `  status="$(curl --silent --output /dev/null --max-time ${w.requestTimeoutSeconds} --write-out '%{http_code}' 'http://127.0.0.1:${o.port}${HEALTH.path}')" || code=$?`,
        `  if [ "$code" -eq ${CURL_CONNECTION_REFUSED} ]; then`,
        `    rm -f '${o.runDir}/serving-since'`,
        `    echo "standby: nothing listens on ${o.port}; waiting for the database lease"`,
        "    return 0",
        "  fi",
        `  [ -f '${o.runDir}/serving-since' ] || date +%s > '${o.runDir}/serving-since'`,
        `  if [ "$code" -eq 0 ] && [ "$status" = "${HEALTH.status}" ]; then echo "active: ${HEALTH.path} answers ${HEALTH.status}"; return 0; fi`,
        `  since="$(cat '${o.runDir}/serving-since')"`,
        `  if [ $(( $(date +%s) - since )) -lt ${w.servingGraceSeconds} ]; then echo "starting: ${HEALTH.path} answers \${status}"; return 0; fi`,
        `  echo "broken: ${HEALTH.path} answers \${status} (curl exit \${code})"`,
        "  return 1",
        "}",
    ];
}

/**
 * The start script: writes the node's files from the secret store (readable by the node's user only) and
 * drops the variables that carried them, starts the node, hands it SIGTERM, and stops it once it has been
 * broken for failuresBeforeRestart checks in a row, so the container exits and the platform replaces it.
 */
export function startScript(o: ScriptOptions = DEFAULT_SCRIPT_OPTIONS): string {
    const w = HEALTH_WATCH;
    const file = (f: { file: string }) => `'${o.runDir}/${f.file}'`;
    return [
        "#!/bin/bash",
        "# Runs one node of a Chainlink active/standby pair and stops it when it is up but broken.",
        "set -uo pipefail",
        "umask 077",
        `mkdir -p '${o.runDir}'`,
        "",
        "# decode VAR FILE: the base64 value of VAR into FILE, then VAR is dropped: the node's environment holds no secret.",
        "decode() {",
        '  if [ -z "${!1:-}" ]; then echo "$1 is not set: the secret store delivered nothing" >&2; exit 1; fi',
        `  if ! printf '%s' "\${!1}" | base64 --decode > '${o.runDir}/'"$2"; then echo "$1 is not base64" >&2; exit 1; fi`,
        '  unset "$1"',
        "}",
        ...Object.values(NODE_FILES).map(f => `decode ${f.env} ${f.file}`),
        "",
        ...nodeHealthFunction(o),
        "",
        `chainlink node --config ${file(NODE_FILES.config)} --secrets ${file(NODE_FILES.secrets)} start --api ${file(NODE_FILES.apiCredentials)} &`,
        "node=$!",
        `echo "$node" > '${o.runDir}/node.pid'`,
        "# The platform stops the container with SIGTERM: the node gets it, and gives up its lease.",
        "trap 'kill -TERM \"$node\" 2>/dev/null' TERM INT",
        "",
        "failures=0",
        'while kill -0 "$node" 2>/dev/null; do',
        "  # Wakes when the interval ends or the node exits, whichever is first, so a node that dies ends the container at once (wait -p: bash 5.1).",
        `  sleep ${w.intervalSeconds} & sleeper=$!`,
        '  finished=""',
        '  wait -n -p finished "$node" "$sleeper"',
        '  status=$?',
        '  kill "$sleeper" 2>/dev/null',
        '  if [ "$finished" = "$node" ]; then exit "$status"; fi',
        '  kill -0 "$node" 2>/dev/null || break',
        '  if verdict="$(node_health)"; then',
        "    failures=0",
        "    continue",
        "  fi",
        "  failures=$((failures + 1))",
        `  echo "\${verdict} (\${failures} of ${w.failuresBeforeRestart})" >&2`,
        `  if [ "$failures" -ge ${w.failuresBeforeRestart} ]; then`,
        '    echo "stopping the node: the platform starts a new one" >&2',
        '    kill -TERM "$node"',
        '    wait "$node"',
        "    exit 1",
        "  fi",
        "done",
        'wait "$node"',
        "",
    ].join("\n");
}

export interface NodeContainerArgs {
    version: string;
    cpu: number;
    memoryMiB: number;
    /** The secret-store values the node's files are written from, by NODE_FILES key. */
    files: Record<keyof typeof NODE_FILES, Secret>;
    api: LoadBalancerTarget;
}

export function nodeContainer(args: NodeContainerArgs): ContainerSpec {
    return {
        name: "chainlink",
        image: chainlinkImage(args.version),
        // Replaces the image's `chainlink` entrypoint and its `local node` command.
        entrypoint: ["/bin/bash", "-c", startScript(), "chainlink-node"],
        command: [],
        secrets: Object.fromEntries(Object.entries(NODE_FILES).map(([key, f]) => [f.env, args.files[key as keyof typeof NODE_FILES]])),
        ports: [{ port: PORTS.http, exposure: { kind: "loadBalancer", target: args.api } }],
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        user: CHAINLINK_USER,
        // config.toml holds the RPC URLs, secrets.toml the database URL and keystore password.
        memoryScratch: { path: RUN_DIR, sizeMiB: RUN_DIR_MIB },
    };
}
