// A small reader for raw stack configuration that collects every problem instead of stopping at the first.
// Each message names the key (as `pulumi config set --path` spells it), the value given and what is allowed;
// never a value the stack holds as a secret, nor one under a key the program does not know (a mistyped key
// may well hold a secret).
import { RunError } from "@pulumi/pulumi";

export const PROJECT = "web3-nodes";

/** What a message shows in place of a value it must not repeat. */
export const HIDDEN = "[secret]";

/**
 * A configuration value that is a secret: it carries a credential, so it is only ever set encrypted. The one
 * table of them: validation messages take the command from it, the offline synth the value it stands in when
 * a stack file does not set one.
 */
export interface SecretSetting {
    /** The key without the namespace, as `pulumi config set --path` spells it; `[i]` stands for any list index. */
    key: string;
    /** When the program requires it, read after "required" (the sections decide; this says it in words). */
    requiredWhen: string;
    /** A value of the right shape for the command: no shell metacharacters, so the command runs as printed. */
    example: string;
    /** What the offline synth stands in when the stack file does not set it: valid, and plainly not real. */
    standIn: string;
}

export const SECRET_SETTINGS: readonly SecretSetting[] = [
    {
        key: "registryMirror.dockerHubAccessToken",
        requiredWhen: "when cloud is aws, or when registryMirror.dockerHubUsername is set",
        example: "dckr_pat_YOUR-READ-ONLY-TOKEN",
        standIn: "example-stand-in-docker-hub-token",
    },
    {
        key: "chainlink.nodes[i].wsUrl",
        requiredWhen: "for every primary (not sendOnly) entry of chainlink.nodes",
        example: "wss://mainnet.infura.io/ws/v3/YOUR-API-KEY",
        standIn: "wss://example-stand-in.invalid/chainlink-ws",
    },
    {
        key: "chainlink.nodes[i].httpUrl",
        requiredWhen: "for every entry of chainlink.nodes",
        example: "https://mainnet.infura.io/v3/YOUR-API-KEY",
        standIn: "https://example-stand-in.invalid/chainlink-http",
    },
    {
        key: "ceramic.ethereumRpcUrl",
        requiredWhen: "when ceramic is enabled on mainnet",
        example: "https://mainnet.infura.io/v3/YOUR-API-KEY",
        standIn: "https://example-stand-in.invalid/ethereum-rpc",
    },
    {
        key: "ceramic.selfAnchoring.rpcUrl",
        requiredWhen: "when ceramic.selfAnchoring is set",
        example: "https://gnosis-mainnet.g.alchemy.com/v2/YOUR-API-KEY",
        standIn: "https://example-stand-in.invalid/anchor-rpc",
    },
    {
        key: "ceramic.selfAnchoring.privateKey",
        requiredWhen: "when ceramic.selfAnchoring is set",
        example: "YOUR-64-HEX-DIGIT-KEY-WITHOUT-0x",
        standIn: "0000000000000000000000000000000000000000000000000000000000000001",
    },
];

/** The secret setting at a key path ("chainlink.nodes[0].wsUrl", without the namespace), or undefined. */
export function secretSettingOf(keyPath: string): SecretSetting | undefined {
    const general = keyPath.replace(/\[\d+\]/g, "[i]");
    return SECRET_SETTINGS.find(s => s.key === general);
}

/** The exact command that stores the secret at `keyPath` (list indexes as they are) encrypted. */
export function setSecretCommand(keyPath: string): string {
    const setting = secretSettingOf(keyPath);
    if (setting === undefined) throw new Error(`${keyPath} is not a secret setting (stacks/validate.ts SECRET_SETTINGS)`);
    return `pulumi config set --secret --path '${PROJECT}:${keyPath}' ${setting.example}`;
}

/**
 * Invalid configuration. A RunError, which the Pulumi CLI reports by its message alone, without the stack
 * trace it prints for any other uncaught error (@pulumi/pulumi cmd/run/run.js, uncaughtHandler).
 */
