// Runs a Pulumi program against mock providers and records every resource it declares, with its resolved
// inputs (secrets masked), parent and options, and beside them what the engine would hand a policy pack of it
// (EngineView: secrets in plain text, unknowns, dependencies). The offline synth, the tests and the benchmarks
// share it.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { computedState, answerInvoke } from "./mocks";

export const SECRET_MASK = "[secret]";

export interface SynthResource {
    urn: string;
    type: string;
    name: string;
    id: string | null;
    parent: string | null;
    custom: boolean;
    /**
     * Resolved inputs as the engine would hand them to a policy pack (see EngineView), except that any secret
     * value is replaced by "[secret]".
     */
    inputs: Record<string, unknown>;
    options: SynthOptionsRecord;
    /**
     * What the engine sends a policy pack of this resource beyond `inputs` and `options`. Not enumerable, so the
     * JSON contract (and any copy of the record) leaves it out: it holds secrets in plain text.
     */
    readonly engine?: EngineView;
}

/**
 * A resource as the engine hands it to a policy pack (pulumi/pulumi v3.259.0 pkg/resource/plugin/analyzer_plugin.go
 * Analyze and AnalyzeStack).
 */
export interface EngineView {
    /**
     * The inputs marshalled as the engine marshals them for an analyzer: KeepUnknowns and KeepSecrets, not
     * KeepResources (sdk/go/common/resource/plugin/rpc.go MarshalPropertyValue). A secret stays a secret
     * object around its plaintext, which the policy SDK unwraps; a value a preview cannot know is the unknown
     * sentinel; a resource is its ID (a custom resource) or its URN (a component).
     */
    inputs: Record<string, unknown>;
    /** The URNs the resource depends on: its dependsOn and every resource an input came from, as the program registered them. */
    dependencies: string[];
    /** Per input property, the URNs its value came from (only properties that have some). */
    propertyDependencies: Record<string, string[]>;
}

/**
 * The resource options the engine applies, as it applies them: protect and retainOnDelete inherited from the
 * parent (effectiveProtection), dependsOn as URNs, and the options that change how an update treats the
 * resource, present only when set.
 */
export interface SynthOptionsRecord {
    protect: boolean;
    retainOnDelete: boolean;
    dependsOn: string[];
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs?: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    /** The URN of the resource whose deletion deletes this one. */
    deletedWith?: string;
}

/** One provider function the program called (an invoke), with its arguments as the provider received them. */
export interface InvokeCall {
    token: string;
    inputs: Record<string, unknown>;
}

export interface SynthResult {
    project: string;
    stack: string;
    resources: SynthResource[];
    outputs: Record<string, unknown>;
}

export interface SynthOptions {
    project: string;
    stack: string;
    /** Raw config values keyed by full key ("web3-nodes:cloud"), objects as JSON strings, as the CLI hands them over. */
    config: Record<string, string>;
    /** Keys of `config` that are secret, so the program sees them as secrets. */
    secretKeys?: string[];
    /** The program; runs after mocks and config are in place. */
    program: () => Promise<Record<string, unknown> | undefined>;
    /**
     * Run as `pulumi preview` of a stack that does not exist yet: every resource is about to be created, so the
     * mocks return no ID and no computed output, only the inputs back. What the program derives from another
     * resource's ID or outputs (ARNs, addresses, a task definition built from them) is then unknown, as the
     * engine shows it to policies (@pulumi/pulumi runtime/resource.js resolveOutputs keeps only the returned
     * outputs during a preview; runtime/rpc.js resolveProperties resolves the rest as unknown).
     */
    previewOfNewStack?: boolean;
}

/**
 * The runtime records a stack trace on every promise it makes (several per resource), only ever printed when
 * PULUMI_DEBUG_PROMISE_LEAKS is set; formatting them (through source maps) is most of a large synth's time.
 * Without that variable the traces are recorded empty; leak detection and the program's own errors are
 * untouched. Patched on the module's exports, which the runtime reads at each call.
 */
