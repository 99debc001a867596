// Persist what cannot be recreated: IPFS repos and their identity, the Ceramic state store, cluster
// identities and pinsets, the Chainlink database. Volumes, buckets and databases survive a replacement or a
// `pulumi destroy`, are backed up, and every container path that holds state lives on one of them.
import { Container, ContainerRunner, Mount, containersOf, imageMatches, rendersPublishedSpecs } from "./containers";
import { StackResource, StackView, resourcePolicy, stackPolicy } from "./policy";
import * as settings from "./settings";
import { AWS_DATABASES, CONTAINER_TYPES, DATA_CONFIGURATION_TYPES, S3_BUCKETS, STATEFUL_TYPES, T } from "./types";
import { at, bool, describe, isUnknown, list, listing, num, str } from "./values";

// ---------------------------------------------------------------- protected from deletion

/** GCP's provider-level guard: PREVENT fails a delete like `protect`, ABANDON keeps the resource like `retainOnDelete`. */
const GCP_KEEPING_DELETION_POLICIES = ["PREVENT", "ABANDON"];

export const statefulResourcesProtected = resourcePolicy<object>({
    name: "stateful-resources-protected",
    description:
        "Volumes, buckets and databases hold what cannot be recreated: peer identities, IPFS repos, the Ceramic state store, cluster " +
        "pinsets, the Chainlink database. Unprotected, a replacement, a rename or a careless `pulumi destroy` deletes them. Requires " +
        "the protect option (the one the engine shows a policy: retainOnDelete is not passed on, so it cannot stand in for protect), " +
        "the cloud's own deletion protection (RDS/Aurora, Cloud SQL), and no forceDestroy on buckets.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Give the resource the options { protect: true, retainOnDelete: true }; set deletionProtection: true on RDS/Aurora and " +
        "settings.deletionProtectionEnabled: true on Cloud SQL; remove forceDestroy from buckets.",
    types: STATEFUL_TYPES,
    check(r, _config, report) {
        // A Docker volume the local driver mounts as tmpfs lives in memory: nothing on it outlives the engine's next start.
        if (r.type === T.dockerVolume && str(at(r.props, "driverOpts", "type")) === "tmpfs") return;
        const deletionPolicy = str(r.props.deletionPolicy);
        const keptByGcp = typeof deletionPolicy === "string" && GCP_KEEPING_DELETION_POLICIES.includes(deletionPolicy);
        if (!r.keptOnDelete && !keptByGcp) {
            report(
                `${describe(r)}: the protect resource option is not set, so nothing stops a replacement or \`pulumi destroy\` ` +
                    "from deleting its data (retainOnDelete, which policies cannot see, only keeps it orphaned). Declare it with " +
                    "{ protect: true, retainOnDelete: true }.",
            );
        }
        if ((AWS_DATABASES as string[]).includes(r.type)) {
            const protection = bool(r.props.deletionProtection);
            if (protection !== true && !isUnknown(protection)) {
                report(
                    `${describe(r)}: deletionProtection is ${protection === undefined ? "not set (off by default)" : "false"}, so the ` +
                        "database can be deleted through the AWS API or console. Set deletionProtection: true.",
                );
            }
        }
        if (r.type === T.cloudSql) {
            if (bool(r.props.deletionProtection) === false) {
                report(`${describe(r)}: deletionProtection is false, so Pulumi may delete the instance. Remove it (it defaults to true).`);
            }
            const apiProtection = bool(at(r.props, "settings", "deletionProtectionEnabled"));
            if (apiProtection !== true && !isUnknown(apiProtection)) {
                report(
                    `${describe(r)}: settings.deletionProtectionEnabled is ${apiProtection === undefined ? "not set (off by default)" : "false"}, ` +
                        "so the instance can be deleted through the API, gcloud or the console. Set settings.deletionProtectionEnabled: true.",
                );
            }
        }
        if ((S3_BUCKETS as string[]).includes(r.type) || r.type === T.gcsBucket) {
            if (bool(r.props.forceDestroy) === true) {
                report(`${describe(r)}: forceDestroy is true, so deleting the bucket deletes every object in it. Remove forceDestroy.`);
            }
        }
    },
});

/**
 * Children take their parent's protect (the SDK) and retainOnDelete (the engine, since CLI 3.158), so a
 * protected component would lock everything under it: only what holds data may be kept. The rule sees protect
 * only: the engine does not pass retainOnDelete to policies.
 */
