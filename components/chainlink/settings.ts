// The Chainlink workload's settings: their defaults (per profile, and per cloud for the database class), their
// limits, and the rules that tie them together. The stack's config section and the component both check with
// `settingsProblems`, so a bad combination fails the same way from a stack file and from code.
import type { Cloud, Profile } from "../topology";
import { LOCAL_DATABASE_CLASS, POSTGRES_VERSIONS, RESERVED_CONNECTIONS, connectionLimit, databaseClassProblem } from "../topology/postgres";
import { DEFAULT_VERSION } from "./images";
import type { P2pSettings } from "./p2p";

/**
 * One EVM RPC endpoint, an `[[EVM.Nodes]]` entry. Its URLs usually carry the provider's API key: they are
 * secrets. A primary node is polled and subscribed to and serves every call; a send-only node only broadcasts
 * transactions, over HTTP (docs/CONFIG.md EVM.Nodes SendOnly, at the pinned tag).
 */
export interface RpcNode {
    name: string;
    /** Required for a primary node, never given for a send-only one (Chainlink does not use it). */
    wsUrl?: string;
    httpUrl: string;
    sendOnly: boolean;
    /** Priority in the pool, 1 (first) to 100 (Chainlink's default): PriorityLevel's order, the other modes' tie-breaker. */
    order?: number;
}

/** How Chainlink picks the primary node a call goes to (`[EVM.NodePool] SelectionMode`). */
export const SELECTION_MODES = ["HighestHead", "RoundRobin", "PriorityLevel", "TotalDifficulty"] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];

/** The range Chainlink accepts for `[[EVM.Nodes]] Order`, and its default. */
export const NODE_ORDER = { min: 1, max: 100, default: 100 } as const;

export interface ChainlinkSettings {
    enabled: boolean;
    /** The EVM chain ID, as a decimal string; "" when unset (only allowed while disabled). */
    chainId: string;
    nodes: RpcNode[];
    /** How calls are spread over the primary nodes; Chainlink fails over to the next healthy one by the same rule. */
    selectionMode: SelectionMode;
    /** The image tag: a 2.x release. */
    version: string;
    /** vCPU and memory of each of the two nodes. */
    cpu: number;
    memoryMiB: number;
    databaseClass: string;
    databaseStorageGiB: number;
    databaseVersion: number;
    /** Days of database backups; unset: the stack's backupRetentionDays. */
    backupRetentionDays?: number;
    /** How long the lease holder's lease lasts without renewal: the longest the pair goes without a running node. */
    leaseDuration: string;
    /** Database connections each node may hold at once ([Database] MaxOpenConns). */
    maxOpenConns: number;
    /** Networks allowed to reach the operator UI and API (and /metrics) through the load balancer. */
    operatorCidrs: string[];
    /** OCR networking: the P2P port and the bootstrappers (./p2p.ts). */
    p2p: P2pSettings;
    /** Receives the database's alarms; without it they show in the cloud's console only. */
    alertEmail?: string;
}

/** A primary and a standby: one holds the database lease and runs jobs, the other waits to take over. */
export const NODE_COUNT = 2;

/** vCPU sizes: what Fargate and E2 machines divide well. */
export const CPU_CHOICES = [1, 2, 4, 8] as const;
export const LIMITS = {
    memoryMiB: { min: 2048, max: 30720 },
    databaseStorageGiB: { min: 10, max: 65536 },
    maxOpenConns: { min: 5, max: 1000 },
    /** Seconds: shorter leases are lost to a slow query; longer ones keep jobs stopped that long after a node dies. */
    leaseSeconds: { min: 5, max: 600 },
} as const;
/** What Chainlink asks of a production node: 2 vCPU and 4 GB. */
export const PROD_MINIMUM = { cpu: 2, memoryMiB: 4096 } as const;

export const DEFAULTS = {
    enabled: false,
    version: DEFAULT_VERSION,
    // Chainlink's own default.
    selectionMode: "HighestHead" as SelectionMode,
    databaseVersion: POSTGRES_VERSIONS.default,
    // Chainlink's own defaults.
    leaseDuration: "10s",
    maxOpenConns: 20,
} as const;

