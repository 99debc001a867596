// The daemons of an IPFS cluster peer as their upstreams run them, over the synthesized graphs of both clouds
// (tests/conformance/graphs.ts, shared with the conformance tests):
// - kubo's start script migrates the repo before any `ipfs config`, run under sh against a stand-in `ipfs` that
//   refuses `config` on a repo that needs migration, as kubo does;
// - every `ipfs config` it runs names a key of the pinned kubo's config and a value that decodes as its type;
// - each kubo peers with the kubo of the peers placed before it, by their real peer IDs, at their private names,
//   and its connection gater lets the stack's own network through and refuses every other private range;
// - both Go daemons run with GOMEMLIMIT from their container's memory; ipfs-cluster repins; 9096 is TCP only.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Cloud } from "../components/topology";
import { IMAGES, kuboStartScript } from "../components/ipfs-cluster";
import { GO_MEMORY_LIMIT_SHARE } from "../components/ipfs-cluster/goRuntime";
import { PEERING_NEIGHBOURS, SERVER_PROFILE_FILTERS, addrFiltersAllowing, noAnnounceAllowing } from "../components/ipfs-cluster/peering";
import { PORTS } from "../components/ipfs-cluster/ports";
import { SynthResource } from "../tools/harness";
import { SynthReport } from "../tools/synth";
import { esm } from "./fixtures";
import { bashWords, descendants, referencePeerId } from "./support";
import { GraphCase, LARGE_CLUSTER_PEERS, graphCases, graphOf } from "./conformance/graphs";
import { awsContainers, gcpHostFiles, services } from "./conformance/healthChecks";
import { KUBO_CONFIG, kuboConfigProblems } from "./conformance/kuboConfig";

interface PeerOutput {
    name: string;
    ipfsPeerId: string;
    multiaddresses: string[];
}

const caseOf = (label: string): GraphCase => {
    const found = graphCases().find(c => c.label === label);
    assert.ok(found, `no graph case ${label}`);
    return found;
};
const peersOf = (report: SynthReport) => (report.outputs.ipfsCluster as { peers: PeerOutput[] }).peers;
const peerService = (report: SynthReport, name: string) => services(report).find(s => s.name === name)!;

/** A container as the cloud starts it: its environment and its memory limit. */
interface Started {
    env: Record<string, string>;
    memoryMiB: number;
}

function started(report: SynthReport, cloud: Cloud, service: string, container: string): Started {
    const s = peerService(report, service);
    if (cloud === "aws") {
        const def = awsContainers(report, s).find(c => c.name === container)!;
        return { env: Object.fromEntries((def.environment as { name: string; value: string }[]).map(e => [e.name, e.value])), memoryMiB: def.memory };
    }
    const [, run] = [...gcpHostFiles(report, s)].find(([file]) => file.endsWith(`/run-${container}.sh`))!;
    const argv = bashWords(run.slice(run.indexOf("exec /usr/bin/docker") + "exec ".length));
    const env: Record<string, string> = {};
    let memoryMiB = 0;
    for (let i = 0; i < argv.length - 1; i++) {
        if (argv[i] === "--env") env[argv[i + 1].slice(0, argv[i + 1].indexOf("="))] = argv[i + 1].slice(argv[i + 1].indexOf("=") + 1);
        if (argv[i] === "--memory") memoryMiB = Number(/^(\d+)m$/.exec(argv[i + 1])![1]);
    }
    return { env, memoryMiB };
}

/** The private hostname a peer's cluster swarm is announced at (its third multiaddress, /dns4/<name>/tcp/9096/p2p/<id>). */
const privateHostname = (peer: PeerOutput) => /^\/dns4\/([^/]+)\/tcp\/9096\//.exec(peer.multiaddresses[2])![1];

// ---------------------------------------------------------------- IPv4 ranges, as go-multiaddr's filters read them

type Range = [number, number];

/** A filter as kubo parses it (whyrusleeping/multiaddr-filter NewMask: /ip4|ip6/<ip>/ipcidr/<bits>); IPv4 as a range. */
function filterRange(filter: string): Range | "ip6" {
    const parts = filter.split("/");
    assert.ok(parts.length === 5 && parts[0] === "" && ["ip4", "ip6"].includes(parts[1]) && parts[3] === "ipcidr", `${filter} is not a multiaddr filter kubo parses`);
    if (parts[1] === "ip6") return "ip6";
    return cidrRange(`${parts[2]}/${parts[4]}`, true);
}