export const dataConfigurationNotKept = resourcePolicy<object>({
    name: "data-configuration-not-kept",
    description:
        "Mount targets, access points, EFS backup and file-system policies, S3 bucket settings and disk snapshot schedules are " +
        "configuration around data, not data. Protected (often by inheriting protect from a component), a change that replaces one " +
        "fails. (Retained, `pulumi destroy` leaves it in the cloud: a mount target's network interface, a schedule whose name the next " +
        "deployment cannot take; the engine does not show policies retainOnDelete, so only protect is checked.)",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Put { protect: true, retainOnDelete: true } on the file system, bucket or disk itself, not on the component around it; or set " +
        "protect: false and retainOnDelete: false on the configuration resource.",
    types: DATA_CONFIGURATION_TYPES,
    check(r, _config, report) {
        if (r.keptOnDelete) {
            report(`${describe(r)}: protect is set (directly or inherited from its parent) on configuration of data: ` +
                "replacing it fails. Keep only the file system, bucket or disk it belongs to.");
        }
    },
});

// ---------------------------------------------------------------- backed up

interface BackupConfig {
    backupRetentionDays: number;
}

export const statefulResourcesBackedUp = resourcePolicy<BackupConfig>({
    name: "stateful-resources-backed-up",
    description:
        "A database or bucket without backups loses every row or object to one bad write, a compromised key or a bug. Aurora/RDS " +
        "keep automated backups for backupRetentionDays or more, Cloud SQL has backups enabled and retains that many, GCS buckets keep " +
        "object versions.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Aurora/RDS: backupRetentionPeriod >= backupRetentionDays. Cloud SQL: settings.backupConfiguration { enabled: true, " +
        "backupRetentionSettings: { retainedBackups >= backupRetentionDays } }. GCS: versioning: { enabled: true }.",
    configSchema: { properties: { backupRetentionDays: settings.backupRetentionDays } },
    types: [...AWS_DATABASES, T.cloudSql, T.gcsBucket],
    check(r, { backupRetentionDays: days }, report) {
        if ((AWS_DATABASES as string[]).includes(r.type)) {
            const kept = num(r.props.backupRetentionPeriod);
            if (isUnknown(kept)) return;
            if (kept === undefined || kept < days) {
                report(
                    `${describe(r)}: backupRetentionPeriod is ${kept === undefined ? "not set (1 day by default)" : kept}, ` +
                        `below the ${days} days required. Set backupRetentionPeriod: ${days} or more.`,
                );
            }
        }
        if (r.type === T.cloudSql) {
            // A read replica has no backups of its own; its primary's are what count.
            if (str(r.props.masterInstanceName) !== undefined) return;
            const backup = at(r.props, "settings", "backupConfiguration");
            const enabled = bool(at(backup, "enabled"));
            if (isUnknown(enabled)) return;
            if (enabled !== true) {
                report(
                    `${describe(r)}: settings.backupConfiguration.enabled is ${enabled === undefined ? "not set" : "false"}, so the ` +
                        "instance has no automated backups. Set settings.backupConfiguration.enabled: true.",
                );
                return;
            }
            const unit = str(at(backup, "backupRetentionSettings", "retentionUnit"));
            const retained = num(at(backup, "backupRetentionSettings", "retainedBackups"));
            // Backups are daily, so a count of backups is a count of days; 7 when unset.
            if (isUnknown(retained) || isUnknown(unit) || (unit !== undefined && unit !== "COUNT")) return;
            if ((retained ?? 7) < days) {
                report(
                    `${describe(r)}: settings.backupConfiguration.backupRetentionSettings.retainedBackups is ` +
                        `${retained === undefined ? "not set (7 by default)" : retained}, below the ${days} daily backups required. ` +
                        `Set retainedBackups: ${days} or more.`,
                );
            }
        }
        if (r.type === T.gcsBucket) {
            const versioning = bool(at(r.props, "versioning", "enabled"));
            if (versioning !== true && !isUnknown(versioning)) {
                report(
                    `${describe(r)}: versioning.enabled is ${versioning === undefined ? "not set" : "false"}, so an overwritten or ` +
                        "deleted object is gone for good. Set versioning: { enabled: true } (and a lifecycle rule for noncurrent versions).",
                );
            }
        }
    },
});

/** Whether a snapshot resource policy keeps snapshots long enough; a message when it does not. */
function snapshotShortfall(policy: StackResource, days: number): string | undefined {
    const retention = num(at(policy.props, "snapshotSchedulePolicy", "retentionPolicy", "maxRetentionDays"));
    if (typeof retention === "number" && retention < days) {
        return `its snapshot schedule ${describe(policy)} keeps snapshots ${retention} days, below the ${days} required; raise snapshotSchedulePolicy.retentionPolicy.maxRetentionDays`;
    }
    return undefined;
}

