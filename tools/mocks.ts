// Mock providers for the offline synth: every resource gets a stable fake ID and the computed outputs the
// program reads (ARNs, addresses, self links); every invoke the program makes has an answer here. An
// unknown invoke throws, so a new one is noticed instead of silently returning nothing.
import { awsInvokes, awsState } from "./mocks/aws";
import { dockerResourceId, dockerState, tlsState } from "./mocks/docker";
import { gcpInvokes, gcpResourceId, gcpState } from "./mocks/gcp";

export type Invokes = Record<string, (inputs: Record<string, any>) => Record<string, unknown>>;

/** A short stable hex string derived from a name, so fake IDs do not change between runs. */
export function fakeHex(seed: string, length = 8): string {
    let h = 2166136261;
    let out = "";
    while (out.length < length) {
        for (const ch of seed + out.length) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

export function computedState(type: string, name: string, inputs: Record<string, any>): { id: string; state: Record<string, unknown> } {
    const id = gcpResourceId(type, inputs) ?? dockerResourceId(type, name) ?? `${name}-${fakeHex(type + name)}`;
    const extra = type.startsWith("aws:") ? awsState(type, name, inputs, id)
        : type.startsWith("gcp:") ? gcpState(type, name, inputs, id)
        : type.startsWith("random:") ? randomState(type, name, inputs)
        : type.startsWith("docker:") ? dockerState(type, name, inputs)
        : type.startsWith("tls:") ? tlsState(type, name)
        : {};
    return { id, state: { ...inputs, ...extra } };
}

const invokes: Invokes = { ...awsInvokes, ...gcpInvokes };

export function answerInvoke(token: string, inputs: Record<string, any>): Record<string, unknown> {
    const answer = invokes[token];
    if (!answer) throw new Error(`the offline synth has no answer for the invoke ${token}; add one to tools/mocks`);
    return answer(inputs);
}

/** @pulumi/random under mocks: stable values derived from the resource name, never real randomness. */
export function randomState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    if (type === "random:index/randomBytes:RandomBytes") {
        const bytes = Buffer.from(fakeHex(`bytes:${name}`, inputs.length * 2), "hex");
        return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }
    if (type === "random:index/randomPassword:RandomPassword" || type === "random:index/randomString:RandomString") {
        return { result: `mock-${fakeHex(`password:${name}`, Math.max(8, (inputs.length ?? 24) - 5))}`.slice(0, inputs.length ?? 24) };
    }
    if (type === "random:index/randomId:RandomId") {
        const hex = fakeHex(`id:${name}`, (inputs.byteLength ?? 8) * 2);
        return { hex, b64Std: Buffer.from(hex, "hex").toString("base64"), dec: BigInt(`0x${hex}`).toString() };
    }
    return {};
}
