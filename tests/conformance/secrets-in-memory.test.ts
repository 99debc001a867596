// The files a container decodes from its secrets stay in memory on both clouds: Chainlink's config.toml,
// secrets.toml and API credentials file, Ceramic's daemon config with the Ethereum RPC URL. A container's
// writable layer lives on a disk (Container-Optimized OS keeps /var/lib/docker on the boot disk's stateful
// partition: https://cloud.google.com/container-optimized-os/docs/concepts/disks-and-filesystem; Fargate keeps
// it on the task's ephemeral storage: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html),
// so each of those files must sit under a tmpfs the back-end mounts, in every container of every stack:
//   - GCP: `docker run --tmpfs PATH:OPTIONS`, OPTIONS as moby accepts them (pkg/mount ParseTmpfsOptions: the
//     mount flags, and data options size, mode, uid, gid, nr_inodes, nr_blocks, mpol), owned by the container's user;
//   - AWS: the container definition's linuxParameters.tmpfs (ECS API Tmpfs: containerPath, size in MiB,
//     mountOptions from the documented values), which Fargate mounts since January 2026.
// And the secrets themselves reach a GCP container without Docker's help: Docker keeps a container's
// environment in its configuration on the boot disk (moby container/container.go, config.v2.json).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { NODE_FILES, RUN_DIR } from "../../components/chainlink";
import { ceramicStartScript } from "../../components/ceramic/daemon";
import { CONFIG_DIR as CERAMIC_CONFIG_DIR } from "../../components/ceramic/ports";
import { nodeContainer } from "../../components/chainlink/node";
import { CONTAINER_SECRETS_FILE, secretsLoader } from "../../components/gcp/cloudinit";
import { ContainerSpec } from "../../components/topology";
import { secretDeliveryProblems } from "../../components/topology/rules";
import { bashWords, hasBinary } from "../support";
import { flagValues } from "./gceSandbox";
import { graphCases, graphOf } from "./graphs";

/** The files each workload decodes from its secrets, by container name. */
const SECRET_FILES: Record<string, string[]> = {
    chainlink: Object.values(NODE_FILES).map(f => `${RUN_DIR}/${f.file}`),
    ceramic: [`${CERAMIC_CONFIG_DIR}/daemon.config.json`],
};

/** ECS API, Tmpfs.mountOptions: "Valid values" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tmpfs.html, read 2026-12-01). */
const ECS_TMPFS_MOUNT_OPTIONS = new Set([
    "defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync", "remount", "mand", "nomand",
    "atime", "noatime", "diratime", "nodiratime", "bind", "rbind", "unbindable", "runbindable", "private", "rprivate", "shared", "rshared",
    "slave", "rslave", "relatime", "norelatime", "strictatime", "nostrictatime", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol",
]);

/** moby pkg/mount (mount.go, flags; ParseTmpfsOptions, validFlags), read 2026-12-01: what `docker run --tmpfs` accepts. */
const DOCKER_TMPFS_FLAGS = new Set([
    "defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync", "remount", "mand", "nomand",
    "atime", "noatime", "diratime", "nodiratime", "bind", "rbind", "unbindable", "runbindable", "private", "rprivate", "shared", "rshared",
    "slave", "rslave", "relatime", "norelatime", "strictatime", "nostrictatime",
]);
const DOCKER_TMPFS_DATA = new Set(["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"]);

const under = (file: string, dir: string) => file.startsWith(`${dir}/`);

/** The container scripts of a cloud-config: each one's `docker run` line as written, by container name. */
function dockerRunsOf(userData: string): Map<string, string> {
    const runs = new Map<string, string>();
    for (const f of (YAML.parse(userData) as { write_files: { path: string; content: string }[] }).write_files) {
        const start = f.content.indexOf("exec /usr/bin/docker run ");
        if (start < 0) continue;
        const line = f.content.slice(start + "exec /usr/bin/docker ".length);
        runs.set(/--name (\S+)/.exec(line)![1], line);
    }
    return runs;
}

