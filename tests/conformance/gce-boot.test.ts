// The instances' boot scripts, run for real in a sandbox (gceSandbox.ts): what they fetch from the metadata
// server and Secret Manager, what they write, mount and format, and which containers they start with which
// `docker run`, on a first boot, a reboot, an IAM grant that arrives late and a disk that never appears.
// The disk step is also run against disk images of every kind the real util-linux and e2fsprogs tools see:
// blkid's exit status 2 means "nothing found" and also "could not probe" (man blkid, EXIT STATUS; util-linux
// misc-utils/blkid.c returns BLKID_EXIT_NOTFOUND when it cannot open the device), so a disk is formatted only
// once it is proven blank, and anything else is refused loudly.
import * as assert from "assert";
import { RUN_DIR as CHAINLINK_RUN_DIR } from "../../components/chainlink/ports";
import { HostSpec, cloudConfig, runtimeDir } from "../../components/gcp/cloudinit";
import { gcpName } from "../../components/gcp/shared";
import { SynthResource } from "../../tools/harness";
import { bashWords } from "../support";
import { Call, FakeGoogle, SandboxInstance, dockerRuns, flagValues, haveTools, tool } from "./gceSandbox";
import { graphCases, graphOf } from "./graphs";

/** The GCE disk size unit: "the size of the disk in base-2 GB" (Compute Engine API, AttachedDiskInitializeParams.diskSizeGb). */
const GIB = 1024 ** 3;
/** Seconds an IAM grant may take to reach a new instance in this test: longer than the old ten minutes of retries. */
const LATE_IAM_SECONDS = 15 * 60;

interface Template {
    service: string;
    userData: string;
    secretVersions: string[];
    volumes: { device: string; mountPoint: string; owner: string; bytes: number }[];
}

function templatesOf(resources: SynthResource[]): Template[] {
    return resources.filter(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate").map(r => {
        const metadata = r.inputs.metadata as Record<string, string>;
        const userData = metadata["user-data"];
        const service = gcpName([r.name.replace(/-template$/, "")]);
        const volumes = userData.split("\n").map(l => l.trim()).filter(l => l.startsWith("mount_volume /")).map(l => {
            const [, device, mountPoint, owner, bytes] = bashWords(l);
            return { device: device.replace(/^.*\/google-/, ""), mountPoint, owner, bytes: Number(bytes) };
        });
        return { service, userData, secretVersions: (metadata["secret-versions"] ?? "").split(",").filter(Boolean), volumes };
    });
}

/** A value no script could guess, with every character an env file line must carry through unchanged. */
function secretValue(version: string): string {
    return `s3cr3t-${version.replace(/[^a-z0-9]/gi, "")}-'"$HOME\`;x=1 \\`;
}

function instanceFor(t: Template, google: FakeGoogle): SandboxInstance {
    for (const v of t.secretVersions) google.values.set(v, secretValue(v));
    return new SandboxInstance(t.userData, google, [runtimeDir({ service: t.service, volumes: [], containers: [] })]);
}

function outputOf(runs: { unit: string; output: string; exitCode: number }[]): string {
    return runs.map(r => `--- ${r.unit} (exit ${r.exitCode})\n${r.output}`).join("\n");
}

function mountTargets(calls: Call[]): string[] {
    return calls.filter(c => c.command === "mount").map(c => c.args[c.args.length - 1]);
}

/** util-linux, e2fsprogs and curl (.ci/run installs them). */
const TOOLS = ["bash", "curl", "blkid", "blockdev", "mkfs.ext4", "resize2fs", "debugfs", "mkswap", "dd"];

