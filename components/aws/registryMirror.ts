// The AWS registry mirror: one ECR pull-through cache rule per upstream registry, under the stack's own
// repository prefix. A task pulls `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream path>:<tag>`;
// on the first pull ECR creates that repository and imports the image, later pulls come from ECR and never
// reach the upstream's per-address limits. ECR pulls from Docker Hub only with credentials, kept in a Secrets
// Manager secret whose name starts with `ecr-pullthroughcache/`.
// Sources (read 2026-12-01): docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html,
// .../pull-through-cache-creating-secret.html, .../pull-through-cache-working-pulling.html,
// .../pull-through-cache-iam.html; API_CreatePullThroughCacheRule.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Profile, RegistryMirror, RegistryMirrorSettings } from "../topology";
import { MirroredRegistryKey, SET_DOCKER_HUB_ACCESS_TOKEN, SET_DOCKER_HUB_USERNAME, describeUpstream, mirroredUpstream, referenceAt } from "../topology/images";
import { secretRecoveryWindowDays } from "./constants";
import { AwsAccount } from "./context";

/** What ECR's pull-through cache needs to know of each upstream the stack mirrors. */
export const ECR_UPSTREAMS: Record<MirroredRegistryKey, { upstreamRegistryUrl: string; credentials: "required" | "none" }> = {
    // "Docker Hub ... (requires authentication with AWS Secrets Manager secret)"; its URL is registry-1.docker.io.
    dockerhub: { upstreamRegistryUrl: "registry-1.docker.io", credentials: "required" },
    // "Amazon ECR Public" needs none; images keep their path (public.ecr.aws/<alias>/<repository>).
    ecrpublic: { upstreamRegistryUrl: "public.ecr.aws", credentials: "none" },
};

/** ECR reads upstream credentials only from secrets named with this prefix (CreatePullThroughCacheRule's credentialArn pattern). */
export const ECR_CREDENTIAL_SECRET_PREFIX = "ecr-pullthroughcache/";

export interface EcrRegistry {
    account: AwsAccount;
    region: string;
}

/** The private registry's host, as ECS names images in it. */
export function ecrRegistryHost(registry: EcrRegistry): string {
    return `${registry.account.accountId}.dkr.ecr.${registry.region}.${registry.account.dnsSuffix}`;
}

/** The repository prefix of one upstream: the stack's, so two stacks in one account never claim the same rule. */
export function ecrRepositoryPrefix(stackPrefix: string, upstream: MirroredRegistryKey): string {
    return `${stackPrefix}/${upstream}`;
}

/**
 * The reference ECS pulls `image` by, through the stack's pull-through cache, and the repository ECR keeps it
 * in. Docker Hub's official images keep their `library/` path: ECR requires it.
 */
export function ecrMirrorImage(image: string, registry: EcrRegistry, stackPrefix: string): { image: string; upstream: MirroredRegistryKey; repository: string } {
    const { key, ref } = mirroredUpstream(image);
    const prefix = ecrRepositoryPrefix(stackPrefix, key);
    return { image: referenceAt(`${ecrRegistryHost(registry)}/${prefix}`, ref), upstream: key, repository: `${prefix}/${ref.path}` };
}

export function ecrRepositoryArn(registry: EcrRegistry, repository: string): string {
    return `arn:${registry.account.partition}:ecr:${registry.region}:${registry.account.accountId}:repository/${repository}`;
}

/**
 * What a task's execution role needs beyond the managed execution policy (which already lets it authenticate
 * and pull from ECR): importing its images from the upstream and, on the first pull, creating their
 * repositories. Exactly the repositories of the task's own images.
 */
export function pullThroughCachePolicy(repositoryArns: string[]): string | undefined {
    const arns = [...new Set(repositoryArns)].sort();
    if (arns.length === 0) return undefined;
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "PullThroughStackMirror", Effect: "Allow", Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Resource: arns }],
    });
}

export interface AwsRegistryMirrorArgs {
    prefix: string;
    profile: Profile;
    registry: EcrRegistry;
    settings: RegistryMirrorSettings;
}

/** One image as a task pulls it: its mirrored reference, its repository's ARN, and the rule that serves it. */
export interface MirroredPull {
    image: string;
    repositoryArn: string;
    rule: aws.ecr.PullThroughCacheRule;
}

export class AwsRegistryMirror extends pulumi.ComponentResource implements RegistryMirror {
    private readonly mirrorName: string;
    private readonly args: AwsRegistryMirrorArgs;
    private readonly rules = new Map<MirroredRegistryKey, aws.ecr.PullThroughCacheRule>();

    constructor(name: string, args: AwsRegistryMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.registryMirror, name, {}, opts);
        this.mirrorName = name;
        this.args = args;
        this.registerOutputs({ registry: ecrRegistryHost(args.registry) });
    }

    imageFor(image: string): string {
        return this.pull(image).image;
    }

    /** Rules are declared on first use: the stack mirrors exactly the upstreams its images come from. */
    pull(image: string): MirroredPull {
        const mirrored = ecrMirrorImage(image, this.args.registry, this.args.prefix);
        return { image: mirrored.image, repositoryArn: ecrRepositoryArn(this.args.registry, mirrored.repository), rule: this.rule(mirrored.upstream) };
    }

    private rule(upstream: MirroredRegistryKey): aws.ecr.PullThroughCacheRule {
        const existing = this.rules.get(upstream);
        if (existing) return existing;
        const { prefix, profile, settings } = this.args;
        const { upstreamRegistryUrl, credentials } = ECR_UPSTREAMS[upstream];
        const name = `${this.mirrorName}-${upstream}`;
        let credentialArn: pulumi.Output<string> | undefined;
        const waitFor: pulumi.Resource[] = [];
        if (credentials === "required") {
            const dockerHub = settings.dockerHub;
            if (!dockerHub) throw new Error(`ECR pulls from ${describeUpstream(upstream)} only with credentials: set them with ${SET_DOCKER_HUB_USERNAME} and ${SET_DOCKER_HUB_ACCESS_TOKEN}`);
            const secret = new aws.secretsmanager.Secret(`${name}-credentials`, {
                // A prefix, not a fixed name: a deleted name stays reserved for the recovery window.
                namePrefix: `${ECR_CREDENTIAL_SECRET_PREFIX}${prefix}-${upstream}-`,
                description: `${prefix}: the account ECR's pull-through cache pulls from ${describeUpstream(upstream)} with`,
                recoveryWindowInDays: secretRecoveryWindowDays(profile),
            }, { parent: this });
            // The keys ECR reads: "username" and "accessToken".
            waitFor.push(new aws.secretsmanager.SecretVersion(`${name}-credentials-version`, {
                secretId: secret.id,
                secretString: pulumi.secret(pulumi.jsonStringify({ username: dockerHub.username, accessToken: dockerHub.accessToken })),
            }, { parent: this }));
            credentialArn = secret.arn;
        }
        const rule = new aws.ecr.PullThroughCacheRule(name, {
            ecrRepositoryPrefix: ecrRepositoryPrefix(prefix, upstream),
            upstreamRegistryUrl,
            ...(credentialArn ? { credentialArn } : {}),
        }, { parent: this, dependsOn: waitFor });
        this.rules.set(upstream, rule);
        return rule;
    }
}
