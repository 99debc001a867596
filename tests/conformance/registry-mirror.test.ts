// Every container image of every graph (each stack file on each cloud, and a 30-peer cluster) is pulled through
// the stack's own registry mirror, and the mirror is one the clouds accept:
// - image hosts as the clouds name their registries: <account>.dkr.ecr.<region>.amazonaws.com
//   (docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-working-pulling.html) and
//   <region>-docker.pkg.dev/<project>/<repository> (cloud.google.com/artifact-registry/docs/docker/names);
// - ECR pull-through cache rules against botocore's ecr model and the API reference (./ecrPullThroughCache.ts);
// - the grants: a task's execution role may import its own images' repositories (ecr:BatchImportUpstreamImage,
//   ecr:CreateRepository: docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html) and pulls
//   with AmazonECSTaskExecutionRolePolicy; an instance's own account reads the remote repository
//   (roles/artifactregistry.reader: cloud.google.com/artifact-registry/docs/access-control).
import * as assert from "assert";
import { containersOf } from "../../policies/rules/containers";
import { SynthResource } from "../../tools/harness";
import { computedState } from "../../tools/mocks";
import { SynthReport } from "../../tools/synth";
import { ApiRequest } from "./awsRequests";
import { validateWithBotocore } from "./botocore";
import { CREATE_PULL_THROUGH_CACHE_RULE, pullThroughCacheRuleProblems, pullThroughCacheRuleRequest } from "./ecrPullThroughCache";
import { graphCases, graphOf } from "./graphs";
import { WORKLOAD_IMAGES, dockerHubForm } from "./workloadImages";

const T = {
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    rule: "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
    secret: "aws:secretsmanager/secret:Secret",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
    cloudRunJob: "gcp:cloudrunv2/job:Job",
    repository: "gcp:artifactregistry/repository:Repository",
    repositoryReader: "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    projectMember: "gcp:projects/iAMMember:IAMMember",
} as const;

const ECS_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

/**
 * The registry (as image references name it) behind each upstream ECR's pull-through cache supports
 * (./ecrPullThroughCache.ts), for the upstreams the workloads' images come from: Docker Hub, ECR Public.
 */
const REGISTRY_OF_ECR_UPSTREAM: Record<string, string> = {
    [CREATE_PULL_THROUGH_CACHE_RULE.upstreams["docker-hub"].url]: "docker.io",
    [CREATE_PULL_THROUGH_CACHE_RULE.upstreams["ecr-public"].url]: "public.ecr.aws",
};

/**
 * The registry behind an Artifact Registry remote repository's upstream: its Docker preset (RemoteRepositoryConfig
 * .dockerRepository.publicRepository, DOCKER_HUB) or a registry's URL (commonRepository.uri).
 */
function registryOfRemoteRepository(config: any): string | undefined {
    if (config?.dockerRepository?.publicRepository === "DOCKER_HUB") return "docker.io";
    const uri = config?.commonRepository?.uri;
    return typeof uri === "string" && /^https:\/\/[^/]+$/.test(uri) ? uri.slice("https://".length) : undefined;
}

/** What a workload names, as its registry serves it: "docker.io ipfs/kubo:v0.39.0", "public.ecr.aws r5b3e0r5/3box/ceramic-one:0.58.0". */
const UPSTREAM = new Set(WORKLOAD_IMAGES.map(i => {
    const docker = dockerHubForm(i);
    return docker !== undefined ? `docker.io ${docker}` : `${i.slice(0, i.indexOf("/"))} ${i.slice(i.indexOf("/") + 1)}`;
}));

function ofType(report: SynthReport, type: string): SynthResource[] {
    return report.resources.filter(r => r.type === type);
}

