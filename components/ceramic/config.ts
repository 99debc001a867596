// The `web3-nodes:ceramic` section of a stack file: every key, its default and its rule, read into
// CeramicSettings. Problems are recorded on the reader, so they are reported with every other one. The
// RPC URLs and the self-anchoring key are never repeated in a message: they carry API keys or are keys (the
// reader hides every secret setting, stacks/validate.ts SECRET_SETTINGS).
import type { Cloud, Profile } from "../topology";
import { Reader, setSecretCommand } from "../../stacks/validate";
import { CPU_CHOICES } from "../ipfs-cluster/settings";
import { readAllowlist } from "../topology/cidrs";
import { INDEX_DATABASE_KEYS, indexDatabaseProblems, readIndexDatabaseSettings } from "./indexDatabase";
import {
    ANCHOR_SERVICE_URLS,
    API_CIDRS_WHEN_UNSET,
    CORS_ORIGIN,
    CeramicFlavour,
    CeramicNetwork,
    CeramicSettings,
    DEFAULTS,
    FLAVOURS,
    LIMITS,
    LOG_LEVELS,
    LogLevelName,
    NETWORKS,
    PROFILE_DEFAULTS,
    SELF_ANCHORING_REQUIRED,
    STATE_STORES,
    SelfAnchoring,
    adminDidProblem,
    settingsProblems,
} from "./settings";

