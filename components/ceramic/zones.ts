// Where a Ceramic node runs, and where its data lives. A node is one writer of its repo or store, its state
// store and its index, so it runs in one zone at a time; its volumes are regional (VolumeArgs.regional), made
// once for the stack's first zone and replicated beyond it, so losing the node's zone loses none of its data
// and `ceramic.zone` brings it back in another zone that holds them. Why not automatically: a Compute Engine
// group repairs a VM in another zone only without stateful configuration ("Regional MIGs with the following
// configuration aren't supported: ... MIGs with stateful configuration",
// https://cloud.google.com/compute/docs/instance-groups/repair-vm-in-alternate-zone), and the node's disks
// are stateful; one key does the same on both clouds.
import type { Volume, VolumeArgs } from "../topology";

/** The config key that moves the node (README's configuration table). */
export const ZONE_KEY = "ceramic.zone";

export interface NodePlacement {
    /** The zone the node's services run in. */
    zone: string;
    /** What every volume of the node is declared with, besides its size and owner: the same on every run. */
    volumes: Pick<VolumeArgs, "zone" | "regional">;
}

/**
 * The node's zone (`ceramic.zone`, default the stack's first) and its volumes' placement. The volumes'
 * placement never follows the key: a regional disk's replica zones are fixed when it is made, so moving the
 * node must not make its volumes anew.
 */
export function nodePlacement(stackZones: readonly string[], zone: string | undefined): NodePlacement {
    const chosen = zone ?? stackZones[0];
    if (!stackZones.includes(chosen)) {
        throw new Error(`invalid Ceramic settings:\n  - ${ZONE_KEY} = "${chosen}": not one of the stack's zones (${stackZones.join(", ")})`);
    }
    return { zone: chosen, volumes: { zone: stackZones[0], regional: true } };
}

/** Refuses a zone the node's volumes cannot be mounted from (on GCP a regional disk lives in two zones of three). */
export function assertZoneHoldsVolume(placement: NodePlacement, volume: Volume): void {
    if (!volume.zones.includes(placement.zone)) {
        throw new Error(`invalid Ceramic settings:\n  - ${ZONE_KEY} = "${placement.zone}": the node's volumes live in ${volume.zones.join(" and ")} ` +
            `(volume ${volume.volumeName}); choose one of those zones`);
    }
}
