// The js-ceramic daemon's container and the script it starts with, for both js-ceramic lines: 6.11 over
// ceramic-one (flavour js-ceramic) and 5.16 over go-ipfs-daemon (flavour js-ceramic-kubo). Both read their
// settings from a config file whose schema is the same (js-ceramic packages/cli/src/daemon-config.ts: between
// cli@5.16.0 and cli@6.11.0 only a blank line differs), and have neither a flag nor a variable for the
// Ethereum RPC URL, the S3 endpoint or the metrics publisher, so the script writes that file at every start:
// the stack's settings from the environment, the Ethereum RPC URL from the secret store. The file lives in the
// container's memory scratch, never on a disk, a volume or in the definition. Secrets js-ceramic reads from
// its environment itself (the node's DID seed, the index's connection URL) stay there.
import * as pulumi from "@pulumi/pulumi";
import { CA_DOWNLOAD } from "../chainlink/node";
import { Bucket, ContainerSpec, LoadBalancerTarget, Secret, Volume } from "../topology";
import { IMAGES } from "./images";
import { DATABASE_CA_FILE_NAME, INDEX_DATABASE_ENV, IndexingTarget } from "./indexDatabase";
import { CERAMIC_USER, CONFIG_DIR, CONFIG_DIR_MIB, INDEXING_DB, PATHS, PORTS, STATE_STORE_DIRECTORY } from "./ports";
import { JS_CERAMIC_IMAGE, PRELOAD_ENV, preloadSource } from "./preload";
import { CeramicFlavour, CeramicNetwork, LOG_LEVELS, LogLevelName } from "./settings";

/** The flavours that run js-ceramic. */
export type JsCeramicFlavour = Exclude<CeramicFlavour, "ceramic-one">;

/** What differs between the two js-ceramic lines. */
export const JS_CERAMIC_LINES: Record<JsCeramicFlavour, { image: string; env: Record<string, string> }> = {
    // IPFS_FLAVOR tells js-ceramic 6 which daemon its remote IPFS is; rust (ceramic-one) is its default, given
    // anyway: the daemon compares it with the agent version ceramic-one reports and warns on a mismatch
    // (js-ceramic@6.11.0 packages/common/src/utils/environment-utils.ts, packages/cli/src/ceramic-daemon.ts).
    "js-ceramic": { image: IMAGES.ceramic, env: { IPFS_FLAVOR: "rust" } },
    // 5.16 reads IPFS_FLAVOR only for a bundled IPFS (packages/ipfs-daemon/src/create-ipfs.ts); it talks to kubo.
    "js-ceramic-kubo": { image: IMAGES.ceramicKubo, env: {} },
};

export const CERAMIC_ENV = {
    /** The daemon's settings as JSON, without secrets. */
    config: "CERAMIC_DAEMON_CONFIG",
    /** Read by the start script only, written into the config file. */
    ethereumRpcUrl: "CERAMIC_ETHEREUM_RPC_URL",
    /** js-ceramic reads the node's DID seed from this variable itself. */
    nodeSeedUrl: "CERAMIC_NODE_PRIVATE_SEED_URL",
} as const;

/** Logging: to files on the logs volume (and to stdout, which the platform ships). Both are switches. */
export const LOG_FLAGS = ["--log-to-files", `--log-directory=${PATHS.logs}`];

/**
 * js-ceramic appends to its log files and never rotates them, so a file past this size is moved aside (one
 * generation kept): its few files then stay well inside the logs volume.
 */
export const LOG_FILE_MAX_BYTES = 1024 ** 3;
/** How often the start script looks at the log files. */
const LOG_CHECK_SECONDS = 600;

/**
 * The locks a killed daemon leaves on the state volume: js-ceramic opens a LevelDB per use, each in a
 * directory of its own under the state store (js-ceramic@cli@5.16.0 packages/core/src/store/level-kv-factory.ts),
 * and LevelDB locks a file named LOCK in it. The volume fence removes them once it holds the volume.
 */
export const STATE_STORE_LOCKS = [`${STATE_STORE_DIRECTORY.slice(PATHS.state.length + 1)}/*/LOCK`];

export type StateStoreTarget = { kind: "volume" } | { kind: "bucket"; bucket: Bucket };

export interface DaemonConfigArgs {
    flavour: JsCeramicFlavour;
    network: CeramicNetwork;
    anchorServiceUrl: string;
    /** The IPFS side's API: ceramic-one's (5101) or go-ipfs-daemon's. */
    ipfsApiUrl: string;
    corsAllowedOrigins: string[];
    /** Whole did:key DIDs allowed the admin API (settings.ts adminDidProblem). */
    adminDids: string[];
    logLevel: LogLevelName;
    /** js-ceramic's metrics publisher, on by its own default: off unless asked. */
    metricsPublisher: boolean;
    stateStore: StateStoreTarget;
    indexing: IndexingTarget;
}

/**
 * js-ceramic's daemon.config.json, every section present (the daemon applies its overrides onto them), no
 * secret in it. The node's DID seed and a Postgres index's URL come from the environment, the Ethereum RPC
 * URL from the start script. `bucketName`: the state store's bucket, once known, when it is in one.
 */
