// Runs the policy pack offline, over the resources the offline synth records, the way the Pulumi engine runs
// it during a preview: every resource policy on every resource's inputs, then every stack policy over the whole
// stack. The arguments are built by hand (props behind the engine's unknown-checking proxy, config defaults
// from each policy's schema, stack tags) and whatever reportViolation receives is collected.
import {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { policies as packPolicies } from "./rules/all";
import { configWithDefaults } from "./rules/policy";

/**
 * A resource as the offline synth records it (structurally tools/harness.ts `SynthResource`); only urn, type,
 * name and inputs are required, so tests can write records by hand.
 */
export interface SynthResourceLike {
    urn: string;
    type: string;
    name: string;
    id?: string | null;
    parent?: string | null;
    custom?: boolean;
    /** Resolved inputs; secrets replaced by "[secret]". */
    inputs: Record<string, unknown>;
    options?: { protect?: boolean; retainOnDelete?: boolean; dependsOn?: string[] };
}

export interface Violation {
    policy: string;
    enforcementLevel: "advisory" | "mandatory";
    /** The offending resource, or the stack's own URN for a violation of the stack as a whole. */
    urn: string;
    message: string;
}

export interface EvaluateOptions {
    /**
     * Configuration. A key naming a policy configures that policy, as in a `--policy-pack-config` file:
     * `{ "<policy>": { "<key>": value, enforcementLevel?: ... } }` or `{ "<policy>": "<enforcement level>" }`.
     * Any other key is a setting for every policy whose configSchema declares it, e.g. `{ profile: "dev" }` or
     * `{ backupRetentionDays: 30 }`; a policy's own entry wins over it. Unset keys take the schema defaults; a
     * key that is neither a policy nor a declared setting is an error.
     */
    config?: Record<string, unknown>;
    /** The stack's tags, e.g. { profile: "dev" }. */
    stackTags?: Record<string, string> | ReadonlyMap<string, string>;
    /** The policies to run; every policy of the pack by default. */
    policies?: Policies;
}

/**
 * What `notApplicable` throws. Not an Error: most resources are not applicable to most policies, and capturing
 * a stack trace for each of them was a large share of evaluating a big stack.
 */
class NotApplicable {
    constructor(readonly reason?: string) {}
}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

/** The engine's type test: a class's registered type token against the resource's. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const registered = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
    if (typeof registered === "string" && registered !== "") return type === registered;
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function optionsOf(r: SynthResourceLike): PolicyResourceOptions {
    const options: PolicyResourceOptions & { retainOnDelete: boolean } = {
        protect: r.options?.protect === true,
        // Not part of the engine's options; the offline records carry it and the rules accept it.
        retainOnDelete: r.options?.retainOnDelete === true,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (r.parent) options.parent = r.parent;
    return options;
}

/** The stack's own URN, derived from any resource's: what a stack-wide violation is reported against. */
function stackUrnOf(resources: readonly SynthResourceLike[]): string {
    const stack = resources.find(r => r.type === "pulumi:pulumi:Stack");
    if (stack) return stack.urn;
    const m = resources.length > 0 ? /^urn:pulumi:([^:]*)::([^:]*)::/.exec(resources[0].urn) : null;
    return m ? `urn:pulumi:${m[1]}::${m[2]}::pulumi:pulumi:Stack::${m[2]}-${m[1]}` : "";
}

type PolicyEntry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

/** Splits the config into policies' own entries and settings shared by every policy that declares them. */
function splitConfig(pack: Policies, config: Record<string, unknown>): { perPolicy: Record<string, PolicyEntry>; shared: Record<string, unknown> } {
    const names = new Set(pack.map(p => p.name));
    const settings = new Set(pack.flatMap(p => Object.keys(p.configSchema?.properties ?? {})));
    const perPolicy: Record<string, PolicyEntry> = {};
    const shared: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        if (names.has(key)) perPolicy[key] = value as PolicyEntry;
        else if (settings.has(key)) shared[key] = value;
        else throw new Error(`policy config "${key}" is neither a policy nor a setting of one (settings: ${[...settings].sort().join(", ")})`);
    }
    return { perPolicy, shared };
}

function isResourcePolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy {
    return (p as ResourceValidationPolicy).validateResource !== undefined;
}

