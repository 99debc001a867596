// The policy pack as the Pulumi engine runs it, against the offline gate (tools/synth.ts → evaluatePolicies).
//
// The pack is published and installed the way the CLI does it: `npm pack` in the pack's directory (pulumi/pulumi
// v3.259.0 pkg/backend/httpstate/policypack.go Publish → sdk/nodejs/npm/npm.go Pack), the tarball's package/
// directory extracted and its dependencies installed with `npm install --loglevel=error` (policypack.go
// installRequiredPolicy → the Node.js language host's InstallDependencies → npm.go installCmd). It is started as
// the Node.js language host starts a policy pack (sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin):
// `node <@pulumi/pulumi/cmd/run-policy-pack resolved from the pack> <engine address> <pack dir>`, in the pack's
// directory, with PULUMI_NODEJS_{ORGANIZATION,PROJECT,STACK,DRY_RUN}, PULUMI_CONFIG and PULUMI_NODEJS_TYPESCRIPT
// set; run-policy-pack registers ts-node with typeCheck on (@pulumi/pulumi cmd/run-policy-pack/run.ts), so the
// pack must type-check as published. It prints its port and serves pulumirpc.Analyzer (proto/pulumi/analyzer.proto).
//
// It is then driven as the engine drives it during a preview (the language host's policy proxy answers Handshake
// itself and forwards the rest, ConfigureStack first: sdk/policy_proxy.go Attach): ConfigureStack with the
// stack's tags (pkg/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer), GetAnalyzerInfo, Configure with every
// policy's level and schema defaults (pkg/engine/update.go → pkg/resource/analyzer/config.go
// ReconcilePolicyPackConfig), for every resource Remediate and then Analyze with its inputs and the options
// step_generator.go forwards (protect, ignoreChanges, deleteBeforeReplace, additionalSecretOutputs, aliases,
// customTimeouts, parent; no retainOnDelete, no dependsOn), and AnalyzeStack with every resource's outputs,
// parent, dependencies and property dependencies (step_generator.go AnalyzeResources). One pack process judges
// every stack here, each after its own ConfigureStack: the pack keeps nothing of a stack but the tags that call
// sets (pulumi/pulumi-policy v1.21.0 sdk/nodejs/policy/server.ts configureStack). Properties are marshalled as
// analyzer_plugin.go marshals them: KeepUnknowns and KeepSecrets, SkipInternalKeys, no KeepResources
// (sdk/go/common/resource/plugin/rpc.go MarshalPropertyValue).
// Offline, a resource's outputs are its inputs and its ID (as evaluatePolicies takes them). The engine sends a
// component's registered outputs instead (registerOutputs); the zonal services register their published
// containers among them, which is all a stack policy reads of a component. The root stack resource is sent too,
// with the program's outputs; default providers are not (the offline synth has none).
// The verdicts must be the offline gate's: same policies, URNs, levels and messages.
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { parse as parseYaml } from "yaml";
import { GO_IPFS_PORTS } from "../components/ceramic/ipfs";
import { CERAMIC_ONE_PORTS } from "../components/ceramic/ports";
import { PORTS } from "../components/ipfs-cluster/ports";
import { P2P_DEFAULTS as CHAINLINK_P2P_DEFAULTS } from "../components/chainlink/p2p";
import { SynthResourceLike, Violation, evaluatePolicies } from "../policies/evaluate";
import { PACK_NAME, policies } from "../policies/rules/all";
import { allowedPublicPorts } from "../policies/rules/settings";
import { PROJECT } from "../stacks/validate";
import { SynthResource, synthesize } from "../tools/harness";
import { listStacks, readStackFile, ROOT } from "../tools/stackfile";
import { standInMissingSecrets } from "../tools/overrides";
import { LOCAL_PROFILE_POLICY_CONFIG, SynthReport, localProfilePolicyConfigFile, mandatoryViolations } from "../tools/synth";
import { graphCases, graphOf, localGraphCases } from "./conformance/graphs";
import { ROOT_SERVICE, run as runRootService } from "./fixtures/root-service-program";

