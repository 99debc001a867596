// Reads Pulumi.<stack>.yaml into the flat key/value form the Pulumi CLI hands a program.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** What stands in for a `secure:` value, which cannot be decrypted without the stack's secrets provider. */
export const SECURE_PLACEHOLDER = "offline-placeholder-for-a-secure-value";

/**
 * What stands in for a secure value whose key says what it holds, so validation still judges the rest of the
 * stack: the RPC URLs of chainlink.nodes carry API keys and are always set with --secret.
 */
export const SHAPED_PLACEHOLDERS: Record<string, string> = {
    wsUrl: "wss://offline-placeholder.invalid/secure-value",
    httpUrl: "https://offline-placeholder.invalid/secure-value",
    // ceramic.ethereumRpcUrl: an Ethereum RPC endpoint, usually with an API key in its path.
    ethereumRpcUrl: "https://offline-placeholder.invalid/secure-value",
};

export interface StackFile {
    stack: string;
    /** Full keys ("web3-nodes:cloud") to their values, objects as JSON strings. */
    config: Record<string, string>;
    /** Keys whose values are secret (given with `pulumi config set --secret`). */
    secretKeys: string[];
}

export const ROOT = path.resolve(__dirname, "..");

export function stackFilePath(stack: string, root = ROOT): string {
    return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Every stack that has a Pulumi.<stack>.yaml at the project root. */
export function listStacks(root = ROOT): string[] {
    return fs.readdirSync(root)
        .map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function isSecure(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 1 && "secure" in (value as object);
}

/** Replaces nested `secure:` values by a placeholder (shaped by their key when it can be) and tells whether there were any. */
function stripSecure(value: unknown, key?: string): { value: unknown; secret: boolean } {
    if (isSecure(value)) return { value: (key !== undefined ? SHAPED_PLACEHOLDERS[key] : undefined) ?? SECURE_PLACEHOLDER, secret: true };
    if (Array.isArray(value)) {
        const items = value.map(item => stripSecure(item));
        return { value: items.map(i => i.value), secret: items.some(i => i.secret) };
    }
    if (value !== null && typeof value === "object") {
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            const s = stripSecure(v, k);
            out[k] = s.value;
            secret = secret || s.secret;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

export function readStackFile(stack: string, root = ROOT): StackFile {
    const file = stackFilePath(stack, root);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${path.basename(file)}; stacks here: ${listStacks(root).join(", ") || "none"}`);
    }
    const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(doc.config ?? {})) {
        const { value, secret } = stripSecure(raw);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) secretKeys.push(key);
    }
    return { stack, config, secretKeys };
}
