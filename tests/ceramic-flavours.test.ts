// The three flavours of a Ceramic node (components/ceramic/settings.ts FLAVOURS) and ceramic-one's container,
// held to their owners' rules:
// - every CERAMIC_ONE_* variable the program sets is an option of `ceramic-one daemon` at the pinned tag, with
//   the values its enumerations take and the options it requires (rust-ceramic@v0.58.0 one/src/daemon.rs and
//   one/src/lib.rs, extracted by tools/ceramic-one-options.ts into tests/data/ceramic-one-options.json);
// - self-anchoring as ceramic-one takes it: all four of its options or none (daemon.rs "Incomplete EVM anchoring
//   configuration"), on the network's own chain (lib.rs Network::supported_chain_ids);
// - the node's key in OpenSSH's own format, read by OpenSSH's ssh-keygen (ceramic-one reads it with the ssh-key
//   crate, core/src/node_id.rs NodeKey::try_from_dir), giving the peer ID libp2p derives;
// - admin DIDs as whole Ed25519 did:keys (js-ceramic matches them by prefix);
// - ceramic-one's API behind HTTPS forwarding only its Ceramic API, as an ALB path pattern and a Cloud Armor
//   expression evaluate, for the allowlist's networks only.
// js-ceramic-kubo's graph is tests/ceramic.test.ts's; js-ceramic's is every stack file's (tests/stacks.test.ts).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import bs58 from "bs58";
import {
    ANCHOR_CHAIN_IDS,
    CERAMIC_ONE_ENV,
    CERAMIC_ONE_HEALTH,
    CERAMIC_ONE_LOG_FILTER,
    CERAMIC_ONE_PORTS,
    CERAMIC_ONE_STORE,
    CERAMIC_ONE_USER,
    COMPONENT_TYPE,
    IMAGES,
    NAMES,
    NETWORKS,
    SELF_ANCHORING_REQUIRED,
    adminDidProblem,
    assertValidSettings,
    ceramicOneEnv,
    ceramicOneStartScript,
    didKey,
    externalSwarmAddresses,
    openSshEd25519PrivateKey,
} from "../components/ceramic";
import { CeramicOneAnchoring, ceramicOneContainer, nodeKeyFileValue, seedOfLibp2pKey } from "../components/ceramic/ceramicOne";
import { GO_IPFS_USER } from "../components/ceramic/ipfs";
import { CERAMIC_ONE_API_PREFIX } from "../components/ceramic/ports";
import { ARMOR_DEFAULT_RULE_PRIORITY, armorPathExpression, armorRules } from "../components/gcp/httpsLoadBalancer";
import { albDecision } from "./conformance/alb";
import { COMPONENT_TYPES, Cloud, PublishedContainer, Secret, Volume } from "../components/topology";
import { pathPrefixesProblem } from "../components/topology/rules";
import { ed25519PublicKey } from "../components/libp2p/identity";
import { parseConfig } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { SynthReport, mandatoryViolations, synthStack } from "../tools/synth";
import { CeramicOneOptionData, optionsOf } from "../tools/ceramic-one-options";
import { baseConfig, descendants, hasBinary, named, ofType, referencePeerId, storedSecretFile } from "./support";

const UPSTREAM: CeramicOneOptionData = JSON.parse(fs.readFileSync(path.join(__dirname, "data", "ceramic-one-options.json"), "utf8"));
/** `ceramic-one daemon`'s options: DaemonOpts and what it flattens. */
const DAEMON_OPTIONS = optionsOf(UPSTREAM, "DaemonOpts");

/** Recognisable fakes, never to be seen in plain text. */
const FAKE = {
    ethereumRpcUrl: "https://eth-mainnet.example.invalid/v2/c3ram1c-0ne-eth-k3y",
    anchorRpcUrl: "https://anchor-rpc.example.invalid/v2/c3ram1c-0ne-anch0r-k3y",
    anchorKey: "5eed".repeat(16),
};
/** The Gnosis test contract anchor-evm's README names (rust-ceramic@v0.58.0 anchor-evm/README.md). */
const CONTRACT = "0x231055A0852D67C7107Ad0d0DFeab60278fE6AdC";

/**
 * The stack file's keys set with --secret: the registry mirror's token always (the fixture holds one); with
 * SECRET_CERAMIC the whole ceramic section too, as Pulumi makes a top-level key secret when any value under it is,
 * and then no message shows a value of the section.
 */
const PLAIN_CERAMIC: ReadonlySet<string> = new Set(["registryMirror"]);
const SECRET_CERAMIC: ReadonlySet<string> = new Set(["registryMirror", "ceramic"]);