const POLICIES = path.join(ROOT, "policies");
// The well-known types the generated messages were built with: @pulumi/pulumi's own google-protobuf.
const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
const { Struct } = protoRequire("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb");
const { Empty } = protoRequire("google-protobuf/google/protobuf/empty_pb") as typeof import("google-protobuf/google/protobuf/empty_pb");

// ---------------------------------------------------------------- publishing and starting the pack

function runCommand(command: string, args: string[], cwd: string): string {
    const result = spawnSync(command, args, { cwd, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} in ${cwd} failed (${result.status}): ${result.stderr || result.stdout}`);
    return result.stdout;
}

/** `npm pack` as `pulumi policy publish` runs it, the tarball written to `into`: its path. */
function publish(into: string): string {
    const out = runCommand("npm", ["pack", "--loglevel=error", "--pack-destination", into], POLICIES);
    return path.join(into, out.trim().split("\n").pop()!);
}

/**
 * Where published packs and their dependencies are kept between runs, each under a key of its content: installing
 * takes seconds, and run-policy-pack's ts-node caches what it compiled by the pack's path (ts-node@7.0.1, which
 * @pulumi/pulumi vendors: its cache directory digests the compiler options, which hold the tsconfig's path).
 */
const CACHE = path.join(os.tmpdir(), "web3-nodes-policy-pack");

function keyOf(...contents: (string | Buffer)[]): string {
    const hash = crypto.createHash("sha256");
    for (const c of contents) hash.update(c).update("\0");
    return hash.digest("hex").slice(0, 16);
}

/** Makes `dir` by filling a fresh directory and renaming it into place, so a concurrent run never sees it half made. */
function made(dir: string, fill: (work: string) => void): string {
    if (fs.existsSync(dir)) return dir;
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const work = fs.mkdtempSync(`${dir}-`);
    try {
        fill(work);
        fs.renameSync(work, dir);
    } catch (e) {
        fs.rmSync(work, { recursive: true, force: true });
        if (!fs.existsSync(dir)) throw e;
    }
    return dir;
}

/** The published tarball extracted as the CLI extracts it (its package/ directory), with its dependencies installed. */
function installedPack(tarball: string): string {
    const dir = path.join(CACHE, `pack-${keyOf(fs.readFileSync(tarball))}`);
    // A pack whose dependencies were cleaned away is made again.
    if (fs.existsSync(dir) && !fs.existsSync(path.join(dir, "package", "node_modules"))) fs.rmSync(dir, { recursive: true, force: true });
    made(dir, work => {
        runCommand("tar", ["-xzf", tarball, "-C", work], work);
        fs.symlinkSync(installedDependencies(path.join(work, "package")), path.join(work, "package", "node_modules"), "dir");
    });
    // Packs of earlier versions go after a day.
    for (const entry of fs.readdirSync(CACHE).filter(e => e.startsWith("pack-") && path.join(CACHE, e) !== dir)) {
        const old = path.join(CACHE, entry);
        if (Date.now() - fs.statSync(old).mtimeMs > 86_400_000) fs.rmSync(old, { recursive: true, force: true });
    }
    return path.join(dir, "package");
}

/**
 * The dependencies of an extracted pack, installed with the engine's command from the pack's own package.json and
 * npm-shrinkwrap.json, once per lockfile. Fails when the install changes the lockfile: the published one would not
 * be what runs.
 */
function installedDependencies(packageDir: string): string {
    const manifests = ["package.json", "npm-shrinkwrap.json"].map(f => fs.readFileSync(path.join(packageDir, f), "utf8"));
    return path.join(made(path.join(CACHE, `dependencies-${keyOf(...manifests)}`), work => installDependencies(packageDir, manifests[1], work)), "node_modules");
}

function installDependencies(packageDir: string, shrinkwrap: string, work: string): void {
    for (const f of ["package.json", "npm-shrinkwrap.json"]) fs.copyFileSync(path.join(packageDir, f), path.join(work, f));
    // The engine's `npm install --loglevel=error`; audit and funding notices change nothing installed.
    runCommand("npm", ["install", "--loglevel=error", "--no-audit", "--no-fund"], work);
    const after = fs.readFileSync(path.join(work, "npm-shrinkwrap.json"), "utf8");
    if (JSON.stringify(JSON.parse(after)) !== JSON.stringify(JSON.parse(shrinkwrap))) {
        throw new Error("npm install rewrote the published npm-shrinkwrap.json: it is out of date with policies/package.json (run npm install in policies/)");
    }
}

interface StartedPack {
    child: ChildProcess;
    client: analyzerRpc.AnalyzerClient;
    stderr: string[];
}

/** Starts the pack as the Node.js language host does and connects to the port it prints. */
async function startPack(packageDir: string, env: Record<string, string>): Promise<StartedPack> {
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packageDir] });
    assert.ok(runPolicyPack.startsWith(fs.realpathSync(path.join(packageDir, "node_modules"))), `run-policy-pack resolved outside the pack's dependencies: ${runPolicyPack}`);
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_OPTIONS" && !k.startsWith("TS_NODE_"))) as Record<string, string>;
    // The engine address is the first argument; run-policy-pack drops it, the pack never dials the engine.
    const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:1", packageDir], { cwd: packageDir, env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr!.on("data", chunk => stderr.push(String(chunk)));
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", chunk => {
            out += String(chunk);
            const line = /^(\d+)\n/.exec(out);
            if (line) resolve(Number(line[1]));
        });
        child.on("exit", code => reject(new Error(`the policy pack exited (${code}) before printing its port:\n${out}${stderr.join("")}`)));
    });
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.max_send_message_length": -1, "grpc.max_receive_message_length": -1 });
    return { child, client, stderr };
}

