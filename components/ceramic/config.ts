// The `web3-nodes:ceramic` section of a stack file: every key, its default and its rule, read into
// CeramicSettings. Problems are recorded on the reader, so they are reported with every other one. The
// Ethereum RPC URL is never repeated in a message: it usually carries an API key (the reader hides every
// secret setting, stacks/validate.ts SECRET_SETTINGS).
import type { Cloud, Profile } from "../topology";
import { Reader, setSecretCommand } from "../../stacks/validate";
import { CPU_CHOICES } from "../ipfs-cluster/settings";
import {
    ANCHOR_SERVICE_URLS,
    CORS_ORIGIN,
    CeramicNetwork,
    CeramicSettings,
    DEFAULTS,
    IPFS_FLAVOUR_NAMES,
    LIMITS,
    LOG_LEVELS,
    LogLevelName,
    NETWORKS,
    PROFILE_DEFAULTS,
    STATE_STORES,
    settingsProblems,
} from "./settings";

const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;

function ethereumRpcUrl(r: Reader, enabled: boolean): string | undefined {
    const v = r.value("ethereumRpcUrl");
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || !HTTP_URL.test(v)) {
        r.problem("ethereumRpcUrl", v, "an http(s) URL of an Ethereum JSON-RPC endpoint");
        return undefined;
    }
    // A plain-text API key in a committed stack file is a leaked key, whatever the program does with it.
    if (enabled && r.isSecret("ethereumRpcUrl") === false) {
        r.problem("ethereumRpcUrl", v, `given in plain text; it usually carries an API key: store it encrypted with ${setSecretCommand("ceramic.ethereumRpcUrl")}`);
    }
    return v;
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
    const network = r.oneOf("network", NETWORKS, DEFAULTS.network) as CeramicNetwork;
    const settings: CeramicSettings = {
        enabled,
        network,
        ethereumRpcUrl: ethereumRpcUrl(r, enabled),
        anchorServiceUrl: r.string("anchorServiceUrl", HTTPS_URL, "an https:// URL of a Ceramic anchor service", ANCHOR_SERVICE_URLS[network])!,
        corsAllowedOrigins: corsOrigins(r),
        logLevel: r.oneOf("logLevel", Object.keys(LOG_LEVELS) as LogLevelName[], DEFAULTS.logLevel)!,
        ipfsFlavour: r.oneOf("ipfsFlavour", IPFS_FLAVOUR_NAMES, DEFAULTS.ipfsFlavour)!,
        ceramicCpu: r.integerIn("ceramicCpu", CPU_CHOICES, sizes.ceramicCpu),
        ceramicMemoryMiB: r.integer("ceramicMemoryMiB", LIMITS.memoryMiB.min, LIMITS.memoryMiB.max, sizes.ceramicMemoryMiB),
        ipfsCpu: r.integerIn("ipfsCpu", CPU_CHOICES, sizes.ipfsCpu),
        ipfsMemoryMiB: r.integer("ipfsMemoryMiB", LIMITS.memoryMiB.min, LIMITS.memoryMiB.max, sizes.ipfsMemoryMiB),
        stateStore: r.oneOf("stateStore", STATE_STORES, DEFAULTS.stateStore)!,
        stateVolumeGiB: r.integer("stateVolumeGiB", LIMITS.stateVolumeGiB.min, LIMITS.stateVolumeGiB.max, sizes.stateVolumeGiB),
        repoVolumeGiB: r.integer("repoVolumeGiB", LIMITS.repoVolumeGiB.min, LIMITS.repoVolumeGiB.max, sizes.repoVolumeGiB),
        keepAlive: r.boolean("keepAlive", DEFAULTS.keepAlive),
    };
    // A disabled node declares nothing, so nothing it would need is missing. The combination is only judged
    // once each value is acceptable on its own.
    if (enabled && r.problems.length === before) {
        for (const p of settingsProblems(settings)) {
            if (p.value === undefined) r.missing(p.key, p.allowed);
            else r.problem(p.key, p.value, p.allowed);
        }
    }
    return settings;
}
