// Runs the policy pack offline, over the resources the offline synth records, the way the Pulumi engine runs
// it during a preview: every resource policy on every resource's inputs, then every stack policy over the whole
// stack. The arguments are built as @pulumi/policy's analyzer server builds them from the engine's requests
// (pulumi/pulumi-policy v1.21.0 sdk/nodejs/policy/server.ts: makeAnalyzeRpcFun, makeAnalyzeStackRpcFun,
// getResourceOptions, deserialize.ts), and whatever reportViolation receives is collected. Offline tooling:
// the published pack does not ship it (package.json "files").
import * as fs from "fs";
import * as path from "path";
import {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { PACK_NAME, policies as packPolicies } from "./rules/all";
import { configWithDefaults } from "./rules/policy";
import { isUnknownValueError } from "./rules/values";

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
    /** Resolved inputs; a value written as the engine's unknown sentinel is unknown, a secret object is unwrapped. */
    inputs: Record<string, unknown>;
    /**
     * The options the engine forwards to a policy pack; `retainOnDelete` and `dependsOn` may be recorded but the
     * engine sends neither (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go marshalResourceOptions), so no
     * policy sees them.
     */
    options?: {
        protect?: boolean;
        ignoreChanges?: string[];
        deleteBeforeReplace?: boolean;
        additionalSecretOutputs?: string[];
        customTimeouts?: { create?: string; update?: string; delete?: string };
    };
    /**
     * What the engine sends beyond the recorded inputs (tools/harness.ts EngineView): the inputs with secrets in
     * plain text, and the dependencies. When present it is what policies see, instead of `inputs`: a variant of a
     * recorded stack is judged by changing a JSON copy of its records, which leaves this out.
     */
    engine?: {
        inputs: Record<string, unknown>;
        dependencies: string[];
        propertyDependencies: Record<string, string[]>;
    };
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
     * Any other key is a setting for every policy whose configSchema declares it, e.g. `{ backupRetentionDays: 30 }`;
     * a policy's own entry wins over it. Unset keys take the schema defaults; a key that is neither a policy nor
     * a declared setting is an error.
     */
    config?: Record<string, unknown>;
    /** The stack's tags, as the engine hands them over (ConfigureStack), e.g. { profile: "dev" }. */
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

// The wire's secret object (@pulumi/pulumi runtime/rpc.js specialSigKey, specialSecretSig).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A value as the policy SDK deserializes it (deserialize.ts deserializeProperty): secrets unwrapped to their
 * plaintext; without the keys starting with "__" that the engine never sends (MarshalOptions SkipInternalKeys).
 */
function deserialized(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(deserialized);
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return deserialized(obj.value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!k.startsWith("__")) out[k] = deserialized(v);
    return out;
}

/** A resource's properties as a policy sees them (deserializeProperties): no property whose value is undefined. */
function propsOf(r: SynthResourceLike): Record<string, unknown> {
    const props: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r.engine?.inputs ?? r.inputs)) if (value !== undefined && !key.startsWith("__")) props[key] = deserialized(value);
    return props;
}

/** A Go duration ("5m", "1h30m", "90s") in seconds, as the engine turns a custom timeout into the float it forwards. */
function seconds(duration: string | undefined): number {
    if (!duration) return 0;
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(amount) * units[unit];
    return total;
}

/** The options as getResourceOptions builds them from the engine's AnalyzerResourceOptions. */
function optionsOf(r: SynthResourceLike): PolicyResourceOptions {
    const timeouts = r.options?.customTimeouts;
    const options: PolicyResourceOptions = {
        protect: r.options?.protect === true,
        ignoreChanges: [...(r.options?.ignoreChanges ?? [])],
        aliases: [],
        customTimeouts: { createSeconds: seconds(timeouts?.create), updateSeconds: seconds(timeouts?.update), deleteSeconds: seconds(timeouts?.delete) },
        additionalSecretOutputs: [...(r.options?.additionalSecretOutputs ?? [])],
    };
    if (r.options?.deleteBeforeReplace !== undefined) options.deleteBeforeReplace = r.options.deleteBeforeReplace;
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

/** The pack's version, as the policy SDK reads it (its package.json): named in a preview's diagnostics. */
function packVersion(): string {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8")) as { version: string }).version;
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
    const props = new Map(resources.map(r => [r, propsOf(r)]));

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
                if (isUnknownValueError(e)) {
                    const message = `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${packVersion()}' during preview: ${(e as Error).message}`;
                    violations.push({ policy: policy.name, enforcementLevel: "advisory", urn, message });
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
                    props: unknownCheckingProxy(props.get(r)!) as Record<string, unknown>,
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
            const own = props.get(r)!;
            const outputs = r.id && own.id === undefined ? { ...own, id: r.id } : own;
            const resource: PolicyResource = {
                type: r.type,
                props: unknownCheckingProxy(outputs) as Record<string, unknown>,
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
        const resolve = (urns: readonly string[]) => urns.map(u => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
        resources.forEach((r, i) => {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            if (parent) policyResources[i].parent = parent;
            policyResources[i].dependencies = resolve(r.engine?.dependencies ?? []);
            for (const [key, urns] of Object.entries(r.engine?.propertyDependencies ?? {})) policyResources[i].propertyDependencies[key] = resolve(urns);
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
