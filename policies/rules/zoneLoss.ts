// What the loss of one zone takes with it: the services that stand in it, the egress of services in other
// zones whose outbound traffic passes through it, and the storage that lives in it alone. Every workload here
// needs egress (image pulls, secrets, logs, RPC providers, peers, the anchor service), so a service cut off from
// it is not serving; a volume in one zone only is lost with that zone, and a service cannot come back elsewhere
// with its data. The workload rules (ipfs-cluster-spread-over-zones, chainlink-survives-zone-loss,
// ceramic-survives-zone-loss) judge what each lost zone leaves.
import { StackResource, StackView } from "./policy";
import { T } from "./types";
import { at, isUnknown, list, str } from "./values";

/**
 * How far the failure of each kind of NAT reaches (read 2026-12-01):
 * - AWS NAT gateway, zonal (the default): "Each NAT gateway is created in a specific Availability Zone ... if
 *   the NAT gateway's Availability Zone is down, resources in the other Availability Zones lose internet
 *   access" (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html).
 * - AWS NAT gateway with availabilityMode "regional": "a single NAT Gateway that works across multiple
 *   availability zones" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AvailabilityZoneAddress.html).
 * - GCP Cloud NAT: "a distributed, software-defined managed service. It's not based on proxy VMs or appliances",
 *   one gateway per region (https://cloud.google.com/nat/docs/overview): GCE services never lean on a zone.
 */
export const NAT_GATEWAY_TYPE = "aws:ec2/natGateway:NatGateway";
const ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
const ROUTE = "aws:ec2/route:Route";
const DEFAULT_ROUTE = "0.0.0.0/0";

/** A NAT gateway a service's default route leads to, and the zone it stands in. */
export interface EgressHop {
    nat: StackResource;
    zone: string;
}

/** The zonal hops a service's egress depends on; empty when it leans on no zone; unknown during a preview. */
export type Egress = { hops: EgressHop[] } | { unknown: true };

function zoneOfSubnet(subnet: StackResource): string | undefined | "unknown" {
    const zone = str(subnet.props.availabilityZone ?? subnet.props.availabilityZoneId);
    return isUnknown(zone) ? "unknown" : zone;
}

/** The zonal NAT gateways a subnet's default route leads to, through its route table. */
function hopsOfSubnet(stack: StackView, subnet: StackResource): Egress {
    const hops: EgressHop[] = [];
    for (const association of stack.ofType(ROUTE_TABLE_ASSOCIATION)) {
        const onSubnet = stack.refersTo(association, "subnetId", subnet);
        if (onSubnet === "unknown") return { unknown: true };
        if (!onSubnet) continue;
        const tables = stack.references(association, "routeTableId", [ROUTE_TABLE]);
        if (tables.unknown) return { unknown: true };
        for (const table of tables.found) {
            for (const route of stack.ofType(ROUTE)) {
                const inTable = stack.refersTo(route, "routeTableId", table);
                if (inTable === "unknown") return { unknown: true };
                if (!inTable || str(route.props.destinationCidrBlock) !== DEFAULT_ROUTE) continue;
                const nats = stack.references(route, "natGatewayId", [NAT_GATEWAY_TYPE]);
                if (nats.unknown) return { unknown: true };
                for (const nat of nats.found) {
                    const mode = str(nat.props.availabilityMode);
                    if (isUnknown(mode)) return { unknown: true };
                    if (mode === "regional") continue;
                    const placed = stack.references(nat, "subnetId", [T.subnet]);
                    if (placed.unknown) return { unknown: true };
                    for (const natSubnet of placed.found) {
                        const zone = zoneOfSubnet(natSubnet);
                        if (zone === "unknown") return { unknown: true };
                        if (zone !== undefined) hops.push({ nat, zone });
                    }
                }
            }
        }
    }
    return { hops };
}

/**
 * The zonal NAT gateways a zonal service's egress passes through: for an ECS service, those its subnets'
 * default routes lead to. A GCE service leaves through Cloud NAT, which is regional: no hop.
 */
export function egressOf(stack: StackView, service: StackResource): Egress {
    const hops: EgressHop[] = [];
    for (const ecs of stack.descendants(service.urn).filter(r => r.type === T.ecsService)) {
        const subnets = list(at(ecs.props, "networkConfiguration", "subnets"));
        if (isUnknown(subnets)) return { unknown: true };
        // During a preview an unknown subnet ID is resolved through the property's dependencies.
        const dependencies = { subnets: ecs.propertyDependencies.networkConfiguration ?? [] };
        const found = stack.references({ ...ecs, props: { subnets: subnets ?? [] }, propertyDependencies: dependencies }, "subnets", [T.subnet]);
        if (found.unknown && found.found.length === 0) return { unknown: true };
        for (const subnet of found.found) {
            const egress = hopsOfSubnet(stack, subnet);
            if ("unknown" in egress) return egress;
            hops.push(...egress.hops);
        }
    }
    return { hops };
}

export interface Placed {
    service: StackResource;
    zone: string;
}

