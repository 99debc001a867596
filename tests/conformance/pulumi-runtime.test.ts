// How the Pulumi CLI runs this program. The language host hands the runtime Pulumi.yaml's
// runtime.options.tsconfig (as PULUMI_NODEJS_TSCONFIG_PATH); the runtime (@pulumi/pulumi cmd/run/run.js)
// reads that file's own compilerOptions with loadTypeScriptCompilerOptions (@pulumi/pulumi tsutils.js, no
// `extends`), registers ts-node with transpileOnly = the file's `noCheck` (unless PULUMI_NODEJS_TRANSPILE_ONLY
// says otherwise), and lays those options over its defaults (module and moduleResolution nodenext, target
// ES2020). `npm test` type-checks the program against tsconfig.json instead.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parse } from "yaml";
import { ROOT } from "../../tools/stackfile";

interface RuntimeOptions { typescript?: boolean; tsconfig?: string }

function runtimeOptions(): RuntimeOptions {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { runtime: { name: string; options?: RuntimeOptions } };
    assert.strictEqual(project.runtime.name, "nodejs");
    return project.runtime.options ?? {};
}

/** The compiler options as the runtime reads them: the named file's own, relative to the project root. */
function runtimeCompilerOptions(file: string): Record<string, unknown> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsutils = require("@pulumi/pulumi/tsutils") as { loadTypeScriptCompilerOptions(file: string): Record<string, unknown> };
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
        return tsutils.loadTypeScriptCompilerOptions(file);
    } finally {
        process.chdir(cwd);
    }
}

/** A project's effective compiler options, as TypeScript resolves them (extends followed, enums as numbers). */
function effectiveOptions(project: string): ts.CompilerOptions {
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, project), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: d => assert.fail(String(d.messageText)) });
    assert.ok(parsed);
    return parsed.options;
}

describe("the program as the Pulumi CLI runs it (@pulumi/pulumi cmd/run/run.js)", () => {
    it("is TypeScript, transpiled without type-checking: the runtime's tsconfig sets noCheck", () => {
        const options = runtimeOptions();
        assert.strictEqual(options.typescript, true);
        assert.ok(options.tsconfig, "Pulumi.yaml names no runtime tsconfig, so the runtime type-checks every preview");
        assert.strictEqual(runtimeCompilerOptions(options.tsconfig).noCheck, true);
    });

    it("compiles as tsconfig.json does: the runtime's defaults (nodenext, ES2020) do not win", () => {
        const own = ts.convertCompilerOptionsFromJson(runtimeCompilerOptions(runtimeOptions().tsconfig!), ROOT).options;
        const checked = effectiveOptions("tsconfig.json");
        for (const key of ["target", "module", "moduleResolution"] as const) {
            assert.ok(own[key] !== undefined, `${runtimeOptions().tsconfig} does not set ${key}, so the runtime's default wins`);
            assert.strictEqual(own[key], checked[key], `${key} of ${runtimeOptions().tsconfig}`);
        }
    });

    it("is type-checked by `npm test`: the typecheck script checks tsconfig.json, which does not turn checking off", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        assert.match(scripts.test, /npm run --silent typecheck/);
        assert.match(scripts.typecheck, /(^|&&)\s*tsc --noEmit -p \.(\s|$)/);
        assert.notStrictEqual(effectiveOptions("tsconfig.json").noCheck, true);
    });
});