/** A unary call as a promise. */
function call<Res>(send: (callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
    return new Promise((resolve, reject) => send((err, res) => (err ? reject(err) : resolve(res))));
}

// ---------------------------------------------------------------- the engine's requests

/**
 * A value as MarshalProperties sends it with SkipInternalKeys: no key starting with "__", at any depth; and as
 * a property map holds it: no property whose value is undefined (the SDK sends none), null in a list instead.
 */
function marshalled(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(v => (v === undefined ? null : marshalled(v)));
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k, v]) => !k.startsWith("__") && v !== undefined).map(([k, v]) => [k, marshalled(v)]));
}

function structOf(props: Record<string, unknown>): InstanceType<typeof Struct> {
    return Struct.fromJavaScript(marshalled(props) as Parameters<typeof Struct.fromJavaScript>[0]);
}

/** The inputs of a record as the engine holds them: the harness's engine view, else the record's own inputs. */
function inputsOf(r: SynthResourceLike): Record<string, unknown> {
    return r.engine?.inputs ?? r.inputs;
}

/** A Go duration in seconds, as the engine forwards a custom timeout. */
function seconds(duration: string | undefined): number {
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    return [...(duration ?? "").matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)].reduce((total, [, n, unit]) => total + Number(n) * units[unit], 0);
}

/** AnalyzerResourceOptions as step_generator.go builds them and analyzer_plugin.go marshalResourceOptions sends them. */
function engineOptions(r: SynthResourceLike): analyzerPb.AnalyzerResourceOptions {
    const o = r.options ?? {};
    const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(seconds(o.customTimeouts?.create));
    timeouts.setUpdate(seconds(o.customTimeouts?.update));
    timeouts.setDelete(seconds(o.customTimeouts?.delete));
    const options = new analyzerPb.AnalyzerResourceOptions();
    options.setProtect(o.protect === true);
    options.setIgnorechangesList(o.ignoreChanges ?? []);
    options.setDeletebeforereplace(o.deleteBeforeReplace === true);
    options.setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined);
    options.setAdditionalsecretoutputsList(o.additionalSecretOutputs ?? []);
    options.setAliasesList([]);
    options.setCustomtimeouts(timeouts);
    options.setParent(r.parent ?? "");
    return options;
}

