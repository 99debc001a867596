// Container image references as Docker reads them, and the upstream registries the stack's registry mirror
// serves. Workloads name upstream images (ipfs/kubo:v0.39.0); each back-end rewrites a reference to its mirror
// at one point. No cloud SDK and no Pulumi here: the policy pack reads references with the same code.
//
// Grammar and normalization: distribution/reference@v0.6.0 (regexp.go, normalize.go), the code the Docker CLI
// and containerd parse references with.

/**
 * curl and a POSIX shell, nothing else: the image of Ceramic's keep-alive job and of the AWS liveness
 * watchdog, with its own unprivileged `curl_user` (uid 100, gid 101 on Alpine).
 */
export const CURL_IMAGE = { image: "curlimages/curl:8.11.1", user: { uid: 100, gid: 101 } } as const;

/** Docker Hub's canonical domain; `index.docker.io` is its legacy name (normalize.go: defaultDomain). */
export const DOCKER_HUB = "docker.io";
const LEGACY_DOCKER_HUB = "index.docker.io";
/** Where Docker Hub keeps official images: `nginx` is `docker.io/library/nginx` (normalize.go: officialRepoPrefix). */
const OFFICIAL_REPO_PREFIX = "library/";

// regexp.go: a path component, a tag, a digest.
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$/;

/** A reference split the way a registry is asked for it: `docker.io`, `library/nginx`, `1.27`. */
export interface ImageReference {
    domain: string;
    /** The repository path within the registry; Docker Hub's official images carry `library/`. */
    path: string;
    tag?: string;
    digest?: string;
}

/**
 * Parses and normalizes a reference (splitDockerDomain in normalize.go): a first component with a dot or a
 * colon, or `localhost`, is a registry; anything else is on Docker Hub, where a one-component name is an
 * official image under `library/`. Throws on anything Docker would refuse.
 */
export function parseImageReference(image: string): ImageReference {
    const refuse = (why: string): never => {
        throw new Error(`image "${image}" is not a valid image reference: ${why}`);
    };
    let rest = image;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) refuse(`digest "${digest}" is not algorithm:hex`);
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG.test(tag)) refuse(`tag "${tag}" must be letters, digits, _ . - (at most 128, not starting with . or -)`);
    }
    const slash = rest.indexOf("/");
    const first = slash < 0 ? "" : rest.slice(0, slash);
    let domain = DOCKER_HUB;
    let path = rest;
    if (slash >= 0 && (first === "localhost" || /[.:]/.test(first) || first.toLowerCase() !== first)) {
        domain = first === LEGACY_DOCKER_HUB ? DOCKER_HUB : first;
        path = rest.slice(slash + 1);
        if (!DOMAIN.test(domain)) refuse(`registry "${domain}" is not a host name`);
    }
    if (domain === DOCKER_HUB && !path.includes("/")) path = OFFICIAL_REPO_PREFIX + path;
    if (!PATH.test(path)) refuse(`repository "${path}" must be lowercase path components separated by /`);
    return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The reference of `path` (with the tag and digest of `ref`) in the registry location `location` (host[/prefix]). */
export function referenceAt(location: string, ref: Pick<ImageReference, "path" | "tag" | "digest">): string {
    return `${location}/${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/**
 * The upstream registries the stack's mirrors pull from, by canonical domain. Every image the workloads run
 * today is on Docker Hub (checked over their IMAGES in the tests). Another registry is one more entry here and
 * one more upstream in each back-end's mirror: an ECR pull-through cache rule supports ECR Public, Quay and
 * registry.k8s.io without credentials and GitHub, GitLab and Azure only with them (docs.aws.amazon.com/AmazonECR
 * /latest/userguide/pull-through-cache.html, read 2026-12-01).
 */
export const MIRRORED_REGISTRIES = {
    dockerhub: { domain: DOCKER_HUB, name: "Docker Hub" },
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
