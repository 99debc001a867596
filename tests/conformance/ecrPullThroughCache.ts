// ECR's CreatePullThroughCacheRule as AWS defines it today, kept as data: the tests judge every rule a graph
// declares against it, beside botocore's own validator. Debian's python3-botocore (1.29, what CI installs)
// predates authenticated upstreams (Docker Hub, GitHub, GitLab, Azure: November 2023), so its model lacks
// credentialArn and upstreamRegistry and still caps the prefix at 20 characters without slashes (botocore 1.34
// already allows 30 with nested prefixes); the members it does know are validated by botocore itself, and what
// it lacks or states older by this table.
// Sources, read 2026-12-01:
// - https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html
// - botocore 1.43.11, data/ecr/2015-09-21/service-2.json: shapes PullThroughCacheRuleRepositoryPrefix,
//   CredentialArn, UpstreamRegistry, RegistryId
// - https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html (which upstreams need a secret)
// - https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-rule.html (the secret's
//   name starts with ecr-pullthroughcache/, in the rule's account and Region)

export const CREATE_PULL_THROUGH_CACHE_RULE = {
    ecrRepositoryPrefix: {
        min: 2,
        max: 30,
        pattern: /^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$/,
    },
    credentialArn: {
        min: 50,
        max: 612,
        pattern: /^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/,
    },
    registryId: { pattern: /^[0-9]{12}$/ },
    /** upstreamRegistry values and the upstreamRegistryUrl each takes (Azure's is the registry's own *.azurecr.io). */
    upstreams: {
        "ecr-public": { url: "public.ecr.aws", credentials: false },
        quay: { url: "quay.io", credentials: false },
        k8s: { url: "registry.k8s.io", credentials: false },
        "docker-hub": { url: "registry-1.docker.io", credentials: true },
        "github-container-registry": { url: "ghcr.io", credentials: true },
        "gitlab-container-registry": { url: "registry.gitlab.com", credentials: true },
    } as Record<string, { url: string; credentials: boolean }>,
    /** Members Debian's botocore 1.29 model does not have; any other member unknown to botocore is a mistake. */
    newerThanDebianModel: ["credentialArn", "upstreamRegistry", "customRoleArn", "upstreamRepositoryPrefix"],
} as const;

/** The CreatePullThroughCacheRule request the provider sends for a rule's inputs (the provider keeps `region` to itself). */
export function pullThroughCacheRuleRequest(inputs: Record<string, unknown>): { params: Record<string, unknown>; unmapped: string[] } {
    const members = ["ecrRepositoryPrefix", "upstreamRegistryUrl", "credentialArn", "customRoleArn", "upstreamRepositoryPrefix", "registryId"];
    const params = Object.fromEntries(members.filter(m => inputs[m] !== undefined).map(m => [m, inputs[m]]));
    return { params, unmapped: Object.keys(inputs).filter(k => !members.includes(k) && k !== "region") };
}

/** What the API reference says is wrong with a request, member by member. */
export function pullThroughCacheRuleProblems(params: Record<string, unknown>): string[] {
    const api = CREATE_PULL_THROUGH_CACHE_RULE;
    const problems: string[] = [];
    const checkString = (member: "ecrRepositoryPrefix" | "credentialArn", limits: { min: number; max: number; pattern: RegExp }): void => {
        const value = params[member];
        if (value === undefined) return;
        if (typeof value !== "string") {
            problems.push(`${member}: not a string`);
            return;
        }
        if (value.length < limits.min || value.length > limits.max) problems.push(`${member} "${value}": ${value.length} characters; the API takes ${limits.min}-${limits.max}`);
        if (!limits.pattern.test(value)) problems.push(`${member} "${value}": does not match ${limits.pattern}`);
    };
    if (params.ecrRepositoryPrefix === undefined) problems.push("ecrRepositoryPrefix: required");
    checkString("ecrRepositoryPrefix", api.ecrRepositoryPrefix);
    checkString("credentialArn", api.credentialArn);
    if (params.registryId !== undefined && !api.registryId.pattern.test(String(params.registryId))) problems.push(`registryId "${params.registryId}": not an account ID`);
    const upstream = Object.entries(api.upstreams).find(([, u]) => u.url === params.upstreamRegistryUrl);
    if (!upstream) problems.push(`upstreamRegistryUrl "${params.upstreamRegistryUrl}": none of the upstreams ECR supports (${Object.values(api.upstreams).map(u => u.url).join(", ")})`);
    else if (upstream[1].credentials && params.credentialArn === undefined) problems.push(`upstream ${upstream[0]} requires credentialArn: ECR pulls from it only with a Secrets Manager secret`);
    return problems;
}
