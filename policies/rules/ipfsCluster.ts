// The IPFS cluster's stack rule: its peers stand in at least three zones, each on persistent volumes of its
// own that are protected from deletion. Otherwise a lost zone takes every copy of a pin with it, or a lost
// volume takes a peer's pinset and blocks.
//
// Peers are the zonal services under an IpfsCluster component. Where a peer runs and what it mounts are read
// from the cloud resources that decide it, on either cloud: an instance group's zone, or the subnet an ECS
// service runs in; a per-instance config's disks, or a task definition's EFS access points. These are plain
// inputs or references to other resources: known in the offline synth, and during a real preview resolved
// through the engine's property dependencies when an ID is not known yet. (Component resources register no
// inputs with the engine, so a zone recorded on the service component itself would not reach the pack.)
//
// In prod the loss of each zone is also judged by the egress it takes with it (zoneLoss.ts): peers that leave
// through a NAT gateway in the lost zone are not serving.
import { profileOf } from "./hygiene";
import { StackResource, StackView, stackPolicy } from "./policy";
import * as settings from "./settings";
import { STATEFUL_TYPES, T } from "./types";
import { Maybe, UNKNOWN, at, describe, isUnknown, list, listing, str } from "./values";
import { Placed, ZoneLoss, describeCutOff, lossOfEachZone } from "./zoneLoss";

/** Type tokens of the program's components the rule starts from (components/topology and components/ipfs-cluster). */
export const WORKLOAD_TYPES = {
    ipfsCluster: "web3-nodes:ipfs-cluster:IpfsCluster",
    service: T.zonalService,
} as const;

/** Distinct zones a cluster's peers must stand in. */
export const MIN_CLUSTER_ZONES = 3;

interface Lookup {
    found: StackResource[];
    /** Some reference is unknown (during preview) and no property dependency resolved it. */
    unknown: boolean;
}

/** The resources of `types` that `values` (references, some maybe unknown) name, falling back on property dependencies. */
function lookUp(stack: StackView, from: StackResource, property: string, values: unknown[], types: readonly string[]): Lookup {
    const found = new Set<StackResource>();
    let unknown = false;
    for (const value of values) {
        const reference = str(value);
        if (reference === undefined) continue;
        if (isUnknown(reference)) unknown = true;
        else stack.named(reference, types).forEach(r => found.add(r));
    }
    if (unknown) {
        for (const urn of from.propertyDependencies[property] ?? []) {
            const dependency = stack.get(urn);
            if (dependency && types.includes(dependency.type)) found.add(dependency);
        }
        unknown = found.size === 0;
    }
    return { found: [...found], unknown };
}

/** The elements of a list property, or `unknown`. */
function elements(value: unknown): unknown[] | "unknown" {
    const items = list(value);
    if (items === undefined) return [];
    return isUnknown(items) ? "unknown" : items;
}

export type Placement = { zone: string } | { unknown: true } | { missing: string };

/**
 * The label a Docker container names its zone with (components/docker/shared.ts LABELS.zone): on one engine every
 * zone is the same machine, and the label is what the zone-loss analysis reads, as it reads a cloud's zone.
 */
export const DOCKER_ZONE_LABEL = "web3-nodes.zone";

/** A docker container's zone label, unknown, or undefined when it has none. */
function dockerZoneOf(container: StackResource): Maybe<string> | undefined {
    const labels = list(container.props.labels);
    if (isUnknown(labels)) return UNKNOWN;
    for (const l of labels ?? []) {
        if (str(at(l, "label")) === DOCKER_ZONE_LABEL) return str(at(l, "value"));
    }
    return undefined;
}

/**
 * Where a peer's service runs: its instance group's (or instance's) zone, the zone of its ECS service's subnet, or
 * the zone label of its Docker containers (all of them one zone).
 */
export function placementOf(stack: StackView, below: StackResource[]): Placement {
    for (const r of below) {
        if (r.type !== T.gceInstanceGroupManager && r.type !== T.gceInstance) continue;
        const zone = str(r.props.zone);
        if (isUnknown(zone)) return { unknown: true };
        if (zone !== undefined) return { zone: zone.slice(zone.lastIndexOf("/") + 1) };
    }
    for (const r of below.filter(b => b.type === T.ecsService)) {
        const subnets = elements(at(r.props, "networkConfiguration", "subnets"));
        const { found, unknown } = lookUp(stack, r, "networkConfiguration", subnets === "unknown" ? [at(r.props, "networkConfiguration")] : subnets, [T.subnet]);
        const zones = new Set<string>();
        for (const subnet of found) {
            const zone = str(subnet.props.availabilityZone);
            if (isUnknown(zone)) return { unknown: true };
            if (zone !== undefined) zones.add(zone);
        }
        if (zones.size === 1) return { zone: [...zones][0] };
        if (zones.size > 1) return { missing: `its ECS service ${r.name} spans subnets in ${listing([...zones])}, so it has no one zone` };
        if (unknown) return { unknown: true };
    }
    const containers = below.filter(b => b.type === T.dockerContainer);
    if (containers.length > 0) {
        const zones = new Set<string>();
        for (const c of containers) {
            const zone = dockerZoneOf(c);
            if (isUnknown(zone)) return { unknown: true };
            if (zone === undefined) return { missing: `its docker container ${c.name} has no ${DOCKER_ZONE_LABEL} label` };
            zones.add(zone);
        }
        if (zones.size === 1) return { zone: [...zones][0] };
        return { missing: `its docker containers name the zones ${listing([...zones])}, so it has no one zone` };
    }
    return { missing: "neither an instance group with a zone, an ECS service whose subnet names its availability zone, nor a docker container with a zone label is under it" };
}

