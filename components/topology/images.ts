// Container image references as Docker reads them, and the upstream registries the stack's registry mirror
// serves. Workloads name upstream images (ipfs/kubo:v0.39.0); each back-end rewrites a reference to its mirror
// at one point. No cloud SDK and no Pulumi here.
//
// The reference grammar itself lives in the policy pack (policies/rules/imageReference.ts), which must carry
// everything it runs when published: the program reads references with the pack's code.
import { DOCKER_HUB, ImageReference, parseImageReference } from "../../policies/rules/imageReference";

export { DOCKER_HUB, parseImageReference, referenceAt } from "../../policies/rules/imageReference";
export type { ImageReference } from "../../policies/rules/imageReference";

/**
 * curl and a POSIX shell, nothing else: the image of Ceramic's keep-alive job and of the AWS liveness
 * watchdog, with its own unprivileged `curl_user` (uid 100, gid 101 on Alpine).
 */
export const CURL_IMAGE = { image: "curlimages/curl:8.11.1", user: { uid: 100, gid: 101 } } as const;

/**
 * The upstream registries the stack's mirrors pull from, by canonical domain: Docker Hub, and ECR Public, where
 * alone ceramic-one is published (checked over the workloads' IMAGES in the tests). Another registry is one
 * more entry here and one more upstream in each back-end's mirror: an ECR pull-through cache rule supports ECR
 * Public, Quay and registry.k8s.io without credentials and GitHub, GitLab and Azure only with them
 * (docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html, read 2026-12-01). A key is part of
 * the mirror's ECR repository prefix, whose 30 characters a 20-character stack prefix and a slash leave 9 of.
 */
export const MIRRORED_REGISTRIES = {
    dockerhub: { domain: DOCKER_HUB, name: "Docker Hub" },
    ecrpublic: { domain: "public.ecr.aws", name: "Amazon ECR Public" },
} as const satisfies Record<string, { domain: string; name: string }>;
export type MirroredRegistryKey = keyof typeof MIRRORED_REGISTRIES;

/** An upstream as operators know it: "Docker Hub (docker.io)". */
export function describeUpstream(key: MirroredRegistryKey): string {
    return `${MIRRORED_REGISTRIES[key].name} (${MIRRORED_REGISTRIES[key].domain})`;
}

/** How an operator gives the mirror its Docker Hub account (config keys registryMirror.*), for messages. */
export const SET_DOCKER_HUB_USERNAME = "pulumi config set --path registryMirror.dockerHubUsername <user>";
export const SET_DOCKER_HUB_ACCESS_TOKEN = "pulumi config set --secret --path registryMirror.dockerHubAccessToken <token>";

/** The upstream an image is mirrored from, or an error naming the registries the mirror serves. */
export function mirroredUpstream(image: string): { key: MirroredRegistryKey; ref: ImageReference } {
    const ref = parseImageReference(image);
    const keys = Object.keys(MIRRORED_REGISTRIES) as MirroredRegistryKey[];
    const key = keys.find(k => MIRRORED_REGISTRIES[k].domain === ref.domain);
    if (key === undefined) {
        const served = keys.map(describeUpstream).join(", ");
        throw new Error(`image "${image}" is on ${ref.domain}, which the stack's registry mirror does not serve; it pulls from ${served}. Add the registry as an upstream of both back-ends' mirrors (components/topology/images.ts) or use an image from ${served}`);
    }
    return { key, ref };
}
