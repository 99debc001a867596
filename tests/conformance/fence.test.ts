// One writer per volume. The fence is run for real, as the containers run it: two fenced processes on one
// temporary directory, under dash and under busybox's ash with busybox's own applets (the kubo, ipfs-cluster
// and go-ipfs-daemon images are busybox or alpine; js-ceramic's node:20 has dash). Then every synthesized
// graph on both clouds: every container that mounts a volume starts through the fence, with timings the
// platform's own stop and health budgets leave room for, and nothing removes a lock outside the fence.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    FENCE_TIMING, FencedMount, FenceTiming, LEASE_FILE, fenceArguments, fenceLivenessProblems, fencedEntrypoint, longestWaitSeconds, staleAfterSeconds, unwrapFence, volumeFenceScript,
} from "../../components/topology/fence";
import { Volume } from "../../components/topology";
import { SynthReport } from "../../tools/synth";
import { hasBinary } from "../support";
import { graphCases, graphOf } from "./graphs";

// ---------------------------------------------------------------- the fence, run for real

/** Short heartbeats, so a stale lease is judged in under a second. */
const TIMING: FenceTiming = { heartbeatSeconds: 0.15, staleHeartbeats: 6 };
const STALE_MS = staleAfterSeconds(TIMING) * 1000;
const HEARTBEAT_MS = TIMING.heartbeatSeconds * 1000;

interface Shell {
    label: string;
    /** The shell's path, in place of the entrypoint's /bin/sh. */
    sh: string;
    /** PATH for the fence and the test's start script. */
    path: string;
}

let tmp: string;

function shells(): Shell[] {
    const found: Shell[] = [];
    if (hasBinary("dash")) found.push({ label: "dash", sh: "dash", path: process.env.PATH! });
    if (hasBinary("busybox")) {
        const bin = path.join(tmp, "busybox-bin");
        fs.mkdirSync(bin, { recursive: true });
        const busybox = spawnPath("busybox");
        // Only the applets the fence names (and tr, for the test's start script): it needs nothing else.
        for (const applet of ["sh", "cat", "mv", "rm", "sleep", "tr"]) {
            if (!fs.existsSync(path.join(bin, applet))) fs.symlinkSync(busybox, path.join(bin, applet));
        }
        found.push({ label: "busybox sh", sh: path.join(bin, "sh"), path: bin });
    }
    return found;
}

function spawnPath(name: string): string {
    for (const dir of process.env.PATH!.split(":")) {
        const candidate = path.join(dir, name);
        if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error(`${name} not on PATH`);
}

/**
 * The container's own start, as the fence runs it: reports what it finds on its volumes when it starts (the
 * lease, whether the stale locks are still there), then runs until stopped, saying so on SIGTERM.
 */
function appScript(volumes: string[], locks: string[]): string {
    return [
        `echo "started holding $(cat ${volumes.map(v => `'${v}/${LEASE_FILE}'`).join(" ")} | tr '\\n' ' ')"`,
        `for lock in ${locks.map(l => `'${l}'`).join(" ")}; do if [ -e "$lock" ]; then echo "lock still there: $lock"; fi; done`,
        "trap 'echo \"stopping on TERM\"; exit 0' TERM",
        "while :; do sleep 0.05; done",
    ].join("\n");
}

/** A fenced process: the generated entrypoint, its shell swapped for the one under test, in a process group of its own. */
class Fenced {
    readonly process: ChildProcess;
    output = "";
    readonly exited: Promise<{ code: number | null; signal: string | null }>;

    constructor(shell: Shell, mounts: FencedMount[]) {
        const locks = mounts.flatMap(m => (m.staleLocks ?? []).map(l => `${m.path}/${l}`));
        const entrypoint = fencedEntrypoint({ name: "app", entrypoint: ["/bin/sh", "-c", appScript(mounts.map(m => m.path), locks), "app"], mounts }, TIMING)!;
        const [sh, ...args] = entrypoint.map(word => (word === "/bin/sh" ? shell.sh : word));
        // Like a container's processes, the group is what a kill -9 of the container ends.
        this.process = spawn(sh, args, { detached: true, env: { PATH: shell.path }, stdio: ["ignore", "pipe", "pipe"] });
        this.process.stdout!.on("data", d => { this.output += d; });
        this.process.stderr!.on("data", d => { this.output += d; });
        this.exited = new Promise(resolve => this.process.on("exit", (code, signal) => resolve({ code, signal })));
        running.push(this);
    }

    get started(): boolean {
        return this.output.includes("started holding");
    }

    /** The whole group at once, as when a container's task or VM vanishes: nothing can clean up. */
    killContainer(): void {
        try {
            process.kill(-this.process.pid!, "SIGKILL");
        } catch {
            // already gone
        }
    }
}

const running: Fenced[] = [];

async function until(what: string, ms: number, ready: () => boolean): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ready()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise(r => setTimeout(r, 20));
    }
}

