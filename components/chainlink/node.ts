// The container of one Chainlink node and the start script it runs, which writes the node's files from the
// secret store and supervises the node: it is the node's liveness (the service's is "exit"). Liveness is "the
// process and its web server answer", never "every upstream is healthy": an RPC outage or a failing job must
// not get the lease holder replaced, or the standby takes the lease and fails the same way. What the node's
// port says, read from smartcontractkit/chainlink (v2.28.0 and v2.29.0):
//   - a standby waits for the database lease before it serves anything: nothing listens on the port
//     (core/cmd/shell_local.go runNode: ldb.Open takes the lease, then NewApplication, app.Start, and only
//     then the web server);
//   - a lease holder running its version check and migrations answers on the port with the start-up report,
//     which serves /health (204) and nothing else: /readyz answers 404 (core/services/health.go
//     StartUpHealthReport, started by core/cmd/shell.go handleNodeVersioning);
//   - a lease holder between its migrations and app.Start's end serves nothing, like a standby;
//   - once serving, /readyz answers 200 or 503 (core/web/health_controller.go Readyz), whatever its chains do.
// So the watch asks the database who holds the lease whenever nothing answers, and gives a lease holder
// HEALTH_WATCH.startupSeconds to start serving: a holder that hangs in its migrations or app.Start holds the
// lease, and with it the standby, forever otherwise.
import { ContainerSpec, LoadBalancerTarget, PassthroughAddress, Secret } from "../topology";
import { chainlinkImage } from "./images";
import { CHAINLINK_USER, HEALTH, PORTS, RUN_DIR, RUN_DIR_MIB, STARTUP_REPORT } from "./ports";

/** How the node is watched: every 30 s, broken after 4 failures in a row (2 minutes). */
export const HEALTH_WATCH = {
    intervalSeconds: 30,
    /** curl's, and the lease query's, own limit on one request. */
    requestTimeoutSeconds: 5,
    failuresBeforeRestart: 4,
    /**
     * Seconds a lease holder may take from taking the lease to serving its web server: the version check, the
     * migrations and app.Start (the chains, the jobs). Past it the holder is stuck and is stopped, so the
     * standby can take over.
     */
    startupSeconds: 1200,
} as const;

/** curl's exit status when the connection is refused: nothing listens on the port. */
const CURL_CONNECTION_REFUSED = 7;

/**
 * Whether this node holds the database lease: the lease row (core/services/pg/lease_lock.go: table lease_lock,
 * client_id the node's application ID, expires_at renewed every LeaseRefreshInterval) is unexpired, and a
 * session from this node's own address carries that client ID in its application_name, which Chainlink sets to
 * "Chainlink <version> |App|<application ID>" on every connection (core/services/pg/locked_db.go openDB,
 * core/static/static.go SetConsumerName). The query connects from the node's address: its container (awsvpc on
 * ECS, host networking on GCE) has one.
 */
export const LEASE_QUERY =
    "SELECT EXISTS (SELECT 1 FROM lease_lock l JOIN pg_stat_activity a ON strpos(a.application_name, l.client_id::text) > 0 " +
    "WHERE l.expires_at > now() AND a.client_addr = inet_client_addr())";

/** The secret-store values the start script turns into files, by the environment variable that carries each. */
export const NODE_FILES = {
    config: { env: "NODE_CONFIG_TOML_BASE64", file: "config.toml" },
    secrets: { env: "NODE_SECRETS_TOML_BASE64", file: "secrets.toml" },
    apiCredentials: { env: "NODE_API_CREDENTIALS_BASE64", file: "apicredentials" },
} as const;

/**
 * The database's CA bundle, which the URL in secrets.toml names as sslrootcert: written into the run directory
 * (memory only) before the node starts, either from the secret store like the other files, or fetched from
 * the https address the cloud publishes it at (the RDS regional bundle: no API returns it).
 */
export const DATABASE_CA = { env: "NODE_DATABASE_CA_BASE64", file: "database-ca.pem" } as const;
/** `retries`: how often a failed download is tried again, CA_DOWNLOAD.retries unless given. */
export type DatabaseCaSource = { kind: "secret" } | { kind: "download"; url: string; retries?: number };

/** How long one download of the CA bundle may take, how often it is tried again and how long apart, before the node gives up starting. */
export const CA_DOWNLOAD = { maxSeconds: 20, retries: 5, retryDelaySeconds: 3 } as const;

export interface ScriptOptions {
    port: number;
    runDir: string;
    /** Where the database's CA bundle comes from; none: the URL names no CA file. */
    databaseCa?: DatabaseCaSource;
}