describe("decoded secrets stay in memory on both clouds", function () {
    this.timeout(120_000);

    it("the workloads keep every decoded secret file in their memory scratch, and their start scripts write it there", () => {
        const chainlink = nodeContainer({ version: "2.28.0", cpu: 1, memoryMiB: 2048, files: {} as never, api: {} as never, p2p: { port: 6690 } as never });
        for (const file of SECRET_FILES.chainlink) {
            assert.ok(under(file, chainlink.memoryScratch!.path), `${file} outside chainlink's memory scratch`);
            assert.ok(chainlink.entrypoint!.join(" ").includes(`'${file}'`), `chainlink's start script does not name ${file}`);
        }
        assert.ok(ceramicStartScript().includes(`config_dir='${CERAMIC_CONFIG_DIR}'`));
    });

    for (const c of graphCases()) {
        it(`${c.label}: every decoded secret file is under a tmpfs of its container`, async () => {
            const graph = await graphOf(c);
            const found = new Set<string>();
            if (c.cloud === "aws") {
                for (const td of graph.resources.filter(r => r.type === "aws:ecs/taskDefinition:TaskDefinition")) {
                    const defs = JSON.parse(td.inputs.containerDefinitions as string) as { name: string; user: string; linuxParameters?: { tmpfs?: { containerPath: string; size: number; mountOptions?: string[] }[] } }[];
                    for (const def of defs) {
                        const tmpfs = def.linuxParameters?.tmpfs ?? [];
                        for (const t of tmpfs) {
                            assert.ok(Number.isInteger(t.size) && t.size >= 1, `${td.name}/${def.name}: tmpfs size ${t.size} MiB (ecs:Tmpfs.size, required)`);
                            for (const o of t.mountOptions ?? []) assert.ok(ECS_TMPFS_MOUNT_OPTIONS.has(o), `${td.name}/${def.name}: tmpfs mount option ${o} is not one ECS accepts`);
                        }
                        for (const file of SECRET_FILES[def.name] ?? []) {
                            assert.ok(tmpfs.some(t => under(file, t.containerPath)), `${td.name}/${def.name}: ${file} is not under a tmpfs (${tmpfs.map(t => t.containerPath).join(", ") || "none"})`);
                            found.add(def.name);
                        }
                    }
                }
            } else {
                for (const template of graph.resources.filter(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate")) {
                    const userData = (template.inputs.metadata as Record<string, string>)["user-data"];
                    for (const [name, line] of dockerRunsOf(userData)) {
                        assert.ok(!/--env-file/.test(line), `${template.name}/${name}: docker would keep the values of an env file in the container's config on the boot disk`);
                        if (!SECRET_FILES[name]) continue;
                        // The words as bash reads them: quoting and line continuations resolved.
                        const words = bashWords(line);
                        const [uid, gid] = flagValues(words, "--user")[0].split(":");
                        const tmpfs = flagValues(words, "--tmpfs").map(v => {
                            const [mountPath, options = ""] = v.split(/:(.*)/s);
                            return { mountPath, options: options.split(",").filter(Boolean) };
                        });
                        for (const t of tmpfs) {
                            for (const o of t.options) {
                                const [key, value] = o.split("=");
                                assert.ok(value === undefined ? DOCKER_TMPFS_FLAGS.has(key) : DOCKER_TMPFS_DATA.has(key), `${template.name}/${name}: --tmpfs option ${o} is not one Docker accepts`);
                            }
                            assert.ok(t.options.includes(`uid=${uid}`) && t.options.includes(`gid=${gid}`), `${template.name}/${name}: tmpfs ${t.mountPath} not owned by the container's user ${uid}:${gid}`);
                        }
                        for (const file of SECRET_FILES[name] ?? []) {
                            assert.ok(tmpfs.some(t => under(file, t.mountPath)), `${template.name}/${name}: ${file} is not under a tmpfs (${tmpfs.map(t => t.mountPath).join(", ") || "none"})`);
                            found.add(name);
                        }
                    }
                }
            }
            // A workload the stack runs was checked: a renamed container must not pass unseen.
            for (const n of Object.keys(SECRET_FILES).filter(n => graph.resources.some(r => r.name.startsWith(`${n}-`)))) {
                assert.ok(found.has(n), `${c.label}: no ${n} container found to check`);
            }
        });
    }

    it("GCP: the loader hands each secret line to the entrypoint exactly, whatever it holds, in the images' shells", function () {
        // busybox ash (kubo, ipfs-cluster, go-ipfs images), dash (node's Debian images), bash (chainlink's Ubuntu).
        const shells = [["dash"], ["busybox", "sh"], ["bash"]].filter(([s]) => hasBinary(s));
        if (shells.length === 0) this.skip();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-loader-"));
        try {
            const values = { PLAIN: "abc", QUOTES: `it's "quoted"`, DOLLAR: "$HOME `id` $(id)", SPACES: "  two  spaces  ", BACKSLASH: "a\\nb\\", EQUALS: "k=v=w" };
            fs.writeFileSync(path.join(dir, "env"), Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(""));
            const loader = secretsLoader().split(CONTAINER_SECRETS_FILE).join(path.join(dir, "env"));
            const entrypoint = ["sh", "-c", `for n in ${Object.keys(values).join(" ")}; do eval "printf '%s\\\\0' \\"\\$$n\\""; done`];
            for (const [shell, ...applet] of shells) {
                const run = spawnSync(shell, [...applet, "-c", loader, "web3-secrets", ...entrypoint], { encoding: "utf8", env: { PATH: process.env.PATH } });
                assert.strictEqual(run.status, 0, `${shell}: ${run.stderr}`);
                assert.deepStrictEqual(run.stdout.split("\0").slice(0, -1), Object.values(values), shell);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a memory scratch that is no place of its own, and secrets without an entrypoint to hand them to", () => {
        const base: ContainerSpec = { name: "app", image: "busybox:1.36", cpu: 0.25, memoryMiB: 256, user: { uid: 1000, gid: 1000 } };
        const volume = { volumeName: "data" } as never;
        assert.deepStrictEqual(secretDeliveryProblems({ ...base, entrypoint: ["/app"], memoryScratch: { path: "/run/app", sizeMiB: 16 } }), []);
        const problems = [
            ...secretDeliveryProblems({ ...base, secrets: { TOKEN: {} as never } }),
            ...secretDeliveryProblems(base, true),
            ...secretDeliveryProblems({ ...base, memoryScratch: { path: "/data/tmp", sizeMiB: 16 }, mounts: [{ volume, path: "/data" }] }),
            ...secretDeliveryProblems({ ...base, memoryScratch: { path: "/tmp/a:b", sizeMiB: 16 } }),
            ...secretDeliveryProblems({ ...base, memoryScratch: { path: "/tmp/x", sizeMiB: 256 } }),
        ];
        assert.strictEqual(problems.length, 5, problems.join("\n"));
        assert.match(problems[0], /container app: reads secrets, so it must give its entrypoint/);
        assert.match(problems[1], /container app: reaches the service's buckets with credentials from the secret store, so it must give its entrypoint/);
        assert.match(problems[2], /memoryScratch\.path \/data\/tmp overlaps the volume mounted at \/data/);
        assert.match(problems[3], /memoryScratch\.path "\/tmp\/a:b" must be an absolute path/);
        assert.match(problems[4], /memoryScratch\.sizeMiB is 256; a whole number from 1 to less than the container's memoryMiB \(256\)/);
    });
});
