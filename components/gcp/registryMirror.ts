// The GCP registry mirror: one Artifact Registry remote repository (Docker format) per upstream registry, in
// the stack's region. Instances pull `<region>-docker.pkg.dev/<project>/<repository>/<upstream path>:<tag>`
// with their own service account (granted read on the repository); Cloud Run imports a job's image through
// its service agent when the job is deployed. Artifact Registry fetches from the upstream on a cache miss only.
// Docker Hub credentials are optional here: without them Artifact Registry pulls anonymously, and only its
// cache misses count against Docker Hub's limits.
// Sources (read 2026-12-01): cloud.google.com/artifact-registry/docs/repositories/remote-repo,
// .../docker/configure-remote-auth-dockerhub, .../integrate-cloud-run, .../access-control.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, RegistryMirror, RegistryMirrorSettings } from "../topology";
import { MirroredRegistryKey, describeUpstream, mirroredUpstream, referenceAt } from "../topology/images";
import { GcpSecret, SECRET_ACCESSOR_ROLE } from "./secret";
import { GcpEnv, afterApis, gcpName } from "./shared";

/**
 * The remote repository's upstream: a registry Artifact Registry presets (publicRepository: only DOCKER_HUB
 * for Docker), or any other public registry by its URL (commonRepository.uri, which @pulumi/gcp 9 names in
 * place of the deprecated dockerRepository.customRepository; API RemoteRepositoryConfig.common_repository).
 * Docker Hub is the only one whose credentials the mirror has.
 */
export const ARTIFACT_REGISTRY_UPSTREAMS: Record<MirroredRegistryKey, { publicRepository: string } | { uri: string }> = {
    dockerhub: { publicRepository: "DOCKER_HUB" },
    ecrpublic: { uri: "https://public.ecr.aws" },
};

/** A remote repository config's upstream members for one upstream. */
export function remoteUpstream(upstream: { publicRepository: string } | { uri: string }): Pick<gcp.types.input.artifactregistry.RepositoryRemoteRepositoryConfig, "dockerRepository" | "commonRepository"> {
    return "publicRepository" in upstream ? { dockerRepository: { publicRepository: upstream.publicRepository } } : { commonRepository: { uri: upstream.uri } };
}

/** What a service account needs to pull from a repository. */
export const ARTIFACT_REGISTRY_READER = "roles/artifactregistry.reader";

/** The Docker host of a region's Artifact Registry repositories. */
export function artifactRegistryHost(region: string): string {
    return `${region}-docker.pkg.dev`;
}

/** Whether a registry host is Artifact Registry's, whose pulls need the puller's Google credentials. */
export function isArtifactRegistryHost(host: string): boolean {
    return /^[a-z0-9-]+-docker\.pkg\.dev$/.test(host);
}

/** The remote repository of one upstream: the stack's, so stacks sharing a project keep their own caches. */
export function mirrorRepositoryId(stackPrefix: string, upstream: MirroredRegistryKey): string {
    return gcpName([stackPrefix, upstream]);
}

/** The reference instances and Cloud Run pull `image` by, through the stack's remote repository. */
export function artifactRegistryImage(image: string, location: { project: string; region: string }, stackPrefix: string): { image: string; upstream: MirroredRegistryKey } {
    const { key, ref } = mirroredUpstream(image);
    return { image: referenceAt(`${artifactRegistryHost(location.region)}/${location.project}/${mirrorRepositoryId(stackPrefix, key)}`, ref), upstream: key };
}

export class GcpRegistryMirror extends pulumi.ComponentResource implements RegistryMirror {
    private readonly mirrorName: string;
    private readonly env: GcpEnv;
    private readonly settings: RegistryMirrorSettings;
    private readonly repositories = new Map<MirroredRegistryKey, gcp.artifactregistry.Repository>();

    constructor(name: string, settings: RegistryMirrorSettings, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.registryMirror, name, {}, opts);
        this.mirrorName = name;
        this.env = env;
        this.settings = settings;
        this.registerOutputs({ registry: artifactRegistryHost(env.region) });
    }

    imageFor(image: string): string {
        return this.pull(image).image;
    }

    /** The mirrored reference and the repository serving it; repositories are declared on first use. */
    pull(image: string): { image: string; repository: gcp.artifactregistry.Repository } {
        const mirrored = artifactRegistryImage(image, this.env, this.env.context.prefix);
        return { image: mirrored.image, repository: this.repository(mirrored.upstream) };
    }

    /** Lets `member` pull `images`: read access on exactly the repositories they come from. */
    grantReader(name: string, images: string[], member: pulumi.Input<string>, parent: pulumi.Resource): gcp.artifactregistry.RepositoryIamMember[] {
        const repositories = [...new Set(images.map(image => this.pull(image).repository))];
        return repositories.map((repository, i) => new gcp.artifactregistry.RepositoryIamMember(`${name}-pulls${repositories.length > 1 ? `-${i}` : ""}`, {
            project: repository.project,
            location: repository.location,
            repository: repository.repositoryId,
            role: ARTIFACT_REGISTRY_READER,
            member,
        }, { parent }));
    }

    private repository(upstream: MirroredRegistryKey): gcp.artifactregistry.Repository {
        const existing = this.repositories.get(upstream);
        if (existing) return existing;
        const { env, settings } = this;
        const name = `${this.mirrorName}-${upstream}`;
        const waitFor: pulumi.Resource[] = [];
        let upstreamCredentials: gcp.types.input.artifactregistry.RepositoryRemoteRepositoryConfigUpstreamCredentials | undefined;
        if (settings.dockerHub && upstream === "dockerhub") {
            // Artifact Registry reads the token itself, through its service agent.
            const token = new GcpSecret(`${name}-token`, { value: settings.dockerHub.accessToken, description: `Docker Hub access token of ${env.context.prefix}'s registry mirror` }, env, { parent: this });
            const agent = new gcp.projects.ServiceIdentity(`${name}-agent`, { project: env.project, service: "artifactregistry.googleapis.com" }, afterApis(env, this, "artifactRegistry"));
            waitFor.push(new gcp.secretmanager.SecretIamMember(`${name}-token-agent`, {
                secretId: token.reference,
                role: SECRET_ACCESSOR_ROLE,
                member: agent.member,
            }, { parent: this }));
            upstreamCredentials = { usernamePasswordCredentials: { username: settings.dockerHub.username, passwordSecretVersion: token.versionName } };
        }
        const repository = new gcp.artifactregistry.Repository(name, {
            project: env.project,
            location: env.region,
            repositoryId: mirrorRepositoryId(env.context.prefix, upstream),
            format: "DOCKER",
            mode: "REMOTE_REPOSITORY",
            description: `${env.context.prefix}: pull-through cache of ${describeUpstream(upstream)}`,
            remoteRepositoryConfig: {
                description: describeUpstream(upstream),
                ...remoteUpstream(ARTIFACT_REGISTRY_UPSTREAMS[upstream]),
                ...(upstreamCredentials ? { upstreamCredentials } : {}),
            },
        }, { ...afterApis(env, this, "artifactRegistry"), dependsOn: [env.apis.artifactRegistry, ...waitFor] });
        this.repositories.set(upstream, repository);
        return repository;
    }
}