/** The start script's lines that put the database's CA bundle in place, or stop the start when they cannot. */
export function databaseCaLines(o: ScriptOptions): string[] {
    const ca = o.databaseCa;
    if (ca === undefined) return [];
    const target = `'${o.runDir}/${DATABASE_CA.file}'`;
    const fetch = ca.kind === "secret"
        ? [`decode ${DATABASE_CA.env} ${DATABASE_CA.file}`]
        : [
            "# The database's CA bundle, over https only, checked against the image's own CA store.",
            `if ! curl --fail --silent --show-error --location --proto '=https' --proto-redir '=https' --max-time ${CA_DOWNLOAD.maxSeconds} ` +
                `--retry ${ca.retries ?? CA_DOWNLOAD.retries} --retry-delay ${CA_DOWNLOAD.retryDelaySeconds} --retry-all-errors --output ${target} '${ca.url}'; then`,
            `  echo "could not download the database's CA bundle from ${ca.url}" >&2; exit 1`,
            "fi",
        ];
    return [
        ...fetch,
        `if ! grep -q -- '-----BEGIN CERTIFICATE-----' ${target}; then echo "the database's CA bundle holds no PEM certificate" >&2; exit 1; fi`,
    ];
}

const DEFAULT_SCRIPT_OPTIONS: ScriptOptions = { port: PORTS.http, runDir: RUN_DIR };

/**
 * The bash function that asks the database whether this node holds the lease: prints t or f, fails when the
 * database does not answer. libpq reads the connection from its environment, taken apart from secrets.toml's
 * [Database] URL (one TOML basic string, as renderSecretsToml writes it): the password is on no command line.
 */
export function leaseHeldFunction(o: ScriptOptions = DEFAULT_SCRIPT_OPTIONS): string[] {
    const w = HEALTH_WATCH;
    return [
        "# lease_held: t when this node holds the database lease, f when it does not; fails when the database cannot tell.",
        "lease_held() {",
        "  local url rest userinfo hostport param name",
        `  url="$(sed -n '/^\\[Database\\]$/,/^\\[/ s/^URL = "\\(.*\\)"$/\\1/p' '${o.runDir}/${NODE_FILES.secrets.file}')"`,
        '  case "$url" in postgres*://*) ;; *) return 1 ;; esac',
        `  decode_url() { printf '%b' "\${1//%/\\\\x}"; }`,
        '  rest="${url#*://}"; userinfo="${rest%%@*}"; rest="${rest#*@}"; hostport="${rest%%/*}"; rest="${rest#*/}"',
        "  (",
        '    export PGUSER PGPASSWORD PGHOST="${hostport%:*}" PGPORT="${hostport##*:}" PGDATABASE',
        '    PGUSER="$(decode_url "${userinfo%%:*}")"; PGPASSWORD="$(decode_url "${userinfo#*:}")"; PGDATABASE="$(decode_url "${rest%%\\?*}")"',
        '    if [ "$rest" != "${rest#*\\?}" ]; then',
        '      IFS="&" read -ra params <<< "${rest#*\\?}"',
        '      for param in "${params[@]}"; do',
        '        name="${param%%=*}"',
        '        case "$name" in sslmode|sslrootcert|sslcert|sslkey|sslcrl) export "PG${name^^}=$(decode_url "${param#*=}")" ;; esac',
        "      done",
        "    fi",
        `    export PGCONNECT_TIMEOUT=${w.requestTimeoutSeconds} PGOPTIONS='-c statement_timeout=${w.requestTimeoutSeconds * 1000}' PGAPPNAME=chainlink-watch`,
        `    timeout ${w.requestTimeoutSeconds * 2} psql --no-psqlrc --no-password --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 --command '${LEASE_QUERY}'`,
        "  )",
        "}",
    ];
}

