// The offline synth: runs the real program for a stack file against mock providers, prints the resource
// tree (or the JSON contract with --json) and the policy verdicts. Exit codes: 0 clean, 1 a mandatory
// policy violation, 2 invalid configuration, stack file or usage (one line each, no stack trace), 3 the
// program failed otherwise. A required secret the file does not set, or sets encrypted, is stood in by an
// example value, and the synth says so (tools/overrides.ts).
import * as path from "path";
import { Cloud } from "../components/topology";
import * as fs from "fs";
import { evaluatePolicies } from "../policies/evaluate";
import { LOCAL_PROFILE } from "../policies/rules/localProfile";
import { run } from "../stacks/program";
import { ALL_CLOUDS, DEFAULT_REGION } from "../stacks/config";
import { ConfigError, HIDDEN, PROJECT } from "../stacks/validate";
import { InvokeCall, SynthResource, synthesize } from "./harness";
import { ACCOUNT_ZONES } from "./mocks/aws";
import { UsageError, parseKeyPath, replaces, setPath, standInMissingSecrets, standInNotice } from "./overrides";
import { QuotaNeed, quotaNeeds, renderQuotas } from "./quotas";
import { StackFileError, readStackFile } from "./stackfile";

export interface Violation {
    policy: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

/** The `--json` contract. */
export interface SynthReport {
    stack: string;
    cloud: Cloud;
    project: string;
    resources: SynthResource[];
    outputs: Record<string, unknown>;
    policy: { violations: Violation[] };
    /** What the stack needs of each quota a default account or project may not cover (tools/quotas.ts). */
    quotas: QuotaNeed[];
    /**
     * Full key paths of the secrets the synth stood in with example values: required ones the stack file does
     * not set, and encrypted ones it cannot decrypt. A real deployment has the real values, or stops.
     */
    standIns: string[];
}

export interface SynthRequest {
    /** The stack file read: Pulumi.<stack>.yaml. */
    stack: string;
    /** The stack's name as the program sees it, when it is not the file's (another stack sharing its config). */
    stackName?: string;
    cloud?: Cloud;
    /**
     * Extra config on top of the stack file: a key path as `pulumi config set --path` takes it (the project's
     * namespace when none is given: `network.cidr`, `chainlink.nodes[0].name`, `aws:region`) to a value.
     */
    set?: Record<string, unknown>;
    /** Like `set`, as `pulumi config set --secret --path` does: the value's top-level key becomes secret. */
    secrets?: Record<string, unknown>;
    /** Runs this instead of the real program (tests feed deliberately bad programs). */
    program?: () => Promise<Record<string, unknown> | undefined>;
    /** Told each line about what the synth stood in, before the program runs (main writes them to stderr). */
    onNotice?: (line: string) => void;
}

/** Applies --set and --secret values; a path the config cannot take is a UsageError naming the flag. */
function applyOverrides(config: Record<string, string>, secretKeys: Set<string>, request: SynthRequest): void {
    const apply = (flag: string, values: Record<string, unknown> | undefined, secret: boolean) => {
        for (const [keyPath, value] of Object.entries(values ?? {})) {
            try {
                setPath(config, keyPath, value);
                if (secret) secretKeys.add(parseKeyPath(keyPath).fullKey);
            } catch (e) {
                if (!(e instanceof UsageError)) throw e;
                const shown = secret ? HIDDEN : typeof value === "string" ? value : JSON.stringify(value);
                throw new UsageError(`${flag} ${keyPath}=${shown}: ${e.message}`);
            }
        }
    };
    apply("--set", request.set, false);
    apply("--secret", request.secrets, true);
}

/** The invokes behind each report, kept beside it: they are not part of the `--json` contract. */
const invokesByReport = new WeakMap<SynthReport, InvokeCall[]>();

/** Every invoke the program made while producing `report`, in order. */
export function invokesOf(report: SynthReport): InvokeCall[] {
    const invokes = invokesByReport.get(report);
    if (!invokes) throw new Error(`no invokes recorded for the report of stack ${report.stack}: it was not made by synthStack`);
    return invokes;
}

/**
 * The program asks AWS for the account's zones in its region; offline, a mock account answers, and it knows a
 * few regions (tools/mocks/aws.ts ACCOUNT_ZONES). Any other region is said in one line, before the program runs.
 */
function offlineRegionProblem(config: Record<string, string>): string | undefined {
    if ((config[`${PROJECT}:cloud`] ?? "aws") !== "aws") return undefined;
    const region = (JSON.parse(config[`${PROJECT}:aws`] ?? "{}") as { region?: string }).region ?? DEFAULT_REGION.aws;
    if (region in ACCOUNT_ZONES) return undefined;
    return `${PROJECT}:aws.region = ${JSON.stringify(region)}: the offline synth's mock account knows the Availability Zones of ` +
        `${Object.keys(ACCOUNT_ZONES).join(" and ")} only; a real preview asks AWS for the account's zones in ${region}`;
}

export async function synthStack(request: SynthRequest): Promise<SynthReport> {
    const file = readStackFile(request.stack);
    const config = { ...file.config };
    if (request.cloud) config[`${PROJECT}:cloud`] = request.cloud;
    const secretKeys = new Set(file.secretKeys);
    applyOverrides(config, secretKeys, request);
    const stack = request.stackName ?? request.stack;
    // Judged before the program runs, as the program does first: it stops with the same ConfigError.
    const { standIns: notSet, invalid } = standInMissingSecrets(config, secretKeys, stack);
    const given = [...Object.keys(request.set ?? {}), ...Object.keys(request.secrets ?? {})];
    const encrypted = file.encrypted.filter(k => !given.some(keyPath => replaces(keyPath, k)));
    if (!invalid) {
        const regionWrong = offlineRegionProblem(config);
        if (regionWrong) throw new UsageError(regionWrong);
    }
    for (const line of standInNotice(file.file, notSet, encrypted)) request.onNotice?.(line);
    if (invalid) throw invalid;
    const result = await synthesize({
        project: PROJECT,
        stack,
        config,
        secretKeys: [...secretKeys],
        program: request.program ?? run,
    });
    const cloud = (config[`${PROJECT}:cloud`] ?? "aws") as Cloud;
    // The pack reads the stack's profile from the stack tag `profile`, which the engine sends and CI sets from
    // the stack's config (.github/scripts/prepare-stack.sh); the synth hands it over the same way. A program
    // that exports no profile (a test fixture) leaves the pack's own default.
    const profile = result.outputs.profile ?? config[`${PROJECT}:profile`];
    // The local stack runs the pack with its cloud-only policies advisory, as `pulumi up` is told to (README).
    const policyConfig = profile === LOCAL_PROFILE ? localProfilePolicyConfigFile() : undefined;
    const violations = evaluatePolicies(result.resources, { stackTags: typeof profile === "string" ? { profile } : {}, config: policyConfig });
    const report: SynthReport = { stack, cloud, project: PROJECT, resources: result.resources, outputs: result.outputs, policy: { violations }, quotas: quotaNeeds(cloud, result.resources), standIns: [...notSet, ...encrypted] };
    invokesByReport.set(report, result.invokes);
    return report;
}

/** The policy config file the local stack's preview and up are given (--policy-pack-config). */
export const LOCAL_PROFILE_POLICY_CONFIG = path.join(__dirname, "..", "policies", "local-profile.json");

export function localProfilePolicyConfigFile(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(LOCAL_PROFILE_POLICY_CONFIG, "utf8")) as Record<string, unknown>;
}

