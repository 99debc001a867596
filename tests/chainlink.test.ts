// The Chainlink pair on both clouds, through the real program under mocks: two nodes in two zones on one
// Postgres that fails over, a lost zone survived (over the synthesized graph), TLS to the database, the
// database never public, no RPC URL or generated secret in plain text anywhere, the standby told apart from a
// broken node (the scripts run for real), the TOML it renders, and invalid settings refused with exact messages.
import { albDecision } from "./conformance/alb";
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parse } from "smol-toml";
import * as YAML from "yaml";
import { COMPONENT_TYPES, Cloud } from "../components/topology";
import { isPinnedImage, serviceProblems } from "../components/topology/rules";
import { livenessContainers } from "../components/aws/liveness";
import { autohealingProbe } from "../components/gcp/service";
import {
    CHAINLINK_USER, COMPONENT_TYPE, DEFAULT_VERSION, HEALTH_WATCH, LEASE_QUERY, NODE_FILES, NODE_LIVENESS, PORTS, apiCredentialsFile, assertValidSettings, chainlinkImage,
    durationSeconds, leaseRefreshInterval, nodeConfig, nodeHealthFunction, passwordProblems, placeNodes, prometheusScrapeConfig, renderConfigToml,
    renderSecretsToml, startScript,
} from "../components/chainlink";
import { secretShown } from "../components/chainlink/config";
import { evaluatePolicies } from "../policies/evaluate";
import { CHAINLINK_TYPES, chainlinkSurvivesZoneLoss } from "../policies/rules/chainlink";
import { parseConfig } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { SECRET_MASK, SynthResource } from "../tools/harness";
import { randomState } from "../tools/mocks";
import { SynthReport, mandatoryViolations, synthStack } from "../tools/synth";
import { descendants, named, ofType, servicesUnder, zoneOfService } from "./support";
import { baseConfig } from "./fixtures";

const T = {
    subnet: "aws:ec2/subnet:Subnet",
    ecsService: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsInstance: "aws:rds/clusterInstance:ClusterInstance",
    parameters: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    group: "gcp:compute/instanceGroupManager:InstanceGroupManager",
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
    healthCheck: "gcp:compute/healthCheck:HealthCheck",
    armor: "gcp:compute/securityPolicy:SecurityPolicy",
    cloudSql: "gcp:sql/databaseInstance:DatabaseInstance",
    randomPassword: "random:index/randomPassword:RandomPassword",
};

/** Recognisable RPC URLs with API keys: not one of these characters may appear anywhere in the stack. */
const API_KEYS = ["FAKEKEY-3f9c2a7d1e", "FAKEKEY-b81e55c0"];
const RPC_NODES = [
    { name: "alchemy", wsUrl: `wss://eth-mainnet.g.alchemy.invalid/v2/${API_KEYS[0]}`, httpUrl: `https://eth-mainnet.g.alchemy.invalid/v2/${API_KEYS[0]}` },
    { name: "infura", wsUrl: `wss://mainnet.infura.invalid/ws/v3/${API_KEYS[1]}`, httpUrl: `https://mainnet.infura.invalid/v3/${API_KEYS[1]}` },
];
/** The same nodes as the config reader hands them on: primary nodes. */
const PRIMARY_NODES = RPC_NODES.map(n => ({ ...n, sendOnly: false }));
/** A send-only broadcaster beside them, with an order. */
const SEND_ONLY = { name: "flashbots", httpUrl: `https://rpc.flashbots.invalid/${API_KEYS[1]}x`, sendOnly: true, order: 1 };

interface ChainlinkOutputs {
    url: string;
    apiEmail: string;
    apiPassword: string;
    nodes: { name: string; zone: string }[];
    database: { host: string; zones: string[] };
    prometheusToken: string;
    prometheusScrapeConfig: string;
}

/** The Chainlink nodes: the zonal services under the ChainlinkNode component. */
function nodeServices(report: SynthReport): SynthResource[] {
    return servicesUnder(report, COMPONENT_TYPE);
}

/** Where the database has an instance that can serve: Aurora's writer and reader, Cloud SQL's primary and standby. */
/** The zones of the Chainlink database: resources under the Chainlink component (its URN's type chain names it). */
function databaseZones(report: SynthReport, cloud: Cloud): string[] {
    const underChainlink = (r: { urn: string }) => r.urn.includes("web3-nodes:chainlink:ChainlinkNode$");
    if (cloud === "aws") return ofType(report, T.rdsInstance).filter(underChainlink).map(i => i.inputs.availabilityZone as string);
    const [instance] = ofType(report, T.cloudSql).filter(underChainlink);
    const where = (instance.inputs.settings as { locationPreference: { zone: string; secondaryZone: string } }).locationPreference;
    return [where.zone, where.secondaryZone];
}

/** Every string in a value, and what each base64-looking one decodes to: a secret must not hide in an encoding. */
function allText(value: unknown): string[] {
    if (typeof value === "string") {
        const decoded = /^[A-Za-z0-9+/]{16,}={0,2}$/.test(value) ? [Buffer.from(value, "base64").toString("utf8")] : [];
        return [value, ...decoded];
    }
    if (Array.isArray(value)) return value.flatMap(allText);
    if (value !== null && typeof value === "object") return Object.values(value).flatMap(allText);
    return [];
}