/** The images a task definition, an instance template or a Cloud Run job runs. */
function imagesOf(r: SynthResource): string[] {
    if (r.type === T.taskDefinition) return (JSON.parse(r.inputs.containerDefinitions as string) as { image: string }[]).map(c => c.image);
    if (r.type === T.cloudRunJob) return ((r.inputs.template as any).template.containers as { image: string }[]).map(c => c.image);
    const found = containersOf(r.type, r.inputs);
    if (typeof found === "symbol") throw new Error(`${r.name}: its containers are unknown offline`);
    return found.containers.map(c => String(c.image));
}

/**
 * botocore's verdict on the CreatePullThroughCacheRule request of every rule of every AWS graph, keyed by the
 * case's label and the rule's URN: one Python process for them all (loading botocore is most of the cost).
 */
let botocoreVerdicts: Promise<{ version: string; problems: Map<string, string[]> }> | undefined;
function botocoreVerdictOf(label: string, rule: SynthResource): Promise<{ version: string; problems: string[] }> {
    botocoreVerdicts ??= (async () => {
        const cases = graphCases().filter(c => c.cloud === "aws");
        const rules: { key: string; r: SynthResource }[] = [];
        // One graph after another: the offline synth runs one program at a time.
        for (const c of cases) for (const r of ofType(await graphOf(c), T.rule)) rules.push({ key: `${c.label}\u0000${r.urn}`, r });
        const verdict = validateWithBotocore(rules.map(({ r }): ApiRequest => ({ service: "ecr", operation: "CreatePullThroughCacheRule", params: pullThroughCacheRuleRequest(r.inputs).params, source: r.name })));
        return { version: verdict.version, problems: new Map(rules.map(({ key }, i) => [key, verdict.problems[i]])) };
    })();
    return botocoreVerdicts.then(v => ({ version: v.version, problems: v.problems.get(`${label}\u0000${rule.urn}`) ?? [] }));
}

function runners(report: SynthReport): SynthResource[] {
    return report.resources.filter(r => [T.taskDefinition, T.template, T.cloudRunJob].includes(r.type as never));
}

/** Why `image` is not pulled through this AWS graph's mirror, or undefined. */
function notThroughEcrMirror(image: string, region: string, rules: SynthResource[]): string | undefined {
    const host = new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region}\\.amazonaws\\.com/`);
    if (!host.test(image)) return "not in this account's ECR registry of the stack's region";
    const path = image.slice(image.indexOf("/") + 1);
    const rule = rules.find(r => path.startsWith(`${r.inputs.ecrRepositoryPrefix}/`));
    if (!rule) return "under no pull-through cache rule's prefix";
    const registry = REGISTRY_OF_ECR_UPSTREAM[String(rule.inputs.upstreamRegistryUrl)];
    if (registry === undefined) return `its rule pulls from ${rule.inputs.upstreamRegistryUrl}, no registry a workload's image is on`;
    const upstream = `${registry} ${path.slice(String(rule.inputs.ecrRepositoryPrefix).length + 1)}`;
    return UPSTREAM.has(upstream) ? undefined : `${upstream} is no image a workload names`;
}

/** Why `image` is not pulled through this GCP graph's mirror, or undefined. */
function notThroughRemoteRepository(image: string, region: string, repositories: SynthResource[]): string | undefined {
    const [host, project, repositoryId, ...rest] = image.split("/");
    if (host !== `${region}-docker.pkg.dev`) return `not in Artifact Registry in ${region}`;
    const repository = repositories.find(r => r.inputs.project === project && r.inputs.repositoryId === repositoryId);
    if (!repository) return `${project}/${repositoryId} is no repository of the stack`;
    const { mode, format, location, remoteRepositoryConfig } = repository.inputs as any;
    if (mode !== "REMOTE_REPOSITORY" || format !== "DOCKER" || location !== region) return `${repositoryId} is a ${mode} ${format} repository in ${location}, not a Docker remote repository in ${region}`;
    const registry = registryOfRemoteRepository(remoteRepositoryConfig);
    if (registry === undefined) return `${repositoryId} mirrors no registry a workload's image is on`;
    const upstream = `${registry} ${rest.join("/")}`;
    return UPSTREAM.has(upstream) ? undefined : `${upstream} is no image a workload names`;
}