function problemsOf(profile: "dev" | "prod", ceramic: Record<string, unknown>, secretKeys: ReadonlySet<string> = PLAIN_CERAMIC): string[] {
    try {
        parseConfig(baseConfig("aws", { profile, ceramic }), undefined, secretKeys);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

const settingsOf = (profile: "dev" | "prod", ceramic: Record<string, unknown>) => parseConfig(baseConfig("aws", { profile, ceramic }), undefined, SECRET_CERAMIC).ceramic;

const SELF_ANCHORING = { rpcUrl: FAKE.anchorRpcUrl, privateKey: FAKE.anchorKey, chainId: 1, contractAddress: CONTRACT };

/** A stand-in secret: only its name matters to a container spec. */
const secret = (name: string) => ({ secretName: name }) as unknown as Secret;
const volume = (name: string) => ({ volumeName: name, owner: CERAMIC_ONE_USER }) as unknown as Volume;

/** The published containers of a zonal service of the Ceramic node, as the engine receives them. */
function containersOf(report: SynthReport, service: string): PublishedContainer[] {
    const [node] = ofType(report, COMPONENT_TYPE);
    const found = descendants(report, node.urn).filter(r => r.type === COMPONENT_TYPES.service && r.name === service);
    assert.strictEqual(found.length, 1, `one service ${service}`);
    return found[0].inputs.containers as PublishedContainer[];
}

// ---------------------------------------------------------------- stand-ins for the load balancers' matchers


/**
 * The part of Cloud Armor's rules language the path rule uses (https://cloud.google.com/armor/docs/rules-language-
 * reference): `!`, `||`, parentheses and request.path.startsWith('...'). Anything else fails the test.
 */
function armorExpression(expression: string, requestPath: string): boolean {
    let i = 0;
    const skip = () => { while (expression[i] === " ") i++; };
    const primary = (): boolean => {
        skip();
        if (expression[i] === "!") { i++; return !primary(); }
        if (expression[i] === "(") {
            i++;
            const v = or();
            skip();
            assert.strictEqual(expression[i], ")", `expression ${expression}: ) expected at ${i}`);
            i++;
            return v;
        }
        const call = /^request\.path\.startsWith\('([^'\\]*)'\)/.exec(expression.slice(i));
        assert.ok(call, `expression ${expression}: unsupported at ${i}`);
        i += call[0].length;
        return requestPath.startsWith(call[1]);
    };
    const or = (): boolean => {
        let v = primary();
        skip();
        while (expression.startsWith("||", i)) {
            i += 2;
            v = primary() || v;
            skip();
        }
        return v;
    };
    const result = or();
    skip();
    assert.strictEqual(i, expression.length, `expression ${expression}: trailing text`);
    return result;
}

/** What a request from `source` for `requestPath` meets first among Cloud Armor rules, by priority. */
function armorVerdict(rules: any[], source: string, requestPath: string): string {
    for (const rule of [...rules].sort((a, b) => a.priority - b.priority)) {
        const match = rule.match;
        if (match.expr) {
            if (armorExpression(match.expr.expression, requestPath)) return rule.action;
        } else if (match.config.srcIpRanges.some((r: string) => r === "*" || r === source || (r.endsWith("/24") && source.startsWith(r.slice(0, r.lastIndexOf(".") + 1))))) {
            return rule.action;
        }
    }
    throw new Error("no rule matched: Cloud Armor requires a default rule");
}

/** Paths a client may send, and what ceramic-one would serve them with (its prefixes, daemon.rs MakePrefixService). */
const PATHS = ["/ceramic/liveness", "/ceramic/version", "/ceramic/events", "/ceramic/", "/ceramic", "/ceramicx/liveness", "/api/v0/pin/add", "/api/v0/id", "/", "/CERAMIC/liveness"];

// ---------------------------------------------------------------- the tests

describe("Ceramic flavours", () => {
    describe("settings", () => {
        it("runs js-ceramic over ceramic-one unless told otherwise, and knows exactly the three flavours", () => {
            assert.strictEqual(settingsOf("dev", {}).flavour, "js-ceramic");
            assert.deepStrictEqual(problemsOf("dev", { enabled: true, flavour: "rust-ceramic" }), ['web3-nodes:ceramic.flavour = "rust-ceramic": allowed: js-ceramic, ceramic-one, js-ceramic-kubo']);
            for (const flavour of ["js-ceramic", "ceramic-one", "js-ceramic-kubo"]) assert.deepStrictEqual(problemsOf("dev", { enabled: true, flavour }), [], flavour);
        });

        it("keeps the metrics publisher off unless asked (js-ceramic's own default is on), and only where js-ceramic runs", () => {
            assert.strictEqual(settingsOf("dev", {}).metricsPublisher, false);
            assert.strictEqual(settingsOf("dev", { metricsPublisher: true }).metricsPublisher, true);
            assert.deepStrictEqual(problemsOf("dev", { enabled: true, flavour: "ceramic-one", metricsPublisher: true }), [
                "web3-nodes:ceramic.metricsPublisher = true: flavour is ceramic-one, which runs no js-ceramic: js-ceramic's metrics publisher applies to js-ceramic and js-ceramic-kubo only",
            ]);
        });

        it("runs the keep-alive only for the pubsub flavour: js-ceramic 6 syncs over ceramic-one's Recon (js-ceramic@6.11.0 core/src/dispatcher.ts)", () => {
            assert.deepStrictEqual(problemsOf("dev", { enabled: true, flavour: "js-ceramic-kubo", keepAlive: true }), []);
            for (const flavour of ["js-ceramic", "ceramic-one"]) {
                assert.deepStrictEqual(problemsOf("dev", { enabled: true, flavour, keepAlive: true }), [
                    `web3-nodes:ceramic.keepAlive = true: flavour is ${flavour}, which syncs streams with ceramic-one's Recon and keeps its own connections to the network's peers: the keep-alive only helps js-ceramic-kubo, whose streams travel over pubsub`,
                ]);
            }
        });

        it("migrates a kubo repo only into the js-ceramic flavour's ceramic-one", () => {
            assert.deepStrictEqual(problemsOf("dev", { enabled: true, migrateFromKubo: true }), []);
            assert.deepStrictEqual(problemsOf("dev", { enabled: true, flavour: "js-ceramic-kubo", migrateFromKubo: true }), [
                "web3-nodes:ceramic.migrateFromKubo = true: flavour is js-ceramic-kubo: the migration moves a js-ceramic-kubo node's go-ipfs-daemon repo into the ceramic-one of flavour js-ceramic; set flavour to js-ceramic with it",
            ]);
        });

        describe("admin DIDs: whole Ed25519 did:keys (w3c-ccg did-method-key), since js-ceramic@6.11.0 ceramic-daemon.ts matches them by prefix", () => {
            const FORM = "a whole Ed25519 did:key such as did:key:z6Mk... (48 base58 characters after z): admin DIDs are matched by prefix, so anything shorter admits every DID it begins";

            it("takes the did:key spec's Ed25519 test vector and the did:key of any Ed25519 key", () => {
                const vector = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
                const random = didKey(ed25519PublicKey(crypto.randomBytes(32)));
                assert.strictEqual(adminDidProblem(vector), undefined);
                assert.strictEqual(adminDidProblem(random), undefined);
                assert.deepStrictEqual(settingsOf("dev", { adminDids: [vector, random] }).adminDids, [vector, random]);
            });

            it("refuses an empty string, a prefix, a truncated key, another key type, another method, a fragment, and repeats", () => {
                const vector = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
                // secp256k1-pub (multicodec 0xe7 0x01) with a 33-byte compressed key: a did:key, but not Ed25519.
                const secp = `did:key:z${bs58.encode(Buffer.concat([Buffer.from([0xe7, 0x01]), Buffer.alloc(33, 2)]))}`;
                const bad = ["", "did:key:", "did:key:z6Mk", vector.slice(0, -1), `${vector}#z6Mk`, secp, "did:pkh:eip155:1:0xab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do0"];
                for (const did of bad) assert.strictEqual(adminDidProblem(did), FORM, did);
                assert.deepStrictEqual(problemsOf("dev", { enabled: true, adminDids: ["did:key:z6Mk", vector, vector] }), [
                    `web3-nodes:ceramic.adminDids[0] = "did:key:z6Mk": ${FORM}`,
                    `web3-nodes:ceramic.adminDids[2] = "${vector}": listed twice`,
                ]);
                assert.deepStrictEqual(problemsOf("dev", { enabled: true, flavour: "ceramic-one", adminDids: [vector] }), [
                    `web3-nodes:ceramic.adminDids = ["${vector}"]: flavour is ceramic-one, which runs no js-ceramic: js-ceramic's admin API applies to js-ceramic and js-ceramic-kubo only`,
                ]);
            });
        });

        describe("self-anchoring (ceramic-one flavour)", () => {
            const base = { enabled: true, flavour: "ceramic-one", network: "mainnet", ethereumRpcUrl: FAKE.ethereumRpcUrl };

            it("takes all four options with the interval's default, on the network's own chain", () => {
                assert.deepStrictEqual(problemsOf("dev", { ...base, selfAnchoring: SELF_ANCHORING }, SECRET_CERAMIC), []);
                assert.deepStrictEqual(settingsOf("dev", { ...base, selfAnchoring: SELF_ANCHORING }).selfAnchoring, { ...SELF_ANCHORING, intervalSeconds: 3600 });
            });

            it("refuses every subset of the four, naming each missing key and never a value: ceramic-one exits on one (daemon.rs)", () => {
                const subsets = Array.from({ length: 2 ** SELF_ANCHORING_REQUIRED.length - 1 }, (_, mask) => SELF_ANCHORING_REQUIRED.filter((_, i) => mask & (1 << i)));
                for (const given of [...subsets, ["intervalSeconds"]]) {
                    const section = Object.fromEntries(given.map(k => [k, k === "intervalSeconds" ? 600 : SELF_ANCHORING[k as keyof typeof SELF_ANCHORING]]));
                    const missing = SELF_ANCHORING_REQUIRED.filter(k => !given.includes(k));
                    const problems = problemsOf("dev", { ...base, selfAnchoring: section }, SECRET_CERAMIC);
                    assert.deepStrictEqual(problems.map(p => /^web3-nodes:ceramic\.selfAnchoring\.(\w+) is required: /.exec(p)?.[1]), missing, JSON.stringify(given));
                    const setKeys = SELF_ANCHORING_REQUIRED.filter(k => given.includes(k));
                    for (const p of problems) {
                        assert.ok(p.includes("ceramic-one self-anchors only with all of selfAnchoring.rpcUrl, selfAnchoring.privateKey, selfAnchoring.chainId, selfAnchoring.contractAddress (it exits otherwise)"), p);
                        if (setKeys.length > 0) assert.ok(p.includes(`selfAnchoring.${setKeys.join(", selfAnchoring.")} ${setKeys.length === 1 ? "is" : "are"} set`), p);
                        assert.ok(!p.includes(FAKE.anchorKey) && !p.includes(FAKE.anchorRpcUrl), p);
                    }
                }
                assert.match(problemsOf("dev", { ...base, selfAnchoring: { chainId: 1 } }, SECRET_CERAMIC)[0], /selfAnchoring\.rpcUrl is required: .*; set it with pulumi config set --secret --path 'web3-nodes:ceramic\.selfAnchoring\.rpcUrl' /);
            });

            it("refuses the RPC URL and the key in plain text, a key with 0x, a bad address, and never repeats them", () => {
                const plain = problemsOf("dev", { ...base, selfAnchoring: SELF_ANCHORING });
                assert.deepStrictEqual(plain.filter(p => p.includes("selfAnchoring")), [
                    "web3-nodes:ceramic.selfAnchoring.rpcUrl = [secret]: given in plain text; it usually carries an API key: store it encrypted with pulumi config set --secret --path 'web3-nodes:ceramic.selfAnchoring.rpcUrl' https://gnosis-mainnet.g.alchemy.com/v2/YOUR-API-KEY",
                    "web3-nodes:ceramic.selfAnchoring.privateKey = [secret]: given in plain text: store it encrypted with pulumi config set --secret --path 'web3-nodes:ceramic.selfAnchoring.privateKey' YOUR-64-HEX-DIGIT-KEY-WITHOUT-0x",
                ]);
                // With the section secret (as it is once the key is), no value of it is shown.
                assert.deepStrictEqual(problemsOf("dev", { ...base, selfAnchoring: { ...SELF_ANCHORING, privateKey: `0x${FAKE.anchorKey}`, contractAddress: "0x1234" } }, SECRET_CERAMIC), [
                    "web3-nodes:ceramic.selfAnchoring.privateKey = [secret]: the anchoring account's private key: 64 hex digits without 0x",
                    "web3-nodes:ceramic.selfAnchoring.contractAddress = [secret]: the anchor contract's address: 0x and 40 hex digits",
                ]);
                // The key is never shown, even from a section given in plain text.
                assert.ok(!problemsOf("dev", { ...base, selfAnchoring: { ...SELF_ANCHORING, privateKey: `0x${FAKE.anchorKey}` } }).some(p => p.includes(FAKE.anchorKey)));
            });

            it("anchors only on the chain ceramic-one validates the network's anchors with (lib.rs supported_chain_ids)", () => {
                assert.deepStrictEqual(ANCHOR_CHAIN_IDS, { mainnet: 1, "testnet-clay": 100, "dev-unstable": 11155111 });
                assert.deepStrictEqual(problemsOf("dev", { ...base, network: "testnet-clay", selfAnchoring: SELF_ANCHORING }, SECRET_CERAMIC), [
                    "web3-nodes:ceramic.selfAnchoring.chainId = [secret]: network is testnet-clay, whose anchors ceramic-one proves on Gnosis only (chain 100): an anchor on another chain fails its own validation",
                ]);
                assert.deepStrictEqual(problemsOf("dev", { ...base, network: "dev-unstable", selfAnchoring: { ...SELF_ANCHORING, chainId: 11155111 } }, SECRET_CERAMIC), []);
            });

            it("refuses it where js-ceramic anchors through the anchor service itself", () => {
                assert.deepStrictEqual(problemsOf("dev", { ...base, flavour: "js-ceramic", selfAnchoring: SELF_ANCHORING }, SECRET_CERAMIC), [
                    "web3-nodes:ceramic.selfAnchoring: flavour is js-ceramic, whose js-ceramic anchors through the anchor service itself: self-anchoring is ceramic-one's, for the ceramic-one flavour",
                ]);
                assert.throws(() => assertValidSettings({ network: "mainnet", flavour: "js-ceramic", ethereumRpcUrl: "x", selfAnchoring: { ...SELF_ANCHORING, intervalSeconds: 3600 } }), /ceramic\.selfAnchoring: flavour is js-ceramic/);
            });
        });

        describe("ceramic-one's API allowlist, read as the IPFS Cluster's (components/topology/cidrs.ts readAllowlist)", () => {
            it("admits everyone in dev unless narrowed; in prod it must be set, and never to the world", () => {
                assert.deepStrictEqual(settingsOf("dev", { enabled: true, flavour: "ceramic-one" }).apiCidrs, ["0.0.0.0/0", "::/0"]);
                assert.deepStrictEqual(problemsOf("prod", { enabled: true, flavour: "ceramic-one" }), [
                    'web3-nodes:ceramic.apiCidrs is required: ceramic is enabled with flavour ceramic-one in a prod stack: the networks the Ceramic API\'s clients call from, such as ["203.0.113.0/24"]; never 0.0.0.0/0',
                ]);
                assert.deepStrictEqual(problemsOf("prod", { enabled: true, flavour: "ceramic-one", apiCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }), [
                    "web3-nodes:ceramic.apiCidrs[1] = \"0.0.0.0/0\": not the whole internet in a prod stack: ceramic-one's API takes events and interests from whoever reaches it; name its clients' networks",
                ]);
                assert.deepStrictEqual(settingsOf("prod", { enabled: true, flavour: "ceramic-one", apiCidrs: ["203.0.113.0/24"] }).apiCidrs, ["203.0.113.0/24"]);
            });

            it("is ceramic-one's alone: js-ceramic's API is public", () => {
                assert.deepStrictEqual(problemsOf("dev", { enabled: true, apiCidrs: ["203.0.113.0/24"] }), [
                    "web3-nodes:ceramic.apiCidrs: flavour is js-ceramic: the allowlist is ceramic-one's API's (flavour ceramic-one); js-ceramic's API is public",
                ]);
            });
        });
    });

    describe("ceramic-one's container, against rust-ceramic@v0.58.0's own options (tests/data/ceramic-one-options.json)", () => {
        const upstreamEnv = new Map(DAEMON_OPTIONS.filter(o => o.env).map(o => [o.env!, o]));
        const anchorings: CeramicOneAnchoring[] = [
            { kind: "none" },
            { kind: "service", url: "https://cas.3boxlabs.com", intervalSeconds: 3600 },
            { kind: "self", rpcUrl: secret("rpc"), privateKey: secret("key"), chainId: 1, contractAddress: CONTRACT, intervalSeconds: 600 },
        ];
        const containerFor = (network: (typeof NETWORKS)[number], anchoring: CeramicOneAnchoring) => ceramicOneContainer({
            network, nodeKey: secret("node"), ethereumRpcUrl: secret("eth"), announce: ["/ip4/198.51.100.4/tcp/4101"],
            apiExposure: { kind: "local" }, anchoring, store: volume("store"), cpu: 1, memoryMiB: 2048,
        });

        it("the pin and the extracted options come from the same release", () => {
            assert.strictEqual(IMAGES.ceramicOne, `public.ecr.aws/r5b3e0r5/3box/ceramic-one:${UPSTREAM.source.tag.replace(/^v/, "")}`);
            assert.ok(upstreamEnv.size > 40, "the extraction found ceramic-one's options");
        });

        for (const network of NETWORKS) {
            for (const anchoring of anchorings) {
                it(`${network}, anchoring ${anchoring.kind}: sets only ceramic-one's own variables, with values its options take, and what they require`, () => {
                    const c = containerFor(network, anchoring);
                    const names = [...Object.keys(c.env ?? {}), ...Object.keys(c.secrets ?? {})];
                    const ours = names.filter(n => n.startsWith("CERAMIC_ONE_"));
                    assert.deepStrictEqual(ours.filter(n => !upstreamEnv.has(n)), [], "variables ceramic-one has no option for");
                    assert.deepStrictEqual(names.filter(n => !n.startsWith("CERAMIC_ONE_")).sort(), ["HOME", CERAMIC_ONE_ENV.nodeKey, CERAMIC_ONE_ENV.logFilter].sort());
                    for (const n of ours) {
                        const required = upstreamEnv.get(n)!.requires;
                        if (required) assert.strictEqual((c.env as Record<string, unknown>)[DAEMON_OPTIONS.find(o => o.field === required)!.env!], "true", `${n} requires --${required}`);
                    }
                    const env = c.env as Record<string, string>;
                    assert.ok(UPSTREAM.enums.Network.includes(env[CERAMIC_ONE_ENV.network]), env[CERAMIC_ONE_ENV.network]);
                    assert.ok(UPSTREAM.enums.LogFormat.includes(env[CERAMIC_ONE_ENV.logFormat]));
                    const evm: string[] = [CERAMIC_ONE_ENV.evmRpcUrl, CERAMIC_ONE_ENV.evmPrivateKey, CERAMIC_ONE_ENV.evmChainId, CERAMIC_ONE_ENV.evmContractAddress];
                    // All four or none, the RPC URL and the key from the secret store (daemon.rs "Incomplete EVM anchoring configuration").
                    assert.deepStrictEqual(evm.map(n => names.includes(n)), evm.map(() => anchoring.kind === "self"));
                    if (anchoring.kind === "self") assert.deepStrictEqual(Object.keys(c.secrets!).filter(n => evm.includes(n)).sort(), [CERAMIC_ONE_ENV.evmPrivateKey, CERAMIC_ONE_ENV.evmRpcUrl]);
                    assert.strictEqual(CERAMIC_ONE_ENV.remoteAnchorServiceUrl in env, anchoring.kind === "service");
                });
            }
        }

        it("listens on the ports it exposes: the API on every interface, Flight SQL and metrics on loopback and exposed to nobody", () => {
            const c = containerFor("testnet-clay", { kind: "none" });
            const env = c.env as Record<string, string>;
            assert.strictEqual(env[CERAMIC_ONE_ENV.bindAddress], `0.0.0.0:${CERAMIC_ONE_PORTS.api}`);
            assert.strictEqual(env[CERAMIC_ONE_ENV.flightSqlBindAddress], `127.0.0.1:${CERAMIC_ONE_PORTS.flightSql}`);
            assert.strictEqual(env[CERAMIC_ONE_ENV.metricsBindAddress], `127.0.0.1:${CERAMIC_ONE_PORTS.metrics}`);
            assert.deepStrictEqual(c.ports!.map(p => `${p.port}/${p.protocol ?? "tcp"} ${p.exposure.kind}`), ["4101/tcp public", "4102/udp public", "5101/tcp local"]);
            // ECS maps a container port for one protocol only: TCP and QUIC need ports of their own.
            assert.notStrictEqual(CERAMIC_ONE_PORTS.swarmTcp, CERAMIC_ONE_PORTS.swarmQuic);
            assert.strictEqual(env[CERAMIC_ONE_ENV.swarmAddresses], "/ip4/0.0.0.0/tcp/4101,/ip4/0.0.0.0/udp/4102/quic-v1");
            assert.deepStrictEqual(externalSwarmAddresses(["198.51.100.4"], "ceramic-one.example.com"), [
                "/dns4/ceramic-one.example.com/tcp/4101", "/dns4/ceramic-one.example.com/udp/4102/quic-v1", "/ip4/198.51.100.4/tcp/4101", "/ip4/198.51.100.4/udp/4102/quic-v1",
            ]);
        });

        it("runs as an unprivileged user owning its store, its HOME on the volume, its key directory in memory", () => {
            const c = containerFor("mainnet", { kind: "none" });
            assert.ok(CERAMIC_ONE_USER.uid > 0);
            // The same user as go-ipfs-daemon's, whose repo a migrating node reads.
            assert.deepStrictEqual(CERAMIC_ONE_USER, GO_IPFS_USER);
            assert.deepStrictEqual(c.mounts!.map(m => m.path), [CERAMIC_ONE_STORE]);
            const env = c.env as Record<string, string>;
            assert.deepStrictEqual([env.HOME, env[CERAMIC_ONE_ENV.storeDir]], [CERAMIC_ONE_STORE, CERAMIC_ONE_STORE]);
            assert.strictEqual(env[CERAMIC_ONE_ENV.p2pKeyDir], c.memoryScratch!.path);
        });

        it("keeps its own crate's info lines out of the logs: they print every option, the EVM key included (daemon.rs `info!(?opts, ...)`)", () => {
            // tracing-subscriber EnvFilter directives: a default level, then `target=level`; the crate's target is its
            // name with underscores (one/Cargo.toml name = "ceramic-one").
            assert.deepStrictEqual(CERAMIC_ONE_LOG_FILTER.split(","), ["info", "ceramic_one=warn"]);
            assert.strictEqual(ceramicOneEnv({ network: "mainnet", announce: [], anchoring: { kind: "none" } })[CERAMIC_ONE_ENV.logFilter], CERAMIC_ONE_LOG_FILTER);
        });
    });

    describe("the node's key, in OpenSSH's format (openssh-portable PROTOCOL.key)", () => {
        let tmp: string;
        before(function () {
            if (!hasBinary("ssh-keygen")) this.skip();
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ceramic-one-key-"));
        });
        after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

        /** The fields of an unencrypted OpenSSH Ed25519 private key. */
        function parse(pem: string): { publicBlob: Buffer; check: [number, number]; publicKey: Buffer; secret: Buffer; comment: string; padding: Buffer } {
            const body = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
            let at = 0;
            const bytes = (n: number) => body.subarray(at, (at += n));
            const u32 = () => bytes(4).readUInt32BE(0);
            const str = () => bytes(u32());
            assert.strictEqual(bytes(15).toString("latin1"), "openssh-key-v1\0");
            assert.deepStrictEqual([str().toString(), str().toString(), str().length, u32()], ["none", "none", 0, 1]);
            const publicBlob = str();
            const section = str();
            assert.strictEqual(at, body.length);
            at = 0;
            const inner = section;
            const read = (n: number) => inner.subarray(at, (at += n));
            const r32 = () => read(4).readUInt32BE(0);
            const rstr = () => read(r32());
            const check: [number, number] = [r32(), r32()];
            assert.strictEqual(rstr().toString(), "ssh-ed25519");
            const publicKey = rstr();
            const secretKey = rstr();
            const comment = rstr().toString();
            return { publicBlob, check, publicKey, secret: secretKey, comment, padding: inner.subarray(at) };
        }

        it("is read by ssh-keygen, which derives the same public key", () => {
            const seed = crypto.randomBytes(32);
            const publicKey = ed25519PublicKey(seed);
            const file = path.join(tmp, "ours");
            fs.writeFileSync(file, openSshEd25519PrivateKey(seed, publicKey), { mode: 0o600 });
            const derived = spawnSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" });
            assert.strictEqual(derived.status, 0, derived.stderr);
            const [type, blob] = derived.stdout.trim().split(" ");
            assert.strictEqual(type, "ssh-ed25519");
            assert.deepStrictEqual(parse(fs.readFileSync(file, "utf8")).publicBlob, Buffer.from(blob, "base64"));
            assert.deepStrictEqual(Buffer.from(blob, "base64").subarray(-32), publicKey);
        });

        it("is ssh-keygen's own key byte for byte but its check numbers, with lines of 70 characters", () => {
            const file = path.join(tmp, "theirs");
            const made = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file], { encoding: "utf8" });
            assert.strictEqual(made.status, 0, made.stderr);
            const text = fs.readFileSync(file, "utf8");
            const theirs = parse(text);
            const ours = openSshEd25519PrivateKey(theirs.secret.subarray(0, 32), theirs.publicKey);
            const mine = parse(ours);
            assert.strictEqual(mine.check[0], mine.check[1]);
            assert.deepStrictEqual({ ...mine, check: undefined }, { ...theirs, check: undefined });
            assert.deepStrictEqual(ours.split("\n").map(l => l.length), text.split("\n").map(l => l.length));
        });

        it("carries the identity's seed: the peer ID libp2p derives from it and the did:key ceramic-one's NodeId gives", async () => {
            const reference = await referencePeerId("ceramic-one-key-test");
            const { seed, publicKey } = seedOfLibp2pKey(reference.privateKey);
            assert.deepStrictEqual(ed25519PublicKey(seed), publicKey);
            const pem = Buffer.from(nodeKeyFileValue(reference.privateKey), "base64").toString("utf8");
            assert.deepStrictEqual(parse(pem).publicKey, publicKey);
            // core/src/node_id.rs NodeId::peer_id: identity multihash of 08 01 12 20 and the public key, base58btc.
            const peerId = bs58.encode(Buffer.concat([Buffer.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), publicKey]));
            assert.strictEqual(peerId, reference.peerId);
            // NodeId::did_key: did:key: and multibase base58btc of ed25519-pub (0xed 0x01) and the public key.
            assert.strictEqual(didKey(publicKey), `did:key:z${bs58.encode(Buffer.concat([Buffer.from([0xed, 0x01]), publicKey]))}`);
        });

        it("reaches the key file through the start script, in memory and for the daemon alone, and the daemon in its place", function () {
            if (!hasBinary("base64")) this.skip();
            const seed = crypto.randomBytes(32);
            const pem = openSshEd25519PrivateKey(seed, ed25519PublicKey(seed));
            const keyDir = path.join(tmp, "key");
            fs.mkdirSync(keyDir);
            const daemon = path.join(tmp, "ceramic-one");
            fs.writeFileSync(daemon, `#!/bin/sh\nprintf '%s\\n' "$*" > "${tmp}/args"\nenv > "${tmp}/env"\necho "$$" > "${tmp}/pid"\n`, { mode: 0o755 });
            const script = ceramicOneStartScript(["echo before-daemon"]).replace("exec /usr/bin/ceramic-one", `exec ${daemon}`);
            const run = spawnSync("sh", ["-c", `echo "$$" > "${tmp}/shell"; exec sh -c "$0" ceramic-one-start --extra`, script], {
                encoding: "utf8",
                env: { PATH: process.env.PATH!, [CERAMIC_ONE_ENV.nodeKey]: Buffer.from(pem).toString("base64"), [CERAMIC_ONE_ENV.p2pKeyDir]: keyDir },
            });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.strictEqual(run.stdout, "before-daemon\n");
            const file = path.join(keyDir, "id_ed25519_0");
            assert.strictEqual(fs.readFileSync(file, "utf8"), pem);
            assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
            assert.deepStrictEqual(fs.readdirSync(keyDir), ["id_ed25519_0"]);
            assert.strictEqual(fs.readFileSync(path.join(tmp, "args"), "utf8"), "daemon --extra\n");
            assert.ok(!fs.readFileSync(path.join(tmp, "env"), "utf8").includes(CERAMIC_ONE_ENV.nodeKey), "the daemon sees the key's variable");
            assert.strictEqual(fs.readFileSync(path.join(tmp, "pid"), "utf8"), fs.readFileSync(path.join(tmp, "shell"), "utf8"), "the daemon replaces the script");
            const missing = spawnSync("sh", ["-c", script, "ceramic-one-start"], { encoding: "utf8", env: { PATH: process.env.PATH!, [CERAMIC_ONE_ENV.p2pKeyDir]: keyDir } });
            assert.notStrictEqual(missing.status, 0);
            assert.match(missing.stderr, /NODE_KEY_OPENSSH_BASE64 holds the node's key/);
        });
    });

    describe("the load balancer in front of ceramic-one: only /ceramic/, for the allowed networks", () => {
        it("refuses path prefixes neither an ALB path pattern nor a Cloud Armor string can hold as given", () => {
            assert.strictEqual(pathPrefixesProblem([CERAMIC_ONE_API_PREFIX]), undefined);
            for (const bad of [[], ["/"], ["/ceramic"], ["ceramic/"], ["/ce'ramic/"], ["/a b/"], ["/a/", "/b/", "/c/", "/d/"], [`/${"x".repeat(127)}/`]]) {
                assert.notStrictEqual(pathPrefixesProblem(bad), undefined, JSON.stringify(bad));
            }
        });

        it("GCP: the Cloud Armor rules answer 404 to every path ceramic-one would not serve as its Ceramic API, and 403 to other sources", () => {
            assert.strictEqual(armorPathExpression([CERAMIC_ONE_API_PREFIX]), "!(request.path.startsWith('/ceramic/'))");
            const narrowed = armorRules(["203.0.113.0/24"], [CERAMIC_ONE_API_PREFIX]) as any[];
            const open = armorRules(undefined, [CERAMIC_ONE_API_PREFIX]) as any[];
            for (const p of PATHS) {
                const served = p.startsWith(CERAMIC_ONE_API_PREFIX);
                assert.strictEqual(armorVerdict(narrowed, "203.0.113.9", p), served ? "allow" : "deny(404)", p);
                assert.strictEqual(armorVerdict(narrowed, "198.51.100.9", p), served ? "deny(403)" : "deny(404)", p);
                assert.strictEqual(armorVerdict(open, "198.51.100.9", p), served ? "allow" : "deny(404)", p);
            }
            assert.strictEqual(open.find(r => r.priority === ARMOR_DEFAULT_RULE_PRIORITY).action, "allow");
        });
    });

    for (const cloud of ["aws", "gcp"] as const satisfies readonly Cloud[]) {
        describe(`the ceramic-one flavour on ${cloud}: mainnet, self-anchoring, prod`, () => {
            let report: SynthReport;
            let seconds: number;
            before(async () => {
                const started = Date.now();
                report = await synthStack({
                    stack: "prod",
                    cloud,
                    set: {
                        "ceramic.flavour": "ceramic-one",
                        "ceramic.stateStore": "volume",
                        "ceramic.apiCidrs": ["203.0.113.0/24"],
                        "ceramic.selfAnchoring.chainId": ANCHOR_CHAIN_IDS.mainnet,
                        "ceramic.selfAnchoring.contractAddress": CONTRACT,
                    },
                    secrets: { "ceramic.ethereumRpcUrl": FAKE.ethereumRpcUrl, "ceramic.selfAnchoring.rpcUrl": FAKE.anchorRpcUrl, "ceramic.selfAnchoring.privateKey": FAKE.anchorKey },
                });
                seconds = (Date.now() - started) / 1000;
            });

            it("passes the policy pack and runs ceramic-one alone: no js-ceramic, no keep-alive", () => {
                assert.deepStrictEqual(mandatoryViolations(report), []);
                const [node] = ofType(report, COMPONENT_TYPE);
                const services = descendants(report, node.urn).filter(r => r.type === COMPONENT_TYPES.service).map(r => r.name);
                assert.deepStrictEqual(services, [NAMES.ceramicOne]);
                assert.deepStrictEqual(descendants(report, node.urn).filter(r => r.type === COMPONENT_TYPES.volume).map(r => r.name), [NAMES.ceramicOneStore]);
                assert.ok(seconds < 30, `${seconds} s`);
            });

            it("reads every secret from the secret store, and no secret is anywhere in plain text", () => {
                const [c] = containersOf(report, NAMES.ceramicOne);
                assert.deepStrictEqual(c.secrets, [CERAMIC_ONE_ENV.additionalChainRpcUrls, CERAMIC_ONE_ENV.evmPrivateKey, CERAMIC_ONE_ENV.evmRpcUrl, CERAMIC_ONE_ENV.nodeKey].sort());
                assert.deepStrictEqual(Object.fromEntries(c.env.filter(e => /EVM|ANCHOR/.test(e.name)).map(e => [e.name, e.value])), {
                    [CERAMIC_ONE_ENV.anchorInterval]: "3600",
                    [CERAMIC_ONE_ENV.evmChainId]: "1",
                    [CERAMIC_ONE_ENV.evmContractAddress]: CONTRACT,
                });
                const everything = JSON.stringify({ resources: report.resources, outputs: report.outputs });
                for (const value of [FAKE.ethereumRpcUrl, FAKE.anchorRpcUrl, FAKE.anchorKey, "c3ram1c-0ne"]) assert.ok(!everything.includes(value), `${value} appears in the synth`);
            });

            it("stores the node's key for the start script, whose peer ID and DID are the node's outputs", async () => {
                const out = report.outputs.ceramic as { flavour: string; ipfsPeerId: string; nodeDid: string; multiaddresses: string[]; url: string; stateStore?: string };
                const reference = await referencePeerId(`${NAMES.identity}-seed`);
                const pem = storedSecretFile(report, NAMES.ceramicOneKey);
                assert.match(pem, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
                const { publicKey } = seedOfLibp2pKey(reference.privateKey);
                assert.deepStrictEqual([out.flavour, out.ipfsPeerId, out.nodeDid, out.stateStore], ["ceramic-one", reference.peerId, didKey(publicKey), undefined]);
                assert.strictEqual(pem, openSshEd25519PrivateKey(seedOfLibp2pKey(reference.privateKey).seed, publicKey));
                const addresses = [...new Set(out.multiaddresses.filter(a => a.startsWith("/ip4/")).map(a => a.split("/")[2]))];
                assert.strictEqual(addresses.length, 1);
                assert.deepStrictEqual(out.multiaddresses, [
                    ...externalSwarmAddresses(addresses, `ceramic-one.${report.outputs.domain}`).map(a => `${a}/p2p/${reference.peerId}`),
                ]);
                assert.strictEqual(out.url, `https://ceramic.${report.outputs.domain}`);
            });

            if (cloud === "aws") {
                it("AWS: the ALB forwards /ceramic/* alone (everything else a 404 of its own), from the allowlist alone, checked on /ceramic/version", () => {
                    const tg = named(report, "aws:lb/targetGroup:TargetGroup", `${NAMES.api}-targets`);
                    assert.deepStrictEqual([tg.inputs.port, (tg.inputs.healthCheck as any).path, (tg.inputs.healthCheck as any).matcher], [CERAMIC_ONE_PORTS.api, CERAMIC_ONE_HEALTH.readiness.path, "200"]);
                    const host = `ceramic.${report.outputs.domain}`;
                    for (const p of PATHS) {
                        const served = p.startsWith(CERAMIC_ONE_API_PREFIX);
                        assert.strictEqual(albDecision(report, { host, path: p, source: "203.0.113.9" }), served ? `forward ${CERAMIC_ONE_PORTS.api}` : "404", p);
                        assert.strictEqual(albDecision(report, { host, path: p, source: "198.51.100.9" }), served ? "403" : "404", p);
                    }
                    const rules = ofType(report, "aws:lb/listenerRule:ListenerRule").filter(r => r.name.startsWith(`${NAMES.api}-`) && (r.inputs.actions as any[])[0].type === "forward");
                    // The service waits for the rule: ECS attaches it only to a target group a listener or rule forwards to.
                    const ecs = named(report, "aws:ecs/service:Service", `${NAMES.ceramicOne}-service`);
                    assert.ok(ecs.options.dependsOn.includes(rules[0].urn), "the ECS service does not wait for the listener rule");
                    // 5101 reaches the task from the ALB alone; the swarm from the world; nothing else.
                    const taskGroup = named(report, "aws:ec2/securityGroup:SecurityGroup", `${NAMES.ceramicOne}-sg`);
                    const inbound = ofType(report, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(r => r.inputs.securityGroupId === taskGroup.id);
                    const view = inbound.map(r => `${r.inputs.ipProtocol}:${r.inputs.fromPort} ${r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? report.resources.find(g => g.id === r.inputs.referencedSecurityGroupId)?.name}`).sort();
                    assert.deepStrictEqual(view, ["tcp:4101 0.0.0.0/0", "tcp:4101 ::/0", "tcp:5101 https-alb", "udp:4102 0.0.0.0/0", "udp:4102 ::/0"]);
                });
            } else {
                it("GCP: Cloud Armor on the API's backend denies every other path with 404 and other sources with 403; 5101 from Google's front ends alone", () => {
                    const backend = named(report, "gcp:compute/backendService:BackendService", `${NAMES.api}-backend`);
                    const policy = ofType(report, "gcp:compute/securityPolicy:SecurityPolicy").find(p => p.id === backend.inputs.securityPolicy || `${p.id}` === `${backend.inputs.securityPolicy}`);
                    assert.ok(policy, "no security policy on the API's backend");
                    const rules = policy.inputs.rules as any[];
                    for (const p of PATHS) {
                        const served = p.startsWith(CERAMIC_ONE_API_PREFIX);
                        assert.strictEqual(armorVerdict(rules, "203.0.113.9", p), served ? "allow" : "deny(404)", p);
                        assert.strictEqual(armorVerdict(rules, "198.51.100.9", p), served ? "deny(403)" : "deny(404)", p);
                    }
                    const checks = named(report, "gcp:compute/healthCheck:HealthCheck", `${NAMES.api}-health`).inputs.httpHealthCheck;
                    assert.deepStrictEqual(checks, { port: CERAMIC_ONE_PORTS.api, requestPath: CERAMIC_ONE_HEALTH.readiness.path });
                    assert.deepStrictEqual(named(report, "gcp:compute/healthCheck:HealthCheck", `${NAMES.ceramicOne}-autohealing`).inputs.httpHealthCheck, { port: CERAMIC_ONE_PORTS.api, requestPath: CERAMIC_ONE_HEALTH.liveness.path });
                    const firewalls = ofType(report, "gcp:compute/firewall:Firewall").filter(f => ((f.inputs.targetTags as string[]) ?? []).some(t => t.endsWith(`group-${NAMES.ceramicOne}`)));
                    const opened = firewalls.flatMap(f => (f.inputs.allows as any[]).flatMap(a => a.ports.map((p: string) => `${a.protocol}:${p}`)));
                    assert.deepStrictEqual([...new Set(opened)].sort(), ["tcp:4101", "tcp:5101", "udp:4102"]);
                    for (const f of firewalls) {
                        const ports = (f.inputs.allows as any[]).flatMap(a => a.ports);
                        if (ports.includes("5101")) assert.ok(!(f.inputs.sourceRanges as string[] ?? []).includes("0.0.0.0/0"), `${f.name} opens 5101 to the world`);
                    }
                });
            }
        });
    }

    describe("the js-ceramic flavour (every stack file's default)", () => {
        for (const cloud of ["aws", "gcp"] as const) {
            it(`${cloud}: gives ceramic-one's API to js-ceramic's access group alone; ceramic-one anchors nothing; no keep-alive`, async () => {
                const report = await synthStack({ stack: "dev", cloud });
                const [c] = containersOf(report, NAMES.ceramicOne);
                assert.deepStrictEqual(c.ports, [{ port: 4101, protocol: "tcp" }, { port: 4102, protocol: "udp" }, { port: 5101, protocol: "tcp" }]);
                assert.ok(!c.env.some(e => /EVM|ANCHOR|EXPERIMENTAL/.test(e.name)), "ceramic-one anchors nothing under js-ceramic");
                if (cloud === "aws") {
                    const group = named(report, "aws:ec2/securityGroup:SecurityGroup", `${NAMES.ceramicOne}-sg`);
                    const api = ofType(report, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(r => r.inputs.securityGroupId === group.id && r.inputs.fromPort === 5101);
                    assert.deepStrictEqual(api.map(r => report.resources.find(g => g.id === r.inputs.referencedSecurityGroupId)?.name), ["access-group-ceramic"]);
                } else {
                    const firewalls = ofType(report, "gcp:compute/firewall:Firewall").filter(f => ((f.inputs.targetTags as string[]) ?? []).some(t => t.endsWith(`group-${NAMES.ceramicOne}`)));
                    const api = firewalls.filter(f => (f.inputs.allows as any[]).some(a => a.ports.includes("5101")));
                    // js-ceramic's instances, and Google's health checkers for autohealing: never the world.
                    assert.deepStrictEqual(api.map(f => f.inputs.sourceTags ?? f.inputs.sourceRanges).sort(), [["130.211.0.0/22", "35.191.0.0/16"], ["web3-dev-group-ceramic"]].sort());
                }
                const [node] = ofType(report, COMPONENT_TYPE);
                assert.deepStrictEqual(descendants(report, node.urn).filter(r => r.type === COMPONENT_TYPES.scheduledJob), [], "no keep-alive");
                const out = report.outputs.ceramic as { flavour: string; nodeDid: string };
                assert.strictEqual(out.flavour, "js-ceramic");
                assert.strictEqual(adminDidProblem(out.nodeDid), undefined, "the node's DID is a whole did:key");
            });
        }
    });
});
