// Volumes on EFS: zonal ones on EFS One Zone, one encrypted, backed-up file system per zone, made the first
// time a volume in that zone is asked for; regional ones on one EFS Standard file system of the stack, which
// stores its data across the region's zones and has a mount target in each of the stack's zones, so a service
// in any of them mounts it ("Regional ... file systems store data redundantly across multiple geographically
// separated Availability Zones within the same AWS Region"; One Zone ones "store data within a single
// Availability Zone", lost with it: https://docs.aws.amazon.com/efs/latest/ug/availability-durability.html).
// One access point per volume pins its directory and its owner.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DATA_PROTECTION, Profile, RunAs, Volume, VolumeArgs } from "../topology";
import { describeUser } from "../topology/rules";
import { NFS_PORT } from "./constants";
import { AwsAccount } from "./context";

/** Not a topology primitive: the shared per-zone storage that volumes are carved from. */
export const ZONE_FILE_SYSTEM_TYPE = "web3-nodes:aws:ZoneFileSystem";
/** Not a topology primitive: the stack's storage across its zones, that regional volumes are carved from. */
export const REGIONAL_FILE_SYSTEM_TYPE = "web3-nodes:aws:RegionalFileSystem";

/** Volume root directories: owner-only writes, group may read, others nothing. */
export const VOLUME_PERMISSIONS = "0750";

const VOLUME_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function volumeRoot(name: string): string {
    return `/volumes/${name}`;
}

/** Every problem with a volume request, as sentences naming the volume. */
export function volumeProblems(name: string, args: VolumeArgs, zones: string[]): string[] {
    const problems: string[] = [];
    if (!VOLUME_NAME.test(name)) problems.push(`volume ${name}: name must be lowercase letters, digits and dashes (it becomes the directory ${volumeRoot(name)})`);
    if (!zones.includes(args.zone)) problems.push(`volume ${name}: zone "${args.zone}" is not one of the stack's zones (${zones.join(", ")})`);
    if (!(args.sizeGiB > 0)) problems.push(`volume ${name}: sizeGiB must be positive`);
    const { uid, gid } = args.owner;
    if (!Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid) || gid < 0) {
        problems.push(`volume ${name}: owner ${describeUser(args.owner)} must have a non-zero uid; nothing runs as root`);
    }
    return problems;
}

/**
 * The file system policy: IAM decides who mounts (the task roles name their file systems), clients must use
 * TLS, and nobody gets root access (no ClientRootAccess), so the access points' owners hold.
 */
export function fileSystemPolicy(fileSystemArn: pulumi.Input<string>, account: AwsAccount): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyUnencryptedTransport",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "*",
                Resource: fileSystemArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "MountThroughIamOnly",
                Effect: "Allow",
                Principal: { AWS: `arn:${account.partition}:iam::${account.accountId}:root` },
                Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                Resource: fileSystemArn,
                Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
            },
        ],
    });
}

export interface ZoneFileSystemArgs {
    prefix: string;
    profile: Profile;
    zone: string;
    subnetId: pulumi.Input<string>;
    mountTargetSecurityGroupId: pulumi.Input<string>;
    account: AwsAccount;
}

export class ZoneFileSystem extends pulumi.ComponentResource {
    readonly zone: string;
    /** Resolves once the zone's mount target exists, so a task never mounts before it can. */
    readonly fileSystemId: pulumi.Output<string>;
    readonly fileSystemArn: pulumi.Output<string>;

    constructor(name: string, args: ZoneFileSystemArgs, opts?: pulumi.ComponentResourceOptions) {
        // Only the file system holds data: its mount target, policies and backup setting are replaced or
        // removed on their own (a kept mount target would block its replacement and outlive a destroy).
        super(ZONE_FILE_SYSTEM_TYPE, name, {}, opts);
        this.zone = args.zone;
        const fs = new aws.efs.FileSystem(`${name}-fs`, {
            availabilityZoneName: args.zone,
            creationToken: `${args.prefix}-${args.zone}`,
            encrypted: true,
            performanceMode: "generalPurpose",
            throughputMode: "elastic",
            tags: { Name: `${args.prefix}-${args.zone}` },
        }, { parent: this, ...DATA_PROTECTION });
        new aws.efs.BackupPolicy(`${name}-backup`, {
            fileSystemId: fs.id,
            backupPolicy: { status: "ENABLED" },
        }, { parent: this });
        new aws.efs.FileSystemPolicy(`${name}-policy`, {
            fileSystemId: fs.id,
            policy: fileSystemPolicy(fs.arn, args.account),
        }, { parent: this });
        const mountTarget = new aws.efs.MountTarget(`${name}-mount`, {
            fileSystemId: fs.id,
            subnetId: args.subnetId,
            securityGroups: [args.mountTargetSecurityGroupId],
        }, { parent: this });
        this.fileSystemId = mountTarget.fileSystemId;
        this.fileSystemArn = mountTarget.fileSystemArn;
        this.registerOutputs({ fileSystemId: this.fileSystemId });
    }
}

