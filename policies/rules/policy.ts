// The two shapes every rule of the pack is built from. They turn the engine's arguments into plain values
// (unknowns marked, config defaults filled) so a rule is a small function of props, config and a reporter.
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { Maybe, isUnknown, isUnknownValueError, plain, record, str } from "./values";
import { onLocalProfile } from "./localProfile";

/** The stack's profile as a rule's settings or the stack tag `profile` name it. */
function profileSeen(config: object, stackTags: ReadonlyMap<string, string>): string | undefined {
    const set = (config as { profile?: unknown }).profile;
    return typeof set === "string" ? set : stackTags.get("profile");
}

/** Config of a policy: the defaults of its configSchema overlaid with what the operator set. */
export function configWithDefaults<C>(schema: PolicyConfigSchema | undefined, given: object): C {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema?.properties ?? {})) {
        if (typeof property === "object" && property.default !== undefined) defaults[key] = property.default;
    }
    const overrides = { ...(given as Record<string, unknown>) };
    delete overrides.enforcementLevel;
    return { ...defaults, ...overrides } as C;
}

/** What a resource rule sees of one resource. */
export interface Inspected {
    type: string;
    name: string;
    urn: string;
    /** Inputs as plain values, unknowns replaced by UNKNOWN. */
    props: Record<string, unknown>;
    /**
     * Whether Pulumi refuses to delete the resource: its `protect` option. The engine hands a policy no other
     * option that keeps a resource (retainOnDelete is not among the AnalyzerResourceOptions it sends: pulumi/pulumi
     * pkg/resource/plugin/analyzer_plugin.go marshalResourceOptions), so no rule may count on one.
     */
    keptOnDelete: boolean;
    stackTags: ReadonlyMap<string, string>;
}

interface PolicyText {
    name: string;
    /** What it checks and what breaks without it. */
    description: string;
    enforcementLevel: EnforcementLevel;
    /** How to fix a violation, in one or two sentences. */
    remediationSteps: string;
    configSchema?: PolicyConfigSchema;
}

export interface ResourceRule<C> extends PolicyText {
    /** Type tokens the rule looks at; other resources are not applicable. */
    types: readonly string[];
    check(resource: Inspected, config: C, report: (message: string) => void): void;
}

function optionsKeep(opts: { protect: boolean }): boolean {
    return opts.protect === true;
}

/** What the engine shows of a policy: its name, description, level, remediation and settings. */
function policyText(rule: PolicyText): PolicyText {
    const { name, description, enforcementLevel, remediationSteps, configSchema } = rule;
    return { name, description, enforcementLevel, remediationSteps, configSchema };
}

/** A resource validation policy that only runs on `types`. */
export function resourcePolicy<C extends object>(rule: ResourceRule<C>): ResourceValidationPolicy {
    const types = new Set(rule.types);
    return {
        ...policyText(rule),
        validateResource: (args: ResourceValidationArgs, reportViolation) => {
            if (!types.has(args.type)) args.notApplicable(`applies to ${[...types].join(", ")}`);
            const inspected: Inspected = {
                type: args.type,
                name: args.name,
                urn: args.urn,
                props: (record(plain(args.props)) as Record<string, unknown> | undefined) ?? {},
                keptOnDelete: optionsKeep(args.opts),
                stackTags: args.stackTags,
            };
            const config = configWithDefaults<C>(rule.configSchema, args.getConfig<object>());
            const profile = profileSeen(config, args.stackTags);
            try {
                rule.check(inspected, config, message => reportViolation(onLocalProfile(rule.name, profile, message)));
            } catch (e) {
                // A rule that strays onto an unknown value says nothing rather than guessing.
                if (isUnknownValueError(e)) return;
                throw e;
            }
        },
    };
}

// ---------------------------------------------------------------- the stack

/** One resource of the stack, as a stack rule sees it. */
export interface StackResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    keptOnDelete: boolean;
    parent?: string;
    /** URNs of the resources each property was computed from (the engine's property dependencies). */
    propertyDependencies: Record<string, string[]>;
}

/** Ways other resources name a resource: its ID, ARN, physical name or self link. */
const IDENTITY_PROPS = ["id", "arn", "name", "bucket", "selfLink"] as const;

