// The Ceramic node on both clouds, through the real program under mocks: two services in one zone with
// volumes of their own, only the swarm public and the IPFS API open to Ceramic alone, an identity that never
// changes, the state store on a volume or in a bucket reached without keys, settings checked with exact
// messages, no secret in plain text anywhere; the primitives it added (bucket access, scheduled jobs, a load
// balancer checking another port, WebSocket targets) on both back-ends; its three scripts run and linted.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { BucketGrant, COMPONENT_TYPES, Cloud, ContainerSpec } from "../components/topology";
import { JOB_INTERVAL_MINUTES, jobProblems } from "../components/topology/rules";
import { unwrapFence } from "../components/topology/fence";
import {
    ANCHOR_SERVICE_URLS,
    CERAMIC_ENV,
    COMPONENT_TYPE,
    GO_IPFS_ENV,
    HOSTNAMES,
    IMAGES,
    KEEP_ALIVE_CONTROLLER,
    LOG_FILE_MAX_BYTES,
    LOG_FLAGS,
    NAMES,
    PROFILE_DEFAULTS,
    SwarmListener,
    announceAddresses,
    assertValidSettings,
    ceramicStartScript,
    daemonConfig,
    didKey,
    goIpfsStartScript,
    keepAliveScript,
} from "../components/ceramic";
import { ecrMirrorImage, rateExpression } from "../components/aws";
import { artifactRegistryImage, cronSchedule } from "../components/gcp";
import { secretsLoader } from "../components/gcp/cloudinit";
import { ed25519PublicKey, peerKeyFromSeed } from "../components/libp2p/identity";
import { parseConfig, parseStackConfig } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { SECRET_MASK, SynthResource, SynthResult } from "../tools/harness";
import { randomState } from "../tools/mocks";
import { readStackFile } from "../tools/stackfile";
import { SynthReport, mandatoryViolations, synthStack } from "../tools/synth";
import { baseConfig } from "./fixtures";
import { bashWords, descendants, hasBinary, named, ofType, referencePeerId, synthBackend } from "./support";


const T = {
    subnet: "aws:ec2/subnet:Subnet",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    ecsService: "aws:ecs/service:Service",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    role: "aws:iam/role:Role",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    accessPoint: "aws:efs/accessPoint:AccessPoint",
    s3Bucket: "aws:s3/bucket:Bucket",
    schedule: "aws:scheduler/schedule:Schedule",
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
    group: "gcp:compute/instanceGroupManager:InstanceGroupManager",
    perInstanceConfig: "gcp:compute/perInstanceConfig:PerInstanceConfig",
    disk: "gcp:compute/disk:Disk",
    regionDisk: "gcp:compute/regionDisk:RegionDisk",
    firewall: "gcp:compute/firewall:Firewall",
    healthCheck: "gcp:compute/healthCheck:HealthCheck",
    backendService: "gcp:compute/backendService:BackendService",
    gcsBucket: "gcp:storage/bucket:Bucket",
    bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    hmacKey: "gcp:storage/hmacKey:HmacKey",
    account: "gcp:serviceaccount/account:Account",
    cloudRunJob: "gcp:cloudrunv2/job:Job",
    cloudRunInvoker: "gcp:cloudrunv2/jobIamMember:JobIamMember",
    schedulerJob: "gcp:cloudscheduler/job:Job",
    randomBytes: "random:index/randomBytes:RandomBytes",
};

/**
 * The node these tests look at: js-ceramic 5.16 beside go-ipfs-daemon (the js-ceramic-kubo flavour); prod with the
 * keep-alive, which only that flavour runs. The other flavours: tests/ceramic-flavours.test.ts.
 */
const KUBO = { "ceramic.flavour": "js-ceramic-kubo" };
const KUBO_PROD = { ...KUBO, "ceramic.keepAlive": true };

/** A recognisable fake: an Ethereum RPC URL with an API key in its path, as providers hand them out. */
const FAKE_RPC_KEY = "c3ram1c-f4ke-ap1-k3y-0b5e55ed";
const FAKE_RPC_URL = `https://mainnet.infura.example/v3/${FAKE_RPC_KEY}`;

// ---------------------------------------------------------------- reading a synthesized stack

/** The reference the prod stack pulls an upstream image by: its registry mirror's (tests/registry-mirror.test.ts). */
function throughMirror(cloud: Cloud, image: string): string {
    return cloud === "aws"
        ? ecrMirrorImage(image, { account: { accountId: "123456789012", partition: "aws", dnsSuffix: "amazonaws.com" }, region: "us-east-1" }, "web3-prod").image
        : artifactRegistryImage(image, { project: "web3-nodes-prod", region: "us-central1" }, "web3-prod").image;
}

function ceramicOf(report: SynthReport): { url: string; ipfsPeerId: string; multiaddresses: string[]; nodeDid: string; egressIps: string[]; stateStore: string } {
    return report.outputs.ceramic as never;
}

interface ContainerView {
    image: string;
    env: Record<string, string>;
    /** Variables read from the secret store at start. */
    secrets: string[];
    mounts: string[];
    entrypoint: string[];
    command: string[];
    cpu: number;
    memoryMiB: number;
    user: string;
}

/** A service's containers as the cloud starts them: the task definition, or the instance's docker runs. */
function containersOf(report: SynthResult, cloud: Cloud, service: string): Record<string, ContainerView> {
    const out: Record<string, ContainerView> = {};
    if (cloud === "aws") {
        const defs = JSON.parse(named(report, T.taskDefinition, `${service}-task`).inputs.containerDefinitions as string) as any[];
        for (const d of defs) {
            out[d.name] = {
                image: d.image,
                env: Object.fromEntries(d.environment.map((e: any) => [e.name, e.value])),
                secrets: d.secrets.map((s: any) => s.name),
                mounts: d.mountPoints.map((m: any) => m.containerPath),
                entrypoint: d.entryPoint ?? [],
                command: d.command ?? [],
                cpu: d.cpu / 1024,
                memoryMiB: d.memory,
                user: d.user,
            };
        }
        return out;
    }
    const files = (YAML.parse((named(report, T.template, `${service}-template`).inputs.metadata as Record<string, string>)["user-data"]) as { write_files: { path: string; content: string }[] }).write_files;
    const fetch = files.find(f => f.path.endsWith("/fetch-secrets.sh"))?.content ?? "";
    for (const file of files.filter(f => /\/run-[a-z-]+\.sh$/.test(f.path))) {
        const name = /\/run-([a-z-]+)\.sh$/.exec(file.path)![1];
        const argv = bashWords(file.content.slice(file.content.indexOf("exec /usr/bin/docker") + "exec ".length));
        const view: ContainerView = { image: "", env: {}, secrets: [], mounts: [], entrypoint: [], command: [], cpu: 0, memoryMiB: 0, user: "" };
        let i = argv.indexOf("--rm") + 1;
        // Every flag here takes a value but --no-healthcheck.
        for (; i < argv.length && argv[i].startsWith("--"); i += argv[i] === "--no-healthcheck" ? 1 : 2) {
            const [flag, value] = [argv[i], argv[i + 1]];
            if (flag === "--env") view.env[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);
            if (flag === "--volume") view.mounts.push(value.split(":")[1]);
            if (flag === "--entrypoint") view.entrypoint = [value];
            if (flag === "--memory") view.memoryMiB = parseInt(value, 10);
            if (flag === "--user") view.user = value;
        }
        view.image = argv[i];
        const rest = argv.slice(i + 1);
        // Both of this node's own starts hand a script to `sh -c` and name it *-start (inside the volume fence
        // that wraps them): the rest is the command.
        const split = view.entrypoint.length > 0 ? rest.findIndex(w => /^[a-z]+-start$/.test(w)) + 1 : 0;
        view.entrypoint.push(...rest.slice(0, split));
        // A container with secrets starts through the loader that hands them over from the host's tmpfs.
        if (view.entrypoint[2] === secretsLoader()) view.entrypoint = view.entrypoint.slice(4);
        view.command = rest.slice(split);
        const line = fetch.split("\n").find(l => l.includes(`/${name}.env`));
        // write_env_file FILE OWNER NAME VERSION [NAME VERSION]...
        view.secrets = line ? bashWords(line).slice(3).filter((_, k) => k % 2 === 0) : [];
        out[name] = view;
    }
    return out;
}

