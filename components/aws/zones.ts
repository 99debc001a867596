// The zones an AWS stack stands in. A zone's name (us-east-1a) is mapped to a physical zone independently for
// each account; its AZ ID (use1-az1) is the same physical zone in every account
// (https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html). Services are offered per AZ ID,
// so zones are chosen and checked by ID, and resources are given the name that ID has in the deploying
// account (EFS One Zone and Aurora instances accept only names).
import { ZONES_PER_STACK } from "../topology";
import { ConfigError, PROJECT, show } from "../../stacks/validate";

const ZONES_KEY = `${PROJECT}:aws.zones`;
const REGION_KEY = `${PROJECT}:aws.region`;

/** A standard Availability Zone as the deploying account sees it. */
export interface AwsZone {
    /** Per account: us-east-1a may be a different physical zone in another account. */
    name: string;
    /** The same physical zone in every account. */
    id: string;
}

/**
 * What every zone of a stack runs, and the AZ IDs each is documented to be offered in, for the regions whose
 * documentation restricts it. A region absent from `onlyIn` has no documented restriction; an AZ missing
 * from a listed region (one AWS adds later, say) is not offered until the table says so.
 */
export const ZONAL_OFFERINGS = {
    efsOneZone: {
        what: "EFS One Zone file systems, which hold the stack's volumes",
        source: "https://docs.aws.amazon.com/efs/latest/ug/OneZoneAZs.html",
        read: "2026-12-01",
        onlyIn: {
            "us-east-1": ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"],
            "us-east-2": ["use2-az1", "use2-az2", "use2-az3"],
            "us-west-1": ["usw1-az1", "usw1-az3"],
            "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"],
        },
    },
    fargate: {
        what: "ECS tasks on Fargate, which run the stack's services",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html",
        read: "2026-12-01",
        onlyIn: {
            "us-west-1": ["usw1-az1", "usw1-az3"],
            "ap-northeast-1": ["apne1-az1", "apne1-az2", "apne1-az4"],
            "cn-north-1": ["cnn1-az1", "cnn1-az2"],
        },
    },
} as const satisfies Record<string, { what: string; source: string; read: string; onlyIn: Record<string, readonly string[]> }>;

export type ZonalOffering = keyof typeof ZONAL_OFFERINGS;

/** The offerings a zone lacks, by the table above: empty when the zone can hold every part of the stack. */
export function missingOfferings(region: string, zoneId: string): ZonalOffering[] {
    return (Object.keys(ZONAL_OFFERINGS) as ZonalOffering[]).filter(offering => {
        const onlyIn = ZONAL_OFFERINGS[offering].onlyIn as Record<string, readonly string[] | undefined>;
        const ids = onlyIn[region];
        return ids !== undefined && !ids.includes(zoneId);
    });
}

function describe(zone: AwsZone): string {
    return `${zone.name} (${zone.id})`;
}

function lacking(region: string, zone: AwsZone): string {
    return missingOfferings(region, zone.id)
        .map(o => `${zone.id} does not offer ${ZONAL_OFFERINGS[o].what} (${ZONAL_OFFERINGS[o].source}, read ${ZONAL_OFFERINGS[o].read})`)
        .join("; ");
}

/** AZ IDs in their documented order: use1-az2 before use1-az10. */
function byId(a: AwsZone, b: AwsZone): number {
    return a.id.localeCompare(b.id, "en", { numeric: true });
}

/**
 * The stack's zones. `offered` is the region's standard zones as the account's provider reports them.
 * Unset: the lowest AZ IDs among the zones that offer everything, in ID order, so every account picks the
 * same physical zones. Set: each entry, a name or an AZ ID, must be a zone of the region that offers
 * everything; they keep the order given. Throws a ConfigError naming the key otherwise.
 */
export function chooseZones(region: string, configured: readonly string[] | undefined, offered: readonly AwsZone[]): AwsZone[] {
    const suitable = offered.filter(z => missingOfferings(region, z.id).length === 0).sort(byId);
    const suitableList = suitable.map(describe).join(", ") || "none";
    if (configured === undefined) {
        if (suitable.length < ZONES_PER_STACK) {
            const unsuitable = offered.filter(z => !suitable.includes(z)).map(z => lacking(region, z));
            throw new ConfigError([
                `${REGION_KEY} = ${show(region)}: the stack needs ${ZONES_PER_STACK} zones that offer everything it runs; ` +
                `this account has ${suitable.length} there (${suitableList})${unsuitable.length ? `; ${unsuitable.join("; ")}` : ""}. ` +
                `Choose another region`,
            ]);
        }
        return suitable.slice(0, ZONES_PER_STACK);
    }
    const problems: string[] = [];
    const chosen: { zone: AwsZone; entry: string }[] = [];
    configured.forEach((entry, i) => {
        const zone = offered.find(z => z.name === entry || z.id === entry);
        if (!zone) {
            problems.push(`${ZONES_KEY}[${i}] = ${show(entry)}: not a zone of ${region} in this account; its zones are ${[...offered].sort(byId).map(describe).join(", ") || "none"}`);
            return;
        }
        const why = lacking(region, zone);
        if (why) {
            problems.push(`${ZONES_KEY}[${i}] = ${show(entry)}: ${zone.name === entry ? `${zone.name} is ${zone.id}, and ` : ""}${why}. Zones that offer everything the stack runs: ${suitableList}`);
            return;
        }
        const twin = chosen.find(c => c.zone.id === zone.id);
        if (twin) {
            problems.push(`${ZONES_KEY}[${i}] = ${show(entry)}: ${zone.id} is already listed as ${show(twin.entry)}; list ${ZONES_PER_STACK} distinct zones`);
            return;
        }
        chosen.push({ zone, entry });
    });
    if (problems.length > 0) throw new ConfigError(problems);
    return chosen.map(c => c.zone);
}