/** What the loss of one zone does to a workload's services. */
export interface ZoneLoss {
    zone: string;
    /** Services that stand in another zone and keep their egress. */
    serving: Placed[];
    /** Services that stand in another zone but leave through a NAT gateway in the lost one. */
    cutOff: (Placed & { via: EgressHop })[];
}

/**
 * For every zone a service or one of its NAT gateways stands in, what losing it leaves of `placed`.
 * Undefined while some service's egress is unknown (during a preview): the rules then say nothing.
 */
export function lossOfEachZone(stack: StackView, placed: Placed[]): ZoneLoss[] | undefined {
    const hopsOf = new Map<StackResource, EgressHop[]>();
    for (const p of placed) {
        const egress = egressOf(stack, p.service);
        if ("unknown" in egress) return undefined;
        hopsOf.set(p.service, egress.hops);
    }
    const zones = [...new Set([...placed.map(p => p.zone), ...[...hopsOf.values()].flat().map(h => h.zone)])].sort();
    return zones.map(zone => {
        const others = placed.filter(p => p.zone !== zone);
        const cutOff = others.flatMap(p => {
            const via = hopsOf.get(p.service)!.find(h => h.zone === zone);
            return via ? [{ ...p, via }] : [];
        });
        return { zone, serving: others.filter(p => !cutOff.some(c => c.service === p.service)), cutOff };
    });
}

/** "ipfs-1 (us-east-1b) and ipfs-2 (us-east-1c) leave through NAT gateway nat-a in us-east-1a", grouped by gateway. */
export function describeCutOff(cutOff: ZoneLoss["cutOff"]): string {
    const byNat = new Map<StackResource, ZoneLoss["cutOff"]>();
    for (const c of cutOff) byNat.set(c.via.nat, [...(byNat.get(c.via.nat) ?? []), c]);
    return [...byNat].map(([nat, services]) =>
        `${services.map(s => `${s.service.name} (${s.zone})`).join(", ")} ${services.length === 1 ? "leaves" : "leave"} through NAT gateway ` +
        `${nat.name} in ${services[0].via.zone}`).join("; ");
}

// ---------------------------------------------------------------- storage

const EFS_MOUNT_TARGET = "aws:efs/mountTarget:MountTarget";

/**
 * The zones a volume's data lives in and can be mounted from, read 2026-12-01:
 * - EFS One Zone (availabilityZoneName or availabilityZoneId set): "store data within a single Availability
 *   Zone"; its zone's loss takes the data. EFS Regional (neither set): "store data redundantly across
 *   multiple geographically separated Availability Zones within the same AWS Region"
 *   (https://docs.aws.amazon.com/efs/latest/ug/availability-durability.html); a client mounts it through a
 *   mount target in its own zone, so its zones are those of its mount targets.
 * - A zonal persistent disk: its `zone`. A regional persistent disk: its two `replicaZones`, "synchronous
 *   replication of data between two zones in a region"; after a zone's loss it is attached in the other
 *   (https://cloud.google.com/compute/docs/disks/repd-failover).
 * An EFS access point names a directory of its file system: its file system's zones.
 */
export type StorageZones = { zones: string[] } | { unknown: true };

function zoneName(value: string): string {
    return value.slice(value.lastIndexOf("/") + 1);
}

export function storageZones(stack: StackView, storage: StackResource): StorageZones {
    switch (storage.type) {
        case T.efsAccessPoint: {
            const systems = stack.references(storage, "fileSystemId", [T.efsFileSystem]);
            if (systems.unknown || systems.found.length === 0) return { unknown: true };
            return storageZones(stack, systems.found[0]);
        }
        case T.efsFileSystem: {
            const oneZone = str(storage.props.availabilityZoneName ?? storage.props.availabilityZoneId);
            if (isUnknown(oneZone)) return { unknown: true };
            if (oneZone !== undefined) return { zones: [oneZone] };
            const zones = new Set<string>();
            for (const target of stack.ofType(EFS_MOUNT_TARGET)) {
                const on = stack.refersTo(target, "fileSystemId", storage);
                if (on === "unknown") return { unknown: true };
                if (!on) continue;
                const subnets = stack.references(target, "subnetId", [T.subnet]);
                if (subnets.unknown) return { unknown: true };
                for (const subnet of subnets.found) {
                    const zone = zoneOfSubnet(subnet);
                    if (zone === "unknown") return { unknown: true };
                    if (zone !== undefined) zones.add(zone);
                }
            }
            return { zones: [...zones].sort() };
        }
        case T.gceDisk: {
            const zone = str(storage.props.zone);
            if (isUnknown(zone)) return { unknown: true };
            return { zones: zone === undefined ? [] : [zoneName(zone)] };
        }
        case T.gceRegionDisk: {
            const replicas = list(storage.props.replicaZones);
            if (isUnknown(replicas)) return { unknown: true };
            const zones: string[] = [];
            for (const replica of replicas ?? []) {
                const zone = str(replica);
                if (isUnknown(zone)) return { unknown: true };
                if (zone !== undefined) zones.push(zoneName(zone));
            }
            return { zones: zones.sort() };
        }
        default:
            return { unknown: true };
    }
}
