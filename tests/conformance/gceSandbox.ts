// A Container-Optimized OS boot in a sandbox, for the instances' cloud-config. The files cloud-init writes
// land under a temporary root; a small stand-in for systemd starts the units the runcmd names in the order
// their After= gives, and restarts them as their Restart= says; the scripts run for real with bash. Commands
// that need the host's privileges are stubs that record what they are asked: docker, docker-credential-gcr,
// mount, mountpoint, chown, systemctl, blockdev (a disk here is an image file, so it answers the size the test
// gave the disk) and sleep (no waiting: the seconds asked for are the instance's clock). blkid, mkfs.ext4, resize2fs and dd are the real util-linux and e2fsprogs tools,
// working on the disk images. curl is the real curl, pointed at a metadata server and a Secret Manager on
// 127.0.0.1 that answer as Google documents them:
//   - metadata token: GET /computeMetadata/v1/instance/service-accounts/default/token, refused without the
//     `Metadata-Flavor: Google` header, answering {access_token, expires_in, token_type}
//     (https://cloud.google.com/compute/docs/metadata/querying-metadata,
//      https://cloud.google.com/compute/docs/access/authenticate-workloads#applications);
//   - Secret Manager: GET /v1/{name=projects/*/secrets/*/versions/*}:access with `Authorization: Bearer`,
//     answering {name, payload: {data (base64), dataCrc32c}} or a google.rpc.Status error such as 403
//     PERMISSION_DENIED (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access).
// When the test runs as root, the scripts run as nobody: a path the sandbox does not map cannot be written.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DEVICE_DIR, HOST_CONFIG_DIR, METADATA_SERVER, SECRET_MANAGER_API, UNIT_DIR } from "../../components/gcp/cloudinit";
import { VOLUME_MOUNT_ROOT } from "../../components/gcp/volume";

const NOBODY = 65534;
/** Where util-linux and e2fsprogs keep their tools, whoever runs the test. */
export const TOOLS_PATH = `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}`;

/** Runs one of the system's tools with TOOLS_PATH. */
export function tool(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
    return spawnSync(command, args, { encoding: "utf8", env: { ...process.env, PATH: TOOLS_PATH } });
}

/** Whether every one of these tools is installed. */
export function haveTools(names: string[]): boolean {
    return names.every(n => tool("sh", ["-c", `command -v ${n}`]).status === 0);
}
/** What the test gives a disk that holds nothing. */
export const IMAGE_BYTES = 64 * 1024 * 1024;

// ---------------------------------------------------------------- Google, on 127.0.0.1

export interface GoogleRequest {
    kind: "token" | "secret";
    path: string;
    status: number;
    /** The bearer token a Secret Manager request carried. */
    bearer?: string;
}

/** The metadata server and Secret Manager, as Google documents their answers. */
export class FakeGoogle {
    readonly requests: GoogleRequest[] = [];
    /** Values by version name; the test fills them. */
    readonly values = new Map<string, string>();
    /** While this holds, Secret Manager refuses access with 403: the instance's IAM grant is still propagating. */
    denyWhile: () => boolean = () => false;
    private readonly issued = new Set<string>();
    private server?: http.Server;
    baseUrl = "";

    async start(): Promise<void> {
        this.server = http.createServer((req, res) => this.answer(req, res));
        await new Promise<void>(resolve => this.server!.listen(0, "127.0.0.1", resolve));
        this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        await new Promise<void>(resolve => this.server ? this.server.close(() => resolve()) : resolve());
    }

    /** `<secret>/versions/latest` is an alias of the secret's newest version (the access method's documentation). */
    private resolve(name: string): string {
        if (!name.endsWith("/versions/latest")) return name;
        const secret = name.slice(0, -"latest".length);
        const versions = [...this.values.keys()].filter(v => v.startsWith(secret)).sort((a, b) => Number(b.slice(secret.length)) - Number(a.slice(secret.length)));
        return versions[0] ?? name;
    }

