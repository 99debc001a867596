// The Chainlink pair's stack rule: two nodes in two different zones, on a database that fails over to another
// zone on its own. Otherwise a lost zone takes both nodes, or the only database instance, and no job runs
// until someone rebuilds it by hand.
//
// Nodes are the zonal services under a ChainlinkNode component; their zone is read from the cloud resources
// that place them, as ipfs-cluster-spread-over-zones reads a peer's. The database is the Aurora cluster (with
// its instances, found by their clusterIdentifier), Multi-AZ RDS instance or Cloud SQL instance under it.
import { ZoneLossConfig, describeShortfall, egressShortfalls, servicesByZone } from "./ipfsCluster";
import { StackResource, StackView, stackPolicy } from "./policy";
import * as settings from "./settings";
import { T } from "./types";
import { at, bool, describe, isUnknown, listing, str } from "./values";

/** Type tokens of the program's components the rule starts from (components/chainlink and components/topology). */
export const CHAINLINK_TYPES = {
    chainlink: "web3-nodes:chainlink:ChainlinkNode",
    service: T.zonalService,
} as const;

/** Distinct zones the nodes, and the database's instances, must stand in. */
export const MIN_CHAINLINK_ZONES = 2;

export type Failover = { zones: string[] } | { unknown: true } | { problem: string };

/** Whether an Aurora cluster can fail over: two instances of it or more, in two zones or more. */
function auroraFailover(stack: StackView, cluster: StackResource): Failover {
    const members = stack.ofType(T.rdsClusterInstance).map(i => ({ i, ref: stack.refersTo(i, "clusterIdentifier", cluster) })).filter(m => m.ref !== false);
    if (members.some(m => m.ref === "unknown") && members.every(m => m.ref !== true)) return { unknown: true };
    const instances = members.filter(m => m.ref === true).map(m => m.i);
    const zones = new Set<string>();
    for (const instance of instances) {
        const zone = str(instance.props.availabilityZone);
        if (isUnknown(zone)) return { unknown: true };
        if (zone === undefined) return { problem: `its instance ${instance.name} names no availabilityZone, so AWS may put every instance in one zone` };
        zones.add(zone);
    }
    if (instances.length < MIN_CHAINLINK_ZONES) {
        return { problem: `it has ${instances.length} instance(s); Aurora fails over only to another instance of the cluster, so it needs a writer and a reader` };
    }
    if (zones.size < MIN_CHAINLINK_ZONES) return { problem: `its ${instances.length} instances all stand in ${listing([...zones])}` };
    return { zones: [...zones] };
}

/** Whether a Cloud SQL instance can fail over: REGIONAL availability, its standby in another zone. */
function cloudSqlFailover(instance: StackResource): Failover {
    const availability = str(at(instance.props, "settings", "availabilityType"));
    if (isUnknown(availability)) return { unknown: true };
    if (availability !== "REGIONAL") {
        return { problem: `settings.availabilityType is ${availability ?? "not set (ZONAL by default)"}; only REGIONAL keeps a standby in another zone` };
    }
    const zone = str(at(instance.props, "settings", "locationPreference", "zone"));
    const secondary = str(at(instance.props, "settings", "locationPreference", "secondaryZone"));
    if (typeof zone === "string" && zone === secondary) return { problem: `its primary and secondary zone are both ${zone}` };
    return { zones: [zone, secondary].filter((z): z is string => typeof z === "string") };
}

export function failoverOf(stack: StackView, db: StackResource): Failover {
    if (db.type === T.rdsCluster) return auroraFailover(stack, db);
    if (db.type === T.cloudSql) return cloudSqlFailover(db);
    const multiAz = bool(db.props.multiAz);
    if (isUnknown(multiAz)) return { unknown: true };
    return multiAz === true ? { zones: [] } : { problem: "multiAz is not true, so it has no standby in another zone" };
}

export const chainlinkSurvivesZoneLoss = stackPolicy<ZoneLossConfig>({
    name: "chainlink-survives-zone-loss",
    description:
        "A Chainlink deployment runs two nodes in two different zones, on a database with automatic failover to another zone " +
        "(an Aurora cluster with two or more instances in different zones, a Multi-AZ RDS instance, or Cloud SQL with availabilityType " +
        "REGIONAL). The nodes share the database's lease lock, so exactly one runs jobs and the other takes over when it dies; " +
        "with both nodes, or the only database instance, in one zone, losing that zone stops every job. Nodes are the " +
        "web3-nodes:topology:ZonalService components under a web3-nodes:chainlink:ChainlinkNode; their zone comes from their instance " +
        "group (GCP) or their ECS service's subnet (AWS). In prod, losing any zone must also leave a node with egress: a node " +
        "whose private subnet routes through a NAT gateway in the lost zone cannot reach its RPC providers.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Place the two nodes in two of the stack's zones (placeNodes) and build the database with backend.postgres, whose zones name two " +
        "different zones: Aurora gets a writer and a reader there, Cloud SQL REGIONAL availability with its secondary zone there. " +
        "Give every zone its own NAT gateway.",
    configSchema: { properties: { profile: settings.profile } },
    check(stack, config, report) {
        for (const chainlink of stack.ofType(CHAINLINK_TYPES.chainlink)) {
            const below = stack.descendants(chainlink.urn);
            const nodes = below.filter(r => r.type === CHAINLINK_TYPES.service);
            const { byZone, zonesUnknown } = servicesByZone(stack, nodes, chainlink, "node", report);
            if (!zonesUnknown && byZone.size < MIN_CHAINLINK_ZONES) {
                const where = [...byZone].map(([zone, names]) => `${zone}: ${listing(names)}`).join("; ");
                report(chainlink, `${describe(chainlink)}: its ${nodes.length} node(s) stand in ${byZone.size} zone(s) (${where || "none known"}); ` +
                    `a Chainlink pair needs ${MIN_CHAINLINK_ZONES} nodes in ${MIN_CHAINLINK_ZONES} different zones, so the standby outlives the lease holder's zone.`);
            }
            for (const loss of egressShortfalls(stack, config, nodes, MIN_CHAINLINK_ZONES - 1)) {
                report(chainlink, `${describe(chainlink)}: ${describeShortfall(loss, nodes.length, "node")}`);
            }

            const databases = below.filter(r => r.type === T.rdsCluster || r.type === T.cloudSql || r.type === T.rdsInstance)
                // A read replica of Cloud SQL, or an RDS instance that is part of a cluster, is not a database of its own.
                .filter(r => str(r.props.masterInstanceName) === undefined && !(r.type === T.rdsInstance && str(r.props.clusterIdentifier) !== undefined));
            if (databases.length === 0) {
                report(chainlink, `${describe(chainlink)}: no database with automatic failover under it (an Aurora cluster, a Multi-AZ RDS instance ` +
                    "or a Cloud SQL instance); without one, the loss of the database's zone stops both nodes.");
                continue;
            }
            for (const db of databases) {
                const failover = failoverOf(stack, db);
                if ("problem" in failover) {
                    report(db, `${describe(db)}: the database of ${chainlink.name} cannot fail over to another zone: ${failover.problem}.`);
                }
            }
        }
    },
});
