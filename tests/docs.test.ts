// README.md and docs/ hold each fact once and link to the rest: every relative link and anchor must resolve,
// every page of docs/ must be reachable from README, the policy table must name exactly the pack's policies, and
// the JSON-contract example must be what the synth prints. (That every config key is in README's configuration
// table is checked beside the config schema, in tests/config.test.ts.)
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { evaluatePolicies } from "../policies/evaluate";
import { policies } from "../policies/rules/all";
import { SynthReport } from "../tools/synth";
import { graphCases, graphOf } from "./conformance/graphs";

const ROOT = path.join(__dirname, "..");
const README = "README.md";

/** README and every page under docs/, as paths relative to the repository root. */
function pages(): string[] {
    const docs = fs.readdirSync(path.join(ROOT, "docs")).filter(f => f.endsWith(".md")).sort();
    return [README, ...docs.map(f => path.posix.join("docs", f))];
}

const read = (page: string): string => fs.readFileSync(path.join(ROOT, page), "utf8");

/** The page's lines outside fenced code blocks: a `#` in a shell example is no heading, a `](` in code no link. */
function prose(markdown: string): string[] {
    let fenced = false;
    return markdown.split("\n").filter(line => {
        if (/^\s*```/.test(line)) {
            fenced = !fenced;
            return false;
        }
        return !fenced;
    });
}

/**
 * The anchor GitHub gives a heading: lowercased, stripped of punctuation and symbols but for "-" and "_",
 * spaces turned to "-", and "-1", "-2", ... on repeats (github-slugger, Flet/github-slugger index.js and
 * script/generate-regex.mjs: it removes the Unicode categories No, P* but Pc and "-", S*, C*, Z* but " ").
 */
function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const line of prose(markdown)) {
        const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!heading) continue;
        const base = heading[1].toLowerCase().replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\- ]/gu, "").replace(/ /g, "-");
        const repeats = seen.get(base) ?? 0;
        seen.set(base, repeats + 1);
        anchors.add(repeats === 0 ? base : `${base}-${repeats}`);
    }
    return anchors;
}

/** The relative link targets of a page (`](target)`), each with its line number; web and mail links left out. */
function relativeLinks(markdown: string): { line: number; target: string }[] {
    const links: { line: number; target: string }[] = [];
    let fenced = false;
    markdown.split("\n").forEach((line, i) => {
        if (/^\s*```/.test(line)) fenced = !fenced;
        if (fenced) return;
        for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
            if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) links.push({ line: i + 1, target: m[1] });
        }
    });
    return links;
}

