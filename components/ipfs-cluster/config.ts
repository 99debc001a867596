// The `web3-nodes:ipfsCluster` section of a stack file: every key, its default and its rule, read into
// IpfsClusterSettings. Problems are recorded on the reader, so they are reported with every other one.
import type { Cloud, Profile } from "../topology";
import type { Reader } from "../../stacks/validate";
import { readAllowlist } from "../topology/cidrs";
import { API_CIDRS_WHEN_UNSET, CPU_CHOICES, DEFAULTS, DURATION, IpfsClusterSettings, LIMITS, MAX_PEERS, MIN_PEERS, PROFILE_DEFAULTS, settingsProblems } from "./settings";

/** The stack's zones: the config insists on exactly three. */
const STACK_ZONES = 3;

/** The REST API's allowlist, read as every allowlist is (components/topology/cidrs.ts); the world is refused in prod. */
function readApiCidrs(r: Reader, enabled: boolean, profile: Profile): string[] {
    const unset = API_CIDRS_WHEN_UNSET[profile];
    return readAllowlist(r, "apiCidrs", {
        missing: unset === "required" && enabled
            ? { required: `ipfsCluster is enabled in a ${profile} stack: the networks the REST API's clients call from, such as ["203.0.113.0/24"]; never 0.0.0.0/0` }
            : { fallback: unset === "required" ? [] : unset },
        worldRefused: unset === "required"
            ? `not the whole internet in a ${profile} stack: the REST API adds and removes pins and peers; name its clients' networks`
            : undefined,
    });
}

export function readIpfsClusterSettings(r: Reader, base: { cloud: Cloud; profile: Profile }): IpfsClusterSettings {
    const sizes = PROFILE_DEFAULTS[base.profile];
    const before = r.problems.length;
    const enabled = r.boolean("enabled", DEFAULTS.enabled);
    const settings: IpfsClusterSettings = {
        enabled,
        peers: r.integer("peers", MIN_PEERS, MAX_PEERS, DEFAULTS.peers),
        replicationFactorMin: r.integer("replicationFactorMin", 1, MAX_PEERS, DEFAULTS.replicationFactorMin),
        replicationFactorMax: r.integer("replicationFactorMax", 1, MAX_PEERS, DEFAULTS.replicationFactorMax),
        repoVolumeGiB: r.integer("repoVolumeGiB", LIMITS.repoVolumeGiB.min, LIMITS.repoVolumeGiB.max, sizes.repoVolumeGiB),
        clusterVolumeGiB: r.integer("clusterVolumeGiB", LIMITS.clusterVolumeGiB.min, LIMITS.clusterVolumeGiB.max, sizes.clusterVolumeGiB),
        kuboCpu: r.integerIn("kuboCpu", CPU_CHOICES, sizes.kuboCpu),
        kuboMemoryMiB: r.integer("kuboMemoryMiB", LIMITS.memoryMiB.min, LIMITS.memoryMiB.max, sizes.kuboMemoryMiB),
        clusterCpu: r.integerIn("clusterCpu", CPU_CHOICES, sizes.clusterCpu),
        clusterMemoryMiB: r.integer("clusterMemoryMiB", LIMITS.memoryMiB.min, LIMITS.memoryMiB.max, sizes.clusterMemoryMiB),
        concurrentPins: r.integer("concurrentPins", LIMITS.concurrentPins.min, LIMITS.concurrentPins.max, DEFAULTS.concurrentPins),
        pinTimeout: r.string("pinTimeout", DURATION, "a duration of at least one second such as 90s, 10m or 1h30m", DEFAULTS.pinTimeout)!,
        apiCidrs: readApiCidrs(r, enabled, base.profile),
    };
    // The combination is only judged once each value is acceptable on its own.
    if (r.problems.length === before) {
        for (const p of settingsProblems(settings, STACK_ZONES)) r.problem(p.key, p.value, p.allowed);
    }
    return settings;
}