function cidrRange(cidr: string, aligned = false): Range {
    const [ip, bits] = cidr.split("/");
    const value = ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    if (aligned) assert.strictEqual(value % size, 0, `${cidr} does not start on its network boundary`);
    return [value - (value % size), value - (value % size) + size - 1];
}

/** Sorted, merged ranges: the set of addresses they hold. */
function merged(ranges: Range[]): Range[] {
    const out: Range[] = [];
    for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
        const last = out[out.length - 1];
        if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
        else out.push([a, b]);
    }
    return out;
}

function minus(ranges: Range[], cut: Range): Range[] {
    return merged(ranges.flatMap(([a, b]) => {
        if (b < cut[0] || a > cut[1]) return [[a, b] as Range];
        return [...(a < cut[0] ? [[a, cut[0] - 1] as Range] : []), ...(b > cut[1] ? [[cut[1] + 1, b] as Range] : [])];
    }));
}

/**
 * Whether kubo's connection gater refuses an address: go-multiaddr Filters.AddrBlocked applies the last filter
 * that contains it, and every Swarm.AddrFilters entry is a deny (kubo@v0.42.0 core/node/libp2p/addrs.go
 * AddrFilters, filters.go InterceptAddrDial and InterceptAccept).
 */
const blocked = (filters: string[], address: number) =>
    filters.some(f => {
        const r = filterRange(f);
        return r !== "ip6" && address >= r[0] && address <= r[1];
    });

// ---------------------------------------------------------------- the tests