const pause = (ms: number) => new Promise(r => setTimeout(r, ms));

function leaseOf(volume: string): string {
    return fs.readFileSync(path.join(volume, LEASE_FILE), "utf8").trim();
}

function volumes(label: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) => {
        const dir = fs.mkdtempSync(path.join(tmp, `${label.replace(/\W/g, "")}-${i}-`));
        return dir;
    });
}

/** Runs one scenario under every shell at once, so the shells share the waiting. */
function underEveryShell(title: string, scenario: (shell: Shell) => Promise<void>): void {
    it(title, async function () {
        const available = shells();
        if (available.length === 0) this.skip();
        await Promise.all(available.map(shell => scenario(shell).catch(e => {
            throw new Error(`under ${shell.label}: ${(e as Error).message}\n${running.map(r => r.output).join("\n---\n")}`);
        })));
    });
}

describe("the volume fence, run for real by two processes on one directory", function () {
    this.timeout(30_000);

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fence-"));
    });
    afterEach(() => {
        for (const r of running.splice(0)) r.killContainer();
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("runs under dash and under busybox sh here (CI installs both)", function () {
        const found = shells().map(s => s.label);
        if (!found.includes("busybox sh")) this.skip();
        assert.deepStrictEqual(found, ["dash", "busybox sh"]);
    });

    underEveryShell("a second container waits while the first renews its lease, takes over only after the first is killed -9 and its lease went stale, and only then removes the locks it left", async shell => {
        const [repo, state] = volumes(shell.label, 2);
        const mounts: FencedMount[] = [{ path: repo, staleLocks: ["repo.lock", "datastore/LOCK"] }, { path: state, staleLocks: ["statestore/*/LOCK"] }];
        const first = new Fenced(shell, mounts);
        await until("the first to start", 5_000, () => first.started);
        // The first one's daemon holds its locks, as kubo and LevelDB do.
        const locks = [path.join(repo, "repo.lock"), path.join(repo, "datastore", "LOCK"), path.join(state, "statestore", "mainnet", "LOCK")];
        for (const lock of locks) {
            fs.mkdirSync(path.dirname(lock), { recursive: true });
            fs.writeFileSync(lock, "");
        }
        const firstLease = leaseOf(repo);
        const second = new Fenced(shell, mounts);
        await pause(1.5 * STALE_MS);
        assert.ok(!second.started, "the second must not start while the first renews its lease");
        assert.ok(locks.every(l => fs.existsSync(l)), "the waiting container must not touch the locks");
        assert.match(second.output, /another container holds/);
        const renewed = leaseOf(repo);
        assert.strictEqual(renewed.split(" ")[0], firstLease.split(" ")[0], "the first still holds the lease");
        assert.notStrictEqual(renewed, firstLease, "the first rewrote its lease while it ran");

        first.killContainer();
        const killedAt = Date.now();
        await until("the second to take over", 10_000, () => second.started);
        const waited = Date.now() - killedAt;
        // It saw the lease unchanged for staleHeartbeats looks: the first's last renewal came at most a heartbeat before the kill.
        assert.ok(waited >= STALE_MS - HEARTBEAT_MS, `took over ${waited} ms after the kill; the lease goes stale after ${STALE_MS} ms`);
        const owner = leaseOf(repo).split(" ")[0];
        assert.notStrictEqual(owner, firstLease.split(" ")[0]);
        assert.strictEqual(leaseOf(state).split(" ")[0], owner, "one owner holds both volumes");
        assert.match(second.output, new RegExp(`started holding ${owner} 0 ${owner} 0`), "the container's start sees its own lease");
        assert.ok(!second.output.includes("lock still there"), second.output);
        assert.ok(locks.every(l => !fs.existsSync(l)), "the stale locks are gone");
        const judged = second.output.indexOf("its holder is gone; taking over");
        const removed = second.output.indexOf("removing ");
        assert.ok(judged >= 0 && removed > judged, `the locks are removed only after the lease is taken:\n${second.output}`);
    });

    underEveryShell("a clean stop hands SIGTERM to the container's start, releases the lease, and the next container starts at once", async shell => {
        const [repo] = volumes(shell.label, 1);
        const first = new Fenced(shell, [{ path: repo }]);
        await until("the first to start", 5_000, () => first.started);
        const second = new Fenced(shell, [{ path: repo }]);
        await until("the second to wait", 5_000, () => second.output.includes("another container holds"));
        // What `docker stop` and ECS do: SIGTERM to the container's first process only.
        first.process.kill("SIGTERM");
        const stoppedAt = Date.now();
        const { code } = await first.exited;
        assert.strictEqual(code, 0, "the fence exits with its command's status");
        assert.match(first.output, /stopping on TERM/);
        await until("the second to start", 5_000, () => second.started);
        const waited = Date.now() - stoppedAt;
        assert.ok(waited < STALE_MS, `the second waited ${waited} ms after a clean stop; a released lease needs no waiting out (stale after ${STALE_MS} ms)`);
        assert.ok(!second.output.includes("taking over"), "a released lease is taken, not judged stale");
    });

    underEveryShell("a holder whose lease was taken kills its container's start at once and leaves the other's lease alone", async shell => {
        const [repo] = volumes(shell.label, 1);
        const holder = new Fenced(shell, [{ path: repo }]);
        await until("the holder to start", 5_000, () => holder.started);
        // Another container judged it stale (its renewals stalled) and took the volume.
        fs.writeFileSync(path.join(repo, `${LEASE_FILE}.other`), "other-owner 0\n");
        fs.renameSync(path.join(repo, `${LEASE_FILE}.other`), path.join(repo, LEASE_FILE));
        const { code } = await Promise.race([holder.exited, pause(10 * HEARTBEAT_MS).then(() => ({ code: -1 }))]);
        assert.strictEqual(code, 128 + 9, `the holder's start is killed with SIGKILL, and the fence exits with its status:\n${holder.output}`);
        assert.match(holder.output, /held by another container now \(other-owner 0\)/);
        assert.ok(!holder.output.includes("stopping on TERM"), "no graceful stop: every further write would be a second writer's");
        assert.strictEqual(leaseOf(repo), "other-owner 0", "the lease stays the other's");
    });

    underEveryShell("a container stopped while it waits exits at once and leaves the holder's lease alone", async shell => {
        const [repo] = volumes(shell.label, 1);
        const holder = new Fenced(shell, [{ path: repo }]);
        await until("the holder to start", 5_000, () => holder.started);
        const waiting = new Fenced(shell, [{ path: repo }]);
        await until("the second to wait", 5_000, () => waiting.output.includes("another container holds"));
        waiting.process.kill("SIGTERM");
        const stoppedAt = Date.now();
        const { code } = await waiting.exited;
        assert.ok(Date.now() - stoppedAt < 2_000, "a stop ends the wait at once");
        assert.strictEqual(code, 143);
        assert.ok(!waiting.started);
        const before = leaseOf(repo);
        await pause(3 * HEARTBEAT_MS);
        assert.strictEqual(leaseOf(repo).split(" ")[0], before.split(" ")[0], "the holder keeps its lease");
        assert.notStrictEqual(leaseOf(repo), before, "and keeps renewing it");
    });

    underEveryShell("ends with its command's own status, even a command that fails at once (restart policies and ECS read it)", async shell => {
        const [repo] = volumes(`${shell.label}-status`, 1);
        // A command that ends before the fence waits for it: the race a loaded machine shows now and then.
        for (const [command, expected] of [["exit 3", 3], ["true", 0], ["sleep 0.2; exit 5", 5]] as const) {
            for (let i = 0; i < 5; i++) {
                const entrypoint = fencedEntrypoint({ name: "app", entrypoint: ["/bin/sh", "-c", command, "app"], mounts: [{ path: repo }] }, TIMING)!;
                const [sh, ...args] = entrypoint.map(word => (word === "/bin/sh" ? shell.sh : word));
                const run = spawnSync(sh, args, { env: { PATH: shell.path }, encoding: "utf8", timeout: 10_000 });
                assert.strictEqual(run.status, expected, `${command}, run ${i + 1}: ${run.stderr}`);
            }
        }
    });

    it("is a POSIX sh script shellcheck finds nothing wrong with", function () {
        if (!hasBinary("shellcheck")) this.skip();
        const file = path.join(tmp, "volume-fence.sh");
        fs.writeFileSync(file, volumeFenceScript());
        const run = spawnSync("shellcheck", ["-s", "sh", file], { encoding: "utf8" });
        assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
    });

    it("refuses a container that mounts a volume but does not say what to start, and lock paths that leave the volume", () => {
        assert.throws(() => fencedEntrypoint({ name: "app", mounts: [{ path: "/data" }] }), /container app: mounts a volume.*give its entrypoint/);
        assert.throws(() => fencedEntrypoint({ name: "app", entrypoint: ["/app"], mounts: [{ path: "/data", staleLocks: ["../LOCK"] }] }), /stale lock "\.\.\/LOCK" of \/data must be a path inside the volume/);
        assert.throws(() => fencedEntrypoint({ name: "app", entrypoint: ["/app"], mounts: [{ path: "/data dir" }] }), /mount path "\/data dir"/);
        assert.throws(() => fencedEntrypoint({ name: "app", entrypoint: ["/app"], mounts: [{ path: "/data" }] }, { heartbeatSeconds: 5, staleHeartbeats: 2 }), /staleHeartbeats is 2/);
        assert.deepStrictEqual(fencedEntrypoint({ name: "app", entrypoint: ["/app"] }), ["/app"], "a container without volumes starts as it is");
    });

    it("refuses a liveness that would replace a service while its fence waits out a dead writer's lease", () => {
        const containers = [{ name: "db", image: "db:1", cpu: 0.5, memoryMiB: 256, user: { uid: 1000, gid: 1000 }, entrypoint: ["/db"], mounts: [{ volume: {} as Volume, path: "/data" }] }];
        const liveness = (gracePeriodSeconds: number) => ({ kind: "http" as const, port: 80, path: "/", gracePeriodSeconds });
        assert.match(fenceLivenessProblems("db", { containers, liveness: liveness(120) }).join("\n"), new RegExp(`service db: liveness gracePeriodSeconds is 120; .* may wait ${longestWaitSeconds()} s`));
        assert.deepStrictEqual(fenceLivenessProblems("db", { containers, liveness: liveness(600) }), []);
        assert.deepStrictEqual(fenceLivenessProblems("db", { containers: [{ ...containers[0], mounts: [] }], liveness: liveness(120) }), [], "nothing to wait for without a volume");
    });
});