/** What a volume is carved from: the file system, once it can be mounted where the volume is used. */
export interface EfsStorage {
    readonly fileSystemId: pulumi.Output<string>;
    readonly fileSystemArn: pulumi.Output<string>;
}

export interface RegionalFileSystemArgs {
    prefix: string;
    zones: string[];
    subnetId(zone: string): pulumi.Input<string>;
    mountTargetSecurityGroupId: pulumi.Input<string>;
    account: AwsAccount;
}

/** The stack's EFS Standard file system: encrypted, backed up, a mount target in every zone of the stack. */
export class RegionalFileSystem extends pulumi.ComponentResource implements EfsStorage {
    readonly zones: readonly string[];
    /** Resolves once every zone's mount target exists, so a task mounts it in whichever zone it starts. */
    readonly fileSystemId: pulumi.Output<string>;
    readonly fileSystemArn: pulumi.Output<string>;

    constructor(name: string, args: RegionalFileSystemArgs, opts?: pulumi.ComponentResourceOptions) {
        super(REGIONAL_FILE_SYSTEM_TYPE, name, {}, opts);
        this.zones = [...args.zones];
        // No availabilityZoneName: Regional (Standard) storage, not One Zone.
        const fs = new aws.efs.FileSystem(`${name}-fs`, {
            creationToken: `${args.prefix}-regional`,
            encrypted: true,
            performanceMode: "generalPurpose",
            throughputMode: "elastic",
            tags: { Name: `${args.prefix}-regional` },
        }, { parent: this, ...DATA_PROTECTION });
        new aws.efs.BackupPolicy(`${name}-backup`, { fileSystemId: fs.id, backupPolicy: { status: "ENABLED" } }, { parent: this });
        new aws.efs.FileSystemPolicy(`${name}-policy`, { fileSystemId: fs.id, policy: fileSystemPolicy(fs.arn, args.account) }, { parent: this });
        const mountTargets = args.zones.map(zone => new aws.efs.MountTarget(`${name}-mount-${zone}`, {
            fileSystemId: fs.id,
            subnetId: args.subnetId(zone),
            securityGroups: [args.mountTargetSecurityGroupId],
        }, { parent: this }));
        this.fileSystemId = pulumi.all(mountTargets.map(m => m.fileSystemId)).apply(ids => ids[0]);
        this.fileSystemArn = pulumi.all(mountTargets.map(m => m.fileSystemArn)).apply(arns => arns[0]);
        this.registerOutputs({ fileSystemId: this.fileSystemId });
    }
}

export interface FileSystemsArgs {
    prefix: string;
    profile: Profile;
    account: AwsAccount;
    vpcId: pulumi.Input<string>;
    privateSubnet(zone: string): pulumi.Input<string>;
}

/**
 * The per-zone file systems and the two security groups around them, made on first use. They hang off a
 * stable parent (the network), so which volume asked first never changes their identity.
 */
export class FileSystems {
    private readonly byZone = new Map<string, ZoneFileSystem>();
    private acrossZones?: RegionalFileSystem;
    private groups?: { clients: aws.ec2.SecurityGroup; mountTargets: aws.ec2.SecurityGroup };

    constructor(private readonly name: string, private readonly args: FileSystemsArgs, private readonly parent: pulumi.Resource) {}

    /** Every service that mounts a volume joins this group; only it reaches the mount targets. */
    get clientsSecurityGroup(): aws.ec2.SecurityGroup {
        return this.securityGroups().clients;
    }

