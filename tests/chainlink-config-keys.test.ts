// The TOML the program renders for Chainlink, key by key against the release it pins: every table and key of
// config.toml and secrets.toml must be one that release documents (smartcontractkit/chainlink docs/CONFIG.md
// and docs/SECRETS.md at the tag, extracted into tests/data/chainlink-config-keys.json by
// tools/chainlink-config-keys.ts), with a value of the documented TOML type, durations as Go durations and
// sizes as byte sizes. Checked on the files the synthesized graph hands the nodes, for every committed stack
// that enables Chainlink, on both clouds, and on a rendering that uses every option.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "smol-toml";
import { DEFAULT_VERSION, nodeConfig, nodeSecrets, renderConfigToml, renderSecretsToml } from "../components/chainlink";
import { CLOUDS } from "../stacks/config";
import { ConfigKeyData, KeyTree, extractKeyTree } from "../tools/chainlink-config-keys";
import { cloudStacks, graphCases, graphOf } from "./conformance/graphs";
import { storedSecretFile } from "./support";

const DATA: ConfigKeyData = JSON.parse(fs.readFileSync(path.join(__dirname, "data", "chainlink-config-keys.json"), "utf8"));

/** time.ParseDuration's syntax, which Chainlink's config durations use. */
const GO_DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** Chainlink's byte sizes (utils.FileSize): a number and a unit b, kb, mb, gb or tb. */
const BYTE_SIZE = /^\d+(\.\d+)?(b|kb|mb|gb|tb)$/i;

function tomlType(value: unknown): string {
    if (typeof value === "string") return "string";
    if (typeof value === "boolean") return "boolean";
    if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) return "integer";
    if (typeof value === "number") return "float";
    if (Array.isArray(value)) return "array";
    if (value instanceof Date) return "datetime";
    return "table";
}

const isTable = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);

/** Every rendered table or key the release does not document, or documents with another type, as sentences. */
function undocumented(doc: Record<string, unknown>, tree: KeyTree, at = ""): string[] {
    const problems: string[] = [];
    const table = tree[at];
    for (const [key, value] of Object.entries(doc)) {
        const child = at === "" ? key : `${at}.${key}`;
        if (isTable(value)) {
            if (!tree[child] || tree[child].array) problems.push(`[${child}] is not a table the release documents`);
            else problems.push(...undocumented(value, tree, child));
            continue;
        }
        if (Array.isArray(value) && value.length > 0 && value.every(isTable)) {
            if (!tree[child]?.array) problems.push(`[[${child}]] is not a list of tables the release documents`);
            else for (const item of value) problems.push(...undocumented(item, tree, child));
            continue;
        }
        const documented = table?.keys[key];
        if (!documented) {
            problems.push(`${child} is not a key the release documents`);
            continue;
        }
        const type = tomlType(value);
        const compatible = type === documented.type || (documented.type === "float" && type === "integer");
        if (!compatible) problems.push(`${child} is ${type}; the release documents ${documented.type}`);
        else if (documented.format === "duration" && !GO_DURATION.test(value as string)) problems.push(`${child} = ${JSON.stringify(value)} is not a Go duration`);
        else if (documented.format === "size" && !BYTE_SIZE.test(value as string)) problems.push(`${child} = ${JSON.stringify(value)} is not a byte size`);
    }
    return problems;
}

const asPlain = (text: string) => JSON.parse(JSON.stringify(parse(text), (_k, v) => (typeof v === "bigint" ? Number(v) : v))) as Record<string, unknown>;

