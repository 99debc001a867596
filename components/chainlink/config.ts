// The `web3-nodes:chainlink` section of a stack file: every key, its default and its rule, read into
// ChainlinkSettings. Problems are recorded on the reader, so they are reported with every other one. The RPC
// URLs carry API keys: a message about them never repeats them, only their scheme; a key a node does not
// know is named without its value (a mistyped wsUrl holds a URL with a key in it).
import type { Cloud, Profile } from "../topology";
import { readAllowlist } from "../topology/cidrs";
import { BACKUP_RETENTION_DAYS, POSTGRES_VERSIONS } from "../topology/postgres";
import { Reader, closest, setSecretCommand } from "../../stacks/validate";
import { VERSION } from "./images";
import { readP2pSettings } from "./p2p";
import {
    CPU_CHOICES, ChainlinkSettings, DATABASE_CLASS_DEFAULTS, DEFAULTS, DURATION, LIMITS, NODE_ORDER, PROFILE_DEFAULTS, RpcNode, SELECTION_MODES, durationSeconds,
    settingsProblems,
} from "./settings";

const CHAIN_ID = /^[1-9]\d{0,77}$/;
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const NODE_KEYS = ["name", "wsUrl", "httpUrl", "sendOnly", "order"] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i;

const NODES_ALLOWED = "a list of one or more EVM RPC nodes, each { name, wsUrl, httpUrl } (a send-only node: { name, httpUrl, sendOnly: true })";
const ENABLED = "chainlink is enabled";

/** URL schemes per key, and the one a prod stack requires: the URL carries the RPC provider's API key. */
const URL_SCHEMES = {
    wsUrl: { allowed: ["ws:", "wss:"], secure: "wss:", what: "a ws:// or wss:// URL" },
    httpUrl: { allowed: ["http:", "https:"], secure: "https:", what: "an http:// or https:// URL" },
} as const;

/** What a message shows of a value that may hold a secret: never the value, at most its scheme. */
export function secretShown(value: unknown): string {
    if (typeof value !== "string") return "[secret]";
    try {
        return `[secret ${new URL(value).protocol}//…]`;
    } catch {
        return "[secret: not a URL]";
    }
}

function secretProblem(r: Reader, key: string, value: unknown, allowed: string): void {
    r.problems.push(`${r.key(key)} = ${secretShown(value)}: ${allowed}`);
}

function readChainId(r: Reader, enabled: boolean): string {
    const raw = r.value("chainId");
    if (raw === undefined || raw === null) {
        if (enabled) r.missing("chainId", `${ENABLED}: the EVM chain ID the node serves, such as 1 (Ethereum) or 11155111 (Sepolia)`);
        return "";
    }
    const text = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
    if (typeof text !== "string" || !CHAIN_ID.test(text)) {
        r.problem("chainId", raw, "a positive whole number in decimal: the EVM chain ID, such as 1 (Ethereum) or 11155111 (Sepolia)");
        return "";
    }
    return text;
}

function readUrl(r: Reader, key: string, value: unknown, kind: keyof typeof URL_SCHEMES, profile: Profile): string | undefined {
    const rule = URL_SCHEMES[kind];
    if (value === undefined || value === null) {
        r.missing(key, rule.what);
        return undefined;
    }
    let url: URL | undefined;
    try {
        url = typeof value === "string" ? new URL(value) : undefined;
    } catch {
        url = undefined;
    }
    if (!url || !(rule.allowed as readonly string[]).includes(url.protocol) || url.hostname === "") {
        secretProblem(r, key, value, rule.what);
        return undefined;
    }
    if (profile === "prod" && url.protocol !== rule.secure) {
        secretProblem(r, key, value, `${rule.secure}// in a prod stack: the URL carries the RPC provider's API key, which ${url.protocol}// sends in clear`);
        return undefined;
    }
    return value as string;
}

/**
 * The RPC nodes, as Chainlink validates them (docs/CONFIG.md EVM.Nodes at the pinned tag; chainlink-evm
 * EVMConfig.ValidateConfig and EVMConfigs.validateKeys): unique names and URLs, HTTPURL on every node, WSURL on
 * every primary node and unused on a send-only one, Order from 1 to 100, at least one primary node. In a prod
 * stack every URL is refused unless it is set encrypted: each carries the provider's API key.
 */