export function daemonConfig(args: DaemonConfigArgs, bucketName?: string): Record<string, unknown> {
    const stateStore = args.stateStore.kind === "volume"
        ? { mode: "fs", "local-directory": STATE_STORE_DIRECTORY }
        // The store keeps its data under ceramic/<network>/ in the bucket.
        : { mode: "s3", "s3-bucket": bucketName, "s3-endpoint": args.stateStore.bucket.s3Endpoint };
    return {
        anchor: {
            "anchor-service-url": args.anchorServiceUrl,
            // The anchor service knows the node by the DID its seed makes.
            "auth-method": "did",
        },
        "http-api": {
            hostname: "0.0.0.0",
            port: PORTS.api,
            "cors-allowed-origins": args.corsAllowedOrigins,
            "admin-dids": args.adminDids,
        },
        ipfs: { mode: "remote", host: args.ipfsApiUrl },
        logger: { "log-level": LOG_LEVELS[args.logLevel] },
        metrics: {
            "metrics-exporter-enabled": false,
            "prometheus-exporter-enabled": false,
            "metrics-publisher-enabled": args.metricsPublisher,
        },
        network: { name: args.network },
        node: {},
        "state-store": stateStore,
        indexing: {
            // A Postgres index's URL carries its password: js-ceramic takes it from CERAMIC_INDEXING_DB_URI.
            ...(args.indexing.kind === "sqlite" ? { db: INDEXING_DB } : {}),
            "disable-composedb": false,
            // The network's index builds as streams arrive; queries need not wait for a full history sync.
            "allow-queries-before-historical-sync": true,
            "enable-historical-sync": false,
        },
    };
}

/** The config as the environment carries it: one line of JSON, once the bucket's name is known. */
export function daemonConfigJson(args: DaemonConfigArgs): pulumi.Output<string> {
    const bucketName = args.stateStore.kind === "bucket" ? args.stateStore.bucket.bucketName : pulumi.output(undefined);
    return pulumi.output(bucketName).apply(name => JSON.stringify(daemonConfig(args, name)));
}

/**
 * Writes the config file, the database's CA bundle and the preload (preload.ts), keeps the log files in
 * bounds, then runs the daemon as a child and forwards the stop signal to it as SIGINT, the one js-ceramic
 * shuts down cleanly on (closing its state store), instead of being killed mid-write. node takes SIGINT even
 * though a shell started it in the background. POSIX sh.
 */
export function ceramicStartScript(configDir: string = CONFIG_DIR): string {
    const e = CERAMIC_ENV;
    const db = INDEX_DATABASE_ENV;
    return [
        "#!/bin/sh",
        "# Starts the js-ceramic daemon of a Ceramic node: writes its config file, then runs it until it is stopped.",
        "set -eu",
        "",
        `: "\${${e.config}:?${e.config} holds the settings of the daemon}"`,
        `: "\${${e.nodeSeedUrl}:?${e.nodeSeedUrl} holds the DID seed of the node}"`,
        `config_dir='${configDir}'`,
        'config="$config_dir/daemon.config.json"',
        "",
        "# The file may hold the Ethereum RPC URL: in memory (the container's scratch), only this user reads it,",
        "# and it is rewritten on every start.",
        "umask 077",
        'mkdir -p "$config_dir"',
        "# node reads the URL from the environment, so it never appears on a command line.",
        "node -e '",
        `  const config = JSON.parse(process.env.${e.config});`,
        `  if (config.indexing && !config.indexing.db && !process.env.${db.url}) {`,
        `    console.error("${db.url} holds the connection URL of the ComposeDB index");`,
        "    process.exit(1);",
        "  }",
        `  const url = process.env.${e.ethereumRpcUrl};`,
        '  if (url) config.anchor["ethereum-rpc-url"] = url;',
        "  process.stdout.write(JSON.stringify(config, null, 2));",
        `' > "$config.tmp"`,
        'mv -f "$config.tmp" "$config"',
        `unset ${e.ethereumRpcUrl}`,
        "",
        "# The index database's CA bundle, which its URL names as sslrootcert: from the secret store, or over https",
        "# from where the cloud publishes it, checked against the image's own CA store.",
        `ca_file="$config_dir/${DATABASE_CA_FILE_NAME}"`,
        'rm -f "$ca_file"',
        `if [ -n "\${${db.caBase64}:-}" ]; then`,
        `  printf '%s' "$${db.caBase64}" | base64 -d > "$ca_file"`,
        `elif [ -n "\${${db.caUrl}:-}" ]; then`,
        `  if ! curl --fail --silent --show-error --location --proto '=https' --proto-redir '=https' --max-time ${CA_DOWNLOAD.maxSeconds} ` +
            `--retry ${CA_DOWNLOAD.retries} --retry-delay ${CA_DOWNLOAD.retryDelaySeconds} --retry-all-errors --output "$ca_file" "$${db.caUrl}"; then`,
        `    echo "could not download the index database's CA bundle from $${db.caUrl}" >&2`,
        "    exit 1",
        "  fi",
        "fi",
        `unset ${db.caBase64}`,
        'if [ -e "$ca_file" ] && ! grep -q -- "-----BEGIN CERTIFICATE-----" "$ca_file"; then',
        `  echo "the index database's CA bundle holds no PEM certificate" >&2`,
        "  exit 1",
        "fi",
        "",
        "# What the daemon's own settings cannot say, loaded before it starts (no secret in it).",
        'preload="$config_dir/preload.cjs"',
        "cat > \"$preload\" <<'PRELOAD'",
        preloadSource().trimEnd(),
        "PRELOAD",
        "",
        "# The daemon reopens its log file for every line, so moving a file aside is safe at any time.",
        'log_dir=""',
        'for arg in "$@"; do',
        '  case "$arg" in',
        '    --log-directory=*) log_dir="${arg#--log-directory=}" ;;',
        "  esac",
        "done",
        "rotate_logs() {",
        '  for file in "$log_dir"/*.log; do',
        `    if [ -f "$file" ] && [ "$(wc -c < "$file")" -ge ${LOG_FILE_MAX_BYTES} ]; then`,
        '      mv -f "$file" "$file.1"',
        "    fi",
        "  done",
        "}",
        'rotator=""',
        'if [ -n "$log_dir" ]; then',
        `  ( while :; do rotate_logs; sleep ${LOG_CHECK_SECONDS}; done ) &`,
        "  rotator=$!",
        "fi",
        "",
        `NODE_OPTIONS="--require=$preload\${NODE_OPTIONS:+ $NODE_OPTIONS}" ${JS_CERAMIC_IMAGE.cli} daemon --config "$config" "$@" &`,
        "daemon=$!",
        'trap \'kill -INT "$daemon" 2>/dev/null || true\' INT TERM',
        "# wait returns early when a signal arrives; the daemon is still closing, so wait again until it is gone.",
        "while :; do",
        '  status=0',
        '  wait "$daemon" || status=$?',
        '  if ! kill -0 "$daemon" 2>/dev/null; then',
        '    if [ -n "$rotator" ]; then kill "$rotator" 2>/dev/null || true; fi',
        '    exit "$status"',
        "  fi",
        "done",
        "",
    ].join("\n");
}

