// Reading resource properties the way a policy must: during `pulumi preview` any value computed from another
// resource is unknown, and a policy that reports a violation on an unknown blocks a correct program. Every
// reader here tells three cases apart: absent (the cloud's default applies), unknown (say nothing) and known.
import { UnknownValueError } from "@pulumi/policy";

/** A value `pulumi preview` cannot know yet. Policies never report a violation on it. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;
/** Absent (`undefined`), unknown, or known. */
export type Maybe<T> = T | undefined | Unknown;

// The engine's sentinels for unknown values; they only show when a value is read around its proxy.
const UNKNOWN_SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN;
}

/**
 * Whether `e` is what the engine's proxy throws on an unknown value. Not `instanceof` alone: where two copies of
 * @pulumi/policy are installed (the program's and the pack's own, after `npm ci --prefix policies`), a proxy made
 * by one throws the other's class.
 */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof UnknownValueError || (e instanceof Error && e.constructor.name === UnknownValueError.name);
}

/**
 * A plain deep copy of resource properties. The engine wraps props in a proxy that throws on an unknown
 * value; the copy has UNKNOWN in its place instead, so a rule reads every property without a try/catch.
 * `null` becomes absent.
 */
export function plain(value: unknown): unknown {
    if (value === null || value === undefined) return undefined;
    if (typeof value === "string") return UNKNOWN_SENTINELS.has(value) ? UNKNOWN : value;
    if (typeof value !== "object") return value;
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        const length = value.length;
        for (let i = 0; i < length; i++) out.push(readAt(value, i));
        return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = readAt(value, key);
    return out;
}

function readAt(container: object, key: string | number): unknown {
    try {
        return plain((container as Record<string | number, unknown>)[key]);
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
}

// Typed readers. A present value of the wrong type is treated as unknown rather than judged: a policy never
// reports a value it cannot read.

export function str(value: unknown): Maybe<string> {
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : UNKNOWN;
}

/** Booleans, and the strings "true"/"false" some APIs (EC2 launch templates) take instead. */
export function bool(value: unknown): Maybe<boolean> {
    if (value === undefined) return undefined;
    if (typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    return UNKNOWN;
}

export function num(value: unknown): Maybe<number> {
    if (value === undefined) return undefined;
    if (typeof value === "number") return value;
    if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
    return UNKNOWN;
}

export function list(value: unknown): Maybe<unknown[]> {
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value : UNKNOWN;
}

export function record(value: unknown): Maybe<Record<string, unknown>> {
    if (value === undefined) return undefined;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : UNKNOWN;
}

/** Follows a path of keys; stops at the first absent (undefined) or unknown step. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
    let current = value;
    for (const key of path) {
        if (current === undefined || isUnknown(current)) return current;
        if (current === null || typeof current !== "object") return UNKNOWN;
        current = (current as Record<string | number, unknown>)[key];
    }
    return current;
}

/** Strings of a list; unknown if the list or any element is. */
export function strings(value: unknown): Maybe<string[]> {
    const items = list(value);
    if (items === undefined || isUnknown(items)) return items;
    const out: string[] = [];
    for (const item of items) {
        const s = str(item);
        if (s === undefined) continue;
        if (isUnknown(s)) return UNKNOWN;
        out.push(s);
    }
    return out;
}

/**
 * A value with no literal content: absent, empty, unknown, or a shell expansion. A Pulumi secret is no
 * placeholder: the engine hands policies its plain text (pulumi/pulumi-policy sdk/nodejs/policy/deserialize.ts).
 */
export function isPlaceholder(value: Maybe<string>): boolean {
    if (value === undefined || isUnknown(value)) return true;
    const v = value.trim();
    return v === "" || v.startsWith("$");
}

/** `<type> "<name>"`: how every violation message starts. */
export function describe(resource: { type: string; name: string }): string {
    return `${resource.type} "${resource.name}"`;
}

/** Human list: "4001, 4011 and 4012". */
export function listing(items: readonly (string | number)[]): string {
    const parts = items.map(String);
    if (parts.length <= 1) return parts.join("");
    return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}
