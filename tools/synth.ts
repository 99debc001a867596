// The offline synth: runs the real program for a stack file against mock providers, prints the resource
// tree (or the JSON contract with --json) and the policy verdicts. Exit codes: 0 clean, 1 a mandatory
// policy violation, 2 invalid configuration or usage, 3 the program failed otherwise.
import * as path from "path";
import { Cloud } from "../components/topology";
import { evaluatePolicies } from "../policies/evaluate";
import { run } from "../stacks/program";
import { CLOUDS } from "../stacks/config";
import { ConfigError, PROJECT } from "../stacks/validate";
import { InvokeCall, SynthResource, synthesize } from "./harness";
import { QuotaNeed, quotaNeeds, renderQuotas } from "./quotas";
import { readStackFile } from "./stackfile";

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
}

export interface SynthRequest {
    /** The stack file read: Pulumi.<stack>.yaml. */
    stack: string;
    /** The stack's name as the program sees it, when it is not the file's (another stack sharing its config). */
    stackName?: string;
    cloud?: Cloud;
    /** Extra config on top of the stack file: key (without the project prefix) to a value (objects allowed). */
    set?: Record<string, unknown>;
    /** Like `set`, as `pulumi config set --secret --path` does: the value's top-level key becomes secret. */
    secrets?: Record<string, unknown>;
    /** Runs this instead of the real program (tests feed deliberately bad programs). */
    program?: () => Promise<Record<string, unknown> | undefined>;
}

/** Sets `a.b.c` as `pulumi config set --path` does: inside the JSON object of the top-level key. */
function setPath(config: Record<string, string>, keyPath: string, value: unknown): void {
    const [top, ...rest] = keyPath.split(".");
    const fullKey = `${PROJECT}:${top}`;
    if (rest.length === 0) {
        config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        return;
    }
    const root = config[fullKey] ? JSON.parse(config[fullKey]) : {};
    let node = root;
    for (const part of rest.slice(0, -1)) node = node[part] ??= {};
    node[rest[rest.length - 1]] = value;
    config[fullKey] = JSON.stringify(root);
}

/** The invokes behind each report, kept beside it: they are not part of the `--json` contract. */
const invokesByReport = new WeakMap<SynthReport, InvokeCall[]>();

/** Every invoke the program made while producing `report`, in order. */
export function invokesOf(report: SynthReport): InvokeCall[] {
    const invokes = invokesByReport.get(report);
    if (!invokes) throw new Error(`no invokes recorded for the report of stack ${report.stack}: it was not made by synthStack`);
    return invokes;
}

export async function synthStack(request: SynthRequest): Promise<SynthReport> {
    const file = readStackFile(request.stack);
    const config = { ...file.config };
    if (request.cloud) config[`${PROJECT}:cloud`] = request.cloud;
    for (const [keyPath, value] of Object.entries(request.set ?? {})) setPath(config, keyPath, value);
    const secretKeys = new Set(file.secretKeys);
    for (const [keyPath, value] of Object.entries(request.secrets ?? {})) {
        setPath(config, keyPath, value);
        secretKeys.add(`${PROJECT}:${keyPath.split(".")[0]}`);
    }
    const stack = request.stackName ?? request.stack;
    const result = await synthesize({
        project: PROJECT,
        stack,
        config,
        secretKeys: [...secretKeys],
        program: request.program ?? run,
    });
    const cloud = (config[`${PROJECT}:cloud`] ?? "aws") as Cloud;
    // Policies tuned by profile (burstable classes) read it from the program's own output, not the raw file.
    const profile = result.outputs.profile === "dev" ? "dev" : "prod";
    const violations = evaluatePolicies(result.resources, { config: { profile } });
    const report: SynthReport = { stack, cloud, project: PROJECT, resources: result.resources, outputs: result.outputs, policy: { violations }, quotas: quotaNeeds(cloud, result.resources) };
    invokesByReport.set(report, result.invokes);
    return report;
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
    lines.push(`quotas in ${region}:`, ...renderQuotas(report.quotas, report.cloud, region));
    const violations = report.policy.violations;
    lines.push(`policy: ${violations.length === 0 ? "no violations" : `${violations.length} violation(s)`}`);
    for (const v of violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.urn}\n      ${v.message}`);
    return lines.join("\n");
}

const USAGE = "usage: npm run synth -- <stack> [--cloud aws|gcp] [--json] [--set key=value ...] [--program file.ts]";

export function parseArgs(argv: string[]): SynthRequest & { json: boolean } {
    const positional: string[] = [];
    let cloud: Cloud | undefined;
    let json = false;
    const set: Record<string, unknown> = {};
    let program: SynthRequest["program"];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--json") json = true;
        else if (a === "--cloud") {
            const v = argv[++i];
            if (!CLOUDS.includes(v as Cloud)) throw new UsageError(`--cloud ${JSON.stringify(v)}: allowed: ${CLOUDS.join(", ")}`);
            cloud = v as Cloud;
        } else if (a === "--set") {
            const kv = argv[++i] ?? "";
            const eq = kv.indexOf("=");
            if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(kv)}: expected key=value`);
            const raw = kv.slice(eq + 1);
            let value: unknown = raw;
            try {
                value = JSON.parse(raw);
            } catch {
                value = raw;
            }
            set[kv.slice(0, eq)] = value;
        } else if (a === "--program") {
            const file = argv[++i];
            if (!file) throw new UsageError("--program needs a file exporting run()");
            program = loadProgram(file);
        } else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`);
        else positional.push(a);
    }
    if (positional.length !== 1) throw new UsageError("name exactly one stack");
    return { stack: positional[0], cloud, json, set, program };
}

class UsageError extends Error {}

/** Another program to synthesize with the stack's config, e.g. a fixture that must fail the gate. */
function loadProgram(file: string): NonNullable<SynthRequest["program"]> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.resolve(file)) as { run?: SynthRequest["program"] };
    if (typeof mod.run !== "function") throw new UsageError(`--program ${file}: the module must export run()`);
    return mod.run;
}

async function main(): Promise<number> {
    let request: ReturnType<typeof parseArgs>;
    try {
        request = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }
    let report: SynthReport;
    try {
        report = await synthStack(request);
    } catch (e) {
        if (e instanceof ConfigError) {
            process.stderr.write(`${e.message}\n`);
            return 2;
        }
        process.stderr.write(`synth failed: ${(e as Error).stack ?? e}\n`);
        return /no stack file/.test(String((e as Error).message)) ? 2 : 3;
    }
    // Written before exiting: into a pipe, process.exit would cut the output at the pipe's buffer (64 KiB).
    const text = request.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTree(report)}\n`;
    await new Promise<void>((resolve, reject) => process.stdout.write(text, e => (e ? reject(e) : resolve())));
    const mandatory = mandatoryViolations(report);
    if (mandatory.length > 0) {
        process.stderr.write(`${mandatory.length} mandatory policy violation(s):\n`);
        for (const v of mandatory) process.stderr.write(`  ${v.policy}: ${v.urn}\n    ${v.message}\n`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    main().then(code => process.exit(code), e => {
        process.stderr.write(`${e}\n`);
        process.exit(3);
    });
}
