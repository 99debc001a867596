// Reads Pulumi.<stack>.yaml into the flat key/value form the Pulumi CLI hands a program. What the CLI would
// refuse or misread is refused here, in one line that names the file, line and column.
import * as fs from "fs";
import * as path from "path";
import { Document, LineCounter, Node, Pair, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import type { Cloud, Profile } from "../components/topology";
import { PROFILES, cloudsOf } from "../stacks/config";
import { PROJECT, secretSettingOf } from "../stacks/validate";

/** A stack file that cannot be read: the message is one line, `file:line:column: what`. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

export interface StackFile {
    stack: string;
    /** The file's name, for messages: Pulumi.<stack>.yaml. */
    file: string;
    /** Full keys ("web3-nodes:cloud") to their values, objects as JSON strings. */
    config: Record<string, string>;
    /** Keys whose values are secret (given with `pulumi config set --secret`). */
    secretKeys: string[];
    /**
     * Full key paths ("web3-nodes:chainlink.nodes[0].wsUrl") of `secure:` values, which only the stack's secrets
     * provider decrypts: each reads as a secret holding an example value (standInFor).
     */
    encrypted: string[];
}

export const ROOT = path.resolve(__dirname, "..");

/** The attributes of a stack settings file (https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/). */
const STACK_FILE_ATTRIBUTES = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"];

/** What stands in for an encrypted value that is not one of the known secrets (stacks/validate.ts SECRET_SETTINGS). */
export const ENCRYPTED_STAND_IN = "example-stand-in-for-an-encrypted-value";

/** The example value that stands in for the secret at a full key path, plainly not a real one. */
export function standInFor(fullKeyPath: string): string {
    const own = `${PROJECT}:`;
    const setting = fullKeyPath.startsWith(own) ? secretSettingOf(fullKeyPath.slice(own.length)) : undefined;
    return setting?.standIn ?? ENCRYPTED_STAND_IN;
}

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

/**
 * The clouds a committed stack file runs on: those of its profile (stacks/config.ts cloudsOf), the local profile
 * on the local Docker engine alone. A profile the file misspells is the config's to report: every public cloud.
 */
export function stackClouds(stack: string, root = ROOT): readonly Cloud[] {
    const profile = readStackFile(stack, root).config[`${PROJECT}:profile`] ?? "dev";
    return cloudsOf(PROFILES.includes(profile as Profile) ? (profile as Profile) : "dev");
}

/**
 * A key path as `pulumi config set --path` spells it: names after dots, list indexes and odd names in brackets,
 * quoted with only their quotes escaped (pulumi/pulumi v3.259.0 sdk/go/common/resource/properties_path.go).
 */
export function childPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${parent}.${key}` : `${parent}["${key.replace(/"/g, '\\"')}"]`;
}

function isSecure(value: unknown): value is { secure: string } {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

/** Replaces nested `secure:` values by their stand-ins, recording the path of each. */
function standInEncrypted(value: unknown, keyPath: string, encrypted: string[]): unknown {
    if (isSecure(value)) {
        encrypted.push(keyPath);
        return standInFor(keyPath);
    }
    if (Array.isArray(value)) return value.map((item, i) => standInEncrypted(item, childPath(keyPath, i), encrypted));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, standInEncrypted(v, childPath(keyPath, k), encrypted)]));
    }
    return value;
}

