// Protection as the engine applies it: a child takes its parent's `protect` (the Node SDK, @pulumi/pulumi
// resource.js: `if (opts.protect === undefined) opts.protect = parent.__protect`) and `retainOnDelete` (the
// engine, pulumi/pulumi pkg/resource/deploy/source_eval.go inheritFromParent, since v3.158.0, #18956) unless
// it sets them. Only what holds data, or names it, may end up protected or retained: a protected mount target
// cannot be replaced, a retained one leaves its network interface behind after a destroy.
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { COMPONENT_TYPES, DATA_PROTECTION, Profile } from "../../components/topology";
import { evaluatePolicies } from "../../policies/evaluate";
import { dataConfigurationNotKept } from "../../policies/rules/persistence";
import { SynthReport } from "../../tools/synth";
import { SynthResource, synthesize } from "../../tools/harness";
import { graphCases, graphOf } from "./graphs";

interface Kept {
    /** Whether the engine keeps the cloud resource once Pulumi forgets it. */
    retainOnDelete: boolean;
    /** Profiles it is protected in; every profile when absent. */
    profiles?: Profile[];
    /** Narrows the type to the resources that hold or name data. */
    where?: (r: SynthResource, byUrn: Map<string, SynthResource>) => boolean;
    why: string;
}

/** The resources that hold data, or name it (an address a multiaddress carries): the only ones protected. */
const PROTECTED: Record<string, Kept> = {
    "aws:efs/fileSystem:FileSystem": { retainOnDelete: true, why: "the volumes' directories" },
    "aws:s3/bucket:Bucket": { retainOnDelete: true, why: "the Ceramic state store's objects" },
    "aws:rds/cluster:Cluster": { retainOnDelete: true, why: "the Chainlink database" },
    "aws:rds/clusterInstance:ClusterInstance": { retainOnDelete: false, why: "the database's writer or standby: removing it takes the database offline; its storage is the cluster's" },
    "gcp:compute/disk:Disk": { retainOnDelete: true, why: "a volume" },
    "gcp:compute/regionDisk:RegionDisk": { retainOnDelete: true, why: "a regional volume" },
    "gcp:storage/bucket:Bucket": { retainOnDelete: true, why: "the Ceramic state store's objects" },
    "gcp:sql/databaseInstance:DatabaseInstance": { retainOnDelete: true, why: "the Chainlink database" },
    "gcp:sql/database:Database": { retainOnDelete: true, why: "the Chainlink database's rows" },
    "random:index/randomBytes:RandomBytes": { retainOnDelete: true, why: "peer identity seeds and the cluster secret: replaced, every peer ID changes" },
    "random:index/randomPassword:RandomPassword": {
        retainOnDelete: true,
        why: "Chainlink's keystore password (the only key to its encrypted keys), API and Prometheus credentials, the database " +
            "password and the cluster's REST password: replaced, what holds the old one is locked out",
    },
    "aws:ec2/eip:Eip": {
        retainOnDelete: false,
        profiles: ["prod"],
        where: (r, byUrn) => [COMPONENT_TYPES.passthroughLoadBalancer, COMPONENT_TYPES.passthroughAddress].includes(byUrn.get(r.parent ?? "")?.type as never),
        why: "a peer's public address, or the Chainlink pair's announced P2P address: its peers keep it",
    },
    "gcp:compute/address:Address": {
        retainOnDelete: false,
        profiles: ["prod"],
        where: (r, byUrn) => [COMPONENT_TYPES.passthroughLoadBalancer, COMPONENT_TYPES.passthroughAddress].includes(byUrn.get(r.parent ?? "")?.type as never),
        why: "a peer's public address, or the Chainlink pair's announced P2P address: its peers keep it",
    },
};

/** Configuration around data: replaced or removed on its own, never kept. */
const CONFIGURATION_OF_DATA = [
    // The secret store's copies of generated passwords: written anew from the protected password.
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "gcp:secretmanager/secret:Secret",
    "gcp:secretmanager/secretVersion:SecretVersion",
    "aws:efs/mountTarget:MountTarget",
    "aws:efs/backupPolicy:BackupPolicy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "aws:efs/accessPoint:AccessPoint",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "gcp:compute/resourcePolicy:ResourcePolicy",
    "gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment",
    "gcp:compute/regionDiskResourcePolicyAttachment:RegionDiskResourcePolicyAttachment",
];

function expectedProtection(r: SynthResource, profile: Profile, byUrn: Map<string, SynthResource>): { protect: boolean; retainOnDelete: boolean } {
    const rule = PROTECTED[r.type];
    if (!rule || (rule.profiles && !rule.profiles.includes(profile)) || (rule.where && !rule.where(r, byUrn))) return { protect: false, retainOnDelete: false };
    return { protect: true, retainOnDelete: rule.retainOnDelete };
}