/** The body of a `## title` section: up to the next heading of level 2 or 1. */
function section(markdown: string, title: string): string {
    const lines = markdown.split("\n");
    const start = lines.indexOf(`## ${title}`);
    assert.ok(start >= 0, `no section "## ${title}"`);
    const rest = lines.slice(start + 1);
    const end = rest.findIndex(l => /^#{1,2} /.test(l));
    return rest.slice(0, end < 0 ? undefined : end).join("\n");
}

/** `example` holds nothing `actual` does not: every key of an object with the same value, arrays whole. */
function assertExcerptOf(example: unknown, actual: unknown, where: string): void {
    if (example !== null && typeof example === "object" && !Array.isArray(example)) {
        assert.ok(actual !== null && typeof actual === "object" && !Array.isArray(actual), `${where}: the synth prints no object here`);
        for (const [key, value] of Object.entries(example)) {
            assert.ok(key in (actual as object), `${where}.${key}: the synth prints no such field`);
            assertExcerptOf(value, (actual as Record<string, unknown>)[key], `${where}.${key}`);
        }
        return;
    }
    assert.deepStrictEqual(example, actual, `${where}: the synth prints another value`);
}

describe("README and docs/", () => {
    for (const page of pages()) {
        it(`${page}: every relative link names a file of the repository and an anchor of its headings`, () => {
            const broken: string[] = [];
            for (const { line, target } of relativeLinks(read(page))) {
                const [file, anchor] = target.split("#", 2);
                const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
                if (resolved.startsWith("..") || !fs.existsSync(path.join(ROOT, resolved))) {
                    broken.push(`${page}:${line}: ${target}: no file ${resolved}`);
                } else if (anchor !== undefined && !(resolved.endsWith(".md") && anchorsOf(read(resolved)).has(anchor))) {
                    broken.push(`${page}:${line}: ${target}: no heading of ${resolved} has the anchor #${anchor}`);
                }
            }
            assert.deepStrictEqual(broken, []);
        });
    }

    it("the link check reads headings as GitHub anchors and skips code blocks and web links", () => {
        const page = "# Title\n\n## Two words (and more)\n\n```sh\n# not a heading\n```\n";
        assert.deepStrictEqual([...anchorsOf(page)], ["title", "two-words-and-more"]);
        assert.deepStrictEqual(relativeLinks("[a](#x) [b](docs/y.md#z) [c](https://example.com/#w)\n```\n[d](#in-code)\n```"), [
            { line: 1, target: "#x" },
            { line: 1, target: "docs/y.md#z" },
        ]);
    });

    it("README links every page of docs/", () => {
        const linked = new Set(relativeLinks(read(README)).map(l => l.target.split("#")[0]));
        assert.deepStrictEqual(pages().filter(p => p !== README && !linked.has(p)), []);
    });

    it("README's policy table has one row per policy of the pack (policies/rules/all.ts), and no other", () => {
        const rows = prose(section(read(README), "Policy pack"))
            .map(l => /^\| `([^`]+)`/.exec(l)?.[1])
            .filter((name): name is string => name !== undefined);
        assert.deepStrictEqual([...rows].sort(), policies.map(p => p.name).sort());
    });
});

describe("README's JSON contract", () => {
    const devOnAws = graphCases().find(c => c.label === "dev on aws")!;
    const contract = () => section(read(README), "The offline synth's JSON contract");
    const examples = (): unknown[] => [...contract().matchAll(/```json\n([\s\S]*?)\n```/g)].map(m => JSON.parse(m[1]));
    /** The report exactly as `npm run synth -- dev --cloud aws --json` prints it (tools/synth.ts, main). */
    const printed = async (): Promise<SynthReport> => JSON.parse(JSON.stringify(await graphOf(devOnAws)));

    it("is an excerpt of what `npm run synth -- dev --cloud aws --json` prints: every field, resource and value", async () => {
        const [example] = examples() as [Record<string, unknown>];
        const report = await printed();
        assert.deepStrictEqual(Object.keys(example), Object.keys(report), "the report's top-level fields");
        assert.strictEqual(example.stack, report.stack);
        assert.strictEqual(example.cloud, report.cloud);
        assert.strictEqual(example.project, report.project);
        // Whole resources, in the order the synth prints them.
        const positions = (example.resources as { urn: string }[]).map(r => {
            const i = report.resources.findIndex(real => real.urn === r.urn);
            assert.ok(i >= 0, `no resource ${r.urn} in the dev stack on aws`);
            assert.deepStrictEqual(r, report.resources[i]);
            return i;
        });
        assert.deepStrictEqual(positions, [...positions].sort((a, b) => a - b), "resources out of declaration order");
        assertExcerptOf(example.outputs, report.outputs, "outputs");
        assert.deepStrictEqual(example.policy, report.policy);
        for (const quota of example.quotas as { code: string }[]) {
            assert.deepStrictEqual(quota, report.quotas.find(q => q.code === quota.code));
        }
    });

    it("shows a violation as the pack reports it, under a policy of the pack", async () => {
        const [, violation] = examples() as [unknown, { policy: string; urn: string }];
        assert.ok(policies.some(p => p.name === violation.policy), `${violation.policy} is no policy of the pack`);
        // The example's resource without protect and retainOnDelete, judged as the synth judges the dev stack.
        const report = await printed();
        assert.ok(report.resources.some(r => r.urn === violation.urn), `no resource ${violation.urn} in the dev stack on aws`);
        const unprotected = report.resources.map(r =>
            r.urn === violation.urn ? { ...r, options: { ...r.options, protect: false, retainOnDelete: false } } : r);
        const found = evaluatePolicies(unprotected, { config: { profile: "dev" } })
            .filter(v => v.urn === violation.urn && v.policy === violation.policy);
        assert.deepStrictEqual(found, [violation]);
    });
});