describe("registry mirror conformance", () => {
    for (const c of graphCases()) {
        describe(c.label, () => {
            let report: SynthReport;
            before(async () => {
                report = await graphOf(c);
            });

            it("pulls every image of every task, instance and job through the stack's own mirror, never from its upstream registry", () => {
                const region = String(report.outputs.region);
                const mirrors = c.cloud === "aws" ? ofType(report, T.rule) : ofType(report, T.repository);
                const offenders: string[] = [];
                let images = 0;
                for (const r of runners(report)) {
                    for (const image of imagesOf(r)) {
                        images++;
                        const why = c.cloud === "aws" ? notThroughEcrMirror(image, region, mirrors) : notThroughRemoteRepository(image, region, mirrors);
                        if (why) offenders.push(`${r.type} ${r.name}: ${image}: ${why}`);
                    }
                }
                assert.ok(images > 0, "no image found");
                assert.deepStrictEqual(offenders, []);
            });

            if (c.cloud === "aws") {
                it("declares pull-through cache rules botocore's ecr model and the API reference accept, Docker Hub's with a credential secret, ECR Public's without", async () => {
                    const rules = ofType(report, T.rule);
                    assert.ok(rules.length > 0, "no pull-through cache rule");
                    const problems: string[] = [];
                    for (const rule of rules) {
                        const { params, unmapped } = pullThroughCacheRuleRequest(rule.inputs);
                        const verdict = await botocoreVerdictOf(c.label, rule);
                        const where = `${rule.name} (botocore ${verdict.version})`;
                        for (const input of unmapped) problems.push(`${where}: input ${input} has no mapping to the API request`);
                        for (const p of verdict.problems) {
                            // What the installed model predates (a member, a raised length) is judged by the API reference's table instead.
                            const unknown = /^Unknown parameter in input: "(\w+)"/.exec(p)?.[1];
                            const length = /^CreatePullThroughCacheRule\.(ecrRepositoryPrefix|credentialArn): (\d+) characters/.exec(p);
                            const newer = unknown !== undefined && (CREATE_PULL_THROUGH_CACHE_RULE.newerThanDebianModel as readonly string[]).includes(unknown);
                            const raised = length !== null && Number(length[2]) <= CREATE_PULL_THROUGH_CACHE_RULE[length[1] as "ecrRepositoryPrefix" | "credentialArn"].max;
                            if (!newer && !raised) problems.push(`${where}: ${p}`);
                        }
                        for (const p of pullThroughCacheRuleProblems(params)) problems.push(`${rule.name}: ${p}`);
                        // The secret the rule names is the stack's own, under the prefix ECR reads.
                        if (params.credentialArn !== undefined) {
                            const secret = ofType(report, T.secret).find(s => computedState(s.type, s.name, s.inputs as Record<string, any>).state.arn === params.credentialArn);
                            if (!secret) problems.push(`${rule.name}: credentialArn names no secret of the stack`);
                            else if (!String(secret.inputs.name ?? secret.inputs.namePrefix).startsWith("ecr-pullthroughcache/")) problems.push(`${rule.name}: secret ${secret.name} is not named ecr-pullthroughcache/...`);
                        }
                    }
                    assert.deepStrictEqual(problems, []);
                });

                it("lets each task's execution role import exactly its own images' repositories, and pull with the ECS execution policy", () => {
                    const problems: string[] = [];
                    const roles = ofType(report, T.role);
                    for (const task of ofType(report, T.taskDefinition)) {
                        const role = roles.find(r => computedState(r.type, r.name, r.inputs as Record<string, any>).state.arn === task.inputs.executionRoleArn);
                        if (!role) {
                            problems.push(`${task.name}: its execution role is not in the graph`);
                            continue;
                        }
                        const expected: string[] = [];
                        for (const image of imagesOf(task)) {
                            const [host, ...path] = image.split("/");
                            const ecr = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
                            if (ecr) expected.push(`arn:aws:ecr:${ecr[2]}:${ecr[1]}:repository/${path.join("/").replace(/[:@].*$/, "")}`);
                            else problems.push(`${task.name}: pulls ${image}, from no ECR repository its role could be granted`);
                        }
                        const grants = ofType(report, T.rolePolicy).filter(p => p.inputs.role === role.id)
                            .flatMap(p => (JSON.parse(p.inputs.policy as string).Statement as any[]))
                            .filter(s => [s.Action].flat().some((a: string) => a.startsWith("ecr:")));
                        const granted = grants.flatMap(s => [s.Resource].flat());
                        const actions = new Set(grants.flatMap(s => [s.Action].flat()));
                        if (!["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"].every(a => actions.has(a)) || actions.size !== 2) {
                            problems.push(`${task.name}: its execution role's ECR actions are ${[...actions].join(", ") || "none"}, not exactly ecr:BatchImportUpstreamImage and ecr:CreateRepository`);
                        }
                        if (JSON.stringify([...new Set(granted)].sort()) !== JSON.stringify([...new Set(expected)].sort())) {
                            problems.push(`${task.name}: its execution role may import ${granted.join(", ") || "nothing"}; its images are in ${[...new Set(expected)].join(", ")}`);
                        }
                        if (!ofType(report, T.attachment).some(a => a.inputs.role === role.id && a.inputs.policyArn === ECS_EXECUTION_POLICY)) {
                            problems.push(`${task.name}: its execution role lacks ${ECS_EXECUTION_POLICY}, which lets it authenticate to ECR and pull`);
                        }
                    }
                    assert.deepStrictEqual(problems, []);
                });
            } else {
                it("lets each instance's own account read the remote repository its images come from, and no other Artifact Registry grant", () => {
                    const problems: string[] = [];
                    const readers = ofType(report, T.repositoryReader);
                    for (const template of ofType(report, T.template)) {
                        const member = `serviceAccount:${(template.inputs.serviceAccount as { email: string }).email}`;
                        const needed = new Set<string>();
                        for (const image of imagesOf(template)) {
                            const [host, , repositoryId] = image.split("/");
                            if (host.endsWith("-docker.pkg.dev")) needed.add(repositoryId);
                            else problems.push(`${template.name}: pulls ${image}, from no Artifact Registry repository its account could be granted`);
                        }
                        const granted = new Set(readers.filter(g => g.inputs.member === member && g.inputs.role === "roles/artifactregistry.reader").map(g => String(g.inputs.repository)));
                        for (const repository of needed) if (!granted.has(repository)) problems.push(`${template.name}: ${member} may not read ${repository}`);
                        for (const repository of granted) if (!needed.has(repository)) problems.push(`${template.name}: ${member} may read ${repository}, which none of its images comes from`);
                    }
                    for (const g of readers) if (g.inputs.role !== "roles/artifactregistry.reader") problems.push(`${g.name}: grants ${g.inputs.role}, more than pulling needs`);
                    for (const g of ofType(report, T.projectMember)) if (String(g.inputs.role).startsWith("roles/artifactregistry.")) problems.push(`${g.name}: grants ${g.inputs.role} on the whole project`);
                    assert.deepStrictEqual(problems, []);
                });

                it("deploys each Cloud Run job after its image's remote repository exists: Cloud Run imports the image at deploy", function () {
                    const jobs = ofType(report, T.cloudRunJob);
                    if (jobs.length === 0) this.skip();
                    const repositories = ofType(report, T.repository);
                    for (const job of jobs) {
                        const image = imagesOf(job)[0];
                        const repository = repositories.find(r => r.inputs.repositoryId === image.split("/")[2]);
                        assert.ok(repository && job.options.dependsOn.includes(repository.urn), `${job.name} (${image}) does not wait for the remote repository it pulls from`);
                    }
                });
            }
        });
    }
});