export class ConfigError extends RunError {
    constructor(
        readonly problems: string[],
        /** Key paths (without the namespace) of required secrets that are not set. */
        readonly missingSecrets: readonly string[] = [],
    ) {
        super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

export function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

/** The edit distance of two short names, a swap of neighbours counting as one edit (a common typo). */
function distance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The known name a mistyped one most likely means: the same but for case, or a few edits away; else undefined. */
export function closest(name: string, known: readonly string[]): string | undefined {
    const sameCase = known.find(k => k.toLowerCase() === name.toLowerCase());
    if (sameCase !== undefined) return sameCase;
    const allowed = Math.max(1, Math.min(2, Math.floor(name.length / 4)));
    let best: { name: string; distance: number } | undefined;
    for (const k of known) {
        const d = distance(name, k);
        if (d <= allowed && (best === undefined || d < best.distance)) best = { name: k, distance: d };
    }
    return best?.name;
}

/** Reads one object of raw config values, recording problems against `prefix.key`. */
export class Reader {
    constructor(
        private readonly raw: Record<string, unknown>,
        readonly problems: string[],
        private readonly prefix = "",
        /** Every key path read, for the documentation check. */
        readonly seen: Set<string> = new Set(),
        /**
         * Top-level keys whose value is secret (set with `pulumi config set --secret`); a secret nested key
         * makes its whole top-level key secret. Undefined when not known (config read outside a stack).
         */
        private readonly secretKeys?: ReadonlySet<string>,
        /** Key paths of required secrets found missing (SECRET_SETTINGS), shared by every nested reader. */
        readonly missingSecrets: string[] = [],
    ) {}

    private get(name: string): unknown {
        this.seen.add(`${this.prefix}${name}`);
        return this.raw[name];
    }

    key(name: string): string {
        return `${PROJECT}:${this.prefix}${name}`;
    }

    has(name: string): boolean {
        return this.get(name) !== undefined && this.get(name) !== null;
    }

    /**
     * The raw value, for a section that checks it itself: a list of objects, or a value that may hold a
     * secret and so must never be repeated in a message.
     */
    value(name: string): unknown {
        return this.get(name);
    }

    /** Whether the stack holds this key as a secret; undefined when that is not known. */
    isSecret(name: string): boolean | undefined {
        if (this.secretKeys === undefined) return undefined;
        return this.secretKeys.has(`${this.prefix}${name}`.split(/[.[]/)[0]);
    }

    /** Whether a message may repeat the value at this key: not when it is, or may be, a secret. */
    private mayShow(name: string): boolean {
        return secretSettingOf(`${this.prefix}${name}`) === undefined && this.isSecret(name) !== true;
    }

    problem(name: string, value: unknown, allowed: string): void {
        this.problems.push(`${this.key(name)} = ${this.mayShow(name) ? show(value) : HIDDEN}: ${allowed}`);
    }

    /** A problem whose message repeats nothing of the value. */
    problemWithoutValue(name: string, allowed: string): void {
        this.problems.push(`${this.key(name)}: ${allowed}`);
    }

    /** A key the program needs and the stack does not set; for a secret, the message gives the command that sets it. */
    missing(name: string, allowed: string): void {
        const keyPath = `${this.prefix}${name}`;
        if (secretSettingOf(keyPath) === undefined) {
            this.problems.push(`${this.key(name)} is required: ${allowed}`);
            return;
        }
        this.missingSecrets.push(keyPath);
        this.problems.push(`${this.key(name)} is required: ${allowed}; set it with ${setSecretCommand(keyPath)}`);
    }

    /**
     * Call after reading every key of this object: any other key is a typo and is reported, not ignored. Its
     * value is never repeated: a mistyped secret key holds a secret that no rule knows to hide.
     */
    rejectUnknown(): void {
        const known = [...this.seen].filter(k => k.startsWith(this.prefix) && !k.slice(this.prefix.length).includes(".")).map(k => k.slice(this.prefix.length)).filter(k => !k.includes("["));
        for (const k of Object.keys(this.raw)) {
            if (known.includes(k)) continue;
            const meant = closest(k, known);
            this.problemWithoutValue(k, `unknown key${meant === undefined ? "" : ` (did you mean ${this.key(meant)}?)`}; known keys here: ${known.join(", ")}`);
        }
    }

    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T | undefined): T | undefined {
        const v = this.get(name);
        if (v === undefined || v === null) {
            if (fallback === undefined) this.missing(name, `one of ${allowed.join(", ")}`);
            return fallback;
        }
        if (typeof v !== "string" || !allowed.includes(v as T)) {
            this.problem(name, v, `allowed: ${allowed.join(", ")}`);
            return fallback;
        }
        return v as T;
    }

    string(name: string, pattern: RegExp, allowed: string, fallback?: string): string | undefined {
        const v = this.get(name);
        if (v === undefined || v === null) return fallback;
        if (typeof v !== "string" || !pattern.test(v)) {
            this.problem(name, v, allowed);
            return fallback;
        }
        return v;
    }

    requiredString(name: string, pattern: RegExp, allowed: string): string | undefined {
        if (!this.has(name)) {
            this.missing(name, allowed);
            return undefined;
        }
        return this.string(name, pattern, allowed);
    }

    integer(name: string, min: number, max: number, fallback: number): number {
        const v = this.get(name);
        if (v === undefined || v === null) return fallback;
        const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
        if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
            this.problem(name, v, `a whole number from ${min} to ${max}`);
            return fallback;
        }
        return n;
    }

    integerIn(name: string, allowed: readonly number[], fallback: number): number {
        const v = this.get(name);
        if (v === undefined || v === null) return fallback;
        const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
        if (typeof n !== "number" || !allowed.includes(n)) {
            this.problem(name, v, `one of ${allowed.join(", ")}`);
            return fallback;
        }
        return n;
    }

    boolean(name: string, fallback: boolean): boolean {
        const v = this.get(name);
        if (v === undefined || v === null) return fallback;
        if (v === true || v === "true") return true;
        if (v === false || v === "false") return false;
        this.problem(name, v, "true or false");
        return fallback;
    }

    stringList(name: string, each: RegExp, allowedEach: string): string[] | undefined {
        const v = this.get(name);
        if (v === undefined || v === null) return undefined;
        if (!Array.isArray(v)) {
            this.problem(name, v, `a list; each item ${allowedEach}`);
            return undefined;
        }
        let ok = true;
        v.forEach((item, i) => {
            if (typeof item !== "string" || !each.test(item)) {
                this.problem(`${name}[${i}]`, item, allowedEach);
                ok = false;
            }
        });
        return ok ? (v as string[]) : undefined;
    }

    /** A nested object, read by its own Reader so its keys are reported as `name.key`. */
    object(name: string): Reader {
        const v = this.get(name);
        if (v !== undefined && v !== null && (typeof v !== "object" || Array.isArray(v))) {
            this.problem(name, v, "an object");
            return new Reader({}, this.problems, `${this.prefix}${name}.`, this.seen, this.secretKeys, this.missingSecrets);
        }
        return new Reader((v ?? {}) as Record<string, unknown>, this.problems, `${this.prefix}${name}.`, this.seen, this.secretKeys, this.missingSecrets);
    }

    /**
     * A map of string to string, each key and value checked. An entry that breaks the rules is reported without
     * its value: it is not what the map is for, and may be a secret put in the wrong place.
     */
    stringMap(name: string, keyPattern: RegExp, valuePattern: RegExp, allowed: string): Record<string, string> {
        const v = this.get(name);
        if (v === undefined || v === null) return {};
        if (typeof v !== "object" || Array.isArray(v)) {
            this.problem(name, v, "an object of strings");
            return {};
        }
        const out: Record<string, string> = {};
        for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
            if (!keyPattern.test(k)) {
                this.problemWithoutValue(`${name}.${k}`, `not a valid key (value not shown): ${allowed}`);
            } else if (typeof val !== "string" || !valuePattern.test(val)) {
                this.problemWithoutValue(`${name}.${k}`, `not a valid value (not shown): ${allowed}`);
            } else {
                out[k] = val;
            }
        }
        return out;
    }
}
