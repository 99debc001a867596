// The js-ceramic side of a Ceramic node judged by js-ceramic's own code, from the npm packages of the release it
// deploys (@ceramicnetwork/cli 6.11.0, tests/jsCeramic.ts): the config file it writes, parsed by DaemonConfig
// and checked by validateConfig, for every flavour that runs js-ceramic and every network; the ComposeDB index
// check (make-index-api.ts) against the stack's own SQLite refusal; the S3 state store pointed at a stand-in S3
// on 127.0.0.1, every request recorded and nothing let off the machine; the index database's TLS through the
// preload against a stand-in Postgres; the start script that puts the preload and the CA bundle in place.
// js-ceramic-kubo runs 5.16.0, whose daemon-config.ts, s3-store.ts (but a metrics counter) and make-index-api.ts
// are those of 6.11.0 (git diff @ceramicnetwork/cli@5.16.0 @ceramicnetwork/cli@6.11.0: a blank line), so 6.11.0
// judges its configs too.
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import * as YAML from "yaml";
import { ANCHOR_SERVICE_URLS, NETWORKS } from "../components/ceramic";
import { CERAMIC_ENV, DaemonConfigArgs, JS_CERAMIC_LINES, JsCeramicFlavour, StateStoreTarget, ceramicStartScript, daemonConfig } from "../components/ceramic/daemon";
import { DATABASE_CA_FILE_NAME, INDEX_DATABASE_ENV, IndexingTarget, assertValidIndexDatabase, indexDatabaseSettings } from "../components/ceramic/indexDatabase";
import { PRELOAD_ENV, preloadSource } from "../components/ceramic/preload";
import { BUCKET_LEVEL_ROLE, BUCKET_ROLES } from "../components/gcp/bucketAccess";
import { PublicCloud } from "../components/topology";
import { verifiedPostgresUrl } from "../components/topology/postgres";
import { parseConfig } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { cloudSqlServerCa } from "../tools/mocks/gcp";
import { SynthReport } from "../tools/synth";
import { graphCases, graphOf } from "./conformance/graphs";
import { baseConfig } from "./fixtures";
import { CLI_DIRECTORY, DaemonConfigInstance, QUIET_LOGGER, UPSTREAM_CLI_VERSION, Upstream, applyDaemonEnv, jsCeramic } from "./jsCeramic";
import { bashWords } from "./support";

/** The modules' own objects, which the preload and the network guard change (an import's namespace is read-only). */
const dnsModule = require("dns") as { lookup: unknown };
const tlsModule = require("tls") as { checkServerIdentity: typeof tls.checkServerIdentity };

const JS_FLAVOURS: JsCeramicFlavour[] = ["js-ceramic", "js-ceramic-kubo"];
const SEED_URL = `inplace:ed25519#${"11".repeat(32)}`;
const ADMIN_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
/** A Postgres URL as the node's secret holds one: the back-end's, verified against the CA file (topology/postgres.ts). */
const POSTGRES_URL = verifiedPostgresUrl("postgresql://ceramic:pw-123@10.0.0.5:5432/ceramic?sslmode=require", "verify-full", `/tmp/ceramic/${DATABASE_CA_FILE_NAME}`);
/** The buckets' endpoints as each back-end hands them out (Bucket.s3Endpoint). */
const BUCKETS: Record<PublicCloud, StateStoreTarget> = {
    aws: { kind: "bucket", bucket: { s3Endpoint: "https://s3.us-east-1.amazonaws.com", s3Region: "us-east-1" } as never },
    gcp: { kind: "bucket", bucket: { s3Endpoint: "https://storage.googleapis.com", s3Region: "auto" } as never },
};
const POSTGRES: IndexingTarget = { kind: "postgres", url: {} as never, ca: { kind: "download", url: "https://example.com/ca.pem" } };

function args(flavour: JsCeramicFlavour, network: (typeof NETWORKS)[number], over: Partial<DaemonConfigArgs> = {}): DaemonConfigArgs {
    return {
        flavour,
        network,
        anchorServiceUrl: ANCHOR_SERVICE_URLS[network],
        ipfsApiUrl: flavour === "js-ceramic" ? "http://ceramic-one.web3-prod.internal:5101" : "http://ceramic-ipfs.web3-prod.internal:5011",
        corsAllowedOrigins: [".*", "^https://app\\.example\\.com$"],
        adminDids: [ADMIN_DID],
        logLevel: "important",
        metricsPublisher: false,
        stateStore: { kind: "volume" },
        indexing: POSTGRES,
        ...over,
    };
}

/**
 * Every key of `given` that did not come back out of the parsed config as it went in, as a path: a mistyped or
 * unknown key, which DaemonConfig drops without a word (typedjson reads declared members only). The parser
 * adds its defaults; those are not the node's. Origins come back as RegExp sources, slashes escaped.
 */
