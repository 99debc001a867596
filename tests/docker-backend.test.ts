// The Docker back-end (components/docker) judged on the local stack's graph (Pulumi.local.yaml, synthesized once
// and shared through tests/conformance/graphs.ts) and on the tools the engine and its images run: the kernel's
// tmpfs, sh, curl, Caddy's and HAProxy's own config checkers. No Docker engine runs here; what only an engine can
// show is said in the README's local-stack section.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { COMPONENT_TYPES, publicPortFor } from "../components/topology";
import { HostPortBook, LOCAL_ZONES } from "../components/docker";
import { CADDY_HTTPS_PORT, caddyHealthStatus, caddyfile } from "../components/docker/entryPoint";
import { PROC_ROOT, WATCHED_CONTAINER_ENV, livenessWatchdog, watchdogScript } from "../components/docker/liveness";
import { SECRETS_FILE_MODE, memoryScratchOptions, secretsVolumeOptions } from "../components/docker/pod";
import { haproxyConfig } from "../components/docker/passthroughLoadBalancer";
import { POSTGRES_ENV, TLS_DIR, pgHba, startScript } from "../components/docker/postgres";
import { SECRETS_DIR, SECRETS_FILE, secretsFile, secretsLoader } from "../components/docker/secret";
import { LABELS, STOP_TIMEOUT_SECONDS, dockerCpus } from "../components/docker/shared";
import { VOLUME_DATA_DIR, volumeOwnerScript } from "../components/docker/volume";
import { scheduleLoop } from "../components/docker/scheduledJob";
import { evaluatePolicies } from "../policies/evaluate";
import { ipfsClusterSpreadOverZones } from "../policies/rules/ipfsCluster";
import { ADVISORY_ON_LOCAL, localProfilePolicyConfig } from "../policies/rules/localProfile";
import { estimateCost } from "../tools/cost";
import { allowedPublicPorts } from "../policies/rules/settings";
import { SynthResource } from "../tools/harness";
import { SynthReport, localProfilePolicyConfigFile, mandatoryViolations } from "../tools/synth";
import { graphCases, graphOf, localGraphCases } from "./conformance/graphs";
import { hasBinary, inBlock, synthBackend } from "./support";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Inputs = Record<string, any>;

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
/** The wire's secret object (@pulumi/pulumi runtime/rpc.js specialSigKey, specialSecretSig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";

const localCase = localGraphCases().find(c => c.request.stack === "local")!;
const labelsOf = (c: SynthResource): Record<string, string> => Object.fromEntries(((c.inputs.labels ?? []) as { label: string; value: string }[]).map(l => [l.label, l.value]));
const roleOf = (c: SynthResource) => labelsOf(c)[LABELS.role];
const containers = (report: SynthReport) => report.resources.filter(r => r.type === CONTAINER);
const plain = (value: unknown): unknown => (value !== null && typeof value === "object" && SIG_KEY in (value as object) ? (value as { value: unknown }).value : value);

function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
    return spawnSync(command, args, { encoding: "utf8", timeout: options.timeout ?? 20000, input: options.input, env: options.env ?? process.env });
}

/** Whether this process may mount a tmpfs (root, as in the project's container; not on a CI runner's user). */
function canMountTmpfs(): boolean {
    if (process.getuid?.() !== 0) return false;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tmpfs-probe-"));
    const ok = run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]).status === 0;
    if (ok) run("umount", [dir]);
    fs.rmdirSync(dir);
    return ok;
}

