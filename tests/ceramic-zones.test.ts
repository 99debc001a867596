// A Ceramic node survives the loss of its zone: its data lives on storage that outlives the zone, and one key
// (ceramic.zone) brings it back in another zone with that data. Held to the clouds' own rules:
// - EFS: a file system is One Zone exactly when CreateFileSystem is given an AvailabilityZoneName (botocore's
//   efs model, the requests validated by botocore itself); Regional storage "store[s] data redundantly across
//   multiple geographically separated Availability Zones"; a client mounts through a mount target in its zone.
// - Compute Engine: a regional persistent disk is replicated in two zones (`replicaZones`, the provider's
//   RegionDiskArgs) and attached from either (https://cloud.google.com/compute/docs/disks/repd-failover); 10 GB
//   at least for pd-balanced and pd-ssd (https://cloud.google.com/compute/docs/disks).
// - The move: nothing that holds data is made anew (the same URN and inputs for every protected or retained
//   resource), and nothing the move replaces or changes carries a deletion protection that would stop it.
import * as assert from "assert";
import { ZONE_KEY, assertZoneHoldsVolume, nodePlacement } from "../components/ceramic/zones";
import { MIN_DISK_GB, replicaZones } from "../components/gcp/volume";
import { COMPONENT_TYPES, ContainerSpec, Volume } from "../components/topology";
import { evaluatePolicies } from "../policies/evaluate";
import { CERAMIC_TYPES, ceramicSurvivesZoneLoss } from "../policies/rules/ceramic";
import { SynthResource } from "../tools/harness";
import { SynthReport, synthStack } from "../tools/synth";
import { ApiRequest, arnOf } from "./conformance/awsRequests";
import { computedState } from "../tools/mocks";
import { validateWithBotocore } from "./conformance/botocore";
import { inputMember } from "./conformance/botocoreModel";
import { graphCases, graphOf } from "./conformance/graphs";
import { argsProperties } from "./conformance/providerSdk";
import { descendants, ofType, oneOfType, synthBackend, zoneOfService } from "./support";

const T = {
    fileSystem: "aws:efs/fileSystem:FileSystem",
    mountTarget: "aws:efs/mountTarget:MountTarget",
    accessPoint: "aws:efs/accessPoint:AccessPoint",
    backupPolicy: "aws:efs/backupPolicy:BackupPolicy",
    subnet: "aws:ec2/subnet:Subnet",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    disk: "gcp:compute/disk:Disk",
    regionDisk: "gcp:compute/regionDisk:RegionDisk",
    regionAttachment: "gcp:compute/regionDiskResourcePolicyAttachment:RegionDiskResourcePolicyAttachment",
    schedule: "gcp:compute/resourcePolicy:ResourcePolicy",
    perInstanceConfig: "gcp:compute/perInstanceConfig:PerInstanceConfig",
    cloudSql: "gcp:sql/databaseInstance:DatabaseInstance",
} as const;

const OWNER = { uid: 1000, gid: 100 };

/** A service of one container that mounts `volume`, in `zone`. */
function mounting(volume: Volume): ContainerSpec[] {
    return [{ name: "app", image: "busybox:1.36.1", entrypoint: ["/bin/sh"], cpu: 0.25, memoryMiB: 256, user: OWNER, mounts: [{ volume, path: "/data" }] }];
}

function caseOf(label: string) {
    const c = graphCases().find(g => g.label === label);
    if (!c) throw new Error(`no graph case ${label}`);
    return c;
}

function ceramicServices(report: SynthReport): SynthResource[] {
    const [node] = report.resources.filter(r => r.type === CERAMIC_TYPES.ceramic);
    return descendants(report, node.urn).filter(r => r.type === COMPONENT_TYPES.service);
}

function verdicts(resources: SynthResource[], profile: "dev" | "prod"): string[] {
    return evaluatePolicies(resources, { policies: [ceramicSurvivesZoneLoss], stackTags: { profile } }).map(v => v.message);
}

/** Cloud-side deletion protection, as the providers name it. */
function deletionProtected(r: SynthResource): boolean {
    return r.inputs.enableDeletionProtection === true || r.inputs.deletionProtection === true;
}

