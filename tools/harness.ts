// Runs a Pulumi program against mock providers and records every resource it declares, with its resolved
// inputs (secrets masked), parent and options. The offline synth, the tests and the benchmarks share it.
import * as pulumi from "@pulumi/pulumi";
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
    /** Resolved inputs; any secret value replaced by "[secret]". */
    inputs: Record<string, unknown>;
    options: { protect: boolean; retainOnDelete: boolean; dependsOn: string[] };
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
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

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

/** Resolves outputs in a value (stack outputs), masking secret ones. */
async function resolveOutputs(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const out = value as pulumi.Output<unknown>;
        const [resolved, secret] = await Promise.all([
            new Promise<unknown>(resolve => out.apply(v => resolve(v))),
            (out as unknown as { isSecret: Promise<boolean> }).isSecret,
        ]);
        return secret ? SECRET_MASK : resolveOutputs(resolved);
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

function urnOf(parentUrn: string | null, stack: string, project: string, type: string, name: string): string {
    let qualified = type;
    if (parentUrn) {
        const parentType = parentUrn.split("::")[2].split("$").pop();
        qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

function awaitOutput<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise(resolve => o.apply(v => resolve(v)));
}

/** Runs the program under mocks and returns what it declared. Throws what the program throws. */
export async function synthesize(options: SynthOptions): Promise<SynthResult> {
    const { project, stack } = options;
    const inputsByKey = new Map<string, { inputs: Record<string, unknown>; id: string | null; custom: boolean }>();
    const declared: { type: string; name: string; opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions }[] = [];

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const inputs = maskSecrets(args.inputs) as Record<string, unknown>;
                const { id, state } = computedState(args.type, args.name, args.inputs);
                if (inputsByKey.has(`${args.type}::${args.name}`)) throw new Error(`two resources of type ${args.type} are named ${args.name}`);
                inputsByKey.set(`${args.type}::${args.name}`, { inputs, id: args.custom ? id : null, custom: args.custom ?? true });
                return { id: args.custom ? id : undefined, state };
            },
            call(args) {
                return answerInvoke(args.token, args.inputs);
            },
        },
        project,
        stack,
        true,
    );
    pulumi.runtime.setAllConfig(options.config, (options.secretKeys ?? []).map(k => k));

    let programOutputs: Record<string, unknown> | undefined;
    await runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(args => {
            declared.push({ type: args.type, name: args.name, opts: args.opts as never });
            return undefined;
        });
        programOutputs = await options.program();
        return programOutputs;
    });

    // Resolve parents' URNs and dependsOn targets, then join with what the mock monitor saw.
    const resources: SynthResource[] = [];
    const seen = new Set<string>();
    for (const d of declared) {
        const parent = d.opts.parent ? await awaitOutput(d.opts.parent.urn) : null;
        const dependsOnInput = d.opts.dependsOn;
        const dependsOnList = dependsOnInput === undefined ? [] : await awaitOutput(pulumi.output(dependsOnInput as pulumi.Input<pulumi.Resource[]>));
        const dependsOn = await Promise.all((Array.isArray(dependsOnList) ? dependsOnList : [dependsOnList]).map(r => awaitOutput((r as pulumi.Resource).urn)));
        const urn = urnOf(parent ?? null, stack, project, d.type, d.name);
        if (seen.has(urn)) throw new Error(`two resources share the URN ${urn}`);
        seen.add(urn);
        const registered = inputsByKey.get(`${d.type}::${d.name}`);
        resources.push({
            urn,
            type: d.type,
            name: d.name,
            id: registered?.id ?? null,
            parent: parent ?? `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`,
            custom: registered?.custom ?? true,
            inputs: registered?.inputs ?? {},
            options: {
                protect: d.opts.protect === true,
                retainOnDelete: d.opts.retainOnDelete === true,
                dependsOn,
            },
        });
    }
    const outputs = (await resolveOutputs(programOutputs ?? {})) as Record<string, unknown>;
    return { project, stack, resources, outputs };
}