function keysLost(given: unknown, parsed: unknown, at = ""): string[] {
    if (Array.isArray(given)) {
        if (!Array.isArray(parsed) || parsed.length !== given.length) return [at];
        const asRegExp = at.endsWith("cors-allowed-origins");
        return given.flatMap((g, i) => (asRegExp ? (new RegExp(g).source === parsed[i] ? [] : [`${at}[${i}]`]) : keysLost(g, parsed[i], `${at}[${i}]`)));
    }
    if (given !== null && typeof given === "object") {
        if (parsed === null || typeof parsed !== "object") return [at];
        return Object.entries(given).flatMap(([k, v]) => (k in (parsed as object) ? keysLost(v, (parsed as Record<string, unknown>)[k], at ? `${at}.${k}` : k) : [at ? `${at}.${k}` : k]));
    }
    return given === parsed ? [] : [at];
}

/** Parses and validates as the daemon does: the file, then the environment over it, then validateConfig. */
function parseAsDaemon(u: Upstream, config: Record<string, unknown>, env: { CERAMIC_INDEXING_DB_URI?: string } = {}): { parsed: DaemonConfigInstance; lost: string[] } {
    const parsed = u.DaemonConfig.fromObject(config);
    const lost = keysLost(config, JSON.parse(JSON.stringify(parsed)));
    applyDaemonEnv(parsed, { ...env, CERAMIC_NODE_PRIVATE_SEED_URL: SEED_URL });
    u.validateConfig(parsed);
    return { parsed, lost };
}

/** knex loads the native sqlite3 driver as it builds a SQLite client; the install builds none (.npmrc ignore-scripts), and no test opens a database. */
function withSqlite3StandIn<T>(run: () => T): T {
    const id = require.resolve("sqlite3", { paths: [path.dirname(require.resolve("knex", { paths: [CLI_DIRECTORY] }))] });
    const before = require.cache[id];
    require.cache[id] = { id, filename: id, loaded: true, exports: { Database: function () { throw new Error("no database in tests"); }, OPEN_READWRITE: 2, OPEN_CREATE: 4 } } as never;
    try {
        return run();
    } finally {
        if (before) require.cache[id] = before;
        else delete require.cache[id];
    }
}