    private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
        const url = req.url ?? "";
        const json = (status: number, body: unknown, kind: GoogleRequest["kind"], bearer?: string) => {
            this.requests.push({ kind, path: url, status, bearer });
            res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8" });
            // Google's JSON APIs answer pretty-printed, one member per line.
            res.end(JSON.stringify(body, null, 2) + "\n");
        };
        const rpcError = (status: number, code: string, message: string) => ({ error: { code: status, message, status: code } });
        if (url === "/computeMetadata/v1/instance/service-accounts/default/token") {
            if (req.headers["metadata-flavor"] !== "Google") return json(403, rpcError(403, "PERMISSION_DENIED", "Missing Metadata-Flavor:Google header."), "token");
            const token = `ya29.sandbox-${this.issued.size + 1}`;
            this.issued.add(token);
            return json(200, { access_token: token, expires_in: 3599, token_type: "Bearer" }, "token");
        }
        const access = /^\/v1\/(.+\/versions\/[^/:]+):access$/.exec(url);
        if (!access || req.method !== "GET") return json(404, rpcError(404, "NOT_FOUND", `no route ${req.method} ${url}`), "secret");
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        if (!bearer || !this.issued.has(bearer)) return json(401, rpcError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), "secret", bearer);
        if (this.denyWhile()) {
            return json(403, rpcError(403, "PERMISSION_DENIED", `Permission 'secretmanager.versions.access' denied for resource '${access[1]}' (or it may not exist).`), "secret", bearer);
        }
        const value = this.values.get(this.resolve(access[1]));
        if (value === undefined) return json(404, rpcError(404, "NOT_FOUND", `Secret Version [${access[1]}] not found.`), "secret", bearer);
        return json(200, { name: access[1], payload: { data: Buffer.from(value, "utf8").toString("base64"), dataCrc32c: "0" } }, "secret", bearer);
    }
}

// ---------------------------------------------------------------- the instance

export interface Call {
    command: string;
    args: string[];
}

export interface UnitRun {
    unit: string;
    exitCode: number;
    output: string;
}

export interface BootResult {
    runs: UnitRun[];
    /** Every stubbed or wrapped command, in order, its host paths mapped back. */
    calls: Call[];
    /** The mounts made, each `<fstype> <target>`, host paths mapped back. */
    mounts: string[];
}

interface Unit {
    name: string;
    after: string[];
    wants: string[];
    type: string;
    restart: string;
    execStart: string[];
}

function parseUnit(name: string, text: string): Unit {
    const values = (key: string) => text.split("\n").filter(l => l.startsWith(`${key}=`)).flatMap(l => l.slice(key.length + 1).split(/\s+/).filter(Boolean));
    const one = (key: string, fallback: string) => values(key)[0] ?? fallback;
    return { name, after: values("After"), wants: [...values("Wants"), ...values("Requires")], type: one("Type", "simple"), restart: one("Restart", "no"), execStart: values("ExecStart") };
}

const STUB = {
    record: 'printf \'%s\\0\' "$(basename "$0")" "$#" "$@" >> "$SANDBOX_STATE/calls"',
};