export function mandatoryViolations(report: SynthReport): Violation[] {
    return report.policy.violations.filter(v => v.enforcementLevel === "mandatory");
}

/** The resource tree grouped by component, cloud resources counted by type. */
export function renderTree(report: SynthReport): string {
    const byParent = new Map<string | null, SynthResource[]>();
    for (const r of report.resources) {
        const list = byParent.get(r.parent) ?? [];
        list.push(r);
        byParent.set(r.parent, list);
    }
    const known = new Set(report.resources.map(r => r.urn));
    const lines: string[] = [];
    const countUnder = (urn: string): number => (byParent.get(urn) ?? []).reduce((n, c) => n + 1 + countUnder(c.urn), 0);
    const walk = (urn: string | null, indent: string, roots: SynthResource[]) => {
        const components = roots.filter(r => !r.custom);
        const custom = roots.filter(r => r.custom);
        const counts = new Map<string, number>();
        for (const c of custom) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
        for (const [type, n] of [...counts].sort()) lines.push(`${indent}${type} x${n}`);
        for (const c of components) {
            lines.push(`${indent}${c.type} ${c.name} (${countUnder(c.urn)} resources)`);
            walk(c.urn, indent + "    ", byParent.get(c.urn) ?? []);
        }
    };
    const roots = report.resources.filter(r => r.parent === null || !known.has(r.parent));
    const customCount = report.resources.filter(r => r.custom).length;
    lines.push(`${report.project} stack ${report.stack} on ${report.cloud}: ${report.resources.length} resources (${report.resources.length - customCount} components, ${customCount} cloud resources)`);
    walk(null, "  ", roots);
    lines.push("outputs:");
    for (const [k, v] of Object.entries(report.outputs)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
    const region = String(report.outputs.region ?? "the stack's region");
    lines.push(`quotas in ${region}:`, ...(report.cloud === "docker" ? ["  none: a local Docker engine has no quotas"] : renderQuotas(report.quotas, report.cloud, region)));
    const violations = report.policy.violations;
    lines.push(`policy: ${violations.length === 0 ? "no violations" : `${violations.length} violation(s)`}`);
    for (const v of violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.urn}\n      ${v.message}`);
    return lines.join("\n");
}

const USAGE = "usage: npm run synth -- <stack> [--cloud aws|gcp|docker] [--json] [--set key=value ...] [--secret key=value ...] [--program file.ts]";

/** `key=value` of --set and --secret: the key a path (parseKeyPath), the value JSON when it parses, else text. */
function keyValue(flag: string, argument: string | undefined, secret: boolean): [string, unknown] {
    const eq = argument?.indexOf("=") ?? -1;
    if (argument === undefined || eq <= 0) {
        const shown = argument === undefined ? "nothing" : secret ? "a value without key=" : JSON.stringify(argument);
        throw new UsageError(`${flag} takes key=value, such as ${flag} network.natAddresses=2; it was given ${shown}`);
    }
    const key = argument.slice(0, eq);
    try {
        parseKeyPath(key);
    } catch (e) {
        throw new UsageError(`${flag} ${key}=${secret ? HIDDEN : argument.slice(eq + 1)}: ${(e as Error).message}`);
    }
    const raw = argument.slice(eq + 1);
    try {
        return [key, JSON.parse(raw)];
    } catch {
        return [key, raw];
    }
}

export function parseArgs(argv: string[]): SynthRequest & { json: boolean } {
    const positional: string[] = [];
    let cloud: Cloud | undefined;
    let json = false;
    const set: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    let program: SynthRequest["program"];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--json") json = true;
        else if (a === "--cloud") {
            const v = argv[++i];
            if (!ALL_CLOUDS.includes(v as Cloud)) throw new UsageError(`--cloud ${v === undefined ? "needs a value" : JSON.stringify(v)}: allowed: ${ALL_CLOUDS.join(", ")}`);
            cloud = v as Cloud;
        } else if (a === "--set" || a === "--secret") {
            const [key, value] = keyValue(a, argv[++i], a === "--secret");
            (a === "--set" ? set : secrets)[key] = value;
        } else if (a === "--program") {
            const file = argv[++i];
            if (!file) throw new UsageError("--program needs a file exporting run()");
            program = loadProgram(file);
        } else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}; ${USAGE}`);
        else positional.push(a);
    }
    if (positional.length !== 1) throw new UsageError(`name exactly one stack (given ${positional.length}); ${USAGE}`);
    return { stack: positional[0], cloud, json, set, secrets, program };
}