/** A TOML document as plain objects (smol-toml gives tables no prototype). */
function parseToml(text: string): unknown {
    return JSON.parse(JSON.stringify(parse(text)));
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise(resolve => {
        execFile(command, args, { env: { ...process.env, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
        });
    });
}

// ---------------------------------------------------------------- the tests

describe("Chainlink", function () {
    this.timeout(120_000);

    describe("plain functions", () => {
        it("places the two nodes in the stack's first two zones, and refuses fewer than two zones", () => {
            assert.deepStrictEqual(placeNodes("chainlink", ["a", "b", "c"]), [{ index: 0, name: "chainlink-0", zone: "a" }, { index: 1, name: "chainlink-1", zone: "b" }]);
            assert.throws(() => placeNodes("chainlink", ["a", "a"]), /a Chainlink pair needs 2 different zones/);
        });

        it("renews the lease ten times per lease, never slower than half of it", () => {
            assert.deepStrictEqual(["10s", "30s", "1m", "5s", "1m30s"].map(leaseRefreshInterval), ["1s", "3s", "6s", "1s", "9s"]);
            for (const lease of ["5s", "7s", "10s", "45s", "10m"]) assert.ok(durationSeconds(leaseRefreshInterval(lease)) * 2 <= durationSeconds(lease), lease);
        });

        it("pins the image to a 2.x release and runs it as the image's own non-root user", () => {
            assert.strictEqual(chainlinkImage(DEFAULT_VERSION), `smartcontract/chainlink:${DEFAULT_VERSION}`);
            assert.match(DEFAULT_VERSION, /^2\.\d+\.\d+$/);
            assert.ok(isPinnedImage(chainlinkImage(DEFAULT_VERSION)));
            assert.deepStrictEqual(CHAINLINK_USER, { uid: 14933, gid: 14933 });
        });

        it("renders a config.toml that parses and holds the lease lock, the web server and every RPC node", () => {
            const args = { chainId: "1", nodes: [...PRIMARY_NODES, SEND_ONLY], selectionMode: "PriorityLevel" as const, maxOpenConns: 20, leaseDuration: "15s", origin: "https://chainlink.nodes.example.com" };
            const toml = renderConfigToml(args);
            const parsed = parseToml(toml) as any;
            assert.deepStrictEqual(parsed.Database, {
                MaxOpenConns: 20, MaxIdleConns: 10, Lock: { Enabled: true, LeaseDuration: "15s", LeaseRefreshInterval: "1s" },
            });
            assert.deepStrictEqual(parsed.WebServer, { HTTPPort: PORTS.http, AllowOrigins: "https://chainlink.nodes.example.com", SecureCookies: true, TLS: { HTTPSPort: 0 } });
            assert.deepStrictEqual(parsed.EVM, [{
                ChainID: "1",
                NodePool: { SelectionMode: "PriorityLevel" },
                Nodes: [
                    ...RPC_NODES.map(n => ({ Name: n.name, WSURL: n.wsUrl, HTTPURL: n.httpUrl, SendOnly: false })),
                    { Name: "flashbots", HTTPURL: SEND_ONLY.httpUrl, SendOnly: true, Order: 1 },
                ],
            }]);
            assert.deepStrictEqual(parsed.Log, { Level: "info", JSONConsole: true, File: { MaxSize: "0b" } });
            assert.deepStrictEqual(parsed, nodeConfig(args));
        });

        it("renders a secrets.toml that parses and holds the database URL, the keystore password and the metrics token", () => {
            const url = "postgresql://chainlink:p%40ss@db.internal:5432/chainlink?sslmode=require";
            const parsed = parseToml(renderSecretsToml({ databaseUrl: url, keystorePassword: 'a"quoted\\password-of-32-characters', prometheusToken: "token" })) as any;
            assert.deepStrictEqual(parsed, { Database: { URL: url }, Password: { Keystore: 'a"quoted\\password-of-32-characters' }, Prometheus: { AuthToken: "token" } });
            assert.strictEqual(apiCredentialsFile("operator@nodes.example.com", "secret"), "operator@nodes.example.com\nsecret\n");
        });

        it("applies Chainlink's password rules with exact messages", () => {
            assert.deepStrictEqual(passwordProblems("the keystore password", "short"), ["the keystore password has 5 characters; Chainlink accepts 16 to 50"]);
            assert.deepStrictEqual(passwordProblems("the API password", " leading-whitespace-password"), ["the API password starts or ends with whitespace, which Chainlink refuses"]);
            assert.deepStrictEqual(passwordProblems("the API password", "x".repeat(51)), ["the API password has 51 characters; Chainlink accepts 16 to 50"]);
            assert.deepStrictEqual(passwordProblems("the API password", "xxoperator@nodes.example.comxx", ["operator@nodes.example.com"]),
                ['the API password contains "operator@nodes.example.com", which Chainlink refuses']);
            assert.deepStrictEqual(passwordProblems("the keystore password", "Abcdefghijklmnop1234"), []);
        });

        it("gives Prometheus a scrape job through the load balancer with the bearer token", () => {
            const job = (YAML.parse(prometheusScrapeConfig("chainlink.nodes.example.com", "tok")) as any).scrape_configs[0];
            assert.deepStrictEqual(job, {
                job_name: "chainlink", scheme: "https", metrics_path: "/metrics",
                authorization: { type: "Bearer", credentials: "tok" }, static_configs: [{ targets: ["chainlink.nodes.example.com"] }],
            });
        });

        it("lets only a node's containers replace it, on both clouds, and holds a port liveness to the service's ports", () => {
            const container = { name: "node", image: "example/node:1.0.0", cpu: 1, memoryMiB: 512, user: { uid: 10, gid: 10 }, ports: [{ port: 8080, exposure: { kind: "local" as const } }] };
            const args = { zone: "z-a", containers: [container] };
            assert.deepStrictEqual(NODE_LIVENESS, { kind: "exit" });
            // GCP: no autohealing probe at all; AWS: no watchdog container beside the node.
            assert.strictEqual(autohealingProbe({ liveness: NODE_LIVENESS }), undefined);
            assert.deepStrictEqual(livenessContainers(NODE_LIVENESS), []);
            const context = { prefix: "t", profile: "prod" as const, zones: ["z-a", "z-b", "z-c"], domain: "example.com", tags: {}, logRetentionDays: 7, backupRetentionDays: 7 };
            assert.deepStrictEqual(serviceProblems("svc", { ...args, liveness: NODE_LIVENESS }, context), []);
            assert.deepStrictEqual(serviceProblems("svc", { ...args, liveness: { kind: "http", port: 9090, path: "health", gracePeriodSeconds: 3601 } }, context), [
                "service svc: liveness port 9090 is not a TCP port of any of its containers",
                'service svc: liveness path "health" must start with /',
                "service svc: liveness gracePeriodSeconds is 3601; every cloud honours 0 to 3600",
            ]);
        });

        it("never repeats a secret URL in a message, only its scheme", () => {
            assert.strictEqual(secretShown(RPC_NODES[0].wsUrl), "[secret wss://…]");
            assert.strictEqual(secretShown("not a url"), "[secret: not a URL]");
            assert.strictEqual(secretShown([{ wsUrl: RPC_NODES[0].wsUrl }]), "[secret]");
        });
    });

    describe("configuration", () => {
        const enabled = { enabled: true, chainId: 1, nodes: RPC_NODES, operatorCidrs: ["203.0.113.0/24"] };
        const problemsOf = (chainlink: Record<string, unknown>, overrides: Record<string, unknown> = {}, cloud: Cloud = "aws", secretKeys?: Set<string>): string[] => {
            try {
                parseConfig(baseConfig(cloud, { chainlink, ...overrides }), undefined, secretKeys);
                return [];
            } catch (e) {
                assert.ok(e instanceof ConfigError, String(e));
                return e.problems;
            }
        };

        it("is off by default, with per-profile sizes and per-cloud database classes", () => {
            const dev = parseConfig(baseConfig("gcp", { profile: "dev" })).chainlink;
            assert.deepStrictEqual(dev, {
                enabled: false, chainId: "", nodes: [], selectionMode: "HighestHead", version: DEFAULT_VERSION, cpu: 1, memoryMiB: 2048, databaseClass: "db-custom-1-3840",
                databaseStorageGiB: 20, databaseVersion: 16, backupRetentionDays: undefined, leaseDuration: "10s", maxOpenConns: 20, operatorCidrs: [],
                p2p: { port: 6690, bootstrappers: [] }, alertEmail: undefined,
            });
            const prod = parseConfig(baseConfig("aws", { chainlink: enabled })).chainlink;
            assert.deepStrictEqual([prod.chainId, prod.cpu, prod.memoryMiB, prod.databaseClass, prod.databaseStorageGiB], ["1", 2, 4096, "db.r6g.large", 100]);
            assert.deepStrictEqual(prod.nodes, PRIMARY_NODES);
        });

        const cases: { what: string; given: Record<string, unknown>; problems: string[]; profile?: string; cloud?: Cloud }[] = [
            {
                what: "an enabled pair without chain, nodes or operators",
                given: { enabled: true },
                problems: [
                    "web3-nodes:chainlink.chainId is required: chainlink is enabled: the EVM chain ID the node serves, such as 1 (Ethereum) or 11155111 (Sepolia)",
                    "web3-nodes:chainlink.nodes is required: chainlink is enabled: a list of one or more EVM RPC nodes, each { name, wsUrl, httpUrl } (a send-only node: { name, httpUrl, sendOnly: true })",
                    'web3-nodes:chainlink.operatorCidrs is required: chainlink is enabled: the networks operators (and Prometheus) reach the UI from, such as ["203.0.113.0/24"]; never 0.0.0.0/0',
                ],
            },
            {
                what: "a chain ID in hex",
                given: { ...enabled, chainId: "0x1" },
                problems: ['web3-nodes:chainlink.chainId = "0x1": a positive whole number in decimal: the EVM chain ID, such as 1 (Ethereum) or 11155111 (Sepolia)'],
            },
            { what: "chain ID zero", given: { ...enabled, chainId: 0 }, problems: ["web3-nodes:chainlink.chainId = 0: a positive whole number in decimal: the EVM chain ID, such as 1 (Ethereum) or 11155111 (Sepolia)"] },
            {
                what: "an HTTP URL given as the WebSocket URL, without repeating it",
                given: { ...enabled, nodes: [{ ...RPC_NODES[0], wsUrl: RPC_NODES[0].httpUrl }] },
                problems: ["web3-nodes:chainlink.nodes[0].wsUrl = [secret https://…]: a ws:// or wss:// URL"],
            },
            {
                what: "a WebSocket URL given as the HTTP URL",
                given: { ...enabled, nodes: [{ ...RPC_NODES[0], httpUrl: RPC_NODES[0].wsUrl }] },
                problems: ["web3-nodes:chainlink.nodes[0].httpUrl = [secret wss://…]: an http:// or https:// URL"],
            },
            {
                what: "an unencrypted RPC URL in prod",
                given: { ...enabled, nodes: [{ ...RPC_NODES[0], wsUrl: `ws://eth.invalid/${API_KEYS[0]}` }] },
                problems: ["web3-nodes:chainlink.nodes[0].wsUrl = [secret ws://…]: wss:// in a prod stack: the URL carries the RPC provider's API key, which ws:// sends in clear"],
            },
            {
                what: "two RPC nodes with one name, a missing URL and a misspelt key",
                given: { ...enabled, nodes: [RPC_NODES[0], { name: "alchemy", wsURL: RPC_NODES[1].wsUrl, httpUrl: RPC_NODES[1].httpUrl }] },
                problems: [
                    "web3-nodes:chainlink.nodes[1].wsURL: unknown key (did you mean web3-nodes:chainlink.nodes[1].wsUrl?); known keys here: name, wsUrl, httpUrl, sendOnly, order",
                    'web3-nodes:chainlink.nodes[1].name = "alchemy": unique among the nodes; nodes[0] has it too',
                    "web3-nodes:chainlink.nodes[1].wsUrl is required: a ws:// or wss:// URL; set it with pulumi config set --secret --path 'web3-nodes:chainlink.nodes[1].wsUrl' wss://mainnet.infura.io/ws/v3/YOUR-API-KEY",
                ],
            },
            { what: "an empty list of nodes", given: { ...enabled, nodes: [] }, problems: ["web3-nodes:chainlink.nodes = [secret]: a list of one or more EVM RPC nodes, each { name, wsUrl, httpUrl } (a send-only node: { name, httpUrl, sendOnly: true })"] },
            {
                what: "the UI open to the whole internet",
                given: { ...enabled, operatorCidrs: ["0.0.0.0/0"] },
                problems: ['web3-nodes:chainlink.operatorCidrs[0] = "0.0.0.0/0": not the whole internet: the operator UI controls the node\'s keys and jobs; name the operators\' networks'],
            },
            { what: "a CIDR that is none", given: { ...enabled, operatorCidrs: ["10.0.0.300/24"] }, problems: ['web3-nodes:chainlink.operatorCidrs[0] = "10.0.0.300/24": an IPv4 or IPv6 CIDR block such as 203.0.113.0/24'] },
            {
                what: "more connections than the database accepts",
                given: { ...enabled, maxOpenConns: 300 },
                cloud: "gcp",
                problems: [
                    "web3-nodes:chainlink.maxOpenConns = 300: at most 195: the 2 nodes may hold 600 connections and 10 stay reserved, but db-custom-2-13312 accepts 400; " +
                    "lower it or choose a larger databaseClass",
                ],
            },
            {
                what: "a burstable database in prod",
                given: { ...enabled, databaseClass: "db.t4g.medium" },
                problems: [
                    'web3-nodes:chainlink.databaseClass = "db.t4g.medium": not a burstable or shared-core class in a prod stack: when its CPU credits run out, ' +
                    "queries stall and leases expire; use db.r6g.large or larger",
                ],
            },
            {
                what: "a database class of the other cloud",
                given: { ...enabled, databaseClass: "db.r6g.large" },
                cloud: "gcp",
                problems: [
                    'web3-nodes:chainlink.databaseClass = "db.r6g.large": a Cloud SQL tier whose memory is known: db-custom-<vCPUs>-<MiB> (1 or an even number of vCPUs up to 96, ' +
                    "0.9 to 6.5 GiB per vCPU in 256 MiB steps, at least 3840 MiB), db-n1-standard-<n>, db-n1-highmem-<n>, or db-f1-micro / db-g1-small outside prod",
                ],
            },
            { what: "a lease of two seconds", given: { ...enabled, leaseDuration: "2s" }, problems: ['web3-nodes:chainlink.leaseDuration = "2s": a duration from 5s to 10m such as 10s, 30s or 1m'] },
            {
                what: "the latest image",
                given: { ...enabled, version: "latest" },
                problems: [`web3-nodes:chainlink.version = "latest": a Chainlink 2.x release such as ${DEFAULT_VERSION} (the image tag of smartcontract/chainlink; never latest or a -root tag)`],
            },
            {
                what: "a root image",
                given: { ...enabled, version: "2.28.0-root" },
                problems: [`web3-nodes:chainlink.version = "2.28.0-root": a Chainlink 2.x release such as ${DEFAULT_VERSION} (the image tag of smartcontract/chainlink; never latest or a -root tag)`],
            },
            { what: "one vCPU in prod", given: { ...enabled, cpu: 1 }, problems: ["web3-nodes:chainlink.cpu = 1: at least 2 in a prod stack (Chainlink's minimum for a production node)"] },
            { what: "Postgres 13", given: { ...enabled, databaseVersion: 13 }, problems: ["web3-nodes:chainlink.databaseVersion = 13: a whole number from 14 to 17"] },
            { what: "backups kept three days", given: { ...enabled, backupRetentionDays: 3 }, problems: ["web3-nodes:chainlink.backupRetentionDays = 3: a whole number from 7 to 35"] },
            { what: "an alert address that is none", given: { ...enabled, alertEmail: "oncall" }, problems: ['web3-nodes:chainlink.alertEmail = "oncall": an email address that receives the database\'s alarms'] },
            {
                what: "a send-only node that names a WebSocket URL it would never use",
                given: { ...enabled, nodes: [RPC_NODES[0], { ...RPC_NODES[1], sendOnly: true }] },
                problems: ["web3-nodes:chainlink.nodes[1].wsUrl: not used by a send-only node (Chainlink broadcasts over its httpUrl only): remove it"],
            },
            {
                // chainlink-evm EVMConfig.ValidateConfig: "must have at least one primary node with WSURL".
                what: "only send-only nodes",
                given: { ...enabled, nodes: [{ name: "a", httpUrl: RPC_NODES[0].httpUrl, sendOnly: true }] },
                problems: [
                    "web3-nodes:chainlink.nodes: at least one primary node (without sendOnly): Chainlink reads the chain from primary nodes and only broadcasts through send-only ones",
                ],
            },
            {
                // EVMConfigs.validateKeys refuses a WSURL or HTTPURL that two nodes share; the message repeats neither.
                what: "two nodes on one endpoint",
                given: { ...enabled, nodes: [RPC_NODES[0], { name: "copy", wsUrl: RPC_NODES[1].wsUrl, httpUrl: RPC_NODES[0].httpUrl }] },
                problems: ["web3-nodes:chainlink.nodes[1].httpUrl: the same URL as nodes[0].httpUrl: every node is a different endpoint (Chainlink refuses duplicates)"],
            },
            {
                // docs/CONFIG.md [[EVM.Nodes]] Order, and Node.ValidateConfig: "must be between 1 and 100".
                what: "an order outside 1 to 100, and a sendOnly that is not a boolean",
                given: { ...enabled, nodes: [{ ...RPC_NODES[0], order: 0 }, { ...RPC_NODES[1], sendOnly: "yes" }] },
                problems: [
                    "web3-nodes:chainlink.nodes[0].order = 0: a whole number from 1 (tried first) to 100 (Chainlink's default)",
                    'web3-nodes:chainlink.nodes[1].sendOnly = "yes": true or false: a send-only node only broadcasts transactions, over its httpUrl',
                ],
            },
            {
                what: "a selection mode Chainlink does not have",
                given: { ...enabled, selectionMode: "Random" },
                problems: ['web3-nodes:chainlink.selectionMode = "Random": allowed: HighestHead, RoundRobin, PriorityLevel, TotalDifficulty'],
            },
            {
                // libocr commontypes/types.go BootstrapperLocator (PeerID@host:port[/host:port]) and ragep2p/types PeerID (Ed25519 only).
                what: "a P2P port taken by the web server and bootstrappers libocr would refuse",
                given: {
                    ...enabled,
                    p2p: { port: 6688, bootstrappers: ["QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N@203.0.113.7:6690", "203.0.113.7:6690", 7], prot: 1 },
                },
                problems: [
                    "web3-nodes:chainlink.p2p.port = 6688: not 6688, the web server's port; the default is 6690",
                    'web3-nodes:chainlink.p2p.bootstrappers[0] = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N@203.0.113.7:6690": peer ID "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N" ' +
                        "is not an Ed25519 libp2p peer ID (12D3KooW…), the only kind OCR peers have",
                    'web3-nodes:chainlink.p2p.bootstrappers[1] = "203.0.113.7:6690": not PeerID@host:port: libocr expects one @ between the bootstrapper\'s peer ID and its addresses',
                    "web3-nodes:chainlink.p2p.bootstrappers[2] = 7: a PeerID@host:port locator string",
                    "web3-nodes:chainlink.p2p.prot: unknown key (did you mean web3-nodes:chainlink.p2p.port?); known keys here: port, bootstrappers",
                ],
            },
            {
                what: "a privileged P2P port",
                given: { ...enabled, p2p: { port: 443 } },
                problems: ["web3-nodes:chainlink.p2p.port = 443: a whole number from 1024 to 65535"],
            },
            {
                what: "a misspelt key",
                given: { ...enabled, leaseDurationSeconds: 10 },
                problems: [
                    "web3-nodes:chainlink.leaseDurationSeconds: unknown key; known keys here: enabled, chainId, nodes, selectionMode, version, cpu, memoryMiB, databaseClass, " +
                    "databaseStorageGiB, databaseVersion, backupRetentionDays, leaseDuration, maxOpenConns, operatorCidrs, p2p, alertEmail",
                ],
            },
        ];
        for (const c of cases) {
            it(`rejects ${c.what} with a message naming the key and what is allowed`, () => {
                assert.deepStrictEqual(problemsOf(c.given, c.profile ? { profile: c.profile } : {}, c.cloud), c.problems);
            });
        }

        it("refuses RPC URLs given in plain text in a prod stack, naming the command that stores each encrypted, and accepts them encrypted", () => {
            const command = (key: string) => `pulumi config set --secret --path 'web3-nodes:chainlink.nodes[0].${key}' ${key === "wsUrl" ? "wss://mainnet.infura.io/ws/v3/YOUR-API-KEY" : "https://mainnet.infura.io/v3/YOUR-API-KEY"}`;
            const given = { ...enabled, nodes: [RPC_NODES[0]] };
            assert.deepStrictEqual(problemsOf(given, {}, "aws", new Set(["registryMirror"])), ["wsUrl", "httpUrl"].map(key =>
                `web3-nodes:chainlink.nodes[0].${key} = [secret]: given in plain text in a prod stack; it carries the RPC provider's API key: store it encrypted with ${command(key)}`));
            assert.deepStrictEqual(problemsOf(given, {}, "aws", new Set(["registryMirror", "chainlink"])), []);
            // A dev stack may name a local node in plain text.
            assert.deepStrictEqual(problemsOf({ ...given, cpu: 1, databaseClass: "db.t4g.medium" }, { profile: "dev" }, "aws", new Set(["registryMirror"])), []);
        });

        it("reads send-only nodes, an order and the selection mode", () => {
            const settings = parseConfig(baseConfig("gcp", { chainlink: { ...enabled, nodes: [...RPC_NODES, SEND_ONLY], selectionMode: "PriorityLevel" } })).chainlink;
            assert.deepStrictEqual(settings.nodes, [...PRIMARY_NODES, SEND_ONLY]);
            assert.strictEqual(settings.selectionMode, "PriorityLevel");
            assert.throws(() => assertValidSettings({ ...settings, nodes: [SEND_ONLY] }, "gcp", { profile: "prod" }), /chainlink\.nodes: at least one primary \(not send-only\) node is required/);
        });

        it("accepts plain ws:// and http:// RPC URLs and burstable classes in dev, and what fits the database", () => {
            const dev = { ...enabled, nodes: [{ name: "local", wsUrl: "ws://geth.internal:8546", httpUrl: "http://geth.internal:8545" }], databaseClass: "db.t4g.medium", cpu: 1 };
            assert.deepStrictEqual(problemsOf(dev, { profile: "dev" }), []);
            assert.deepStrictEqual(problemsOf({ ...enabled, maxOpenConns: 195 }, {}, "gcp"), []);
            assert.deepStrictEqual(problemsOf({ ...enabled, chainId: "11155111", leaseDuration: "1m30s", alertEmail: "oncall@example.com" }), []);
        });

        it("is checked by the component too, with the same sentences", () => {
            const settings = parseConfig(baseConfig("gcp", { chainlink: enabled })).chainlink;
            assert.throws(() => assertValidSettings({ ...settings, maxOpenConns: 300 }, "gcp", { profile: "prod" }), /chainlink\.maxOpenConns = 300: at most 195/);
            assert.throws(() => assertValidSettings({ ...settings, nodes: [] }, "gcp", { profile: "prod" }), /chainlink\.nodes: at least one EVM RPC node is required/);
        });
    });

    describe("telling a standby from a broken node (the start script's verdict run for real against stand-ins)", () => {
        // The node's port as smartcontractkit/chainlink v2.28.0 and v2.29.0 serve it: the real web server answers
        // /readyz 200 or 503 and /health 200 or 207 (core/web/health_controller.go Readyz, Health); while a lease
        // holder migrates, the start-up report answers /health 204 and everything else Go's 404
        // (core/services/health.go StartUpHealthReport); a hung server accepts and answers nothing.
        type Port = { kind: "serving"; readyz: 200 | 503; health: 200 | 207 } | { kind: "startup-report" } | { kind: "empty-reply" } | { kind: "closed" };
        let node: Port = { kind: "closed" };
        let httpPort = 0;
        let emptyPort = 0;
        let closedPort = 0;
        let dir = "";
        let runDir = "";
        const servers: { close(cb: () => void): void }[] = [];
        const DATABASE_PASSWORD = "Pa%^*+=!~ss-0123456789ab";
        before(async () => {
            const web = http.createServer((req, res) => {
                if (node.kind === "startup-report") res.statusCode = req.url === "/health" ? 204 : 404;
                else if (node.kind === "serving") res.statusCode = req.url === "/readyz" ? node.readyz : req.url === "/health" ? node.health : 404;
                res.end();
            });
            await new Promise<void>(resolve => web.listen(0, "127.0.0.1", resolve));
            httpPort = (web.address() as AddressInfo).port;
            const empty = net.createServer(socket => socket.destroy());
            await new Promise<void>(resolve => empty.listen(0, "127.0.0.1", resolve));
            emptyPort = (empty.address() as AddressInfo).port;
            servers.push(web, empty);
            // A port nothing listens on: bind one, note it, release it.
            const probe = net.createServer();
            await new Promise<void>(resolve => probe.listen(0, "127.0.0.1", resolve));
            closedPort = (probe.address() as AddressInfo).port;
            await new Promise(resolve => probe.close(resolve));
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainlink-watch-"));
            runDir = path.join(dir, "run");
            fs.mkdirSync(runDir);
            fs.mkdirSync(path.join(dir, "bin"));
            // A stand-in psql: records what libpq would connect with, answers as the test's database says.
            fs.writeFileSync(path.join(dir, "bin", "psql"), [
                "#!/bin/bash",
                `env | grep '^PG' | sort > '${dir}/psql-env'`,
                `printf '%s\\n' "$@" > '${dir}/psql-args'`,
                `case "$(cat '${dir}/lease')" in t|f) cat '${dir}/lease' ;; *) echo 'psql: error: connection refused' >&2; exit 2 ;; esac`,
            ].join("\n"), { mode: 0o755 });
            fs.writeFileSync(path.join(runDir, NODE_FILES.secrets.file), renderSecretsToml({
                databaseUrl: `postgresql://chainlink:${encodeURIComponent(DATABASE_PASSWORD)}@db.internal:5432/chainlink?sslmode=require`,
                keystorePassword: "k".repeat(20),
                prometheusToken: "t".repeat(20),
            }));
        });
        after(async () => {
            await Promise.all(servers.map(s => new Promise<void>(resolve => s.close(() => resolve()))));
            fs.rmSync(dir, { recursive: true, force: true });
        });
        beforeEach(() => {
            fs.writeFileSync(path.join(runDir, "node.pid"), String(process.pid));
            fs.rmSync(path.join(runDir, "starting-since"), { force: true });
            fs.writeFileSync(path.join(dir, "lease"), "unreachable");
        });
        const lease = (held: "t" | "f" | "unreachable") => fs.writeFileSync(path.join(dir, "lease"), held);
        const startedAgo = (seconds: number) => fs.writeFileSync(path.join(runDir, "starting-since"), String(Math.floor(Date.now() / 1000) - seconds));
        const portOf = (p: Port) => (p.kind === "closed" ? closedPort : p.kind === "empty-reply" ? emptyPort : httpPort);
        const check = async (p: Port) => {
            node = p;
            const result = await run("bash", ["-c", [...nodeHealthFunction({ port: portOf(p), runDir }), "node_health", ""].join("\n")], { PATH: `${dir}/bin:${process.env.PATH}` });
            return [result.code, result.stdout.trim().replace(String(portOf(p)), "PORT")];
        };
        const late = HEALTH_WATCH.startupSeconds + 1;

        it("passes a standby: nothing listens, and the database says another node holds the lease", async () => {
            lease("f");
            startedAgo(late);
            assert.deepStrictEqual(await check({ kind: "closed" }), [0, "standby: nothing listens on PORT; another node holds the database lease"]);
            assert.ok(!fs.existsSync(path.join(runDir, "starting-since")), "a standby has no start-up running");
        });

        it("asks the database with secrets.toml's URL taken apart into libpq's environment, the password on no command line", async () => {
            lease("f");
            await check({ kind: "closed" });
            const env = fs.readFileSync(path.join(dir, "psql-env"), "utf8");
            for (const line of ["PGHOST=db.internal", "PGPORT=5432", "PGUSER=chainlink", `PGPASSWORD=${DATABASE_PASSWORD}`, "PGDATABASE=chainlink", "PGSSLMODE=require"]) {
                assert.ok(env.split("\n").includes(line), `${line} in ${env}`);
            }
            const args = fs.readFileSync(path.join(dir, "psql-args"), "utf8");
            assert.ok(!args.includes(DATABASE_PASSWORD) && !args.includes("postgresql://"), args);
            assert.ok(args.includes(LEASE_QUERY), args);
        });

        it("passes a node the database cannot place (an outage upstream is never the node's fault)", async () => {
            startedAgo(late);
            assert.deepStrictEqual(await check({ kind: "closed" }), [0, "standby or starting: nothing listens on PORT and the database does not say who holds the lease"]);
        });

        it("gives a lease holder that serves nothing yet (migrations done, app.Start running) its start-up, then stops it", async () => {
            lease("t");
            assert.deepStrictEqual(await check({ kind: "closed" }), [0, "starting: it holds the database lease and nothing listens on PORT for 0s"]);
            startedAgo(late);
            const [code, verdict] = await check({ kind: "closed" });
            assert.strictEqual(code, 1);
            assert.match(String(verdict), new RegExp(`^stuck: it holds the database lease and nothing listens on PORT for (${late}|${late + 1}|${late + 2})s, longer than the ${HEALTH_WATCH.startupSeconds}s a start may take$`));
        });

        it("counts the start-up report of a migrating lease holder (/readyz 404) as its start-up, with the same bound", async () => {
            const report = { kind: "startup-report" } as const;
            assert.deepStrictEqual(await check(report), [0, "starting: the start-up report answers /readyz with 404 (version check and migrations) for 0s"]);
            startedAgo(late);
            assert.strictEqual((await check(report))[0], 1);
        });

        it("passes a serving node whatever its upstreams do: an RPC outage (/health 207), services not ready (/readyz 503)", async () => {
            startedAgo(late);
            assert.deepStrictEqual(await check({ kind: "serving", readyz: 200, health: 200 }), [0, "serving: /readyz answers 200"]);
            assert.ok(!fs.existsSync(path.join(runDir, "starting-since")), "serving ends the start-up");
            assert.deepStrictEqual(await check({ kind: "serving", readyz: 200, health: 207 }), [0, "serving: /readyz answers 200"]);
            startedAgo(late);
            assert.deepStrictEqual(await check({ kind: "serving", readyz: 503, health: 207 }), [0, "serving: /readyz answers 503"]);
        });

        it("fails a web server that takes the connection and answers nothing", async () => {
            // curl: 52 "empty reply from server", or 56 when the close is seen as a reset first; never 7, which is a standby's.
            const [code, verdict] = await check({ kind: "empty-reply" });
            assert.strictEqual(code, 1);
            assert.match(String(verdict), /^unresponsive: \/readyz got no answer \(curl exit (52|56)\)$/);
        });

        it("fails when the node process is gone, whatever the port says", async () => {
            fs.writeFileSync(path.join(runDir, "node.pid"), "999999999");
            assert.deepStrictEqual(await check({ kind: "serving", readyz: 200, health: 200 }), [1, "the node process 999999999 is gone"]);
        });
    });

    describe("the start script (run for real, with a stand-in chainlink)", () => {
        it("writes the node's files from the secret store, drops the variables, and passes them by path", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainlink-start-"));
            const bin = path.join(dir, "bin");
            const runDir = path.join(dir, "run");
            fs.mkdirSync(bin);
            // Records its arguments, its environment and what the files hold, then exits as a node that lost its lease.
            fs.writeFileSync(path.join(bin, "chainlink"), [
                "#!/bin/bash",
                `printf '%s\\n' "$@" > '${dir}/args'`,
                `env > '${dir}/env'`,
                `cat '${runDir}/config.toml' '${runDir}/secrets.toml' '${runDir}/apicredentials' > '${dir}/files'`,
                `stat -c '%a' '${runDir}/secrets.toml' > '${dir}/mode'`,
                "exit 3",
            ].join("\n"), { mode: 0o755 });
            const b64 = (s: string) => Buffer.from(s).toString("base64");
            const result = await run("bash", ["-c", startScript({ port: PORTS.http, runDir }), "chainlink-node"], {
                PATH: `${bin}:${process.env.PATH}`,
                [NODE_FILES.config.env]: b64("[Log]\nLevel = 'info'\n"),
                [NODE_FILES.secrets.env]: b64("[Password]\nKeystore = 'k'\n"),
                [NODE_FILES.apiCredentials.env]: b64("operator@nodes.example.com\npw\n"),
            });
            assert.strictEqual(result.code, 3, `the node's exit status is the container's: ${result.stderr}`);
            assert.deepStrictEqual(fs.readFileSync(path.join(dir, "args"), "utf8").trim().split("\n"), [
                "node", "--config", `${runDir}/config.toml`, "--secrets", `${runDir}/secrets.toml`, "start", "--api", `${runDir}/apicredentials`,
            ]);
            assert.strictEqual(fs.readFileSync(path.join(dir, "files"), "utf8"), "[Log]\nLevel = 'info'\n[Password]\nKeystore = 'k'\noperator@nodes.example.com\npw\n");
            assert.strictEqual(fs.readFileSync(path.join(dir, "mode"), "utf8").trim(), "600");
            assert.ok(!/NODE_[A-Z_]+_BASE64/.test(fs.readFileSync(path.join(dir, "env"), "utf8")), "the node's environment holds no secret");
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("refuses to start without its files", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainlink-start-"));
            const result = await run("bash", ["-c", startScript({ port: PORTS.http, runDir: dir }), "chainlink-node"]);
            assert.strictEqual(result.code, 1);
            assert.match(result.stderr, /NODE_CONFIG_TOML_BASE64 is not set: the secret store delivered nothing/);
            fs.rmSync(dir, { recursive: true, force: true });
        });
    });

    for (const cloud of ["aws", "gcp"] as const) {
        describe(`on ${cloud}`, () => {
            let report: SynthReport;
            let chainlink: ChainlinkOutputs;
            before(async () => {
                report = await synthStack({ stack: "prod", cloud, secrets: { "chainlink.nodes": RPC_NODES } });
                chainlink = report.outputs.chainlink as ChainlinkOutputs;
            });

            it("runs a primary and a standby in two different zones, on a database in the same two zones", () => {
                const services = nodeServices(report);
                assert.deepStrictEqual(services.map(s => s.name), ["chainlink-0", "chainlink-1"]);
                const zones = services.map(s => zoneOfService(report, s));
                assert.strictEqual(new Set(zones).size, 2);
                assert.deepStrictEqual(chainlink.nodes, services.map((s, i) => ({ name: s.name, zone: zones[i] })));
                assert.deepStrictEqual(databaseZones(report, cloud), zones, "the writer beside the usual lease holder, the standby beside the other node");
            });

            it("survives the loss of any one zone: a node and a database instance are left in each case", () => {
                const zones = report.outputs.zones as string[];
                const nodeZones = nodeServices(report).map(s => zoneOfService(report, s));
                const dbZones = databaseZones(report, cloud);
                for (const lost of zones) {
                    const nodes = nodeZones.filter(z => z !== lost);
                    const instances = dbZones.filter(z => z !== lost);
                    assert.ok(nodes.length >= 1, `losing ${lost} leaves no Chainlink node`);
                    assert.ok(instances.length >= 1, `losing ${lost} leaves no database instance to fail over to`);
                }
            });

            it("connects both nodes to the one writer endpoint, TLS forced by the database", () => {
                if (cloud === "aws") {
                    const [params] = ofType(report, T.parameters);
                    assert.deepStrictEqual((params.inputs.parameters as { name: string; value: string }[]).find(p => p.name === "rds.force_ssl")?.value, "1");
                    assert.match(chainlink.database.host, /\.cluster-[0-9a-f]+\.us-east-1\.rds\.amazonaws\.com$/, "the cluster (writer) endpoint, not an instance");
                } else {
                    const [sql] = ofType(report, T.cloudSql);
                    assert.strictEqual((sql.inputs.settings as any).ipConfiguration.sslMode, "ENCRYPTED_ONLY");
                }
            });

            it("keeps the database private: no public address, reachable from the nodes' access group only", () => {
                if (cloud === "aws") {
                    for (const i of ofType(report, T.rdsInstance)) assert.strictEqual(i.inputs.publiclyAccessible, false);
                    const sg = named(report, T.securityGroup, "chainlink-db-sg");
                    const rules = ofType(report, T.ingress).filter(r => r.inputs.securityGroupId === sg.id);
                    assert.deepStrictEqual(rules.map(r => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.cidrIpv4, r.inputs.cidrIpv6]),
                        [[named(report, T.securityGroup, "access-group-chainlink").id, 5432, undefined, undefined]]);
                } else {
                    const [sql] = ofType(report, T.cloudSql);
                    const ip = (sql.inputs.settings as any).ipConfiguration;
                    assert.deepStrictEqual([ip.ipv4Enabled, ip.authorizedNetworks], [false, undefined]);
                }
            });

            it("lets no RPC URL, API key or generated secret appear in any resource input or output, encoded or not", () => {
                const texts = allText({ resources: report.resources, outputs: report.outputs });
                for (const key of API_KEYS) assert.ok(!texts.some(t => t.includes(key)), `the RPC API key ${key} is in plain text`);
                const [component] = ofType(report, COMPONENT_TYPE);
                const passwords = descendants(report, component.urn).filter(r => r.type === T.randomPassword).map(r => randomState(r.type, r.name, r.inputs).result as string);
                assert.strictEqual(passwords.length, 4, "keystore, API, Prometheus token, database");
                for (const p of passwords) assert.ok(!texts.some(t => t.includes(p)), `a generated secret (${p.slice(0, 6)}...) is in plain text`);
                for (const key of ["apiPassword", "prometheusToken", "prometheusScrapeConfig"] as const) assert.strictEqual(chainlink[key], SECRET_MASK, key);
            });

            it("hands the node its files through the secret store: no secret in its environment or command line", () => {
                const env: Record<string, string>[] = [];
                const commands: string[] = [];
                let secretNames: string[] = [];
                if (cloud === "aws") {
                    for (const s of nodeServices(report)) {
                        const task = descendants(report, s.urn).find(r => r.type === T.taskDefinition)!;
                        const [def] = JSON.parse(task.inputs.containerDefinitions as string);
                        env.push(Object.fromEntries(def.environment.map((e: any) => [e.name, e.value])));
                        commands.push(...def.entryPoint, ...def.command);
                        secretNames = def.secrets.map((x: any) => x.name).sort();
                        assert.strictEqual(def.user, "14933:14933");
                    }
                } else {
                    for (const s of nodeServices(report)) {
                        const template = descendants(report, s.urn).find(r => r.type === T.template)!;
                        const files = (YAML.parse((template.inputs.metadata as Record<string, string>)["user-data"]) as { write_files: { path: string; content: string }[] }).write_files;
                        const runScript = files.find(f => f.path.endsWith("/run-chainlink.sh"))!.content;
                        commands.push(runScript);
                        assert.match(runScript, /--user 14933:14933/);
                        assert.ok(!runScript.includes("--env "), "no plain environment at all");
                        const fetch = files.find(f => f.path.endsWith("/fetch-secrets.sh"))!.content;
                        secretNames = Object.values(NODE_FILES).map(f => f.env).filter(name => fetch.includes(` ${name} `)).sort();
                    }
                }
                assert.deepStrictEqual(secretNames, Object.values(NODE_FILES).map(f => f.env).sort());
                for (const e of env) assert.deepStrictEqual(e, {});
                const joined = commands.join("\n");
                assert.ok(!/postgresql:\/\//.test(joined) && !/Keystore|AuthToken/.test(joined), "a secret on a command line");
            });

            it("routes the operator UI by /readyz, from the operators' networks only, and lets no port check replace a node", () => {
                if (cloud === "aws") {
                    const tg = named(report, T.targetGroup, "chainlink-api-targets").inputs.healthCheck as any;
                    assert.deepStrictEqual([tg.path, tg.matcher], ["/readyz", "200"]);
                    const host = `chainlink.${report.outputs.domain}`;
                    assert.strictEqual(albDecision(report, { host, path: "/", source: "203.0.113.9" }), `forward ${PORTS.http}`);
                    assert.strictEqual(albDecision(report, { host, path: "/", source: "198.51.100.9" }), "403");
                    for (const s of nodeServices(report)) {
                        const ecs = descendants(report, s.urn).find(r => r.type === T.ecsService)!;
                        // ECS would otherwise stop the standby for failing the target group's check, over and over.
                        assert.strictEqual(ecs.inputs.healthCheckGracePeriodSeconds, 2_147_483_647);
                        const task = descendants(report, s.urn).find(r => r.type === T.taskDefinition)!;
                        assert.deepStrictEqual(JSON.parse(task.inputs.containerDefinitions as string).map((c: any) => [c.name, c.healthCheck]), [["chainlink", undefined]]);
                    }
                } else {
                    assert.deepStrictEqual(named(report, T.healthCheck, "chainlink-api-health").inputs.httpHealthCheck, { port: PORTS.http, requestPath: "/readyz" });
                    const armor = named(report, T.armor, "chainlink-api-armor");
                    assert.deepStrictEqual((armor.inputs.rules as any[])[0].match.config.srcIpRanges, ["203.0.113.0/24"]);
                    for (const s of nodeServices(report)) {
                        const below = descendants(report, s.urn);
                        assert.strictEqual(below.find(r => r.type === T.group)!.inputs.autoHealingPolicies, undefined);
                        assert.ok(!below.some(r => r.type === T.healthCheck), "no autohealing health check");
                    }
                }
                assert.strictEqual(chainlink.url, "https://chainlink.nodes.example.com");
            });

            it("passes the whole policy pack, its own stack rule included", () => {
                assert.deepStrictEqual(mandatoryViolations(report), []);
                assert.deepStrictEqual(evaluatePolicies(report.resources, { policies: [chainlinkSurvivesZoneLoss] }), []);
                assert.strictEqual(CHAINLINK_TYPES.chainlink, COMPONENT_TYPE);
                assert.strictEqual(CHAINLINK_TYPES.service, COMPONENT_TYPES.service);
            });

            describe("the stack rule catches a pair that a lost zone would stop", () => {
                const violationsOf = (mutate: (resources: SynthResource[]) => SynthResource[]): string[] => {
                    const resources = mutate(JSON.parse(JSON.stringify(report.resources)) as SynthResource[]);
                    return evaluatePolicies(resources, { policies: [chainlinkSurvivesZoneLoss] }).map(v => v.message);
                };

                it("both nodes in one zone", () => {
                    const messages = violationsOf(resources => {
                        const [first, second] = nodeServices({ ...report, resources }).map(s => descendants({ resources }, s.urn));
                        if (cloud === "aws") {
                            const ecs = (below: SynthResource[]) => below.find(r => r.type === T.ecsService)!.inputs.networkConfiguration as { subnets: string[] };
                            ecs(second).subnets = [...ecs(first).subnets];
                        } else {
                            second.find(r => r.type === T.group)!.inputs.zone = first.find(r => r.type === T.group)!.inputs.zone;
                        }
                        return resources;
                    });
                    assert.strictEqual(messages.length, 1);
                    assert.match(messages[0], /its 2 node\(s\) stand in 1 zone\(s\) \([a-z0-9-]+: chainlink-0 and chainlink-1\); a Chainlink pair needs 2 nodes in 2 different zones/);
                });

                it("a database that cannot fail over to another zone", () => {
                    const messages = violationsOf(resources => {
                        if (cloud === "aws") {
                            const [writer] = resources.filter(r => r.type === T.rdsInstance);
                            return resources.filter(r => r.type !== T.rdsInstance || r === writer);
                        }
                        const sql = resources.find(r => r.type === T.cloudSql)!;
                        (sql.inputs.settings as any).availabilityType = "ZONAL";
                        return resources;
                    });
                    assert.deepStrictEqual(messages.length, 1);
                    assert.match(messages[0], cloud === "aws"
                        ? /the database of chainlink cannot fail over to another zone: it has 1 instance\(s\); Aurora fails over only to another instance of the cluster/
                        : /the database of chainlink cannot fail over to another zone: settings\.availabilityType is ZONAL; only REGIONAL keeps a standby in another zone/);
                });

                if (cloud === "aws") {
                    it("Aurora's writer and reader in one zone", () => {
                        const messages = violationsOf(resources => {
                            for (const i of resources.filter(r => r.type === T.rdsInstance)) i.inputs.availabilityZone = "us-east-1a";
                            return resources;
                        });
                        assert.deepStrictEqual(messages.map(m => m.replace(/^.*?: the/, "the")), ["the database of chainlink cannot fail over to another zone: its 2 instances all stand in us-east-1a."]);
                    });
                }

                it("no database at all", () => {
                    const messages = violationsOf(resources => resources.filter(r => r.type !== T.rdsCluster && r.type !== T.cloudSql));
                    assert.strictEqual(messages.length, 1);
                    assert.match(messages[0], /no database with automatic failover under it/);
                });
            });
        });
    }

    it("synthesizes with Chainlink on the dev profile too (burstable database, plain RPC URLs allowed)", async () => {
        for (const cloud of ["aws", "gcp"] as const) {
            const report = await synthStack({
                stack: "dev",
                cloud,
                set: { chainlink: { enabled: true, chainId: 11155111, nodes: [{ name: "local", wsUrl: "ws://geth.internal:8546", httpUrl: "http://geth.internal:8545" }], operatorCidrs: ["10.0.0.0/8"] } },
            });
            assert.deepStrictEqual(mandatoryViolations(report), [], cloud);
            assert.strictEqual(nodeServices(report).length, 2);
        }
    });
});
