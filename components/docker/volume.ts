// A named Docker volume (the local driver: a directory under the engine's data root), protected like every
// volume, with its data in a directory the volume's owner owns. The engine creates a volume's root as root's;
// nothing here runs as root, so the owner's directory is made without it:
//  - a one-shot container of the owner's uid mounts the new volume at busybox's /tmp. A volume mounted where the
//    image has a directory takes that directory's content and ownership when it is empty (moby
//    daemon/container/container_unix.go copyExistingContents, fs.CopyDir): the root becomes root's, mode 1777;
//  - it makes `data` inside, mode 0700, which is then its own;
//  - services mount `data` alone (a volume subpath, Docker Engine API 1.45, Engine 26) with no copy from their
//    image (NoCopy), so the directory keeps its owner and mode whatever the image has at that path.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DATA_PROTECTION, RunAs, Volume, VolumeArgs } from "../topology";
import { describeUser } from "../topology/rules";
import { BUSYBOX_IMAGE } from "./images";
import { containerSecurity, DockerEnv, HELPER_MEMORY_MIB, LABELS, LOG_OPTIONS, engineName, labels, memoryLimits, userOf } from "./shared";

/** The directory of a volume its services mount, owned by the volume's owner. */
export const VOLUME_DATA_DIR = "data";
/** Where the one-shot owner container mounts the volume: busybox's own /tmp, root's and mode 1777. */
const OWNER_MOUNT = "/tmp";

/** What the owner container runs: makes the data directory, and fails unless it is the owner's, mode 0700. */
export function volumeOwnerScript(owner: RunAs): string {
    const dir = `${OWNER_MOUNT}/${VOLUME_DATA_DIR}`;
    return [
        "set -eu",
        `mkdir -p ${dir}`,
        `chmod 0700 ${dir}`,
        `found="$(stat -c %u:%g ${dir})"`,
        `if [ "$found" != ${describeUser(owner)} ]; then echo "volume directory ${VOLUME_DATA_DIR} belongs to $found, not ${describeUser(owner)}" >&2; exit 1; fi`,
    ].join("\n");
}

export class DockerVolume extends pulumi.ComponentResource implements Volume {
    readonly volumeName: string;
    readonly zone: string;
    readonly zones: readonly string[];
    readonly regional: boolean;
    readonly sizeGiB: number;
    readonly owner: RunAs;
    /** The engine's name of the volume. */
    readonly engineVolumeName: pulumi.Output<string>;
    /** Done once the data directory is the owner's: what a container mounting the volume waits for. */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: VolumeArgs, env: DockerEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.volume, name, {}, opts);
        const context = env.context;
        if (!context.zones.includes(args.zone)) {
            throw new Error(`volume ${name}: zone "${args.zone}" is not one of the stack's zones (${context.zones.join(", ")})`);
        }
        if (!Number.isInteger(args.sizeGiB) || args.sizeGiB < 1) throw new Error(`volume ${name}: sizeGiB ${args.sizeGiB} must be a whole number of at least 1`);
        this.volumeName = name;
        this.zone = args.zone;
        this.regional = args.regional === true;
        // Every "zone" is the same engine: a regional volume is reachable from each of them, a zonal one from its own.
        this.zones = this.regional ? [...context.zones] : [args.zone];
        this.sizeGiB = args.sizeGiB;
        this.owner = args.owner;

        // Labels only what never changes: a volume's labels cannot be updated (terraform-provider-docker v4.5.0
        // resource_docker_volume.go: labels ForceNew), and a protected volume is never replaced. The local driver
        // has no size limit; sizeGiB is what the volume is planned to hold.
        const volume = new docker.Volume(`${name}-volume`, {
            name: engineName(context, name),
            driver: "local",
            labels: [
                { label: LABELS.stack, value: context.tags.stack ?? context.prefix },
                { label: LABELS.zone, value: args.zone },
                { label: LABELS.role, value: "volume" },
            ],
        }, { parent: this, ...DATA_PROTECTION });
        const owner = new docker.Container(`${name}-owner`, {
            name: engineName(context, name, "owner"),
            image: env.pulled(BUSYBOX_IMAGE).imageId,
            user: userOf(args.owner),
            entrypoints: ["/bin/sh", "-c", volumeOwnerScript(args.owner)],
            mounts: [{ type: "volume", source: volume.name, target: OWNER_MOUNT }],
            networkMode: "none",
            ...containerSecurity(),
            ...LOG_OPTIONS,
            ...memoryLimits(HELPER_MEMORY_MIB),
            restart: "no",
            // It runs once: the provider waits for it to end, and a stopped one is what it should be.
            attach: true,
            mustRun: false,
            labels: labels(context, { [LABELS.zone]: args.zone, [LABELS.role]: "volume-owner" }),
        }, { parent: this, deleteBeforeReplace: true });
        this.ready = owner;
        // The provider waits for an attached container to stop and reads its exit code, which it does not judge
        // (terraform-provider-docker v4.5.0 resource_docker_container_funcs.go: ContainerWait, exit_code): the
        // volume's name reaches its services only once the script has made the directory theirs.
        this.engineVolumeName = pulumi.all([volume.name, owner.exitCode]).apply(([volumeName, exitCode]) => {
            if (exitCode !== undefined && exitCode !== 0) {
                throw new Error(`volume ${name}: preparing its data directory for ${describeUser(args.owner)} failed (exit ${exitCode}); see docker logs ${engineName(context, name, "owner")}`);
            }
            return volumeName;
        });
        this.registerOutputs({ engineVolumeName: this.engineVolumeName });
    }
}
