// A persistent disk: attached read-write to the one instance of the service that mounts it, kept when the
// instance goes, snapshotted daily. Zonal, or regional: replicated synchronously to a second zone, where an
// instance attaches it after the first zone is lost (https://cloud.google.com/compute/docs/disks/repd-failover).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DATA_PROTECTION, Profile, RunAs, Volume, VolumeArgs } from "../topology";
import { GcpEnv, afterApis, gcpName } from "./shared";

/** Where instances mount volumes: `<root>/<device name>`. */
export const VOLUME_MOUNT_ROOT = "/mnt/disks";
/** UTC time the daily snapshot starts: a quiet hour for most operators. */
export const SNAPSHOT_START_TIME = "04:00";

/** Prod pays for SSD latency (IPFS datastores and Ceramic state are seek-heavy); dev takes balanced. */
export function diskType(profile: Profile): string {
    return profile === "prod" ? "pd-ssd" : "pd-balanced";
}

/** The device name the disk is attached under: the guest sees it as /dev/disk/by-id/google-<device name>. */
export function deviceName(volumeName: string): string {
    return gcpName([volumeName]);
}

/**
 * The two zones a regional disk is replicated in: its own and the next of the stack's zones, in the stack's
 * order. Fixed at creation (replicaZones forces a new disk), so a service moving between the two never
 * touches the disk. A regional disk has exactly two replicas
 * (https://cloud.google.com/compute/docs/disks/regional-persistent-disk).
 */
export function replicaZones(zone: string, stackZones: readonly string[]): [string, string] {
    const i = stackZones.indexOf(zone);
    if (i < 0 || stackZones.length < 2) throw new Error(`zone "${zone}" has no next zone among the stack's zones (${stackZones.join(", ")})`);
    return [zone, stackZones[(i + 1) % stackZones.length]];
}

/**
 * The least a disk may hold, in GB: 10 for zonal disks and for regional pd-balanced and pd-ssd alike
 * (https://cloud.google.com/compute/docs/disks, "Minimum capacity per disk"; regional pd-standard would need 200).
 */
export const MIN_DISK_GB = 10;

export function snapshotSchedule(region: string, retentionDays: number, labels: Record<string, string>): gcp.types.input.compute.ResourcePolicySnapshotSchedulePolicy {
    return {
        schedule: { dailySchedule: { daysInCycle: 1, startTime: SNAPSHOT_START_TIME } },
        // A deleted disk's snapshots are its last copy: keep them.
        retentionPolicy: { maxRetentionDays: retentionDays, onSourceDiskDelete: "KEEP_AUTO_SNAPSHOTS" },
        // Regional storage survives the loss of the disk's zone.
        snapshotProperties: { storageLocations: region, labels, guestFlush: false },
    };
}

export class GcpVolume extends pulumi.ComponentResource implements Volume {
    readonly volumeName: string;
    readonly zone: string;
    readonly zones: readonly string[];
    readonly regional: boolean;
    readonly sizeGiB: number;
    readonly owner: RunAs;
    readonly deviceName: string;
    /** `projects/<p>/zones/<z>/disks/<name>` (or `.../regions/<r>/disks/<name>`), what a per-instance config attaches. */
    readonly diskId: pulumi.Output<string>;

    constructor(name: string, args: VolumeArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.volume, name, {}, opts);
        if (!env.context.zones.includes(args.zone)) {
            throw new Error(`volume ${name}: zone "${args.zone}" is not one of the stack's zones (${env.context.zones.join(", ")})`);
        }
        if (!Number.isInteger(args.sizeGiB) || args.sizeGiB < MIN_DISK_GB) {
            throw new Error(`volume ${name}: sizeGiB ${args.sizeGiB} must be a whole number of at least ${MIN_DISK_GB}`);
        }
        this.volumeName = name;
        this.zone = args.zone;
        this.regional = args.regional === true;
        this.zones = this.regional ? replicaZones(args.zone, env.context.zones) : [args.zone];
        this.sizeGiB = args.sizeGiB;
        this.owner = args.owner;
        this.deviceName = deviceName(name);

        const schedule = new gcp.compute.ResourcePolicy(`${name}-snapshots`, {
            name: gcpName([env.context.prefix, name, "snapshots"]),
            region: env.region,
            description: `daily snapshots of volume ${name}`,
            snapshotSchedulePolicy: snapshotSchedule(env.region, env.context.backupRetentionDays, env.context.tags),
        }, afterApis(env, this, "compute"));

        // Encrypted at rest with Google-managed keys, as every persistent disk is; no key to lose.
        const common = {
            name: gcpName([env.context.prefix, name]),
            size: args.sizeGiB,
            type: diskType(env.context.profile),
            description: `volume ${name}, owned by ${args.owner.uid}:${args.owner.gid}`,
        };
        const keep = { ...afterApis(env, this, "compute"), ...DATA_PROTECTION };
        // Only the disk is kept: a schedule left behind would hold its fixed name against the next deployment.
        // The snapshots it took are resources of their own and stay (KEEP_AUTO_SNAPSHOTS when the disk goes).
        const disk = this.regional
            ? new gcp.compute.RegionDisk(`${name}-disk`, { ...common, region: env.region, replicaZones: [...this.zones] }, keep)
            : new gcp.compute.Disk(`${name}-disk`, { ...common, zone: args.zone }, keep);
        const attachment = { name: schedule.name, disk: disk.name };
        if (this.regional) new gcp.compute.RegionDiskResourcePolicyAttachment(`${name}-snapshot-schedule`, { ...attachment, region: env.region }, { parent: this });
        else new gcp.compute.DiskResourcePolicyAttachment(`${name}-snapshot-schedule`, { ...attachment, zone: args.zone }, { parent: this });
        this.diskId = disk.id;
        this.registerOutputs({ disk: this.diskId });
    }
}
