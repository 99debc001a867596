// What both back-ends share about physical names: the shape of a cloud's naming rule, how a name too long for
// its rule is cut, and what the providers append to names they complete themselves. Each cloud keeps its own
// table of rules (components/aws/names.ts, components/gcp/names.ts).
import * as crypto from "crypto";

/** Where a cloud states a naming rule. Read 2026-12-01. */
export type NameSource =
    /** A member of an operation's input in botocore's service model: `quote` is in its documentation. */
    | { botocore: { service: string; operation: string; member: string }; quote?: string }
    /** A property's documentation in the installed provider SDK (`<Class>Args.<property>`), which says `quote`. */
    | { provider: { module: string; resource: string; property: string }; quote: string }
    /** A page of the cloud's documentation. */
    | { url: string };

/** One cloud rule for the physical names one input of one resource type carries. */
export interface NameRule {
    /** The Pulumi type token of the resource. */
    type: string;
    /** The input holding the name; `a.b[]` reaches into objects and lists. */
    field: string;
    /** An input that gives a prefix instead, which the provider completes with `suffixLength` unique characters. */
    prefix?: { field: string; suffixLength: number };
    min: number;
    max: number;
    /** What the whole name must match: its characters and how it may begin and end. */
    pattern: RegExp;
    /** The rule in words, for messages. */
    allowed: string;
    source: NameSource;
}

/**
 * What Pulumi's bridged providers append to a resource's logical name when they generate its `name`: a dash and
 * seven random hex characters (pulumi-terraform-bridge `tfbridge.AutoName`, Randlen 7, through
 * pulumi/pulumi sdk/go/common/resource `NewUniqueHex`).
 */
export const AUTONAME_SUFFIX_LENGTH = 8;

/**
 * What the Terraform providers append to a `name_prefix`: 26 characters, a timestamp and a counter
 * (hashicorp/terraform-plugin-sdk helper/id `UniqueIDSuffixLength`).
 */
export const UNIQUE_ID_SUFFIX_LENGTH = 26;

/**
 * A DNS name, as every DNS service takes it: labels of at most 63 characters, at most 253 in all (RFC 1035
 * 2.3.4; 255 octets on the wire), an optional final dot. Underscores begin validation and service labels.
 */
export function dnsNameRule(type: string, field: string): NameRule {
    return {
        type, field, min: 1, max: 254,
        pattern: /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/,
        allowed: "a DNS name: labels of at most 63 letters, digits, hyphens and underscores, at most 253 characters",
        source: { url: "https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4" },
    };
}

/** RFC 5280's ub-common-name: the longest common name, so the longest first name of a TLS certificate. */
export const CERTIFICATE_NAME_MAX = 64;

/** Characters of the hash that keeps a cut name unique. */
const HASH_LENGTH = 6;

/**
 * `name` if it has at most `max` characters; otherwise its beginning and a hash of all of it, `max` characters
 * at most, so two long names that share a beginning stay apart and a name never changes between runs.
 */
export function fitName(name: string, max: number): string {
    if (name.length <= max) return name;
    if (max < HASH_LENGTH + 2) throw new Error(`cannot fit ${JSON.stringify(name)} into ${max} characters`);
    const hash = crypto.createHash("sha256").update(name).digest("hex").slice(0, HASH_LENGTH);
    return `${name.slice(0, max - HASH_LENGTH - 1).replace(/[-_./]+$/, "")}-${hash}`;
}

/** Why `name` breaks `rule`, or undefined when it keeps it. */
export function nameProblem(rule: NameRule, name: string): string | undefined {
    if (name.length < rule.min || name.length > rule.max) {
        return `${JSON.stringify(name)} has ${name.length} characters; ${rule.type} ${rule.field} allows ${rule.min} to ${rule.max}: ${rule.allowed}`;
    }
    if (!rule.pattern.test(name)) return `${JSON.stringify(name)} breaks the rule of ${rule.type} ${rule.field}: ${rule.allowed}`;
    return undefined;
}

/** Throws when a name the program made breaks its rule: a bug in the program, never in the stack's config. */
export function assertName(rule: NameRule, name: string): string {
    const problem = nameProblem(rule, name);
    if (problem) throw new Error(`physical name ${problem}`);
    return name;
}