function problemsOf(ceramic: Record<string, unknown>, secretKeys?: Set<string>): string[] {
    try {
        // The fixture's registry mirror token stands for one set with --secret, as a stack file holds it.
        parseConfig(baseConfig("aws", { ceramic }), undefined, secretKeys && new Set([...secretKeys, "registryMirror"]));
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}


// ---------------------------------------------------------------- the tests

describe("Ceramic node", () => {
    describe("settings", () => {
        const MAINNET_WITHOUT_RPC =
            "web3-nodes:ceramic.ethereumRpcUrl is required: network is mainnet: anchors are proven on Ethereum mainnet, so the node needs an " +
            "Ethereum RPC endpoint of its own; set it with pulumi config set --secret --path 'web3-nodes:ceramic.ethereumRpcUrl' https://mainnet.infura.io/v3/YOUR-API-KEY";

        it("rejects mainnet without an Ethereum RPC URL, with a message that says how to set it as a secret", () => {
            assert.deepStrictEqual(problemsOf({ enabled: true, network: "mainnet" }), [MAINNET_WITHOUT_RPC]);
            // A node that is not deployed needs nothing.
            assert.deepStrictEqual(problemsOf({ enabled: false, network: "mainnet" }), []);
            assert.throws(() => assertValidSettings({ network: "mainnet" }), /invalid Ceramic settings:\n {2}- ceramic\.ethereumRpcUrl: network is mainnet/);
        });

        it("rejects it as the program reads a stack: the committed prod stack sets no URL, and stops there", () => {
            const prod = { ...readStackFile("prod").config, "web3-nodes:cloud": "gcp" };
            assert.throws(() => parseStackConfig(prod, new Set(), "prod"), (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.ok(e.problems.includes(MAINNET_WITHOUT_RPC), e.message);
                return true;
            });
        });

        it("refuses an Ethereum RPC URL given in plain text, and never repeats it in a message", async () => {
            const plain = "web3-nodes:ceramic.ethereumRpcUrl = [secret]: given in plain text; it usually carries an API key: " +
                "store it encrypted with pulumi config set --secret --path 'web3-nodes:ceramic.ethereumRpcUrl' https://mainnet.infura.io/v3/YOUR-API-KEY";
            assert.deepStrictEqual(problemsOf({ enabled: true, network: "mainnet", ethereumRpcUrl: FAKE_RPC_URL }, new Set()), [plain]);
            assert.deepStrictEqual(problemsOf({ enabled: true, network: "mainnet", ethereumRpcUrl: FAKE_RPC_URL }, new Set(["ceramic"])), []);
            await assert.rejects(
                synthStack({ stack: "dev", cloud: "aws", set: { "ceramic.network": "mainnet", "ceramic.ethereumRpcUrl": FAKE_RPC_URL } }),
                (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0] === plain && !e.message.includes(FAKE_RPC_KEY),
            );
            const bad = problemsOf({ enabled: true, ethereumRpcUrl: `ftp://${FAKE_RPC_KEY}` });
            assert.deepStrictEqual(bad, ["web3-nodes:ceramic.ethereumRpcUrl = [secret]: an http(s) URL of an Ethereum JSON-RPC endpoint"]);
        });

        const cases: { what: string; given: Record<string, unknown>; problems: string[] }[] = [
            { what: "an unknown network", given: { network: "mainnet-beta" }, problems: ['web3-nodes:ceramic.network = "mainnet-beta": allowed: mainnet, testnet-clay, dev-unstable'] },
            { what: "a plain-HTTP anchor service", given: { anchorServiceUrl: "http://cas.example.com" }, problems: ['web3-nodes:ceramic.anchorServiceUrl = "http://cas.example.com": an https:// URL of a Ceramic anchor service'] },
            { what: "an origin that is no regular expression", given: { corsAllowedOrigins: ["https://(app"] }, problems: ['web3-nodes:ceramic.corsAllowedOrigins[0] = "https://(app": a valid regular expression'] },
            {
                what: "an origin with a space",
                given: { corsAllowedOrigins: ["https://a.example.com https://b.example.com"] },
                problems: ['web3-nodes:ceramic.corsAllowedOrigins[0] = "https://a.example.com https://b.example.com": a regular expression of allowed origins, without spaces, such as ^https://app\\.example\\.com$'],
            },
            { what: "no origin at all", given: { corsAllowedOrigins: [] }, problems: ['web3-nodes:ceramic.corsAllowedOrigins = []: at least one origin; [".*"] allows every origin'] },
            { what: "an unknown log level", given: { logLevel: "info" }, problems: ['web3-nodes:ceramic.logLevel = "info": allowed: verbose, debug, important, warn'] },
            { what: "an unknown flavour", given: { flavour: "rust-ceramic" }, problems: ['web3-nodes:ceramic.flavour = "rust-ceramic": allowed: js-ceramic, ceramic-one, js-ceramic-kubo'] },
            { what: "an odd CPU size", given: { ceramicCpu: 3 }, problems: ["web3-nodes:ceramic.ceramicCpu = 3: one of 0.25, 0.5, 1, 2, 4, 8"] },
            { what: "too little memory for IPFS", given: { ipfsMemoryMiB: 512 }, problems: ["web3-nodes:ceramic.ipfsMemoryMiB = 512: a whole number from 1024 to 30720"] },
            { what: "an unknown state store", given: { stateStore: "s3" }, problems: ['web3-nodes:ceramic.stateStore = "s3": allowed: volume, bucket'] },
            { what: "too small a repo", given: { repoVolumeGiB: 5 }, problems: ["web3-nodes:ceramic.repoVolumeGiB = 5: a whole number from 10 to 65536"] },
            { what: "too small a state volume", given: { stateVolumeGiB: 1 }, problems: ["web3-nodes:ceramic.stateVolumeGiB = 1: a whole number from 10 to 16384"] },
            { what: "keep-alive as a word", given: { keepAlive: "yes" }, problems: ['web3-nodes:ceramic.keepAlive = "yes": true or false'] },
            {
                what: "a misspelt key",
                given: { ethRpc: "x" },
                problems: [
                    "web3-nodes:ceramic.ethRpc: unknown key; known keys here: enabled, flavour, network, ethereumRpcUrl, anchorServiceUrl, corsAllowedOrigins, " +
                    "logLevel, adminDids, metricsPublisher, apiCidrs, selfAnchoring, migrateFromKubo, zone, ceramicCpu, ceramicMemoryMiB, ipfsCpu, ipfsMemoryMiB, " +
                    "stateStore, stateVolumeGiB, repoVolumeGiB, keepAlive, indexDatabase, indexDatabaseClass, indexDatabaseStorageGiB, indexDatabaseVersion, " +
                    "indexDatabaseBackupRetentionDays",
                ],
            },
        ];
        for (const c of cases) {
            it(`rejects ${c.what} with a message naming the key, the value and what is allowed`, () => {
                assert.deepStrictEqual(problemsOf({ enabled: true, ...c.given }), c.problems);
            });
        }

        it("fills defaults: off, js-ceramic, Clay with its anchor service, a volume, no keep-alive, sizes by profile", () => {
            const dev = parseConfig(baseConfig("aws", { profile: "dev" })).ceramic;
            assert.deepStrictEqual(
                [dev.enabled, dev.network, dev.anchorServiceUrl, dev.stateStore, dev.keepAlive, dev.logLevel, dev.corsAllowedOrigins, dev.flavour],
                [false, "testnet-clay", "https://cas-clay.3boxlabs.com", "volume", false, "important", [".*"], "js-ceramic"],
            );
            const main = parseConfig(baseConfig("aws", { ceramic: { network: "mainnet" } })).ceramic;
            assert.strictEqual(main.anchorServiceUrl, ANCHOR_SERVICE_URLS.mainnet);
            assert.strictEqual(parseConfig(baseConfig("aws", { ceramic: { network: "dev-unstable" } })).ceramic.anchorServiceUrl, "https://cas-qa.3boxlabs.com");
            const prod = parseConfig(baseConfig("aws")).ceramic;
            assert.deepStrictEqual([prod.ceramicCpu, prod.ceramicMemoryMiB, prod.ipfsCpu, prod.ipfsMemoryMiB], [1, 2048, 2, 6144]);
            assert.ok(PROFILE_DEFAULTS.prod.ipfsMemoryMiB > PROFILE_DEFAULTS.dev.ipfsMemoryMiB);
            // Values arrive as strings from the CLI.
            assert.strictEqual(parseConfig(baseConfig("aws", { ceramic: { ipfsCpu: "4", keepAlive: "true" } })).ceramic.ipfsCpu, 4);
        });
    });

    describe("plan", () => {
        const swarm: SwarmListener[] = [
            { port: 4011, protocol: "tcp", transport: "ws" },
            { port: 4012, protocol: "tcp", transport: "ws", tlsAtLoadBalancer: true },
        ];

        it("announces the websocket at the DNS name and the address, and TLS at the load balancer's name on 443", () => {
            assert.deepStrictEqual(announceAddresses(swarm, { addresses: ["198.51.100.4"], dnsName: "ceramic-ipfs.example.com", tlsName: "ceramic-ipfs-wss.example.com" }), [
                "/dns4/ceramic-ipfs.example.com/tcp/4011/ws",
                "/ip4/198.51.100.4/tcp/4011/ws",
                "/dns4/ceramic-ipfs-wss.example.com/tcp/443/wss",
            ]);
            assert.deepStrictEqual(announceAddresses(swarm, { addresses: ["198.51.100.4"], tlsName: "w.example.com" }), ["/ip4/198.51.100.4/tcp/4011/ws", "/dns4/w.example.com/tcp/443/wss"]);
            // Every address that reaches the service (one per zone for a service that can move zones), at its public port.
            assert.deepStrictEqual(announceAddresses(swarm, { addresses: ["198.51.100.4", "198.51.100.5"], tlsName: "w.example.com", publicPort: p => p + 1000 }),
                ["/ip4/198.51.100.4/tcp/5011/ws", "/ip4/198.51.100.5/tcp/5011/ws", "/dns4/w.example.com/tcp/443/wss"]);
        });

        it("takes another flavour's listeners as they are: raw TCP and QUIC, as ceramic-one has them", () => {
            const ceramicOne: SwarmListener[] = [{ port: 4101, protocol: "tcp", transport: "" }, { port: 4101, protocol: "udp", transport: "quic-v1" }];
            assert.deepStrictEqual(announceAddresses(ceramicOne, { addresses: ["198.51.100.4"], tlsName: "unused" }), ["/ip4/198.51.100.4/tcp/4101", "/ip4/198.51.100.4/udp/4101/quic-v1"]);
            assert.throws(() => announceAddresses([{ port: 1, protocol: "tcp", transport: "", tlsAtLoadBalancer: true }], { addresses: ["a"], tlsName: "b" }), /only websockets/);
        });

        it("writes js-ceramic's config with every section, the state store where it is, and no secret", () => {
            const base = {
                flavour: "js-ceramic-kubo" as const, network: "mainnet" as const, anchorServiceUrl: ANCHOR_SERVICE_URLS.mainnet, ipfsApiUrl: "http://ceramic-ipfs.x.internal:5011",
                corsAllowedOrigins: [".*"], adminDids: [], logLevel: "important" as const, metricsPublisher: false, indexing: { kind: "sqlite" as const },
            };
            const onVolume = daemonConfig({ ...base, stateStore: { kind: "volume" } });
            assert.deepStrictEqual(Object.keys(onVolume).sort(), ["anchor", "http-api", "indexing", "ipfs", "logger", "metrics", "network", "node", "state-store"]);
            assert.deepStrictEqual(onVolume["state-store"], { mode: "fs", "local-directory": "/data/ceramic/statestore" });
            assert.deepStrictEqual(onVolume.ipfs, { mode: "remote", host: "http://ceramic-ipfs.x.internal:5011" });
            assert.deepStrictEqual(onVolume.anchor, { "anchor-service-url": "https://cas.3boxlabs.com", "auth-method": "did" });
            assert.deepStrictEqual(onVolume.logger, { "log-level": 2 });
            assert.deepStrictEqual(onVolume.node, {}, "the DID seed comes from the environment");
            const bucket = { s3Endpoint: "https://storage.googleapis.com" } as never;
            assert.deepStrictEqual(daemonConfig({ ...base, stateStore: { kind: "bucket", bucket } }, "b-123")["state-store"], { mode: "s3", "s3-bucket": "b-123", "s3-endpoint": "https://storage.googleapis.com" });
            assert.deepStrictEqual(LOG_FLAGS, ["--log-to-files", "--log-directory=/data/ceramic-logs"], "switches, and the directory in the same word");
        });

        it("names throwaway streams with a well-formed did:key", () => {
            assert.match(KEEP_ALIVE_CONTROLLER, /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/);
            // The did:key spec's first Ed25519 test vector.
            const publicKey = Buffer.from("2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6", "hex");
            assert.strictEqual(didKey(publicKey), "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
            assert.strictEqual(ed25519PublicKey(Buffer.alloc(32, 1)).length, 32);
        });

        it("schedules jobs on the same cadence on both clouds, and refuses intervals either cannot keep", () => {
            assert.deepStrictEqual([rateExpression(1), rateExpression(2), rateExpression(120)], ["rate(1 minute)", "rate(2 minutes)", "rate(120 minutes)"]);
            assert.deepStrictEqual([cronSchedule(1), cronSchedule(2), cronSchedule(60), cronSchedule(120), cronSchedule(1440)], ["* * * * *", "*/2 * * * *", "0 * * * *", "0 */2 * * *", "0 0 * * *"]);
            for (const minutes of JOB_INTERVAL_MINUTES) assert.ok(minutes < 60 ? 60 % minutes === 0 : 1440 % minutes === 0, String(minutes));
            const container = { name: "j", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 128, user: { uid: 1, gid: 1 } };
            assert.deepStrictEqual(jobProblems("ok", { everyMinutes: 2, container }), []);
            assert.deepStrictEqual(jobProblems("Bad_Name", { everyMinutes: 7, container: { ...container, image: "busybox", user: { uid: 0, gid: 0 } } }), [
                "scheduled job Bad_Name: name must be lowercase letters, digits and dashes, at most 41 characters",
                "scheduled job Bad_Name: everyMinutes is 7; one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440 (minutes that divide an hour, or hours that divide a day)",
                'scheduled job Bad_Name: image "busybox" must be pinned to a version tag or digest (not latest, not -root)',
                "scheduled job Bad_Name: user 0:0 must have a non-zero uid; nothing runs as root",
            ]);
        });
    });

    for (const cloud of ["aws", "gcp"] as const) {
        describe(`on ${cloud}`, () => {
            // prod: mainnet, the state store in a bucket, keep-alive on, DNS managed. dev: Clay, a volume, no DNS.
            let prod: SynthReport;
            let dev: SynthReport;
            // One synth at a time: the mocks are the process's.
            before(async () => {
                prod = await synthStack({ stack: "prod", cloud, set: KUBO_PROD, secrets: { "ceramic.ethereumRpcUrl": FAKE_RPC_URL } });
                dev = await synthStack({ stack: "dev", cloud, set: KUBO });
            });

            const services = (report: SynthReport) => {
                const [node] = ofType(report, COMPONENT_TYPE);
                return descendants(report, node.urn).filter(r => r.type === COMPONENT_TYPES.service);
            };

            it("passes the policy pack, dev and prod", () => {
                assert.deepStrictEqual(mandatoryViolations(prod), []);
                assert.deepStrictEqual(mandatoryViolations(dev), []);
                assert.deepStrictEqual(prod.policy.violations.filter(v => v.urn.includes("ceramic")), []);
            });

            it("runs js-ceramic and its IPFS daemon as two services in one zone, each sized from its own keys", () => {
                assert.deepStrictEqual(services(prod).map(s => s.name), [NAMES.ipfs, NAMES.ceramic]);
                const ipfs = containersOf(prod, cloud, NAMES.ipfs);
                const ceramic = containersOf(prod, cloud, NAMES.ceramic);
                // On AWS each task also runs the watchdog of the service's liveness.
                const watchdog = cloud === "aws" ? ["liveness"] : [];
                assert.deepStrictEqual(Object.keys(ipfs), ["ipfs", ...watchdog]);
                assert.deepStrictEqual(Object.keys(ceramic), ["ceramic", ...watchdog]);
                assert.strictEqual(ipfs.ipfs.image, throughMirror(cloud, IMAGES.goIpfsDaemon));
                // js-ceramic-kubo runs the 5.16 line (daemon.ts JS_CERAMIC_LINES).
                assert.strictEqual(ceramic.ceramic.image, throughMirror(cloud, IMAGES.ceramicKubo));
                assert.deepStrictEqual([ceramic.ceramic.memoryMiB, ipfs.ipfs.memoryMiB], [2048, 6144]);
                assert.deepStrictEqual([ceramic.ceramic.user, ipfs.ipfs.user], ["1000:1000", "1000:100"]);
                if (cloud === "aws") {
                    assert.deepStrictEqual([ceramic.ceramic.cpu, ipfs.ipfs.cpu], [1, 2]);
                    const subnets = [NAMES.ipfs, NAMES.ceramic].map(s => (named(prod, T.ecsService, `${s}-service`).inputs.networkConfiguration as any).subnets[0]);
                    const zones = subnets.map(id => prod.resources.find(r => r.type === T.subnet && r.id === id)!.inputs.availabilityZone);
                    assert.deepStrictEqual(zones, [(prod.outputs.zones as string[])[0], (prod.outputs.zones as string[])[0]]);
                } else {
                    const zones = [NAMES.ipfs, NAMES.ceramic].map(s => named(prod, T.group, `${s}-group`).inputs.zone);
                    assert.deepStrictEqual(zones, ["us-central1-a", "us-central1-a"]);
                    // Separate instances, so one restarts without the other.
                    assert.notStrictEqual(named(prod, T.group, `${NAMES.ipfs}-group`).inputs.name, named(prod, T.group, `${NAMES.ceramic}-group`).inputs.name);
                }
                const devSizes = containersOf(dev, cloud, NAMES.ipfs).ipfs.memoryMiB;
                assert.strictEqual(devSizes, PROFILE_DEFAULTS.dev.ipfsMemoryMiB);
            });

            it("gives each service protected volumes of its own: the IPFS repo; the state and the logs", () => {
                const ipfs = containersOf(dev, cloud, NAMES.ipfs).ipfs;
                const ceramic = containersOf(dev, cloud, NAMES.ceramic).ceramic;
                assert.deepStrictEqual(ipfs.mounts, ["/data/ipfs"]);
                assert.deepStrictEqual(ceramic.mounts, ["/data/ceramic", "/data/ceramic-logs"]);
                const [node] = ofType(dev, COMPONENT_TYPE);
                const volumes = descendants(dev, node.urn).filter(r => r.type === COMPONENT_TYPES.volume);
                assert.deepStrictEqual(volumes.map(v => v.name), [NAMES.repo, NAMES.state, NAMES.logs]);
                // Regional volumes (components/ceramic/zones.ts): regional disks on GCP.
                const storage = volumes.map(v => descendants(dev, v.urn).find(r => r.type === T.regionDisk || r.type === T.accessPoint)!);
                assert.strictEqual(new Set(storage.map(s => s.id)).size, 3);
                if (cloud === "gcp") {
                    for (const s of storage) assert.ok(s.options.protect && s.options.retainOnDelete, `${s.name} is not protected`);
                    const attached = (service: string) => (named(dev, T.perInstanceConfig, `${service}-instance`).inputs.preservedState as any).disks.map((d: any) => d.source);
                    assert.deepStrictEqual(attached(NAMES.ipfs), [storage[0].id]);
                    assert.deepStrictEqual(attached(NAMES.ceramic), [storage[1].id, storage[2].id]);
                } else {
                    const attached = (service: string) => (named(dev, T.taskDefinition, `${service}-task`).inputs.volumes as any[]).map(v => v.efsVolumeConfiguration.authorizationConfig.accessPointId);
                    assert.deepStrictEqual(attached(NAMES.ipfs), [storage[0].id]);
                    assert.deepStrictEqual(attached(NAMES.ceramic), [storage[1].id, storage[2].id]);
                    // The access points are carved from a file system that is protected and backed up.
                    assert.ok(ofType(dev, "aws:efs/fileSystem:FileSystem").every(f => f.options.protect && f.options.retainOnDelete));
                }
                // Logs go to files on their volume, with switches only.
                assert.deepStrictEqual(ceramic.command, LOG_FLAGS);
            });

            it("opens only the swarm websocket to the world; the IPFS API to Ceramic alone; its health port to load balancer checks", () => {
                if (cloud === "aws") {
                    const sgOf = (service: string) => named(prod, T.securityGroup, `${service}-sg`).id;
                    const rules = ofType(prod, T.ingress).filter(r => r.inputs.securityGroupId === sgOf(NAMES.ipfs));
                    const source = (r: SynthResource) => (r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? prod.resources.find(g => g.id === r.inputs.referencedSecurityGroupId)!.name) as string;
                    assert.deepStrictEqual(rules.map(r => `${r.inputs.fromPort} from ${source(r)}`).sort(), [
                        "4011 from 0.0.0.0/0",
                        "4011 from ::/0",
                        "4012 from https-alb",
                        "5011 from access-group-ceramic",
                        "8011 from https-alb",
                    ]);
                    // Ceramic's task is the access group's only member.
                    const members = ofType(prod, T.ecsService).filter(s => (s.inputs.networkConfiguration as any).securityGroups.includes(named(prod, T.securityGroup, "access-group-ceramic").id));
                    assert.deepStrictEqual(members.map(m => m.name), [`${NAMES.ceramic}-service`]);
                    // The ALB checks the IPFS daemon on its health port and forwards the TLS websocket to 4012.
                    const wss = named(prod, T.targetGroup, `${NAMES.swarmTls}-targets`).inputs;
                    assert.deepStrictEqual([wss.port, (wss.healthCheck as any).port, (wss.healthCheck as any).path], [4012, "8011", "/"]);
                    const registered = (named(prod, T.ecsService, `${NAMES.ipfs}-service`).inputs.loadBalancers as any[]).map(l => l.containerPort).sort();
                    assert.deepStrictEqual(registered, [4011, 4012], "the health port is checked, never registered");
                    const albEgress = ofType(prod, T.egress).filter(r => r.name.startsWith(`${NAMES.swarmTls}-alb-`)).map(r => r.inputs.fromPort).sort();
                    assert.deepStrictEqual(albEgress, [4012, 8011]);
                } else {
                    const rules = ofType(prod, T.firewall).filter(f => ((f.inputs.targetTags as string[]) ?? []).includes("web3-prod-group-ceramic-ipfs"));
                    const view = rules.map(f => `${(f.inputs.allows as any[]).map(a => `${a.protocol}:${a.ports.join("+")}`).join(",")} from ${((f.inputs.sourceRanges ?? f.inputs.sourceTags) as string[]).join(" ")}`).sort();
                    // The world on the swarm port; the HTTPS load balancer on the TLS swarm and its check; Ceramic on
                    // the API; autohealing on the liveness port; the passthrough balancer's probes on the swarm port.
                    assert.deepStrictEqual(view, [
                        "tcp:4011 from 0.0.0.0/0",
                        "tcp:4011 from 35.191.0.0/16 209.85.152.0/22 209.85.204.0/22",
                        "tcp:4012+8011 from 130.211.0.0/22 35.191.0.0/16",
                        "tcp:5011 from web3-prod-group-ceramic",
                        "tcp:8011 from 130.211.0.0/22 35.191.0.0/16",
                    ]);
                    const check = named(prod, T.healthCheck, `${NAMES.swarmTls}-health`).inputs;
                    assert.deepStrictEqual(check.httpHealthCheck, { port: 8011, requestPath: "/" });
                    assert.strictEqual(named(prod, T.backendService, `${NAMES.swarmTls}-backend`).inputs.timeoutSec, 86400);
                }
            });

            it("puts the Ceramic API behind HTTPS at ceramic.<domain>, checked on /api/v0/node/healthcheck", () => {
                assert.strictEqual(ceramicOf(prod).url, `https://${HOSTNAMES.api}.nodes.example.com`);
                if (cloud === "aws") {
                    const tg = named(prod, T.targetGroup, `${NAMES.api}-targets`).inputs;
                    assert.deepStrictEqual([tg.port, (tg.healthCheck as any).path, (tg.healthCheck as any).port], [7007, "/api/v0/node/healthcheck", "traffic-port"]);
                    // The stack's one ALB keeps the swarm's WebSockets open as long as an ALB can.
                    assert.strictEqual(named(prod, T.loadBalancer, "https-alb").inputs.idleTimeout, 4000);
                } else {
                    assert.deepStrictEqual(named(prod, T.healthCheck, `${NAMES.api}-health`).inputs.httpHealthCheck, { port: 7007, requestPath: "/api/v0/node/healthcheck" });
                    // Autohealing replaces Ceramic for its own failures only.
                    assert.deepStrictEqual(named(prod, T.healthCheck, `${NAMES.ceramic}-autohealing`).inputs.httpHealthCheck, { port: 7007, requestPath: "/api/v0/node/healthcheck?checkIpfs=false" });
                }
            });

            it("derives the IPFS peer ID from a protected seed in state, exactly as libp2p does, the same on every run", async () => {
                const reference = await referencePeerId(`${NAMES.identity}-seed`);
                const again = await synthStack({ stack: "prod", cloud, set: KUBO_PROD, secrets: { "ceramic.ethereumRpcUrl": FAKE_RPC_URL } });
                assert.strictEqual(ceramicOf(prod).ipfsPeerId, reference.peerId);
                assert.strictEqual(ceramicOf(again).ipfsPeerId, reference.peerId);
                assert.strictEqual(ceramicOf(dev).ipfsPeerId, reference.peerId, "same seed name, same mocked bytes");
                assert.strictEqual(peerKeyFromSeed(Buffer.from(randomState(T.randomBytes, `${NAMES.identity}-seed`, { length: 32 }).base64 as string, "base64")).privateKey, reference.privateKey);
                const ipfs = containersOf(prod, cloud, NAMES.ipfs).ipfs;
                assert.strictEqual(ipfs.env[GO_IPFS_ENV.peerId], reference.peerId);
                assert.deepStrictEqual(ipfs.secrets, [GO_IPFS_ENV.privateKey], "the key comes from the secret store");
                for (const seed of [`${NAMES.identity}-seed`, NAMES.nodeSeed]) {
                    const r = named(prod, T.randomBytes, seed);
                    assert.ok(r.options.protect && r.options.retainOnDelete, `${seed} is not protected`);
                }
                assert.match(ceramicOf(prod).nodeDid, /^did:key:z6Mk/);
            });

            it("exports the URL, the peer ID, the full multiaddresses and the static egress IPs", () => {
                const out = ceramicOf(prod);
                const id = out.ipfsPeerId;
                // One static address: on AWS the stack's NLB's in the node's zone, on GCP its regional one.
                const swarmIps = out.multiaddresses.filter(a => a.startsWith("/ip4/")).map(a => a.split("/")[2]);
                assert.strictEqual(swarmIps.length, 1);
                assert.deepStrictEqual(out.multiaddresses, [
                    `/dns4/${HOSTNAMES.swarm}.nodes.example.com/tcp/4011/ws/p2p/${id}`,
                    ...swarmIps.map(ip => `/ip4/${ip}/tcp/4011/ws/p2p/${id}`),
                    `/dns4/${HOSTNAMES.swarmTls}.nodes.example.com/tcp/443/wss/p2p/${id}`,
                ]);
                assert.deepStrictEqual(out.egressIps, prod.outputs.egressIps);
                assert.strictEqual(out.egressIps.length, 3);
                // The daemon announces exactly these, without its peer ID.
                const announced = JSON.parse(containersOf(prod, cloud, NAMES.ipfs).ipfs.env[GO_IPFS_ENV.announce]);
                assert.deepStrictEqual(announced.map((a: string) => `${a}/p2p/${id}`), out.multiaddresses);
                // The swarm name points at the static address; without a DNS provider the address is announced alone.
                const record = named(prod, COMPONENT_TYPES.dnsRecord, NAMES.swarmDns);
                assert.ok(record, "the swarm's DNS record");
                assert.ok(!ceramicOf(dev).multiaddresses.some(a => a.includes(`/dns4/${HOSTNAMES.swarm}.`)));
                assert.strictEqual(ofType(dev, COMPONENT_TYPES.dnsRecord).length, 0);
            });

            it("keeps the state store on the protected volume (dev) or in a versioned bucket reached without keys (prod)", () => {
                const volumeConfig = JSON.parse(containersOf(dev, cloud, NAMES.ceramic).ceramic.env[CERAMIC_ENV.config]);
                assert.deepStrictEqual(volumeConfig["state-store"], { mode: "fs", "local-directory": "/data/ceramic/statestore" });
                assert.strictEqual(ceramicOf(dev).stateStore, "volume");
                assert.deepStrictEqual([volumeConfig.network.name, volumeConfig.anchor["anchor-service-url"]], ["testnet-clay", ANCHOR_SERVICE_URLS["testnet-clay"]]);

                const ceramic = containersOf(prod, cloud, NAMES.ceramic).ceramic;
                const config = JSON.parse(ceramic.env[CERAMIC_ENV.config]);
                assert.deepStrictEqual([config.network.name, config.anchor["anchor-service-url"]], ["mainnet", ANCHOR_SERVICE_URLS.mainnet]);
                const bucketType = cloud === "aws" ? T.s3Bucket : T.gcsBucket;
                const [bucket] = ofType(prod, bucketType).filter(b => b.parent?.includes("ceramic"));
                assert.ok(bucket.options.protect && bucket.options.retainOnDelete);
                assert.strictEqual(config["state-store"].mode, "s3");
                assert.strictEqual(config["state-store"]["s3-bucket"], ceramicOf(prod).stateStore);
                assert.ok(!("AWS_ACCESS_KEY_ID" in ceramic.env) && !("AWS_SECRET_ACCESS_KEY" in ceramic.env), "no key in the definition");
                if (cloud === "aws") {
                    assert.strictEqual(config["state-store"]["s3-endpoint"], "https://s3.us-east-1.amazonaws.com");
                    assert.strictEqual(ceramic.env.AWS_REGION, "us-east-1");
                    // With the index's URL (indexDatabase.ts); its CA bundle is downloaded on AWS.
                    assert.deepStrictEqual(ceramic.secrets.sort(), [CERAMIC_ENV.ethereumRpcUrl, "CERAMIC_INDEXING_DB_URI", CERAMIC_ENV.nodeSeedUrl]);
                    const policy = JSON.parse(named(prod, T.rolePolicy, `${NAMES.ceramic}-task-buckets`).inputs.policy as string);
                    const arn = bucket.inputs.bucket ? `arn:aws:s3:::${bucket.inputs.bucket}` : `arn:aws:s3:::${config["state-store"]["s3-bucket"]}`;
                    assert.deepStrictEqual(policy.Statement.map((s: any) => [s.Sid, s.Resource]), [["ListGrantedBuckets", [arn]], ["ReadWriteObjects", [`${arn}/*`]]]);
                    // No IAM user, no access key anywhere in the stack.
                    assert.deepStrictEqual(prod.resources.filter(r => /aws:iam\/(user|accessKey)/.test(r.type)), []);
                } else {
                    assert.strictEqual(config["state-store"]["s3-endpoint"], "https://storage.googleapis.com");
                    assert.strictEqual(ceramic.env.AWS_REGION, "auto");
                    assert.deepStrictEqual(ceramic.secrets.sort(), [
                        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "CERAMIC_DATABASE_CA_BASE64", CERAMIC_ENV.ethereumRpcUrl, "CERAMIC_INDEXING_DB_URI", CERAMIC_ENV.nodeSeedUrl,
                    ]);
                    const account = named(prod, T.account, `${NAMES.ceramic}-identity`);
                    const member = named(prod, T.bucketMember, `${NAMES.ceramic}-buckets-0-writes`).inputs;
                    assert.deepStrictEqual([member.bucket, member.role], [bucket.inputs.name, "roles/storage.objectUser"]);
                    assert.match(member.member as string, new RegExp(`^serviceAccount:${account.inputs.accountId}@`));
                    assert.match(named(prod, T.hmacKey, `${NAMES.ceramic}-buckets-hmac`).inputs.serviceAccountEmail as string, new RegExp(`^${account.inputs.accountId}@`));
                    // The IPFS service has no bucket and no key.
                    assert.strictEqual(ofType(prod, T.hmacKey).length, 1);
                }
                // The IPFS daemon never sees the bucket's credentials.
                assert.deepStrictEqual(containersOf(prod, cloud, NAMES.ipfs).ipfs.secrets, [GO_IPFS_ENV.privateKey]);
            });

            it("never has a secret in plain text: not the Ethereum RPC URL, not a key, not a seed", () => {
                const everything = JSON.stringify({ resources: prod.resources, outputs: prod.outputs });
                assert.ok(!everything.includes(FAKE_RPC_KEY), "the Ethereum RPC URL's key appears in the synth");
                assert.ok(!everything.includes("infura.example"), "the Ethereum RPC URL appears in the synth");
                const seeds = ofType(prod, T.randomBytes).filter(r => r.parent?.includes("Ceramic")).map(r => randomState(r.type, r.name, r.inputs));
                assert.strictEqual(seeds.length, 2);
                for (const s of seeds) {
                    for (const value of [s.hex as string, s.base64 as string, peerKeyFromSeed(Buffer.from(s.base64 as string, "base64")).privateKey]) {
                        assert.ok(!everything.includes(value), "a seed or private key appears in the synth");
                    }
                }
                if (cloud === "gcp") assert.ok(!everything.includes("mock-hmac-secret"), "the HMAC secret appears in the synth");
                // The URL is in the secret store, as a secret.
                const secretValues = prod.resources.filter(r => r.name === `${NAMES.ethereumRpcUrl}-version`);
                assert.strictEqual(secretValues.length, 1);
                assert.strictEqual(secretValues[0].inputs[cloud === "aws" ? "secretString" : "secretData"], SECRET_MASK);
            });

            it("runs the keep-alive job every two minutes against the public API, only when asked", () => {
                const [job] = ofType(prod, COMPONENT_TYPES.scheduledJob);
                assert.strictEqual(job.name, NAMES.keepAlive);
                assert.strictEqual(ofType(dev, COMPONENT_TYPES.scheduledJob).length, 0);
                if (cloud === "aws") {
                    const schedule = named(prod, T.schedule, `${NAMES.keepAlive}-schedule`).inputs as any;
                    assert.strictEqual(schedule.scheduleExpression, "rate(2 minutes)");
                    assert.strictEqual(schedule.target.ecsParameters.launchType, "FARGATE");
                    assert.strictEqual(schedule.target.ecsParameters.networkConfiguration.assignPublicIp, false);
                    assert.strictEqual(schedule.target.retryPolicy.maximumRetryAttempts, 0);
                    const [def] = JSON.parse(named(prod, T.taskDefinition, `${NAMES.keepAlive}-task`).inputs.containerDefinitions as string);
                    assert.deepStrictEqual([def.image, def.user, def.environment], [throughMirror(cloud, IMAGES.keepAlive), "100:101", [{ name: "CERAMIC_URL", value: ceramicOf(prod).url }]]);
                    assert.strictEqual(def.entryPoint[2], keepAliveScript());
                    // The job's security group lets nothing in.
                    const sg = named(prod, T.securityGroup, `${NAMES.keepAlive}-sg`);
                    assert.deepStrictEqual(ofType(prod, T.ingress).filter(r => r.inputs.securityGroupId === sg.id), []);
                    const run = JSON.parse(named(prod, T.rolePolicy, `${NAMES.keepAlive}-scheduler-run`).inputs.policy as string);
                    assert.deepStrictEqual(run.Statement[0].Resource, ["arn:aws:ecs:us-east-1:123456789012:task-definition/web3-prod-ceramic-keepalive:*"]);
                    // Tags set at RunTask are authorized as ecs:TagResource on the new task, not on its definition.
                    assert.deepStrictEqual([run.Statement[1].Action, run.Statement[1].Resource, run.Statement[1].Condition], [
                        ["ecs:TagResource"], ["arn:aws:ecs:us-east-1:123456789012:task/web3-prod/*"], { StringEquals: { "ecs:CreateAction": "RunTask" } },
                    ]);
                } else {
                    const scheduler = named(prod, T.schedulerJob, `${NAMES.keepAlive}-schedule`).inputs as any;
                    assert.strictEqual(scheduler.schedule, "*/2 * * * *");
                    assert.match(scheduler.httpTarget.uri, /^https:\/\/run\.googleapis\.com\/v2\/projects\/web3-nodes-prod\/locations\/us-central1\/jobs\/web3-prod-ceramic-keepalive:run$/);
                    const runJob = named(prod, T.cloudRunJob, `${NAMES.keepAlive}-job`).inputs as any;
                    const container = runJob.template.template.containers[0];
                    assert.deepStrictEqual([container.image, container.commands[2], container.envs], [throughMirror(cloud, IMAGES.keepAlive), keepAliveScript(), [{ name: "CERAMIC_URL", value: ceramicOf(prod).url }]]);
                    assert.strictEqual(runJob.template.template.vpcAccess.egress, "ALL_TRAFFIC", "it leaves through Cloud NAT, from the stack's egress addresses");
                    const invoker = named(prod, T.cloudRunInvoker, `${NAMES.keepAlive}-invoker-runs`).inputs as any;
                    assert.strictEqual(invoker.role, "roles/run.invoker");
                    assert.strictEqual(invoker.member, `serviceAccount:${scheduler.httpTarget.oauthToken.serviceAccountEmail}`);
                }
            });
        });
    }

    describe("the primitives it added, on both back-ends", () => {
        for (const cloud of ["aws", "gcp"] as const) {
            it(`grants buckets to a service on ${cloud}: read or read-write, on that bucket only, with no key in the definition`, async () => {
                const result = await synthBackend(cloud, backend => {
                    const [zone] = backend.context.zones;
                    const archive = backend.bucket("archive");
                    const scratch = backend.bucket("scratch");
                    backend.bucket("unrelated");
                    const container: ContainerSpec = { name: "app", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 256, user: { uid: 2000, gid: 2000 }, entrypoint: ["true"] };
                    const grants: BucketGrant[] = [{ bucket: archive, access: "read" }, { bucket: scratch, access: "readWrite" }];
                    backend.service("app", { zone, liveness: { kind: "exit" }, containers: [container], buckets: grants });
                    backend.service("plain", { zone, liveness: { kind: "exit" }, containers: [{ ...container, name: "plain" }] });
                });
                const bucketNames = Object.fromEntries(["archive", "scratch", "unrelated"].map(b => {
                    const r = named(result, cloud === "aws" ? T.s3Bucket : T.gcsBucket, `${b}-bucket`);
                    return [b, cloud === "aws" ? `arn:aws:s3:::${String(r.inputs.bucketPrefix)}` : r.inputs.name as string];
                }));
                if (cloud === "aws") {
                    const policy = JSON.parse(named(result, T.rolePolicy, "app-task-buckets").inputs.policy as string);
                    const resources = policy.Statement.map((s: any) => [s.Sid, s.Resource.map((r: string) => r.replace(/[0-9a-f]{12}(\/\*)?$/, "$1"))]);
                    assert.deepStrictEqual(resources, [
                        ["ListGrantedBuckets", [bucketNames.archive, bucketNames.scratch]],
                        ["ReadObjects", [`${bucketNames.archive}/*`]],
                        ["ReadWriteObjects", [`${bucketNames.scratch}/*`]],
                    ]);
                    assert.deepStrictEqual(policy.Statement[1].Action, ["s3:GetObject", "s3:GetObjectVersion"]);
                    assert.ok(policy.Statement[2].Action.includes("s3:PutObject") && policy.Statement[2].Action.includes("s3:DeleteObject"));
                    assert.ok(!ofType(result, T.rolePolicy).some(p => p.name === "plain-task-buckets"));
                    const [app] = JSON.parse(named(result, T.taskDefinition, "app-task").inputs.containerDefinitions as string);
                    assert.deepStrictEqual([app.environment, app.secrets], [[], []]);
                } else {
                    const members = ofType(result, T.bucketMember).map(m => [m.inputs.bucket, m.inputs.role]);
                    // Objects as the access says; the bucket itself (HEAD bucket, listing) with either (bucketAccess.ts BUCKET_LEVEL_ROLE).
                    assert.deepStrictEqual(members, [
                        [bucketNames.archive, "roles/storage.objectViewer"], [bucketNames.archive, "roles/storage.legacyBucketReader"],
                        [bucketNames.scratch, "roles/storage.objectUser"], [bucketNames.scratch, "roles/storage.legacyBucketReader"],
                    ]);
                    assert.strictEqual(ofType(result, T.hmacKey).length, 1);
                    const app = containersOf(result, cloud, "app").app;
                    assert.deepStrictEqual(app.secrets, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
                    assert.deepStrictEqual(app.env, {});
                    assert.deepStrictEqual(containersOf(result, cloud, "plain").plain.secrets, []);
                    // The bindings exist before the instance starts.
                    const dependsOn = named(result, T.perInstanceConfig, "app-instance").options.dependsOn;
                    for (const m of ofType(result, T.bucketMember)) assert.ok(dependsOn.includes(m.urn), `${m.name} is not awaited`);
                }
            });

            it(`refuses on ${cloud} a bucket granted twice and a container that would hide the credentials`, async () => {
                await assert.rejects(synthBackend(cloud, backend => {
                    const bucket = backend.bucket("twice");
                    backend.service("app", {
                        zone: backend.context.zones[0],
                        liveness: { kind: "exit" },
                        containers: [{ name: "app", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 256, user: { uid: 2000, gid: 2000 } }],
                        buckets: [{ bucket, access: "read" }, { bucket, access: "readWrite" }],
                    });
                }), /service app: buckets\[1\] grants a bucket already granted; give each bucket once, with the widest access it needs/);
                if (cloud === "gcp") {
                    await assert.rejects(synthBackend(cloud, backend => {
                        const bucket = backend.bucket("hidden");
                        backend.service("app", {
                            zone: backend.context.zones[0],
                            liveness: { kind: "exit" },
                            containers: [{ name: "app", image: "busybox:1.36.1", entrypoint: ["true"], cpu: 0.25, memoryMiB: 256, user: { uid: 2000, gid: 2000 }, env: { AWS_ACCESS_KEY_ID: "x" } }],
                            buckets: [{ bucket, access: "read" }],
                        });
                    }), /service app, container app: AWS_ACCESS_KEY_ID would hide the credentials of the service's buckets/);
                }
            });

            it(`runs a scheduled job on ${cloud} with its secrets from the store, and refuses a bad one`, async () => {
                const result = await synthBackend(cloud, backend => {
                    const token = backend.secret("job-token", { value: "t0ken-value" });
                    backend.scheduledJob("report", {
                        everyMinutes: 60,
                        container: { name: "report", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 128, user: { uid: 2000, gid: 2000 }, command: ["true"], env: { MODE: "hourly" }, secrets: { TOKEN: token } },
                    });
                });
                const job = named(result, COMPONENT_TYPES.scheduledJob, "report");
                assert.ok(descendants(result, job.urn).length > 3);
                if (cloud === "aws") {
                    assert.strictEqual((named(result, T.schedule, "report-schedule").inputs as any).scheduleExpression, "rate(60 minutes)");
                    const [def] = JSON.parse(named(result, T.taskDefinition, "report-task").inputs.containerDefinitions as string);
                    assert.deepStrictEqual(def.secrets.map((s: any) => s.name), ["TOKEN"]);
                    assert.ok(named(result, T.rolePolicy, "report-execution-secrets"));
                } else {
                    assert.strictEqual((named(result, T.schedulerJob, "report-schedule").inputs as any).schedule, "0 * * * *");
                    const container = (named(result, T.cloudRunJob, "report-job").inputs as any).template.template.containers[0];
                    assert.deepStrictEqual(container.envs, [{ name: "MODE", value: "hourly" }, { name: "TOKEN", valueSource: { secretKeyRef: { secret: container.envs[1].valueSource.secretKeyRef.secret, version: "latest" } } }]);
                    assert.match(container.envs[1].valueSource.secretKeyRef.secret, /^projects\/.+\/secrets\//);
                }
                assert.ok(!JSON.stringify(result.resources).includes("t0ken-value"));
                await assert.rejects(synthBackend(cloud, backend => {
                    backend.scheduledJob("bad", { everyMinutes: 7, container: { name: "bad", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 128, user: { uid: 2000, gid: 2000 } } });
                }), /scheduled job bad: everyMinutes is 7/);
            });
        }
    });

    describe("scripts", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ceramic-scripts-"));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        for (const [name, script] of [["IPFS start", goIpfsStartScript], ["Ceramic start", ceramicStartScript], ["keep-alive", keepAliveScript]] as const) {
            it(`the ${name} script is one shellcheck finds nothing wrong with`, function () {
                if (!hasBinary("shellcheck")) this.skip();
                const file = path.join(tmp, `${name.replace(/\W/g, "-")}.sh`);
                fs.writeFileSync(file, script());
                const run = spawnSync("shellcheck", ["-s", "sh", file], { encoding: "utf8" });
                assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
            });
        }

        describe("the IPFS start script, against a stand-in for the ipfs command", () => {
            const bin = path.join(tmp, "ipfs-bin");
            const log = path.join(tmp, "ipfs.log");
            let key: { peerId: string; privateKey: string };
            before(async () => {
                fs.mkdirSync(bin, { recursive: true });
                fs.writeFileSync(path.join(bin, "ipfs"), [
                    "#!/bin/sh",
                    "set -eu",
                    'echo "ipfs $*" >> "$FAKE_IPFS_LOG"',
                    'repo="$IPFS_PATH"',
                    'case "$1" in',
                    "  init)",
                    '    last=""; for a in "$@"; do last="$a"; done',
                    '    if [ -f "$last" ]; then cp "$last" "$repo/config"',
                    "    else printf '{\\n  \"Identity\": {\\n    \"PeerID\": \"12D3KooWGenerated\",\\n    \"PrivKey\": \"CAESQGenerated==\"\\n  }\\n}\\n' > \"$repo/config\"; fi",
                    "    ;;",
                    "  config)",
                    '    if [ "$2" = Identity.PeerID ]; then sed -n \'s/.*"PeerID": "\\([^"]*\\)".*/\\1/p\' "$repo/config"; fi',
                    "    ;;",
                    "  daemon)",
                    '    if env | grep -q "^IPFS_PRIVATE_KEY="; then echo "the daemon sees the private key" >&2; exit 1; fi',
                    '    echo "daemon $*"',
                    "    ;;",
                    "esac",
                    "",
                ].join("\n"), { mode: 0o755 });
                key = await referencePeerId("ceramic-start-script-test");
            });

            it("starts with the injected identity, the announced addresses and Ceramic's settings, the key never on a command line", async () => {
                const report = await synthStack({ stack: "dev", cloud: "aws", set: KUBO });
                const ipfs = containersOf(report, "aws", NAMES.ipfs).ipfs;
                const own = unwrapFence(ipfs.entrypoint)?.entrypoint ?? [];
                assert.deepStrictEqual(own.slice(0, 5), ["/sbin/tini", "-s", "--", "/bin/sh", "-c"], "the IPFS daemon starts through the volume fence");
                assert.strictEqual(own[5], goIpfsStartScript());
                const repo = path.join(tmp, "repo");
                fs.mkdirSync(repo);
                const announce = '["/ip4/198.51.100.4/tcp/4011/ws","/dns4/w.example.com/tcp/443/wss"]';
                const run = spawnSync("sh", ["-c", goIpfsStartScript(), "ipfs-start", ...ipfs.command], {
                    encoding: "utf8",
                    env: { PATH: `${bin}:${process.env.PATH}`, FAKE_IPFS_LOG: log, IPFS_PATH: repo, IPFS_PEER_ID: key.peerId, IPFS_PRIVATE_KEY: key.privateKey, IPFS_ANNOUNCE_ADDRESSES: announce },
                });
                assert.strictEqual(run.status, 0, run.stderr);
                assert.strictEqual(run.stdout.trim(), `daemon ${ipfs.command.join(" ")}`);
                assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(repo, "config"), "utf8")).Identity, { PeerID: key.peerId, PrivKey: key.privateKey });
                const calls = fs.readFileSync(log, "utf8").trim().split("\n");
                for (const expected of [
                    "ipfs config Addresses.API /ip4/0.0.0.0/tcp/5011",
                    "ipfs config --json Addresses.Gateway []",
                    'ipfs config --json Addresses.Swarm ["/ip4/0.0.0.0/tcp/4011/ws","/ip4/0.0.0.0/tcp/4012/ws"]',
                    `ipfs config --json Addresses.Announce ${announce}`,
                    "ipfs config --json Pubsub.Enabled true",
                    "ipfs config --json Swarm.RelayClient.Enabled false",
                ]) assert.ok(calls.includes(expected), `missing: ${expected}\n${calls.join("\n")}`);
                assert.ok(!calls.some(c => c.includes(key.privateKey)));
                const refused = spawnSync("sh", ["-c", goIpfsStartScript(), "ipfs-start", "daemon"], {
                    encoding: "utf8",
                    env: { PATH: `${bin}:${process.env.PATH}`, FAKE_IPFS_LOG: log, IPFS_PATH: repo, IPFS_PEER_ID: key.peerId, IPFS_PRIVATE_KEY: key.privateKey },
                });
                assert.notStrictEqual(refused.status, 0);
                assert.match(refused.stderr, /IPFS_ANNOUNCE_ADDRESSES/);
            });
        });

        describe("the Ceramic start script, against a stand-in for the daemon", () => {
            const work = path.join(tmp, "js-ceramic");
            const configDir = path.join(tmp, "config");
            const logs = path.join(tmp, "logs");
            const flags = ["--log-to-files", `--log-directory=${logs}`];
            before(() => {
                // Written in node, as js-ceramic is: node takes SIGINT even when the shell started it in the background.
                fs.mkdirSync(path.join(work, "packages", "cli", "bin"), { recursive: true });
                fs.mkdirSync(configDir);
                fs.mkdirSync(logs);
                fs.writeFileSync(path.join(work, "packages", "cli", "bin", "ceramic.js"), [
                    "#!/usr/bin/env node",
                    "const fs = require('fs');",
                    "const args = process.argv.slice(2);",
                    "const config = JSON.parse(fs.readFileSync(args[args.indexOf('--config') + 1], 'utf8'));",
                    "console.log(JSON.stringify({ args, config, url: process.env.CERAMIC_ETHEREUM_RPC_URL ?? null, seed: process.env.CERAMIC_NODE_PRIVATE_SEED_URL }));",
                    "process.on('SIGINT', () => { console.log('closed cleanly'); process.exit(0); });",
                    "setInterval(() => {}, 1000);",
                    "",
                ].join("\n"), { mode: 0o755 });
            });

            // In a process group of its own, so whatever the script leaves behind (the log watcher's sleep) is ended with it.
            const started: ChildProcess[] = [];
            after(() => {
                for (const c of started) {
                    try {
                        process.kill(-c.pid!, "SIGKILL");
                    } catch {
                        // already gone
                    }
                }
            });
            function start(env: Record<string, string>): { child: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
                const child = spawn("sh", ["-c", ceramicStartScript(path.join(configDir, "ceramic")), "ceramic-start", ...flags], { cwd: work, detached: true, env: { PATH: process.env.PATH!, ...env } });
                started.push(child);
                let stdout = "";
                let stderr = "";
                child.stdout.on("data", d => (stdout += d));
                child.stderr.on("data", d => (stderr += d));
                return { child, output: new Promise(resolve => child.on("exit", code => resolve({ code, stdout, stderr }))) };
            }

            it("writes the config with the Ethereum RPC URL from the environment, keeps it off every command line, and stops the daemon cleanly", async () => {
                // A log file past the limit, as js-ceramic leaves them: it never rotates its own.
                fs.writeFileSync(path.join(logs, "diagnostics.log"), "");
                fs.truncateSync(path.join(logs, "diagnostics.log"), LOG_FILE_MAX_BYTES);
                fs.writeFileSync(path.join(logs, "small.log"), "a line\n");
                const settings = JSON.stringify({ anchor: { "anchor-service-url": "https://cas.3boxlabs.com" }, network: { name: "mainnet" } });
                const { child, output } = start({ CERAMIC_DAEMON_CONFIG: settings, CERAMIC_NODE_PRIVATE_SEED_URL: "inplace:ed25519#00", CERAMIC_ETHEREUM_RPC_URL: FAKE_RPC_URL });
                await new Promise<void>(resolve => {
                    const poll = setInterval(() => {
                        if (fs.existsSync(path.join(configDir, "ceramic", "daemon.config.json"))) {
                            clearInterval(poll);
                            resolve();
                        }
                    }, 50);
                });
                await new Promise(r => setTimeout(r, 1000));
                child.kill("SIGTERM");
                const { code, stdout, stderr } = await output;
                assert.strictEqual(code, 0, stderr);
                const [seen, closed] = stdout.trim().split("\n");
                const daemon = JSON.parse(seen);
                assert.deepStrictEqual(daemon.args, ["daemon", "--config", path.join(configDir, "ceramic", "daemon.config.json"), ...flags]);
                assert.deepStrictEqual(daemon.config.anchor, { "anchor-service-url": "https://cas.3boxlabs.com", "ethereum-rpc-url": FAKE_RPC_URL });
                assert.strictEqual(daemon.url, null, "the daemon's environment no longer holds the URL");
                assert.strictEqual(daemon.seed, "inplace:ed25519#00");
                assert.strictEqual(closed, "closed cleanly", "the stop signal reached the daemon as SIGINT");
                assert.strictEqual((fs.statSync(path.join(configDir, "ceramic", "daemon.config.json")).mode & 0o077), 0, "only its user reads the file");
                assert.deepStrictEqual(fs.readdirSync(logs).sort(), ["diagnostics.log.1", "small.log"], "the oversized log is moved aside, the small one kept");
            });

            it("refuses to start without its settings or its DID seed", async () => {
                for (const [missing, env] of [["CERAMIC_DAEMON_CONFIG", { CERAMIC_NODE_PRIVATE_SEED_URL: "x" }], ["CERAMIC_NODE_PRIVATE_SEED_URL", { CERAMIC_DAEMON_CONFIG: "{}" }]] as const) {
                    const { code, stderr } = await start(env).output;
                    assert.notStrictEqual(code, 0);
                    assert.match(stderr, new RegExp(missing));
                }
            });
        });

        describe("the keep-alive script, against a stand-in for the Ceramic API", () => {
            let server: http.Server;
            let url: string;
            const received: { method?: string; url?: string; type?: string; body: any }[] = [];
            before(async () => {
                server = http.createServer((req, res) => {
                    let body = "";
                    req.on("data", d => (body += d));
                    req.on("end", () => {
                        received.push({ method: req.method, url: req.url, type: req.headers["content-type"], body: JSON.parse(body) });
                        res.setHeader("Content-Type", "application/json");
                        res.end(JSON.stringify({ streamId: `kjzl6cwe1jw14${received.length}`, state: {} }));
                    });
                });
                await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
                url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
            });
            after(() => new Promise(resolve => server.close(resolve)));

            it("publishes a new unsigned, unanchored stream on each run", async function () {
                if (!hasBinary("curl")) this.skip();
                const runs = await Promise.all([0, 1].map(() => new Promise<{ code: number | null; stdout: string; stderr: string }>(resolve => {
                    const child = spawn("sh", ["-c", keepAliveScript(), "ceramic-keepalive"], { env: { PATH: process.env.PATH!, CERAMIC_URL: url } });
                    let stdout = "";
                    let stderr = "";
                    child.stdout.on("data", d => (stdout += d));
                    child.stderr.on("data", d => (stderr += d));
                    child.on("exit", code => resolve({ code, stdout, stderr }));
                })));
                for (const run of runs) {
                    assert.strictEqual(run.code, 0, run.stderr);
                    assert.match(run.stdout, /^published keep-alive stream kjzl6cwe1jw14\d through http:\/\/127\.0\.0\.1:\d+\/\n$/);
                }
                assert.strictEqual(received.length, 2);
                for (const r of received) {
                    assert.deepStrictEqual([r.method, r.url, r.type], ["POST", "/api/v0/streams", "application/json"]);
                    assert.deepStrictEqual(r.body.opts, { anchor: false, publish: true, pin: false });
                    assert.strictEqual(r.body.type, 0);
                    assert.deepStrictEqual(r.body.genesis.header.controllers, [KEEP_ALIVE_CONTROLLER]);
                    assert.strictEqual(r.body.genesis.data, undefined, "no content, so no signature is needed");
                }
                assert.notStrictEqual(received[0].body.genesis.header.unique, received[1].body.genesis.header.unique);
            });

            it("fails a run whose node answers with an error", async function () {
                if (!hasBinary("curl")) this.skip();
                const run = spawnSync("sh", ["-c", keepAliveScript(), "ceramic-keepalive"], { encoding: "utf8", env: { PATH: process.env.PATH!, CERAMIC_URL: "http://127.0.0.1:9/" } });
                assert.notStrictEqual(run.status, 0);
            });
        });
    });
});
