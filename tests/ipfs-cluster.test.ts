// The IPFS cluster on both clouds, through the real program under mocks: peers over three zones, each with
// its own protected volumes and an identity that never changes, only the swarm public, no secret in any
// resource input, settings checked with clear messages, a lost zone survived, the start script correct.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { COMPONENT_TYPES, Cloud } from "../components/topology";
import {
    ALLOCATE_BY,
    COMPONENT_TYPE,
    EMPTY_DIR_CID,
    IMAGES,
    PEER_LIVENESS,
    PEER_TYPE,
    assertValidSettings,
    bootstrapPeers,
    kuboStartScript,
    peerAddresses,
    placePeers,
    storageMax,
} from "../components/ipfs-cluster";
import { secretsLoader } from "../components/gcp/cloudinit";
import { BOOTSTRAP_PEERS_PER_ZONE, TRUSTED_PEERS } from "../components/ipfs-cluster/cluster";
import { addrFiltersAllowing, noAnnounceAllowing } from "../components/ipfs-cluster/peering";
import { PATHS, publicSwarmAddresses } from "../components/ipfs-cluster/ports";
import { FENCE_NAME, unwrapFence, volumeFenceScript } from "../components/topology/fence";
import { peerKeyFromSeed } from "../components/libp2p/identity";
import { evaluatePolicies } from "../policies/evaluate";
import { MIN_CLUSTER_ZONES, WORKLOAD_TYPES, ipfsClusterSpreadOverZones } from "../policies/rules/ipfsCluster";
import { allowedPublicPorts } from "../policies/rules/settings";
import { parseConfig } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { SECRET_MASK, SynthResource } from "../tools/harness";
import { randomState } from "../tools/mocks";
import { SynthReport, mandatoryViolations, synthStack } from "../tools/synth";
import { bashWords, descendants, named, ofType, referencePeerId, servicesUnder, zoneOfService } from "./support";
import { baseConfig } from "./fixtures";


const T = {
    subnet: "aws:ec2/subnet:Subnet",
    ecsService: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    accessPoint: "aws:efs/accessPoint:AccessPoint",
    fileSystem: "aws:efs/fileSystem:FileSystem",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    group: "gcp:compute/instanceGroupManager:InstanceGroupManager",
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
    perInstanceConfig: "gcp:compute/perInstanceConfig:PerInstanceConfig",
    disk: "gcp:compute/disk:Disk",
    firewall: "gcp:compute/firewall:Firewall",
    backendService: "gcp:compute/backendService:BackendService",
    healthCheck: "gcp:compute/healthCheck:HealthCheck",
    randomBytes: "random:index/randomBytes:RandomBytes",
    randomPassword: "random:index/randomPassword:RandomPassword",
};

const SWARM_PORT = 4001;
/** kubo's QUIC swarm: a port of its own, since ECS maps a container port for one protocol only. */
const QUIC_PORT = 4002;
const DEFAULT_MIN = 2;

interface Peer {
    name: string;
    zone: string;
    peerId: string;
    ipfsPeerId: string;
    multiaddresses: string[];
}

interface ClusterOutputs {
    restApiUrl: string;
    restApiUser: string;
    restApiPassword: string;
    gatewayUrl: string;
    peers: Peer[];
}

function clusterOf(report: SynthReport): ClusterOutputs {
    return report.outputs.ipfsCluster as ClusterOutputs;
}

/** The peers' services: the zonal services under the IPFS cluster component. */
function peerServices(report: SynthReport): SynthResource[] {
    return servicesUnder(report, COMPONENT_TYPE);
}

interface ContainerView {
    env: Record<string, string>;
    secrets: string[];
    /** A container health check, which no container has: only the peer's liveness replaces it. */
    healthCheck: string[];
    mounts: string[];
    entrypoint: string[];
    command: string[];
}

/** What each container of a peer is started with, read from the task definition or the instance's cloud-config. */
function containersOf(report: SynthReport, cloud: Cloud, peer: string): Record<string, ContainerView> {
    const out: Record<string, ContainerView> = {};
    if (cloud === "aws") {
        const defs = JSON.parse(named(report, T.taskDefinition, `${peer}-task`).inputs.containerDefinitions as string) as any[];
        for (const d of defs) {
            out[d.name] = {
                env: Object.fromEntries(d.environment.map((e: any) => [e.name, e.value])),
                secrets: d.secrets.map((s: any) => s.name),
                healthCheck: d.healthCheck?.command.slice(1) ?? [],
                mounts: d.mountPoints.map((m: any) => m.containerPath),
                entrypoint: d.entryPoint ?? [],
                command: d.command ?? [],
            };
        }
        return out;
    }
    const template = report.resources.find(r => r.type === T.template && r.name === `${peer}-template`)!;
    const files = (YAML.parse((template.inputs.metadata as Record<string, string>)["user-data"]) as { write_files: { path: string; content: string }[] }).write_files;
    const fetch = files.find(f => f.path.endsWith("/fetch-secrets.sh"))!.content;
    for (const name of ["kubo", "cluster"]) {
        const run = files.find(f => f.path.endsWith(`/run-${name}.sh`))!.content;
        // The docker command line, as bash reads it.
        const argv = bashWords(run.slice(run.indexOf("exec /usr/bin/docker") + "exec ".length));
        const env: Record<string, string> = {};
        const mounts: string[] = [];
        let healthCheck: string[] = [];
        let entrypoint: string[] = [];
        let i = argv.indexOf("--rm") + 1;
        // Every flag here takes a value but --no-healthcheck.
        for (; i < argv.length && argv[i].startsWith("--"); i += argv[i] === "--no-healthcheck" ? 1 : 2) {
            const [flag, value] = [argv[i], argv[i + 1]];
            if (flag === "--env") env[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);
            if (flag === "--volume") mounts.push(value.split(":")[1]);
            if (flag === "--health-cmd") healthCheck = bashWords(value);
            if (flag === "--entrypoint") entrypoint = [value];
        }
        const [, ...rest] = argv.slice(i);
        const secretLine = fetch.split("\n").find(l => l.includes(`/${name}.env`));
        // write_env_file FILE OWNER NAME VERSION [NAME VERSION]...
        const secrets = secretLine ? bashWords(secretLine).slice(3).filter((_, k) => k % 2 === 0) : [];
        // Docker's --entrypoint takes the executable; the image reference is followed by its arguments.
        const split = entrypoint.length > 0 ? rest.indexOf("daemon") : 0;
        const started = entrypoint.length > 0 ? [...entrypoint, ...rest.slice(0, split)] : [];
        out[name] = {
            env,
            secrets,
            healthCheck,
            mounts,
            // A container with secrets starts through the loader that hands them over from the host's tmpfs.
            entrypoint: started[2] === secretsLoader() ? started.slice(4) : started,
            command: entrypoint.length > 0 ? rest.slice(split) : rest,
        };
    }
    return out;
}