const HTTP_URL = /^https?:\/\/[^\s/?#,]+[^\s,]*$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;
/** --evm-private-key: hex without 0x, decoded into a 32-byte signing key (anchor-evm evm_transaction_manager.rs). */
const EVM_PRIVATE_KEY = /^[0-9a-fA-F]{64}$/;
const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** Seconds between anchor batches: a minute to a day. */
export const ANCHOR_INTERVAL_SECONDS = { min: 60, max: 86400 } as const;

/**
 * An RPC URL that is a secret: an http(s) URL, refused in plain text when the node is enabled, and without
 * commas (ceramic-one reads its URL lists comma-separated). `keyPath` below `ceramic.`.
 */
function secretUrl(r: Reader, name: string, keyPath: string, enabled: boolean, what: string): string | undefined {
    const v = r.value(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || !HTTP_URL.test(v)) {
        r.problem(name, v, `an http(s) URL of ${what}`);
        return undefined;
    }
    // A plain-text API key in a committed stack file is a leaked key, whatever the program does with it.
    if (enabled && r.isSecret(name) === false) {
        r.problem(name, v, `given in plain text; it usually carries an API key: store it encrypted with ${setSecretCommand(`ceramic.${keyPath}`)}`);
    }
    return v;
}

function adminDids(r: Reader): string[] {
    const v = r.value("adminDids");
    if (v === undefined || v === null) return [...DEFAULTS.adminDids];
    if (!Array.isArray(v)) {
        r.problem("adminDids", v, "a list of whole did:key DIDs");
        return [];
    }
    const dids: string[] = [];
    v.forEach((did, i) => {
        const problem = adminDidProblem(did);
        if (problem) r.problem(`adminDids[${i}]`, did, problem);
        else if (dids.includes(did)) r.problem(`adminDids[${i}]`, did, "listed twice");
        else dids.push(did);
    });
    return dids;
}

/**
 * ceramic-one's self-anchoring: absent, or all of its four required keys (ceramic-one exits on a subset,
 * rust-ceramic@v0.58.0 one/src/daemon.rs "Incomplete EVM anchoring configuration"); each missing one is named.
 */
function selfAnchoring(r: Reader, enabled: boolean): SelfAnchoring | undefined {
    const given = r.has("selfAnchoring");
    const s = r.object("selfAnchoring");
    const rpcUrl = secretUrl(s, "rpcUrl", "selfAnchoring.rpcUrl", enabled, "the anchor chain's JSON-RPC endpoint");
    const rawKey = s.value("privateKey");
    let privateKey: string | undefined;
    if (rawKey !== undefined && rawKey !== null) {
        if (typeof rawKey !== "string" || !EVM_PRIVATE_KEY.test(rawKey)) {
            s.problem("privateKey", rawKey, "the anchoring account's private key: 64 hex digits without 0x");
        } else if (enabled && s.isSecret("privateKey") === false) {
            s.problem("privateKey", rawKey, `given in plain text: store it encrypted with ${setSecretCommand("ceramic.selfAnchoring.privateKey")}`);
        } else {
            privateKey = rawKey;
        }
    }
    const chainId = s.has("chainId") ? s.integer("chainId", 1, Number.MAX_SAFE_INTEGER, 0) : undefined;
    const contractAddress = s.string("contractAddress", EVM_ADDRESS, "the anchor contract's address: 0x and 40 hex digits");
    const intervalSeconds = s.integer("intervalSeconds", ANCHOR_INTERVAL_SECONDS.min, ANCHOR_INTERVAL_SECONDS.max, DEFAULTS.anchorIntervalSeconds);
    s.rejectUnknown();
    if (!given) return undefined;
    const missing = SELF_ANCHORING_REQUIRED.filter(k => !s.has(k));
    if (missing.length > 0) {
        const set = SELF_ANCHORING_REQUIRED.filter(k => s.has(k));
        const why = `${set.length > 0 ? `selfAnchoring.${set.join(", selfAnchoring.")} ${set.length === 1 ? "is" : "are"} set, and ` : ""}ceramic-one ` +
            `self-anchors only with all of ${SELF_ANCHORING_REQUIRED.map(k => `selfAnchoring.${k}`).join(", ")} (it exits otherwise)`;
        for (const key of missing) s.missing(key, why);
        return undefined;
    }
    if (rpcUrl === undefined || privateKey === undefined || chainId === undefined || chainId === 0 || contractAddress === undefined) return undefined;
    return { rpcUrl, privateKey, chainId, contractAddress, intervalSeconds };
}

/** ceramic-one's API allowlist, read as every allowlist is (components/topology/cidrs.ts); the world is refused in prod. */
function apiCidrs(r: Reader, enabled: boolean, flavour: CeramicFlavour, profile: Profile): string[] {
    const unset = API_CIDRS_WHEN_UNSET[profile];
    if (flavour !== "ceramic-one") {
        if (r.has("apiCidrs")) r.problemWithoutValue("apiCidrs", `flavour is ${flavour}: the allowlist is ceramic-one's API's (flavour ceramic-one); js-ceramic's API is public`);
        return [];
    }
    return readAllowlist(r, "apiCidrs", {
        missing: unset === "required" && enabled
            ? { required: `ceramic is enabled with flavour ceramic-one in a ${profile} stack: the networks the Ceramic API's clients call from, such as ["203.0.113.0/24"]; never 0.0.0.0/0` }
            : { fallback: unset === "required" ? [] : unset },
        worldRefused: unset === "required"
            ? `not the whole internet in a ${profile} stack: ceramic-one's API takes events and interests from whoever reaches it; name its clients' networks`
            : undefined,
    });
}

function corsOrigins(r: Reader): string[] {
    const origins = r.stringList("corsAllowedOrigins", CORS_ORIGIN, "a regular expression of allowed origins, without spaces, such as ^https://app\\.example\\.com$");
    if (origins === undefined) return [...DEFAULTS.corsAllowedOrigins];
    let ok = true;
    origins.forEach((o, i) => {
        try {
            new RegExp(o);
        } catch {
            r.problem(`corsAllowedOrigins[${i}]`, o, "a valid regular expression");
            ok = false;
        }
    });
    if (origins.length === 0) {
        r.problem("corsAllowedOrigins", origins, 'at least one origin; [".*"] allows every origin');
        ok = false;
    }
    return ok ? origins : [...DEFAULTS.corsAllowedOrigins];
}

export function readCeramicSettings(r: Reader, base: { cloud: Cloud; profile: Profile }): CeramicSettings {
    const sizes = PROFILE_DEFAULTS[base.profile];
    const before = r.problems.length;
    const enabled = r.boolean("enabled", DEFAULTS.enabled);
    const flavour = r.oneOf("flavour", FLAVOURS, DEFAULTS.flavour)!;
    const network = r.oneOf("network", NETWORKS, DEFAULTS.network) as CeramicNetwork;
    const settings: CeramicSettings = {
        enabled,
        flavour,
        network,
        ethereumRpcUrl: secretUrl(r, "ethereumRpcUrl", "ethereumRpcUrl", enabled, "an Ethereum JSON-RPC endpoint"),
        anchorServiceUrl: r.string("anchorServiceUrl", HTTPS_URL, "an https:// URL of a Ceramic anchor service", ANCHOR_SERVICE_URLS[network])!,
        corsAllowedOrigins: corsOrigins(r),
        logLevel: r.oneOf("logLevel", Object.keys(LOG_LEVELS) as LogLevelName[], DEFAULTS.logLevel)!,
        adminDids: adminDids(r),
        metricsPublisher: r.boolean("metricsPublisher", DEFAULTS.metricsPublisher),
        apiCidrs: apiCidrs(r, enabled, flavour, base.profile),
        selfAnchoring: selfAnchoring(r, enabled),
        migrateFromKubo: r.boolean("migrateFromKubo", DEFAULTS.migrateFromKubo),
        zone: r.string("zone", /^[a-z0-9-]+$/, "a zone of the stack that holds the node's volumes, such as us-east-1b or us-central1-b"),
        ceramicCpu: r.integerIn("ceramicCpu", CPU_CHOICES, sizes.ceramicCpu),
        ceramicMemoryMiB: r.integer("ceramicMemoryMiB", LIMITS.memoryMiB.min, LIMITS.memoryMiB.max, sizes.ceramicMemoryMiB),
        ipfsCpu: r.integerIn("ipfsCpu", CPU_CHOICES, sizes.ipfsCpu),
        ipfsMemoryMiB: r.integer("ipfsMemoryMiB", LIMITS.memoryMiB.min, LIMITS.memoryMiB.max, sizes.ipfsMemoryMiB),
        stateStore: r.oneOf("stateStore", STATE_STORES, DEFAULTS.stateStore)!,
        stateVolumeGiB: r.integer("stateVolumeGiB", LIMITS.stateVolumeGiB.min, LIMITS.stateVolumeGiB.max, sizes.stateVolumeGiB),
        repoVolumeGiB: r.integer("repoVolumeGiB", LIMITS.repoVolumeGiB.min, LIMITS.repoVolumeGiB.max, sizes.repoVolumeGiB),
        keepAlive: r.boolean("keepAlive", DEFAULTS.keepAlive),
        ...readIndexDatabaseSettings(r, base),
    };
    // A disabled node declares nothing, so nothing it would need is missing. The combination is only judged
    // once each value is acceptable on its own.
    if (enabled && r.problems.length === before) {
        const given = INDEX_DATABASE_KEYS.filter(k => r.has(k));
        for (const p of [...settingsProblems(settings), ...indexDatabaseProblems(settings, base.cloud, base.profile, given)]) {
            if (p.missing) r.missing(p.key, p.allowed);
            else if (p.value === undefined) r.problemWithoutValue(p.key, p.allowed);
            else r.problem(p.key, p.value, p.allowed);
        }
    }
    return settings;
}