function analyzeRequest(r: SynthResourceLike): analyzerPb.AnalyzeRequest {
    const request = new analyzerPb.AnalyzeRequest();
    request.setUrn(r.urn);
    request.setType(r.type);
    request.setName(r.name);
    request.setProperties(structOf(inputsOf(r)));
    request.setOptions(engineOptions(r));
    return request;
}

/** A resource of AnalyzeStack: its outputs (offline: its inputs and its ID, as evaluatePolicies takes them). */
function stackResource(r: SynthResourceLike, outputs?: Record<string, unknown>): analyzerPb.AnalyzerResource {
    const resource = new analyzerPb.AnalyzerResource();
    resource.setUrn(r.urn);
    resource.setType(r.type);
    resource.setName(r.name);
    const inputs = inputsOf(r);
    resource.setProperties(structOf(outputs ?? (r.id && inputs.id === undefined ? { ...inputs, id: r.id } : inputs)));
    resource.setOptions(engineOptions(r));
    resource.setParent(r.parent ?? "");
    resource.setDependenciesList(r.engine?.dependencies ?? []);
    for (const [key, urns] of Object.entries(r.engine?.propertyDependencies ?? {})) {
        if (urns.length === 0) continue;
        const dependencies = new analyzerPb.AnalyzerPropertyDependencies();
        dependencies.setUrnsList(urns);
        resource.getPropertydependenciesMap().set(key, dependencies);
    }
    return resource;
}

/** The stack tags the engine sends: Pulumi.yaml's (pkg/backend/stack.go GetEnvironmentTagsForCurrentStack), and `profile`. */
function stackTags(profile: string): Record<string, string> {
    const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
        name: string;
        description?: string;
        runtime: string | { name: string };
        config?: Record<string, { value?: Record<string, string> }>;
    };
    return {
        "pulumi:project": project.name,
        "pulumi:runtime": typeof project.runtime === "string" ? project.runtime : project.runtime.name,
        ...(project.description ? { "pulumi:description": project.description } : {}),
        ...(project.config?.["pulumi:tags"]?.value ?? {}),
        // The tag the pack's profile-tuned rules read (policies/rules/hygiene.ts profileOf).
        profile,
    };
}

interface StackUnderTest {
    stack: string;
    profile: string;
    /** Stack config, as ConfigureStack carries it (raw values). */
    config: Record<string, string>;
    resources: readonly SynthResourceLike[];
    /** The program's outputs: the root stack resource's outputs. */
    outputs: Record<string, unknown>;
}

/** A verdict in one form for both sides. */
interface Verdict {
    policy: string;
    level: string;
    urn: string;
    message: string;
}

const LEVELS: Record<number, string> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
};

const byKey = (a: Verdict, b: Verdict) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** A violation as evaluatePolicies and the offline synth's report both hold it. */
type OfflineViolation = Pick<Violation, "policy" | "urn" | "message"> & { enforcementLevel: string };

function offlineVerdicts(violations: readonly OfflineViolation[]): Verdict[] {
    return violations.map(v => ({ policy: v.policy, level: v.enforcementLevel, urn: v.urn, message: v.message })).sort(byKey);
}

/**
 * The diagnostics as verdicts. The policy SDK prefixes a message with the policy's description and a newline
 * (pulumi/pulumi-policy sdk/nodejs/policy/server.ts makeReportViolationFun); a diagnostic without a URN is the
 * resource analyzed, or the stack for AnalyzeStack.
 */
function engineVerdicts(diagnostics: analyzerPb.AnalyzeDiagnostic[], urnOf: (d: analyzerPb.AnalyzeDiagnostic) => string): Verdict[] {
    return diagnostics.map(d => {
        const prefix = `${d.getDescription()}\n`;
        const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
        return { policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()], urn: urnOf(d), message };
    });
}

let pack: StartedPack;
let scratch: string;
let packageDir: string;
let analyzerInfo: analyzerPb.AnalyzerInfo;