type Sizes = Pick<ChainlinkSettings, "cpu" | "memoryMiB" | "databaseStorageGiB">;

export const PROFILE_DEFAULTS: Record<Profile, Sizes> = {
    dev: { cpu: 1, memoryMiB: 2048, databaseStorageGiB: 20 },
    prod: { cpu: 2, memoryMiB: 4096, databaseStorageGiB: 100 },
    local: { cpu: 1, memoryMiB: 2048, databaseStorageGiB: 10 },
};

/** dev: the cheapest class that holds both nodes' pools; prod: 2 vCPU and 13-16 GiB, never burstable. */
export const DATABASE_CLASS_DEFAULTS: Record<Cloud, Record<Profile, string>> = {
    aws: { dev: "db.t4g.medium", prod: "db.r6g.large", local: "db.t4g.medium" },
    gcp: { dev: "db-custom-1-3840", prod: "db-custom-2-13312", local: "db-custom-1-3840" },
    docker: { dev: LOCAL_DATABASE_CLASS, prod: LOCAL_DATABASE_CLASS, local: LOCAL_DATABASE_CLASS },
};

/** A Go duration in whole hours, minutes and seconds: 10s, 1m, 1m30s. */
export const DURATION = /^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/;

/** Seconds in a duration DURATION accepts. */
export function durationSeconds(duration: string): number {
    const m = DURATION.exec(duration);
    if (!m) throw new Error(`"${duration}" is not a duration such as 10s, 1m or 1m30s`);
    const part = (s: string | undefined) => (s === undefined ? 0 : Number(s.slice(0, -1)));
    return part(m[1]) * 3600 + part(m[2]) * 60 + part(m[3]);
}

/**
 * How often the lease holder renews its lease, and the standby tries to take it: a tenth of the lease, at
 * least a second, so the holder gets about ten tries before the lease runs out (Chainlink asks for at most
 * half of it).
 */
export function leaseRefreshInterval(leaseDuration: string): string {
    return `${Math.max(1, Math.floor(durationSeconds(leaseDuration) / 10))}s`;
}

/** Connections the two nodes may hold together, with what the database keeps for itself and its operators. */
export function connectionsNeeded(maxOpenConns: number): number {
    return NODE_COUNT * maxOpenConns + RESERVED_CONNECTIONS;
}

export interface SettingProblem {
    key: keyof ChainlinkSettings;
    value: unknown;
    allowed: string;
}

/** What is wrong with the combination of settings (each value already acceptable on its own), naming the key it blames. */
export function settingsProblems(s: Omit<ChainlinkSettings, "enabled">, base: { cloud: Cloud; profile: Profile }): SettingProblem[] {
    const problems: SettingProblem[] = [];
    if (base.profile === "prod" && s.cpu < PROD_MINIMUM.cpu) {
        problems.push({ key: "cpu", value: s.cpu, allowed: `at least ${PROD_MINIMUM.cpu} in a prod stack (Chainlink's minimum for a production node)` });
    }
    if (base.profile === "prod" && s.memoryMiB < PROD_MINIMUM.memoryMiB) {
        problems.push({ key: "memoryMiB", value: s.memoryMiB, allowed: `at least ${PROD_MINIMUM.memoryMiB} in a prod stack (Chainlink's minimum for a production node)` });
    }
    const classProblem = databaseClassProblem(base.cloud, base.profile, s.databaseClass);
    if (classProblem) {
        problems.push({ key: "databaseClass", value: s.databaseClass, allowed: classProblem });
        return problems;
    }
    const limit = connectionLimit(base.cloud, s.databaseClass);
    if (connectionsNeeded(s.maxOpenConns) > limit) {
        const most = Math.floor((limit - RESERVED_CONNECTIONS) / NODE_COUNT);
        problems.push({
            key: "maxOpenConns",
            value: s.maxOpenConns,
            allowed: `at most ${most}: the ${NODE_COUNT} nodes may hold ${NODE_COUNT * s.maxOpenConns} connections and ${RESERVED_CONNECTIONS} stay ` +
                `reserved, but ${s.databaseClass} accepts ${limit}; lower it or choose a larger databaseClass`,
        });
    }
    return problems;
}