    forZone(zone: string): ZoneFileSystem {
        let fs = this.byZone.get(zone);
        if (!fs) {
            fs = new ZoneFileSystem(`${this.name}-${zone}`, {
                prefix: this.args.prefix,
                profile: this.args.profile,
                zone,
                subnetId: this.args.privateSubnet(zone),
                mountTargetSecurityGroupId: this.securityGroups().mountTargets.id,
                account: this.args.account,
            }, { parent: this.parent });
            this.byZone.set(zone, fs);
        }
        return fs;
    }

    /** The file system of regional volumes, reachable from every one of the stack's `zones`. */
    regional(zones: string[]): RegionalFileSystem {
        if (!this.acrossZones) {
            this.acrossZones = new RegionalFileSystem(`${this.name}-regional`, {
                prefix: this.args.prefix,
                zones,
                subnetId: zone => this.args.privateSubnet(zone),
                mountTargetSecurityGroupId: this.securityGroups().mountTargets.id,
                account: this.args.account,
            }, { parent: this.parent });
        }
        return this.acrossZones;
    }

    private securityGroups(): { clients: aws.ec2.SecurityGroup; mountTargets: aws.ec2.SecurityGroup } {
        if (!this.groups) {
            const opts = { parent: this.parent };
            const clients = new aws.ec2.SecurityGroup(`${this.name}-clients`, {
                vpcId: this.args.vpcId,
                description: `Services of ${this.args.prefix} that mount a volume`,
            }, opts);
            const mountTargets = new aws.ec2.SecurityGroup(`${this.name}-mount-targets`, {
                vpcId: this.args.vpcId,
                description: `EFS mount targets of ${this.args.prefix}: NFS from volume clients only`,
            }, opts);
            new aws.vpc.SecurityGroupIngressRule(`${this.name}-nfs-from-clients`, {
                securityGroupId: mountTargets.id,
                referencedSecurityGroupId: clients.id,
                ipProtocol: "tcp",
                fromPort: NFS_PORT,
                toPort: NFS_PORT,
                description: "NFS from volume clients",
            }, opts);
            this.groups = { clients, mountTargets };
        }
        return this.groups;
    }
}

export interface AwsVolumeArgs extends VolumeArgs {
    profile: Profile;
    /** Its zone's One Zone file system, or the stack's regional one. */
    fileSystem: ZoneFileSystem | RegionalFileSystem;
}

export class AwsVolume extends pulumi.ComponentResource implements Volume {
    readonly volumeName: string;
    readonly zone: string;
    readonly zones: readonly string[];
    readonly regional: boolean;
    /** EFS grows as it is written; the size is the workload's estimate, kept for capacity planning. */
    readonly sizeGiB: number;
    readonly owner: RunAs;
    readonly fileSystemId: pulumi.Output<string>;
    readonly fileSystemArn: pulumi.Output<string>;
    readonly accessPointId: pulumi.Output<string>;
    readonly accessPointArn: pulumi.Output<string>;

    constructor(name: string, args: AwsVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
        // The planned size, in the graph for capacity and cost estimates (tools/cost.ts): EFS has no size of its own.
        super(COMPONENT_TYPES.volume, name, { sizeGiB: args.sizeGiB }, opts);
        this.volumeName = name;
        this.zone = args.zone;
        this.regional = args.fileSystem instanceof RegionalFileSystem;
        this.zones = args.fileSystem instanceof RegionalFileSystem ? [...args.fileSystem.zones] : [args.zone];
        this.sizeGiB = args.sizeGiB;
        this.owner = { ...args.owner };
        // The access point names a directory of the zone's protected file system and holds nothing itself:
        // removed, the directory and its data stay; made again, it names them again.
        const accessPoint = new aws.efs.AccessPoint(`${name}-access-point`, {
            fileSystemId: args.fileSystem.fileSystemId,
            // Whatever uid a client claims, it reads and writes as the owner, and lands in its own directory.
            posixUser: { uid: args.owner.uid, gid: args.owner.gid },
            rootDirectory: {
                path: volumeRoot(name),
                creationInfo: { ownerUid: args.owner.uid, ownerGid: args.owner.gid, permissions: VOLUME_PERMISSIONS },
            },
            tags: { Name: name },
        }, { parent: this });
        this.fileSystemId = args.fileSystem.fileSystemId;
        this.fileSystemArn = args.fileSystem.fileSystemArn;
        this.accessPointId = accessPoint.id;
        this.accessPointArn = accessPoint.arn;
        this.registerOutputs({ accessPointId: this.accessPointId, fileSystemId: this.fileSystemId });
    }
}