/** The stubs, as bash scripts. Each records its call, then does what the test needs of it. */
function stubScripts(realCurl: string): Record<string, string> {
    return {
        docker: [STUB.record, "exit 0"].join("\n"),
        "docker-credential-gcr": [STUB.record, "exit 0"].join("\n"),
        chown: [STUB.record, "exit 0"].join("\n"),
        systemctl: [STUB.record, "exit 0"].join("\n"),
        // Time passes only here: the test's clock is the seconds slept.
        sleep: [STUB.record, 'printf \'%s\\n\' "$1" >> "$SANDBOX_STATE/slept"'].join("\n"),
        mount: [
            STUB.record,
            'target="${!#}"',
            'fstype=device',
            'for ((i = 1; i < $#; i++)); do if [ "${!i}" = -t ]; then j=$((i + 1)); fstype="${!j}"; fi; done',
            'if [ "$fstype" = device ] && [ ! -e "${@: -2:1}" ]; then echo "mount: special device ${@: -2:1} does not exist" >&2; exit 32; fi',
            'printf \'%s %s\\n\' "$fstype" "$target" >> "$SANDBOX_STATE/mounts"',
        ].join("\n"),
        mountpoint: [
            STUB.record,
            'dir="${!#}"',
            'awk -v dir="$dir" \'$2 == dir { found = 1 } END { exit !found }\' "$SANDBOX_STATE/mounts"',
        ].join("\n"),
        blockdev: [
            STUB.record,
            '[ "$1" = --getsize64 ] || exit 1',
            'image="$(readlink -f "$2")"',
            'if [ ! -f "$image" ]; then echo "blockdev: cannot open $2: No such file or directory" >&2; exit 1; fi',
            'if [ -f "$image.size" ]; then cat "$image.size"; else stat -c %s "$image"; fi',
        ].join("\n"),
        curl: [
            STUB.record,
            "args=()",
            'for arg in "$@"; do',
            `  arg="\${arg//${METADATA_SERVER.replace(/\//g, "\\/")}/$SANDBOX_GOOGLE}"`,
            `  arg="\${arg//${new URL(SECRET_MANAGER_API).origin.replace(/\//g, "\\/")}/$SANDBOX_GOOGLE}"`,
            '  args+=("$arg")',
            "done",
            `exec ${realCurl} "\${args[@]}"`,
        ].join("\n"),
    };
}

export type DiskContent = "blank" | "ext4" | "swap" | "random" | "unreadable";

/**
 * One instance made from a cloud-config: its disks live across boots, everything else of COS is stateless
 * (/etc, /run and /mnt/disks are tmpfs there) and starts empty at every boot.
 */
export class SandboxInstance {
    readonly dir: string;
    private readonly fsRoot: string;
    private readonly diskDir: string;
    private readonly stubDir: string;
    private readonly stateDir: string;
    private readonly mapping: [string, string][];

