// Container image references as Docker reads them. The pack judges references with this grammar, and the
// program (components/topology/images.ts) names and rewrites its images with the same code: it lives here,
// inside the pack, because a published pack carries only this directory. Pure and cloud-neutral: no Pulumi,
// no cloud SDK.
//
// Grammar and normalization: distribution/reference@v0.6.0 (regexp.go, normalize.go), the code the Docker CLI
// and containerd parse references with.

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
 * An image reference pinned to a version tag or a digest, never a moving tag: not `latest`, not untagged, not
 * a `-root` variant (Chainlink's images that run as root).
 */
export function isPinnedImage(image: string): boolean {
    if (image.includes("@sha256:")) return true;
    const lastSlash = image.lastIndexOf("/");
    const colon = image.indexOf(":", lastSlash + 1);
    if (colon < 0) return false;
    const tag = image.slice(colon + 1);
    return tag !== "" && tag !== "latest" && !tag.endsWith("-root");
}