export interface CeramicContainerArgs extends DaemonConfigArgs {
    state: Volume;
    logs: Volume;
    api: LoadBalancerTarget;
    nodeSeed: Secret;
    ethereumRpcUrl?: Secret;
    cpu: number;
    memoryMiB: number;
}

/** The variables and secrets that put the index within the daemon's reach. */
function indexingEnv(indexing: IndexingTarget): { env: Record<string, pulumi.Input<string>>; secrets: Record<string, Secret> } {
    if (indexing.kind === "sqlite") return { env: {}, secrets: {} };
    return {
        env: {
            ...(indexing.ca.kind === "download" ? { [INDEX_DATABASE_ENV.caUrl]: indexing.ca.url } : {}),
            ...(indexing.caOnlyHost !== undefined ? { [PRELOAD_ENV.caOnlyHost]: indexing.caOnlyHost } : {}),
        },
        secrets: {
            [INDEX_DATABASE_ENV.url]: indexing.url,
            ...(indexing.ca.kind === "secret" ? { [INDEX_DATABASE_ENV.caBase64]: indexing.ca.secret } : {}),
        },
    };
}

export function ceramicContainer(args: CeramicContainerArgs): ContainerSpec {
    const line = JS_CERAMIC_LINES[args.flavour];
    const bucket = args.stateStore.kind === "bucket" ? args.stateStore.bucket : undefined;
    const indexing = indexingEnv(args.indexing);
    return {
        name: "ceramic",
        image: line.image,
        entrypoint: ["/bin/sh", "-c", ceramicStartScript(), "ceramic-start"],
        command: LOG_FLAGS,
        env: {
            NODE_ENV: "production",
            ...line.env,
            [CERAMIC_ENV.config]: daemonConfigJson(args),
            // The S3 client of the state store signs for this region, and every one of them goes to the
            // store's endpoint (preload.ts).
            ...(bucket ? { AWS_REGION: bucket.s3Region, [PRELOAD_ENV.s3Endpoint]: bucket.s3Endpoint } : {}),
            ...indexing.env,
        },
        secrets: {
            [CERAMIC_ENV.nodeSeedUrl]: args.nodeSeed,
            ...(args.ethereumRpcUrl ? { [CERAMIC_ENV.ethereumRpcUrl]: args.ethereumRpcUrl } : {}),
            ...indexing.secrets,
        },
        ports: [{ port: PORTS.api, exposure: { kind: "loadBalancer", target: args.api } }],
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        user: CERAMIC_USER,
        mounts: [
            { volume: args.state, path: PATHS.state, staleLocks: STATE_STORE_LOCKS },
            { volume: args.logs, path: PATHS.logs },
        ],
        memoryScratch: { path: CONFIG_DIR, sizeMiB: CONFIG_DIR_MIB },
    };
}