describe("a Ceramic node survives the loss of its zone", function () {
    this.timeout(120_000);

    describe("regional volumes on AWS: the stack's EFS Regional file system, a mount target in every zone", () => {
        let result: Awaited<ReturnType<typeof synthBackend>>;
        let zones: string[];
        before(async () => {
            result = await synthBackend("aws", backend => {
                zones = backend.context.zones;
                const volume = backend.volume("data", { zone: zones[0], sizeGiB: 10, owner: OWNER, regional: true });
                assert.deepStrictEqual(volume.zones, zones);
                backend.service("moved", { zone: zones[2], liveness: { kind: "exit" }, containers: mounting(volume) });
            });
        });

        it("is Regional storage: no AvailabilityZoneName, the one member of CreateFileSystem that makes a file system One Zone (botocore efs)", () => {
            assert.match(inputMember("efs", "CreateFileSystem", "AvailabilityZoneName").documentation, /Used to create a file system that uses One Zone storage classes/);
            const regional = ofType(result, T.fileSystem).filter(f => f.inputs.availabilityZoneName === undefined);
            assert.strictEqual(regional.length, 1);
            const [fs] = regional;
            assert.strictEqual(fs.inputs.encrypted, true);
            assert.deepStrictEqual([fs.options.protect, fs.options.retainOnDelete], [true, true]);
            assert.deepStrictEqual(ofType(result, T.backupPolicy).filter(b => b.inputs.fileSystemId === fs.id).map(b => b.inputs.backupPolicy), [{ status: "ENABLED" }]);
        });

        it("has a mount target in each of the stack's zones, and the requests that make them are ones EFS takes (botocore's validator)", () => {
            const fs = ofType(result, T.fileSystem).find(f => f.inputs.availabilityZoneName === undefined)!;
            const targets = ofType(result, T.mountTarget).filter(m => m.inputs.fileSystemId === fs.id);
            const subnetZone = new Map(ofType(result, T.subnet).map(s => [s.id, s.inputs.availabilityZone as string]));
            assert.deepStrictEqual(targets.map(t => subnetZone.get(t.inputs.subnetId as string)).sort(), [...zones].sort());
            assert.ok(targets.every(t => ofType(result, T.subnet).find(s => s.id === t.inputs.subnetId)!.name.includes("-private-")), "mount targets stand in private subnets");
            const requests = [
                { service: "efs", operation: "CreateFileSystem", source: fs.name, params: {
                    CreationToken: fs.inputs.creationToken, PerformanceMode: fs.inputs.performanceMode, Encrypted: fs.inputs.encrypted,
                    ThroughputMode: fs.inputs.throughputMode, Tags: [{ Key: "Name", Value: (fs.inputs.tags as Record<string, string>).Name }],
                } },
                ...targets.map(t => ({ service: "efs", operation: "CreateMountTarget", source: t.name, params: { FileSystemId: "fs-0123456789abcdef0", SubnetId: "subnet-0123456789abcdef0", SecurityGroups: ["sg-0123456789abcdef0"] } })),
            ] as unknown as ApiRequest[];
            const verdict = validateWithBotocore(requests);
            assert.deepStrictEqual(verdict.problems.flat(), [], `botocore ${verdict.version}`);
        });

        it("is mounted from a zone other than its own through its access point on that file system", () => {
            const fs = ofType(result, T.fileSystem).find(f => f.inputs.availabilityZoneName === undefined)!;
            const ap = oneOfType(result, T.accessPoint);
            assert.strictEqual(ap.inputs.fileSystemId, fs.id);
            const [task] = ofType(result, T.taskDefinition);
            const [efs] = (task.inputs.volumes as { efsVolumeConfiguration: { fileSystemId: string; authorizationConfig: { accessPointId: string } } }[]).map(v => v.efsVolumeConfiguration);
            assert.deepStrictEqual([efs.fileSystemId, efs.authorizationConfig.accessPointId], [fs.id, ap.id]);
        });

        it("a zonal volume is still refused from another zone, naming its zone", async () => {
            await assert.rejects(synthBackend("aws", backend => {
                const [a, b] = backend.context.zones;
                const volume = backend.volume("zonal", { zone: a, sizeGiB: 10, owner: OWNER });
                assert.deepStrictEqual(volume.zones, [a]);
                backend.service("elsewhere", { zone: b, liveness: { kind: "exit" }, containers: mounting(volume) });
            }), /volume zonal is in zone .*, the service in .*; a volume is only reachable from its own zone/);
        });
    });

    describe("regional volumes on GCP: a regional persistent disk in its zone and the next", () => {
        let result: Awaited<ReturnType<typeof synthBackend>>;
        let zones: string[];
        before(async () => {
            result = await synthBackend("gcp", backend => {
                zones = backend.context.zones;
                const volume = backend.volume("data", { zone: zones[0], sizeGiB: MIN_DISK_GB, owner: OWNER, regional: true });
                assert.deepStrictEqual(volume.zones, [zones[0], zones[1]]);
                backend.service("moved", { zone: zones[1], liveness: { kind: "exit" }, containers: mounting(volume) });
            });
        });

        it("replicates to two zones, the disk's own and the next of the stack's, with every input one RegionDisk takes", () => {
            assert.strictEqual(ofType(result, T.disk).length, 0);
            const disk = oneOfType(result, T.regionDisk);
            assert.deepStrictEqual(disk.inputs.replicaZones, [zones[0], zones[1]]);
            assert.strictEqual(disk.inputs.region, "us-central1");
            assert.strictEqual(disk.inputs.size, MIN_DISK_GB);
            assert.ok(["pd-balanced", "pd-ssd"].includes(disk.inputs.type as string), `${disk.inputs.type}: regional pd-standard needs 200 GB`);
            assert.deepStrictEqual([disk.options.protect, disk.options.retainOnDelete], [true, true]);
            const accepted = argsProperties("gcp", "compute/regionDisk", "RegionDisk");
            assert.deepStrictEqual(Object.keys(disk.inputs).filter(k => !accepted.has(k)), []);
            assert.deepStrictEqual(replicaZones(zones[2], zones), [zones[2], zones[0]], "the last zone's next is the first");
        });

        it("keeps its daily snapshots through a regional attachment of the schedule", () => {
            const disk = oneOfType(result, T.regionDisk);
            const attachment = oneOfType(result, T.regionAttachment);
            assert.deepStrictEqual([attachment.inputs.disk, attachment.inputs.region], [disk.inputs.name, "us-central1"]);
            assert.strictEqual(attachment.inputs.name, oneOfType(result, T.schedule).inputs.name);
            const accepted = argsProperties("gcp", "compute/regionDiskResourcePolicyAttachment", "RegionDiskResourcePolicyAttachment");
            assert.deepStrictEqual(Object.keys(attachment.inputs).filter(k => !accepted.has(k)), []);
        });

        it("is attached, as a stateful disk kept on every recreation, to the instance in the other zone", () => {
            const disk = oneOfType(result, T.regionDisk);
            const config = oneOfType(result, T.perInstanceConfig);
            assert.strictEqual(config.inputs.zone, zones[1]);
            const [preserved] = (config.inputs.preservedState as { disks: { source: string; deleteRule: string; mode: string }[] }).disks;
            assert.deepStrictEqual([preserved.source, preserved.deleteRule, preserved.mode], [disk.id, "NEVER", "READ_WRITE"]);
        });

        it("is refused from the zone that holds no replica, naming both", async () => {
            await assert.rejects(synthBackend("gcp", backend => {
                const [a, , c] = backend.context.zones;
                const volume = backend.volume("data", { zone: a, sizeGiB: 10, owner: OWNER, regional: true });
                backend.service("far", { zone: c, liveness: { kind: "exit" }, containers: mounting(volume) });
            }), /volume data is in zones us-central1-a, us-central1-b, the service in us-central1-c; a volume is only reachable from its zones/);
        });
    });

    describe("the node's placement (components/ceramic/zones.ts)", () => {
        const stackZones = ["z-a", "z-b", "z-c"];
        const volumeIn = (zones: string[]) => ({ volumeName: "ceramic-state", zones }) as unknown as Volume;

        it("runs in the stack's first zone by default, and its volumes are made for that zone whatever the key says", () => {
            assert.deepStrictEqual(nodePlacement(stackZones, undefined), { zone: "z-a", volumes: { zone: "z-a", regional: true } });
            assert.deepStrictEqual(nodePlacement(stackZones, "z-b"), { zone: "z-b", volumes: { zone: "z-a", regional: true } });
        });

        it("refuses a zone that is not the stack's, or holds none of the volumes, naming the key and the value", () => {
            assert.throws(() => nodePlacement(stackZones, "z-x"), new RegExp(`${ZONE_KEY.replace(".", "\\.")} = "z-x": not one of the stack's zones \\(z-a, z-b, z-c\\)`));
            assert.throws(() => assertZoneHoldsVolume(nodePlacement(stackZones, "z-c"), volumeIn(["z-a", "z-b"])), /ceramic\.zone = "z-c": the node's volumes live in z-a and z-b/);
            assert.doesNotThrow(() => assertZoneHoldsVolume(nodePlacement(stackZones, "z-c"), volumeIn(stackZones)));
        });
    });

    for (const cloud of ["aws", "gcp"] as const) {
        describe(`moving a prod node on ${cloud} to the stack's second zone: ${ZONE_KEY} and pulumi up`, () => {
            let base: SynthReport;
            let moved: SynthReport;
            let zones: string[];
            before(async () => {
                base = await graphOf(caseOf(`prod on ${cloud}`));
                zones = base.outputs.zones as string[];
                moved = await synthStack({ stack: "prod", cloud, set: { "ceramic.zone": zones[1] } });
            });

            it("its services stand in the new zone, and only there", () => {
                const before = ceramicServices(base).map(s => zoneOfService(base, s));
                const after = ceramicServices(moved).map(s => zoneOfService(moved, s));
                assert.ok(before.length >= 2 && before.every(z => z === zones[0]), before.join(", "));
                assert.deepStrictEqual(after, before.map(() => zones[1]));
            });

            it("announces, after the move, its DNS names as before and the one address that reaches it in its new zone", () => {
                const announced = (r: SynthReport) => (r.outputs.ceramic as { multiaddresses: string[] }).multiaddresses;
                const names = (r: SynthReport) => announced(r).filter(a => a.startsWith("/dns4/"));
                assert.deepStrictEqual(names(moved), names(base));
                const ips = (r: SynthReport) => [...new Set(announced(r).filter(a => a.startsWith("/ip4/")).map(a => a.split("/")[2]))];
                assert.strictEqual(ips(moved).length, 1);
                if (cloud === "gcp") {
                    // A regional address: it stays.
                    assert.deepStrictEqual(ips(moved), ips(base));
                } else {
                    // The Elastic IP the stack's NLB holds in the new zone: cross-zone is off for swarm ports (a peer
                    // dialling several addresses from one QUIC socket would reach one target through several NLB nodes
                    // with its address kept: AWS's documented connection errors), so only that zone's address reaches it.
                    const eip = moved.resources.find(r => r.type === "aws:ec2/eip:Eip" && r.name === `public-${zones[1]}`)!;
                    assert.deepStrictEqual(ips(moved), [computedState(eip.type, eip.name, eip.inputs as Record<string, any>).state.publicIp]);
                    const registered = new Set(ceramicServices(moved).flatMap(s => descendants(moved, s.urn).filter(d => d.type === "aws:ecs/service:Service"))
                        .flatMap(ecs => ((ecs.inputs.loadBalancers ?? []) as { targetGroupArn: string }[]).map(lb => lb.targetGroupArn)));
                    const groups = moved.resources.filter(r => r.type === "aws:lb/targetGroup:TargetGroup" && registered.has(arnOf(r)) && r.inputs.protocol !== "HTTP");
                    assert.ok(groups.length > 0, "the node's swarm target groups");
                    for (const g of groups) assert.notStrictEqual(g.inputs.loadBalancingCrossZoneEnabled, "true", g.name);
                }
            });

            it("makes nothing that holds data anew: every protected or retained resource keeps its URN and its inputs", () => {
                const after = new Map(moved.resources.map(r => [r.urn, r]));
                const kept = base.resources.filter(r => r.options.protect || r.options.retainOnDelete);
                assert.ok(kept.some(r => r.type === (cloud === "aws" ? T.fileSystem : T.regionDisk)));
                for (const r of kept) {
                    const same = after.get(r.urn);
                    assert.ok(same, `${r.urn} is gone after the move`);
                    assert.deepStrictEqual(same.inputs, r.inputs, `${r.urn} changes with the move`);
                }
            });

            it("changes nothing a deletion protection would stop", () => {
                const before = new Map(base.resources.map(r => [r.urn, r]));
                const changed = moved.resources.filter(r => !before.has(r.urn) || JSON.stringify(before.get(r.urn)!.inputs) !== JSON.stringify(r.inputs));
                assert.ok(changed.length > 0);
                const stuck = changed.map(r => before.get(r.urn) ?? r).filter(deletionProtected);
                assert.deepStrictEqual(stuck.map(r => r.urn), []);
                // The stack's network load balancer stands in every zone: nothing of it changes, the node moves to
                // the address it has in the new zone.
                assert.deepStrictEqual(changed.filter(r => r.type === "aws:lb/loadBalancer:LoadBalancer").map(r => r.urn), []);
            });

            it("passes ceramic-survives-zone-loss where it lands", () => {
                assert.deepStrictEqual(verdicts(moved.resources, "prod"), []);
            });
        });
    }

    it("on GCP, a zone that holds no replica of the node's disks is refused, naming the key", async () => {
        const zones = (await graphOf(caseOf("prod on gcp"))).outputs.zones as string[];
        await assert.rejects(synthStack({ stack: "prod", cloud: "gcp", set: { "ceramic.zone": zones[2] } }),
            new RegExp(`ceramic\\.zone = "${zones[2]}": the node's volumes live in ${zones[0]} and ${zones[1]}`));
    });

    describe("ceramic-survives-zone-loss, against the stack files' graphs", () => {
        // Every stack file on both clouds passes it: tests/conformance/zone-egress.test.ts runs it with the other zone-loss rules.

        /** The prod graph with the node's storage made zonal, as a node built before regional volumes had it. */
        function zonalCopy(report: SynthReport): SynthResource[] {
            const copy = JSON.parse(JSON.stringify(report.resources)) as SynthResource[];
            const zone = report.outputs.zones as string[];
            for (const r of copy) {
                if (r.type === T.fileSystem && r.inputs.availabilityZoneName === undefined) r.inputs.availabilityZoneName = zone[0];
                if (r.type === T.regionDisk) {
                    r.type = T.disk;
                    r.inputs = { ...r.inputs, zone: zone[0] };
                    delete r.inputs.replicaZones;
                    delete r.inputs.region;
                }
            }
            return copy;
        }

        for (const cloud of ["aws", "gcp"] as const) {
            it(`on ${cloud}, a node on zonal storage in prod is a violation naming the storage and the key; dev accepts it`, async () => {
                const report = await graphOf(caseOf(`prod on ${cloud}`));
                const zonal = zonalCopy(report);
                const messages = verdicts(zonal, "prod");
                assert.ok(messages.length >= 1, "no violation");
                for (const m of messages) {
                    const storage = cloud === "aws" ? "aws:efs/fileSystem:FileSystem" : "gcp:compute/disk:Disk";
                    assert.match(m, new RegExp(`^${storage} ".*": holds the data of .* of ceramic in ${(report.outputs.zones as string[])[0]} alone`));
                    assert.match(m, /web3-nodes:ceramic\.zone/);
                }
                assert.deepStrictEqual(verdicts(zonal, "dev"), []);
            });
        }

        it("AWS prod whose node's zone leaves through another zone's NAT gateway: losing that zone cuts the node off (zoneLoss.ts)", async () => {
            const report = await graphOf(caseOf("prod on aws"));
            const [a, b] = report.outputs.zones as string[];
            const copy = JSON.parse(JSON.stringify(report.resources)) as SynthResource[];
            const zoneOfSubnet = new Map(copy.filter(r => r.type === T.subnet).map(r => [r.id, r.inputs.availabilityZone as string]));
            const natOf = (zone: string) => copy.find(n => n.type === "aws:ec2/natGateway:NatGateway" && zoneOfSubnet.get(n.inputs.subnetId as string) === zone)!;
            const route = copy.find(r => r.type === "aws:ec2/route:Route" && r.inputs.natGatewayId !== undefined && r.name.includes(`-private-${a}-`))!;
            route.inputs.natGatewayId = natOf(b).id;
            const messages = verdicts(copy, "prod");
            assert.strictEqual(messages.length, 1, messages.join("\n"));
            assert.match(messages[0], new RegExp(`^web3-nodes:ceramic:CeramicNode "ceramic": losing ${b} cuts the node off: .* \\(${a}\\).* through NAT gateway network-nat-${b} in ${b}`));
        });

        it("a database under the node that cannot fail over is a violation (Cloud SQL ZONAL), one that can is not", async () => {
            const report = await graphOf(caseOf("prod on gcp"));
            const withIndex = (availabilityType: string) => {
                const copy = JSON.parse(JSON.stringify(report.resources)) as SynthResource[];
                const node = copy.find(r => r.type === CERAMIC_TYPES.ceramic)!;
                // The prod stack's Cloud SQL instance (Chainlink's), given to the node as its index.
                const db = copy.find(r => r.type === T.cloudSql)!;
                copy.push({ ...db, urn: `${db.urn}-ceramic-index`, name: "ceramic-index", parent: node.urn, inputs: { ...db.inputs, name: "ceramic-index", settings: { ...(db.inputs.settings as object), availabilityType } } });
                return copy;
            };
            assert.deepStrictEqual(verdicts(withIndex("REGIONAL"), "prod"), []);
            assert.ok(verdicts(withIndex("ZONAL"), "prod").some(m => /"ceramic-index": the index of ceramic cannot fail over to another zone: settings\.availabilityType is ZONAL/.test(m)));
        });
    });
});
