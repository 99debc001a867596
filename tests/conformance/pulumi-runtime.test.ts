// How the Pulumi CLI runs this program: its Node.js runtime (@pulumi/pulumi cmd/run/run.js) registers ts-node
// with transpileOnly taken from PULUMI_NODEJS_TRANSPILE_ONLY or, unset, from the `noCheck` compiler option of
// the project's tsconfig.json, read with the runtime's own loadTypeScriptCompilerOptions (@pulumi/pulumi
// tsutils.js). With noCheck a preview costs what the program costs; `npm test` type-checks instead.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "../../tools/stackfile";

describe("the program as the Pulumi CLI runs it (@pulumi/pulumi cmd/run/run.js)", () => {
    it("is TypeScript run by the runtime's ts-node (Pulumi.yaml runtime.options.typescript)", () => {
        const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { runtime: { name: string; options?: { typescript?: boolean } } };
        assert.strictEqual(project.runtime.name, "nodejs");
        assert.strictEqual(project.runtime.options?.typescript, true);
    });

    it("is transpiled without type-checking: the runtime reads noCheck from tsconfig.json", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const tsutils = require("@pulumi/pulumi/tsutils") as { loadTypeScriptCompilerOptions(file: string): Record<string, unknown> };
        const cwd = process.cwd();
        process.chdir(ROOT);
        try {
            assert.strictEqual(tsutils.loadTypeScriptCompilerOptions("tsconfig.json").noCheck, true);
        } finally {
            process.chdir(cwd);
        }
    });

    it("is type-checked by `npm test`: the typecheck script turns noCheck off for the program's project", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        const rootCheck = scripts.typecheck.split("&&").map(s => s.trim()).find(s => / -p \.(\s|$)/.test(s));
        assert.ok(rootCheck?.startsWith("tsc "), `no tsc run over the program's project in "${scripts.typecheck}"`);
        assert.match(scripts.test, /npm run --silent typecheck/);
        const args = rootCheck.split(/\s+/).slice(1);
        const shown = JSON.parse(execFileSync(path.join(ROOT, "node_modules", ".bin", "tsc"), [...args, "--showConfig"], { cwd: ROOT, encoding: "utf8" })) as { compilerOptions: { noCheck?: boolean } };
        assert.notStrictEqual(shown.compilerOptions.noCheck, true);
    });
});