function skipPromiseStackTraces(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
        debugPromiseLeaks: boolean;
        debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;
        skipsStackTraces?: boolean;
    };
    if (debuggable.debugPromiseLeaks || debuggable.skipsStackTraces) return;
    const original = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (p, ctx) => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return original(p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    debuggable.skipsStackTraces = true;
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A value the mock monitor received, as the engine marshals it for an analyzer (see EngineView.inputs):
 * unknowns become the unknown sentinel, resources what `reference` makes of them, secret objects stay.
 */
function engineValue(value: unknown, reference: (resource: pulumi.Resource) => unknown): unknown {
    if (pulumi.isUnknown(value)) return unknownValue;
    if (Array.isArray(value)) return value.map(v => engineValue(v, reference));
    if (pulumi.Resource.isInstance(value)) return reference(value);
    if (value !== null && typeof value === "object" && !pulumi.asset.Asset.isInstance(value) && !pulumi.asset.Archive.isInstance(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = engineValue(v, reference);
        return out;
    }
    return value;
}

/** What the program registered of a resource beyond its inputs, keyed by `<type>::<name>`. */
interface Registration {
    /** The mock monitor's URN of the resource, which `dependencies` use. */
    mockUrn: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

interface RegisterResourceRequest {
    getType(): string;
    getName(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

/**
 * Records the dependencies each RegisterResource request carries, which the engine keeps in its state and
 * hands stack policies (pkg/resource/deploy/step_generator.go AnalyzeResources): the mocks' newResource does
 * not see them.
 */
function recordRegistrations(registrations: Map<string, Registration>): void {
    type Callback = (err: unknown, response?: { getUrn(): string }) => void;
    const monitor = runtimeSettings.getMonitor() as unknown as { registerResource(req: RegisterResourceRequest, callback: Callback): void };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, response) => {
            if (response) {
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((value, key) => {
                    const urns = value.getUrnsList();
                    if (urns.length > 0) propertyDependencies[key] = urns;
                });
                registrations.set(`${req.getType()}::${req.getName()}`, { mockUrn: response.getUrn(), dependencies: req.getDependenciesList(), propertyDependencies });
            }
            callback(err, response);
        });
}

/** Replaces serialized secrets (as the mock monitor hands them over) by the mask, everywhere in a value. */
export function maskSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG_KEY] === SECRET_SIG) return SECRET_MASK;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = maskSecrets(v);
        return out;
    }
    return value;
}

/** Resolves outputs in a value (stack outputs), masking secret ones; an unknown one is the unknown sentinel. */
async function resolveOutputs(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        // Not through apply: a preview never calls it on an unknown value.
        const out = value as unknown as { promise(withUnknowns: boolean): Promise<unknown>; isSecret: Promise<boolean> };
        const [resolved, secret] = await Promise.all([out.promise(true), out.isSecret]);
        if (secret) return SECRET_MASK;
        return pulumi.isUnknown(resolved) ? unknownValue : resolveOutputs(resolved);
    }
    if (value instanceof Promise) return resolveOutputs(await value);
    if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
    if (value !== null && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = await resolveOutputs(v);
        return out;
    }
    return value;
}

/**
 * A URN as the engine forms it: the parent's whole qualified type (its own chain of parent types), "$", the
 * resource's type; a child of the root stack has no parent type (pulumi/pulumi sdk/go/common/resource/urn.go
 * NewURN, called by the engine with the parent URN's QualifiedType()).
 */