describe("GCE boot scripts in a sandbox", function () {
    this.timeout(60_000);
    const google = new FakeGoogle();
    const instances: SandboxInstance[] = [];
    let templates: Template[] = [];

    before(async function () {
        if (!haveTools(TOOLS)) this.skip();
        await google.start();
        // Prod first: it runs every workload. Peers of a kind differ only in names and sizes: one of each kind.
        const cases = graphCases().filter(c => c.cloud === "gcp" && !c.request.set).sort((a, b) => Number(b.request.stack === "prod") - Number(a.request.stack === "prod"));
        for (const c of cases) templates.push(...templatesOf((await graphOf(c)).resources));
        const kinds = new Set<string>();
        templates = templates.filter(t => {
            const kind = t.service.replace(/-\d+$/, "");
            return !kinds.has(kind) && kinds.add(kind);
        });
    });
    after(async () => {
        await google.stop();
        for (const i of instances) i.remove();
    });
    beforeEach(() => {
        google.requests.length = 0;
        google.denyWhile = () => false;
    });

    function boot(t: Template): SandboxInstance {
        const instance = instanceFor(t, google);
        instances.push(instance);
        return instance;
    }

    it("first boot: formats the blank disks, reads exactly the template's secret versions into memory, starts every container", async () => {
        assert.deepStrictEqual(templates.map(t => t.service.replace(/-\d+$/, "")).sort(), ["ceramic", "ceramic-one", "chainlink", "ipfs"], "an instance of every kind");
        for (const t of templates) {
            google.requests.length = 0;
            const instance = boot(t);
            for (const v of t.volumes) instance.attachDisk(v.device, "blank", v.bytes);
            const result = await instance.boot();
            const where = `${t.service}:\n${outputOf(result.runs)}`;

            assert.ok(result.runs.every(r => r.exitCode === 0), `every unit starts at once on ${where}`);
            for (const v of t.volumes) {
                assert.strictEqual(instance.diskType(v.device), "ext4", `${t.service}: blank disk ${v.device} formatted`);
                assert.ok(result.mounts.includes(`device ${v.mountPoint}`), `${t.service}: ${v.device} mounted at ${v.mountPoint}`);
                const mount = result.calls.find(c => c.command === "mount" && c.args.at(-1) === v.mountPoint)!;
                assert.match(mount.args.join(" "), /-o \S*nosuid\S*nodev/, `${t.service}: ${v.mountPoint} mounted nosuid,nodev`);
            }

            // Secret Manager: exactly the versions the template names, each with a token the metadata server issued.
            const fetched = google.requests.filter(r => r.kind === "secret");
            assert.deepStrictEqual([...new Set(fetched.map(r => r.path))].sort(), t.secretVersions.map(v => `/v1/${v}:access`).sort(), `${t.service} reads the versions it was made for`);
            assert.ok(fetched.every(r => r.status === 200 && r.bearer?.startsWith("ya29.sandbox-")), `${t.service}: every read authorised`);

            // What the secrets became: files on a tmpfs the scripts mounted themselves, never on a disk.
            const runtime = runtimeDir({ service: t.service, volumes: [], containers: [] });
            const values = t.secretVersions.map(secretValue);
            if (values.length > 0) {
                assert.ok(result.mounts.includes(`tmpfs ${runtime}`), `${t.service}: ${runtime} is a tmpfs (${result.mounts.join(", ")})`);
            }
            for (const f of instance.files()) {
                if (values.some(v => f.content.includes(v))) {
                    assert.ok(f.path.startsWith(`${runtime}/`), `${t.service}: ${f.path} holds a secret outside the tmpfs ${runtime}`);
                    assert.strictEqual(f.mode & 0o077, 0, `${t.service}: ${f.path} is readable by others (${f.mode.toString(8)})`);
                }
            }

            const runs = dockerRuns(result.calls);
            const containerUnits = result.runs.filter(r => r.unit.startsWith("web3-container-"));
            assert.strictEqual(runs.length, containerUnits.length, `${t.service}: one docker run per container unit`);
            for (const args of runs) {
                const [name] = flagValues(args, "--name");
                const user = flagValues(args, "--user")[0];
                assert.ok(user && !/^0(:|$)/.test(user), `${t.service}/${name}: runs as ${user}, not root`);
                // Docker keeps a container's configuration, its environment included, in config.v2.json under
                // /var/lib/docker on the boot disk (moby container/container.go): no secret may travel that way.
                assert.deepStrictEqual(flagValues(args, "--env-file"), [], `${t.service}/${name}: no env file handed to docker`);
                for (const v of values) assert.ok(!args.some(a => a.includes(v)), `${t.service}/${name}: a secret value on docker's command line`);
                const bound = flagValues(args, "--mount").filter(m => m.includes(`source=${runtime}/`));
                for (const m of bound) {
                    assert.match(m, /(^|,)readonly(,|$)/, `${t.service}/${name}: its secrets are bound read-only`);
                    // What the container reads: NAME=value lines, each value exactly as Secret Manager holds it.
                    const source = /source=([^,]+)/.exec(m)![1];
                    const lines = instance.files().find(f => f.path === source)!.content.split("\n").filter(Boolean);
                    assert.ok(lines.length > 0 && lines.every(l => values.some(v => l.endsWith(`=${v}`) && /^[A-Z_][A-Z0-9_]*=/.test(l))), `${t.service}/${name}: ${source} holds ${lines.length} lines that are not NAME=<secret value>`);
                    const owner = result.calls.find(c => c.command === "chown" && c.args[1].startsWith(`${source}.`));
                    assert.strictEqual(owner?.args[0], user, `${t.service}/${name}: ${source} belongs to the container's user`);
                }
                if (name === "chainlink") {
                    const scratch = flagValues(args, "--tmpfs").map(o => o.split(":")[0]);
                    assert.ok(scratch.includes(CHAINLINK_RUN_DIR), `chainlink decodes its TOML and API files into ${CHAINLINK_RUN_DIR}, which must be a tmpfs (${scratch.join(", ") || "none"})`);
                }
            }
            assert.deepStrictEqual(runs.map(a => `web3-container-${flagValues(a, "--name")[0]}.service`), containerUnits.map(r => r.unit), `${t.service}: containers start in the order of their units`);
            // The containers start after their volumes and secrets.
            const lastPrerequisite = Math.max(...result.calls.map((c, i) => (c.command === "mount" || c.command === "curl") ? i : -1));
            const firstRun = result.calls.findIndex(c => c.command === "docker" && c.args[0] === "run");
            assert.ok(firstRun > lastPrerequisite, `${t.service}: a container started before its volumes and secrets`);
        }
    });

    it("reboot: keeps the disks and their data (no mkfs), mounts them again and starts the containers", async () => {
        const t = templates.find(x => x.volumes.length > 0)!;
        const instance = boot(t);
        for (const v of t.volumes) instance.attachDisk(v.device, "blank", v.bytes);
        const first = await instance.boot();
        assert.ok(first.runs.every(r => r.exitCode === 0), outputOf(first.runs));
        const uuids = t.volumes.map(v => instance.probe(v.device, "UUID"));
        for (const v of t.volumes) {
            const write = tool("debugfs", ["-w", "-R", `write /etc/hostname kept-${v.device}`, instance.image(v.device)]);
            assert.strictEqual(write.status, 0, write.stderr);
        }

        const second = await instance.boot();
        assert.ok(second.runs.every(r => r.exitCode === 0), outputOf(second.runs));
        t.volumes.forEach((v, i) => {
            assert.strictEqual(instance.probe(v.device, "UUID"), uuids[i], `${v.device} was formatted again`);
            assert.ok(instance.readFromDisk(v.device, `kept-${v.device}`) !== undefined, `${v.device} lost its data`);
        });
        assert.deepStrictEqual(mountTargets(second.calls).filter(m => m.startsWith("/mnt/")).sort(), t.volumes.map(v => v.mountPoint).sort());
        assert.strictEqual(dockerRuns(second.calls).length, second.runs.filter(r => r.unit.startsWith("web3-container-")).length);
    });

    it("late IAM: Secret Manager refuses for fifteen minutes, the secrets unit keeps trying, and the containers start once it answers", async () => {
        const t = templates.find(x => x.secretVersions.length > 0 && x.service.startsWith("chainlink")) ?? templates.find(x => x.secretVersions.length > 0)!;
        const instance = boot(t);
        for (const v of t.volumes) instance.attachDisk(v.device, "blank", v.bytes);
        google.denyWhile = () => instance.sleptSeconds() < LATE_IAM_SECONDS;
        const result = await instance.boot();
        const log = outputOf(result.runs);

        assert.ok(google.requests.some(r => r.kind === "secret" && r.status === 403), "Secret Manager refused at first");
        const secretsRuns = result.runs.filter(r => r.unit === "web3-secrets.service");
        assert.strictEqual(secretsRuns.at(-1)?.exitCode, 0, `the secrets unit recovers by itself:\n${log}`);
        const read = new Set(google.requests.filter(r => r.kind === "secret" && r.status === 200).map(r => r.path));
        assert.deepStrictEqual([...read].sort(), t.secretVersions.map(v => `/v1/${v}:access`).sort());
        assert.ok(instance.sleptSeconds() >= LATE_IAM_SECONDS, "it waited for the grant");
        // Within a minute of the grant: the retries back off, but not for long.
        assert.ok(instance.sleptSeconds() <= LATE_IAM_SECONDS + 120, `retries backed off to ${instance.sleptSeconds() - LATE_IAM_SECONDS} s after the grant`);
        const containers = result.runs.filter(r => r.unit.startsWith("web3-container-"));
        assert.ok(containers.length > 0 && containers.every(r => r.exitCode === 0), `every container started once the secrets were read:\n${log}`);
        assert.strictEqual(dockerRuns(result.calls).length, containers.length);
    });

    it("no disk: the volume step fails loudly naming the device, and no container that needs it starts", async () => {
        const t = templates.find(x => x.volumes.length > 0)!;
        const instance = boot(t);
        const result = await instance.boot();
        const volumes = result.runs.filter(r => r.unit === "web3-volumes.service");
        assert.ok(volumes.length > 0 && volumes.every(r => r.exitCode !== 0), outputOf(result.runs));
        assert.match(volumes[0].output, new RegExp(`google-${t.volumes[0].device}.*(never appeared|not an attached disk)`));
        assert.deepStrictEqual(dockerRuns(result.calls), [], "no container started without its disk");
        assert.ok(!result.calls.some(c => c.command === "mount" && c.args.some(a => a.startsWith("/mnt/"))), "nothing mounted");
    });
});