/**
 * Whether a companion resource that names `target` in `property` (a backup policy, a versioning) sets the
 * status at `statusPath` to `wanted`; if none does, the status one of them has instead. Unknown counts as covered.
 */
function coverage(
    stack: StackView,
    companions: StackResource[],
    property: string,
    target: StackResource,
    statusPath: string[],
    wanted: string,
): { covered: boolean; status?: string } {
    let status: string | undefined;
    for (const companion of companions) {
        const ref = stack.refersTo(companion, property, target);
        if (ref === false) continue;
        const value = str(at(companion.props, ...statusPath));
        if (ref === "unknown" || isUnknown(value) || value === wanted) return { covered: true };
        status = value ?? "not set";
    }
    return { covered: false, status };
}

export const statefulResourcesBackupAttached = stackPolicy<BackupConfig>({
    name: "stateful-resources-backup-attached",
    description:
        "Backups of EFS file systems, S3 buckets and persistent disks are separate resources; without one a lost or corrupted " +
        "volume (a killed kubo, a bad migration) cannot be restored. Every EFS file system has an aws:efs/backupPolicy:BackupPolicy " +
        "with status ENABLED, every S3 bucket has versioning Enabled, every persistent disk has a snapshot schedule. A Docker volume " +
        "(the local profile) has no backup at all.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "EFS: new aws.efs.BackupPolicy({ fileSystemId, backupPolicy: { status: \"ENABLED\" } }). S3: new aws.s3.BucketVersioning({ bucket, " +
        "versioningConfiguration: { status: \"Enabled\" } }). Disks: a gcp.compute.ResourcePolicy with snapshotSchedulePolicy, attached " +
        "through the disk's resourcePolicies or a gcp.compute.DiskResourcePolicyAttachment.",
    configSchema: { properties: { backupRetentionDays: settings.backupRetentionDays } },
    check(stack, { backupRetentionDays: days }, report) {
        // EFS: AWS Backup's daily plan with 35-day retention, switched on by a BackupPolicy.
        const efsPolicies = stack.ofType(T.efsBackupPolicy);
        for (const fs of stack.ofType(T.efsFileSystem)) {
            const { covered, status: disabled } = coverage(stack, efsPolicies, "fileSystemId", fs, ["backupPolicy", "status"], "ENABLED");
            if (!covered) {
                report(
                    fs,
                    `${describe(fs)}: ${disabled ? `its backup policy status is ${disabled}` : "no aws:efs/backupPolicy:BackupPolicy covers it"}, ` +
                        "so it has no backups. Declare an aws.efs.BackupPolicy with fileSystemId set to this file system and backupPolicy.status \"ENABLED\".",
                );
            }
        }

        // S3: a versioning resource (or the legacy inline block) keeps every overwritten or deleted object.
        const versionings = stack.ofType(T.s3Versioning, T.s3VersioningV2);
        for (const bucket of stack.ofType(...S3_BUCKETS)) {
            const inline = bool(at(bucket.props, "versioning", "enabled"));
            if (inline === true || isUnknown(inline)) continue;
            const { covered, status: suspended } = coverage(stack, versionings, "bucket", bucket, ["versioningConfiguration", "status"], "Enabled");
            if (!covered) {
                report(
                    bucket,
                    `${describe(bucket)}: ${suspended ? `its versioning status is ${suspended}` : "no aws:s3/bucketVersioning:BucketVersioning covers it"}, ` +
                        "so an overwritten or deleted object is gone for good. Declare an aws.s3.BucketVersioning for it with versioningConfiguration.status \"Enabled\".",
                );
            }
        }

        // Persistent disks: a snapshot schedule attached inline or by an attachment resource.
        const attachments = stack.ofType(T.gceDiskPolicyAttachment, T.gceRegionDiskPolicyAttachment);
        const isSnapshotSchedule = (p: StackResource) => at(p.props, "snapshotSchedulePolicy") !== undefined;
        for (const disk of stack.ofType(T.gceDisk, T.gceRegionDisk)) {
            let covered = false;
            let unknown = false;
            const shortfalls: string[] = [];
            const consider = (policies: StackResource[], external: string[], refUnknown: boolean) => {
                // A policy outside the stack (an organisation-wide schedule) cannot be inspected: it counts.
                if (external.length > 0) covered = true;
                if (refUnknown) unknown = true;
                for (const p of policies.filter(isSnapshotSchedule)) {
                    const shortfall = snapshotShortfall(p, days);
                    if (shortfall) shortfalls.push(shortfall);
                    else covered = true;
                }
            };
            const inline = stack.references(disk, "resourcePolicies", [T.gceResourcePolicy]);
            consider(inline.found, inline.external, inline.unknown || isUnknown(disk.props.resourcePolicies));
            for (const attachment of attachments) {
                const onDisk = stack.refersTo(attachment, "disk", disk);
                if (onDisk === false) continue;
                const target = stack.references(attachment, "name", [T.gceResourcePolicy]);
                if (onDisk === "unknown") unknown = unknown || target.found.some(isSnapshotSchedule) || target.external.length > 0 || target.unknown;
                else consider(target.found, target.external, target.unknown);
            }
            if (covered || unknown) continue;
            report(
                disk,
                `${describe(disk)}: ${shortfalls.length > 0 ? shortfalls.join("; ") : "no snapshot schedule is attached to it (resourcePolicies or a DiskResourcePolicyAttachment)"}, ` +
                    "so a lost or corrupted disk cannot be restored. Attach a gcp.compute.ResourcePolicy with a snapshotSchedulePolicy " +
                    `keeping at least ${days} days of snapshots.`,
            );
        }

        // Docker volumes: the local driver keeps a directory on the engine's disk and nothing else. A volume the
        // driver mounts as tmpfs holds only what is delivered again at every start (secrets), never data.
        for (const volume of stack.ofType(T.dockerVolume)) {
            const driverType = str(at(volume.props, "driverOpts", "type"));
            if (driverType === "tmpfs" || isUnknown(driverType)) continue;
            report(
                volume,
                `${describe(volume)}: nothing backs up a Docker volume, so a lost or corrupted volume cannot be restored. Copy it while ` +
                    "its containers are stopped (docker run --rm -v <volume>:/v busybox tar -C /v -c . > <volume>.tar) or run the stack on a cloud.",
            );
        }
    },
});

// ---------------------------------------------------------------- state on persistent volumes

interface StateConfig {
    statePaths: string[];
    stateEnvVars: string[];
    statefulImages: string[];
    persistentHostPaths: string[];
}

/** Where a container's writes go when no persistent volume covers a path, and how to fix it, per back-end. */
const EPHEMERAL: Record<ContainerRunner, { lost: string; fix: (path: string) => string }> = {
    ecs: {
        lost: "the task's ephemeral storage, lost whenever the task stops",
        fix: path => `Add a mountPoint at ${path} from a task volume with efsVolumeConfiguration.`,
    },
    gce: {
        lost: "the VM's boot disk, lost when the instance is recreated",
        fix: path => `Bind-mount the persistent disk: -v /mnt/disks/<disk>/<dir>:${path}.`,
    },
    docker: {
        lost: "the container's writable layer, lost when the container is replaced",
        fix: path => `Add a volumes entry at containerPath ${path} with a hostPath or volumeName.`,
    },
    service: {
        lost: "storage that dies with the service's task or instance",
        fix: path => `Mount a volume of the service's zone at ${path} (the container spec's mounts).`,
    },
};

function covers(mountPath: string, path: string): boolean {
    const base = mountPath.replace(/\/+$/, "");
    return path === base || path.startsWith(`${base}/`) || base === "";
}

function isPersistent(mount: Mount, runner: ContainerRunner, config: StateConfig): boolean {
    if (runner === "gce") return mount.kind === "host-path" && config.persistentHostPaths.some(prefix => mount.source.startsWith(prefix));
    return mount.kind === "persistent-volume";
}

/** The state paths a container uses, each with why it counts. */
function statePathsOf(c: Container, config: StateConfig): Map<string, string> {
    const required = new Map<string, string>();
    const env = Array.isArray(c.env) ? c.env : [];
    for (const e of env) {
        if (config.stateEnvVars.includes(e.name) && typeof e.value === "string" && e.value.startsWith("/")) {
            required.set(e.value.replace(/\/+$/, ""), `${e.name} points at it`);
        }
    }
    const mentioned = [...env.map(e => e.value), ...(Array.isArray(c.commands) ? c.commands.flat() : [])]
        .filter((v): v is string => typeof v === "string")
        .flatMap(v => [v, v.slice(v.indexOf("=") + 1)]);
    for (const path of config.statePaths) {
        if (required.has(path)) continue;
        if (mentioned.some(v => v === path || v.startsWith(`${path}/`))) required.set(path, "its environment or command names it");
    }
    return required;
}

export const stateOnPersistentVolumes = resourcePolicy<StateConfig>({
    name: "state-on-persistent-volumes",
    description:
        "A container path that holds state (an IPFS repo with the peer's key, cluster state, the Ceramic state store) must be mounted " +
        "from a persistent volume; otherwise it lives on the task's or VM's ephemeral disk and a restart changes the peer ID and loses " +
        "pins and streams. ECS: a mountPoint from an EFS task volume; GCE: `docker run -v /mnt/disks/...:<path>`; docker: a volume. " +
        "Also: a GCE template disk attached from a persistent disk is not auto-deleted, and a MIG (stateful disks, per-instance " +
        "preserved state) never deletes its disks.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Mount the state path from a persistent volume (EFS volume, persistent disk under /mnt/disks, docker volume). On GCE set " +
        "autoDelete: false on attached persistent disks and statefulDisks deleteRule \"NEVER\".",
    configSchema: {
        properties: {
            statePaths: settings.statePaths,
            stateEnvVars: settings.stateEnvVars,
            statefulImages: settings.statefulImages,
            persistentHostPaths: settings.persistentHostPaths,
        },
    },
    types: [...CONTAINER_TYPES, T.gceInstanceGroupManager, T.gceRegionInstanceGroupManager, T.gcePerInstanceConfig, T.gceRegionPerInstanceConfig],
    check(r, config, report) {
        const keptDisks: Record<string, string> = {
            [T.gceInstanceGroupManager]: "statefulDisks",
            [T.gceRegionInstanceGroupManager]: "statefulDisks",
            [T.gcePerInstanceConfig]: "preservedState.disks",
            [T.gceRegionPerInstanceConfig]: "preservedState.disks",
        };
        if (keptDisks[r.type] !== undefined) {
            const property = keptDisks[r.type];
            const disks = list(at(r.props, ...property.split(".")));
            (Array.isArray(disks) ? disks : []).forEach((d, i) => {
                if (str(at(d, "deleteRule")) === "ON_PERMANENT_INSTANCE_DELETION") {
                    report(
                        `${describe(r)}: ${property}[${i}] (device ${String(str(at(d, "deviceName")))}) has deleteRule ON_PERMANENT_INSTANCE_DELETION, ` +
                            "so scaling in or deleting the instance deletes the disk. Set deleteRule: \"NEVER\" (the default).",
                    );
                }
            });
            return;
        }
        if (r.type === T.gceInstanceTemplate || r.type === T.gceRegionInstanceTemplate) {
            const disks = list(r.props.disks);
            (Array.isArray(disks) ? disks : []).forEach((d, i) => {
                if (bool(at(d, "boot")) === true || at(d, "source") === undefined) return;
                const autoDelete = bool(at(d, "autoDelete"));
                if (autoDelete === true || autoDelete === undefined) {
                    report(
                        `${describe(r)}: disks[${i}] attaches an existing persistent disk with autoDelete ${autoDelete === undefined ? "not set (true by default)" : "true"}, ` +
                            "so deleting or recreating the VM deletes the disk. Set autoDelete: false.",
                    );
                }
            });
        }
        if (!(CONTAINER_TYPES as string[]).includes(r.type)) return;
        // A zonal service's task definition or VM runs its published specs: their state paths are judged on the service.
        if (rendersPublishedSpecs(r.urn)) return;
        const found = containersOf(r.type, r.props);
        if (isUnknown(found)) return;
        for (const c of found.containers) {
            if (isUnknown(c.env) || isUnknown(c.commands) || isUnknown(c.mounts)) continue;
            const mounts = c.mounts ?? [];
            const where = EPHEMERAL[c.runner];
            for (const [path, why] of statePathsOf(c, config)) {
                const covering = mounts.filter(m => covers(m.containerPath, path)).sort((a, b) => b.containerPath.length - a.containerPath.length)[0];
                if (covering?.kind === "unknown") continue;
                if (covering && isPersistent(covering, c.runner, config)) continue;
                const from = covering ? `it is mounted from ${covering.source}, which is not a persistent volume` : "no mount covers it";
                report(`${describe(r)}: ${c.label} keeps state in ${path} (${why}) but ${from}, so it lives on ${where.lost}. ${where.fix(path)}`);
            }
            const image = c.image;
            if (typeof image !== "string" || !config.statefulImages.some(p => imageMatches(image, p))) continue;
            if (statePathsOf(c, config).size > 0) continue;
            if (mounts.some(m => m.kind === "unknown")) continue;
            const persistentStateMount = mounts.some(
                m => isPersistent(m, c.runner, config) && config.statePaths.some(p => covers(m.containerPath, p) || covers(p, m.containerPath)),
            );
            if (!persistentStateMount) {
                report(
                    `${describe(r)}: ${c.label} runs ${image}, which keeps state, but none of the state paths (${listing(config.statePaths)}) is ` +
                        `mounted from a persistent volume, so its data lives on ${where.lost}. ${where.fix("its data directory")}`,
                );
            }
        }
    },
});