describe("conformance: protection exactly on what holds data", function () {
    this.timeout(120_000);

    it("records options as the engine applies them: protect and retainOnDelete inherited from the parent unless set", async () => {
        const made: pulumi.Resource[] = [];
        const result = await synthesize({
            project: "web3-nodes",
            stack: "inherit",
            config: {},
            program: async () => {
                class Holder extends pulumi.ComponentResource {
                    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
                        super("test:index:Holder", name, {}, opts);
                    }
                }
                const kept = new Holder("kept", { protect: true, retainOnDelete: true });
                const plain = new Holder("plain");
                made.push(kept, plain);
                made.push(new random.RandomBytes("inherits", { length: 8 }, { parent: kept }));
                made.push(new random.RandomBytes("opts-out", { length: 8 }, { parent: kept, protect: false, retainOnDelete: false }));
                const inner = new Holder("inner", { parent: kept });
                made.push(inner, new random.RandomBytes("grandchild", { length: 8 }, { parent: inner }));
                made.push(new random.RandomBytes("under-plain", { length: 8 }, { parent: plain }));
                made.push(new random.RandomBytes("own", { length: 8 }, { parent: plain, protect: true }));
                return {};
            },
        });
        const options = Object.fromEntries(result.resources.map(r => [r.name, [r.options.protect, r.options.retainOnDelete]]));
        assert.deepStrictEqual(options, {
            kept: [true, true],
            plain: [false, false],
            inherits: [true, true],
            "opts-out": [false, false],
            inner: [true, true],
            grandchild: [true, true],
            "under-plain": [false, false],
            own: [true, false],
        });
        // The SDK's own resolution of protect, which it sends to the engine, agrees with what is recorded.
        const sdkProtect = Object.fromEntries(made.map(m => [(m as unknown as { __name: string }).__name, (m as unknown as { __protect?: boolean }).__protect === true]));
        for (const r of result.resources) assert.strictEqual(r.options.protect, sdkProtect[r.name], `${r.name}: the SDK resolves protect to ${sdkProtect[r.name]}`);
    });

    it("the policy pack reports configuration a protected component passes on to it, as a preview would see it", async () => {
        const result = await synthesize({
            project: "web3-nodes",
            stack: "inherit",
            config: {},
            program: async () => {
                // The shape that locked mount targets: data protection on the component around the file system.
                const around = new pulumi.ComponentResource("web3-nodes:aws:ZoneFileSystem", "volumes-a", {}, DATA_PROTECTION);
                new aws.efs.FileSystem("volumes-a-fs", { encrypted: true }, { parent: around });
                new aws.efs.MountTarget("volumes-a-mount", { fileSystemId: "fs-1", subnetId: "subnet-1" }, { parent: around });
                new aws.efs.BackupPolicy("volumes-a-backup", { fileSystemId: "fs-1", backupPolicy: { status: "ENABLED" } }, { parent: around, protect: false, retainOnDelete: false });
                return {};
            },
        });
        const violations = evaluatePolicies(result.resources, { policies: [dataConfigurationNotKept] });
        assert.deepStrictEqual(violations.map(v => v.urn.split("::").pop()), ["volumes-a-mount"]);
        assert.match(violations[0].message, /aws:efs\/mountTarget:MountTarget "volumes-a-mount": protect is set \(directly or inherited from its parent\)/);
    });

    for (const c of graphCases()) {
        describe(c.label, () => {
            let report: SynthReport;
            let byUrn: Map<string, SynthResource>;
            before(async () => {
                report = await graphOf(c);
                byUrn = new Map(report.resources.map(r => [r.urn, r]));
            });

            it("protects and retains exactly the resources that hold or name data (components included)", () => {
                const profile = report.outputs.profile as Profile;
                const wrong = report.resources
                    .map(r => ({ r, want: expectedProtection(r, profile, byUrn) }))
                    .filter(({ r, want }) => r.options.protect !== want.protect || r.options.retainOnDelete !== want.retainOnDelete)
                    .map(({ r, want }) => `${r.type} ${r.name}: protect ${r.options.protect}, retainOnDelete ${r.options.retainOnDelete}; ` +
                        `expected ${want.protect}, ${want.retainOnDelete}`);
                assert.deepStrictEqual(wrong, []);
                // Every kind of data the table names is there to be protected (the table is not vacuous here).
                const protectedTypes = new Set(report.resources.filter(r => r.options.protect).map(r => r.type));
                const dataTypes = [c.cloud === "aws" ? "aws:efs/fileSystem:FileSystem" : "gcp:compute/disk:Disk", "random:index/randomBytes:RandomBytes", "random:index/randomPassword:RandomPassword"];
                for (const type of dataTypes) {
                    assert.ok(protectedTypes.has(type), `no protected ${type}`);
                }
            });

            it("protects every generated password whose loss locks something out, and none of the secret store entries that carry them", () => {
                const passwords = report.resources.filter(r => r.type === "random:index/randomPassword:RandomPassword");
                assert.ok(passwords.length > 0, "the graph generates passwords");
                assert.deepStrictEqual(passwords.filter(p => !p.options.protect || !p.options.retainOnDelete).map(p => p.name), []);
                const carriers = report.resources.filter(r => /^(aws:secretsmanager|gcp:secretmanager)\//.test(r.type));
                assert.ok(carriers.length > 0, "the graph holds secret store entries");
                assert.deepStrictEqual(carriers.filter(r => r.options.protect || r.options.retainOnDelete).map(r => `${r.type} ${r.name}`), []);
            });

            it("keeps no configuration of data: mount targets, backup and file-system policies, access points, bucket settings, snapshot schedules", () => {
                const config = report.resources.filter(r => CONFIGURATION_OF_DATA.includes(r.type));
                assert.ok(config.length > 0, "the graph holds configuration of data");
                const kept = config.filter(r => r.options.protect || r.options.retainOnDelete).map(r => `${r.type} ${r.name}`);
                assert.deepStrictEqual(kept, []);
                assert.deepStrictEqual(report.policy.violations.filter(v => v.policy === dataConfigurationNotKept.name), []);
            });
        });
    }
});