describe("the disk format step on disk images (real blkid, mkfs.ext4, resize2fs)", function () {
    this.timeout(30_000);
    const google = new FakeGoogle();
    const instances: SandboxInstance[] = [];
    const device = "data";
    const sizeGiB = 10;
    const spec: HostSpec = {
        service: "disk-check",
        volumes: [{ device, mountPoint: "/mnt/disks/data", owner: { uid: 1000, gid: 1000 }, sizeGiB }],
        containers: [{ name: "app", image: "busybox:1.36", env: {}, secrets: [], user: { uid: 1000, gid: 1000 }, mounts: [{ hostPath: "/mnt/disks/data", containerPath: "/data" }], memoryMiB: 256 }],
    };

    before(async function () {
        if (!haveTools(TOOLS)) this.skip();
        await google.start();
    });
    after(async () => {
        await google.stop();
        for (const i of instances) i.remove();
    });

    async function bootWith(setup: (i: SandboxInstance) => void) {
        const instance = new SandboxInstance(cloudConfig(spec), google, []);
        instances.push(instance);
        setup(instance);
        const result = await instance.boot(0);
        const volumes = result.runs.find(r => r.unit === "web3-volumes.service")!;
        return { instance, result, volumes, mounted: result.mounts.includes("device /mnt/disks/data"), started: dockerRuns(result.calls).length > 0 };
    }

    it("formats a blank disk of the declared size, then mounts it for its owner", async () => {
        const { instance, volumes, mounted, started, result } = await bootWith(i => i.attachDisk(device, "blank", sizeGiB * GIB));
        assert.strictEqual(volumes.exitCode, 0, volumes.output);
        assert.strictEqual(instance.diskType(device), "ext4");
        assert.ok(mounted && started);
        assert.ok(result.calls.some(c => c.command === "chown" && c.args.join(" ") === "1000:1000 /mnt/disks/data"));
    });

    it("keeps an ext4 disk that holds data intact: no mkfs, same filesystem, same files", async () => {
        const { instance, volumes, mounted, started } = await bootWith(i => {
            i.attachDisk(device, "ext4", sizeGiB * GIB, { "peer.key": "the repo's data" });
        });
        assert.strictEqual(volumes.exitCode, 0, volumes.output);
        assert.strictEqual(instance.readFromDisk(device, "peer.key"), "the repo's data");
        assert.ok(mounted && started);
    });

    for (const [content, why] of [
        ["swap", /swap/],
        ["random", /not blank|holds data|unknown/i],
        ["unreadable", /cannot (read|probe)|Permission denied/i],
    ] as const) {
        it(`refuses a disk that is ${content === "swap" ? "swap, not ext4" : content === "random" ? "not blank but has no signature blkid knows" : "unreadable (the probe fails)"}: nothing formatted, nothing mounted`, async () => {
            const { instance, volumes, mounted, started } = await bootWith(i => i.attachDisk(device, content, sizeGiB * GIB));
            assert.notStrictEqual(volumes.exitCode, 0, `${content} accepted:\n${volumes.output}`);
            assert.match(volumes.output, why);
            assert.notStrictEqual(instance.diskType(device), "ext4", `${content} disk formatted`);
            assert.ok(!mounted, "mounted anyway");
            assert.ok(!started, "its container started anyway");
        });
    }

    it("refuses a blank disk smaller than the volume it should be: it is not the disk that was made for it", async () => {
        const { instance, volumes, mounted } = await bootWith(i => i.attachDisk(device, "blank", (sizeGiB - 1) * GIB));
        assert.notStrictEqual(volumes.exitCode, 0, volumes.output);
        assert.match(volumes.output, /bytes/);
        assert.strictEqual(instance.diskType(device), "");
        assert.ok(!mounted);
    });
});