// ---------------------------------------------------------------- every container of every graph

/** A container as the platform starts it, read from the synthesized resources. */
interface StartedContainer {
    where: string;
    /** Mount paths inside the container. */
    mounts: string[];
    /** Entrypoint then command, word by word. */
    argv: string[];
    /** Seconds a stopping container may run after SIGTERM. */
    stopTimeoutSeconds?: number;
    /** Seconds from start before its health check can have it replaced: start period plus retries × interval. */
    healthBudgetSeconds?: number;
}

const T = {
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
} as const;

/* eslint-disable @typescript-eslint/no-explicit-any */
function awsContainers(report: SynthReport): StartedContainer[] {
    return report.resources.filter(r => r.type === T.taskDefinition).flatMap(r => {
        const defs = JSON.parse(r.inputs.containerDefinitions as string) as any[];
        return defs.map(d => ({
            where: `task definition ${r.name}, container ${d.name}`,
            mounts: (d.mountPoints ?? []).map((m: any) => m.containerPath as string),
            argv: [...(d.entryPoint ?? []), ...(d.command ?? [])],
            // Fargate's default when none is given (botocore ecs ContainerDefinition.stopTimeout).
            stopTimeoutSeconds: d.stopTimeout ?? 30,
            healthBudgetSeconds: d.healthCheck ? (d.healthCheck.startPeriod ?? 0) + (d.healthCheck.retries ?? 3) * (d.healthCheck.interval ?? 30) : undefined,
        }));
    });
}

