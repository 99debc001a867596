// Shared test helpers: synthesize a back-end (or the whole program) under mocks and query what it declared.
import { Backend, Cloud } from "../components/topology";
import { parseConfig } from "../stacks/config";
import { createBackend } from "../stacks/program";
import { SynthResource, SynthResult, synthesize } from "../tools/harness";
import { baseConfig } from "./fixtures";

export { baseConfig };

/** Runs `build` against a real back-end under mocks and returns every resource declared. */
export async function synthBackend(
    cloud: Cloud,
    build: (backend: Backend) => void | Promise<void>,
    overrides: Record<string, unknown> = {},
): Promise<SynthResult> {
    const raw = baseConfig(cloud, overrides);
    return synthesize({
        project: "web3-nodes",
        stack: "test",
        config: {},
        program: async () => {
            const backend = await createBackend(parseConfig(raw), "test");
            await build(backend);
            return {};
        },
    });
}

export function ofType(result: SynthResult, type: string): SynthResource[] {
    return result.resources.filter(r => r.type === type);
}

export function oneOfType(result: SynthResult, type: string): SynthResource {
    const found = ofType(result, type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map(r => r.name).join(", ")}`);
    return found[0];
}

/** The resources under a component, at any depth. */
export function descendants(result: SynthResult, urn: string): SynthResource[] {
    const children = result.resources.filter(r => r.parent === urn);
    return children.flatMap(c => [c, ...descendants(result, c.urn)]);
}