describe("the Docker back-end (cloud docker, the local profile)", function () {
    this.timeout(120000);
    let report: SynthReport;
    before(async () => {
        report = await graphOf(localCase);
    });

    describe("the local stack's graph", () => {
        it("is the whole topology as containers and volumes, with no mandatory policy violation (the offline gate's verdict)", () => {
            assert.deepStrictEqual(mandatoryViolations(report), []);
            const types = new Set(report.resources.filter(r => r.custom).map(r => r.type.split(":")[0]));
            assert.deepStrictEqual([...types].sort(), ["docker", "pulumi", "random", "tls"]);
            for (const component of ["web3-nodes:ipfs-cluster:IpfsCluster", "web3-nodes:chainlink:ChainlinkNode", "web3-nodes:ceramic:CeramicNode"]) {
                assert.ok(report.resources.some(r => r.type === component), component);
            }
            // Three peers, each in one labelled zone; the Chainlink pair in two; Ceramic's flavour its default.
            const peers = (report.outputs.ipfsCluster as any).peers as { zone: string }[];
            assert.deepStrictEqual(peers.map(p => p.zone), [...LOCAL_ZONES]);
            assert.deepStrictEqual((report.outputs.chainlink as any).nodes.map((n: any) => n.zone), ["local-a", "local-b"]);
            assert.strictEqual((report.outputs.ceramic as any).flavour, "js-ceramic");
        });

        it("runs every container as an explicit non-root uid:gid, with every capability dropped, no-new-privileges and never privileged (moby daemon/oci_linux.go: CapDrop ALL, SecurityOpt no-new-privileges)", () => {
            const all = containers(report);
            assert.ok(all.length > 40, `${all.length} containers`);
            for (const c of all) {
                const i = c.inputs as Inputs;
                assert.match(i.user, /^[1-9]\d*:\d+$/, `${i.name}: user ${i.user}`);
                assert.deepStrictEqual(i.capabilities.drops, ["ALL"], i.name);
                // Caddy's binary carries cap_net_bind_service=+ep (caddyserver/caddy-docker 2.11/alpine/Dockerfile):
                // Linux refuses to execute it unless the bounding set has it (security/commoncap.c).
                assert.deepStrictEqual(i.capabilities.adds ?? [], roleOf(c) === "https-entry" ? ["CAP_NET_BIND_SERVICE"] : [], i.name);
                assert.ok((i.securityOpts as string[]).includes("no-new-privileges:true"), i.name);
                assert.strictEqual(i.privileged, false, i.name);
                assert.ok(i.memory > 0, `${i.name}: a memory limit`);
            }
        });

        it("gives every workload container the memory and CPU its spec asks for, restarts it whenever it exits, and runs no image HEALTHCHECK", () => {
            for (const service of report.resources.filter(r => r.type === COMPONENT_TYPES.service)) {
                const published = service.inputs.containers as { name: string; user: { uid: number; gid: number } }[];
                const below = containers(report).filter(c => c.parent === service.urn && ["container", "liveness"].includes(roleOf(c)));
                assert.deepStrictEqual(below.map(c => c.name).sort(), published.map(p => `${service.name}-${p.name}`).sort(), service.name);
                for (const c of below) {
                    const spec = published.find(p => `${service.name}-${p.name}` === c.name)!;
                    assert.strictEqual(c.inputs.user, `${spec.user.uid}:${spec.user.gid}`);
                    assert.strictEqual(c.inputs.restart, "unless-stopped");
                    assert.strictEqual(c.inputs.memorySwap, c.inputs.memory, "no swap beyond the limit");
                    assert.match(String(c.inputs.cpus), /^\d+(\.\d+)?$/);
                    assert.deepStrictEqual((c.inputs.healthcheck as Inputs).tests, ["NONE"]);
                    assert.strictEqual(labelsOf(c)[LABELS.zone], service.inputs.zone);
                }
            }
        });

        // Every value the provider reads back in another spelling, or the engine fills in, shows as a change on the
        // next `pulumi up`, and on a ForceNew field (cpus, capabilities: kreuzwerker/terraform-provider-docker
        // v4.5.0 resource_docker_container.go) replaces the container: each is sent as it will be read back.
        it("sends every container's CPU limit, capabilities and swap as the engine reports them back, so an unchanged stack changes nothing", () => {
            for (const c of containers(report)) {
                if (c.inputs.cpus !== undefined) assert.strictEqual(c.inputs.cpus, dockerCpus(Number(c.inputs.cpus)), `${c.name}: cpus ${c.inputs.cpus}`);
                for (const add of ((c.inputs.capabilities as Inputs | undefined)?.adds ?? []) as string[]) assert.match(add, /^CAP_[A-Z_]+$/, c.name);
                if (c.inputs.memory !== undefined) assert.strictEqual(c.inputs.memorySwap, c.inputs.memory, `${c.name}: the engine stores twice the memory as swap when none is given`);
            }
        });

        it("spells CPU limits as the provider's nanoInt64ToDecimalString does (terraform-provider-docker v4.5.0 helpers.go)", () => {
            assert.deepStrictEqual([1, 2, 0.5, 0.25, 0.125, 1.5, 0.1, 0.05, 4].map(dockerCpus), ["1.0", "2.0", "0.5", "0.25", "0.125", "1.5", "0.1", "0.1", "4.0"]);
            assert.throws(() => dockerCpus(0), /positive number of CPUs/);
        });

        it("stops each workload container with SIGTERM and its grace whoever stops it, the provider on a replacement included (destroy_grace_seconds, else 0: moby daemon/stop.go)", () => {
            for (const c of containers(report).filter(x => ["container", "postgres", "https-entry", "passthrough"].includes(roleOf(x)))) {
                assert.strictEqual(c.inputs.destroyGraceSeconds, STOP_TIMEOUT_SECONDS, c.name);
                assert.strictEqual(c.inputs.stopTimeout, STOP_TIMEOUT_SECONDS, c.name);
            }
        });

        it("gives what has a fixed name labels that never change, and removes the old one before making the new (moby volume store checkConflict; libnetwork NetworkNameError)", () => {
            const network = report.resources.find(r => r.type === "docker:index/network:Network")!;
            assert.strictEqual(network.options.deleteBeforeReplace, true);
            // The stack's network range, the one kubo lets its peers dial (ipfs-cluster/peering.ts addrFiltersAllowing).
            assert.deepStrictEqual(network.inputs.ipamConfigs, [{ subnet: "10.40.0.0/16" }]);
            for (const v of report.resources.filter(r => r.type === VOLUME)) {
                const keys = Object.keys(labelsOf(v)).sort();
                if (roleOf(v) === "volume") assert.deepStrictEqual(keys, [LABELS.role, LABELS.stack, LABELS.zone].sort(), v.name);
                else assert.strictEqual(v.options.deleteBeforeReplace, true, v.name);
            }
        });

        it("lets each kubo peer dial the others on the stack's network and announce the host address it is reached at (kubo v0.42.0 addrs.go makeAddrsFactory, filters.go)", () => {
            /** Whether a kubo filter (`/ip4/<a>/ipcidr/<n>`) holds an IPv4 address. */
            const filterHolds = (filter: string, ip: string) => {
                const m = /^\/ip4\/([\d.]+)\/ipcidr\/(\d+)$/.exec(filter);
                return m !== null && inBlock(`${m[1]}/${m[2]}`, ip);
            };
            const kubos = containers(report).filter(c => c.name.endsWith("-kubo"));
            assert.strictEqual(kubos.length, 3);
            for (const k of kubos) {
                const env = new Map((k.inputs.envs as string[]).map(e => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
                const announced = JSON.parse(env.get("KUBO_ANNOUNCE")!) as string[];
                assert.ok(announced.length > 0, k.name);
                const noAnnounce = JSON.parse(env.get("KUBO_NO_ANNOUNCE")!) as string[];
                for (const a of announced) {
                    const ip = a.split("/")[2];
                    assert.ok(!noAnnounce.some(f => filterHolds(f, ip)), `${k.name}: ${a} is dropped by NoAnnounce`);
                }
                const filters = JSON.parse(env.get("KUBO_ADDR_FILTERS")!) as string[];
                for (const ip of ["10.40.0.1", "10.40.0.2", "10.40.255.254"]) assert.ok(!filters.some(f => filterHolds(f, ip)), `${k.name}: ${ip} on the stack's network is filtered`);
            }
        });

        it("publishes only swarm and pass-through ports on every host address, the HTTPS entry point on 127.0.0.1:443 alone", () => {
            const swarm = allowedPublicPorts.default as number[];
            const published: Inputs[] = containers(report).flatMap(c => ((c.inputs.ports ?? []) as Inputs[]).map(p => ({ c: c.inputs.name, ...p })));
            for (const p of published) {
                if (p.ip === "127.0.0.1") assert.deepStrictEqual([p.c, p.internal, p.external], ["web3-local-https", CADDY_HTTPS_PORT, 443]);
                else {
                    assert.strictEqual(p.ip, "0.0.0.0", p.c);
                    assert.ok(swarm.includes(p.internal), `${p.c} publishes ${p.internal}`);
                }
            }
            const keys = published.map(p => `${p.external}/${p.protocol}`);
            assert.strictEqual(new Set(keys).size, keys.length, `a host port twice: ${keys.join(", ")}`);
            assert.ok(published.some(p => p.ip === "127.0.0.1"));
        });

        it("numbers public ports over the whole host (publicPortFor), and each peer announces the host ports it is reached on", () => {
            const sandbox = (service: string) => containers(report).find(c => c.inputs.name === `web3-local-${service}` && roleOf(c) === "sandbox")!;
            const peers = (report.outputs.ipfsCluster as any).peers as { name: string; multiaddresses: string[] }[];
            peers.forEach((peer, n) => {
                const ports = sandbox(peer.name).inputs.ports as Inputs[];
                assert.deepStrictEqual(ports.map(p => [p.internal, p.external, p.protocol]), [[4001, publicPortFor(4001, n), "tcp"], [4002, publicPortFor(4002, n), "udp"]]);
                assert.ok(peer.multiaddresses[0].startsWith(`/ip4/127.0.0.1/tcp/${publicPortFor(4001, n)}/p2p/`), peer.multiaddresses[0]);
                assert.ok(peer.multiaddresses[1].startsWith(`/ip4/127.0.0.1/udp/${publicPortFor(4002, n)}/quic-v1/p2p/`), peer.multiaddresses[1]);
            });
            assert.deepStrictEqual((report.outputs.chainlink as any).p2pAddresses, ["127.0.0.1:6690"]);
        });

        it("keeps every data volume protected and retained, and mounts only its owner's directory of it, never copied over from the image", () => {
            const volumes = report.resources.filter(r => r.type === VOLUME);
            const data = volumes.filter(v => (v.inputs as Inputs).driverOpts?.type !== "tmpfs");
            assert.ok(data.length >= 10, `${data.length} data volumes`);
            for (const v of data) assert.deepStrictEqual([v.options.protect, v.options.retainOnDelete], [true, true], v.name);
            const names = new Set(data.map(v => v.inputs.name));
            for (const c of containers(report).filter(x => ["container", "postgres", "https-entry"].includes(roleOf(x)))) {
                for (const m of (c.inputs.mounts ?? []) as Inputs[]) {
                    if (!names.has(m.source)) continue;
                    assert.deepStrictEqual(m.volumeOptions, { subpath: VOLUME_DATA_DIR, noCopy: true }, `${c.name} at ${m.target}`);
                }
            }
        });

        it("hands secrets over as a file on a tmpfs volume, read-only, never in Env, Labels or the command line", () => {
            const deliveries = containers(report).filter(c => roleOf(c) === "secrets");
            assert.ok(deliveries.length >= 8);
            const values: string[] = [];
            for (const d of deliveries) {
                // Removed when the engine starts again (moby daemon/daemon.go restore: AutoRemove), so a refresh finds it gone.
                assert.deepStrictEqual([d.inputs.rm, d.inputs.restart, d.inputs.networkMode], [true, "no", "none"]);
                // The uploads are a secret in state and on the wire, and shown as such.
                const wire = d.engine!.inputs.uploads;
                assert.ok(wire !== null && typeof wire === "object" && SIG_KEY in (wire as object), `${d.name}: uploads not a secret`);
                assert.strictEqual(d.inputs.uploads, "[secret]");
                const uploads = plain(wire) as Inputs[];
                assert.ok(uploads.length > 0);
                for (const upload of uploads) {
                    const content = plain(upload.content) as string;
                    assert.strictEqual(upload.permissions, SECRETS_FILE_MODE);
                    for (const line of content.split("\n").filter(Boolean)) values.push(line.slice(line.indexOf("=") + 1));
                    // The file lands on a tmpfs volume the delivery container mounts (the archive API writes into a
                    // stopped container's volume mounts, moby daemon/containerfs_linux.go openContainerFS).
                    const mount = (d.inputs.mounts as Inputs[]).find(m => upload.file.startsWith(`${m.target}/`))!;
                    const volume = report.resources.find(r => r.type === VOLUME && r.inputs.name === mount.source)!;
                    assert.strictEqual((volume.inputs as Inputs).driverOpts.type, "tmpfs", upload.file);
                    // The pod's sandbox holds the same volume mounted: a tmpfs volume lives while a container holds it
                    // (moby daemon/volume/local/local.go localVolume.Unmount).
                    const sandbox = containers(report).find(c => c.parent === d.parent && roleOf(c) === "sandbox")!;
                    assert.ok((sandbox.inputs.mounts as Inputs[]).some(m => m.source === mount.source), `${sandbox.name} holds ${mount.source}`);
                }
            }
            const longValues = values.filter(v => v.length >= 16);
            assert.ok(longValues.length >= 10, `${longValues.length} secret values`);
            for (const c of containers(report)) {
                const { uploads: _uploads, ...config } = c.engine!.inputs as Inputs;
                const text = JSON.stringify(config);
                for (const v of longValues) assert.ok(!text.includes(v), `${c.name} carries a secret value outside its secrets file`);
                const secretsMount = ((c.inputs.mounts ?? []) as Inputs[]).find(m => m.target === SECRETS_DIR);
                if (secretsMount) {
                    assert.strictEqual(secretsMount.readOnly, true, c.name);
                    assert.strictEqual((c.inputs.entrypoints as string[])[3], "web3-secrets", `${c.name} starts through the secrets loader`);
                    // A new delivery replaces the container, which then reads what was delivered.
                    const delivery = deliveries.find(d => d.parent === c.parent)!;
                    assert.strictEqual(labelsOf(c)[LABELS.secretsDelivery], delivery.id, c.name);
                }
            }
        });

        it("builds every peer identity with the clouds' own derivation: the same seeds give the same peer IDs as on AWS", async () => {
            const aws = await graphOf(graphCases().find(c => c.label === "dev on aws")!);
            const cloudPeers = (aws.outputs.ipfsCluster as any).peers as { name: string; peerId: string; ipfsPeerId: string }[];
            const localPeers = (report.outputs.ipfsCluster as any).peers as typeof cloudPeers;
            assert.deepStrictEqual(localPeers.map(p => [p.name, p.peerId, p.ipfsPeerId]), cloudPeers.map(p => [p.name, p.peerId, p.ipfsPeerId]));
            assert.strictEqual((report.outputs.ceramic as any).ipfsPeerId, (aws.outputs.ceramic as any).ipfsPeerId);
            const kinds = (r: SynthReport) => r.resources.filter(x => x.type === "web3-nodes:libp2p:PeerIdentity").map(x => x.name).sort();
            assert.deepStrictEqual(kinds(report), kinds(aws));
        });

        it("runs the same workload code as on the clouds: each service's containers, users, secrets, mounts and ports as on GCP", async () => {
            const gcp = await graphOf(graphCases().find(c => c.label === "dev on gcp")!);
            const shape = (r: SynthReport, name: string) => (r.resources.find(x => x.type === COMPONENT_TYPES.service && x.name === name)!.inputs.containers as Inputs[])
                .filter(c => c.name !== "liveness")
                .map(c => ({ name: c.name, user: c.user, entrypoint: c.entrypoint, secrets: c.secrets, mounts: c.mounts.map((m: Inputs) => m.path), ports: c.ports }));
            for (const service of ["ipfs-0", "ipfs-1", "ipfs-2", "ceramic", "ceramic-one"]) {
                assert.deepStrictEqual(shape(report, service), shape(gcp, service), service);
            }
        });

        it("gives the zone-loss analysis the zone labels: three peers in one labelled zone are a violation of ipfs-cluster-spread-over-zones", () => {
            const relabelled = JSON.parse(JSON.stringify(report.resources)) as SynthResource[];
            for (const r of relabelled.filter(x => x.type === CONTAINER)) {
                for (const l of (r.inputs.labels ?? []) as { label: string; value: string }[]) if (l.label === LABELS.zone) l.value = "local-a";
            }
            const verdicts = evaluatePolicies(relabelled, { stackTags: { profile: "local" }, policies: [ipfsClusterSpreadOverZones] });
            assert.ok(verdicts.some(v => v.enforcementLevel === "mandatory" && /its 3 peer\(s\) stand in 1 zone\(s\) \(local-a: ipfs-0, ipfs-1 and ipfs-2\)/.test(v.message)), JSON.stringify(verdicts));
            assert.deepStrictEqual(evaluatePolicies(report.resources, { stackTags: { profile: "local" }, policies: [ipfsClusterSpreadOverZones] }), []);
        });

        it("is not priced: npm run cost refuses a stack on the local engine, naming the clouds it prices", () => {
            assert.throws(() => estimateCost(report), /stack local runs on cloud docker, a Docker engine on your own machine: nothing of it is billed/);
        });

        it("runs the pack on the local profile with the cloud-only policies advisory, saying why in every message", () => {
            assert.deepStrictEqual(localProfilePolicyConfigFile(), localProfilePolicyConfig());
            const advisory = report.policy.violations.filter(v => v.enforcementLevel === "advisory" && v.policy in ADVISORY_ON_LOCAL);
            assert.deepStrictEqual([...new Set(advisory.map(v => v.policy))].sort(), Object.keys(ADVISORY_ON_LOCAL).sort());
            for (const v of advisory) assert.ok(v.message.endsWith(`(Advisory on the local profile: ${ADVISORY_ON_LOCAL[v.policy]}.)`), v.message);
        });
    });

    describe("what the containers run, run here", () => {
        it("every script the back-end writes is POSIX sh shellcheck finds nothing wrong with (the images' busybox and dash run them)", function () {
            if (!hasBinary("shellcheck")) this.skip();
            const scripts: Record<string, string> = {
                "secrets loader": secretsLoader("local"),
                "volume owner": volumeOwnerScript({ uid: 1000, gid: 100 }),
                "postgres start": startScript(),
                "schedule loop": scheduleLoop(15),
                "liveness watchdog": watchdogScript({ kind: "http", port: 8080, path: "/health?x='y'", gracePeriodSeconds: 600 }, "kubo"),
            };
            for (const [what, script] of Object.entries(scripts)) {
                const out = run("shellcheck", ["-s", "sh", "-"], { input: script });
                assert.strictEqual(out.status, 0, `${what}:\n${out.stdout}`);
            }
        });

        it("the secrets loader exports every line of the file as it is and execs the entrypoint; without the file it says what delivers it again", function () {
            if (!hasBinary("dash")) this.skip();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"));
            const file = path.join(dir, "env");
            const values = { PLAIN: "abc", TRICKY: `a $HOME 'b' "c" \`d\` =e= \\f`, SPACES: "  x  " };
            fs.writeFileSync(file, secretsFile("test", values));
            const script = secretsLoader("local").split(SECRETS_FILE).join(file);
            for (const shell of ["dash", "busybox"]) {
                const argv = shell === "busybox" ? ["sh", "-c", script] : ["-c", script];
                const out = run(shell, [...argv, "web3-secrets", "sh", "-c", 'printf "%s|%s|%s" "$PLAIN" "$TRICKY" "$SPACES"'], { env: { PATH: process.env.PATH } });
                assert.strictEqual(out.status, 0, out.stderr);
                assert.strictEqual(out.stdout, `${values.PLAIN}|${values.TRICKY}|${values.SPACES}`, shell);
            }
            fs.rmSync(file);
            const missing = run("dash", ["-c", script, "web3-secrets", "true"]);
            assert.strictEqual(missing.status, 1);
            assert.match(missing.stderr, /deliver them again with: pulumi up -s local --refresh/);
            assert.throws(() => secretsFile("service x, container y", { KEY: "two\nlines" }), /KEY spans several lines/);
            assert.throws(() => secretsFile("service x, container y", { KEY: "two\nlines" }), e => !(e as Error).message.includes("two"));
        });

        it("the memory volume: the kernel takes the local driver's tmpfs options; the archive API's root-owned file is the container user's to read, no other uid's", function () {
            if (!canMountTmpfs() || !hasBinary("setpriv")) this.skip();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memory-volume-"));
            const options = secretsVolumeOptions({ uid: 1000, gid: 100 });
            assert.deepStrictEqual([options.type, options.device], ["tmpfs", "tmpfs"]);
            // moby daemon/volume/local/local_unix.go: mount(2) with device, type and `o` as given.
            assert.strictEqual(run("mount", ["-t", options.type, "-o", options.o, options.device, dir]).status, 0);
            try {
                const root = fs.statSync(dir);
                assert.deepStrictEqual([root.uid, root.gid, root.mode & 0o7777], [1000, 100, 0o500]);
                fs.writeFileSync(path.join(dir, "env"), "A=b\n", { mode: Number.parseInt(SECRETS_FILE_MODE, 8) });
                const as = (uid: number, gid: number) => run("setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "cat", path.join(dir, "env")]);
                assert.strictEqual(as(1000, 100).stdout, "A=b\n");
                assert.notStrictEqual(as(1001, 100).status, 0, "another uid reads the secrets");
                assert.notStrictEqual(run("setpriv", ["--reuid=1000", "--regid=100", "--clear-groups", "sh", "-c", `echo x > ${dir}/new`]).status, 0, "the container writes into its secrets");
            } finally {
                run("umount", [dir]);
                fs.rmdirSync(dir);
            }
        });

        it("a memory scratch's options are the kernel's tmpfs options, owned by the container's user", function () {
            if (!canMountTmpfs()) this.skip();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scratch-"));
            assert.strictEqual(run("mount", ["-t", "tmpfs", "-o", memoryScratchOptions({ path: "/x", sizeMiB: 2 }, { uid: 14933, gid: 14933 }), "tmpfs", dir]).status, 0);
            try {
                const st = fs.statSync(dir);
                assert.deepStrictEqual([st.uid, st.gid, st.mode & 0o7777], [14933, 14933, 0o700]);
            } finally {
                run("umount", [dir]);
                fs.rmdirSync(dir);
            }
        });

        it("the volume owner makes the data directory its own, mode 0700, in a root-owned 1777 root (busybox /tmp copied up)", function () {
            if (process.getuid?.() !== 0 || !hasBinary("setpriv") || !hasBinary("busybox")) this.skip();
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "volume-"));
            fs.chmodSync(root, 0o1777);
            const script = volumeOwnerScript({ uid: 1000, gid: 100 }).split("/tmp/").join(`${root}/`);
            const out = run("setpriv", ["--reuid=1000", "--regid=100", "--clear-groups", "busybox", "sh", "-c", script]);
            assert.strictEqual(out.status, 0, out.stderr);
            const st = fs.statSync(path.join(root, VOLUME_DATA_DIR));
            assert.deepStrictEqual([st.uid, st.gid, st.mode & 0o7777], [1000, 100, 0o700]);
            // Another owner's directory is refused, not taken.
            const other = run("setpriv", ["--reuid=1001", "--regid=100", "--clear-groups", "busybox", "sh", "-c", volumeOwnerScript({ uid: 1001, gid: 100 }).split("/tmp/").join(`${root}/`)]);
            assert.notStrictEqual(other.status, 0);
            fs.rmSync(root, { recursive: true });
        });

        it("the liveness watchdog sends SIGTERM to the watched container's first process alone after the failures in a row, then waits out the grace (proc(5) cgroup and status; pid_namespaces(7): PPid 0)", function () {
            if (!hasBinary("curl")) this.skip();
            // The holder's process namespace as the watchdog sees it: the holder's sleep, the watched container's
            // first process and its child, another container of the pod.
            const proc = fs.mkdtempSync(path.join(os.tmpdir(), "proc-"));
            const processes: [number, string, number][] = [[1, "0::/../docker-holder.scope", 0], [7, "0::/../docker-abc123.scope", 0], [9, "0::/../docker-abc123.scope", 7], [12, "0::/../docker-def456.scope", 0]];
            for (const [pid, cgroup, parent] of processes) {
                fs.mkdirSync(path.join(proc, String(pid)));
                fs.writeFileSync(path.join(proc, String(pid), "cgroup"), `${cgroup}\n`);
                fs.writeFileSync(path.join(proc, String(pid), "status"), `Name:\tsh\nPid:\t${pid}\nPPid:\t${parent}\n`);
            }
            const script = watchdogScript({ kind: "http", port: 1, path: "/", gracePeriodSeconds: 1 }, "kubo", { intervalSeconds: 1, timeoutSeconds: 1, failures: 2 })
                .split(`${PROC_ROOT}/[0-9]*`).join(`${proc}/[0-9]*`)
                .split('kill -TERM "${dir##*/}"').join('echo "SIGTERM ${dir##*/}"');
            // Port 1 refuses at once: two failures a second apart, then the signal; the watchdog goes on until stopped.
            const out = run("sh", ["-c", script], { env: { ...process.env, [WATCHED_CONTAINER_ENV]: "abc123" }, timeout: 4000 });
            assert.match(out.stderr, /answered 000 \(2 of 2\)/);
            const signalled = out.stdout.split("\n").filter(Boolean);
            assert.ok(signalled.length >= 1, out.stderr);
            assert.deepStrictEqual([...new Set(signalled)], ["SIGTERM 7"]);
            // Without the watched container's ID it refuses to start rather than match every process.
            const unnamed = run("sh", ["-c", script], { env: { ...process.env, [WATCHED_CONTAINER_ENV]: "" }, timeout: 3000 });
            assert.notStrictEqual(unnamed.status, 0);
            assert.match(unnamed.stderr, /names the container this watchdog stops/);
        });

        it("the liveness watchdog leaves alone a container that answers 200", async function () {
            if (!hasBinary("curl")) this.skip();
            const server = http.createServer((_req, res) => res.writeHead(200).end("ok"));
            await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
            const port = (server.address() as { port: number }).port;
            const script = watchdogScript({ kind: "http", port, path: "/ok", gracePeriodSeconds: 0 }, "kubo", { intervalSeconds: 1, timeoutSeconds: 1, failures: 1 });
            const child = require("child_process").spawn("sh", ["-c", script.split('kill -TERM "${dir##*/}"').join("echo WOULD-KILL")], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, [WATCHED_CONTAINER_ENV]: "abc123" } });
            let output = "";
            child.stdout.on("data", (d: Buffer) => (output += d));
            child.stderr.on("data", (d: Buffer) => (output += d));
            await new Promise(resolve => setTimeout(resolve, 1500));
            child.kill("SIGTERM");
            server.close();
            assert.strictEqual(output, "");
        });

        it("the watchdog watches the container that serves the probed port, as that container's user, both in the holder's process namespace", () => {
            const [watchdog] = livenessWatchdog({ kind: "http", port: 8080, path: "/", gracePeriodSeconds: 600 },
                [{ name: "kubo", user: { uid: 1000, gid: 100 } }, { name: "cluster", user: { uid: 1001, gid: 100 } }], name => (name === "kubo" ? [8080] : [9094]));
            assert.deepStrictEqual([watchdog.watches, watchdog.user], ["kubo", { uid: 1000, gid: 100 }]);
            assert.deepStrictEqual(livenessWatchdog({ kind: "exit" }, [], () => []), []);
            for (const w of containers(report).filter(c => roleOf(c) === "liveness")) {
                const holder = containers(report).find(c => c.parent === w.parent && roleOf(c) === "sandbox")!;
                assert.strictEqual(w.inputs.pidMode, `container:${holder.id}`, w.name);
                const watchedId = (w.inputs.envs as string[]).find(e => e.startsWith(`${WATCHED_CONTAINER_ENV}=`))!.split("=")[1];
                const servedContainer = containers(report).find(c => c.id === watchedId)!;
                assert.ok(servedContainer, `${w.name} watches no container of the graph`);
                assert.strictEqual(servedContainer.inputs.pidMode, `container:${holder.id}`, servedContainer.name);
                assert.strictEqual(holder.inputs.init, true, "the holder's init reaps what the watched container leaves");
            }
        });

        it("Postgres starts with its key and certificate in memory, the key its user's alone and its variable gone, through the image's entrypoint", function () {
            if (!hasBinary("dash") || !hasBinary("base64")) this.skip();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "postgres-"));
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "docker-entrypoint.sh"), `#!/bin/sh\necho "args: $*"\necho "key: \${${POSTGRES_ENV.tlsKey}:-unset}"\n`, { mode: 0o755 });
            const tls = path.join(dir, "tls");
            fs.mkdirSync(tls);
            const env = { PATH: `${bin}:${process.env.PATH}`, [POSTGRES_ENV.tlsKey]: Buffer.from("KEY\n").toString("base64"), [POSTGRES_ENV.tlsCertificate]: Buffer.from("CERT\n").toString("base64") };
            const out = run("dash", ["-c", startScript().split(TLS_DIR).join(tls), "postgres-start", "postgres", "-c", "ssl=on"], { env });
            assert.strictEqual(out.status, 0, out.stderr);
            assert.strictEqual(out.stdout, "args: postgres -c ssl=on\nkey: unset\n");
            assert.strictEqual(fs.readFileSync(path.join(tls, "server.key"), "utf8"), "KEY\n");
            assert.strictEqual(fs.statSync(path.join(tls, "server.key")).mode & 0o777, 0o600);
            assert.strictEqual(fs.readFileSync(path.join(tls, "pg_hba.conf"), "utf8"), pgHba());
            fs.rmSync(dir, { recursive: true });
        });

        it("pg_hba takes TCP only over TLS with a SCRAM password (PostgreSQL docs, The pg_hba.conf File: hostssl, hostnossl reject)", () => {
            const tcp = pgHba().split("\n").filter(l => l.startsWith("host"));
            assert.deepStrictEqual(tcp, ["hostssl all all all scram-sha-256", "hostnossl all all all reject"]);
        });
    });

    describe("the entry points' configurations, checked by their own software", () => {
        it("Caddy adapts the Caddyfile: each name's allowlist answers 403, its path prefixes 404, the rest goes to the ready backends (caddy adapt, Debian's caddy)", function () {
            if (!hasBinary("caddy")) this.skip();
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "caddy-")), "Caddyfile");
            fs.writeFileSync(file, caddyfile([
                { fqdn: "cluster.localhost", backends: ["web3-local-ipfs-0:9094", "web3-local-ipfs-1:9094"], readiness: { path: "/health", status: "204", port: 9094 }, allowedCidrs: ["172.16.0.0/12"] },
                { fqdn: "ceramic.localhost", backends: ["web3-local-ceramic-one:5101"], readiness: { path: "/ceramic/version", status: "200-299", port: 5101 }, pathPrefixes: ["/ceramic/"] },
                { fqdn: "gateway.localhost", backends: ["web3-local-ipfs-0:8080"], readiness: { path: "/ipfs/x/", status: "200", port: 8080 }, allowedCidrs: ["0.0.0.0/0", "::/0"] },
            ]));
            const home = path.dirname(file);
            const out = run("caddy", ["adapt", "--config", file, "--adapter", "caddyfile", "--validate"], { env: { ...process.env, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home } });
            assert.strictEqual(out.status, 0, out.stderr);
            const config = JSON.parse(out.stdout);
            assert.deepStrictEqual(config.admin, { disabled: true });
            assert.deepStrictEqual(config.apps.tls.automation.policies[0].issuers, [{ module: "internal" }]);
            const server = config.apps.http.servers.srv0;
            assert.deepStrictEqual(server.listen, [`:${CADDY_HTTPS_PORT}`]);
            const site = (host: string) => server.routes.find((r: any) => r.match[0].host[0] === host).handle[0].routes[0].handle[0].routes;
            const cluster = site("cluster.localhost");
            assert.deepStrictEqual(cluster[0], { handle: [{ handler: "static_response", status_code: 403 }], match: [{ not: [{ remote_ip: { ranges: ["172.16.0.0/12"] } }] }] });
            assert.deepStrictEqual(cluster[1].handle[0].upstreams, [{ dial: "web3-local-ipfs-0:9094" }, { dial: "web3-local-ipfs-1:9094" }]);
            assert.deepStrictEqual(cluster[1].handle[0].health_checks.active, { expect_status: 204, interval: 10e9, port: 9094, timeout: 5e9, uri: "/health" });
            const ceramic = site("ceramic.localhost");
            assert.deepStrictEqual(ceramic[0], { handle: [{ handler: "static_response", status_code: 404 }], match: [{ not: [{ path: ["/ceramic/*"] }] }] });
            assert.strictEqual(ceramic[1].handle[0].health_checks.active.expect_status, 2);
            // Everyone: no allowlist route at all.
            assert.strictEqual(site("gateway.localhost")[0].handle[0].handler, "reverse_proxy");
            assert.throws(() => caddyHealthStatus("200,204"), /one status code or a whole class/);
        });

        it("HAProxy accepts the pass-through configuration (haproxy -c, Debian's haproxy)", function () {
            if (!hasBinary("haproxy")) this.skip();
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-")), "haproxy.cfg");
            fs.writeFileSync(file, haproxyConfig([{ addressName: "chainlink-p2p", port: 6690, servers: [{ hostname: "web3-local-chainlink-0", service: "chainlink-0" }, { hostname: "web3-local-chainlink-1", service: "chainlink-1" }] }]));
            const out = run("haproxy", ["-c", "-f", file]);
            assert.strictEqual(out.status, 0, out.stdout + out.stderr);
            assert.throws(() => haproxyConfig([{ addressName: "x", port: 1, servers: [] }]), /no service stands behind it/);
        });
    });

    describe("the pack's rules for what a Docker engine runs", () => {
        const record = (type: string, name: string, inputs: Inputs, protect = false) =>
            ({ urn: `urn:pulumi:t::web3-nodes::${type}::${name}`, type, name, inputs, options: { protect } });
        const policyNames = (resources: ReturnType<typeof record>[]) => evaluatePolicies(resources, { stackTags: { profile: "local" } }).map(v => `${v.policy} ${v.message}`);

        it("public-ingress-only-swarm-ports: a container port other than a swarm port published beyond loopback is refused; the container port decides, not the host port", () => {
            const container = (ports: Inputs[]) => record(CONTAINER, "c", { name: "c", image: "busybox:1.37.0", user: "65534:65534", ports });
            const found = policyNames([container([{ internal: 5001, external: 5001, ip: "0.0.0.0", protocol: "tcp" }])]);
            assert.ok(found.some(m => /^public-ingress-only-swarm-ports .*publishes container port 5001\/tcp on 0\.0\.0\.0:5001, every address of the host/.test(m)), found.join("\n"));
            // The engine binds every address when no ip is given.
            assert.ok(policyNames([container([{ internal: 9095, external: 9095 }])]).some(m => m.startsWith("public-ingress-only-swarm-ports")));
            assert.deepStrictEqual(policyNames([container([{ internal: 4001, external: 5001, ip: "0.0.0.0", protocol: "tcp" }, { internal: 9094, external: 9094, ip: "127.0.0.1", protocol: "tcp" }])])
                .filter(m => m.startsWith("public-ingress-only-swarm-ports")), []);
        });

        it("stateful-resources-protected and stateful-resources-backup-attached: a data volume must be protected and is never backed up; a memory volume is neither", () => {
            const data = record(VOLUME, "data", { name: "data", driver: "local" });
            const memory = record(VOLUME, "memory", { name: "memory", driver: "local", driverOpts: { type: "tmpfs", device: "tmpfs", o: "size=1m" } });
            const found = policyNames([data, memory]);
            assert.ok(found.some(m => /^stateful-resources-protected docker:index\/volume:Volume "data": the protect resource option is not set/.test(m)), found.join("\n"));
            assert.ok(found.some(m => /^stateful-resources-backup-attached docker:index\/volume:Volume "data": nothing backs up a Docker volume.*\(Advisory on the local profile: /.test(m)));
            assert.deepStrictEqual(found.filter(m => m.includes('"memory"')), []);
            assert.deepStrictEqual(policyNames([record(VOLUME, "data", { name: "data" }, true)]).filter(m => m.startsWith("stateful-resources-protected")), []);
        });
    });

    describe("the back-end's own rules", () => {
        it("refuses a host port twice, naming both holders", () => {
            const book = new HostPortBook([{ port: 443, protocol: "tcp", by: "the HTTPS entry point" }]);
            assert.strictEqual(book.public("a", 4001, "tcp"), 4001);
            assert.strictEqual(book.public("b", 4001, "tcp"), 5001);
            book.claim(6690, "tcp", "pass-through address p2p");
            assert.throws(() => book.claim(5001, "tcp", "pass-through address other"), /host port 5001\/tcp is wanted by pass-through address other and already held by service b/);
            assert.strictEqual(book.public("c", 4002, "udp"), 4002);
        });

        it("refuses buckets with a message naming what to do instead, and runs a scheduled job as a loop of its image's shell", async () => {
            await assert.rejects(synthBackend("docker", b => void b.bucket("state-store")), /bucket state-store: the local Docker back-end has no object storage; keep the data on a volume \(ceramic.stateStore: volume\)/);
            const result = await synthBackend("docker", b => void b.scheduledJob("keepalive", {
                everyMinutes: 2,
                container: { name: "job", image: "curlimages/curl:8.11.1", entrypoint: ["/bin/sh", "-c", "echo run"], cpu: 0.25, memoryMiB: 128, user: { uid: 100, gid: 101 } },
            }));
            const job = result.resources.find(r => r.type === CONTAINER && r.inputs.name === "web3-test-keepalive-job")!;
            const [shell, flag, loop, name, ...rest] = job.inputs.entrypoints as string[];
            assert.deepStrictEqual([shell, flag, name, rest], ["/bin/sh", "-c", "scheduled-job", ["/bin/sh", "-c", "echo run"]]);
            // The loop itself, run: the job's command each time, whatever it exits with, every 120 s.
            assert.match(loop, /sleep 120/);
            const out = run("sh", ["-c", loop.replace("sleep 120 & wait $!", "exit 0"), "scheduled-job", "sh", "-c", "echo ran; exit 3"]);
            assert.match(out.stdout, /ran/);
            assert.match(out.stderr, /ended with status 3/);
        });
    });
});