/** Every value the cluster generates and must keep secret, as the mocks generate them (other workloads' aside). */
function generatedSecrets(report: SynthReport): string[] {
    const [cluster] = ofType(report, COMPONENT_TYPE);
    const ours = new Set(descendants(report, cluster.urn));
    const values: string[] = [];
    for (const r of ofType(report, T.randomBytes).filter(b => ours.has(b))) {
        const state = randomState(r.type, r.name, r.inputs);
        values.push(state.hex as string, state.base64 as string);
        if (r.name.endsWith("-identity-seed")) values.push(peerKeyFromSeed(Buffer.from(state.base64 as string, "base64")).privateKey);
    }
    for (const r of ofType(report, T.randomPassword).filter(p => ours.has(p))) values.push(randomState(r.type, r.name, r.inputs).result as string);
    return values;
}

// ---------------------------------------------------------------- a lost zone, over the synthesized graph

interface Survivors {
    peers: SynthResource[];
    /** Per HTTPS load balancer target: the peers still registered behind it. */
    behind: Record<string, string[]>;
    /** Per HTTPS load balancer: zones it still has a front end in (AWS ALBs are zonal; Google's are global). */
    frontEndZones: Record<string, string[] | "global">;
}

/** Everything placed in `zone` (a zonal resource, and everything under a service or volume in it) removed: what is left. */
function loseZone(report: SynthReport, cloud: Cloud, zone: string): Survivors {
    const lost = new Set<string>();
    const drop = (r: SynthResource) => [r, ...descendants(report, r.urn)].forEach(d => lost.add(d.urn));
    for (const r of report.resources) {
        const own = (r.inputs.zone ?? r.inputs.availabilityZone ?? r.inputs.availabilityZoneName) as string | undefined;
        if (own === zone) drop(r);
    }
    for (const service of ofType(report, COMPONENT_TYPES.service)) if (zoneOfService(report, service) === zone) drop(service);
    for (const volume of ofType(report, COMPONENT_TYPES.volume)) {
        const storage = descendants(report, volume.urn).find(d => d.type === T.disk || d.type === T.accessPoint);
        // A regional disk (another workload's) keeps a replica in a second zone: no one zone takes it.
        if (!storage) continue;
        const fsZone = storage.type === T.disk ? storage.inputs.zone
            : report.resources.find(f => f.type === T.fileSystem && f.id === storage.inputs.fileSystemId)!.inputs.availabilityZoneName;
        if (fsZone === zone) drop(volume);
    }
    const peers = peerServices(report).filter(s => !lost.has(s.urn));
    const behind: Record<string, string[]> = {};
    const frontEndZones: Record<string, string[] | "global"> = {};
    for (const target of ["ipfs-api", "ipfs-gateway"]) {
        if (cloud === "aws") {
            behind[target] = peers.filter(p => {
                const ecs = descendants(report, p.urn).find(d => d.type === T.ecsService)!;
                return (ecs.inputs.loadBalancers as { targetGroupArn: string }[]).some(l => l.targetGroupArn.includes(`:targetgroup/${target}-targets/`));
            }).map(p => p.name);
            const alb = named(report, T.loadBalancer, "https-alb");
            frontEndZones[target] = (alb.inputs.subnets as string[])
                .map(id => report.resources.find(s => s.type === T.subnet && s.id === id)!)
                .filter(s => !lost.has(s.urn))
                .map(s => s.inputs.availabilityZone as string);
        } else {
            const backend = named(report, T.backendService, `${target}-backend`);
            const groups = (backend.inputs.backends as { group: string }[]).map(b => b.group);
            behind[target] = peers.filter(p => {
                const group = descendants(report, p.urn).find(d => d.type === T.group)!;
                return groups.some(g => g.endsWith(`/zones/${group.inputs.zone}/instanceGroups/${group.inputs.name}`));
            }).map(p => p.name);
            frontEndZones[target] = "global";
        }
    }
    return { peers, behind, frontEndZones };
}

// ---------------------------------------------------------------- the tests

