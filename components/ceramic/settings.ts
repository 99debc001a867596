// A Ceramic node's settings: their defaults (per profile where the right size depends on it), their limits
// and the rules that tie them together. The stack's config section and the component both check with
// `settingsProblems`, so a bad combination fails the same way from a stack file and from code.
import bs58 from "bs58";
import type { Profile } from "../topology";
import type { IndexDatabaseSettings } from "./indexDatabase";

export const NETWORKS = ["mainnet", "testnet-clay", "dev-unstable"] as const;
export type CeramicNetwork = (typeof NETWORKS)[number];

/** The anchor service of each network (Ceramic's own defaults). */
export const ANCHOR_SERVICE_URLS: Record<CeramicNetwork, string> = {
    mainnet: "https://cas.3boxlabs.com",
    "testnet-clay": "https://cas-clay.3boxlabs.com",
    "dev-unstable": "https://cas-qa.3boxlabs.com",
};

/**
 * The one EVM chain each network's anchors are proven on, as ceramic-one accepts them (rust-ceramic@v0.58.0
 * one/src/lib.rs Network::supported_chain_ids: eip155:1, eip155:100 Gnosis, eip155:11155111 Sepolia). An RPC
 * endpoint of another chain is dropped with a warning, and a time event anchored on another chain fails
 * validation (event-svc/src/event/validator/time.rs: NoChainProvider).
 */
export const ANCHOR_CHAIN_IDS: Record<CeramicNetwork, number> = { mainnet: 1, "testnet-clay": 100, "dev-unstable": 11155111 };
export const ANCHOR_CHAIN_NAMES: Record<CeramicNetwork, string> = { mainnet: "Ethereum mainnet", "testnet-clay": "Gnosis", "dev-unstable": "Sepolia" };

/**
 * What the node runs:
 * - `js-ceramic`: js-ceramic 6.11 with ceramic-one as its out-of-process IPFS, ComposeDB indexing in Postgres;
 * - `ceramic-one`: ceramic-one alone, its Ceramic API for SDK clients;
 * - `js-ceramic-kubo`: js-ceramic 5.16 with go-ipfs-daemon (kubo), for nodes that already run it.
 */
export const FLAVOURS = ["js-ceramic", "ceramic-one", "js-ceramic-kubo"] as const;
export type CeramicFlavour = (typeof FLAVOURS)[number];

