// Source allowlists: the networks that may reach an HTTPS load balancer. Every `*Cidrs` key of a stack file is
// read here, so each refuses the same things with the same words; whether a block is the whole internet is
// the policy pack's own test (policies/rules/cidr.ts), so the configuration refuses what the pack would report.
import type { Reader } from "../../stacks/validate";
import { isWorld } from "../../policies/rules/cidr";

export { isWorld };

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(\d{1,3})$/;

/** Every IPv4 and IPv6 address: an HTTPS load balancer's sources when nobody narrows them. */
export const EVERYONE: readonly string[] = ["0.0.0.0/0", "::/0"];

/**
 * The most blocks an allowlist takes. On AWS each is two inbound rules (443 and 80) on the load balancer's
 * security group, and a security group holds 60 inbound rules per address family by default ("Inbound or
 * outbound rules per security group", quota L-0EA8095F, enforced separately for IPv4 and IPv6:
 * https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html). On GCP 30 blocks are three Cloud
 * Armor rules of ten ranges (components/gcp/httpsLoadBalancer.ts ARMOR_RANGES_PER_RULE).
 */
export const MAX_ALLOWED_CIDRS = 30;

const EXAMPLE = 'such as ["203.0.113.0/24"]';

/** Whether a CIDR is a valid IPv4 or IPv6 block; the world (/0) is judged separately. */
export function isCidr(cidr: string): boolean {
    const v4 = IPV4_CIDR.exec(cidr);
    if (v4) return v4.slice(1, 5).every(o => Number(o) <= 255) && Number(v4[5]) <= 32;
    const v6 = IPV6_CIDR.exec(cidr);
    return v6 !== null && Number(v6[1]) <= 128;
}

export interface AllowlistRule {
    /**
     * When the key is not set: `required` is the problem's text (after "is required: "), or `fallback` the
     * list used instead.
     */
    missing: { required: string } | { fallback: readonly string[] };
    /** What a whole-internet block is told (after "= <block>: "), or undefined when it is allowed. */
    worldRefused?: string;
}

/** Reads an allowlist: one or more IPv4/IPv6 CIDR blocks, at most MAX_ALLOWED_CIDRS; every problem is recorded on `r`. */
export function readAllowlist(r: Reader, name: string, rule: AllowlistRule): string[] {
    const raw = r.value(name);
    if (raw === undefined || raw === null) {
        if ("required" in rule.missing) {
            r.missing(name, rule.missing.required);
            return [];
        }
        return [...rule.missing.fallback];
    }
    if (!Array.isArray(raw) || raw.length === 0) {
        r.problem(name, raw, `a list of one or more IPv4 or IPv6 CIDR blocks, ${EXAMPLE}`);
        return [];
    }
    if (raw.length > MAX_ALLOWED_CIDRS) {
        r.problem(name, raw, `at most ${MAX_ALLOWED_CIDRS} CIDR blocks (${raw.length} given): on AWS each takes two inbound rules of the load ` +
            "balancer's security group, which holds 60 per address family; cover neighbouring networks with a shorter prefix");
        return [];
    }
    const cidrs: string[] = [];
    raw.forEach((cidr, i) => {
        if (typeof cidr !== "string" || !isCidr(cidr)) r.problem(`${name}[${i}]`, cidr, "an IPv4 or IPv6 CIDR block such as 203.0.113.0/24");
        else if (rule.worldRefused !== undefined && isWorld(cidr)) r.problem(`${name}[${i}]`, cidr, rule.worldRefused);
        else cidrs.push(cidr);
    });
    return cidrs;
}

/**
 * What is wrong with an allowlist a load balancer is given in code, or undefined: the back-ends check it
 * before declaring anything, so an empty list never means "nobody" on one cloud and "everyone" on the other.
 */
export function allowlistProblem(cidrs: readonly string[]): string | undefined {
    if (cidrs.length === 0) return "an empty allowlist admits nobody; leave allowedCidrs out to admit everyone";
    if (cidrs.length > MAX_ALLOWED_CIDRS) return `${cidrs.length} CIDR blocks, at most ${MAX_ALLOWED_CIDRS}`;
    const bad = cidrs.filter(c => !isCidr(c));
    if (bad.length > 0) return `not IPv4 or IPv6 CIDR blocks: ${bad.join(", ")}`;
    return undefined;
}

/** Whether an allowlist admits every IPv4 address: an IPv4-only load balancer then restricts nobody. */
export function admitsEveryIpv4(cidrs: readonly string[]): boolean {
    return cidrs.some(c => isWorld(c) && !c.includes(":"));
}
