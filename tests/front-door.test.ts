// The configuration's front door: stack files a real CLI accepts as committed, required secrets named with the
// command that sets them, the offline synth's stand-ins, no secret value in any message, one line for every
// malformed file or flag, and keys of other namespaces judged against their owners' definitions.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, parseStackConfig } from "../stacks/config";
import { PULUMI_KEYS, providerKeys } from "../stacks/namespaces";
import { run } from "../stacks/program";
import { ConfigError, HIDDEN, SECRET_SETTINGS, setSecretCommand } from "../stacks/validate";
import { parseKeyPath, setPath, standInMissingSecrets } from "../tools/overrides";
import { listStacks, readStackFile, stackClouds } from "../tools/stackfile";
import { SynthIo, main, parseArgs, synthStack } from "../tools/synth";
import { graphCases, graphOf } from "./conformance/graphs";
import { baseConfig } from "./fixtures";

const ROOT = path.join(__dirname, "..");

/** The problems of a configuration as the program reads a stack (every namespace), or [] when it is valid. */
function stackProblems(all: Record<string, string>, secretKeys: Iterable<string> = [], stack = "prod"): string[] {
    try {
        parseStackConfig(all, new Set(secretKeys), stack);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

/** A valid configuration in the form the CLI hands it over: full keys, objects as JSON. */
function asCli(raw: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [`web3-nodes:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** The synth's main with its output kept, instead of the process's streams. */
async function synthMain(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const io: SynthIo = { out: async text => void (out += text), err: text => void (err += text) };
    const code = await main(argv, io);
    return { code, out, err };
}

const PROD_ON_AWS_MISSING = [
    "web3-nodes:registryMirror.dockerHubAccessToken is required: cloud is aws, and ECR's pull-through cache pulls from Docker Hub only with a Docker Hub account; " +
    "create a read-only access token on Docker Hub; set it with pulumi config set --secret --path 'web3-nodes:registryMirror.dockerHubAccessToken' dckr_pat_YOUR-READ-ONLY-TOKEN",
    "web3-nodes:chainlink.nodes[0].wsUrl is required: a ws:// or wss:// URL; " +
    "set it with pulumi config set --secret --path 'web3-nodes:chainlink.nodes[0].wsUrl' wss://mainnet.infura.io/ws/v3/YOUR-API-KEY",
    "web3-nodes:chainlink.nodes[0].httpUrl is required: an http:// or https:// URL; " +
    "set it with pulumi config set --secret --path 'web3-nodes:chainlink.nodes[0].httpUrl' https://mainnet.infura.io/v3/YOUR-API-KEY",
    "web3-nodes:ceramic.ethereumRpcUrl is required: network is mainnet: anchors are proven on Ethereum mainnet, so the node needs an Ethereum RPC endpoint of its own; " +
    "set it with pulumi config set --secret --path 'web3-nodes:ceramic.ethereumRpcUrl' https://mainnet.infura.io/v3/YOUR-API-KEY",
];

describe("the configuration's front door", () => {
    describe("required secrets", () => {
        it("are absent from every committed stack file: no secure: value a real CLI would fail to decrypt", () => {
            for (const stack of listStacks()) {
                const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
                assert.deepStrictEqual(text.split("\n").filter(line => /^\s*[^#\s].*\bsecure:/.test(line)), [], `Pulumi.${stack}.yaml`);
                assert.deepStrictEqual(readStackFile(stack).encrypted, [], `Pulumi.${stack}.yaml`);
            }
        });

        it("stop the program as it reads the committed prod stack, each named with the exact command that sets it", () => {
            const prod = readStackFile("prod");
            assert.throws(() => parseStackConfig(prod.config, new Set(prod.secretKeys), "prod"), (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepStrictEqual(e.problems, PROD_ON_AWS_MISSING);
                assert.deepStrictEqual(e.missingSecrets, ["registryMirror.dockerHubAccessToken", "chainlink.nodes[0].wsUrl", "chainlink.nodes[0].httpUrl", "ceramic.ethereumRpcUrl"]);
                return true;
            });
        });

        it("stop the real program before it declares any resource", async () => {
            const declared: string[] = [];
            await pulumi.runtime.setMocks({ newResource: args => (declared.push(args.type), { id: args.name, state: args.inputs }), call: args => args.inputs }, "web3-nodes", "prod", true);
            pulumi.runtime.setAllConfig(readStackFile("prod").config, []);
            await assert.rejects(run(), ConfigError);
            assert.deepStrictEqual(declared, []);
        });

        it("come from one table whose commands run as printed, and whose stand-ins the validation accepts", () => {
            for (const setting of SECRET_SETTINGS) {
                // No shell metacharacters: `<token>` would be read as a redirection.
                assert.match(setting.example, /^[A-Za-z0-9:/._-]+$/, setting.key);
                // Plainly not real: a stand-in URL or token says so; a stand-in private key is the key 1.
                assert.match(setting.standIn, /example-stand-in|^0{63}1$/, setting.key);
            }
            assert.strictEqual(setSecretCommand("chainlink.nodes[3].httpUrl"), "pulumi config set --secret --path 'web3-nodes:chainlink.nodes[3].httpUrl' https://mainnet.infura.io/v3/YOUR-API-KEY");
            assert.throws(() => setSecretCommand("domain"), /domain is not a secret setting/);
        });

        for (const stack of listStacks()) {
            for (const cloud of stackClouds(stack)) {
                it(`of ${stack} on ${cloud} are each set by a command written in Pulumi.${stack}.yaml's comments`, () => {
                    const file = readStackFile(stack);
                    const config = { ...file.config, "web3-nodes:cloud": cloud };
                    const { standIns, invalid } = standInMissingSecrets(config, new Set(file.secretKeys), stack);
                    assert.strictEqual(invalid, undefined, invalid?.message);
                    const text = fs.readFileSync(path.join(ROOT, file.file), "utf8");
                    for (const key of standIns) assert.ok(text.includes(`#   ${setSecretCommand(key.slice("web3-nodes:".length))}\n`), `${file.file} has no comment with the command that sets ${key}`);
                });
            }
        }
    });

    describe("the offline synth", () => {
        const prodOnAws = graphCases().find(c => c.label === "prod on aws")!;

        it("stands in an example value for each required secret the stack file does not set, and lists them under standIns", async () => {
            const report = await graphOf(prodOnAws);
            assert.deepStrictEqual(report.standIns, [
                "web3-nodes:registryMirror.dockerHubAccessToken",
                "web3-nodes:chainlink.nodes[0].wsUrl",
                "web3-nodes:chainlink.nodes[0].httpUrl",
                "web3-nodes:ceramic.ethereumRpcUrl",
            ]);
            // Held as secrets from the stack file on: no stand-in reaches an input or output in the clear.
            assert.ok(!JSON.stringify(report).includes("example-stand-in"), "a stand-in shows in the graph");
        });

        it("says so on stderr, in one line per kind of stand-in", async () => {
            const lines: string[] = [];
            await assert.rejects(synthStack({ stack: "prod", set: { domain: "BAD" }, onNotice: line => lines.push(line) }), ConfigError);
            assert.deepStrictEqual(lines, [
                "stood in example values for required secrets not set in Pulumi.prod.yaml: " +
                "web3-nodes:registryMirror.dockerHubAccessToken (required when cloud is aws, or when registryMirror.dockerHubUsername is set), " +
                "web3-nodes:chainlink.nodes[0].wsUrl (required for every primary (not sendOnly) entry of chainlink.nodes), " +
                "web3-nodes:chainlink.nodes[0].httpUrl (required for every entry of chainlink.nodes), " +
                "web3-nodes:ceramic.ethereumRpcUrl (required when ceramic is enabled on mainnet); " +
                "pulumi preview and up stop until each is set with pulumi config set --secret --path '<key>' <value>",
            ]);
        });

        it("still reads a secure: value as a secret, standing in an example, as it would a real operator's file", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "front-door-"));
            const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")
                .replace("    dockerHubUsername: web3nodes\n", "    dockerHubUsername: web3nodes\n    dockerHubAccessToken:\n      secure: v1:AAAA:ciphertext\n")
                .replace("      - name: primary-rpc\n", "      - name: primary-rpc\n        wsUrl:\n          secure: v1:AAAA:ws\n        httpUrl:\n          secure: v1:AAAA:http\n")
                .replace("    network: mainnet\n", "    network: mainnet\n    ethereumRpcUrl:\n      secure: v1:AAAA:rpc\n")
                .concat("  cloudflare:apiToken:\n    secure: v1:AAAA:token\n");
            fs.writeFileSync(path.join(dir, "Pulumi.operator.yaml"), prod);
            const file = readStackFile("operator", dir);
            assert.deepStrictEqual(file.encrypted, [
                "web3-nodes:registryMirror.dockerHubAccessToken", "web3-nodes:chainlink.nodes[0].wsUrl", "web3-nodes:chainlink.nodes[0].httpUrl",
                "web3-nodes:ceramic.ethereumRpcUrl", "cloudflare:apiToken",
            ]);
            assert.deepStrictEqual(file.secretKeys, ["web3-nodes:registryMirror", "web3-nodes:chainlink", "web3-nodes:ceramic", "cloudflare:apiToken"]);
            assert.strictEqual(file.config["cloudflare:apiToken"], "example-stand-in-for-an-encrypted-value");
            // Encrypted, so neither refused as plain text nor missing: nothing else to stand in.
            assert.deepStrictEqual(standInMissingSecrets({ ...file.config }, new Set(file.secretKeys), "prod"), { standIns: [] });
        });
    });

    describe("messages never repeat a secret", () => {
        const KEY = "sk_live_RECOGNISABLE";
        const secretUrl = `https://mainnet.infura.io/v3/${KEY}`;

        it("under a mistyped key, given as a secret or not", () => {
            const ceramic = { enabled: true, network: "mainnet", ethereumRpcUrl: "https://example.invalid/", ethereumRPCUrl: secretUrl };
            for (const secretKeys of [["web3-nodes:ceramic"], []]) {
                const problems = stackProblems(asCli({ ...baseConfig("aws"), ceramic }), secretKeys).filter(p => p.includes("RPCUrl"));
                assert.deepStrictEqual(problems, [
                    "web3-nodes:ceramic.ethereumRPCUrl: unknown key (did you mean web3-nodes:ceramic.ethereumRpcUrl?); known keys here: enabled, flavour, network, ethereumRpcUrl, " +
                    "anchorServiceUrl, corsAllowedOrigins, logLevel, adminDids, metricsPublisher, apiCidrs, selfAnchoring, migrateFromKubo, zone, ceramicCpu, " +
                    "ceramicMemoryMiB, ipfsCpu, ipfsMemoryMiB, stateStore, stateVolumeGiB, repoVolumeGiB, keepAlive, indexDatabase, indexDatabaseClass, " +
                    "indexDatabaseStorageGiB, indexDatabaseVersion, indexDatabaseBackupRetentionDays",
                ]);
            }
        });

        it("under tags, where a secret is no valid tag: neither an invalid key's value nor an invalid value is shown", () => {
            const problems = stackProblems(asCli(baseConfig("aws", { tags: { Api_Key: KEY, apikey: KEY, team: "web3" } })), ["web3-nodes:registryMirror"]);
            assert.deepStrictEqual(problems, [
                "web3-nodes:tags.Api_Key: not a valid key (value not shown): tag keys start with a lowercase letter and use lowercase letters, digits, _ and - (at most 63); values likewise, may be empty",
                "web3-nodes:tags.apikey: not a valid value (not shown): tag keys start with a lowercase letter and use lowercase letters, digits, _ and - (at most 63); values likewise, may be empty",
            ]);
        });

        it("under a known key the stack holds as a secret, while a plain key's value is shown", () => {
            const raw = baseConfig("aws", { network: { cidr: "8.8.0.0/16" }, chainlink: { enabled: true, chainId: KEY } });
            const problems = stackProblems(asCli(raw), ["web3-nodes:chainlink", "web3-nodes:registryMirror"]);
            assert.ok(problems.includes('web3-nodes:network.cidr = "8.8.0.0/16": a private range (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)'), problems.join("\n"));
            assert.ok(problems.includes(`web3-nodes:chainlink.chainId = ${HIDDEN}: a positive whole number in decimal: the EVM chain ID, such as 1 (Ethereum) or 11155111 (Sepolia)`), problems.join("\n"));
            assert.ok(problems.every(p => !p.includes(KEY)));
        });

        it("in keys of other namespaces, or given with --secret on a path the config cannot take", async () => {
            const problems = stackProblems({ ...asCli(baseConfig("aws")), "cloudflare:apiTokn": KEY, "web3-node:token": KEY }, ["web3-nodes:registryMirror"]);
            assert.strictEqual(problems.length, 2, problems.join("\n"));
            assert.ok(problems.every(p => !p.includes(KEY)));
            const { code, err } = await synthMain(["dev", "--secret", `domain.token=${KEY}`]);
            assert.strictEqual(code, 2);
            assert.strictEqual(err.split("\n").pop(), "");
            assert.ok(err.endsWith("--secret domain.token=[secret]: web3-nodes:domain is a string, not an object\n"), err);
            assert.ok(!err.includes(KEY));
        });
    });

    describe("a malformed stack file is one line naming the file, line and column", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "front-door-"));
        const messageOf = (stack: string, text: string): string => {
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
            try {
                readStackFile(stack, dir);
            } catch (e) {
                assert.strictEqual((e as Error).name, "StackFileError");
                return (e as Error).message;
            }
            return "read without complaint";
        };
        // yaml 2.x parses YAML 1.2's core schema by default: `.inf`, `-.inf` and `.nan` are floats, duplicate keys errors.
        const cases: [string, string, string][] = [
            ["a syntax error", "config:\n  web3-nodes:cloud: aws\n  web3-nodes:domain: [x\n", "Pulumi.syntax.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]"],
            ["a duplicate key", "config:\n  web3-nodes:cloud: aws\n  web3-nodes:cloud: gcp\n", "Pulumi.duplicate.yaml:3:3: Map keys must be unique: web3-nodes:cloud is given twice"],
            [".inf", "config:\n  web3-nodes:network:\n    natAddresses: .inf\n", "Pulumi.inf.yaml:3:19: web3-nodes:network.natAddresses is .inf, a YAML float no configuration value can hold (config reaches the program as JSON, which has none); give a finite number, or quote it if text is meant"],
            ["-.inf", "config:\n  web3-nodes:logRetentionDays: -.inf\n", "Pulumi.neginf.yaml:2:32: web3-nodes:logRetentionDays is -.inf, a YAML float no configuration value can hold (config reaches the program as JSON, which has none); give a finite number, or quote it if text is meant"],
            [".nan", "config:\n  web3-nodes:chainlink:\n    nodes:\n      - name: .nan\n", "Pulumi.nan.yaml:4:15: web3-nodes:chainlink.nodes[0].name is .nan, a YAML float no configuration value can hold (config reaches the program as JSON, which has none); give a finite number, or quote it if text is meant"],
            // pulumi/pulumi v3.248.0 sdk/go/common/resource/config/key.go ParseKey refuses a key without a namespace.
            ["a key without a namespace", "config:\n  domain: x.example.com\n", 'Pulumi.nonamespace.yaml:2:3: config key "domain": keys are <namespace>:<name>, such as web3-nodes:domain'],
            ["a misspelt attribute", "confg:\n  web3-nodes:domain: x\n", 'Pulumi.attribute.yaml:1:1: "confg" is not an attribute of a stack file; they are secretsprovider, encryptedkey, encryptionsalt, config, environment'],
            ["an unterminated quote around a secret", 'config:\n  web3-nodes:registryMirror:\n    dockerHubAccessToken: "dckr_pat_RECOGNISABLE\n', 'Pulumi.quote.yaml:4:1: Missing closing "quote'],
        ];
        const stacks = ["syntax", "duplicate", "inf", "neginf", "nan", "nonamespace", "attribute", "quote"];
        cases.forEach(([what, text, message], i) => {
            it(`refuses ${what}`, () => assert.strictEqual(messageOf(stacks[i], text), message));
        });
    });

    describe("a malformed flag ends with exit 2 and one line", () => {
        const cases: [string[], string][] = [
            [["staging"], "no stack file Pulumi.staging.yaml; stacks here: dev, local, prod"],
            [["dev", "--set", "domain.x=1"], "--set domain.x=1: web3-nodes:domain is a string, not an object"],
            [["dev", "--set", "network[0]=x"], "--set network[0]=x: web3-nodes:network is an object, not a list"],
            [["prod", "--set", "chainlink.nodes[2].name=x"], "--set chainlink.nodes[2].name=x: web3-nodes:chainlink.nodes has 1 item(s): index 2 would leave a gap (the next is 1)"],
            [["dev", "--set", "a..b=1"], '--set a..b=1: "a..b" is not a key path: names joined by dots, list indexes in brackets, such as network.cidr, chainlink.nodes[0].name or aws:region'],
            [["dev", "--set", "nokey"], '--set takes key=value, such as --set network.natAddresses=2; it was given "nokey"'],
            [["dev", "--set"], "--set takes key=value, such as --set network.natAddresses=2; it was given nothing"],
            [["dev", "--cloud", "azure"], '--cloud "azure": allowed: aws, gcp, docker'],
            [["dev", "--set", "aws.region=eu-west-1"], 'web3-nodes:aws.region = "eu-west-1": the offline synth\'s mock account knows the Availability Zones of us-east-1 and us-west-1 only; a real preview asks AWS for the account\'s zones in eu-west-1'],
        ];
        for (const [argv, message] of cases) {
            it(`${argv.join(" ")}`, async () => {
                const { code, out, err } = await synthMain(argv);
                assert.deepStrictEqual({ code, out, err }, { code: 2, out: "", err: `${message}\n` });
            });
        }

        it("sets key paths as pulumi config set --path does, lists and other namespaces included", () => {
            const config: Record<string, string> = { "web3-nodes:chainlink": JSON.stringify({ nodes: [{ name: "a" }] }) };
            setPath(config, "chainlink.nodes[1].name", "b");
            setPath(config, 'chainlink.nodes[0]["odd.key"]', 1);
            setPath(config, "pulumi:disable-default-providers[0]", "aws");
            assert.deepStrictEqual(config, {
                "web3-nodes:chainlink": JSON.stringify({ nodes: [{ name: "a", "odd.key": 1 }, { name: "b" }] }),
                "pulumi:disable-default-providers": JSON.stringify(["aws"]),
            });
            assert.deepStrictEqual(parseKeyPath("aws:region"), { fullKey: "aws:region", path: [] });
            // A quoted name escapes only its quotes: any other backslash is itself (pulumi/pulumi v3.259.0
            // sdk/go/common/resource/properties_path.go parsePropertyPath).
            assert.deepStrictEqual(parseKeyPath('tags["C:\\temp \\"x\\""]').path, ['C:\\temp "x"']);
            assert.deepStrictEqual(parseArgs(["dev", "--secret", "ceramic.ethereumRpcUrl=https://x.invalid/k", "--set", "ipfsCluster.peers=6"]).set, { "ipfsCluster.peers": 6 });
        });

        it("end to end: the command exits 2 with the one line and no stack trace", () => {
            const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "synth.ts"), "dev", "--set", "domain.x=1"], { cwd: ROOT, encoding: "utf8" });
            assert.deepStrictEqual({ status: result.status, stdout: result.stdout, stderr: result.stderr }, {
                status: 2, stdout: "", stderr: "--set domain.x=1: web3-nodes:domain is a string, not an object\n",
            });
        });
    });

    describe("invalid configuration under the real CLI", () => {
        it("prints the ConfigError's message alone, as the language host prints a RunError (@pulumi/pulumi 3.248.0 cmd/run/run.js)", () => {
            // The language host logs a RunError by its message and exits 32 ("logged, nothing more to say");
            // any other error it logs as "Running program ... failed with an unhandled exception" and its stack.
            const result = spawnSync(process.execPath, ["--no-warnings", "--require", "tsx/cjs", path.join(ROOT, "tests", "fixtures", "language-host.ts")], {
                cwd: ROOT,
                encoding: "utf8",
                env: { ...process.env, WEB3_NODES_TEST_CONFIG: JSON.stringify(readStackFile("prod").config) },
            });
            assert.strictEqual(result.stderr, `error: [runtime] invalid stack configuration (4 problems):\n${PROD_ON_AWS_MISSING.map(p => `  - ${p}`).join("\n")}\n`);
            assert.strictEqual(result.status, 32);
            assert.strictEqual(result.stdout, 'resources declared: ["pulumi:pulumi:Stack"]\n');
        });
    });

    describe("keys of other namespaces", () => {
        it("take each provider's documented keys from its own config module (@pulumi/<provider>/config/vars)", () => {
            for (const provider of ["aws", "gcp", "cloudflare"]) {
                const dir = path.join(ROOT, "node_modules", "@pulumi", provider, "config");
                const declared = [...fs.readFileSync(path.join(dir, "vars.d.ts"), "utf8").matchAll(/^export declare const (\w+):/gm)].map(m => m[1]);
                assert.deepStrictEqual([...providerKeys(provider)].sort(), declared.sort(), provider);
                // Each exported name reads the config key of the same name, so the names are the keys.
                const reads = [...fs.readFileSync(path.join(dir, "vars.js"), "utf8").matchAll(/defineProperty\(exports, "(\w+)", \{\s*get\(\) \{\s*return __config\.get\w*\("(\w+)"\)/g)];
                assert.deepStrictEqual(reads.filter(m => m[1] !== m[2]), [], provider);
                assert.strictEqual(reads.length, declared.length, provider);
            }
            // @pulumi/random's ProviderArgs is empty: it takes no configuration.
            assert.match(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "random", "provider.d.ts"), "utf8"), /export interface ProviderArgs \{\s*\}/);
            assert.deepStrictEqual(providerKeys("random"), []);
        });

        const valid = asCli(baseConfig("aws"));
        const cases: [string, Record<string, string>, string[]][] = [
            ["Cloudflare's own keys, Pulumi's own keys", {
                "cloudflare:apiToken": "t", "pulumi:tags": '{"owner":"web3"}', "pulumi:disable-default-providers": '["aws","gcp"]', "pulumi:autonaming": '{"mode":"verbatim"}',
            }, []],
            ["aws:region, which the program's own AWS provider never reads", { "aws:region": "eu-west-1" }, [
                "aws:region: not used: every aws resource goes through the provider the program declares, which reads no aws: key (they configure only the " +
                "default provider, which the program never uses); set web3-nodes:aws.region instead, and remove it with pulumi config rm aws:region",
            ]],
            ["gcp:project, likewise", { "gcp:project": "other-project" }, [
                "gcp:project: not used: every gcp resource goes through the provider the program declares, which reads no gcp: key (they configure only the " +
                "default provider, which the program never uses); set web3-nodes:gcp.project instead, and remove it with pulumi config rm gcp:project",
            ]],
            ["aws:profile, which the environment gives the provider", { "aws:profile": "prod" }, [
                "aws:profile: not used: every aws resource goes through the provider the program declares, which reads no aws: key (they configure only the " +
                "default provider, which the program never uses); credentials come from the environment (AWS_PROFILE, or AWS_ACCESS_KEY_ID and " +
                "AWS_SECRET_ACCESS_KEY), and remove it with pulumi config rm aws:profile",
            ]],
            ["a misspelt provider key", { "cloudflare:apiTokn": "t" }, [
                "cloudflare:apiTokn: not a key of the cloudflare provider (did you mean cloudflare:apiToken?); its keys: apiKey, apiToken, apiUserServiceKey, baseUrl, email, userAgentOperatorSuffix",
            ]],
            ["a misspelt namespace", { "web3-node:domain": "x.example.com" }, ["web3-node:domain: nothing reads keys under web3-node: (did you mean web3-nodes:domain?)"]],
            ["a namespace nothing reads", { "kubernetes:context": "x" }, [
                "kubernetes:context: nothing reads keys under kubernetes:; namespaces read here: web3-nodes (this program), pulumi (the CLI), cloudflare (the DNS records' provider)",
            ]],
            ["a Pulumi key that is none", { "pulumi:tag": "{}" }, [`pulumi:tag: not a key Pulumi reads (did you mean pulumi:tags?); its keys: ${PULUMI_KEYS.map(k => `pulumi:${k}`).join(", ")}`]],
            ["a random: key", { "random:seed": "1" }, ["random:seed: the random provider takes no configuration"]],
            ["every default provider disabled", { "pulumi:disable-default-providers": '["*"]' }, [
                'pulumi:disable-default-providers = ["*"]: the program declares random resources with the default provider (random values); ' +
                "list only other packages, such as aws and gcp, whose resources all use the program's own provider",
            ]],
        ];
        for (const [what, extra, problems] of cases) {
            it(`${problems.length === 0 ? "accept" : "refuse"} ${what}`, () => {
                assert.deepStrictEqual(stackProblems({ ...valid, ...extra }, ["web3-nodes:registryMirror"]), problems);
            });
        }

        it("judge the same configuration as parseConfig does, read from the CLI's form", () => {
            const raw = baseConfig("gcp", { ipfsCluster: { enabled: true, peers: 6, apiCidrs: ["203.0.113.0/24", "2001:db8::/32"] }, logRetentionDays: 30 });
            assert.deepStrictEqual(parseStackConfig(asCli(raw), undefined), parseConfig(raw));
        });
    });
});