/** The bash function the start script judges the node with; prints its verdict, fails when the node is broken. */
export function nodeHealthFunction(o: ScriptOptions = DEFAULT_SCRIPT_OPTIONS): string[] {
    const w = HEALTH_WATCH;
    const since = `'${o.runDir}/starting-since'`;
    return [
        ...leaseHeldFunction(o),
        "",
        "# starting WHY: a lease holder that does not serve yet; fails once it has taken longer than the start-up allows.",
        "starting() {",
        "  local elapsed",
        `  [ -f ${since} ] || date +%s > ${since}`,
        `  elapsed=$(( $(date +%s) - $(cat ${since}) ))`,
        `  if [ "$elapsed" -lt ${w.startupSeconds} ]; then echo "starting: $1 for \${elapsed}s"; return 0; fi`,
        `  echo "stuck: $1 for \${elapsed}s, longer than the ${w.startupSeconds}s a start may take"`,
        "  return 1",
        "}",
        "",
        "# node_health: prints the node's state; fails only when the node itself is broken, never for what it depends on.",
        "node_health() {",
        "  local pid status code=0 held",
        `  pid="$(cat '${o.runDir}/node.pid' 2>/dev/null)" || { echo "no node process recorded"; return 1; }`,
        '  if ! kill -0 "$pid" 2>/dev/null; then echo "the node process ${pid} is gone"; return 1; fi',
        `  status="$(curl --silent --output /dev/null --max-time ${w.requestTimeoutSeconds} --write-out '%{http_code}' 'http://127.0.0.1:${o.port}${HEALTH.path}')" || code=$?`,
        `  if [ "$code" -eq 0 ] && [ "$status" = "${STARTUP_REPORT.readyzStatus}" ]; then starting "the start-up report answers ${HEALTH.path} with ${STARTUP_REPORT.readyzStatus} (version check and migrations)"; return; fi`,
        '  if [ "$code" -eq 0 ]; then',
        `    rm -f ${since}`,
        `    echo "serving: ${HEALTH.path} answers \${status}"`,
        "    return 0",
        "  fi",
        `  if [ "$code" -ne ${CURL_CONNECTION_REFUSED} ]; then echo "unresponsive: ${HEALTH.path} got no answer (curl exit \${code})"; return 1; fi`,
        '  held="$(lease_held 2>/dev/null)" || held=""',
        '  case "$held" in',
        `    t) starting "it holds the database lease and nothing listens on ${o.port}" ;;`,
        `    f) rm -f ${since}; echo "standby: nothing listens on ${o.port}; another node holds the database lease" ;;`,
        `    *) echo "standby or starting: nothing listens on ${o.port} and the database does not say who holds the lease" ;;`,
        "  esac",
        "}",
    ];
}

/**
 * The start script: writes the node's files from the secret store (readable by the node's user only) and
 * drops the variables that carried them, starts the node, hands it SIGTERM, and stops it once it has been
 * broken (unresponsive, or stuck starting while it holds the lease) for failuresBeforeRestart checks in a row,
 * so the container exits and the platform replaces it.
 */
export function startScript(o: ScriptOptions = DEFAULT_SCRIPT_OPTIONS): string {
    const w = HEALTH_WATCH;
    const file = (f: { file: string }) => `'${o.runDir}/${f.file}'`;
    return [
        "#!/bin/bash",
        "# Runs one node of a Chainlink active/standby pair and stops it when it is broken: unresponsive, or stuck starting with the lease.",
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
        ...databaseCaLines(o),
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
    /** The database's CA bundle: a secret-store value, or where the start script downloads it. */
    databaseCa?: { secret: Secret } | { url: string };
    api: LoadBalancerTarget;
    /** The shared public address of the P2P port. */
    p2p: PassthroughAddress;
}

function databaseCaSource(ca: NodeContainerArgs["databaseCa"]): DatabaseCaSource | undefined {
    if (ca === undefined) return undefined;
    return "secret" in ca ? { kind: "secret" } : { kind: "download", url: ca.url };
}

export function nodeContainer(args: NodeContainerArgs): ContainerSpec {
    return {
        name: "chainlink",
        image: chainlinkImage(args.version),
        // Replaces the image's `chainlink` entrypoint and its `local node` command.
        entrypoint: ["/bin/bash", "-c", startScript({ ...DEFAULT_SCRIPT_OPTIONS, databaseCa: databaseCaSource(args.databaseCa) }), "chainlink-node"],
        command: [],
        secrets: {
            ...Object.fromEntries(Object.entries(NODE_FILES).map(([key, f]) => [f.env, args.files[key as keyof typeof NODE_FILES]])),
            ...(args.databaseCa && "secret" in args.databaseCa ? { [DATABASE_CA.env]: args.databaseCa.secret } : {}),
        },
        ports: [
            { port: PORTS.http, exposure: { kind: "loadBalancer", target: args.api } },
            { port: args.p2p.port, protocol: "tcp", exposure: { kind: "publicAddress", address: args.p2p } },
        ],
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        user: CHAINLINK_USER,
        // config.toml holds the RPC URLs, secrets.toml the database URL and keystore password.
        memoryScratch: { path: RUN_DIR, sizeMiB: RUN_DIR_MIB },
    };
}