/** The first thing in a value's YAML that no configuration value can be, or undefined. */
function unreadable(node: unknown, keyPath: string): { node: Node; what: string } | undefined {
    if (isAlias(node)) return undefined; // judged where its anchor is
    if (isScalar(node)) {
        const v = node.value;
        if (typeof v === "number" && !Number.isFinite(v)) {
            const token = Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf";
            return {
                node,
                what: `${keyPath} is ${token}, a YAML float no configuration value can hold (config reaches ` +
                    "the program as JSON, which has none); give a finite number, or quote it if text is meant",
            };
        }
        if (v !== null && !["string", "number", "boolean"].includes(typeof v)) {
            const tag = node.tag?.replace(/^tag:yaml\.org,2002:/, "!!") ?? typeof v;
            return { node, what: `${keyPath} is a ${tag} value; configuration holds text, numbers, booleans, lists and maps` };
        }
        return undefined;
    }
    if (isSeq(node)) {
        for (const [i, item] of node.items.entries()) {
            const found = unreadable(item, childPath(keyPath, i));
            if (found) return found;
        }
        return undefined;
    }
    if (isMap(node)) {
        const secure = node.items.length === 1 && isScalar(node.items[0].key) && node.items[0].key.value === "secure";
        if (secure && !(isScalar(node.items[0].value) && typeof node.items[0].value.value === "string")) {
            return { node: node.items[0].key as Node, what: `${keyPath}: secure: holds the ciphertext pulumi config set --secret writes, a string` };
        }
        for (const pair of node.items as Pair<unknown, unknown>[]) {
            if (!isScalar(pair.key) || !["string", "number"].includes(typeof pair.key.value)) {
                return { node: (pair.key as Node | null) ?? node, what: `${keyPath} has a key that is not a name` };
            }
            const found = unreadable(pair.value, childPath(keyPath, String(pair.key.value)));
            if (found) return found;
        }
    }
    return undefined;
}

/** The key whose node starts at `offset`, for a message about it. */
function keyAt(doc: Document, offset: number): string | undefined {
    let found: string | undefined;
    visit(doc, {
        Pair(_, pair) {
            if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
                found = String(pair.key.value);
                return visit.BREAK;
            }
            return undefined;
        },
    });
    return found;
}

export function readStackFile(stack: string, root = ROOT): StackFile {
    const file = stackFilePath(stack, root);
    const name = path.basename(file);
    if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(file)) {
        throw new StackFileError(`no stack file ${name}; stacks here: ${listStacks(root).join(", ") || "none"}`);
    }
    const lines = new LineCounter();
    const doc = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter: lines, prettyErrors: false });
    const refuse = (offset: number, what: string): never => {
        const { line, col } = lines.linePos(offset);
        throw new StackFileError(`${name}:${line}:${col}: ${what}`);
    };
    // The parser's own message, without the excerpt of the file it would add (which may show a secret).
    const [firstError] = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0]);
    if (firstError) {
        const duplicate = firstError.code === "DUPLICATE_KEY" ? keyAt(doc, firstError.pos[0]) : undefined;
        refuse(firstError.pos[0], `${firstError.message.split("\n")[0]}${duplicate === undefined ? "" : `: ${duplicate} is given twice`}`);
    }

    const top = doc.contents;
    if (top !== null && !isMap(top)) refuse(top.range?.[0] ?? 0, `a stack file is a map of ${STACK_FILE_ATTRIBUTES.join(", ")}`);
    let configNode: Node | null = null;
    for (const pair of isMap(top) ? top.items : []) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== "string" || !STACK_FILE_ATTRIBUTES.includes(key)) {
            refuse((pair.key as Node | null)?.range?.[0] ?? 0, `${JSON.stringify(key ?? null)} is not an attribute of a stack file; they are ${STACK_FILE_ATTRIBUTES.join(", ")}`);
        }
        if (key === "config") configNode = pair.value as Node | null;
    }
    if (configNode !== null && !isMap(configNode) && !(isScalar(configNode) && configNode.value === null)) {
        refuse(configNode.range?.[0] ?? 0, "config is a map of keys (<namespace>:<name>) to values");
    }
    for (const pair of isMap(configNode) ? configNode.items : []) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        const at = (pair.key as Node | null)?.range?.[0] ?? 0;
        // pulumi/pulumi sdk/go/common/resource/config/key.go ParseKey: "configuration keys should be of the form `<namespace>:<name>`".
        if (typeof key !== "string" || !/^[^:]+:[^:]/.test(key)) {
            refuse(at, `config key ${JSON.stringify(key ?? null)}: keys are <namespace>:<name>, such as ${PROJECT}:domain`);
        }
        const found = unreadable(pair.value, key as string);
        if (found) refuse(found.node.range?.[0] ?? at, found.what);
    }

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const encrypted: string[] = [];
    const values = ((doc.toJS() ?? {}) as { config?: Record<string, unknown> }).config ?? {};
    for (const [key, raw] of Object.entries(values)) {
        const before = encrypted.length;
        const value = standInEncrypted(raw, key, encrypted);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (encrypted.length > before) secretKeys.push(key);
    }
    return { stack, file: name, config, secretKeys, encrypted };
}