/** Another program to synthesize with the stack's config, e.g. a fixture that must fail the gate. */
function loadProgram(file: string): NonNullable<SynthRequest["program"]> {
    let mod: { run?: SynthRequest["program"] };
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require(path.resolve(file)) as typeof mod;
    } catch (e) {
        throw new UsageError(`--program ${file}: cannot load it: ${(e as Error).message.split("\n")[0]}`);
    }
    if (typeof mod.run !== "function") throw new UsageError(`--program ${file}: the module must export run()`);
    return mod.run;
}

/** Where main writes: the process's streams, or a test's buffers. */
export interface SynthIo {
    out(text: string): Promise<void>;
    err(text: string): void;
}

const processIo: SynthIo = {
    // Written before exiting: into a pipe, process.exit would cut the output at the pipe's buffer (64 KiB).
    out: text => new Promise<void>((resolve, reject) => process.stdout.write(text, e => (e ? reject(e) : resolve()))),
    err: text => void process.stderr.write(text),
};

/** The command: arguments in, exit code out. A problem of the input is one line (a list for configuration), never a stack trace. */
export async function main(argv: string[], io: SynthIo = processIo): Promise<number> {
    let report: SynthReport;
    let json: boolean;
    try {
        const request = parseArgs(argv);
        json = request.json;
        report = await synthStack({ ...request, onNotice: line => io.err(`${line}\n`) });
    } catch (e) {
        if (e instanceof ConfigError || e instanceof StackFileError || e instanceof UsageError) {
            io.err(`${e.message}\n`);
            return 2;
        }
        io.err(`synth failed: ${(e as Error).stack ?? e}\n`);
        return 3;
    }
    await io.out(json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTree(report)}\n`);
    const mandatory = mandatoryViolations(report);
    if (mandatory.length > 0) {
        io.err(`${mandatory.length} mandatory policy violation(s):\n`);
        for (const v of mandatory) io.err(`  ${v.policy}: ${v.urn}\n    ${v.message}\n`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(code => process.exit(code), e => {
        process.stderr.write(`${e}\n`);
        process.exit(3);
    });
}