    constructor(readonly userData: string, readonly google: FakeGoogle, runtimeDirs: string[]) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "gce-sandbox-"));
        this.fsRoot = path.join(this.dir, "fs");
        this.diskDir = path.join(this.dir, "disks");
        this.stubDir = path.join(this.dir, "stubs");
        this.stateDir = path.join(this.dir, "state");
        const hostDirs = [HOST_CONFIG_DIR, UNIT_DIR, VOLUME_MOUNT_ROOT, DEVICE_DIR, ...runtimeDirs];
        this.mapping = [...hostDirs.map(d => [d, path.join(this.fsRoot, d)] as [string, string]), ["/usr/bin/docker", path.join(this.stubDir, "docker")]];
        // The scripts run as nobody when the test is root: they must reach the sandbox, and nothing of the host.
        fs.chmodSync(this.dir, 0o755);
        for (const d of [this.diskDir, this.stubDir]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
        const realCurl = tool("sh", ["-c", "command -v curl"]).stdout.trim();
        for (const [name, body] of Object.entries(stubScripts(realCurl))) {
            fs.writeFileSync(path.join(this.stubDir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
        }
    }

    private mapIn(text: string): string {
        let out = text;
        for (const [from, to] of this.mapping) out = out.split(from).join(to);
        return out;
    }

    private mapOut(text: string): string {
        let out = text;
        for (const [from, to] of this.mapping) out = out.split(to).join(from);
        return out;
    }

    /**
     * Attaches a disk under /dev/disk/by-id/google-<device>. `advertisedBytes` is the size the disk answers
     * (the image itself stays small); `data` goes into an ext4 disk's root directory.
     */
    attachDisk(device: string, content: DiskContent, advertisedBytes?: number, data: Record<string, string> = {}): string {
        const image = path.join(this.diskDir, `${device}.img`);
        fs.rmSync(image, { force: true });
        fs.writeFileSync(image, "");
        fs.truncateSync(image, IMAGE_BYTES);
        if (content === "ext4") {
            const seed = fs.mkdtempSync(path.join(this.dir, "seed-"));
            for (const [name, text] of Object.entries(data)) fs.writeFileSync(path.join(seed, name), text);
            mustRun("mkfs.ext4", ["-q", "-F", "-d", seed, image]);
        } else if (content === "swap") {
            mustRun("mkswap", [image]);
        } else if (content === "random") {
            const fd = fs.openSync(image, "r+");
            fs.writeSync(fd, Buffer.alloc(1024 * 1024, 0x5a), 0, 1024 * 1024, 0);
            fs.closeSync(fd);
        }
        if (advertisedBytes !== undefined) fs.writeFileSync(`${image}.size`, String(advertisedBytes));
        this.openToSandbox(image, content === "unreadable" ? 0o000 : 0o644);
        return image;
    }

    /** The bytes of a file in the root directory of an ext4 disk image, read with e2fsprogs' debugfs. */
    readFromDisk(device: string, file: string): string | undefined {
        const run = tool("debugfs", ["-R", `cat /${file}`, this.image(device)]);
        return run.status === 0 && !/File not found/.test(run.stderr) ? run.stdout : undefined;
    }

    /** What blkid's low-level probe says the disk holds now. */
    diskType(device: string): string {
        return this.probe(device, "TYPE");
    }

    /** A tag blkid's low-level probe reads from the disk, e.g. TYPE or UUID. */
    probe(device: string, tag: string): string {
        return tool("blkid", ["-p", "-s", tag, "-o", "value", this.image(device)]).stdout.trim();
    }

    /** The disk's image file. */
    image(device: string): string {
        return path.join(this.diskDir, `${device}.img`);
    }

    private openToSandbox(file: string, mode: number): void {
        fs.chmodSync(file, mode);
        if (process.getuid?.() === 0) fs.chownSync(file, NOBODY, NOBODY);
    }

    /** Boots: writes what cloud-init writes, runs the runcmd's systemctl starts through the units, as systemd would. */
    async boot(maxRestarts = 3): Promise<BootResult> {
        // What COS keeps across a reboot here: the disks. /etc, /run and /mnt/disks start empty.
        fs.rmSync(this.fsRoot, { recursive: true, force: true });
        fs.rmSync(this.stateDir, { recursive: true, force: true });
        fs.mkdirSync(this.stateDir, { recursive: true });
        fs.writeFileSync(path.join(this.stateDir, "calls"), "");
        fs.writeFileSync(path.join(this.stateDir, "mounts"), "");
        const byId = this.mapIn(DEVICE_DIR);
        fs.mkdirSync(byId, { recursive: true });
        for (const image of fs.readdirSync(this.diskDir).filter(f => f.endsWith(".img"))) {
            fs.symlinkSync(path.join(this.diskDir, image), path.join(byId, `google-${image.slice(0, -4)}`));
        }
        const doc = YAML.parse(this.userData) as { write_files: { path: string; permissions: string; owner: string; content: string }[]; runcmd: string[][] };
        for (const f of doc.write_files) {
            const target = this.mapIn(f.path);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, this.mapIn(f.content), { mode: parseInt(f.permissions, 8) });
        }
        if (process.getuid?.() === 0) spawnSync("chown", ["-R", `${NOBODY}:${NOBODY}`, this.fsRoot, this.stateDir]);

        const units = new Map<string, Unit>();
        const unitDir = this.mapIn(UNIT_DIR);
        for (const name of fs.readdirSync(unitDir)) units.set(name, parseUnit(name, fs.readFileSync(path.join(unitDir, name), "utf8")));

        // The runcmd: every `systemctl start` queues its units (and what they want); systemd then runs each
        // job once the jobs it is ordered after have finished, whatever their result.
        const queued: string[] = [];
        const queue = (name: string) => {
            if (queued.includes(name) || !units.has(name)) return;
            queued.push(name);
            units.get(name)!.wants.forEach(queue);
        };
        for (const command of doc.runcmd) {
            if (command[0] === "iptables" || command[0] === "ip6tables") continue;
            if (command[0] !== "systemctl") throw new Error(`the sandbox runs only systemctl and the host firewall rules in runcmd, not ${command.join(" ")}`);
            if (command[1] === "start") command.slice(2).filter(w => !w.startsWith("-")).forEach(queue);
        }
        const runs: UnitRun[] = [];
        const done = new Set<string>();
        while (done.size < queued.length) {
            const ready = queued.find(u => !done.has(u) && units.get(u)!.after.every(a => !queued.includes(a) || done.has(a)));
            if (!ready) throw new Error(`ordering cycle among ${queued.filter(u => !done.has(u)).join(", ")}`);
            await this.runUnit(units.get(ready)!, runs, maxRestarts);
            done.add(ready);
        }
        return { runs, calls: this.calls(), mounts: this.mounts() };
    }

    private async runUnit(unit: Unit, runs: UnitRun[], maxRestarts: number): Promise<void> {
        // Timers are started by systemd, not run here.
        if (unit.execStart.length === 0) return;
        for (let attempt = 0; ; attempt++) {
            const [program, ...args] = unit.execStart;
            const run = await this.exec(program, args);
            runs.push({ unit: unit.name, exitCode: run.code, output: this.mapOut(run.output) });
            const restarts = unit.restart === "always" || (unit.restart === "on-failure" && run.code !== 0);
            // A container that started ran (the docker stub returns at once): that is what is checked here.
            if (run.code === 0 || !restarts || attempt >= maxRestarts) return;
        }
    }

    private exec(program: string, args: string[]): Promise<{ code: number; output: string }> {
        const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
        return new Promise((resolve, reject) => {
            const child = spawn(program, args, {
                ...asNobody,
                stdio: ["ignore", "pipe", "pipe"],
                env: {
                    PATH: `${this.stubDir}:${TOOLS_PATH}`,
                    SANDBOX_STATE: this.stateDir,
                    SANDBOX_GOOGLE: this.google.baseUrl,
                    LANG: "C",
                },
            });
            let output = "";
            child.stdout.on("data", d => { output += d; });
            child.stderr.on("data", d => { output += d; });
            child.on("error", reject);
            child.on("close", code => resolve({ code: code ?? -1, output }));
        });
    }

    /** The instance's clock: seconds its scripts have slept since this boot. */
    sleptSeconds(): number {
        const file = path.join(this.stateDir, "slept");
        if (!fs.existsSync(file)) return 0;
        return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).reduce((sum, s) => sum + Number(s), 0);
    }

    private calls(): Call[] {
        const raw = fs.readFileSync(path.join(this.stateDir, "calls"), "utf8").split("\0");
        const calls: Call[] = [];
        for (let i = 0; i < raw.length - 1;) {
            const command = raw[i];
            const count = Number(raw[i + 1]);
            calls.push({ command, args: raw.slice(i + 2, i + 2 + count).map(a => this.mapOut(a)) });
            i += 2 + count;
        }
        return calls;
    }

    private mounts(): string[] {
        return fs.readFileSync(path.join(this.stateDir, "mounts"), "utf8").split("\n").filter(Boolean).map(m => this.mapOut(m));
    }

    /** Every regular file under the sandbox's host paths, by host path, with its mode. */
    files(): { path: string; mode: number; content: string }[] {
        const out: { path: string; mode: number; content: string }[] = [];
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(full);
                else if (entry.isFile()) out.push({ path: this.mapOut(full), mode: fs.statSync(full).mode & 0o7777, content: fs.readFileSync(full, "utf8") });
            }
        };
        if (fs.existsSync(this.fsRoot)) walk(this.fsRoot);
        return out;
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

function mustRun(command: string, args: string[]): void {
    const run = tool(command, args);
    if (run.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${run.stderr}`);
}

/** The words of a `docker run` call after `run`, as docker's CLI reads them. */
export function dockerRuns(calls: Call[]): string[][] {
    return calls.filter(c => c.command === "docker" && c.args[0] === "run").map(c => c.args.slice(1));
}

/** The value of every `--flag value` (or `--flag=value`) in a docker argument list. */
export function flagValues(args: string[], flag: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
        if (args[i] === flag) out.push(args[++i]);
        else if (args[i].startsWith(`${flag}=`)) out.push(args[i].slice(flag.length + 1));
    }
    return out;
}
