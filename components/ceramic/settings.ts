// A Ceramic node's settings: their defaults (per profile where the right size depends on it), their limits
// and the rules that tie them together. The stack's config section and the component both check with
// `settingsProblems`, so a bad combination fails the same way from a stack file and from code.
import type { Profile } from "../topology";

export const NETWORKS = ["mainnet", "testnet-clay", "dev-unstable"] as const;
export type CeramicNetwork = (typeof NETWORKS)[number];

/** The anchor service of each network (Ceramic's own defaults). */
export const ANCHOR_SERVICE_URLS: Record<CeramicNetwork, string> = {
    mainnet: "https://cas.3boxlabs.com",
    "testnet-clay": "https://cas-clay.3boxlabs.com",
    "dev-unstable": "https://cas-qa.3boxlabs.com",
};

/** js-ceramic's LogLevel numbers: lower is more verbose. */
export const LOG_LEVELS = { verbose: 0, debug: 1, important: 2, warn: 3 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

/** The IPFS implementations a node can run beside js-ceramic (see ipfs.ts). */
export const IPFS_FLAVOUR_NAMES = ["go-ipfs-daemon"] as const;
export type IpfsFlavourName = (typeof IPFS_FLAVOUR_NAMES)[number];

export const STATE_STORES = ["volume", "bucket"] as const;
export type StateStore = (typeof STATE_STORES)[number];

export interface CeramicSettings {
    enabled: boolean;
    network: CeramicNetwork;
    /** Ethereum JSON-RPC endpoint anchors are checked against; usually carries an API key, so always a secret. */
    ethereumRpcUrl?: string;
    anchorServiceUrl: string;
    /** Regular expressions of the origins browsers may call the API from. */
    corsAllowedOrigins: string[];
    logLevel: LogLevelName;
    /** The IPFS daemon beside js-ceramic. */
    ipfsFlavour: IpfsFlavourName;
    ceramicCpu: number;
    ceramicMemoryMiB: number;
    ipfsCpu: number;
    ipfsMemoryMiB: number;
    /** Where pinned streams' commits live: a protected volume, or a versioned bucket. */
    stateStore: StateStore;
    /** The state volume: the state store when it is on the volume, and the ComposeDB index either way. */
    stateVolumeGiB: number;
    /** The IPFS repo volume. */
    repoVolumeGiB: number;
    /** Publish a throwaway stream every few minutes, so the node's pubsub connections stay busy. */
    keepAlive: boolean;
}

export const LIMITS = {
    // js-ceramic's heap and kubo's caches need a gigabyte before they do anything useful.
    memoryMiB: { min: 1024, max: 30720 },
    stateVolumeGiB: { min: 10, max: 16384 },
    repoVolumeGiB: { min: 10, max: 65536 },
} as const;

/** Origins are given to js-ceramic space-separated, each compiled as a regular expression. */
export const CORS_ORIGIN = /^\S+$/;

export const DEFAULTS = {
    enabled: false,
    // Ceramic's own default: mainnet needs an Ethereum RPC URL and a node the network knows.
    network: "testnet-clay" as CeramicNetwork,
    corsAllowedOrigins: [".*"],
    logLevel: "important" as LogLevelName,
    // The dagJose-enabled kubo Ceramic publishes for js-ceramic 5.
    ipfsFlavour: "go-ipfs-daemon" as IpfsFlavourName,
    stateStore: "volume" as StateStore,
    keepAlive: false,
    /** Minutes between two keep-alive streams, as the Ceramic operators' guide ran it. */
    keepAliveEveryMinutes: 2,
};

type Sizes = Pick<CeramicSettings, "ceramicCpu" | "ceramicMemoryMiB" | "ipfsCpu" | "ipfsMemoryMiB" | "stateVolumeGiB" | "repoVolumeGiB">;

/**
 * Measured on a public node serving 87,000 requests a day: Ceramic under 7 % of 4 vCPU and about 0.5 GB, IPFS
 * under 30 % of 4 vCPU and about 2.5 GB. prod gives each three to four times its CPU and room for a leaking
 * daemon's memory (the guide's single machine had 4 vCPU / 8 GB for both); dev the smallest that starts.
 */
export const PROFILE_DEFAULTS: Record<Profile, Sizes> = {
    dev: { ceramicCpu: 0.5, ceramicMemoryMiB: 2048, ipfsCpu: 0.5, ipfsMemoryMiB: 2048, stateVolumeGiB: 10, repoVolumeGiB: 20 },
    prod: { ceramicCpu: 1, ceramicMemoryMiB: 2048, ipfsCpu: 2, ipfsMemoryMiB: 6144, stateVolumeGiB: 50, repoVolumeGiB: 200 },
};

export interface SettingProblem {
    key: keyof CeramicSettings;
    /** What is shown of the value given; a secret never is. */
    value?: unknown;
    allowed: string;
}

/** What is wrong with the combination of settings, each naming the key it blames. */
export function settingsProblems(s: Pick<CeramicSettings, "network" | "ethereumRpcUrl">): SettingProblem[] {
    const problems: SettingProblem[] = [];
    if (s.network === "mainnet" && s.ethereumRpcUrl === undefined) {
        problems.push({
            key: "ethereumRpcUrl",
            allowed: "network is mainnet: anchors are proven on Ethereum mainnet, so the node needs an Ethereum RPC endpoint of its own",
        });
    }
    return problems;
}