export function urnOf(parentUrn: string | null, stack: string, project: string, type: string, name: string): string {
    const qualified = parentUrn ? `${parentUrn.split("::")[2]}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The options that shape how an update treats the resource, as the resource sets them. */
function declaredOptions(opts: pulumi.CustomResourceOptions, urns: Map<pulumi.Resource, string>): Omit<SynthOptionsRecord, "protect" | "retainOnDelete" | "dependsOn"> {
    const out: Omit<SynthOptionsRecord, "protect" | "retainOnDelete" | "dependsOn"> = {};
    if (opts.ignoreChanges?.length) out.ignoreChanges = [...opts.ignoreChanges];
    if (opts.replaceOnChanges?.length) out.replaceOnChanges = [...opts.replaceOnChanges];
    if (opts.deleteBeforeReplace !== undefined) out.deleteBeforeReplace = opts.deleteBeforeReplace;
    if (opts.additionalSecretOutputs?.length) out.additionalSecretOutputs = [...opts.additionalSecretOutputs];
    if (opts.customTimeouts) out.customTimeouts = { ...opts.customTimeouts };
    const deletedWith = opts.deletedWith ? urns.get(opts.deletedWith) : undefined;
    if (deletedWith) out.deletedWith = deletedWith;
    return out;
}

/**
 * The resources a `dependsOn` option names, unwrapped as the runtime does. Not through `pulumi.output`: an
 * output checks its value for unknowns by walking every property, and a resource's properties reach its
 * parent and children, so each lookup walked the whole stack.
 */
async function dependsOnResources(value: unknown): Promise<pulumi.Resource[]> {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return (await Promise.all(value.map(dependsOnResources))).flat();
    if (value instanceof Promise) return dependsOnResources(await value);
    if (pulumi.Output.isInstance(value)) return dependsOnResources(await (value as unknown as { promise(): Promise<unknown> }).promise());
    return pulumi.Resource.isInstance(value) ? [value] : [];
}

/**
 * `protect` and `retainOnDelete` as the engine applies them: a resource that does not set one takes its
 * parent's. The Node SDK resolves protect itself before registering (@pulumi/pulumi resource.js:
 * `if (opts.protect === undefined) opts.protect = parent.__protect`); retainOnDelete is sent only when set,
 * and the engine fills it in from the parent (pulumi/pulumi pkg/resource/deploy/source_eval.go
 * inheritFromParent, since v3.158.0, pulumi/pulumi#18956). A transformation sees the options as written, so
 * both are resolved here, parents first (they are declared before their children).
 */
function effectiveProtection(declared: { resource: pulumi.Resource; opts: pulumi.CustomResourceOptions }[]): Map<pulumi.Resource, { protect: boolean; retainOnDelete: boolean }> {
    const kept = new Map<pulumi.Resource, { protect: boolean; retainOnDelete: boolean }>();
    for (const { resource, opts } of declared) {
        if (kept.has(resource)) continue;
        const parent = opts.parent ? kept.get(opts.parent) : undefined;
        kept.set(resource, {
            protect: opts.protect ?? parent?.protect ?? false,
            retainOnDelete: opts.retainOnDelete ?? parent?.retainOnDelete ?? false,
        });
    }
    return kept;
}

/** Runs the program under mocks and returns what it declared, and every invoke it made in order. Throws what the program throws. */
export async function synthesize(options: SynthOptions): Promise<SynthResult & { invokes: InvokeCall[] }> {
    const { project, stack } = options;
    const inputsByKey = new Map<string, { received: Record<string, unknown>; id: string | null; custom: boolean }>();
    const registrations = new Map<string, Registration>();
    const declared: { type: string; name: string; resource: pulumi.Resource; opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions }[] = [];
    const invokes: InvokeCall[] = [];
    skipPromiseStackTraces();

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                if (inputsByKey.has(`${args.type}::${args.name}`)) throw new Error(`two resources of type ${args.type} are named ${args.name}`);
                if (options.previewOfNewStack) {
                    inputsByKey.set(`${args.type}::${args.name}`, { received: args.inputs, id: null, custom: args.custom ?? true });
                    return { id: undefined, state: args.inputs };
                }
                const { id, state } = computedState(args.type, args.name, args.inputs);
                inputsByKey.set(`${args.type}::${args.name}`, { received: args.inputs, id: args.custom ? id : null, custom: args.custom ?? true });
                return { id: args.custom ? id : undefined, state };
            },
            call(args) {
                invokes.push({ token: args.token, inputs: maskSecrets(args.inputs) as Record<string, unknown> });
                return answerInvoke(args.token, args.inputs);
            },
        },
        project,
        stack,
        true,
    );
    pulumi.runtime.setAllConfig(options.config, (options.secretKeys ?? []).map(k => k));
    recordRegistrations(registrations);

    let programOutputs: Record<string, unknown> | undefined;
    await runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(args => {
            // A resource passed to a component comes back as a reference (opts.urn): it was declared already.
            if ((args.opts as { urn?: string }).urn === undefined) declared.push({ type: args.type, name: args.name, resource: args.resource, opts: args.opts as never });
            return undefined;
        });
        programOutputs = await options.program();
        return programOutputs;
    });
    // Resources whose inputs wait on other resources register later than the program returns.
    await (runtimeSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

    // URNs as the engine forms them: the parent's type chain, without the root stack's type (the mock
    // monitor's own URNs include it). Parents are declared before their children.
    const urns = new Map<pulumi.Resource, string>();
    const stackUrn = `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
    const taken = new Set<string>();
    const named: { d: (typeof declared)[number]; urn: string; parentUrn: string | null }[] = [];
    for (const d of declared) {
        if (urns.has(d.resource)) continue;
        const parentUrn = d.opts.parent ? urns.get(d.opts.parent) ?? null : null;
        const urn = urnOf(parentUrn, stack, project, d.type, d.name);
        if (taken.has(urn)) throw new Error(`two resources share the URN ${urn}`);
        taken.add(urn);
        urns.set(d.resource, urn);
        named.push({ d, urn, parentUrn });
    }
    const kept = effectiveProtection(declared);
    const urnByKey = new Map(named.map(({ d, urn }) => [`${d.type}::${d.name}`, urn]));
    const urnByMockUrn = new Map([...registrations].map(([key, r]) => [r.mockUrn, urnByKey.get(key)]));
    const toUrns = (mockUrns: string[]) => mockUrns.map(u => urnByMockUrn.get(u)).filter((u): u is string => u !== undefined);
    // A resource in another's inputs, as the engine marshals it without KeepResources: a custom resource's ID
    // (unknown until it exists), a component's URN.
    const reference = (resource: pulumi.Resource): unknown => {
        const { __pulumiType: type, __name: name } = resource as unknown as { __pulumiType: string; __name: string };
        const registered = inputsByKey.get(`${type}::${name}`);
        if (!registered?.custom) return urnByKey.get(`${type}::${name}`) ?? unknownValue;
        return registered.id ?? unknownValue;
    };
    // dependsOn may name resources declared later (resolved through an output), so it is read once all are named.
    const resources: SynthResource[] = [];
    for (const { d, urn, parentUrn } of named) {
        const dependsOn = (await dependsOnResources(d.opts.dependsOn))
            .map(r => urns.get(r))
            .filter((u): u is string => u !== undefined);
        const registered = inputsByKey.get(`${d.type}::${d.name}`);
        const registration = registrations.get(`${d.type}::${d.name}`);
        const engineInputs = engineValue(registered?.received ?? {}, reference) as Record<string, unknown>;
        const record: SynthResource = {
            urn,
            type: d.type,
            name: d.name,
            id: registered?.id ?? null,
            parent: parentUrn ?? stackUrn,
            custom: registered?.custom ?? true,
            inputs: maskSecrets(engineInputs) as Record<string, unknown>,
            options: { ...kept.get(d.resource)!, dependsOn, ...declaredOptions(d.opts, urns) },
        };
        const engine: EngineView = {
            inputs: engineInputs,
            dependencies: toUrns(registration?.dependencies ?? []),
            propertyDependencies: Object.fromEntries(Object.entries(registration?.propertyDependencies ?? {}).map(([key, mockUrns]) => [key, toUrns(mockUrns)])),
        };
        Object.defineProperty(record, "engine", { value: engine, enumerable: false });
        resources.push(record);
    }
    const outputs = (await resolveOutputs(programOutputs ?? {})) as Record<string, unknown>;
    return { project, stack, resources, outputs, invokes };
}