describe("IPFS cluster daemons as their upstreams run them", function () {
    this.timeout(120_000);

    describe("kubo's start script, run under sh against a stand-in ipfs that refuses `config` on a repo that needs migration", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubo-migrate-"));
        const bin = path.join(tmp, "bin");
        const log = path.join(tmp, "ipfs.log");
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        /**
         * The kubo CLI as far as the script uses it. The repo version is the `version` file kubo keeps in the repo
         * (repo/fsrepo/migrations RepoVersion). `config` opens the repo and refuses one below the binary's
         * version (repo/fsrepo/fsrepo.go Open: ErrNeedMigration); `repo migrate` opens none and migrates it
         * (core/commands/repo.go repoMigrateCmd); init writes a current repo. Arguments are logged tab-separated.
         */
        const CURRENT = 18;
        const fakeIpfs = [
            "#!/bin/sh",
            "set -eu",
            `printf '%s\\t' "$@" >> "$FAKE_IPFS_LOG"; echo >> "$FAKE_IPFS_LOG"`,
            'repo="$IPFS_PATH"',
            `needs_migration() { [ "$(cat "$repo/version")" -lt ${CURRENT} ]; }`,
            'case "$1" in',
            "  init)",
            '    last=""; for a in "$@"; do last="$a"; done',
            '    if [ -f "$last" ]; then cp "$last" "$repo/config"',
            "    else printf '{\\n  \"Identity\": {\\n    \"PeerID\": \"12D3KooWGeneratedAtInit\",\\n    \"PrivKey\": \"CAESQGeneratedAtInit==\"\\n  }\\n}\\n' > \"$repo/config\"; fi",
            `    echo ${CURRENT} > "$repo/version"`,
            "    ;;",
            "  repo)",
            '    [ "$2" = migrate ] || exit 2',
            `    if needs_migration; then echo ${CURRENT} > "$repo/version"; else echo "Repository is already at version ${CURRENT}."; fi`,
            "    ;;",
            "  config)",
            '    if needs_migration; then echo "Error: ipfs repo needs migration, please run migration tool." >&2; exit 1; fi',
            '    if [ "$2" = Identity.PeerID ]; then sed -n \'s/.*"PeerID": "\\([^"]*\\)".*/\\1/p\' "$repo/config"; fi',
            "    ;;",
            "  daemon)",
            '    if needs_migration; then echo "Error: fs-repo requires migration" >&2; exit 1; fi',
            '    echo "daemon $*"',
            "    ;;",
            "esac",
            "",
        ].join("\n");

        let env: Record<string, string>;
        before(async () => {
            fs.mkdirSync(bin, { recursive: true });
            fs.writeFileSync(path.join(bin, "ipfs"), fakeIpfs, { mode: 0o755 });
            const report = await graphOf(caseOf("prod on aws"));
            const key = await referencePeerId("ipfs-2-kubo-identity-seed");
            // The environment peer ipfs-2 starts with, and its key from the secret store.
            env = { ...started(report, "aws", "ipfs-2", "kubo").env, KUBO_PRIVATE_KEY: key.privateKey };
            assert.strictEqual(env.KUBO_PEER_ID, key.peerId);
        });

        /** Runs the script on a repo whose version file says `version` (or a blank volume); the calls it made. */
        const start = (script: string, version: number | "blank") => {
            const repo = fs.mkdtempSync(path.join(tmp, "repo-"));
            if (version !== "blank") {
                fs.writeFileSync(path.join(repo, "config"), JSON.stringify({ Identity: { PeerID: env.KUBO_PEER_ID, PrivKey: "old" }, Datastore: {} }, null, 2));
                fs.writeFileSync(path.join(repo, "version"), `${version}\n`);
            }
            fs.writeFileSync(log, "");
            const run = spawnSync("sh", ["-c", script, "kubo-start", "daemon", "--migrate=true"], {
                encoding: "utf8",
                env: { ...env, PATH: `${bin}:${process.env.PATH}`, FAKE_IPFS_LOG: log, IPFS_PATH: repo },
            });
            const calls = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map(l => l.split("\t").slice(0, -1));
            return { run, calls, version: fs.readFileSync(path.join(repo, "version"), "utf8").trim() };
        };

        it("migrates a repo an older kubo left before its first `ipfs config`, then starts (kubo@v0.42.0 repo/fsrepo/fsrepo.go ErrNeedMigration)", () => {
            const { run, calls, version } = start(kuboStartScript(), CURRENT - 1);
            assert.strictEqual(run.status, 0, run.stderr);
            assert.strictEqual(version, String(CURRENT));
            const migrate = calls.findIndex(c => c[0] === "repo" && c[1] === "migrate");
            const firstConfig = calls.findIndex(c => c[0] === "config");
            assert.ok(migrate >= 0 && firstConfig > migrate, `\`repo migrate\` at ${migrate}, the first \`config\` at ${firstConfig}:\n${calls.map(c => c.join(" ")).join("\n")}`);
            assert.match(run.stdout, /^daemon daemon --migrate=true$/m);
        });

        it("the stand-in refuses as kubo does: the same script without its migration crash-loops on that repo", () => {
            const without = kuboStartScript().split("\n").filter(l => l !== "ipfs repo migrate").join("\n");
            assert.notStrictEqual(without, kuboStartScript(), "the script has a line `ipfs repo migrate`");
            const { run } = start(without, CURRENT - 1);
            assert.notStrictEqual(run.status, 0);
            assert.match(run.stderr, /needs migration/);
        });

        it("initialises a blank volume, finds it current, and configures it", () => {
            const { run, calls } = start(kuboStartScript(), "blank");
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(calls.slice(0, 3).map(c => c.slice(0, 2).join(" ")), ["init --empty-repo", `init --profile=server`, "repo migrate"]);
        });

        it(`runs only \`ipfs config\` calls that kubo ${KUBO_CONFIG.source.tag} accepts: every key in its Config struct, every value decoding as the key's type`, () => {
            assert.strictEqual(`ipfs/kubo:${KUBO_CONFIG.source.tag}`, IMAGES.kubo, "the key data comes from the release the image pins (tools/kubo-config-keys.ts)");
            const { run, calls } = start(kuboStartScript(), CURRENT);
            assert.strictEqual(run.status, 0, run.stderr);
            const configs = calls.filter(c => c[0] === "config").map(c => c.slice(1));
            assert.ok(configs.length >= 12, configs.map(c => c.join(" ")).join("\n"));
            assert.deepStrictEqual(configs.flatMap(c => kuboConfigProblems(c)), []);
            // And the judge refuses what kubo refuses.
            assert.match(kuboConfigProblems(["--json", "Gateway.NoFetchh", "false"])[0], /not a key/);
            assert.match(kuboConfigProblems(["--json", "Peering.Peers", '{"ID":"x"}'])[0], /does not decode/);
            assert.match(kuboConfigProblems(["Gateway.NoFetch", "false"])[0], /does not decode/);
            const set = (key: string) => configs.find(c => c[c.length - 2] === key)?.at(-1);
            // Any peer serves any pinned CID, fetching what it lacks; the gateway port serves no routing API.
            assert.strictEqual(set("Gateway.NoFetch"), "false");
            assert.strictEqual(set("Gateway.ExposeRoutingAPI"), "false");
            // The server profile's ranges, less the addresses the peer announces (the mocks' Elastic IPs are in a
            // documentation range the profile keeps out): what it announces is never dropped.
            assert.deepStrictEqual(JSON.parse(set("Addresses.NoAnnounce")!), noAnnounceAllowing(JSON.parse(env.KUBO_ANNOUNCE)));
            assert.deepStrictEqual(JSON.parse(set("Swarm.AddrFilters")!), JSON.parse(env.KUBO_ADDR_FILTERS));
            assert.deepStrictEqual(JSON.parse(set("Peering.Peers")!), JSON.parse(env.KUBO_PEERING_PEERS));
        });
    });

    for (const cloud of ["aws", "gcp"] as const) {
        describe(`on ${cloud}`, () => {
            let small: SynthReport;
            let large: SynthReport;
            before(async () => {
                // One after the other: a synthesis holds the Pulumi runtime's process-wide state.
                small = await graphOf(caseOf(`prod on ${cloud}`));
                large = await graphOf(caseOf(`prod on ${cloud} with ${LARGE_CLUSTER_PEERS} peers`));
            });

            it("peers each kubo with the kubo of the peers placed before it, by their real peer IDs, at their private names (kubo@v0.42.0 config/peering.go)", async () => {
                const { peerIdFromString } = await esm("@libp2p/peer-id");
                const { multiaddr } = await esm("@multiformats/multiaddr");
                const peers = peersOf(large);
                assert.strictEqual(peers.length, LARGE_CLUSTER_PEERS);
                const derived = new Map<string, string>();
                for (const p of peers) derived.set(p.name, (await referencePeerId(`${p.name}-kubo-identity-seed`)).peerId);
                const joined = new Set<string>();
                for (const [i, peer] of peers.entries()) {
                    const list = JSON.parse(started(large, cloud, peer.name, "kubo").env.KUBO_PEERING_PEERS) as { ID: string; Addrs: string[] }[];
                    const expected = peers.slice(Math.max(0, i - PEERING_NEIGHBOURS), i);
                    assert.deepStrictEqual(list.map(p => p.ID), expected.map(p => derived.get(p.name)), `${peer.name} peers with the peers before it, by the IDs libp2p derives from their seeds`);
                    for (const [k, entry] of list.entries()) {
                        assert.strictEqual(peerIdFromString(entry.ID).toString(), entry.ID);
                        assert.deepStrictEqual(entry.Addrs, [`/dns4/${privateHostname(expected[k])}/tcp/${PORTS.kuboSwarm}`]);
                        assert.deepStrictEqual(multiaddr(entry.Addrs[0]).getComponents().map((c: { name: string }) => c.name), ["dns4", "tcp"]);
                        assert.strictEqual(entry.ID, expected[k].ipfsPeerId, "the ID the stack exports for that peer");
                        joined.add([peer.name, expected[k].name].sort().join(" "));
                    }
                }
                // Every pair of peers is joined, once, by its later peer (a cluster no larger than PEERING_NEIGHBOURS + 1).
                assert.strictEqual(joined.size, (peers.length * (peers.length - 1)) / 2);
            });

            it("adds a peer without changing the peering of the peers before it", () => {
                for (const peer of peersOf(small)) {
                    assert.strictEqual(started(large, cloud, peer.name, "kubo").env.KUBO_PEERING_PEERS, started(small, cloud, peer.name, "kubo").env.KUBO_PEERING_PEERS, peer.name);
                }
            });

            it("lets kubo's gater through to every address of the peers' subnets and refuses every other private range of the server profile (go-multiaddr Filters.AddrBlocked)", () => {
                for (const peer of peersOf(small)) {
                    const filters = JSON.parse(started(small, cloud, peer.name, "kubo").env.KUBO_ADDR_FILTERS) as string[];
                    for (const subnet of peerSubnets(small, cloud, peerService(small, peer.name))) {
                        const [first, last] = cidrRange(subnet);
                        for (const address of [first, last, Math.floor((first + last) / 2)]) assert.ok(!blocked(filters, address), `${peer.name}: ${subnet} is refused`);
                        assert.ok(filters.every(f => {
                            const r = filterRange(f);
                            return r === "ip6" || r[1] < first || r[0] > last;
                        }), `${peer.name}: a filter overlaps its subnet ${subnet}`);
                    }
                }
            });

            it("lets every peer's subnets in to each peer's kubo swarm port, the address peering dials", () => {
                const subnets = peersOf(small).flatMap(p => peerSubnets(small, cloud, peerService(small, p.name)));
                for (const peer of peersOf(small)) {
                    const admitted = swarmSources(small, cloud, peerService(small, peer.name));
                    for (const subnet of subnets) {
                        const [first, last] = cidrRange(subnet);
                        assert.ok(admitted.some(cidr => cidrRange(cidr)[0] <= first && cidrRange(cidr)[1] >= last), `${peer.name}: tcp/${PORTS.kuboSwarm} from ${subnet}: admitted only from ${admitted.join(", ")}`);
                    }
                }
            });

            it("gives both Go daemons GOMEMLIMIT from their container's memory, and kubo's libp2p less (kubo@v0.42.0 docs/config.md Swarm.ResourceMgr.MaxMemory)", () => {
                for (const peer of peersOf(small)) {
                    for (const name of ["kubo", "cluster"]) {
                        const c = started(small, cloud, peer.name, name);
                        // Go's runtime reads a byte count with an optional B, KiB, MiB, GiB or TiB (runtime parseByteCount).
                        const limit = /^(\d+)MiB$/.exec(c.env.GOMEMLIMIT);
                        assert.ok(limit, `${peer.name}/${name}: GOMEMLIMIT=${c.env.GOMEMLIMIT}`);
                        assert.ok(c.memoryMiB > 0);
                        assert.strictEqual(Number(limit[1]), Math.floor(c.memoryMiB * GO_MEMORY_LIMIT_SHARE));
                        assert.ok(Number(limit[1]) >= 0.8 * c.memoryMiB && Number(limit[1]) <= 0.9 * c.memoryMiB, `${peer.name}/${name}: ${c.env.GOMEMLIMIT} of ${c.memoryMiB} MiB`);
                        if (name === "kubo") assert.ok(Number(/^(\d+)MiB$/.exec(c.env.KUBO_LIBP2P_MAX_MEMORY)![1]) < Number(limit[1]));
                    }
                }
            });

            it("re-replicates a lost peer's pins and sets no variable ipfs-cluster does not read (ipfs-cluster@v1.1.6 cluster_config.go DisableRepinning, docker/entrypoint.sh)", () => {
                for (const peer of peersOf(small)) {
                    const env = started(small, cloud, peer.name, "cluster").env;
                    assert.strictEqual(env.CLUSTER_DISABLEREPINNING, "false");
                    assert.ok(!("IPFS_CLUSTER_DATASTORE" in env));
                    assert.strictEqual(env.IPFS_CLUSTER_CONSENSUS, "crdt");
                }
            });

            it("has no UDP port, mapping or rule for the cluster swarm: ipfs-cluster listens on TCP only (ipfs-cluster@v1.1.6 clusterhost.go)", () => {
                const udp9096 = large.resources.filter(r => {
                    const i = r.inputs as Record<string, any>;
                    if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") return i.ipProtocol !== "tcp" && i.fromPort <= PORTS.clusterSwarm && i.toPort >= PORTS.clusterSwarm;
                    if (r.type === "aws:ecs/taskDefinition:TaskDefinition") return (JSON.parse(i.containerDefinitions) as any[]).some(c => (c.portMappings ?? []).some((m: any) => m.containerPort === PORTS.clusterSwarm && m.protocol !== "tcp"));
                    if (r.type === "gcp:compute/firewall:Firewall") return ((i.allows ?? []) as any[]).some(a => a.protocol !== "tcp" && (a.ports ?? []).includes(String(PORTS.clusterSwarm)));
                    return false;
                });
                assert.deepStrictEqual(udp9096.map(r => r.name), []);
                const rules = large.resources.filter(r => r.type === (cloud === "aws" ? "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" : "gcp:compute/firewall:Firewall"));
                assert.ok(rules.some(r => JSON.stringify(r.inputs).includes(String(PORTS.clusterSwarm))), "the cluster swarm is opened to the peers over TCP");
            });
        });
    }

    describe("Swarm.AddrFilters for a network", () => {
        const serverV4 = () => SERVER_PROFILE_FILTERS.map(filterRange).filter((r): r is Range => r !== "ip6");

        for (const network of ["10.40.0.0/16", "10.0.0.0/8", "172.20.4.0/22", "192.168.100.0/24"]) {
            it(`refuses exactly the server profile's addresses outside ${network}, in filters kubo parses`, () => {
                const filters = addrFiltersAllowing(network);
                const v4 = filters.map(filterRange).filter((r): r is Range => r !== "ip6");
                assert.deepStrictEqual(merged(v4), minus(merged(serverV4()), cidrRange(network)));
                assert.deepStrictEqual(filters.filter(f => f.startsWith("/ip6/")), SERVER_PROFILE_FILTERS.filter(f => f.startsWith("/ip6/")));
                const [first, last] = cidrRange(network);
                assert.ok(!blocked(filters, first) && !blocked(filters, last));
                assert.ok(blocked(filters, first - 1) || first === cidrRange("10.0.0.0/8")[0], "the address just below the network is still refused");
                assert.ok(blocked(filters, cidrRange("127.0.0.1/32")[0]) && !blocked(filters, cidrRange("8.8.8.8/32")[0]));
            });
        }

        it("refuses a network that is no IPv4 CIDR, naming it", () => {
            assert.throws(() => addrFiltersAllowing("10.40.0.0"), /network cidr "10\.40\.0\.0" is not an IPv4 network/);
        });
    });
});