/** ConfigureStack as NewPolicyAnalyzer sends it during a preview. */
async function configureStack(s: Pick<StackUnderTest, "stack" | "profile" | "config">): Promise<void> {
    const configure = new analyzerPb.AnalyzerStackConfigureRequest();
    configure.setStack(s.stack);
    configure.setProject(PROJECT);
    configure.setOrganization("organization");
    configure.setDryRun(true);
    for (const [k, v] of Object.entries(stackTags(s.profile))) configure.getTagsMap().set(k, v);
    for (const [k, v] of Object.entries(s.config)) configure.getConfigMap().set(k, v);
    await call<analyzerPb.AnalyzerStackConfigureResponse>(callback => pack.client.configureStack(configure, callback));
}

/**
 * The engine configures every policy with its level and its schema's defaults (ReconcilePolicyPackConfig); a
 * policy pack config file (`--policy-pack-config`) sets the level of the policies it names.
 */
async function configurePolicies(file: Record<string, unknown> = {}): Promise<void> {
    const configure = new analyzerPb.ConfigureAnalyzerRequest();
    const byName = Object.fromEntries(Object.entries(LEVELS).map(([level, name]) => [name, Number(level)]));
    for (const p of analyzerInfo.getPoliciesList()) {
        const config = new analyzerPb.PolicyConfig();
        const given = (file[p.getName()] as { enforcementLevel?: string } | undefined)?.enforcementLevel;
        config.setEnforcementlevel(given === undefined ? p.getEnforcementlevel() : byName[given]);
        const defaults = Object.entries((p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, { default?: unknown }>)
            .filter(([, schema]) => schema.default !== undefined)
            .map(([key, schema]) => [key, schema.default]);
        config.setProperties(Struct.fromJavaScript(Object.fromEntries(defaults)));
        configure.getPolicyconfigMap().set(p.getName(), config);
    }
    await call<unknown>(callback => pack.client.configure(configure, callback));
}

/** Everything the engine asks of the pack for one stack during a preview, and the verdicts it gets. */
async function judgeUnderEngine(s: StackUnderTest): Promise<Verdict[]> {
    await configureStack(s);

    const stackUrn = `urn:pulumi:${s.stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${s.stack}`;
    // The root stack resource is a resource like any other to the engine: no inputs, the program's outputs.
    const root: SynthResourceLike = { urn: stackUrn, type: "pulumi:pulumi:Stack", name: `${PROJECT}-${s.stack}`, parent: "", inputs: {} };
    const analyzed = await Promise.all([root, ...s.resources].map(async r => {
        // The engine asks for remediations before analysing; the pack has none to make.
        const remediated = await call<analyzerPb.RemediateResponse>(callback => pack.client.remediate(analyzeRequest(r), callback));
        assert.deepStrictEqual(remediated.getRemediationsList(), [], `a remediation of ${r.urn}`);
        const response = await call<analyzerPb.AnalyzeResponse>(callback => pack.client.analyze(analyzeRequest(r), callback));
        return engineVerdicts(response.getDiagnosticsList(), d => d.getUrn() || r.urn);
    }));
    const stackRequest = new analyzerPb.AnalyzeStackRequest();
    stackRequest.setResourcesList([stackResource(root, s.outputs), ...s.resources.map(r => stackResource(r))]);
    const stackResponse = await call<analyzerPb.AnalyzeResponse>(callback => pack.client.analyzeStack(stackRequest, callback));
    return [...analyzed.flat(), ...engineVerdicts(stackResponse.getDiagnosticsList(), d => d.getUrn() || stackUrn)].sort(byKey);
}

/** The offline verdicts and the engine's for one stack, compared; the verdicts returned. */
async function expectSameVerdicts(s: StackUnderTest, offline: readonly OfflineViolation[]): Promise<Verdict[]> {
    const expected = offlineVerdicts(offline);
    assert.deepStrictEqual(await judgeUnderEngine(s), expected);
    return expected;
}

// ---------------------------------------------------------------- deliberately bad programs

interface BadProgram {
    label: string;
    program: () => Promise<Record<string, unknown> | undefined>;
    /** Stack config, as the CLI hands it over. */
    config?: () => Record<string, string>;
    previewOfNewStack?: boolean;
    /** What the verdicts must show besides being the same on both sides. */
    expect: (verdicts: Verdict[], resources: SynthResource[]) => void;
}

const CLUSTER_SECRET = "d3b07384d113edec49eaa6238ad5ff00";
/** The engine's unknown sentinel (sdk/go/common/resource/plugin/rpc.go UnknownStringValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const has = (verdicts: Verdict[], policy: string, name: string) => verdicts.some(v => v.policy === policy && v.urn.endsWith(`::${name}`));

const BAD_PROGRAMS: BadProgram[] = [
    {
        label: "a volume with protect and without retainOnDelete",
        program: async () => {
            new aws.efs.FileSystem("protected-only", { encrypted: true }, { protect: true });
            return {};
        },
        expect: verdicts => assert.ok(!has(verdicts, "stateful-resources-protected", "protected-only"), "protect alone keeps the volume"),
    },
    {
        label: "a volume with retainOnDelete and without protect",
        program: async () => {
            new aws.efs.FileSystem("retained-only", { encrypted: true }, { retainOnDelete: true });
            return {};
        },
        expect: verdicts => assert.ok(has(verdicts, "stateful-resources-protected", "retained-only"), "retainOnDelete is invisible to the engine's policies"),
    },
    {
        label: "a Pulumi secret in a task definition's environment and in a VM's metadata",
        program: async () => {
            const definitions = pulumi.jsonStringify([{
                name: "cluster",
                image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web3-test/dockerhub/ipfs/ipfs-cluster:v1.1.4",
                user: "1000:100",
                essential: true,
                environment: [{ name: "CLUSTER_SECRET", value: pulumi.secret(CLUSTER_SECRET) }],
            }]);
            new aws.ecs.TaskDefinition("secret-env", { family: "secret-env", containerDefinitions: definitions, requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512" });
            new gcp.compute.InstanceTemplate("secret-metadata", {
                machineType: "e2-small",
                disks: [{ boot: true, sourceImage: "cos-cloud/cos-stable" }],
                networkInterfaces: [{ network: "default" }],
                metadata: { "cluster-secret": pulumi.secret(CLUSTER_SECRET) },
            });
            return {};
        },
        expect: (verdicts, resources) => {
            assert.ok(has(verdicts, "no-plaintext-secrets", "secret-env"), "the secret in the environment is reported");
            assert.ok(has(verdicts, "no-plaintext-secrets", "secret-metadata"), "the secret in metadata is reported");
            assert.ok(verdicts.every(v => !v.message.includes(CLUSTER_SECRET)), "a message repeats the secret");
            // The JSON contract keeps the mask; only the engine view holds the plain text.
            const task = resources.find(r => r.name === "secret-env")!;
            assert.strictEqual(task.inputs.containerDefinitions, "[secret]");
            assert.ok(!JSON.stringify(resources).includes(CLUSTER_SECRET));
        },
    },
    {
        label: "a backup policy and a versioning tied to their data by dependsOn only",
        program: async () => {
            const fileSystem = new aws.efs.FileSystem("fs-by-depends-on", { encrypted: true }, { protect: true });
            new aws.efs.BackupPolicy("backup-by-depends-on", { fileSystemId: "fs-elsewhere", backupPolicy: { status: "ENABLED" } }, { dependsOn: [fileSystem] });
            const bucket = new aws.s3.Bucket("bucket-by-depends-on", { bucket: "bucket-by-depends-on" }, { protect: true });
            new aws.s3.BucketVersioning("versioning-by-depends-on", { bucket: "bucket-elsewhere", versioningConfiguration: { status: "Enabled" } }, { dependsOn: [bucket] });
            return {};
        },
        expect: (verdicts, resources) => {
            // Sent to the engine as dependencies, read by no rule: the data counts as not backed up.
            const backup = resources.find(r => r.name === "backup-by-depends-on")!;
            assert.ok(backup.engine!.dependencies.some(u => u.endsWith("::fs-by-depends-on")));
            assert.ok(has(verdicts, "stateful-resources-backup-attached", "fs-by-depends-on"));
            assert.ok(has(verdicts, "stateful-resources-backup-attached", "bucket-by-depends-on"));
        },
    },
    {
        label: "the preview of a new stack: a zonal service whose container runs as root, its task definition unknown",
        previewOfNewStack: true,
        // The dev stack on AWS without its workloads: the foundation, and the root service alone.
        config: () => {
            const file = readStackFile("dev");
            const config = { ...file.config, [`${PROJECT}:cloud`]: "aws", [`${PROJECT}:ipfsCluster`]: '{"enabled":false}', [`${PROJECT}:ceramic`]: '{"enabled":false}' };
            const { invalid } = standInMissingSecrets(config, new Set(file.secretKeys), "bad");
            if (invalid) throw invalid;
            return config;
        },
        program: runRootService,
        expect: (verdicts, resources) => {
            const task = resources.find(r => r.parent?.endsWith(`::${ROOT_SERVICE.service}`) && r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
            assert.strictEqual(task.engine!.inputs.containerDefinitions, UNKNOWN, "the task definition is unknown in this preview");
            assert.ok(has(verdicts, "containers-run-as-non-root", ROOT_SERVICE.service), "the root container is caught on its service");
        },
    },
    {
        label: "the preview of a new stack: a VM whose boot document is unknown",
        previewOfNewStack: true,
        program: async () => {
            const account = new gcp.serviceaccount.Account("vm", { accountId: "vm" });
            // Built from another resource's output: unknown until that resource exists.
            const userData = account.email.apply(email => `#cloud-config\nruncmd:\n- docker run --user 0:0 --env SA=${email} busybox:1.36.1\n`);
            new gcp.compute.InstanceTemplate("unknown-boot", {
                machineType: "e2-small",
                disks: [{ boot: true, sourceImage: "cos-cloud/cos-stable" }],
                networkInterfaces: [{ network: "default" }],
                metadata: { "user-data": userData, "google-logging-enabled": "true" },
            });
            return {};
        },
        expect: (_verdicts, resources) => {
            const template = resources.find(r => r.name === "unknown-boot")!;
            assert.strictEqual((template.engine!.inputs.metadata as Record<string, unknown>)["user-data"], UNKNOWN, "the boot document is unknown in this preview");
        },
    },
];

// ---------------------------------------------------------------- the tests

describe("the policy pack as the engine runs it", function () {
    this.timeout(120_000);

    before(async function () {
        this.timeout(300_000);
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "web3-nodes-policy-publish-"));
        packageDir = installedPack(publish(scratch));
        const dev = readStackFile(listStacks()[0]);
        pack = await startPack(packageDir, {
            PULUMI_NODEJS_TYPESCRIPT: "true",
            PULUMI_NODEJS_ORGANIZATION: "organization",
            PULUMI_NODEJS_PROJECT: PROJECT,
            PULUMI_NODEJS_STACK: dev.stack,
            PULUMI_NODEJS_DRY_RUN: "true",
            PULUMI_CONFIG: JSON.stringify(dev.config),
        });
        // The proxy forwards ConfigureStack as soon as the pack is up, before the engine's first call.
        await configureStack({ stack: dev.stack, profile: dev.config[`${PROJECT}:profile`] ?? "dev", config: dev.config });
        analyzerInfo = await call<analyzerPb.AnalyzerInfo>(callback => pack.client.getAnalyzerInfo(new Empty(), callback));
        await configurePolicies();
    });

    after(() => {
        pack?.client.close();
        pack?.child.kill();
        if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    describe("published", () => {
        it("imports nothing from outside policies/: a published pack carries only that directory", () => {
            const outside: string[] = [];
            const walk = (dir: string) => {
                for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                    const file = path.join(dir, entry.name);
                    if (entry.isDirectory()) {
                        if (entry.name !== "node_modules" && entry.name !== "bin") walk(file);
                    } else if (entry.name.endsWith(".ts")) {
                        for (const [, specifier] of fs.readFileSync(file, "utf8").matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)) {
                            if (specifier.startsWith(".") && !path.resolve(dir, specifier).startsWith(POLICIES + path.sep)) outside.push(`${path.relative(ROOT, file)}: ${specifier}`);
                        }
                    }
                }
            };
            walk(POLICIES);
            assert.deepStrictEqual(outside, []);
        });

        it("keeps the swarm ports it allows in public equal to the program's", () => {
            assert.deepStrictEqual(allowedPublicPorts.default, [
                PORTS.kuboSwarm, PORTS.kuboSwarmQuic, GO_IPFS_PORTS.swarmWs, GO_IPFS_PORTS.swarmWsBehindTls,
                CERAMIC_ONE_PORTS.swarmTcp, CERAMIC_ONE_PORTS.swarmQuic, CHAINLINK_P2P_DEFAULTS.port,
            ]);
        });

        it("publishes its policies, its tsconfig and its lockfile, and nothing of the offline tooling", () => {
            const files = fs.readdirSync(packageDir).filter(f => f !== "node_modules").sort();
            assert.deepStrictEqual(files, ["PulumiPolicy.yaml", "index.ts", "npm-shrinkwrap.json", "package.json", "rules", "tsconfig.json"]);
            assert.deepStrictEqual(fs.readdirSync(path.join(packageDir, "rules")).sort(), fs.readdirSync(path.join(POLICIES, "rules")).sort());
        });

        it("starts as the engine starts it, type-checked by run-policy-pack's ts-node, and lists every policy", () => {
            assert.strictEqual(analyzerInfo.getName(), PACK_NAME);
            assert.strictEqual(analyzerInfo.getVersion(), JSON.parse(fs.readFileSync(path.join(POLICIES, "package.json"), "utf8")).version);
            assert.ok(analyzerInfo.getSupportsconfig());
            assert.deepStrictEqual(
                analyzerInfo.getPoliciesList().map(p => [p.getName(), LEVELS[p.getEnforcementlevel()]]),
                policies.map(p => [p.name, p.enforcementLevel]),
            );
            assert.deepStrictEqual(pack.stderr.join(""), "");
        });
    });

    describe("same verdicts as the offline gate", () => {
        for (const c of graphCases().filter(g => listStacks().includes(g.request.stack) && g.request.set === undefined && g.request.stackName === undefined)) {
            it(`${c.label}, judged with the profile as the stack tag`, async () => {
                const report: SynthReport = await graphOf(c);
                const profile = String(report.outputs.profile);
                await expectSameVerdicts({ stack: report.stack, profile, config: readStackFile(report.stack).config, resources: report.resources, outputs: report.outputs }, report.policy.violations);
                assert.deepStrictEqual(mandatoryViolations(report), []);
            });
        }

        for (const c of localGraphCases()) {
            it(`${c.label}, judged with the profile as the stack tag and the local profile's policy config (${path.relative(ROOT, LOCAL_PROFILE_POLICY_CONFIG)})`, async () => {
                const report: SynthReport = await graphOf(c);
                await configurePolicies(localProfilePolicyConfigFile());
                try {
                    const verdicts = await expectSameVerdicts({ stack: report.stack, profile: String(report.outputs.profile), config: readStackFile(report.stack).config, resources: report.resources, outputs: report.outputs }, report.policy.violations);
                    assert.ok(verdicts.some(v => v.level === "advisory" && v.policy === "images-pulled-through-mirror"), "the mirror is advisory on the local profile");
                } finally {
                    await configurePolicies();
                }
                assert.deepStrictEqual(mandatoryViolations(report), []);
            });
        }

        for (const bad of BAD_PROGRAMS) {
            it(`a deliberately bad program: ${bad.label}`, async () => {
                const result = await synthesize({ project: PROJECT, stack: "bad", config: bad.config?.() ?? {}, program: bad.program, previewOfNewStack: bad.previewOfNewStack });
                const offline = evaluatePolicies(result.resources, { stackTags: stackTags("prod") });
                const verdicts = await expectSameVerdicts({ stack: "bad", profile: "prod", config: {}, resources: result.resources, outputs: result.outputs }, offline);
                bad.expect(verdicts, result.resources);
            });
        }
    });
});