function readNodes(r: Reader, enabled: boolean, profile: Profile): RpcNode[] {
    const raw = r.value("nodes");
    if (raw === undefined || raw === null) {
        if (enabled) r.missing("nodes", `${ENABLED}: ${NODES_ALLOWED}`);
        return [];
    }
    if (!Array.isArray(raw) || raw.length === 0 || raw.some(n => n === null || typeof n !== "object" || Array.isArray(n))) {
        secretProblem(r, "nodes", raw, NODES_ALLOWED);
        return [];
    }
    const inPlainText = enabled && profile === "prod" && r.isSecret("nodes") === false;
    const nodes: RpcNode[] = [];
    const names = new Map<string, number>();
    const urls = new Map<string, string>();
    raw.forEach((item: Record<string, unknown>, i) => {
        const at = (key: string) => `nodes[${i}].${key}`;
        for (const k of Object.keys(item)) {
            if ((NODE_KEYS as readonly string[]).includes(k)) continue;
            const meant = closest(k, NODE_KEYS);
            r.problemWithoutValue(at(k), `unknown key${meant === undefined ? "" : ` (did you mean ${r.key(at(meant))}?)`}; known keys here: ${NODE_KEYS.join(", ")}`);
        }
        const name = item.name;
        let ok = true;
        if (name === undefined || name === null) r.missing(at("name"), "a name for the RPC node: letters, digits, _ . and -");
        else if (typeof name !== "string" || !NODE_NAME.test(name)) r.problem(at("name"), name, "letters, digits, _ . and - (at most 63), starting with a letter or digit");
        else if (names.has(name)) r.problem(at("name"), name, `unique among the nodes; nodes[${names.get(name)}] has it too`);
        if (typeof name !== "string" || !NODE_NAME.test(name) || names.has(name)) ok = false;
        if (typeof name === "string" && !names.has(name)) names.set(name, i);

        const sendOnlyRaw = item.sendOnly ?? false;
        if (typeof sendOnlyRaw !== "boolean") {
            r.problem(at("sendOnly"), sendOnlyRaw, "true or false: a send-only node only broadcasts transactions, over its httpUrl");
            ok = false;
        }
        const sendOnly = sendOnlyRaw === true;
        let wsUrl: string | undefined;
        if (sendOnly) {
            if (item.wsUrl !== undefined && item.wsUrl !== null) {
                r.problemWithoutValue(at("wsUrl"), "not used by a send-only node (Chainlink broadcasts over its httpUrl only): remove it");
                ok = false;
            }
        } else {
            wsUrl = readUrl(r, at("wsUrl"), item.wsUrl, "wsUrl", profile);
            if (wsUrl === undefined) ok = false;
        }
        const httpUrl = readUrl(r, at("httpUrl"), item.httpUrl, "httpUrl", profile);
        if (httpUrl === undefined) ok = false;
        for (const [key, url] of [["wsUrl", wsUrl], ["httpUrl", httpUrl]] as const) {
            if (url === undefined) continue;
            const first = urls.get(url);
            if (first !== undefined) {
                r.problemWithoutValue(at(key), `the same URL as ${first}: every node is a different endpoint (Chainlink refuses duplicates)`);
                ok = false;
            } else {
                urls.set(url, at(key));
            }
            if (inPlainText) {
                r.problem(at(key), url, `given in plain text in a prod stack; it carries the RPC provider's API key: store it encrypted with ${setSecretCommand(`chainlink.${at(key)}`)}`);
                ok = false;
            }
        }

        let order: number | undefined;
        if (item.order !== undefined && item.order !== null) {
            const o = item.order;
            if (typeof o !== "number" || !Number.isInteger(o) || o < NODE_ORDER.min || o > NODE_ORDER.max) {
                r.problem(at("order"), o, `a whole number from ${NODE_ORDER.min} (tried first) to ${NODE_ORDER.max} (Chainlink's default)`);
                ok = false;
            } else {
                order = o;
            }
        }
        if (ok) nodes.push({ name: name as string, ...(wsUrl === undefined ? {} : { wsUrl }), httpUrl: httpUrl!, sendOnly, ...(order === undefined ? {} : { order }) });
    });
    if (nodes.length === raw.length && nodes.every(n => n.sendOnly)) {
        r.problemWithoutValue("nodes", "at least one primary node (without sendOnly): Chainlink reads the chain from primary nodes and only broadcasts through send-only ones");
        return [];
    }
    return nodes;
}