describe("Chainlink's TOML against the pinned release's own reference", function () {
    this.timeout(120_000);

    it(`holds the key tree of the release the image pins (smartcontractkit/chainlink ${DATA.source.tag}, ${DATA.source.config} and ${DATA.source.secrets})`, () => {
        assert.strictEqual(DATA.source.tag, `v${DEFAULT_VERSION}`, "the data and the image pin name the same release");
        assert.match(DATA.source.commit, /^[0-9a-f]{40}$/);
        for (const key of ["MaxOpenConns", "MaxIdleConns"]) assert.strictEqual(DATA.config.Database.keys[key].type, "integer");
        assert.deepStrictEqual(Object.keys(DATA.config["EVM.Nodes"].keys).sort(), ["HTTPURL", "HTTPURLExtraWrite", "IsLoadBalancedRPC", "Name", "Order", "SendOnly", "WSURL"]);
        assert.strictEqual(DATA.config["EVM.Nodes"].array, true);
        assert.deepStrictEqual(Object.keys(DATA.secrets).filter(t => ["Database", "Password", "Prometheus"].includes(t)).sort(), ["Database", "Password", "Prometheus"]);
    });

    it("extracts tables, lists of tables, types and formats the way the reference writes them, skipping per-chain defaults", () => {
        const reference = [
            "## Example", "```toml", "[[EVM]]", "ChainID = '1' # Required", "[[EVM.Nodes]]", "Name = 'fake' # Required", "```",
            "## Global", "```toml", "RootDir = '~/.chainlink' # Default", "ShutdownGracePeriod = '5s' # Default", "```",
            "## EVM", "<details><summary>Ethereum Mainnet (1)</summary><p>", "```toml", "FinalityDepth = 50", "```", "</p></details>",
            "### ChainID", "```toml", "ChainID = '1' # Example", "```",
            "## Log.File", "```toml", "[Log.File]", "MaxSize = '5120mb' # Default", "MaxBackups = 1 # Default", "```",
            "## Rate", "```toml", "Rate = 100.0 # Default", "Enabled = false # Default", "```",
        ].join("\n");
        assert.deepStrictEqual(extractKeyTree(reference), {
            "": { array: false, keys: {
                RootDir: { type: "string", marked: "Default", value: "~/.chainlink" },
                ShutdownGracePeriod: { type: "string", format: "duration", marked: "Default", value: "5s" },
            } },
            EVM: { array: true, keys: { ChainID: { type: "string", marked: "Example", value: "1" } } },
            "EVM.Nodes": { array: true, keys: {} },
            "Log.File": { array: false, keys: {
                MaxSize: { type: "string", format: "size", marked: "Default", value: "5120mb" },
                MaxBackups: { type: "integer", marked: "Default", value: 1 },
            } },
            Rate: { array: false, keys: { Rate: { type: "float", marked: "Default", value: 100 }, Enabled: { type: "boolean", marked: "Default", value: false } } },
        });
    });

    it("reports a key the release does not have, a table it does not have, a wrong type and a malformed duration", () => {
        const doc = { Database: { MaxOpenConn: 20, Lock: { LeaseDuration: "10 seconds" } }, WebServer: { HTTPPort: "6688" }, Nonsense: { A: 1 } };
        assert.deepStrictEqual(undocumented(doc, DATA.config), [
            "Database.MaxOpenConn is not a key the release documents",
            'Database.Lock.LeaseDuration = "10 seconds" is not a Go duration',
            "WebServer.HTTPPort is string; the release documents integer",
            "[Nonsense] is not a table the release documents",
        ]);
    });

    it("documents every key of a rendering that uses every option: send-only nodes, an order, a selection mode", () => {
        const args = {
            chainId: "1",
            nodes: [
                { name: "a", wsUrl: "wss://a.invalid/k", httpUrl: "https://a.invalid/k", sendOnly: false, order: 1 },
                { name: "b", httpUrl: "https://b.invalid/k", sendOnly: true },
            ],
            selectionMode: "PriorityLevel" as const,
            maxOpenConns: 40,
            leaseDuration: "1m30s",
            origin: "https://chainlink.example.com",
        };
        assert.deepStrictEqual(asPlain(renderConfigToml(args)), JSON.parse(JSON.stringify(nodeConfig(args))), "the TOML writer keeps every key");
        assert.deepStrictEqual(undocumented(asPlain(renderConfigToml(args)), DATA.config), []);
        const secrets = { databaseUrl: "postgresql://u:p@h:5432/d?sslmode=verify-full", keystorePassword: "k".repeat(32), prometheusToken: "t" };
        assert.deepStrictEqual(undocumented(asPlain(renderSecretsToml(secrets)), DATA.secrets), []);
        assert.deepStrictEqual(Object.keys(nodeSecrets(secrets)), ["Database", "Password", "Prometheus"]);
    });

    const committed = graphCases().filter(c => cloudStacks().includes(c.request.stack) && c.request.stackName === undefined && c.request.set === undefined);
    it("covers every committed stack on both clouds", () => {
        assert.deepStrictEqual([...new Set(committed.map(c => c.cloud))].sort(), [...CLOUDS].sort());
        assert.strictEqual(committed.length, cloudStacks().length * CLOUDS.length);
    });

    for (const c of committed) {
        it(`${c.label}: config.toml and secrets.toml as the nodes receive them hold only documented keys of documented types`, async () => {
            const report = await graphOf(c);
            if (!report.resources.some(r => r.name === "chainlink-config-version")) {
                // This stack does not enable Chainlink: nothing is rendered, so nothing can be wrong.
                assert.ok(!report.resources.some(r => r.type === "web3-nodes:chainlink:ChainlinkNode"));
                return;
            }
            const config = asPlain(storedSecretFile(report, "chainlink-config"));
            const secrets = asPlain(storedSecretFile(report, "chainlink-secrets"));
            assert.ok(Object.keys(config).length > 3 && Object.keys(secrets).length === 3, "the files were read");
            assert.deepStrictEqual(undocumented(config, DATA.config), []);
            assert.deepStrictEqual(undocumented(secrets, DATA.secrets), []);
        });
    }
});
