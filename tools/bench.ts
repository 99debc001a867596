// `npm run bench`: how long the things a user waits for take on this machine, against the budgets.
// Synth: median of 5 runs of the CLI per stack file and cloud. Type-check: wall time and peak memory of tsc.
// Tests: one run of the whole suite. Prints a table and writes .bench/results.json; exits 1 over budget.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CLOUDS } from "../stacks/config";
import { ROOT, listStacks } from "./stackfile";

const RUNS = 5;
const BUDGETS = { prodSynthSeconds: 3, typecheckSeconds: 20, typecheckMiB: 2048, testSeconds: 90 };

interface Measure {
    seconds: number;
    peakMiB?: number;
}

function timed(command: string, args: string[]): Measure {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
    }
    const peak = /^peak-rss-kib (\d+)$/m.exec(result.stderr ?? "");
    return { seconds, peakMiB: peak ? Number(peak[1]) / 1024 : undefined };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** A node process that runs `script` and reports its own peak resident memory on exit. */
function nodeWithPeak(script: string, args: string[]): [string, string[]] {
    const prelude = `process.on("exit", () => process.stderr.write("peak-rss-kib " + process.resourceUsage().maxRSS + "\\n"));`
        + `process.argv = [process.argv[0], ${JSON.stringify(script)}, ...${JSON.stringify(args)}];`
        + `require(${JSON.stringify(script)});`;
    return [process.execPath, ["-e", prelude]];
}

export function synthCommand(stack: string, cloud: string, extra: string[] = []): [string, string[]] {
    return [process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "synth.ts"), stack, "--cloud", cloud, "--json", ...extra]];
}

export function medianSynthSeconds(stack: string, cloud: string, extra: string[] = [], runs = RUNS): number {
    return median(Array.from({ length: runs }, () => timed(...synthCommand(stack, cloud, extra)).seconds));
}

function main(): number {
    const rows: [string, string, string][] = [];
    let over = false;
    const synth: Record<string, number> = {};
    for (const stack of listStacks()) {
        for (const cloud of CLOUDS) {
            const seconds = medianSynthSeconds(stack, cloud);
            synth[`${stack}/${cloud}`] = seconds;
            const budget = stack === "prod" ? BUDGETS.prodSynthSeconds : undefined;
            if (budget !== undefined && seconds > budget) over = true;
            rows.push([`synth ${stack} on ${cloud} (median of ${RUNS})`, `${seconds.toFixed(2)} s`, budget ? `<= ${budget} s` : "-"]);
        }
    }
    const tsc = require.resolve("typescript/lib/tsc.js");
    const typecheck = timed(...nodeWithPeak(tsc, ["--noEmit", "-p", ROOT]));
    if (typecheck.seconds > BUDGETS.typecheckSeconds || (typecheck.peakMiB ?? 0) > BUDGETS.typecheckMiB) over = true;
    rows.push(["type-check (tsc --noEmit)", `${typecheck.seconds.toFixed(2)} s`, `<= ${BUDGETS.typecheckSeconds} s`]);
    rows.push(["type-check peak memory", `${(typecheck.peakMiB ?? 0).toFixed(0)} MiB`, `<= ${BUDGETS.typecheckMiB} MiB`]);
    const tests = timed("npm", ["test", "--silent"]);
    if (tests.seconds > BUDGETS.testSeconds) over = true;
    rows.push(["npm test (whole suite)", `${tests.seconds.toFixed(2)} s`, `<= ${BUDGETS.testSeconds} s`]);

    const width = Math.max(...rows.map(r => r[0].length));
    for (const [what, value, budget] of rows) console.log(`${what.padEnd(width)}  ${value.padStart(10)}  ${budget}`);
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, ".bench", "results.json"), JSON.stringify({ synth, typecheck, tests, budgets: BUDGETS }, null, 2));
    if (over) console.log("over budget");
    return over ? 1 : 0;
}

if (require.main === module) process.exit(main());
