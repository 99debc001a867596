// Computed outputs and invoke answers of the Google Cloud provider, as the offline synth fakes them.
import type { Invokes } from "../mocks";

export function gcpState(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, unknown> {
    const resourceName = inputs.name ?? id;
    return {
        name: resourceName,
        selfLink: `https://www.googleapis.com/compute/v1/projects/${inputs.project ?? "mock-project"}/${type.split(":")[2]}/${resourceName}`,
    };
}

export const gcpInvokes: Invokes = {
    "gcp:compute/getZones:getZones": inputs => ({
        names: ["a", "b", "c", "f"].map(z => `${inputs.region ?? "us-central1"}-${z}`),
    }),
};
