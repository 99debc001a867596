// What the offline synth puts on top of a stack file: values given with --set and --secret, at key paths as
// `pulumi config set --path` takes them, and example values for the required secrets the file does not set.
import { configValue, parseStackConfig } from "../stacks/config";
import { ConfigError, PROJECT, SECRET_SETTINGS, secretSettingOf } from "../stacks/validate";
import { childPath, standInFor } from "./stackfile";

/** A flag the synth cannot apply; the message is one line. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export type PathSegment = string | number;

const KEY_PATH_RULE = "names joined by dots, list indexes in brackets, such as network.cidr, chainlink.nodes[0].name or aws:region";

/**
 * Reads a key path the way `pulumi config set --path` does: `a.b[0]["odd.name"]`, the namespace (`aws:`)
 * optional and the project's when absent. Returns the full top-level key and the path under it.
 */
export function parseKeyPath(text: string): { fullKey: string; path: PathSegment[] } {
    const refuse = (): never => {
        throw new UsageError(`${JSON.stringify(text)} is not a key path: ${KEY_PATH_RULE}`);
    };
    const head = /^(?:([A-Za-z0-9_.-]+):)?([^.[\]:"\s]+)/.exec(text) ?? refuse();
    const fullKey = `${head[1] ?? PROJECT}:${head[2]}`;
    const path: PathSegment[] = [];
    let rest = text.slice(head[0].length);
    while (rest.length > 0) {
        // A quoted name escapes only its quotes (\"); any other backslash is itself (pulumi/pulumi v3.259.0
        // sdk/go/common/resource/properties_path.go parsePropertyPath).
        const step = /^\.([^.[\]"\s]+)/.exec(rest) ?? /^\[(\d+)\]/.exec(rest) ?? /^\[("(?:[^"\\]|\\"|\\(?!"))*")\]/.exec(rest) ?? refuse();
        path.push(step[0].startsWith("[") ? (step[1].startsWith('"') ? step[1].slice(1, -1).replace(/\\"/g, '"') : Number(step[1])) : step[1]);
        rest = rest.slice(step[0].length);
    }
    return { fullKey, path };
}

/** Whether setting `keyPath` replaces the value at the full key path `target` (the same path, or one above it). */
export function replaces(keyPath: string, target: string): boolean {
    const { fullKey, path } = parseKeyPath(keyPath);
    const set = path.reduce<string>((at, segment) => childPath(at, segment), fullKey);
    return target === set || target.startsWith(`${set}.`) || target.startsWith(`${set}[`);
}

/** What a config value is, in words, for "is a string, not an object". */
function kindOf(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Sets the value at a key path as `pulumi config set --path` does: inside the JSON of the top-level key,
 * creating the objects and lists on the way. Throws a UsageError naming the key that is no object or list.
 */
export function setPath(config: Record<string, string>, keyPath: string, value: unknown): void {
    const { fullKey, path } = parseKeyPath(keyPath);
    if (path.length === 0) {
        config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        return;
    }
    const empty = (next: PathSegment) => (typeof next === "number" ? [] : {});
    const root = config[fullKey] === undefined ? empty(path[0]) : configValue(config[fullKey]);
    let node: unknown = root;
    let at = fullKey;
    for (const [i, segment] of path.entries()) {
        if (typeof segment === "number") {
            if (!Array.isArray(node)) throw new UsageError(`${at} is ${kindOf(node)}, not a list`);
            if (segment > node.length) throw new UsageError(`${at} has ${node.length} item(s): index ${segment} would leave a gap (the next is ${node.length})`);
        } else if (node === null || typeof node !== "object" || Array.isArray(node)) {
            throw new UsageError(`${at} is ${kindOf(node)}, not an object`);
        }
        const container = node as Record<PathSegment, unknown>;
        if (i === path.length - 1) {
            container[segment] = value;
        } else {
            container[segment] ??= empty(path[i + 1]);
            node = container[segment];
            at = childPath(at, segment);
        }
    }
    config[fullKey] = JSON.stringify(root);
}

/**
 * Stands in each required secret the configuration does not set (stacks/validate.ts SECRET_SETTINGS) with its
 * example value, held as a secret, so that the rest of the stack is judged and synthesized. The validation
 * itself says which are missing; a section may judge some keys only once others are valid, hence the rounds.
 * Returns the full key paths stood in, and the ConfigError of whatever else is wrong. The real program never
 * does this: there, a missing secret stops it.
 */
export function standInMissingSecrets(config: Record<string, string>, secretKeys: Set<string>, stack: string): { standIns: string[]; invalid?: ConfigError } {
    const standIns: string[] = [];
    for (let round = 0; ; round++) {
        try {
            parseStackConfig(config, secretKeys, stack);
            return { standIns };
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            const missing = e.missingSecrets.map(k => `${PROJECT}:${k}`).filter(k => !standIns.includes(k));
            if (missing.length === 0 || round === SECRET_SETTINGS.length) return { standIns, invalid: e };
            for (const keyPath of missing) {
                setPath(config, keyPath, standInFor(keyPath));
                secretKeys.add(parseKeyPath(keyPath).fullKey);
                standIns.push(keyPath);
            }
        }
    }
}

/** The lines the synth prints about the values it stood in: one for required secrets not set, one for encrypted values. */
export function standInNotice(file: string, notSet: readonly string[], encrypted: readonly string[]): string[] {
    const lines: string[] = [];
    if (notSet.length > 0) {
        const keys = notSet.map(k => `${k} (required ${secretSettingOf(k.slice(PROJECT.length + 1))?.requiredWhen ?? "here"})`);
        lines.push(`stood in example values for required secrets not set in ${file}: ${keys.join(", ")}; ` +
            "pulumi preview and up stop until each is set with pulumi config set --secret --path '<key>' <value>");
    }
    if (encrypted.length > 0) {
        lines.push(`stood in example values for encrypted values in ${file}, which only the stack's secrets provider decrypts: ${encrypted.join(", ")}`);
    }
    return lines;
}
