// The `web3-nodes:ipfsCluster` section of a stack file: every key, its default and its rule, read into
// IpfsClusterSettings. Problems are recorded on the reader, so they are reported with every other one.
import type { Cloud, Profile } from "../topology";
import type { Reader } from "../../stacks/validate";
import { CPU_CHOICES, DEFAULTS, DURATION, IpfsClusterSettings, LIMITS, MAX_PEERS, MIN_PEERS, PROFILE_DEFAULTS, settingsProblems } from "./settings";

/** The stack's zones: the config insists on exactly three. */
const STACK_ZONES = 3;

export function readIpfsClusterSettings(r: Reader, base: { cloud: Cloud; profile: Profile }): IpfsClusterSettings {
    const sizes = PROFILE_DEFAULTS[base.profile];
    const before = r.problems.length;
    const settings: IpfsClusterSettings = {
        enabled: r.boolean("enabled", DEFAULTS.enabled),
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
    };
    // The combination is only judged once each value is acceptable on its own.
    if (r.problems.length === before) {
        for (const p of settingsProblems(settings, STACK_ZONES)) r.problem(p.key, p.value, p.allowed);
    }
    return settings;
}