/** Each service with its zone; undefined while some zone is unknown or cannot be told (reported elsewhere). */
export function placed(stack: StackView, services: StackResource[]): Placed[] | undefined {
    const out: Placed[] = [];
    for (const service of services) {
        const placement = placementOf(stack, stack.descendants(service.urn));
        if (!("zone" in placement)) return undefined;
        out.push({ service, zone: placement.zone });
    }
    return out;
}

/** The stack's profile decides whether a lost zone's egress counts: dev stacks may share one NAT gateway. */
export type ZoneLossConfig = { profile?: "dev" | "prod" | "local" };

/**
 * The zones whose loss leaves a workload's services serving in fewer than `minZones` zones because of the
 * egress it cuts (placement alone is each rule's own check), or nothing in dev or while anything is unknown.
 */
export function egressShortfalls(stack: StackView, config: ZoneLossConfig, services: StackResource[], minZones: number): ZoneLoss[] {
    if (profileOf(stack, config) !== "prod") return [];
    const losses = lossOfEachZone(stack, placed(stack, services) ?? []);
    return (losses ?? []).filter(loss => loss.cutOff.length > 0 && new Set(loss.serving.map(s => s.zone)).size < minZones);
}

/** "losing us-east-1a leaves 1 of its 3 peers serving, in 1 zone (us-east-1b: ipfs-1): ..." */
export function describeShortfall(loss: ZoneLoss, total: number, role: string): string {
    const byZone = new Map<string, string[]>();
    for (const s of loss.serving) byZone.set(s.zone, [...(byZone.get(s.zone) ?? []), s.service.name]);
    const where = [...byZone].map(([zone, names]) => `${zone}: ${listing(names)}`).join("; ");
    return `losing ${loss.zone} leaves ${loss.serving.length} of its ${total} ${role}s serving` +
        (byZone.size > 0 ? `, in ${byZone.size} zone${byZone.size === 1 ? "" : "s"} (${where})` : "") +
        `: ${describeCutOff(loss.cutOff)}, so ${loss.cutOff.length === 1 ? "it loses" : "they lose"} egress with that zone (image pulls, secrets, RPC and peers). ` +
        "Give every zone a NAT gateway of its own (web3-nodes:network.natAddresses equal to the zone count).";
}

/** The zones a workload's services stand in, by name; a service whose zone cannot be told is reported. */
export function servicesByZone(
    stack: StackView,
    services: StackResource[],
    owner: StackResource,
    role: string,
    report: (resource: StackResource | undefined, message: string) => void,
): { byZone: Map<string, string[]>; zonesUnknown: boolean } {
    const byZone = new Map<string, string[]>();
    let zonesUnknown = false;
    for (const service of services) {
        const placement = placementOf(stack, stack.descendants(service.urn));
        if ("zone" in placement) byZone.set(placement.zone, [...(byZone.get(placement.zone) ?? []), service.name]);
        else if ("unknown" in placement) zonesUnknown = true;
        else report(service, `${describe(service)}: cannot tell which zone this ${role} of ${owner.name} runs in: ${placement.missing}.`);
    }
    return { byZone, zonesUnknown };
}

export interface Mounted {
    /** The storage resources that hold the peer's data: EFS access points and their file systems, persistent disks. */
    storage: StackResource[];
    unknown: boolean;
}

/** The volumes a peer's service mounts: its task definition's EFS access points, its instances' preserved disks, or its containers' Docker volumes. */
export function mountedBy(stack: StackView, below: StackResource[]): Mounted {
    const storage = new Set<StackResource>();
    let unknown = false;
    for (const r of below) {
        if (r.type === T.dockerContainer) {
            const mounts = elements(r.props.mounts);
            if (mounts === "unknown") {
                unknown = true;
                continue;
            }
            const volumes = mounts.filter(m => str(at(m, "type")) === "volume").map(m => at(m, "source"));
            const found = lookUp(stack, r, "mounts", volumes, [T.dockerVolume]);
            unknown = unknown || found.unknown;
            // A volume the local driver keeps in memory (tmpfs) holds nothing that outlives the container.
            found.found.filter(v => str(at(v.props, "driverOpts", "type")) !== "tmpfs").forEach(v => storage.add(v));
        }
        if (r.type === T.ecsTaskDefinition) {
            const volumes = elements(r.props.volumes);
            if (volumes === "unknown") {
                unknown = true;
                continue;
            }
            const points = lookUp(stack, r, "volumes", volumes.map(v => at(v, "efsVolumeConfiguration", "authorizationConfig", "accessPointId")), [T.efsAccessPoint]);
            unknown = unknown || points.unknown;
            for (const point of points.found) {
                storage.add(point);
                lookUp(stack, point, "fileSystemId", [point.props.fileSystemId], [T.efsFileSystem]).found.forEach(fs => storage.add(fs));
            }
        }
        if (r.type === T.gcePerInstanceConfig || r.type === T.gceRegionPerInstanceConfig) {
            const disks = elements(at(r.props, "preservedState", "disks"));
            if (disks === "unknown") {
                unknown = true;
                continue;
            }
            const found = lookUp(stack, r, "preservedState", disks.map(d => at(d, "source")), [T.gceDisk, T.gceRegionDisk]);
            unknown = unknown || found.unknown;
            found.found.forEach(d => storage.add(d));
        }
    }
    return { storage: [...storage], unknown };
}