function readOperatorCidrs(r: Reader, enabled: boolean): string[] {
    return readAllowlist(r, "operatorCidrs", {
        missing: enabled
            ? { required: `${ENABLED}: the networks operators (and Prometheus) reach the UI from, such as ["203.0.113.0/24"]; never 0.0.0.0/0` }
            : { fallback: [] },
        worldRefused: "not the whole internet: the operator UI controls the node's keys and jobs; name the operators' networks",
    });
}

function readLeaseDuration(r: Reader): string {
    const { min, max } = LIMITS.leaseSeconds;
    const allowed = `a duration from ${min}s to ${max / 60}m such as 10s, 30s or 1m`;
    const value = r.string("leaseDuration", DURATION, allowed, DEFAULTS.leaseDuration)!;
    if (!DURATION.test(value)) return DEFAULTS.leaseDuration;
    const seconds = durationSeconds(value);
    if (seconds < min || seconds > max) {
        r.problem("leaseDuration", value, allowed);
        return DEFAULTS.leaseDuration;
    }
    return value;
}

export function readChainlinkSettings(r: Reader, base: { cloud: Cloud; profile: Profile }): ChainlinkSettings {
    const sizes = PROFILE_DEFAULTS[base.profile];
    const before = r.problems.length;
    const enabled = r.boolean("enabled", DEFAULTS.enabled);
    const settings: ChainlinkSettings = {
        enabled,
        chainId: readChainId(r, enabled),
        nodes: readNodes(r, enabled, base.profile),
        selectionMode: r.oneOf("selectionMode", SELECTION_MODES, DEFAULTS.selectionMode)!,
        version: r.string("version", VERSION, `a Chainlink 2.x release such as ${DEFAULTS.version} (the image tag of smartcontract/chainlink; never latest or a -root tag)`, DEFAULTS.version)!,
        cpu: r.integerIn("cpu", CPU_CHOICES, sizes.cpu),
        memoryMiB: r.integer("memoryMiB", LIMITS.memoryMiB.min, LIMITS.memoryMiB.max, sizes.memoryMiB),
        databaseClass: r.string("databaseClass", /^[a-z0-9.-]{1,64}$/, "an instance class such as db.r6g.large (AWS) or db-custom-2-13312 (GCP)",
            DATABASE_CLASS_DEFAULTS[base.cloud][base.profile])!,
        databaseStorageGiB: r.integer("databaseStorageGiB", LIMITS.databaseStorageGiB.min, LIMITS.databaseStorageGiB.max, sizes.databaseStorageGiB),
        databaseVersion: r.integer("databaseVersion", POSTGRES_VERSIONS.min, POSTGRES_VERSIONS.max, DEFAULTS.databaseVersion),
        backupRetentionDays: r.has("backupRetentionDays")
            ? r.integer("backupRetentionDays", BACKUP_RETENTION_DAYS.min, BACKUP_RETENTION_DAYS.max, BACKUP_RETENTION_DAYS.min)
            : undefined,
        leaseDuration: readLeaseDuration(r),
        maxOpenConns: r.integer("maxOpenConns", LIMITS.maxOpenConns.min, LIMITS.maxOpenConns.max, DEFAULTS.maxOpenConns),
        operatorCidrs: readOperatorCidrs(r, enabled),
        p2p: readP2pSettings(r.object("p2p")),
        alertEmail: r.string("alertEmail", EMAIL, "an email address that receives the database's alarms"),
    };
    // The combination is only judged once each value is acceptable on its own.
    if (r.problems.length === before) {
        const { enabled: _enabled, ...rest } = settings;
        for (const p of settingsProblems(rest, base)) r.problem(p.key, p.value, p.allowed);
    }
    return settings;
}
