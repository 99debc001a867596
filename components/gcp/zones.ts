// The zones a GCP stack stands in, from a table rather than from compute.getZones: that call needs the Compute
// Engine API, which the stack itself enables, and an invoke cannot wait for a resource, so on a new project the
// first preview would fail. The zones are needed before any resource is declared (services are laid out by
// zone), so they come from Google's published list; `gcp.zones` names them for a region the table lacks.
import { ZONES_PER_STACK } from "../topology";
import { ConfigError, PROJECT, show } from "../../stacks/validate";

const ZONES_KEY = `${PROJECT}:gcp.zones`;

/** Compute Engine's zones per region, as Google lists them: zone `<region>-<letter>`. */
export const GCP_REGION_ZONES = {
    source: "https://cloud.google.com/compute/docs/regions-zones#available",
    read: "2026-12-01",
    letters: {
        "africa-south1": ["a", "b", "c"],
        "asia-east1": ["a", "b", "c"],
        "asia-east2": ["a", "b", "c"],
        "asia-northeast1": ["a", "b", "c"],
        "asia-northeast2": ["a", "b", "c"],
        "asia-northeast3": ["a", "b", "c"],
        "asia-south1": ["a", "b", "c"],
        "asia-south2": ["a", "b", "c"],
        "asia-southeast1": ["a", "b", "c"],
        "asia-southeast2": ["a", "b", "c"],
        "asia-southeast3": ["a", "b", "c"],
        "australia-southeast1": ["a", "b", "c"],
        "australia-southeast2": ["a", "b", "c"],
        "europe-central2": ["a", "b", "c"],
        "europe-north1": ["a", "b", "c"],
        "europe-southwest1": ["a", "b", "c"],
        "europe-west1": ["b", "c", "d"],
        "europe-west2": ["a", "b", "c"],
        "europe-west3": ["a", "b", "c"],
        "europe-west4": ["a", "b", "c"],
        "europe-west6": ["a", "b", "c"],
        "europe-west8": ["a", "b", "c"],
        "europe-west9": ["a", "b", "c"],
        "europe-west10": ["a", "b", "c"],
        "europe-west12": ["a", "b", "c"],
        "me-central1": ["a", "b", "c"],
        "me-central2": ["a", "b", "c"],
        "me-west1": ["a", "b", "c"],
        "northamerica-northeast1": ["a", "b", "c"],
        "northamerica-northeast2": ["a", "b", "c"],
        "southamerica-east1": ["a", "b", "c"],
        "southamerica-west1": ["a", "b", "c"],
        "us-central1": ["a", "b", "c", "f"],
        "us-east1": ["b", "c", "d"],
        "us-east4": ["a", "b", "c"],
        "us-east5": ["a", "b", "c"],
        "us-south1": ["a", "b", "c"],
        "us-west1": ["a", "b", "c"],
        "us-west2": ["a", "b", "c"],
        "us-west3": ["a", "b", "c"],
        "us-west4": ["a", "b", "c"],
    } as Record<string, readonly string[] | undefined>,
};

/** The region's zones by the table, or undefined for a region it does not list. */
export function regionZones(region: string): string[] | undefined {
    return GCP_REGION_ZONES.letters[region]?.map(letter => `${region}-${letter}`);
}

/**
 * The stack's zones: the configured ones, each checked against the table when it lists the region, else the
 * region's first three zones in name order. Throws a ConfigError naming `gcp.zones` otherwise.
 */
export function chooseGcpZones(region: string, configured: readonly string[] | undefined): string[] {
    const known = regionZones(region);
    const table = `${GCP_REGION_ZONES.source}, read ${GCP_REGION_ZONES.read}`;
    if (configured === undefined) {
        if (known === undefined) {
            throw new ConfigError([`${ZONES_KEY} is required: region ${region} is not in the program's zone table (${table}); list ${ZONES_PER_STACK} of its zones`]);
        }
        if (known.length < ZONES_PER_STACK) {
            throw new ConfigError([`${PROJECT}:gcp.region = ${show(region)}: it has ${known.length} zone(s) (${known.join(", ")}); the stack needs ${ZONES_PER_STACK}`]);
        }
        return known.slice(0, ZONES_PER_STACK);
    }
    if (known === undefined) return [...configured];
    const problems = configured.flatMap((zone, i) => known.includes(zone)
        ? []
        : [`${ZONES_KEY}[${i}] = ${show(zone)}: not a zone of ${region}; its zones are ${known.join(", ")} (${table})`]);
    if (problems.length > 0) throw new ConfigError(problems);
    return [...configured];
}