/** Storage that only one peer uses: the access point or disk itself (EFS file systems are shared per zone by design). */
function isPerPeer(r: StackResource): boolean {
    return r.type !== T.efsFileSystem;
}

export const ipfsClusterSpreadOverZones = stackPolicy<ZoneLossConfig>({
    name: "ipfs-cluster-spread-over-zones",
    description:
        "The peers of an IPFS cluster stand in at least three distinct zones, and each peer mounts persistent volumes of its own " +
        "that are protected from deletion. With fewer zones a lost zone can hold every copy of a pin; a peer without its own " +
        "protected volume loses its repo and cluster state on a restart, a replacement or a careless `pulumi destroy`. Peers are " +
        "the web3-nodes:topology:ZonalService components under a web3-nodes:ipfs-cluster:IpfsCluster; their zone comes from their " +
        "instance group (GCP) or their ECS service's subnet (AWS), their volumes from their per-instance config's disks or their " +
        "task definition's EFS access points. In prod, losing any zone must also leave peers serving in two zones or more: a peer " +
        "whose private subnet routes through a NAT gateway in the lost zone loses its egress with it.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Give the cluster at least three peers (web3-nodes:ipfsCluster.peers) and place them round-robin over the stack's three zones; " +
        "give every peer its own volumes (backend.volume per peer) and keep the DATA_PROTECTION options (protect, retainOnDelete) on the " +
        "storage that holds their data; give every zone its own NAT gateway.",
    configSchema: { properties: { profile: settings.profile } },
    check(stack, config, report) {
        for (const cluster of stack.ofType(WORKLOAD_TYPES.ipfsCluster)) {
            const peers = stack.descendants(cluster.urn).filter(r => r.type === WORKLOAD_TYPES.service);
            if (peers.length === 0) {
                report(cluster, `${describe(cluster)}: declares no peers (no ${WORKLOAD_TYPES.service} under it), so it stores nothing anywhere.`);
                continue;
            }
            const { byZone, zonesUnknown } = servicesByZone(stack, peers, cluster, "peer", report);
            const users = new Map<StackResource, StackResource[]>();
            for (const peer of peers) {
                const mounted = mountedBy(stack, stack.descendants(peer.urn));
                if (mounted.storage.length === 0) {
                    if (!mounted.unknown) {
                        report(peer, `${describe(peer)}: this peer of ${cluster.name} mounts no persistent volume, so its repo and cluster state live on ` +
                            "the disk of its task or instance and are lost with it. Give it volumes of its own (backend.volume) and mount them.");
                    }
                    continue;
                }
                for (const storage of mounted.storage) users.set(storage, [...(users.get(storage) ?? []), peer]);
            }
            for (const [storage, using] of users) {
                // An access point names a directory of its file system: the file system holds the data.
                if (storage.keptOnDelete || !(STATEFUL_TYPES as string[]).includes(storage.type)) continue;
                report(storage, `${describe(storage)}: holds the data of ${listing(using.map(p => p.name))} of ${cluster.name} but is not protected: a ` +
                    "replacement or `pulumi destroy` deletes it. Declare it with protect and retainOnDelete (DATA_PROTECTION).");
            }
            for (const [storage, sharing] of users) {
                if (sharing.length < 2 || !isPerPeer(storage)) continue;
                report(storage, `${describe(storage)}: mounted by ${sharing.length} peers of ${cluster.name} (${listing(sharing.map(p => p.name))}); ` +
                    "every peer needs volumes of its own, or two daemons write one repo and corrupt it.");
            }
            if (!zonesUnknown && byZone.size < MIN_CLUSTER_ZONES) {
                const where = [...byZone].map(([zone, names]) => `${zone}: ${listing(names)}`).join("; ");
                report(cluster, `${describe(cluster)}: its ${peers.length} peer(s) stand in ${byZone.size} zone(s) (${where || "none known"}); ` +
                    `at least ${MIN_CLUSTER_ZONES} distinct zones keep a copy of every pin when one zone is lost. ` +
                    `Add peers (web3-nodes:ipfsCluster.peers) and place them round-robin over the stack's zones.`);
            }
            for (const loss of egressShortfalls(stack, config, peers, MIN_CLUSTER_ZONES - 1)) {
                report(cluster, `${describe(cluster)}: ${describeShortfall(loss, peers.length, "peer")}`);
            }
        }
    },
});