/** js-ceramic's LogLevel numbers: lower is more verbose. */
export const LOG_LEVELS = { verbose: 0, debug: 1, important: 2, warn: 3 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

/** The kubo implementations js-ceramic 5 can run beside it (see ipfs.ts); `js-ceramic-kubo` runs the first. */
export const IPFS_FLAVOUR_NAMES = ["go-ipfs-daemon"] as const;
export type IpfsFlavourName = (typeof IPFS_FLAVOUR_NAMES)[number];

export const STATE_STORES = ["volume", "bucket"] as const;
export type StateStore = (typeof STATE_STORES)[number];

/**
 * ceramic-one anchoring by itself on an EVM chain (rust-ceramic@v0.58.0 one/src/daemon.rs --evm-*): all four
 * of rpcUrl, privateKey, chainId and contractAddress, or ceramic-one exits ("Incomplete EVM anchoring
 * configuration").
 */
export interface SelfAnchoring {
    /** JSON-RPC endpoint of the chain; usually carries an API key, so always a secret. */
    rpcUrl: string;
    /** The account that pays for anchor transactions: 32 bytes in hex without 0x (--evm-private-key). A secret. */
    privateKey: string;
    chainId: number;
    /** The anchor contract, 0x and 40 hex digits. */
    contractAddress: string;
    /** Seconds between two anchor batches (--anchor-interval). */
    intervalSeconds: number;
}

/** The self-anchoring keys every self-anchoring node must set, as the stack file spells them. */
export const SELF_ANCHORING_REQUIRED = ["rpcUrl", "privateKey", "chainId", "contractAddress"] as const;

/** The ComposeDB index's keys are indexDatabase.ts's (indexDatabase, indexDatabaseClass, ...). */
export interface CeramicSettings extends IndexDatabaseSettings {
    enabled: boolean;
    flavour: CeramicFlavour;
    network: CeramicNetwork;
    /**
     * JSON-RPC endpoint of the network's anchor chain (ANCHOR_CHAIN_IDS) anchors are checked against; usually
     * carries an API key, so always a secret.
     */
    ethereumRpcUrl?: string;
    anchorServiceUrl: string;
    /** Regular expressions of the origins browsers may call js-ceramic's API from. */
    corsAllowedOrigins: string[];
    logLevel: LogLevelName;
    /** DIDs allowed js-ceramic's admin API (indexing models), each a full did:key. */
    adminDids: string[];
    /** js-ceramic publishes the node's metrics as streams to the network (metrics.metrics-publisher-enabled). */
    metricsPublisher: boolean;
    /** Networks allowed to reach ceramic-one's API (the `ceramic-one` flavour). */
    apiCidrs: string[];
    /** ceramic-one anchors by itself instead of through the anchor service (the `ceramic-one` flavour). */
    selfAnchoring?: SelfAnchoring;
    /**
     * Before ceramic-one first starts, move the events of the node's former go-ipfs-daemon repo into its
     * store (`ceramic-one migrations from-ipfs`, once; ipfs.ts kuboMigrationStep): the `js-ceramic` flavour
     * of a node that ran `js-ceramic-kubo`.
     */
    migrateFromKubo: boolean;
    /**
     * The zone the node runs in, one of the stack's that holds its regional volumes (zones.ts); unset, the
     * stack's first. Changing it moves the node there with its data: what to do when its zone is lost.
     */
    zone?: string;
    ceramicCpu: number;
    ceramicMemoryMiB: number;
    /** The IPFS side: go-ipfs-daemon, or ceramic-one (in the `ceramic-one` flavour, the whole node). */
    ipfsCpu: number;
    ipfsMemoryMiB: number;
    /** Where pinned streams' commits live: a protected volume, or a versioned bucket. */
    stateStore: StateStore;
    /** The state volume: the state store when it is on the volume, and the ComposeDB index either way. */
    stateVolumeGiB: number;
    /** The IPFS side's volume: go-ipfs-daemon's repo, or ceramic-one's store. */
    repoVolumeGiB: number;
    /**
     * Publish a throwaway stream every few minutes, so the node's pubsub connections stay busy: the
     * `js-ceramic-kubo` flavour only, the one whose streams travel over pubsub.
     */
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
    // What Ceramic runs today for ComposeDB: js-ceramic's last release over ceramic-one.
    flavour: "js-ceramic" as CeramicFlavour,
    // Ceramic's own default: mainnet needs an Ethereum RPC URL and a node the network knows.
    network: "testnet-clay" as CeramicNetwork,
    corsAllowedOrigins: [".*"],
    logLevel: "important" as LogLevelName,
    adminDids: [] as string[],
    // js-ceramic's own default is on (daemon-config.ts, 5.16.0 and 6.11.0): it publishes the node's metrics to
    // the network as streams. Off unless the operator asks.
    metricsPublisher: false,
    stateStore: "volume" as StateStore,
    keepAlive: false,
    migrateFromKubo: false,
    /** ceramic-one's own default (--anchor-interval). */
    anchorIntervalSeconds: 3600,
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
    // One laptop runs the whole topology: the least each daemon starts with (LIMITS.memoryMiB).
    local: { ceramicCpu: 0.5, ceramicMemoryMiB: 1024, ipfsCpu: 0.5, ipfsMemoryMiB: 1024, stateVolumeGiB: 10, repoVolumeGiB: 10 },
};

/**
 * Who reaches ceramic-one's API when `apiCidrs` is not set. A dev stack lets everyone try; a prod stack must
 * name its clients' networks, never the whole internet: the API takes events and interests from anyone who
 * reaches it (rust-ceramic@v0.58.0 runs it without authentication unless experimental features say otherwise).
 */
export const API_CIDRS_WHEN_UNSET: Record<Profile, readonly string[] | "required"> = { dev: ["0.0.0.0/0", "::/0"], prod: "required", local: ["0.0.0.0/0", "::/0"] };

/** Every character base58btc uses (multibase "z"): digits and letters but 0, O, I and l. */
const BASE58BTC = /^[1-9A-HJ-NP-Za-km-z]+$/;
/** The multicodec of an Ed25519 public key, as an unsigned varint: 0xed 0x01 (multiformats/multicodec table.csv ed25519-pub). */
const ED25519_PUB_MULTICODEC = [0xed, 0x01];

/**
 * What is wrong with an admin DID, or undefined: js-ceramic lets a caller in when its DID starts with an
 * admin DID (js-ceramic@6.11.0 packages/cli/src/ceramic-daemon.ts: `adminDids.some(adminDid =>
 * actingDid.startsWith(adminDid))`), so anything short of a whole did:key would admit every DID it begins.
 * A whole Ed25519 did:key (w3c-ccg did-method-key): "did:key:z", then base58btc of the multicodec
 * ed25519-pub (0xed 0x01) and the 32-byte public key.
 */
export function adminDidProblem(did: unknown): string | undefined {
    const form = "a whole Ed25519 did:key such as did:key:z6Mk... (48 base58 characters after z): admin DIDs are matched by prefix, so anything shorter admits every DID it begins";
    if (typeof did !== "string" || !did.startsWith("did:key:z")) return form;
    const encoded = did.slice("did:key:z".length);
    if (!BASE58BTC.test(encoded)) return form;
    const bytes = bs58.decode(encoded);
    if (bytes.length !== 2 + 32 || bytes[0] !== ED25519_PUB_MULTICODEC[0] || bytes[1] !== ED25519_PUB_MULTICODEC[1]) return form;
    return undefined;
}

export interface SettingProblem {
    /** The key blamed, below `ceramic.`: "network", "selfAnchoring.chainId". */
    key: string;
    /** What is shown of the value given; a secret never is. */
    value?: unknown;
    /** The key is not set and must be. */
    missing?: true;
    allowed: string;
}

export type CombinedSettings = Pick<CeramicSettings, "flavour" | "network" | "ethereumRpcUrl" | "keepAlive" | "adminDids" | "metricsPublisher" | "stateStore" | "selfAnchoring" | "migrateFromKubo">;

/** What is wrong with the combination of settings, each naming the key it blames. */
export function settingsProblems(s: CombinedSettings): SettingProblem[] {
    const problems: SettingProblem[] = [];
    if (s.network === "mainnet" && s.ethereumRpcUrl === undefined) {
        problems.push({
            key: "ethereumRpcUrl",
            missing: true,
            allowed: "network is mainnet: anchors are proven on Ethereum mainnet, so the node needs an Ethereum RPC endpoint of its own",
        });
    }
    if (s.keepAlive && s.flavour !== "js-ceramic-kubo") {
        problems.push({
            key: "keepAlive",
            value: true,
            allowed: `flavour is ${s.flavour}, which syncs streams with ceramic-one's Recon and keeps its own connections to the network's peers: the keep-alive only helps js-ceramic-kubo, whose streams travel over pubsub`,
        });
    }
    if (s.flavour === "ceramic-one") {
        const jsOnly = (key: string, value: unknown, what: string) =>
            problems.push({ key, value, allowed: `flavour is ceramic-one, which runs no js-ceramic: ${what} applies to js-ceramic and js-ceramic-kubo only` });
        if (s.adminDids.length > 0) jsOnly("adminDids", s.adminDids, "js-ceramic's admin API");
        if (s.metricsPublisher) jsOnly("metricsPublisher", true, "js-ceramic's metrics publisher");
        if (s.stateStore !== "volume") jsOnly("stateStore", s.stateStore, "js-ceramic's state store");
    }
    if (s.migrateFromKubo && s.flavour !== "js-ceramic") {
        problems.push({
            key: "migrateFromKubo",
            value: true,
            allowed: `flavour is ${s.flavour}: the migration moves a js-ceramic-kubo node's go-ipfs-daemon repo into the ceramic-one of flavour js-ceramic; set flavour to js-ceramic with it`,
        });
    }
    if (s.selfAnchoring !== undefined) {
        if (s.flavour !== "ceramic-one") {
            problems.push({
                key: "selfAnchoring",
                allowed: `flavour is ${s.flavour}, whose js-ceramic anchors through the anchor service itself: self-anchoring is ceramic-one's, for the ceramic-one flavour`,
            });
        } else if (s.selfAnchoring.chainId !== ANCHOR_CHAIN_IDS[s.network]) {
            problems.push({
                key: "selfAnchoring.chainId",
                value: s.selfAnchoring.chainId,
                allowed: `network is ${s.network}, whose anchors ceramic-one proves on ${ANCHOR_CHAIN_NAMES[s.network]} only (chain ${ANCHOR_CHAIN_IDS[s.network]}): an anchor on another chain fails its own validation`,
            });
        }
    }
    return problems;
}