function isThenable(value: unknown): boolean {
    return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/**
 * Every violation the pack reports on `resources`, policy by policy in pack order. Synchronous: the pack's
 * policies are; an asynchronous one is refused with an error naming it.
 */
export function evaluatePolicies(resources: readonly SynthResourceLike[], options: EvaluateOptions = {}): Violation[] {
    const violations: Violation[] = [];
    const stackTags: ReadonlyMap<string, string> =
        options.stackTags instanceof Map ? options.stackTags : new Map(Object.entries((options.stackTags ?? {}) as Record<string, string>));
    const stackUrn = stackUrnOf(resources);
    const pack = options.policies ?? packPolicies;
    const { perPolicy, shared } = splitConfig(pack, options.config ?? {});

    for (const policy of pack) {
        const given = perPolicy[policy.name];
        const configured = typeof given === "string" ? given : given?.enforcementLevel;
        const level: EnforcementLevel = configured ?? policy.enforcementLevel ?? "advisory";
        if (level === "disabled") continue;
        // As the engine does: a violation left after remediation counts as mandatory.
        const enforcementLevel = level === "advisory" ? "advisory" : "mandatory";
        const declared = Object.keys(policy.configSchema?.properties ?? {});
        const sharedHere = Object.fromEntries(Object.entries(shared).filter(([key]) => declared.includes(key)));
        const own = typeof given === "object" ? given : {};
        const getConfig = <T extends object>(): T => configWithDefaults<T>(policy.configSchema, { ...sharedHere, ...own });
        const run = (urn: string, call: () => unknown) => {
            try {
                const result = call();
                if (isThenable(result)) throw new Error(`policy ${policy.name} is asynchronous; evaluatePolicies runs synchronous policies only`);
            } catch (e) {
                if (e instanceof NotApplicable) return;
                if (e instanceof UnknownValueError) {
                    violations.push({ policy: policy.name, enforcementLevel: "advisory", urn, message: `can't run policy ${policy.name} during preview: ${(e as Error).message}` });
                    return;
                }
                throw e;
            }
        };

        if (isResourcePolicy(policy)) {
            const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const r of resources) {
                const args: ResourceValidationArgs = {
                    type: r.type,
                    props: unknownCheckingProxy(r.inputs) as Record<string, unknown>,
                    urn: r.urn,
                    name: r.name,
                    opts: optionsOf(r),
                    stackTags,
                    isType: resourceClass => isTypeOf(r.type, resourceClass),
                    asType: (resourceClass => (isTypeOf(r.type, resourceClass) ? args.props : undefined)) as ResourceValidationArgs["asType"],
                    getConfig,
                    notApplicable,
                };
                for (const validate of validations) {
                    run(r.urn, () => validate(args, message => violations.push({ policy: policy.name, enforcementLevel, urn: r.urn, message })));
                }
            }
            continue;
        }

        const byUrn = new Map<string, PolicyResource>();
        const policyResources = resources.map(r => {
            // The engine hands stack policies each resource's outputs, which include its ID.
            const props = r.id && r.inputs.id === undefined ? { ...r.inputs, id: r.id } : r.inputs;
            const resource: PolicyResource = {
                type: r.type,
                props: unknownCheckingProxy(props) as Record<string, unknown>,
                urn: r.urn,
                name: r.name,
                opts: optionsOf(r),
                dependencies: [],
                propertyDependencies: {},
                isType: resourceClass => isTypeOf(r.type, resourceClass),
                asType: (resourceClass => (isTypeOf(r.type, resourceClass) ? resource.props : undefined)) as PolicyResource["asType"],
            };
            byUrn.set(r.urn, resource);
            return resource;
        });
        resources.forEach((r, i) => {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            if (parent) policyResources[i].parent = parent;
            policyResources[i].dependencies = (r.options?.dependsOn ?? []).map(u => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
        });
        const args: StackValidationArgs = { resources: policyResources, stackTags, getConfig, notApplicable };
        run(stackUrn, () =>
            (policy as StackValidationPolicy).validateStack(args, (message, urn) =>
                violations.push({ policy: policy.name, enforcementLevel, urn: urn ?? stackUrn, message }),
            ),
        );
    }
    return violations;
}