function lastSegment(reference: string): string {
    const trimmed = reference.replace(/\/+$/, "");
    return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/**
 * The whole stack, indexed for rules that relate resources to each other: which volume a backup policy
 * covers, which security group a load balancer uses, which URL map an HTTP proxy serves. Workload rules
 * (three zones for the IPFS cluster, failover for Chainlink) use `ofType`, `children` and `descendants`.
 */
export class StackView {
    readonly resources: readonly StackResource[];
    readonly stackTags: ReadonlyMap<string, string>;
    // Indexes built once per evaluation: rules relate every resource of one type to every resource of
    // another, so each lookup must not scan the whole stack.
    private readonly byUrn = new Map<string, StackResource>();
    private readonly position = new Map<StackResource, number>();
    private readonly byType = new Map<string, StackResource[]>();
    private readonly byParent = new Map<string, StackResource[]>();
    private readonly identityCache = new Map<StackResource, Set<string>>();
    /** Per type: each identity (ID, ARN, name, self link, its last segment, URN) to the resources it names. */
    private readonly identityIndex = new Map<string, Map<string, StackResource[]>>();

    constructor(resources: readonly StackResource[], stackTags: ReadonlyMap<string, string>) {
        this.resources = resources;
        this.stackTags = stackTags;
        resources.forEach((r, i) => {
            this.byUrn.set(r.urn, r);
            this.position.set(r, i);
            push(this.byType, r.type, r);
            if (r.parent !== undefined) push(this.byParent, r.parent, r);
        });
    }

    get(urn: string): StackResource | undefined {
        return this.byUrn.get(urn);
    }

    /** Resources of the given types, in stack order. */
    ofType(...types: string[]): StackResource[] {
        const wanted = [...new Set(types)];
        if (wanted.length === 1) return [...(this.byType.get(wanted[0]) ?? [])];
        return this.inStackOrder(wanted.flatMap(t => this.byType.get(t) ?? []));
    }

    children(urn: string): StackResource[] {
        return [...(this.byParent.get(urn) ?? [])];
    }

    descendants(urn: string): StackResource[] {
        return this.children(urn).flatMap(c => [c, ...this.descendants(c.urn)]);
    }

    /**
     * What `from.props[property]` (a reference or a list of them) points at among resources of `types`:
     * `found` by the engine's property dependencies or by value (a resource's ID, ARN, name or self link; a
     * self link or `projects/.../name` path matches on its last segment), `external` references that name
     * nothing in the stack, and whether some reference is `unknown` during preview.
     */
    references(from: StackResource, property: string, types: readonly string[]): { found: StackResource[]; external: string[]; unknown: boolean } {
        const wanted = new Set(types);
        const found = new Set<StackResource>();
        for (const urn of from.propertyDependencies[property] ?? []) {
            const dependency = this.byUrn.get(urn);
            if (dependency && wanted.has(dependency.type)) found.add(dependency);
        }
        const external: string[] = [];
        let unknown = false;
        const value = from.props[property];
        for (const element of Array.isArray(value) ? value : [value]) {
            const reference = str(element);
            if (reference === undefined) continue;
            if (isUnknown(reference)) {
                unknown = true;
                continue;
            }
            const matches = this.named(reference, types);
            matches.forEach(m => found.add(m));
            if (matches.length === 0) external.push(reference);
        }
        return { found: this.inStackOrder([...found]), external, unknown };
    }

    /** Whether `from.props[property]` refers to `to`: true, false, or "unknown" during preview. */
    refersTo(from: StackResource, property: string, to: StackResource): boolean | "unknown" {
        const { found, unknown } = this.references(from, property, [to.type]);
        if (found.includes(to)) return true;
        return unknown ? "unknown" : false;
    }

    /** Whether a reference string names `r`. */
    identifies(r: StackResource, reference: string): boolean {
        const identities = this.identities(r);
        return identities.has(reference) || (reference.includes("/") && identities.has(lastSegment(reference)));
    }

    /** The resources of `types` a reference string names, in stack order. */
    named(reference: string, types: readonly string[]): StackResource[] {
        const keys = reference.includes("/") ? [reference, lastSegment(reference)] : [reference];
        const matches = new Set<StackResource>();
        for (const type of new Set(types)) {
            const index = this.identityIndexOf(type);
            for (const key of keys) for (const r of index.get(key) ?? []) matches.add(r);
        }
        return this.inStackOrder([...matches]);
    }

    private identityIndexOf(type: string): Map<string, StackResource[]> {
        let index = this.identityIndex.get(type);
        if (!index) {
            index = new Map();
            for (const r of this.byType.get(type) ?? []) for (const identity of this.identities(r)) push(index, identity, r);
            this.identityIndex.set(type, index);
        }
        return index;
    }

    private inStackOrder(list: StackResource[]): StackResource[] {
        return list.sort((a, b) => (this.position.get(a) ?? 0) - (this.position.get(b) ?? 0));
    }

    private identities(r: StackResource): Set<string> {
        const cached = this.identityCache.get(r);
        if (cached) return cached;
        const out = new Set<string>([r.urn]);
        for (const key of IDENTITY_PROPS) {
            const value: Maybe<string> = str(r.props[key]);
            if (typeof value === "string" && value !== "") {
                out.add(value);
                if (value.includes("/")) out.add(lastSegment(value));
            }
        }
        this.identityCache.set(r, out);
        return out;
    }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
}

export interface StackRule<C> extends PolicyText {
    /** Report with the offending resource, or without one when the stack as a whole is at fault. */
    check(stack: StackView, config: C, report: (resource: StackResource | undefined, message: string) => void): void;
}

function stackResourceOf(r: PolicyResource): StackResource {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, sources] of Object.entries(r.propertyDependencies ?? {})) propertyDependencies[key] = sources.map(s => s.urn);
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: (record(plain(r.props)) as Record<string, unknown> | undefined) ?? {},
        keptOnDelete: optionsKeep(r.opts),
        parent: r.parent?.urn ?? r.opts.parent,
        propertyDependencies,
    };
}

/** A stack validation policy over a StackView. */
export function stackPolicy<C extends object>(rule: StackRule<C>): StackValidationPolicy {
    return {
        ...policyText(rule),
        validateStack: (args: StackValidationArgs, reportViolation) => {
            const view = new StackView(args.resources.map(stackResourceOf), args.stackTags);
            const config = configWithDefaults<C>(rule.configSchema, args.getConfig<object>());
            const profile = profileSeen(config, args.stackTags);
            try {
                rule.check(view, config, (resource, message) => reportViolation(onLocalProfile(rule.name, profile, message), resource?.urn));
            } catch (e) {
                if (isUnknownValueError(e)) return;
                throw e;
            }
        },
    };
}