describe("IPFS cluster", function () {
    this.timeout(120_000);

    describe("plain functions", () => {
        it("places peers round-robin, so every zone holds one and no zone two more than another", () => {
            const zones = ["z-a", "z-b", "z-c"];
            assert.deepStrictEqual(placePeers("ipfs", 3, zones).map(p => [p.name, p.zone]), [["ipfs-0", "z-a"], ["ipfs-1", "z-b"], ["ipfs-2", "z-c"]]);
            const seven = placePeers("ipfs", 7, zones).map(p => p.zone);
            assert.deepStrictEqual(zones.map(z => seven.filter(s => s === z).length), [3, 2, 2]);
        });

        it("bootstraps each peer from a few earlier peers in every zone, never itself, whatever the cluster's size", () => {
            const zones = ["a", "b", "c"];
            const peers = placePeers("ipfs", 300, zones).map(p => ({ hostname: `${p.name}.internal`, zone: p.zone, clusterPeerId: `id-${p.index}` }));
            const three = peers.slice(0, 3);
            assert.strictEqual(peerAddresses(bootstrapPeers(three, 2)), "/dns4/ipfs-0.internal/tcp/9096/p2p/id-0,/dns4/ipfs-1.internal/tcp/9096/p2p/id-1");
            assert.strictEqual(peerAddresses(bootstrapPeers(three, 0)), "");
            for (const self of [6, 7, 150, 299]) {
                const list = peerAddresses(bootstrapPeers(peers, self)).split(",");
                assert.strictEqual(list.length, BOOTSTRAP_PEERS_PER_ZONE * zones.length);
                assert.ok(!list.some(a => a.endsWith(`/p2p/id-${self}`)), `peer ${self} bootstraps from itself`);
            }
        });

        it("bounds kubo's datastore below the repo volume and pins the images to release tags", () => {
            assert.strictEqual(storageMax(500), "450GiB");
            assert.strictEqual(storageMax(20), "18GiB");
            assert.match(IMAGES.kubo, /^ipfs\/kubo:v\d+\.\d+\.\d+$/);
            assert.match(IMAGES.cluster, /^ipfs\/ipfs-cluster:v1\.1\.\d+$/);
        });

        it("keeps the pack's type tokens equal to the program's", () => {
            assert.strictEqual(WORKLOAD_TYPES.ipfsCluster, COMPONENT_TYPE);
            assert.strictEqual(WORKLOAD_TYPES.service, COMPONENT_TYPES.service);
            assert.strictEqual(SECRET_MASK, "[secret]");
        });
    });

    describe("configuration", () => {
        const problemsOf = (ipfsCluster: Record<string, unknown>, profile = "prod"): string[] => {
            try {
                parseConfig(baseConfig("aws", { profile, ipfsCluster: { apiCidrs: ["203.0.113.0/24"], ...ipfsCluster } }));
                return [];
            } catch (e) {
                assert.ok(e instanceof ConfigError, String(e));
                return e.problems;
            }
        };

        it("is off by default, with per-profile sizes and production pin settings", () => {
            const dev = parseConfig(baseConfig("gcp", { profile: "dev" })).ipfsCluster;
            const prod = parseConfig(baseConfig("gcp", { profile: "prod", ipfsCluster: { enabled: true, apiCidrs: ["203.0.113.0/24"] } })).ipfsCluster;
            assert.deepStrictEqual(dev, {
                enabled: false, peers: 3, replicationFactorMin: 2, replicationFactorMax: 3, repoVolumeGiB: 20, clusterVolumeGiB: 10,
                kuboCpu: 0.5, kuboMemoryMiB: 1536, clusterCpu: 0.25, clusterMemoryMiB: 512, concurrentPins: 20, pinTimeout: "10m",
                apiCidrs: ["0.0.0.0/0", "::/0"],
            });
            assert.deepStrictEqual(prod, {
                enabled: true, peers: 3, replicationFactorMin: 2, replicationFactorMax: 3, repoVolumeGiB: 500, clusterVolumeGiB: 20,
                kuboCpu: 2, kuboMemoryMiB: 6144, clusterCpu: 1, clusterMemoryMiB: 2048, concurrentPins: 20, pinTimeout: "10m",
                apiCidrs: ["203.0.113.0/24"],
            });
        });

        const cases: { what: string; given: Record<string, unknown>; problems: string[] }[] = [
            { what: "two peers", given: { peers: 2 }, problems: ["web3-nodes:ipfsCluster.peers = 2: a whole number from 3 to 120"] },
            {
                what: "a minimum above the maximum",
                given: { peers: 6, replicationFactorMin: 3, replicationFactorMax: 2 },
                problems: ["web3-nodes:ipfsCluster.replicationFactorMin = 3: at most replicationFactorMax (2)"],
            },
            {
                what: "a maximum above the peers",
                given: { replicationFactorMax: 4 },
                problems: ["web3-nodes:ipfsCluster.replicationFactorMax = 4: at most peers (3): a pin cannot have more copies than there are peers"],
            },
            {
                what: "a minimum a lost zone cannot meet",
                given: { replicationFactorMin: 3 },
                problems: [
                    "web3-nodes:ipfsCluster.replicationFactorMin = 3: at most 2: losing the zone with the most of the 3 peers leaves 2, " +
                    "and below replicationFactorMin peers the cluster refuses new pins",
                ],
            },
            { what: "a minimum of zero", given: { replicationFactorMin: 0 }, problems: ["web3-nodes:ipfsCluster.replicationFactorMin = 0: a whole number from 1 to 120"] },
            { what: "an odd CPU size", given: { kuboCpu: 3 }, problems: ["web3-nodes:ipfsCluster.kuboCpu = 3: one of 0.25, 0.5, 1, 2, 4, 8"] },
            {
                what: "a pin timeout that is no duration",
                given: { pinTimeout: "ten minutes" },
                problems: ['web3-nodes:ipfsCluster.pinTimeout = "ten minutes": a duration of at least one second such as 90s, 10m or 1h30m'],
            },
            { what: "a zero pin timeout", given: { pinTimeout: "0s" }, problems: ['web3-nodes:ipfsCluster.pinTimeout = "0s": a duration of at least one second such as 90s, 10m or 1h30m'] },
            { what: "too small a repo", given: { repoVolumeGiB: 5 }, problems: ["web3-nodes:ipfsCluster.repoVolumeGiB = 5: a whole number from 10 to 65536"] },
            { what: "no pins at once", given: { concurrentPins: 0 }, problems: ["web3-nodes:ipfsCluster.concurrentPins = 0: a whole number from 1 to 100"] },
            { what: "enabled as a word", given: { enabled: "yes" }, problems: ['web3-nodes:ipfsCluster.enabled = "yes": true or false'] },
            {
                what: "a misspelt key",
                given: { replicas: 3 },
                problems: [
                    "web3-nodes:ipfsCluster.replicas: unknown key; known keys here: enabled, peers, replicationFactorMin, replicationFactorMax, " +
                    "repoVolumeGiB, clusterVolumeGiB, kuboCpu, kuboMemoryMiB, clusterCpu, clusterMemoryMiB, concurrentPins, pinTimeout, apiCidrs",
                ],
            },
        ];
        for (const c of cases) {
            it(`rejects ${c.what} with a message naming the key, the value and what is allowed`, () => {
                assert.deepStrictEqual(problemsOf({ enabled: true, ...c.given }), c.problems);
            });
        }

        it("accepts what a lost zone leaves room for, and reports every problem at once", () => {
            assert.deepStrictEqual(problemsOf({ enabled: true, peers: 9, replicationFactorMin: 6, replicationFactorMax: 9, kuboCpu: 0.25, pinTimeout: "1h30m" }), []);
            assert.deepStrictEqual(problemsOf({ peers: 2, kuboCpu: 3, pinTimeout: "" }).length, 3);
        });

        it("is checked by the component too, with the same sentences", () => {
            const settings = { peers: 3, replicationFactorMin: 3, replicationFactorMax: 2 };
            assert.throws(() => assertValidSettings({ ...parseConfig(baseConfig("aws")).ipfsCluster, ...settings }, 3),
                /ipfsCluster\.replicationFactorMin = 3: at most replicationFactorMax \(2\)/);
            assert.throws(() => assertValidSettings({ ...parseConfig(baseConfig("aws")).ipfsCluster, peers: 2 }, 3), /ipfsCluster\.peers = 2: a whole number from 3 to 120/);
        });
    });

    for (const cloud of ["aws", "gcp"] as const) {
        describe(`on ${cloud}`, () => {
            let report: SynthReport;
            let cluster: ClusterOutputs;
            before(async () => {
                report = await synthStack({ stack: "prod", cloud });
                cluster = clusterOf(report);
            });

            it("declares one cluster with a peer component per peer, each holding its service, volumes, identities and secrets", () => {
                assert.strictEqual(ofType(report, COMPONENT_TYPE).length, 1);
                const peers = ofType(report, PEER_TYPE);
                assert.deepStrictEqual(peers.map(p => p.name), ["ipfs-0", "ipfs-1", "ipfs-2"]);
                for (const peer of peers) {
                    const under = descendants(report, peer.urn);
                    const count = (type: string) => under.filter(r => r.type === type).length;
                    assert.deepStrictEqual(
                        [count(COMPONENT_TYPES.service), count(COMPONENT_TYPES.volume), count("web3-nodes:libp2p:PeerIdentity"), count(COMPONENT_TYPES.secret)],
                        [1, 2, 2, 2],
                        peer.name,
                    );
                }
                assert.strictEqual(cluster.restApiUrl, "https://cluster.nodes.example.com");
                assert.strictEqual(cluster.gatewayUrl, "https://gateway.nodes.example.com");
                assert.strictEqual(cluster.restApiPassword, SECRET_MASK);
            });

            it("stands its peers in three distinct zones, as the cloud resources place them", () => {
                const services = peerServices(report);
                const zones = services.map(s => zoneOfService(report, s));
                assert.strictEqual(new Set(zones).size, 3);
                assert.deepStrictEqual(zones, report.outputs.zones);
                assert.deepStrictEqual(cluster.peers.map(p => p.zone), zones);
            });

            it("gives every peer two protected volumes of its own, at the repo and the cluster state", () => {
                const seen = new Set<string>();
                for (const service of peerServices(report)) {
                    const containers = containersOf(report, cloud, service.name);
                    assert.deepStrictEqual(containers.kubo.mounts, ["/data/ipfs"]);
                    assert.deepStrictEqual(containers.cluster.mounts, ["/data/ipfs-cluster"]);
                    const peer = report.resources.find(r => r.urn === service.parent)!;
                    const volumes = descendants(report, peer.urn).filter(r => r.type === COMPONENT_TYPES.volume);
                    assert.deepStrictEqual(volumes.map(v => v.name), [`${service.name}-repo`, `${service.name}-state`]);
                    for (const volume of volumes) {
                        const storage = descendants(report, volume.urn).find(r => r.type === T.disk || r.type === T.accessPoint)!;
                        // The data is on the disk, or in the file system an access point names a directory of.
                        const holder = storage.type === T.disk ? storage : report.resources.find(f => f.type === T.fileSystem && f.id === storage.inputs.fileSystemId)!;
                        assert.ok(holder.options.protect && holder.options.retainOnDelete, `${holder.name} is not protected`);
                        assert.ok(!seen.has(storage.id!), `${storage.name} is used twice`);
                        seen.add(storage.id!);
                        if (cloud === "gcp") assert.strictEqual(storage.inputs.zone, zoneOfService(report, service));
                    }
                    const below = descendants(report, service.urn);
                    const mounted = cloud === "aws"
                        ? (below.find(r => r.type === T.taskDefinition)!.inputs.volumes as any[]).map(v => v.efsVolumeConfiguration.authorizationConfig.accessPointId)
                        : (below.find(r => r.type === T.perInstanceConfig)!.inputs.preservedState as any).disks.map((d: any) => d.source);
                    assert.deepStrictEqual(mounted.sort(), volumes.map(v => descendants(report, v.urn).find(r => r.type === T.disk || r.type === T.accessPoint)!.id).sort());
                }
            });

            it("derives every peer ID from protected seeds in state, exactly as libp2p does, the same on every run", async () => {
                const again = clusterOf(await synthStack({ stack: "prod", cloud }));
                for (const [i, peer] of cluster.peers.entries()) {
                    const clusterKey = await referencePeerId(`${peer.name}-cluster-identity-seed`);
                    const kuboKey = await referencePeerId(`${peer.name}-kubo-identity-seed`);
                    assert.strictEqual(peer.peerId, clusterKey.peerId);
                    assert.strictEqual(peer.ipfsPeerId, kuboKey.peerId);
                    assert.notStrictEqual(peer.peerId, peer.ipfsPeerId);
                    assert.strictEqual(again.peers[i].peerId, peer.peerId);
                    assert.strictEqual(again.peers[i].ipfsPeerId, peer.ipfsPeerId);
                    const containers = containersOf(report, cloud, peer.name);
                    assert.strictEqual(containers.cluster.env.CLUSTER_ID, peer.peerId);
                    assert.strictEqual(containers.kubo.env.KUBO_PEER_ID, peer.ipfsPeerId);
                    // The keys come from the secret store, so a lost volume cannot change them.
                    assert.ok(containers.cluster.secrets.includes("CLUSTER_PRIVATEKEY"));
                    assert.ok(containers.kubo.secrets.includes("KUBO_PRIVATE_KEY"));
                }
                for (const seed of ofType(report, T.randomBytes)) assert.ok(seed.options.protect && seed.options.retainOnDelete, `${seed.name} is not protected`);
            });

            it("trusts the cluster's private network and bootstraps each peer from earlier peers by their private names", () => {
                for (const [i, peer] of cluster.peers.entries()) {
                    const env = containersOf(report, cloud, peer.name).cluster.env;
                    assert.strictEqual(env.CLUSTER_CRDT_TRUSTEDPEERS, TRUSTED_PEERS);
                    const others = bootstrapPeers(cluster.peers, i).map(p => p.multiaddresses[p.multiaddresses.length - 1]);
                    assert.deepStrictEqual(env.CLUSTER_PEERADDRESSES === "" ? [] : env.CLUSTER_PEERADDRESSES.split(","), others);
                    assert.strictEqual(others.length, i, "in a cluster of three, every earlier peer");
                    for (const address of others) assert.match(address, /^\/dns4\/ipfs-\d\.[a-z0-9.-]+\.internal\/tcp\/9096\/p2p\/12D3KooW\w+$/);
                    assert.deepStrictEqual(peer.multiaddresses.slice(0, 2).map(a => a.replace(/\/ip4\/[\d.]+\//, "/ip4/X/")), [
                        `/ip4/X/tcp/${SWARM_PORT}/p2p/${peer.ipfsPeerId}`,
                        `/ip4/X/udp/${QUIC_PORT}/quic-v1/p2p/${peer.ipfsPeerId}`,
                    ]);
                }
            });

            it("replicates 2 to 3 copies, balanced by zone, pin queue and free space, with production pin settings", () => {
                for (const peer of cluster.peers) {
                    const { kubo, cluster: c } = containersOf(report, cloud, peer.name);
                    assert.strictEqual(c.env.CLUSTER_REPLICATIONFACTORMIN, "2");
                    assert.strictEqual(c.env.CLUSTER_REPLICATIONFACTORMAX, "3");
                    assert.strictEqual(c.env.CLUSTER_TAGS_TAGS, `zone:${peer.zone}`);
                    assert.strictEqual(c.env.CLUSTER_BALANCED_ALLOCATEBY, "tag:zone,pinqueue,freespace");
                    assert.deepStrictEqual(ALLOCATE_BY, ["tag:zone", "pinqueue", "freespace"]);
                    assert.strictEqual(c.env.CLUSTER_STATELESS_CONCURRENTPINS, "20");
                    assert.strictEqual(c.env.CLUSTER_IPFSHTTP_PINTIMEOUT, "10m");
                    assert.strictEqual(kubo.env.KUBO_STORAGE_MAX, "450GiB");
                    assert.deepStrictEqual(JSON.parse(kubo.env.KUBO_ANNOUNCE), peer.multiaddresses.filter(a => a.startsWith("/ip4/")).map(a => a.replace(/\/p2p\/\w+$/, "")));
                    assert.strictEqual(c.env.CLUSTER_METRICS_PROMETHEUSENDPOINT, "/ip4/0.0.0.0/tcp/8888");
                    assert.strictEqual(c.env.CLUSTER_IPFSPROXY_LISTENMULTIADDRESS, "/ip4/127.0.0.1/tcp/9095");
                    assert.strictEqual(c.env.CLUSTER_IPFSHTTP_NODEMULTIADDRESS, "/ip4/127.0.0.1/tcp/5001");
                }
            });

            it("opens only the kubo swarm to the world, the cluster swarm and metrics to its peers, and RPC and proxy to nobody", () => {
                if (cloud === "aws") {
                    const groupId = named(report, T.securityGroup, "access-group-ipfs-cluster").id;
                    for (const service of peerServices(report)) {
                        const sg = descendants(report, service.urn).find(r => r.type === T.securityGroup)!;
                        const rules = ofType(report, T.ingress).filter(r => r.inputs.securityGroupId === sg.id);
                        const world = rules.filter(r => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
                        assert.deepStrictEqual([...new Set(world.map(r => `${r.inputs.fromPort}/${r.inputs.ipProtocol}`))].sort(), ["4001/tcp", "4002/udp"]);
                        const peersOnly = rules.filter(r => r.inputs.referencedSecurityGroupId === groupId).map(r => `${r.inputs.fromPort}/${r.inputs.ipProtocol}`);
                        assert.deepStrictEqual(peersOnly.sort(), ["8888/tcp", "9096/tcp"]);
                        assert.ok(!rules.some(r => [5001, 9095].includes(r.inputs.fromPort as number)), "RPC or proxy reachable");
                    }
                    // Everything else open to the world in the stack is an HTTPS load balancer's 80/443 (or another
                    // workload's swarm, which the policy pack allows).
                    const swarmPorts = [SWARM_PORT, ...(allowedPublicPorts.default as number[])];
                    const openElsewhere = ofType(report, T.ingress).filter(r => (r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0") && !swarmPorts.includes(r.inputs.fromPort as number));
                    for (const r of openElsewhere) assert.ok([80, 443].includes(r.inputs.fromPort as number), `${r.name} opens ${r.inputs.fromPort}`);
                } else {
                    const [component] = ofType(report, COMPONENT_TYPE);
                    const open = descendants(report, component.urn).filter(f => f.type === T.firewall && ((f.inputs.sourceRanges as string[] | undefined) ?? []).includes("0.0.0.0/0"));
                    assert.strictEqual(open.length, 3);
                    for (const f of open) assert.deepStrictEqual(f.inputs.allows, [{ protocol: "tcp", ports: ["4001"] }, { protocol: "udp", ports: ["4002"] }]);
                    for (const service of peerServices(report)) {
                        const peersOnly = ofType(report, T.firewall).find(f => f.name === `${service.name}-from-ipfs-cluster`)!;
                        assert.deepStrictEqual(peersOnly.inputs.sourceTags, ["web3-prod-group-ipfs-cluster"]);
                        assert.deepStrictEqual(peersOnly.inputs.allows, [{ protocol: "tcp", ports: ["8888", "9096"] }]);
                    }
                    const ports = ofType(report, T.firewall).flatMap(f => ((f.inputs.allows ?? []) as { ports: string[] }[]).flatMap(a => a.ports));
                    assert.ok(!ports.includes("5001") && !ports.includes("9095"), "RPC or proxy reachable");
                }
                for (const peer of cluster.peers) {
                    const { kubo } = containersOf(report, cloud, peer.name);
                    assert.ok(kubo.entrypoint.join(" ").includes("Addresses.API /ip4/127.0.0.1/tcp/5001"));
                }
            });

            it("routes on REST /health (204) and the gateway's empty directory (200), and replaces a peer on its gateway alone", () => {
                // The directory with its trailing slash: kubo answers the path without it with a 301.
                if (cloud === "aws") {
                    const api = named(report, T.targetGroup, "ipfs-api-targets").inputs.healthCheck as any;
                    const gateway = named(report, T.targetGroup, "ipfs-gateway-targets").inputs.healthCheck as any;
                    assert.deepStrictEqual([api.path, api.matcher, gateway.path, gateway.matcher], ["/health", "204", `/ipfs/${EMPTY_DIR_CID}/`, "200"]);
                } else {
                    // Google's HTTP checks pass on 200 only: the 204 API is checked with a TCP connect.
                    assert.deepStrictEqual(named(report, T.healthCheck, "ipfs-api-health").inputs.tcpHealthCheck, { port: 9094 });
                    assert.deepStrictEqual(named(report, T.healthCheck, "ipfs-gateway-health").inputs.httpHealthCheck, { port: 8080, requestPath: `/ipfs/${EMPTY_DIR_CID}/` });
                }
                assert.deepStrictEqual(PEER_LIVENESS, { kind: "http", port: 8080, path: `/ipfs/${EMPTY_DIR_CID}/`, gracePeriodSeconds: 600 });
                for (const peer of cluster.peers) {
                    const { kubo, cluster: c } = containersOf(report, cloud, peer.name);
                    assert.deepStrictEqual([kubo.healthCheck, c.healthCheck], [[], []]);
                }
            });

            it("delivers every generated secret through the secret store and shows none of them in any resource input or output", () => {
                const secrets = generatedSecrets(report);
                assert.strictEqual(secrets.length, 2 + 1 + 3 * 2 * 3, "the cluster secret, the API password and two identity seeds per peer");
                const everything = JSON.stringify({ resources: report.resources, outputs: report.outputs });
                for (const value of secrets) assert.ok(!everything.includes(value), `a generated secret (${value.slice(0, 6)}...) is in plain text`);
                for (const peer of cluster.peers) {
                    const { kubo, cluster: c } = containersOf(report, cloud, peer.name);
                    assert.deepStrictEqual(c.secrets.sort(), ["CLUSTER_PRIVATEKEY", "CLUSTER_RESTAPI_BASICAUTHCREDENTIALS", "CLUSTER_SECRET"]);
                    assert.deepStrictEqual(kubo.secrets, ["KUBO_PRIVATE_KEY"]);
                    for (const name of [...c.secrets, ...kubo.secrets]) assert.ok(!(name in c.env) && !(name in kubo.env), `${name} also in env`);
                }
                const clusterSecret = ofType(report, T.randomBytes).find(r => r.name === "ipfs-cluster-secret")!;
                assert.strictEqual(clusterSecret.inputs.length, 32);
                assert.match(randomState(T.randomBytes, clusterSecret.name, clusterSecret.inputs).hex as string, /^[0-9a-f]{64}$/);
            });

            it("keeps at least replicationFactorMin peers and healthy targets behind both load balancers when any one zone is lost", () => {
                const zones = report.outputs.zones as string[];
                for (const zone of zones) {
                    const left = loseZone(report, cloud, zone);
                    assert.ok(left.peers.length >= DEFAULT_MIN, `losing ${zone} leaves ${left.peers.length} peer(s)`);
                    assert.strictEqual(new Set(left.peers.map(p => zoneOfService(report, p))).size, zones.length - 1);
                    for (const [target, peers] of Object.entries(left.behind)) {
                        assert.deepStrictEqual(peers, left.peers.map(p => p.name), `${target} after losing ${zone}`);
                        const frontEnd = left.frontEndZones[target];
                        assert.ok(frontEnd === "global" || frontEnd.length === zones.length - 1, `${target} front end after losing ${zone}`);
                    }
                }
            });

            it("passes the whole policy pack on every stack file", async () => {
                assert.deepStrictEqual(mandatoryViolations(report), []);
                assert.deepStrictEqual(report.policy.violations.filter(v => v.policy === ipfsClusterSpreadOverZones.name), []);
                const dev = await synthStack({ stack: "dev", cloud });
                assert.deepStrictEqual(mandatoryViolations(dev), []);
                assert.strictEqual(clusterOf(dev).peers.length, 3);
            });

            describe("the stack policy", () => {
                const run = (resources: SynthResource[]) =>
                    evaluatePolicies(resources, { policies: [ipfsClusterSpreadOverZones] }).map(v => v.message);
                const clone = () => JSON.parse(JSON.stringify(report.resources)) as SynthResource[];

                it("reports a cluster whose peers stand in fewer than three zones", () => {
                    const resources = clone();
                    if (cloud === "gcp") {
                        for (const g of resources.filter(r => r.type === T.group)) g.inputs.zone = "us-central1-a";
                    } else {
                        const first = resources.find(r => r.type === T.subnet && r.name === `network-private-${(report.outputs.zones as string[])[0]}`)!;
                        for (const s of resources.filter(r => r.type === T.ecsService && r.name.startsWith("ipfs-"))) (s.inputs.networkConfiguration as any).subnets = [first.id];
                    }
                    const messages = run(resources);
                    assert.strictEqual(messages.length, 1, messages.join("\n"));
                    assert.match(messages[0], new RegExp(`its 3 peer\\(s\\) stand in 1 zone\\(s\\) \\(${(report.outputs.zones as string[])[0]}: ipfs-0, ipfs-1 and ipfs-2\\); at least ${MIN_CLUSTER_ZONES} distinct zones`));
                });

                it("reports an unprotected volume, a volume two peers share, and a peer without volumes", () => {
                    const resources = clone();
                    const storageType = cloud === "gcp" ? T.disk : T.accessPoint;
                    const storage = resources.filter(r => r.type === storageType);
                    // What holds the data: the disk, or the file system behind the access point.
                    const holder = cloud === "gcp" ? storage[0] : resources.find(f => f.type === T.fileSystem && f.id === storage[0].inputs.fileSystemId)!;
                    holder.options = { ...holder.options, protect: false, retainOnDelete: false };
                    if (cloud === "gcp") {
                        const configs = resources.filter(r => r.type === T.perInstanceConfig);
                        (configs[1].inputs.preservedState as any).disks[0].source = storage[0].id;
                        (configs[2].inputs.preservedState as any).disks = [];
                    } else {
                        const tasks = resources.filter(r => r.type === T.taskDefinition && r.name.startsWith("ipfs-"));
                        (tasks[1].inputs.volumes as any[])[0].efsVolumeConfiguration.authorizationConfig.accessPointId = storage[0].id;
                        tasks[2].inputs.volumes = [];
                    }
                    const messages = run(resources);
                    assert.strictEqual(messages.length, 3, messages.join("\n"));
                    assert.match(messages[0], /this peer of ipfs-cluster mounts no persistent volume/);
                    assert.match(messages[1], /holds the data of ipfs-0 and ipfs-1 of ipfs-cluster but is not protected/);
                    assert.match(messages[2], /mounted by 2 peers of ipfs-cluster \(ipfs-0 and ipfs-1\)/);
                });

                it("says nothing about a cluster it cannot judge yet, and reports one it cannot place", () => {
                    const resources = clone();
                    const placing = cloud === "gcp" ? resources.filter(r => r.type === T.group) : resources.filter(r => r.type === T.ecsService && r.name.startsWith("ipfs-"));
                    // During a preview, unknown values reach the pack as the engine's sentinel.
                    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
                    for (const r of placing) {
                        if (cloud === "gcp") r.inputs.zone = unknown;
                        else (r.inputs.networkConfiguration as any).subnets = [unknown];
                    }
                    assert.deepStrictEqual(run(resources), []);
                    const gone = clone().filter(r => r.type !== (cloud === "gcp" ? T.group : T.ecsService));
                    const messages = run(gone);
                    assert.strictEqual(messages.length, 4, messages.join("\n"));
                    assert.match(messages[0], /cannot tell which zone this peer of ipfs-cluster runs in/);
                    assert.match(messages[3], /stand in 0 zone\(s\) \(none known\)/);
                });
            });
        });
    }

    it("comes whole through a pipe from the synth command, however large the cluster's report", () => {
        const run = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "tools", "synth.ts"), "prod", "--cloud", "gcp", "--json", "--set", "ipfsCluster.peers=30"], {
            cwd: path.join(__dirname, ".."),
            encoding: "utf8",
            maxBuffer: 1 << 28,
        });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.ok(run.stdout.length > 1 << 20, `only ${run.stdout.length} characters`);
        const report = JSON.parse(run.stdout) as SynthReport;
        assert.strictEqual(clusterOf(report).peers.length, 30);
        assert.strictEqual(new Set(clusterOf(report).peers.map(p => p.zone)).size, 3);
    });

    describe("kubo's start script", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubo-start-"));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));
        const hasBinary = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;

        it("is a script shellcheck finds nothing wrong with", function () {
            if (!hasBinary("shellcheck")) this.skip();
            const file = path.join(tmp, "kubo-start.sh");
            fs.writeFileSync(file, kuboStartScript());
            const run = spawnSync("shellcheck", ["-s", "sh", file], { encoding: "utf8" });
            assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
        });

        describe("run as the container runs it, against a stand-in for the ipfs command", () => {
            const bin = path.join(tmp, "bin");
            const log = path.join(tmp, "ipfs.log");
            let key: { peerId: string; privateKey: string };
            // A stand-in for the kubo CLI: logs its arguments, keeps a config shaped like kubo's, refuses a locked repo.
            const fakeIpfs = [
                "#!/bin/sh",
                "set -eu",
                'echo "ipfs $*" >> "$FAKE_IPFS_LOG"',
                'repo="$IPFS_PATH"',
                'case "$1" in',
                "  init)",
                '    if [ -f "$repo/config" ]; then echo "ipfs configuration file already exists!" >&2; exit 1; fi',
                '    last=""; for a in "$@"; do last="$a"; done',
                '    if [ -f "$last" ]; then cp "$last" "$repo/config"',
                "    else printf '{\\n  \"Identity\": {\\n    \"PeerID\": \"12D3KooWGeneratedAtInit\",\\n    \"PrivKey\": \"CAESQGeneratedAtInit==\"\\n  },\\n  \"Datastore\": {}\\n}\\n' > \"$repo/config\"; fi",
                "    ;;",
                "  config)",
                '    if [ "$2" = Identity.PeerID ]; then sed -n \'s/.*"PeerID": "\\([^"]*\\)".*/\\1/p\' "$repo/config"; fi',
                "    ;;",
                "  daemon)",
                '    if [ -e "$repo/repo.lock" ] || [ -e "$repo/datastore/LOCK" ]; then echo "repo locked" >&2; exit 1; fi',
                '    if env | grep -q "^KUBO_PRIVATE_KEY="; then echo "the daemon sees the private key" >&2; exit 1; fi',
                '    echo "daemon $(sed -n \'s/.*"PeerID": "\\([^"]*\\)".*/\\1/p\' "$repo/config") $*"',
                "    ;;",
                "esac",
                "",
            ].join("\n");

            const ADDR_FILTERS = JSON.stringify(addrFiltersAllowing("10.40.0.0/16"));
            const PEERING = '[{"ID":"12D3KooWPeerBefore","Addrs":["/dns4/ipfs-0.web3-dev.internal/tcp/4001"]}]';
            let fence: { arguments: string[]; entrypoint: string[] };
            let command: string[];
            before(async () => {
                fs.mkdirSync(bin, { recursive: true });
                fs.writeFileSync(path.join(bin, "ipfs"), fakeIpfs, { mode: 0o755 });
                key = await referencePeerId("start-script-test");
                const report = await synthStack({ stack: "dev", cloud: "aws" });
                const kubo = containersOf(report, "aws", "ipfs-0").kubo;
                // The volume fence, then tini -s -- /bin/sh -c <script> kubo-start, then the daemon's arguments.
                fence = unwrapFence(kubo.entrypoint)!;
                assert.ok(fence, "kubo starts through the volume fence");
                assert.deepStrictEqual(fence.entrypoint.slice(0, 5), ["/sbin/tini", "-s", "--", "/bin/sh", "-c"]);
                assert.strictEqual(fence.entrypoint[5], kuboStartScript());
                command = kubo.command;
            });

            // The fence as deployed, holding the repo at its test path, then the script without tini (not here).
            const ANNOUNCED = publicSwarmAddresses("203.0.113.7", { tcp: 5001, quic: 5002 });
            const start = (repo: string, env: Record<string, string> = {}) => {
                fs.writeFileSync(log, "");
                const onRepo = (word: string) => (word === PATHS.ipfsRepo || word.startsWith(`${PATHS.ipfsRepo}/`) ? repo + word.slice(PATHS.ipfsRepo.length) : word);
                const [, ...script] = fence.entrypoint.slice(3);
                const args = ["-c", volumeFenceScript(), FENCE_NAME, ...fence.arguments.map(onRepo), "--", "sh", ...script, ...command];
                return spawnSync("sh", args, {
                    encoding: "utf8",
                    env: {
                        PATH: `${bin}:${process.env.PATH}`,
                        FAKE_IPFS_LOG: log,
                        IPFS_PATH: repo,
                        KUBO_PEER_ID: key.peerId,
                        KUBO_PRIVATE_KEY: key.privateKey,
                        KUBO_ANNOUNCE: JSON.stringify(ANNOUNCED),
                        KUBO_NO_ANNOUNCE: JSON.stringify(noAnnounceAllowing(ANNOUNCED)),
                        KUBO_STORAGE_MAX: "18GiB",
                        KUBO_ADDR_FILTERS: ADDR_FILTERS,
                        KUBO_PEERING_PEERS: PEERING,
                        KUBO_LIBP2P_MAX_MEMORY: "768MiB",
                        ...env,
                    },
                });
            };
            const calls = () => fs.readFileSync(log, "utf8").trim().split("\n");
            const configOf = (repo: string) => JSON.parse(fs.readFileSync(path.join(repo, "config"), "utf8"));

            it("initialises a blank repo from a config that already holds the injected identity, then starts the daemon", () => {
                const repo = path.join(tmp, "repo-a");
                fs.mkdirSync(repo);
                const run = start(repo);
                assert.strictEqual(run.status, 0, run.stderr);
                assert.strictEqual(run.stdout.trim(), `daemon ${key.peerId} ${command.join(" ")}`);
                assert.deepStrictEqual(configOf(repo).Identity, { PeerID: key.peerId, PrivKey: key.privateKey });
                const log = calls();
                assert.match(log[0], /^ipfs init --empty-repo$/);
                assert.match(log[1], /^ipfs init --profile=server --empty-repo \S+\/config$/);
                assert.ok(!fs.existsSync(log[1].split(" ").pop()!), "the template is removed");
                assert.ok(log[1].split(" ").pop()!.startsWith(`${repo}/`), "the template, which holds the key, is made on the volume, never in the container's writable layer");
                // The key reaches the config through the environment only, never a command line.
                assert.ok(!log.some(l => l.includes(key.privateKey)));
            });

            it("applies the peer's addresses, peering and limits on every start, the server profile's private ranges filtered but for the stack's network", () => {
                const repo = path.join(tmp, "repo-a");
                assert.strictEqual(start(repo).status, 0);
                const log = calls();
                assert.ok(!log.some(l => l.startsWith("ipfs init")), "a second start initialises nothing");
                for (const expected of [
                    "ipfs config Addresses.API /ip4/127.0.0.1/tcp/5001",
                    "ipfs config Addresses.Gateway /ip4/0.0.0.0/tcp/8080",
                    'ipfs config --json Addresses.Swarm ["/ip4/0.0.0.0/tcp/4001","/ip4/0.0.0.0/udp/4002/quic-v1"]',
                    // A second peer of its zone on AWS: the public ports its address forwards (ZonalService.publicPort), not the container's.
                    'ipfs config --json Addresses.Announce ["/ip4/203.0.113.7/tcp/5001","/ip4/203.0.113.7/udp/5002/quic-v1"]',
                    // 203.0.113.7 is in a documentation range the server profile keeps out: that one address is let through.
                    `ipfs config --json Addresses.NoAnnounce ${JSON.stringify(noAnnounceAllowing(ANNOUNCED))}`,
                    `ipfs config --json Swarm.AddrFilters ${ADDR_FILTERS}`,
                    `ipfs config --json Peering.Peers ${PEERING}`,
                    "ipfs config Datastore.StorageMax 18GiB",
                    "ipfs config Swarm.ResourceMgr.MaxMemory 768MiB",
                    "ipfs config --json Gateway.NoFetch false",
                    "ipfs config --json Gateway.ExposeRoutingAPI false",
                ]) assert.ok(log.includes(expected), `missing: ${expected}\n${log.join("\n")}`);
                assert.match(log[log.length - 1], /^ipfs daemon --migrate=true --enable-gc/);
            });

            it("comes back after a kill left the repo locked: the volume fence removes the locks once it holds the repo", () => {
                const repo = path.join(tmp, "repo-a");
                fs.mkdirSync(path.join(repo, "datastore"), { recursive: true });
                fs.writeFileSync(path.join(repo, "repo.lock"), "");
                fs.writeFileSync(path.join(repo, "datastore", "LOCK"), "");
                const run = start(repo);
                assert.strictEqual(run.status, 0, run.stderr);
                assert.ok(!fs.existsSync(path.join(repo, "repo.lock")) && !fs.existsSync(path.join(repo, "datastore", "LOCK")));
            });

            it("keeps the peer ID on a new volume, and takes it back from a volume restored from another peer", () => {
                const fresh = path.join(tmp, "repo-b");
                fs.mkdirSync(fresh);
                assert.strictEqual(start(fresh).status, 0);
                assert.deepStrictEqual(configOf(fresh).Identity, configOf(path.join(tmp, "repo-a")).Identity);
                const config = configOf(fresh);
                config.Identity = { PeerID: "12D3KooWSomeoneElse", PrivKey: "CAESQSomeoneElse==" };
                fs.writeFileSync(path.join(fresh, "config"), JSON.stringify(config, null, 2));
                const run = start(fresh);
                assert.strictEqual(run.status, 0, run.stderr);
                assert.deepStrictEqual(configOf(fresh).Identity, { PeerID: key.peerId, PrivKey: key.privateKey });
            });

            it("refuses to start without its identity, naming the variable and printing no key", () => {
                const repo = path.join(tmp, "repo-c");
                fs.mkdirSync(repo);
                const run = start(repo, { KUBO_PRIVATE_KEY: "" });
                assert.notStrictEqual(run.status, 0);
                assert.match(run.stderr, /KUBO_PRIVATE_KEY/);
                assert.ok(!fs.existsSync(path.join(repo, "config")), "nothing initialised");
            });
        });
    });
});