/** docker run's options that take no value; every other option takes one. */
const DOCKER_FLAGS_WITHOUT_VALUE = new Set(["--rm", "--init", "--read-only", "--privileged", "--interactive", "--tty", "-i", "-t", "-d", "--detach", "--no-healthcheck"]);

function seconds(duration: string | undefined): number | undefined {
    if (duration === undefined) return undefined;
    const m = /^(\d+)(s|m)?$/.exec(duration);
    if (!m) throw new Error(`unexpected duration ${duration}`);
    return Number(m[1]) * (m[2] === "m" ? 60 : 1);
}

interface HostScripts {
    containers: StartedContainer[];
    /** Every script of the host, each docker command line as the words bash reads. */
    scripts: { where: string; words: string[] }[];
}

/** The words bash reads from each command line, all in one bash (a graph has a hundred of them). */
function bashWordsOfEach(lines: string[]): string[][] {
    if (lines.length === 0) return [];
    const script = ["words() { printf '%s\\0' \"$@\"; printf '\\1\\0'; }", ...lines.map(l => `words ${l}`)].join("\n");
    // On stdin: one argument may not exceed 128 KiB (Linux MAX_ARG_STRLEN).
    const run = spawnSync("bash", ["-s"], { input: script, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    assert.strictEqual(run.status, 0, `${run.error ?? ""}${run.stderr}`);
    const words = run.stdout.split("\0").slice(0, -1);
    const out: string[][] = [[]];
    for (const w of words) {
        if (w === "\u0001") out.push([]);
        else out[out.length - 1].push(w);
    }
    out.pop();
    assert.strictEqual(out.length, lines.length);
    return out;
}

const DOCKER = "exec /usr/bin/docker ";

function gcpHost(report: SynthReport): HostScripts {
    const out: HostScripts = { containers: [], scripts: [] };
    const runs: { where: string; before: string; line: string }[] = [];
    for (const r of report.resources.filter(x => x.type === T.template)) {
        const userData = (r.inputs.metadata as Record<string, string>)["user-data"];
        const files = (YAML.parse(userData) as { write_files?: { path: string; content: string }[] }).write_files ?? [];
        for (const file of files) {
            const where = `instance template ${r.name}, ${file.path}`;
            const at = file.content.indexOf(DOCKER);
            if (at < 0) out.scripts.push({ where, words: [file.content] });
            else runs.push({ where, before: file.content.slice(0, at), line: file.content.slice(at + DOCKER.length) });
        }
    }
    const argvs = bashWordsOfEach(runs.map(r => r.line));
    runs.forEach(({ where, before }, n) => {
        const argv = argvs[n];
        out.scripts.push({ where, words: [before, ...argv] });
        const options = new Map<string, string[]>();
        let i = argv.indexOf("run") + 1;
        while (i < argv.length && argv[i].startsWith("-")) {
            if (DOCKER_FLAGS_WITHOUT_VALUE.has(argv[i])) {
                i += 1;
                continue;
            }
            options.set(argv[i], [...(options.get(argv[i]) ?? []), argv[i + 1]]);
            i += 2;
        }
        const [image, ...args] = argv.slice(i);
        assert.match(image ?? "", /^[a-z0-9.-]+(:\d+)?\/.*[:@]/, `${where}: cannot read the docker run line: "${image}" is not an image reference`);
        const entrypoint = options.get("--entrypoint") ?? [];
        const one = (flag: string) => options.get(flag)?.[0];
        const start = seconds(one("--health-start-period"));
        out.containers.push({
            where: `${where}, container ${one("--name")}`,
            mounts: [...(options.get("--volume") ?? []), ...(options.get("-v") ?? [])].map(v => v.split(":")[1]),
            argv: [...entrypoint, ...args],
            stopTimeoutSeconds: seconds(one("--stop-timeout")),
            healthBudgetSeconds: start === undefined ? undefined : start + Number(one("--health-retries") ?? 3) * seconds(one("--health-interval") ?? "30s")!,
        });
    });
    return out;
}

/**
 * The fence within a container's argv, after whatever hands over to it with exec (a secrets loader), or
 * undefined when it does not start through the fence.
 */
function fenceIn(argv: string[]): { before: string[]; arguments: string[]; entrypoint: string[] } | undefined {
    const at = argv.indexOf(volumeFenceScript());
    const fence = at >= 2 ? unwrapFence(argv.slice(at - 2)) : undefined;
    return fence && { before: argv.slice(0, at - 2), ...fence };
}

/** A command that removes a lock file: rm or unlink of a LOCK or *.lock. */
const REMOVES_A_LOCK = /\b(rm|unlink)\b[^\n]*?(\bLOCK\b|[\w.-]*\.lock\b)/;

describe("every container that mounts a volume starts through the fence, on both clouds", () => {
    for (const c of graphCases()) {
        it(`${c.label}: fenced starts, timings within the platform's budgets, and no lock removed outside the fence`, async () => {
            const report = await graphOf(c);
            const host = c.cloud === "gcp" ? gcpHost(report) : { containers: awsContainers(report), scripts: [] };
            const problems: string[] = [];
            const stale = staleAfterSeconds();
            const mounting = host.containers.filter(k => k.mounts.length > 0);
            assert.ok(mounting.length > 0, "the stack has containers with volumes");
            for (const k of host.containers) {
                const fence = fenceIn(k.argv);
                // The fence's own script is the one place allowed to remove a lock.
                const outside = fence ? [...fence.before, ...fence.arguments, ...fence.entrypoint] : k.argv;
                for (const word of outside) {
                    const found = REMOVES_A_LOCK.exec(word);
                    if (found) problems.push(`${k.where}: removes a lock outside the fence: ${found[0]}`);
                }
                if (k.mounts.length === 0) continue;
                if (!fence) {
                    problems.push(`${k.where}: mounts ${k.mounts.join(", ")} but does not start through the volume fence`);
                    continue;
                }
                const fenced = new Set(fence.arguments.filter((_, i, all) => all[i - 1] === "--volume"));
                for (const m of k.mounts) if (!fenced.has(m)) problems.push(`${k.where}: the fence does not hold ${m}`);
                const expectedTiming = fenceArguments([], FENCE_TIMING);
                if (fence.arguments.slice(0, expectedTiming.length).join(" ") !== expectedTiming.join(" ")) {
                    problems.push(`${k.where}: fence timing ${fence.arguments.slice(0, 4).join(" ")}, expected ${expectedTiming.join(" ")}`);
                }
                // A holder the platform is stopping is dead (SIGKILL after the stop timeout) before its lease can go stale.
                if (k.stopTimeoutSeconds === undefined || k.stopTimeoutSeconds >= stale) {
                    problems.push(`${k.where}: stop timeout ${k.stopTimeoutSeconds} s; the fence judges a lease stale after ${stale} s, which must be longer`);
                }
                // A container waiting out a dead holder's lease must not be replaced by its own health check first:
                // its replacement would start counting again.
                const wait = longestWaitSeconds();
                if (k.healthBudgetSeconds !== undefined && k.healthBudgetSeconds <= wait) {
                    problems.push(`${k.where}: its health check replaces it ${k.healthBudgetSeconds} s after it starts, but the fence may wait ${wait} s for a dead writer's lease`);
                }
            }
            for (const s of host.scripts) {
                for (const word of s.words) {
                    if (word === volumeFenceScript()) continue;
                    const found = REMOVES_A_LOCK.exec(word);
                    if (found) problems.push(`${s.where}: removes a lock outside the fence: ${found[0]}`);
                }
            }
            assert.deepStrictEqual(problems, []);
        });
    }
});