/** The IPv4 ranges of the subnets a peer's service runs in: the private addresses its peers dial. */
function peerSubnets(report: SynthReport, cloud: Cloud, service: SynthResource): string[] {
    const below = descendants(report, service.urn);
    if (cloud === "aws") {
        const ecs = below.find(r => r.type === "aws:ecs/service:Service")!;
        const ids = (ecs.inputs.networkConfiguration as { subnets: string[] }).subnets;
        return ids.map(id => report.resources.find(r => r.type === "aws:ec2/subnet:Subnet" && r.id === id)!.inputs.cidrBlock as string);
    }
    const template = below.find(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate")!;
    const subnetwork = (template.inputs.networkInterfaces as { subnetwork: string }[])[0].subnetwork;
    const found = report.resources.find(r => r.type === "gcp:compute/subnetwork:Subnetwork" && (r.id === subnetwork || r.inputs.name === subnetwork));
    assert.ok(found, `no subnetwork ${subnetwork}`);
    return [found.inputs.ipCidrRange as string];
}

/** The IPv4 sources a peer's firewall (its security group's ingress rules, or the VPC firewalls on its tag) admits to kubo's TCP swarm. */
function swarmSources(report: SynthReport, cloud: Cloud, service: SynthResource): string[] {
    const below = descendants(report, service.urn);
    const port = PORTS.kuboSwarm;
    if (cloud === "aws") {
        const groups = new Set(below.filter(r => r.type === "aws:ec2/securityGroup:SecurityGroup").map(g => g.id));
        return report.resources
            .filter(r => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && groups.has(r.inputs.securityGroupId as string))
            .filter(r => ["tcp", "-1"].includes(r.inputs.ipProtocol as string) && (r.inputs.ipProtocol === "-1" || ((r.inputs.fromPort as number) <= port && (r.inputs.toPort as number) >= port)))
            .flatMap(r => (r.inputs.cidrIpv4 ? [r.inputs.cidrIpv4 as string] : []));
    }
    const tags = (below.find(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate")!.inputs.tags ?? []) as string[];
    return report.resources
        .filter(r => r.type === "gcp:compute/firewall:Firewall" && (r.inputs.direction ?? "INGRESS") === "INGRESS" && ((r.inputs.targetTags ?? []) as string[]).some(t => tags.includes(t)))
        .filter(r => ((r.inputs.allows ?? []) as { protocol: string; ports?: string[] }[]).some(a => a.protocol === "tcp" && (a.ports ?? []).some(p => {
            const [from, to] = p.split("-").map(Number);
            return port >= from && port <= (to ?? from);
        })))
        .flatMap(r => (r.inputs.sourceRanges ?? []) as string[]);
}
