// The Ceramic node's stack rule: one node, its services in one zone, its data on storage that outlives that
// zone. A Ceramic node is a single writer of its own state (its repo or store, its state store, its index), so
// it cannot run a standby beside it as the Chainlink pair does; what a lost zone must leave is its data, in a
// place a service in another zone can mount, so that changing web3-nodes:ceramic.zone brings the node back
// there. Services are the zonal services under a CeramicNode component; what they mount is read from their
// task definitions' EFS access points or their per-instance configs' disks, as for the IPFS cluster
// (ipfsCluster.ts mountedBy); the zones that storage lives in from zoneLoss.ts storageZones.
import { failoverOf } from "./chainlink";
import { profileOf } from "./hygiene";
import { ZoneLossConfig, mountedBy, placementOf, placed } from "./ipfsCluster";
import { StackResource, stackPolicy } from "./policy";
import * as settings from "./settings";
import { T } from "./types";
import { describe, listing, str } from "./values";
import { describeCutOff, lossOfEachZone, storageZones } from "./zoneLoss";

/** Type tokens of the program's components the rule starts from (components/ceramic and components/topology). */
export const CERAMIC_TYPES = {
    ceramic: "web3-nodes:ceramic:CeramicNode",
    service: T.zonalService,
} as const;

/** The config key that moves the node to another zone (components/ceramic/config.ts). */
export const CERAMIC_ZONE_KEY = "web3-nodes:ceramic.zone";

/** What a service's data is on: the storage that holds it (an access point's file system, not the access point). */
function holdsData(r: StackResource): boolean {
    return r.type !== T.efsAccessPoint;
}

export const ceramicSurvivesZoneLoss = stackPolicy<ZoneLossConfig>({
    name: "ceramic-survives-zone-loss",
    description:
        "In prod, a Ceramic node's data outlives the loss of the zone it runs in, and the node can come back in another zone: every " +
        "volume its services mount also lives in, and mounts from, another zone of the stack (EFS Regional with a mount target there, " +
        `or a regional persistent disk replicated there), so changing ${CERAMIC_ZONE_KEY} moves the node with its data; its database ` +
        "fails over to another zone on its own (an Aurora cluster with instances in two zones, a Multi-AZ RDS instance, Cloud SQL " +
        "REGIONAL); and none of its services leaves through a NAT gateway in another zone. A volume in one zone only (EFS One Zone, a " +
        "zonal persistent disk) is lost with that zone, and the node's repo, state store and index with it. Services are the " +
        "web3-nodes:topology:ZonalService components under a web3-nodes:ceramic:CeramicNode.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Declare the node's volumes with VolumeArgs.regional (components/topology): the AWS back-end carves them from the stack's EFS " +
        "Regional file system, the GCP back-end makes regional persistent disks. Build the database with backend.postgres in a prod " +
        "stack. Give every zone its own NAT gateway. After a zone is lost, set web3-nodes:ceramic.zone to another zone that holds the " +
        "volumes and run pulumi up (docs/ceramic.md, \"Losing a zone\").",
    configSchema: { properties: { profile: settings.profile } },
    check(stack, config, report) {
        if (profileOf(stack, config) !== "prod") return;
        for (const node of stack.ofType(CERAMIC_TYPES.ceramic)) {
            const below = stack.descendants(node.urn);
            const services = below.filter(r => r.type === CERAMIC_TYPES.service);
            const users = new Map<StackResource, { service: StackResource; zone?: string }[]>();
            for (const service of services) {
                const placement = placementOf(stack, stack.descendants(service.urn));
                const zone = "zone" in placement ? placement.zone : undefined;
                for (const storage of mountedBy(stack, stack.descendants(service.urn)).storage.filter(holdsData)) {
                    users.set(storage, [...(users.get(storage) ?? []), { service, zone }]);
                }
            }
            for (const [storage, using] of users) {
                const where = storageZones(stack, storage);
                if ("unknown" in where) continue;
                const names = listing(using.map(u => u.service.name));
                const elsewhere = where.zones.filter(z => !using.some(u => u.zone === z));
                if (where.zones.length < 2 || elsewhere.length === 0) {
                    report(storage, `${describe(storage)}: holds the data of ${names} of ${node.name} in ${listing(where.zones) || "no known zone"} ` +
                        `alone, so losing ${where.zones.length === 1 ? "that zone" : "the node's zone"} loses it and the node cannot come back in another zone ` +
                        `with ${CERAMIC_ZONE_KEY}. Declare the volume regional (VolumeArgs.regional: EFS Regional, a regional persistent disk).`);
                }
                for (const u of using.filter(x => x.zone !== undefined && !where.zones.includes(x.zone))) {
                    report(storage, `${describe(storage)}: mounted by ${u.service.name} of ${node.name} in ${u.zone}, but it lives in ${listing(where.zones)}.`);
                }
            }

            const databases = below.filter(r => r.type === T.rdsCluster || r.type === T.cloudSql || r.type === T.rdsInstance)
                .filter(r => str(r.props.masterInstanceName) === undefined && !(r.type === T.rdsInstance && str(r.props.clusterIdentifier) !== undefined));
            for (const db of databases) {
                const failover = failoverOf(stack, db);
                if ("problem" in failover) report(db, `${describe(db)}: the index of ${node.name} cannot fail over to another zone: ${failover.problem}.`);
            }

            for (const loss of lossOfEachZone(stack, placed(stack, services) ?? []) ?? []) {
                if (loss.cutOff.length === 0) continue;
                report(node, `${describe(node)}: losing ${loss.zone} cuts the node off: ${describeCutOff(loss.cutOff)}, so ` +
                    `${loss.cutOff.length === 1 ? "it loses" : "they lose"} egress with that zone (image pulls, secrets, RPC, the anchor service and peers). ` +
                    "Give every zone a NAT gateway of its own (web3-nodes:network.natAddresses equal to the zone count).");
            }
        }
    },
});
