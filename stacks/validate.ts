// A small reader for raw stack configuration that collects every problem instead of stopping at the first.
// Each message names the key (as `pulumi config set --path` spells it), the value given and what is allowed.

export const PROJECT = "web3-nodes";

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

export function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
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
        return this.secretKeys.has(`${this.prefix}${name}`.split(".")[0]);
    }

    problem(name: string, value: unknown, allowed: string): void {
        this.problems.push(`${this.key(name)} = ${show(value)}: ${allowed}`);
    }

    missing(name: string, allowed: string): void {
        this.problems.push(`${this.key(name)} is required: ${allowed}`);
    }

    /** Call after reading every key of this object: any other key is a typo and is reported, not ignored. */
    rejectUnknown(): void {
        const known = [...this.seen].filter(k => k.startsWith(this.prefix) && !k.slice(this.prefix.length).includes(".")).map(k => k.slice(this.prefix.length)).filter(k => !k.includes("["));
        for (const k of Object.keys(this.raw)) {
            if (!known.includes(k)) this.problem(k, this.raw[k], `unknown key; known keys here: ${known.join(", ")}`);
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
            return new Reader({}, this.problems, `${this.prefix}${name}.`, this.seen, this.secretKeys);
        }
        return new Reader((v ?? {}) as Record<string, unknown>, this.problems, `${this.prefix}${name}.`, this.seen, this.secretKeys);
    }

    /** A map of string to string, each key and value checked. */
    stringMap(name: string, keyPattern: RegExp, valuePattern: RegExp, allowed: string): Record<string, string> {
        const v = this.get(name);
        if (v === undefined || v === null) return {};
        if (typeof v !== "object" || Array.isArray(v)) {
            this.problem(name, v, "an object of strings");
            return {};
        }
        const out: Record<string, string> = {};
        for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
            if (!keyPattern.test(k) || typeof val !== "string" || !valuePattern.test(val)) {
                this.problem(`${name}.${k}`, val, allowed);
            } else {
                out[k] = val;
            }
        }
        return out;
    }
}