/** The stack's own verdict on a Ceramic section: its problems, or none. */
function configProblems(ceramic: Record<string, unknown>): string[] {
    try {
        // The Ethereum RPC URL is set as a secret, as a mainnet stack must.
        parseConfig(baseConfig("aws", { ceramic }), undefined, new Set(["ceramic", "registryMirror"]));
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
}

/** Runs the preload as node would (--require), with only `env` set of its variables; returns how to undo it. */
function runPreload(dir: string, env: Partial<Record<keyof typeof PRELOAD_ENV, string>>, u: Upstream): () => void {
    const file = path.join(dir, `preload-${Date.now()}-${Math.random().toString(36).slice(2)}.cjs`);
    fs.writeFileSync(file, preloadSource(CLI_DIRECTORY));
    const saved = { s3: u.awsSdk.config.s3, check: tlsModule.checkServerIdentity, env: { ...process.env } };
    for (const [key, name] of Object.entries(PRELOAD_ENV)) {
        const value = env[key as keyof typeof PRELOAD_ENV];
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    require(file);
    return () => {
        u.awsSdk.config.s3 = saved.s3;
        tlsModule.checkServerIdentity = saved.check;
        for (const name of Object.values(PRELOAD_ENV)) {
            if (saved.env[name] === undefined) delete process.env[name];
            else process.env[name] = saved.env[name];
        }
    };
}

/** The ceramic container of a synthesized stack: its plain variables and the names of its secrets. */
function deployedCeramic(report: SynthReport, cloud: PublicCloud): { env: Record<string, string>; secrets: string[] } {
    if (cloud === "aws") {
        const td = report.resources.find(r => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name === "ceramic-task")!;
        const [def] = JSON.parse(td.inputs.containerDefinitions as string) as { environment: { name: string; value: string }[]; secrets: { name: string }[] }[];
        return { env: Object.fromEntries(def.environment.map(e => [e.name, e.value])), secrets: def.secrets.map(s => s.name) };
    }
    const template = report.resources.find(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate" && r.name === "ceramic-template")!;
    const files = (YAML.parse((template.inputs.metadata as Record<string, string>)["user-data"]) as { write_files: { path: string; content: string }[] }).write_files;
    const run = files.find(f => f.path.endsWith("/run-ceramic.sh"))!.content;
    const words = bashWords(run.slice(run.indexOf("exec /usr/bin/docker") + "exec ".length));
    const env: Record<string, string> = {};
    words.forEach((w, i) => {
        if (w === "--env") env[words[i + 1].slice(0, words[i + 1].indexOf("="))] = words[i + 1].slice(words[i + 1].indexOf("=") + 1);
    });
    // write_env_file FILE OWNER NAME VERSION [NAME VERSION]... || return 1
    const line = bashWords(files.find(f => f.path.endsWith("/fetch-secrets.sh"))!.content.split("\n").find(l => l.includes("/ceramic.env "))!);
    return { env, secrets: line.slice(3, line.indexOf("||")).filter((_, k) => k % 2 === 0) };
}

/**
 * The URL with its CA file at `file`: knex parses the URL as js-ceramic builds its index and reads the file
 * then (knex 2.5.1 config-resolver.js, pg-connection-string 2.6.1), so it must exist by then; in the node the
 * start script writes it first.
 */
function withCaFile(url: string, file: string): string {
    fs.writeFileSync(file, cloudSqlServerCa("ceramic-index"));
    const parsed = new URL(url);
    parsed.searchParams.set("sslrootcert", file);
    return parsed.toString();
}

/** The value a Secret component stored, from the engine view (AWS secretString, GCP secretData). */
function storedSecret(report: SynthReport, name: string): string {
    const version = report.resources.find(r => r.name === `${name}-version` && /secretVersion:SecretVersion$/.test(r.type))!;
    const raw = (version.engine!.inputs.secretString ?? version.engine!.inputs.secretData) as unknown;
    return (raw !== null && typeof raw === "object" ? (raw as { value: string }).value : raw) as string;
}

describe(`js-ceramic's own code judges the node (@ceramicnetwork/cli ${UPSTREAM_CLI_VERSION})`, function () {
    this.timeout(120_000);
    let u: Upstream;
    let tmp: string;
    before(async () => {
        u = await jsCeramic();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ceramic-js-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("is the release the node deploys: the devDependency and the image tag name the same version", () => {
        const installed = JSON.parse(fs.readFileSync(path.join(CLI_DIRECTORY, "package.json"), "utf8")).version;
        const declared = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).devDependencies["@ceramicnetwork/cli"];
        assert.deepStrictEqual([installed, declared], [UPSTREAM_CLI_VERSION, UPSTREAM_CLI_VERSION]);
        assert.strictEqual(JS_CERAMIC_LINES["js-ceramic"].image, `ceramicnetwork/js-ceramic:${UPSTREAM_CLI_VERSION}`);
    });

    describe("the config file: DaemonConfig.fromObject, the environment, validateConfig (packages/cli/src/daemon-config.ts, ceramic-cli-utils.ts)", () => {
        it("parses every flavour's config on every network, with the state store on a volume or in either cloud's bucket, and loses no key", () => {
            let cases = 0;
            for (const flavour of JS_FLAVOURS) {
                for (const network of NETWORKS) {
                    for (const [where, stateStore] of [["volume", { kind: "volume" }], ["aws bucket", BUCKETS.aws], ["gcp bucket", BUCKETS.gcp]] as const) {
                        const indexes: IndexingTarget[] = network === "mainnet" ? [POSTGRES] : [POSTGRES, { kind: "sqlite" }];
                        for (const indexing of indexes) {
                            const config = daemonConfig(args(flavour, network, { stateStore, indexing }), "web3-prod-ceramic-state");
                            const label = `${flavour} on ${network}, state store ${where}, index ${indexing.kind}`;
                            const { parsed, lost } = parseAsDaemon(u, config, indexing.kind === "postgres" ? { CERAMIC_INDEXING_DB_URI: POSTGRES_URL } : {});
                            assert.deepStrictEqual(lost, [], `${label}: keys js-ceramic does not read`);
                            assert.strictEqual(parsed.network.name, network, label);
                            assert.strictEqual(parsed.node.sensitive_privateSeedUrl(), SEED_URL, `${label}: the seed from the environment`);
                            assert.strictEqual(parsed.indexing.db, indexing.kind === "postgres" ? POSTGRES_URL : "sqlite:///data/ceramic/indexing.sqlite", label);
                            assert.deepStrictEqual(parsed.httpApi.adminDids, [ADMIN_DID], label);
                            cases++;
                        }
                    }
                }
            }
            assert.strictEqual(cases, 2 * 3 * 3 + 2 * 2 * 3 * 1);
        });

        it("catches a mistyped key, which the parser drops without a word and replaces with its default", () => {
            const config = daemonConfig(args("js-ceramic", "mainnet"));
            const typo = { ...config, metrics: { "metrics-publisher-enable": false } };
            const { parsed, lost } = parseAsDaemon(u, typo, { CERAMIC_INDEXING_DB_URI: POSTGRES_URL });
            assert.deepStrictEqual(lost, ["metrics.metrics-publisher-enable"]);
            assert.strictEqual(parsed.metrics.metricsPublisherEnabled, true, "js-ceramic's own default (daemon-config.ts: metrics-publisher-enabled = true)");
            assert.throws(() => u.DaemonConfig.fromObject({ ...config, "http-api": { "admin-dids": ADMIN_DID } }), /admin-dids: expected 'Array', got 'String'/);
        });

        it("keeps the metrics publisher off unless asked, though js-ceramic's own default is on", () => {
            const off = parseAsDaemon(u, daemonConfig(args("js-ceramic", "mainnet")), { CERAMIC_INDEXING_DB_URI: POSTGRES_URL }).parsed;
            const on = parseAsDaemon(u, daemonConfig(args("js-ceramic", "mainnet", { metricsPublisher: true })), { CERAMIC_INDEXING_DB_URI: POSTGRES_URL }).parsed;
            const unset = u.DaemonConfig.fromObject({ metrics: {} });
            assert.deepStrictEqual([off.metrics.metricsPublisherEnabled, on.metrics.metricsPublisherEnabled, unset.metrics.metricsPublisherEnabled], [false, true, true]);
        });

        it("refuses to start when the seed is missing: the anchor service knows the node by its DID (validateConfig)", () => {
            const parsed = u.DaemonConfig.fromObject(daemonConfig(args("js-ceramic", "testnet-clay")));
            assert.throws(() => u.validateConfig(parsed), /missing node\.private-seed-url/);
        });

        for (const c of graphCases().filter(g => !g.label.includes(" with "))) {
            it(`${c.label}: the deployed container's config parses, its index URL comes from the secret store, and js-ceramic builds its index from it`, async () => {
                const report = await graphOf(c);
                const { env, secrets } = deployedCeramic(report, c.cloud);
                const config = JSON.parse(env[CERAMIC_ENV.config]);
                assert.ok(!env[CERAMIC_ENV.config].includes("postgres"), "no database URL in the config");
                assert.ok(!(INDEX_DATABASE_ENV.url in env), "the URL is never a plain variable");
                assert.ok(secrets.includes(INDEX_DATABASE_ENV.url), `${INDEX_DATABASE_ENV.url} from the secret store (secrets: ${secrets.join(", ")})`);
                const url = storedSecret(report, "ceramic-index-url");
                const { parsed, lost } = parseAsDaemon(u, config, { CERAMIC_INDEXING_DB_URI: withCaFile(url, path.join(tmp, "stand-in-ca.pem")) });
                assert.deepStrictEqual(lost, []);
                assert.strictEqual(parsed.metrics.metricsPublisherEnabled, false);
                assert.strictEqual(env.IPFS_FLAVOR, "rust", "js-ceramic 6 over ceramic-one");
                assert.match(config.ipfs.host, /^http:\/\/[a-z0-9.-]+:5101$/, "ceramic-one's RPC");
                const index = u.makeIndexApi(parsed.indexing, parsed.network.name, QUIET_LOGGER)!;
                try {
                    assert.strictEqual(index.constructor.name, "PostgresIndexApi");
                } finally {
                    await index.dbConnection.destroy();
                }
                // The URL verifies the server against the CA file the start script writes.
                const query = new URL(url).searchParams;
                assert.deepStrictEqual([query.get("sslmode"), query.get("sslrootcert")], [c.cloud === "aws" ? "verify-full" : "verify-ca", `/tmp/ceramic/${DATABASE_CA_FILE_NAME}`]);
                if (c.cloud === "gcp") {
                    assert.ok(secrets.includes(INDEX_DATABASE_ENV.caBase64));
                    assert.match(env[PRELOAD_ENV.caOnlyHost], /^\d+\.\d+\.\d+\.\d+$/, "the database's address, checked by CA only");
                    assert.strictEqual(env[PRELOAD_ENV.caOnlyHost], new URL(url).hostname);
                } else {
                    assert.match(env[INDEX_DATABASE_ENV.caUrl], /^https:\/\/truststore\.pki\.rds\.amazonaws\.com\/us-east-1\/us-east-1-bundle\.pem$/);
                    assert.ok(!(PRELOAD_ENV.caOnlyHost in env), "Aurora's certificate names its endpoint: verified in full");
                }
                if (config["state-store"].mode === "s3") assert.strictEqual(env[PRELOAD_ENV.s3Endpoint], config["state-store"]["s3-endpoint"]);
                else assert.ok(!(PRELOAD_ENV.s3Endpoint in env));
            });
        }
    });

    describe("the ComposeDB index check (packages/indexing/src/make-index-api.ts)", () => {
        it("refuses SQLite on mainnet where the stack's config refuses it, for both flavours, naming ceramic.network and the flavour", () => {
            for (const flavour of JS_FLAVOURS) {
                for (const network of NETWORKS) {
                    const config = daemonConfig(args(flavour, network, { indexing: { kind: "sqlite" } }));
                    const { parsed } = parseAsDaemon(u, config);
                    // buildIndexing makes the file's directory: a temporary one, the protocol is what is judged.
                    parsed.indexing.db = `sqlite://${path.join(tmp, "index", "indexing.sqlite")}`;
                    let upstreamRefused = false;
                    withSqlite3StandIn(() => {
                        try {
                            u.makeIndexApi(parsed.indexing, network, QUIET_LOGGER);
                        } catch (e) {
                            assert.ok(e instanceof u.UnsupportedIndexingDatabaseError, String(e));
                            upstreamRefused = true;
                        }
                    });
                    const problems = configProblems({
                        enabled: true, flavour, network, indexDatabase: "sqlite",
                        ...(network === "mainnet" ? { ethereumRpcUrl: "https://mainnet.infura.example/v3/key" } : {}),
                    });
                    assert.strictEqual(upstreamRefused, network === "mainnet", `${flavour} on ${network}: js-ceramic refuses SQLite only on mainnet`);
                    assert.strictEqual(problems.length, network === "mainnet" ? 1 : 0, `${flavour} on ${network}: ${problems.join("; ")}`);
                    if (network === "mainnet") {
                        // The section holds a secret (the Ethereum RPC URL), so the reader shows no value of it.
                        assert.match(problems[0], /^web3-nodes:ceramic\.indexDatabase = \[secret\]: ceramic\.network is mainnet and ceramic\.flavour is /);
                        assert.ok(problems[0].includes(`ceramic.flavour is ${flavour},`), problems[0]);
                        assert.match(problems[0], /use postgres$/);
                        // The component refuses it the same way, before it declares anything.
                        assert.throws(() => assertValidIndexDatabase({ ...indexDatabaseSettings({ indexDatabase: "sqlite" }, "aws", "dev"), flavour, network }, "aws", "dev"),
                            new RegExp(`ceramic\\.indexDatabase = "sqlite": ceramic\\.network is mainnet and ceramic\\.flavour is ${flavour},`));
                    }
                }
            }
            // ceramic-one keeps no index: its keys are refused there, their defaults not.
            const ceramicOne = { enabled: true, flavour: "ceramic-one", apiCidrs: ["203.0.113.0/24"] };
            assert.deepStrictEqual(configProblems(ceramicOne), []);
            assert.deepStrictEqual(configProblems({ ...ceramicOne, indexDatabaseClass: "db.r6g.large" }).map(p => p.replace(/ = .*?:/, ":")), [
                "web3-nodes:ceramic.indexDatabaseClass: flavour is ceramic-one, which runs no js-ceramic and so keeps no ComposeDB index: indexDatabaseClass applies to js-ceramic and js-ceramic-kubo only",
            ]);
        });

        it("takes the Postgres URL js-ceramic reads from CERAMIC_INDEXING_DB_URI on every network, connecting to nothing yet", async () => {
            for (const flavour of JS_FLAVOURS) {
                for (const network of NETWORKS) {
                    const { parsed } = parseAsDaemon(u, daemonConfig(args(flavour, network)), { CERAMIC_INDEXING_DB_URI: withCaFile(POSTGRES_URL, path.join(tmp, "stand-in-ca.pem")) });
                    const index = u.makeIndexApi(parsed.indexing, network, QUIET_LOGGER)!;
                    assert.strictEqual(index.constructor.name, "PostgresIndexApi", `${flavour} on ${network}`);
                    await index.dbConnection.destroy();
                }
            }
            // Without the variable the config names no database, and js-ceramic stops at once (build-indexing.ts parseURL).
            const { parsed } = parseAsDaemon(u, daemonConfig(args("js-ceramic", "mainnet")));
            assert.throws(() => u.makeIndexApi(parsed.indexing, "mainnet", QUIET_LOGGER), /Invalid database connection string: undefined/);
            // Without the CA file it stops too: the start script writes it before js-ceramic starts.
            const noCa = parseAsDaemon(u, daemonConfig(args("js-ceramic", "mainnet")), { CERAMIC_INDEXING_DB_URI: verifiedPostgresUrl(POSTGRES_URL, "verify-full", path.join(tmp, "missing.pem")) }).parsed;
            assert.throws(() => u.makeIndexApi(noCa.indexing, "mainnet", QUIET_LOGGER), /ENOENT.*missing\.pem/);
        });
    });

    describe("the state store in a bucket (packages/cli/src/s3-store.ts) against an S3 stand-in on 127.0.0.1", () => {
        const BUCKET = "web3-prod-ceramic-state";
        /** The stand-in's name: the SDK puts the bucket in front of it (virtual-hosted), which the resolver below sends home. */
        const STAND_IN_HOST = "storage.stand-in.test";
        let server: http.Server;
        let endpoint: string;
        const requests: string[] = [];
        const objects = new Map<string, Buffer>();
        /** Every name looked up and every address dialled that is not the stand-in: refused, and a test fails on any. */
        const leaks: string[] = [];
        const restore: (() => void)[] = [];

        before(async () => {
            server = http.createServer((req, res) => {
                const body: Buffer[] = [];
                req.on("data", c => body.push(c));
                req.on("end", () => {
                    requests.push(`${req.method} ${req.headers.host} ${req.url}`);
                    const url = new URL(req.url!, "http://x");
                    const key = decodeURIComponent(url.pathname.slice(1));
                    if (req.headers.host?.split(":")[0] !== `${BUCKET}.${STAND_IN_HOST}`) {
                        res.writeHead(404).end();
                        return;
                    }
                    if (req.method === "HEAD" && key === "") {
                        res.writeHead(200).end();
                        return;
                    }
                    if (req.method === "GET" && url.searchParams.get("list-type") === "2") {
                        const prefix = url.searchParams.get("prefix") ?? "";
                        const keys = [...objects.keys()].filter(k => k.startsWith(prefix)).sort();
                        res.writeHead(200, { "content-type": "application/xml" });
                        res.end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${BUCKET}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount>` +
                            `<IsTruncated>false</IsTruncated>${keys.map(k => `<Contents><Key>${k}</Key><Size>${objects.get(k)!.length}</Size></Contents>`).join("")}</ListBucketResult>`);
                        return;
                    }
                    if (req.method === "PUT") {
                        objects.set(key, Buffer.concat(body));
                        res.writeHead(200, { etag: '"stand-in"' }).end();
                    } else if (req.method === "GET" && objects.has(key)) {
                        res.writeHead(200).end(objects.get(key));
                    } else if (req.method === "DELETE") {
                        objects.delete(key);
                        res.writeHead(204).end();
                    } else {
                        res.writeHead(404, { "content-type": "application/xml" }).end("<Error><Code>NoSuchKey</Code></Error>");
                    }
                });
            });
            await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
            endpoint = `http://${STAND_IN_HOST}:${(server.address() as net.AddressInfo).port}`;

            // Names: the stand-in's resolve home, every other one is refused. Addresses: 127.0.0.1 only.
            const lookup = dnsModule.lookup;
            dnsModule.lookup = (host: string, options: unknown, callback?: unknown) => {
                const cb = (typeof options === "function" ? options : callback) as (...a: unknown[]) => void;
                const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all;
                if (host === STAND_IN_HOST || host.endsWith(`.${STAND_IN_HOST}`)) return all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4);
                leaks.push(`lookup ${host}`);
                cb(Object.assign(new Error(`refused lookup of ${host}`), { code: "ENOTFOUND" }));
            };
            const connect = net.Socket.prototype.connect;
            net.Socket.prototype.connect = function (this: net.Socket, ...a: unknown[]) {
                const options = (Array.isArray(a[0]) ? a[0][0] : a[0]) as { host?: string } | number;
                const host = typeof options === "object" ? options.host : (a[1] as string | undefined);
                if (host && net.isIP(host) && host !== "127.0.0.1") {
                    leaks.push(`connect ${host}`);
                    process.nextTick(() => this.destroy(new Error(`refused connection to ${host}`)));
                    return this;
                }
                return (connect as (...x: unknown[]) => net.Socket).apply(this, a);
            } as typeof connect;
            restore.push(() => {
                dnsModule.lookup = lookup;
                net.Socket.prototype.connect = connect;
            });
            // The HMAC key a GCP node has, so the SDK asks no metadata service for credentials.
            const saved = { ...process.env };
            Object.assign(process.env, { AWS_ACCESS_KEY_ID: "GOOG1EXAMPLE", AWS_SECRET_ACCESS_KEY: "stand-in-secret", AWS_REGION: "auto" });
            for (const k of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]) delete process.env[k];
            restore.push(() => {
                for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
                Object.assign(process.env, saved);
            });
        });
        after(() => {
            for (const r of restore.reverse()) r();
            server.close();
        });
        beforeEach(() => {
            requests.length = 0;
            leaks.length = 0;
        });

        /** Opens a store as the daemon does (ceramic-daemon.ts: S3KVFactory(bucket, network, logger, s3-endpoint)), writes, reads and lists. */
        async function useStore(network: string): Promise<unknown> {
            const factory = new u.S3KVFactory(BUCKET, network, QUIET_LOGGER, endpoint);
            const store = await factory.open("pin");
            await store.put("k1", { pinned: network });
            const read = await store.get("k1");
            const listed = await store.find();
            await factory.close();
            return { read, listed: listed.map(e => e.key) };
        }

        it("reaches the configured endpoint for every call on the testnets: the bucket checked (HEAD), objects written, read and listed", async () => {
            assert.deepStrictEqual(await useStore("testnet-clay"), { read: { pinned: "testnet-clay" }, listed: ["k1"] });
            assert.deepStrictEqual(leaks, []);
            const host = `${BUCKET}.${STAND_IN_HOST}`;
            assert.ok(requests.length >= 4 && requests.every(r => r.split(" ")[1].startsWith(host)), requests.join("\n"));
            assert.ok(requests.includes(`HEAD ${host}:${new URL(endpoint).port} /`), "s3leveldown checks the bucket as it opens");
            assert.ok(requests.some(r => r.startsWith(`PUT ${host}`) && r.endsWith("/ceramic/testnet-clay/state-store-pin/k1")), requests.join("\n"));
        });

        it("does not on mainnet by itself: its first call lists the bucket at AWS with a default client, and the store never opens", async () => {
            await assert.rejects(useStore("mainnet"));
            assert.deepStrictEqual(requests, [], "nothing reached the endpoint");
            assert.ok(leaks.some(l => /^lookup [a-z0-9.-]+\.amazonaws\.com$/.test(l)), leaks.join(", "));
        });

        it("reaches the configured endpoint for every call on mainnet with the node's preload: the ELP listing too", async () => {
            const undo = runPreload(tmp, { s3Endpoint: endpoint }, u);
            try {
                assert.deepStrictEqual(await useStore("mainnet"), { read: { pinned: "mainnet" }, listed: ["k1"] });
            } finally {
                undo();
            }
            assert.deepStrictEqual(leaks, []);
            const host = `${BUCKET}.${STAND_IN_HOST}:${new URL(endpoint).port}`;
            assert.ok(requests.every(r => r.split(" ")[1] === host), requests.join("\n"));
            assert.strictEqual(requests[0], `GET ${host} /?list-type=2&max-keys=1&prefix=ceramic%2Felp`, "the ELP check, at the endpoint");
            assert.ok(requests.includes(`HEAD ${host} /`));
        });

        it("needs of Cloud Storage only what the service's roles grant: HEAD bucket is storage.buckets.get, the bucket-level role's", async () => {
            const undo = runPreload(tmp, { s3Endpoint: endpoint }, u);
            try {
                await useStore("mainnet");
            } finally {
                undo();
            }
            // cloud.google.com/storage/docs/access-control/iam-permissions (XML API) and iam-roles.
            const permissionOf = (request: string): string => {
                const [method, , target] = request.split(" ");
                const bucketLevel = target.startsWith("/?") || target === "/";
                if (method === "HEAD" && bucketLevel) return "storage.buckets.get";
                if (method === "GET" && bucketLevel) return "storage.objects.list";
                return { GET: "storage.objects.get", HEAD: "storage.objects.get", PUT: "storage.objects.create", DELETE: "storage.objects.delete" }[method]!;
            };
            const granted: Record<string, string[]> = {
                "roles/storage.objectUser": ["storage.objects.create", "storage.objects.delete", "storage.objects.get", "storage.objects.list", "storage.objects.update"],
                "roles/storage.legacyBucketReader": ["storage.buckets.get", "storage.objects.list"],
            };
            const roles = [BUCKET_ROLES.readWrite, BUCKET_LEVEL_ROLE];
            const needed = [...new Set(requests.map(permissionOf))].sort();
            assert.ok(needed.includes("storage.buckets.get"));
            for (const permission of needed) assert.ok(roles.some(r => granted[r].includes(permission)), `${permission} is granted by none of ${roles.join(", ")}`);
            assert.ok(!granted[BUCKET_ROLES.readWrite].includes("storage.buckets.get"), "the object role alone would leave the store unopened");
        });
    });

    describe("the index database's TLS: verify-ca through the preload, against a Postgres stand-in on 127.0.0.1", () => {
        /** What the stand-in saw: TLS sessions that reached the startup message (the client trusted the server). */
        let startups = 0;
        let server: net.Server;
        let port: number;
        /** The certificate the stand-in presents: the instance's, or one another CA signed. */
        let presenting: "server" | "impostor" = "server";

        before(async () => {
            // A Cloud SQL-like chain: a per-instance CA signs a certificate that names the instance
            // (project:instance), no address (serverCaMode GOOGLE_MANAGED_INTERNAL_CA); and another CA.
            const openssl = (...a: string[]) => execFileSync("openssl", a, { cwd: tmp, stdio: "ignore" });
            for (const ca of ["instance-ca", "other-ca"]) {
                openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=Google Cloud SQL Server CA ${ca}`, "-keyout", `${ca}.key`, "-out", `${ca}.pem`);
            }
            for (const [name, ca] of [["server", "instance-ca"], ["impostor", "other-ca"]]) {
                openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=web3-nodes-prod:web3-prod-ceramic-index", "-keyout", `${name}.key`, "-out", `${name}.csr`);
                openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-days", "2", "-out", `${name}.pem`);
            }
            const file = (name: string) => fs.readFileSync(path.join(tmp, name), "utf8");
            server = net.createServer(socket => {
                // PostgreSQL's SSLRequest (8 bytes), answered 'S', then TLS; the startup message that follows is refused.
                socket.once("data", () => {
                    socket.write("S");
                    const secure = new tls.TLSSocket(socket, { isServer: true, key: file(`${presenting}.key`), cert: file(`${presenting}.pem`) });
                    secure.on("error", () => {});
                    secure.once("data", () => {
                        startups++;
                        const fields = Buffer.from("SFATAL\0C28000\0Mstand-in refuses every login\0\0");
                        const length = Buffer.alloc(4);
                        length.writeUInt32BE(4 + fields.length);
                        secure.end(Buffer.concat([Buffer.from("E"), length, fields]));
                    });
                });
                socket.on("error", () => {});
            });
            await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
            port = (server.address() as net.AddressInfo).port;
            fs.writeFileSync(path.join(tmp, DATABASE_CA_FILE_NAME), file("instance-ca.pem"));
        });
        after(() => server.close());

        /** Connects as js-ceramic does (make-index-api.ts, knex and node-postgres), to the stand-in presenting `cert`. */
        async function connect(cert: "server" | "impostor"): Promise<{ error: string; startups: number }> {
            presenting = cert;
            const before = startups;
            const url = verifiedPostgresUrl(`postgresql://ceramic:pw-123@127.0.0.1:${port}/ceramic?sslmode=require`, "verify-ca", path.join(tmp, DATABASE_CA_FILE_NAME));
            const index = u.makeIndexApi({ db: url, allowQueriesBeforeHistoricalSync: true, disableComposedb: false, enableHistoricalSync: false }, "mainnet", QUIET_LOGGER)!;
            try {
                await index.dbConnection.raw("select 1");
                assert.fail("the stand-in never lets anyone in");
            } catch (e) {
                return { error: String((e as Error).message), startups: startups - before };
            } finally {
                await index.dbConnection.destroy();
            }
        }

        // knex 2.5.1 parses the URL with pg-connection-string 2.6.1 (its pinned dependency): verify-ca and
        // verify-full both leave node's name check in place (index.js, sslmode switch).
        it("cannot connect without the preload: node-postgres checks the name, which Cloud SQL's certificate does not hold", async () => {
            const { error, startups: reached } = await connect("server");
            assert.match(error, /IP: 127\.0\.0\.1 is not in the cert's list/);
            assert.strictEqual(reached, 0);
        });

        it("connects with the preload, the chain checked against the instance's CA, the name not", async () => {
            const undo = runPreload(tmp, { caOnlyHost: "127.0.0.1" }, u);
            try {
                const { error, startups: reached } = await connect("server");
                assert.match(error, /stand-in refuses every login/, "TLS held and the login reached the server");
                assert.strictEqual(reached, 1);
            } finally {
                undo();
            }
        });

        it("still refuses, with the preload, a certificate another CA signed, and the name check of every other host", async () => {
            let undo = runPreload(tmp, { caOnlyHost: "127.0.0.1" }, u);
            try {
                const { error, startups: reached } = await connect("impostor");
                assert.match(error, /unable to verify|self.signed|certificate/i);
                assert.strictEqual(reached, 0);
            } finally {
                undo();
            }
            undo = runPreload(tmp, { caOnlyHost: "10.40.0.9" }, u);
            try {
                const { error, startups: reached } = await connect("server");
                assert.match(error, /IP: 127\.0\.0\.1 is not in the cert's list/);
                assert.strictEqual(reached, 0);
            } finally {
                undo();
            }
        });
    });

    describe("the start script puts the preload and the CA bundle in place (run with a stand-in daemon)", () => {
        let work: string;
        let configDir: string;
        before(() => {
            work = path.join(tmp, "image");
            configDir = path.join(tmp, "scratch");
            fs.mkdirSync(path.join(work, "packages", "cli", "bin"), { recursive: true });
            // Reports what it was started with, then exits: the preload ran first when its global is set.
            fs.writeFileSync(path.join(work, "packages", "cli", "bin", "ceramic.js"), [
                "#!/usr/bin/env node",
                "const fs = require('fs');",
                "const dir = process.argv[process.argv.indexOf('--config') + 1].replace(/\\/[^/]*$/, '');",
                "const ca = fs.existsSync(dir + '/database-ca.pem') ? fs.readFileSync(dir + '/database-ca.pem', 'utf8') : null;",
                "console.log(JSON.stringify({ nodeOptions: process.env.NODE_OPTIONS, ca, caSecret: process.env.CERAMIC_DATABASE_CA_BASE64 ?? null,",
                "  uri: process.env.CERAMIC_INDEXING_DB_URI ?? null, preloaded: require('tls').checkServerIdentity.toString().includes('caOnlyHost') }));",
                "",
            ].join("\n"), { mode: 0o755 });
        });

        function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
            return new Promise(resolve => {
                const child = spawn("sh", ["-c", ceramicStartScript(configDir), "ceramic-start"], { cwd: work, env: { PATH: process.env.PATH!, ...env } });
                let stdout = "";
                let stderr = "";
                child.stdout.on("data", d => (stdout += d));
                child.stderr.on("data", d => (stderr += d));
                child.on("exit", code => resolve({ code, stdout, stderr }));
            });
        }
        const POSTGRES_CONFIG = JSON.stringify(daemonConfig(args("js-ceramic", "mainnet")));
        const pem = () => cloudSqlServerCa("web3-prod-ceramic-index");

        it("writes the preload the node runs before js-ceramic, and the CA bundle from the secret store, which it then forgets", async () => {
            const { code, stdout, stderr } = await start({
                [CERAMIC_ENV.config]: POSTGRES_CONFIG, [CERAMIC_ENV.nodeSeedUrl]: SEED_URL, [INDEX_DATABASE_ENV.url]: POSTGRES_URL,
                [INDEX_DATABASE_ENV.caBase64]: Buffer.from(pem()).toString("base64"), [PRELOAD_ENV.caOnlyHost]: "10.40.0.9",
            });
            assert.strictEqual(code, 0, stderr);
            const seen = JSON.parse(stdout);
            assert.strictEqual(seen.nodeOptions, `--require=${configDir}/preload.cjs`);
            assert.strictEqual(fs.readFileSync(path.join(configDir, "preload.cjs"), "utf8"), `${preloadSource().trimEnd()}\n`);
            assert.strictEqual(seen.preloaded, true, "node ran the preload before the daemon");
            assert.deepStrictEqual([seen.ca, seen.caSecret, seen.uri], [pem(), null, POSTGRES_URL]);
        });

        it("refuses to start a Postgres index without its URL, or with a CA bundle that holds no certificate", async () => {
            let result = await start({ [CERAMIC_ENV.config]: POSTGRES_CONFIG, [CERAMIC_ENV.nodeSeedUrl]: SEED_URL });
            assert.notStrictEqual(result.code, 0);
            assert.match(result.stderr, new RegExp(`${INDEX_DATABASE_ENV.url} holds the connection URL`));
            result = await start({ [CERAMIC_ENV.config]: POSTGRES_CONFIG, [CERAMIC_ENV.nodeSeedUrl]: SEED_URL, [INDEX_DATABASE_ENV.url]: POSTGRES_URL, [INDEX_DATABASE_ENV.caBase64]: Buffer.from("<html/>").toString("base64") });
            assert.notStrictEqual(result.code, 0);
            assert.match(result.stderr, /holds no PEM certificate/);
            assert.strictEqual(result.stdout, "", "the daemon never ran");
            // SQLite off mainnet needs neither.
            const sqlite = JSON.stringify(daemonConfig(args("js-ceramic", "testnet-clay", { indexing: { kind: "sqlite" } })));
            result = await start({ [CERAMIC_ENV.config]: sqlite, [CERAMIC_ENV.nodeSeedUrl]: SEED_URL });
            assert.strictEqual(result.code, 0, result.stderr);
        });
    });
});
