// The cluster's settings: their defaults (per profile where the right size depends on it), their limits and
// the rules that tie them together. The stack's config section and the component both check with
// `settingsProblems`, so a bad combination fails the same way from a stack file and from code.
import type { Profile } from "../topology";
import { EVERYONE } from "../topology/cidrs";

export interface IpfsClusterSettings {
    enabled: boolean;
    /** Peers, placed round-robin over the stack's zones. */
    peers: number;
    /** Fewest copies of a pin the cluster accepts; below it, pinning fails. */
    replicationFactorMin: number;
    /** Copies the cluster aims for. */
    replicationFactorMax: number;
    /** Size of each peer's IPFS repo volume; kubo's Datastore.StorageMax is derived from it. */
    repoVolumeGiB: number;
    /** Size of each peer's cluster state volume (pinset datastore, peerstore). */
    clusterVolumeGiB: number;
    kuboCpu: number;
    kuboMemoryMiB: number;
    clusterCpu: number;
    clusterMemoryMiB: number;
    /** Pins each peer fetches at once (ipfs-cluster `concurrent_pins`). */
    concurrentPins: number;
    /** How long a pin may make no progress before it is aborted and retried (ipfs-cluster `pin_timeout`). */
    pinTimeout: string;
    /**
     * Networks allowed to reach the REST API, which adds and removes pins and peers. The gateway stays open to
     * everyone.
     */
    apiCidrs: string[];
}

/** One peer in each of the stack's three zones: the cluster survives the loss of any zone. */
export const MIN_PEERS = 3;
/**
 * The most peers a stack may have: the largest cluster whose synth stays within 2 GiB. The program declares
 * every peer before any resource is registered, so the Pulumi Node runtime holds every resource's pending
 * outputs at once, about 10 MiB per peer at the peak (promises and closures of @pulumi/pulumi's Output, not
 * the program's own values); 1000 peers ran out of memory at 4.3 GB. Peak memory measured on the 2-core
 * machine: at most 1.4 GiB on either cloud at 120 peers, up to 1.8 GiB at 150, 2.1-2.3 GiB at 200.
 * `npm run bench -- cluster` synthesizes the prod stack at this size on both clouds and fails over 2048 MiB.
 * (Well under the 1000 IP targets an ALB target group takes.)
 */
export const MAX_PEERS = 120;
/** vCPU sizes a container may ask for: what both Fargate and E2 machines divide well. */
export const CPU_CHOICES = [0.25, 0.5, 1, 2, 4, 8] as const;
export const LIMITS = {
    memoryMiB: { min: 512, max: 30720 },
    repoVolumeGiB: { min: 10, max: 65536 },
    clusterVolumeGiB: { min: 10, max: 1024 },
    concurrentPins: { min: 1, max: 100 },
} as const;
/** A Go duration ipfs-cluster accepts, at least one second: 90s, 10m, 1h30m. */
export const DURATION = /^(?=\d)(?!(0+[hms])+$)(\d+h)?(\d+m)?(\d+s)?$/;

export const DEFAULTS = {
    enabled: false,
    peers: 3,
    replicationFactorMin: 2,
    replicationFactorMax: 3,
    // ipfs-cluster's own default is 10; a peer on a fast network keeps 20 busy without starving its gateway.
    concurrentPins: 20,
    // The default 2m aborts large DAGs that are still arriving; the timer restarts on every block received.
    pinTimeout: "10m",
} as const;

/**
 * Who reaches the REST API when `apiCidrs` is not set. A dev stack lets everyone try (basic auth still holds);
 * a prod stack must name its clients' networks, and never the whole internet: the API adds and removes pins
 * and peers, and one leaked password would hand the cluster to anyone.
 */
export const API_CIDRS_WHEN_UNSET: Record<Profile, readonly string[] | "required"> = { dev: EVERYONE, prod: "required", local: EVERYONE };

type Sizes = Pick<IpfsClusterSettings, "repoVolumeGiB" | "clusterVolumeGiB" | "kuboCpu" | "kuboMemoryMiB" | "clusterCpu" | "clusterMemoryMiB">;

/** dev: the smallest peer that works; prod: a peer that serves a gateway and pins in parallel. */
export const PROFILE_DEFAULTS: Record<Profile, Sizes> = {
    dev: { repoVolumeGiB: 20, clusterVolumeGiB: 10, kuboCpu: 0.5, kuboMemoryMiB: 1536, clusterCpu: 0.25, clusterMemoryMiB: 512 },
    prod: { repoVolumeGiB: 500, clusterVolumeGiB: 20, kuboCpu: 2, kuboMemoryMiB: 6144, clusterCpu: 1, clusterMemoryMiB: 2048 },
    // Three peers on one laptop.
    local: { repoVolumeGiB: 10, clusterVolumeGiB: 10, kuboCpu: 0.5, kuboMemoryMiB: 1024, clusterCpu: 0.25, clusterMemoryMiB: 512 },
};

/** Peers left when the zone holding the most of them is lost (round-robin placement). */
export function peersAfterZoneLoss(peers: number, zones: number): number {
    return peers - Math.ceil(peers / zones);
}

export interface SettingProblem {
    key: keyof IpfsClusterSettings;
    value: unknown;
    allowed: string;
}

/** What is wrong with the combination of peers and replication factors, each naming the key it blames. */
export function settingsProblems(s: Pick<IpfsClusterSettings, "peers" | "replicationFactorMin" | "replicationFactorMax">, zones: number): SettingProblem[] {
    const problems: SettingProblem[] = [];
    if (!Number.isInteger(s.peers) || s.peers < MIN_PEERS || s.peers > MAX_PEERS) {
        problems.push({ key: "peers", value: s.peers, allowed: `a whole number from ${MIN_PEERS} to ${MAX_PEERS}` });
        return problems;
    }
    if (s.replicationFactorMin > s.replicationFactorMax) {
        problems.push({ key: "replicationFactorMin", value: s.replicationFactorMin, allowed: `at most replicationFactorMax (${s.replicationFactorMax})` });
    }
    if (s.replicationFactorMax > s.peers) {
        problems.push({ key: "replicationFactorMax", value: s.replicationFactorMax, allowed: `at most peers (${s.peers}): a pin cannot have more copies than there are peers` });
    }
    const survivors = peersAfterZoneLoss(s.peers, zones);
    if (s.replicationFactorMin <= s.replicationFactorMax && s.replicationFactorMin > survivors) {
        problems.push({
            key: "replicationFactorMin",
            value: s.replicationFactorMin,
            allowed: `at most ${survivors}: losing the zone with the most of the ${s.peers} peers leaves ${survivors}, and below replicationFactorMin peers the cluster refuses new pins`,
        });
    }
    return problems;
}
