// A zonal persistent disk: attached read-write to the one instance of the service that mounts it, kept
// when the instance goes, snapshotted daily.
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
    readonly sizeGiB: number;
    readonly owner: RunAs;
    readonly deviceName: string;
    /** `projects/<p>/zones/<z>/disks/<name>`, what a per-instance config attaches. */
    readonly diskId: pulumi.Output<string>;

    constructor(name: string, args: VolumeArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.volume, name, {}, opts);
        if (!env.context.zones.includes(args.zone)) {
            throw new Error(`volume ${name}: zone "${args.zone}" is not one of the stack's zones (${env.context.zones.join(", ")})`);
        }
        if (!Number.isInteger(args.sizeGiB) || args.sizeGiB < 10) throw new Error(`volume ${name}: sizeGiB ${args.sizeGiB} must be a whole number of at least 10`);
        this.volumeName = name;
        this.zone = args.zone;
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
        const disk = new gcp.compute.Disk(`${name}-disk`, {
            name: gcpName([env.context.prefix, name]),
            zone: args.zone,
            size: args.sizeGiB,
            type: diskType(env.context.profile),
            description: `volume ${name}, owned by ${args.owner.uid}:${args.owner.gid}`,
        }, { ...afterApis(env, this, "compute"), ...DATA_PROTECTION });

        // Only the disk is kept: a schedule left behind would hold its fixed name against the next deployment.
        // The snapshots it took are resources of their own and stay (KEEP_AUTO_SNAPSHOTS when the disk goes).
        new gcp.compute.DiskResourcePolicyAttachment(`${name}-snapshot-schedule`, {
            name: schedule.name,
            disk: disk.name,
            zone: args.zone,
        }, { parent: this });

        this.diskId = disk.id;
        this.registerOutputs({ disk: disk.id });
    }
}
