// `npm run bench`: how long the things a user waits for take on this machine, against the budgets.
// Synth: median of 5 runs of the CLI per stack file and cloud. Type-check: wall time and peak memory of tsc.
// Tests: one run of the whole suite. Prints a table and writes .bench/results.json; exits 1 over budget.
// `npm run bench -- cluster`: synth time and peak memory of the prod stack with IPFS clusters of 3, 30 and
// the most peers allowed (MAX_PEERS) on each cloud; what a peer adds must not grow with the cluster, and the
// largest cluster must synthesize within 2 GiB. Writes .bench/cluster.json.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { MAX_PEERS } from "../components/ipfs-cluster/settings";
import { CLOUDS } from "../stacks/config";
import { ROOT, listStacks, stackClouds } from "./stackfile";

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

/**
 * Loaded first into a measured node process: it prints the process's peak resident memory when it exits (a
 * `data:` module, so the measured program is run as it is).
 */
const PEAK_REPORTER = `data:text/javascript,process.on("exit",()=>process.stderr.write("peak-rss-kib "+process.resourceUsage().maxRSS+"\\n"))`;

/** A node process that runs `script` and reports its own peak resident memory on exit. */
function nodeWithPeak(script: string, args: string[]): [string, string[]] {
    return [process.execPath, ["--import", PEAK_REPORTER, script, ...args]];
}

export function synthCommand(stack: string, cloud: string, extra: string[] = []): [string, string[]] {
    return [process.execPath, ["--import", PEAK_REPORTER, "--import", "tsx", path.join(ROOT, "tools", "synth.ts"), stack, "--cloud", cloud, "--json", ...extra]];
}

/** The median time of `runs` synths, and the most memory any of them took. */
export function synthRuns(stack: string, cloud: string, extra: string[] = [], runs = RUNS): { seconds: number; peakMiB: number } {
    const measures = Array.from({ length: runs }, () => timed(...synthCommand(stack, cloud, extra)));
    return { seconds: median(measures.map(m => m.seconds)), peakMiB: Math.max(...measures.map(m => m.peakMiB ?? 0)) };
}

export function medianSynthSeconds(stack: string, cloud: string, extra: string[] = [], runs = RUNS): number {
    return synthRuns(stack, cloud, extra, runs).seconds;
}

/** Cluster sizes the cluster bench synthesizes, smallest first: the largest is the most the config allows. */
export const CLUSTER_SIZES = [3, 30, MAX_PEERS] as const;
const CLUSTER_RUNS = 3;
/** The seconds a peer adds from the middle size to the largest, at most this many times what it adds below. */
const PER_PEER_GROWTH_BUDGET = 1.5;
/** The most memory the synth of any cluster size may take (peak resident set): MAX_PEERS is held to it. */
export const CLUSTER_SYNTH_MIB_BUDGET = 2048;

/** Seconds each peer adds between consecutive cluster sizes, and how much the later increment grew. */
export function perPeerIncrements(seconds: readonly number[], sizes: readonly number[] = CLUSTER_SIZES): { increments: number[]; growth: number } {
    const increments = sizes.slice(1).map((n, i) => (seconds[i + 1] - seconds[i]) / (n - sizes[i]));
    return { increments, growth: increments[increments.length - 1] / increments[0] };
}

function clusterBench(): number {
    const rows: string[][] = [[
        "cloud", ...CLUSTER_SIZES.map(n => `${n} peers`), ...CLUSTER_SIZES.slice(1).map((n, i) => `s/peer ${CLUSTER_SIZES[i]}->${n}`), "growth",
        ...CLUSTER_SIZES.map(n => `peak ${n}`),
    ]];
    const results: Record<string, { seconds: number[]; increments: number[]; growth: number; peakMiB: number[] }> = {};
    const over: string[] = [];
    for (const cloud of CLOUDS) {
        const runs = CLUSTER_SIZES.map(n => synthRuns("prod", cloud, ["--set", "ipfsCluster.enabled=true", "--set", `ipfsCluster.peers=${n}`], CLUSTER_RUNS));
        const seconds = runs.map(r => r.seconds);
        const peakMiB = runs.map(r => r.peakMiB);
        const { increments, growth } = perPeerIncrements(seconds);
        if (growth > PER_PEER_GROWTH_BUDGET) over.push(`${cloud}: a peer costs more the larger the cluster (${growth.toFixed(2)}x)`);
        CLUSTER_SIZES.forEach((n, i) => {
            if (peakMiB[i] > CLUSTER_SYNTH_MIB_BUDGET) over.push(`${cloud}: ${n} peers took ${peakMiB[i].toFixed(0)} MiB; lower MAX_PEERS (components/ipfs-cluster/settings.ts)`);
        });
        results[cloud] = { seconds, increments, growth, peakMiB };
        rows.push([
            cloud, ...seconds.map(s => `${s.toFixed(2)} s`), ...increments.map(i => `${(i * 1000).toFixed(1)} ms`), `${growth.toFixed(2)}x`,
            ...peakMiB.map(m => `${m.toFixed(0)} MiB`),
        ]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)));
    console.log(`synth of the prod stack with an IPFS cluster (median time and highest peak memory of ${CLUSTER_RUNS}); ` +
        `growth budget <= ${PER_PEER_GROWTH_BUDGET}x, memory budget <= ${CLUSTER_SYNTH_MIB_BUDGET} MiB`);
    for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
    fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, ".bench", "cluster.json"), JSON.stringify({
        sizes: CLUSTER_SIZES, runs: CLUSTER_RUNS, results, budgets: { growth: PER_PEER_GROWTH_BUDGET, peakMiB: CLUSTER_SYNTH_MIB_BUDGET },
    }, null, 2));
    for (const line of over) console.log(`over budget: ${line}`);
    return over.length > 0 ? 1 : 0;
}

function main(): number {
    if (process.argv[2] === "cluster") return clusterBench();
    const rows: [string, string, string][] = [];
    let over = false;
    const synth: Record<string, number> = {};
    for (const stack of listStacks()) {
        for (const cloud of stackClouds(stack)) {
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
