// Every container image comes through the stack's own registry mirror: an ECR pull-through cache rule of the
// stack on AWS, an Artifact Registry remote repository of the stack on GCP. A task or instance that pulls from
// Docker Hub itself shares Docker Hub's per-address limit with everything behind the stack's NAT (Fargate
// keeps no image cache, so every task start is a pull), and a container that cannot pull does not start.
//
// Registry hosts, as the clouds document them (read 2026-12-01):
// - ECR: <account>.dkr.ecr.<region>.amazonaws.com[.cn], a pull-through cache rule serving <ecrRepositoryPrefix>/...
//   (docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-working-pulling.html)
// - Artifact Registry: <location>-docker.pkg.dev/<project>/<repositoryId>/...
//   (cloud.google.com/artifact-registry/docs/docker/names)
import { containersOf, rendersPublishedSpecs } from "./containers";
import { parseImageReference } from "./imageReference";
import { StackResource, StackView, stackPolicy } from "./policy";
import { GCE_VM_TYPES, T } from "./types";
import { Maybe, UNKNOWN, at, describe, isUnknown, list, str } from "./values";

const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const ARTIFACT_REGISTRY_HOST = /^([a-z0-9-]+)-docker\.pkg\.dev$/;

/** The types that run containers from images this rule judges; local Docker containers pull on a laptop. */
export const MIRRORED_RUNNER_TYPES = [T.ecsTaskDefinition, ...GCE_VM_TYPES, T.cloudRunJob, T.cloudRunService, T.zonalService];

/** A Cloud Run (v2) job's or service's container images: `template.template.containers` or `template.containers`. */
function cloudRunImages(r: StackResource): { label: string; image: Maybe<string> }[] | typeof UNKNOWN {
    const containers = list(r.type === T.cloudRunJob ? at(r.props, "template", "template", "containers") : at(r.props, "template", "containers"));
    if (isUnknown(containers)) return UNKNOWN;
    return (containers ?? []).map((c, i) => ({ label: `containers[${i}] ("${String(str(at(c, "name")) ?? i)}")`, image: str(at(c, "image")) }));
}

function imagesOf(r: StackResource): { label: string; image: Maybe<string> }[] | typeof UNKNOWN {
    if (r.type === T.cloudRunJob || r.type === T.cloudRunService) return cloudRunImages(r);
    // A zonal service's task definition or VM runs its published specs: their images are judged on the service.
    if (rendersPublishedSpecs(r.urn)) return [];
    const found = containersOf(r.type, r.props);
    if (isUnknown(found)) return UNKNOWN;
    return found.containers.map(c => ({ label: c.label, image: c.image }));
}

interface Mirrors {
    /** Repository prefixes of the stack's ECR pull-through cache rules. */
    ecrPrefixes: string[];
    /** `<location>/<project>/<repositoryId>` of the stack's remote repositories; project undefined when the provider's. */
    remoteRepositories: { location: string; project: string | undefined; repositoryId: string }[];
    /** Some mirror's identity is unknown during a preview: a reference to it cannot be judged yet. */
    unknown: boolean;
}

function mirrorsOf(stack: StackView): Mirrors {
    const mirrors: Mirrors = { ecrPrefixes: [], remoteRepositories: [], unknown: false };
    for (const rule of stack.ofType(T.ecrPullThroughCacheRule)) {
        const prefix = str(rule.props.ecrRepositoryPrefix);
        if (isUnknown(prefix)) mirrors.unknown = true;
        else if (typeof prefix === "string") mirrors.ecrPrefixes.push(prefix.replace(/\/$/, ""));
    }
    for (const repo of stack.ofType(T.artifactRegistryRepository)) {
        const [mode, location, project, repositoryId] = [repo.props.mode, repo.props.location, repo.props.project, repo.props.repositoryId].map(str);
        if ([mode, location, project, repositoryId].some(isUnknown)) {
            mirrors.unknown = true;
            continue;
        }
        if (mode !== "REMOTE_REPOSITORY" || typeof location !== "string" || typeof repositoryId !== "string") continue;
        mirrors.remoteRepositories.push({ location, project: project as string | undefined, repositoryId });
    }
    return mirrors;
}

/** Why an image is not pulled through a mirror of the stack, or undefined when it is (or cannot be judged yet). */
function notMirrored(image: string, mirrors: Mirrors): string | undefined {
    let ref;
    try {
        ref = parseImageReference(image);
    } catch (e) {
        return (e as Error).message;
    }
    if (ECR_HOST.test(ref.domain)) {
        if (mirrors.ecrPrefixes.some(prefix => ref.path.startsWith(`${prefix}/`))) return undefined;
        return mirrors.unknown ? undefined : `it is in ECR under ${ref.path}, which no pull-through cache rule of this stack serves (its prefixes: ${mirrors.ecrPrefixes.join(", ") || "none"})`;
    }
    const ar = ARTIFACT_REGISTRY_HOST.exec(ref.domain);
    if (ar) {
        const [project, repositoryId] = ref.path.split("/");
        if (mirrors.remoteRepositories.some(m => m.location === ar[1] && m.repositoryId === repositoryId && (m.project === undefined || m.project === project))) return undefined;
        return mirrors.unknown ? undefined : `it is in Artifact Registry repository ${project}/${repositoryId} in ${ar[1]}, which is no remote repository of this stack`;
    }
    return `it is pulled from ${ref.domain} directly`;
}

export const imagesPulledThroughMirror = stackPolicy<object>({
    name: "images-pulled-through-mirror",
    description:
        "Every container image of an ECS task definition, a GCE instance template or instance, a Cloud Run job or service, and a zonal " +
        "service's published container specs is pulled " +
        "through the stack's own registry mirror: an ECR pull-through cache rule of the stack, or an Artifact Registry remote repository of " +
        "the stack. Pulled from Docker Hub directly, every task start and instance boot counts against Docker Hub's per-address limit, " +
        "shared by everything behind the stack's NAT; a container that cannot pull does not start.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Build services and jobs with the back-end (it rewrites each image to its mirror), or name the image as " +
        "<account>.dkr.ecr.<region>.amazonaws.com/<rule prefix>/<path>:<tag> or <region>-docker.pkg.dev/<project>/<remote repository>/<path>:<tag>.",
    check(stack, _config, report) {
        const mirrors = mirrorsOf(stack);
        for (const r of stack.ofType(...MIRRORED_RUNNER_TYPES)) {
            const images = imagesOf(r);
            if (isUnknown(images)) continue;
            for (const { label, image } of images) {
                if (typeof image !== "string") continue;
                const why = notMirrored(image, mirrors);
                if (why) report(r, `${describe(r)}: ${label} uses image "${image}": ${why}, not through this stack's registry mirror. Pull it through an ECR pull-through cache rule (AWS) or an Artifact Registry remote repository (GCP) of this stack.`);
            }
        }
    },
});
