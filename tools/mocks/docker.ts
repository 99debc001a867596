// Computed outputs of the Docker and TLS providers, as the offline synth fakes them: what the local back-end
// reads of the engine (a pulled image's ID, a container's ID) and of @pulumi/tls (PEM texts, plainly not real).
import { createHash } from "crypto";

/** A stable fake digest from a name: the shape of an image or container ID (sha256, 64 hex digits). */
function fakeDigest(seed: string): string {
    return createHash("sha256").update(seed).digest("hex");
}

/** A PEM block whose body says it is a stand-in: the shape a client checks, and nothing a TLS stack would load. */
function fakePem(label: string, name: string): string {
    const body = Buffer.from(`offline synth stand-in ${label.toLowerCase()} for ${name}`).toString("base64");
    return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export function dockerResourceId(type: string, name: string): string | undefined {
    if (type === "docker:index/container:Container") return fakeDigest(`container:${name}`);
    return undefined;
}

export function dockerState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (type) {
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:${fakeDigest(`image:${inputs.name}`)}`, repoDigest: `${inputs.name}@sha256:${fakeDigest(`digest:${inputs.name}`)}` };
        case "docker:index/volume:Volume":
            return { mountpoint: `/var/lib/docker/volumes/${inputs.name}/_data` };
        default:
            return {};
    }
}

export function tlsState(type: string, name: string): Record<string, unknown> {
    switch (type) {
        case "tls:index/privateKey:PrivateKey":
            return { privateKeyPem: fakePem("PRIVATE KEY", name), publicKeyPem: fakePem("PUBLIC KEY", name) };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { certPem: fakePem("CERTIFICATE", name) };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: fakePem("CERTIFICATE REQUEST", name) };
        default:
            return {};
    }
}
