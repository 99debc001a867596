// The registry mirror's plain functions against their owners' rules: image references as Docker parses them
// (distribution/reference), each back-end's rewrite of every image the workloads name, the configuration of the
// mirror's Docker Hub account, and the instance's Docker authentication to Artifact Registry.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_VERSION as CHAINLINK_DEFAULT_VERSION } from "../components/chainlink/images";
import { ecrMirrorImage, ecrRepositoryPrefix, pullThroughCachePolicy } from "../components/aws/registryMirror";
import { HostContainer, HostSpec, containerScript } from "../components/gcp/cloudinit";
import { artifactRegistryImage, mirrorRepositoryId } from "../components/gcp/registryMirror";
import { DOCKER_HUB, MIRRORED_REGISTRIES, MirroredRegistryKey, mirroredUpstream, parseImageReference } from "../components/topology/images";
import { IMAGES as CERAMIC_IMAGES } from "../components/ceramic/images";
import { IMAGES as CLUSTER_IMAGES } from "../components/ipfs-cluster/images";
import { parseConfig } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { WORKLOAD_IMAGES } from "./conformance/workloadImages";
import { baseConfig, hasBinary } from "./support";

const REGISTRY = { account: { accountId: "123456789012", partition: "aws", dnsSuffix: "amazonaws.com" }, region: "us-east-1" };
const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const LOCATION = { project: "web3-nodes-prod", region: "us-central1" };
/** The longest prefix stack names give (stacks/program.ts cuts `web3-<stack>` to 20 characters). */
const LONGEST_STACK_PREFIX = "web3-abcdefghijklmno";

function problemsOf(raw: Record<string, unknown>, secretKeys?: ReadonlySet<string>): string[] {
    try {
        parseConfig(raw, undefined, secretKeys);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

describe("registry mirror", () => {
    describe("image references, normalized as distribution/reference@v0.6.0 normalize.go does", () => {
        // Expected values from normalize.go's splitDockerDomain and its tests (normalize_test.go).
        const cases: [string, string, string, string | undefined, string | undefined][] = [
            ["ubuntu", DOCKER_HUB, "library/ubuntu", undefined, undefined],
            ["ubuntu:24.04", DOCKER_HUB, "library/ubuntu", "24.04", undefined],
            ["docker.io/ubuntu", DOCKER_HUB, "library/ubuntu", undefined, undefined],
            ["index.docker.io/ipfs/kubo:v0.39.0", DOCKER_HUB, "ipfs/kubo", "v0.39.0", undefined],
            ["ipfs/kubo:v0.39.0", DOCKER_HUB, "ipfs/kubo", "v0.39.0", undefined],
            ["localhost/foo", "localhost", "foo", undefined, undefined],
            ["localhost:5000/foo/bar:1", "localhost:5000", "foo/bar", "1", undefined],
            ["ghcr.io/owner/app:1.2@sha256:" + "a".repeat(64), "ghcr.io", "owner/app", "1.2", "sha256:" + "a".repeat(64)],
            ["Docker/docker", "Docker", "docker", undefined, undefined],
            ["quay.io/a--b/c__d.e:x", "quay.io", "a--b/c__d.e", "x", undefined],
        ];
        for (const [image, domain, repoPath, tag, digest] of cases) {
            it(`reads ${image} as ${domain}/${repoPath}`, () => {
                const ref = parseImageReference(image);
                assert.deepStrictEqual([ref.domain, ref.path, ref.tag, ref.digest], [domain, repoPath, tag, digest]);
            });
        }

        it("refuses what Docker refuses: uppercase repositories, empty or overlong tags, malformed digests", () => {
            for (const bad of ["ipfs/Kubo:1", "ipfs/kubo:", `ipfs/kubo:${"x".repeat(129)}`, "ipfs/kubo@sha256:abc", "ipfs//kubo", "-ipfs/kubo"]) {
                assert.throws(() => parseImageReference(bad), /is not a valid image reference/, bad);
            }
        });
    });

    it("serves every image the workloads run: all are on Docker Hub but ceramic-one, on ECR Public", () => {
        assert.ok(WORKLOAD_IMAGES.length >= 6);
        assert.deepStrictEqual(WORKLOAD_IMAGES.map(image => mirroredUpstream(image).key), WORKLOAD_IMAGES.map(image => (image === CERAMIC_IMAGES.ceramicOne ? "ecrpublic" : "dockerhub")));
        assert.strictEqual(mirroredUpstream(CERAMIC_IMAGES.ceramicOne).ref.domain, MIRRORED_REGISTRIES.ecrpublic.domain);
    });

    it("refuses an image from a registry it does not serve, saying which it does", () => {
        assert.throws(() => mirroredUpstream("ghcr.io/owner/app:1"), /image "ghcr\.io\/owner\/app:1" is on ghcr\.io, which the stack's registry mirror does not serve; it pulls from Docker Hub \(docker\.io\), Amazon ECR Public \(public\.ecr\.aws\)/);
    });

    describe("on AWS: an ECR pull-through cache", () => {
        it("rewrites every workload image to the stack's prefix in the account's private registry", () => {
            assert.deepStrictEqual(WORKLOAD_IMAGES.map(i => ecrMirrorImage(i, REGISTRY, "web3-prod").image), [
                `${ECR}/web3-prod/dockerhub/${CLUSTER_IMAGES.kubo}`,
                `${ECR}/web3-prod/dockerhub/ipfs/ipfs-cluster:v1.1.6`,
                `${ECR}/web3-prod/dockerhub/ceramicnetwork/js-ceramic:6.11.0`,
                `${ECR}/web3-prod/dockerhub/ceramicnetwork/js-ceramic:5.16.0`,
                `${ECR}/web3-prod/ecrpublic/r5b3e0r5/3box/ceramic-one:0.58.0`,
                `${ECR}/web3-prod/dockerhub/ceramicnetwork/go-ipfs-daemon:f19c96be94a9`,
                `${ECR}/web3-prod/dockerhub/curlimages/curl:8.11.1`,
                `${ECR}/web3-prod/dockerhub/smartcontract/chainlink:${CHAINLINK_DEFAULT_VERSION}`,
            ]);
        });

        it("keeps library/ for Docker Hub's official images, as ECR requires (docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-working-pulling.html)", () => {
            assert.strictEqual(ecrMirrorImage("postgres:16", REGISTRY, "web3-dev").image, `${ECR}/web3-dev/dockerhub/library/postgres:16`);
            assert.strictEqual(ecrMirrorImage("docker.io/library/busybox@sha256:" + "b".repeat(64), REGISTRY, "web3-dev").repository, "web3-dev/dockerhub/library/busybox");
        });

        it("names the registry of the account's partition", () => {
            const china = { account: { accountId: "123456789012", partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" }, region: "cn-north-1" };
            assert.strictEqual(ecrMirrorImage("ipfs/kubo:v0.39.0", china, "web3-dev").image, "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web3-dev/dockerhub/ipfs/kubo:v0.39.0");
        });

        it("keeps the longest stack prefix within CreatePullThroughCacheRule's ecrRepositoryPrefix (2-30, lowercase path components)", () => {
            // API reference CreatePullThroughCacheRule, read 2026-12-01 (botocore 1.43 shape PullThroughCacheRuleRepositoryPrefix).
            for (const upstream of Object.keys(MIRRORED_REGISTRIES) as MirroredRegistryKey[]) {
                const prefix = ecrRepositoryPrefix(LONGEST_STACK_PREFIX, upstream);
                assert.ok(prefix.length >= 2 && prefix.length <= 30, `${prefix}: ${prefix.length} characters`);
                assert.match(prefix, /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/);
            }
        });

        it("lets a task import exactly its own repositories, nothing else", () => {
            const arns = ["arn:aws:ecr:us-east-1:123456789012:repository/web3-dev/dockerhub/ipfs/kubo", "arn:aws:ecr:us-east-1:123456789012:repository/web3-dev/dockerhub/ipfs/kubo"];
            assert.deepStrictEqual(JSON.parse(pullThroughCachePolicy(arns)!).Statement, [{
                Sid: "PullThroughStackMirror",
                Effect: "Allow",
                Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                Resource: [arns[0]],
            }]);
            assert.strictEqual(pullThroughCachePolicy([]), undefined);
        });
    });

    describe("on GCP: an Artifact Registry remote repository", () => {
        it("rewrites every workload image to the stack's remote repository in the region", () => {
            const host = "us-central1-docker.pkg.dev/web3-nodes-prod/web3-prod-dockerhub";
            assert.deepStrictEqual(WORKLOAD_IMAGES.map(i => artifactRegistryImage(i, LOCATION, "web3-prod").image), [
                `${host}/${CLUSTER_IMAGES.kubo}`,
                `${host}/ipfs/ipfs-cluster:v1.1.6`,
                `${host}/ceramicnetwork/js-ceramic:6.11.0`,
                `${host}/ceramicnetwork/js-ceramic:5.16.0`,
                "us-central1-docker.pkg.dev/web3-nodes-prod/web3-prod-ecrpublic/r5b3e0r5/3box/ceramic-one:0.58.0",
                `${host}/ceramicnetwork/go-ipfs-daemon:f19c96be94a9`,
                `${host}/curlimages/curl:8.11.1`,
                `${host}/smartcontract/chainlink:${CHAINLINK_DEFAULT_VERSION}`,
            ]);
            assert.strictEqual(artifactRegistryImage("postgres:16", LOCATION, "web3-prod").image, `${host}/library/postgres:16`);
        });

        it("names the repository as Artifact Registry allows: a lowercase letter first, letters, digits and dashes, at most 63", () => {
            // cloud.google.com/artifact-registry/docs/repositories/create-repos (repository names), read 2026-12-01.
            for (const upstream of Object.keys(MIRRORED_REGISTRIES) as MirroredRegistryKey[]) {
                assert.match(mirrorRepositoryId(LONGEST_STACK_PREFIX, upstream), /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
            }
        });
    });

    describe("configuration", () => {
        const TOKEN = "dckr_pat_RECOGNISABLE-registry-token";
        const withoutMirror = (cloud: "aws" | "gcp", registryMirror?: unknown) => ({ ...baseConfig(cloud), registryMirror });

        it("requires the Docker Hub account on AWS, naming both keys and the commands that set them", () => {
            assert.deepStrictEqual(problemsOf(withoutMirror("aws")), [
                "web3-nodes:registryMirror.dockerHubUsername is required: cloud is aws, and ECR's pull-through cache pulls from Docker Hub only with a Docker Hub account; set it with pulumi config set --path registryMirror.dockerHubUsername <user>",
                "web3-nodes:registryMirror.dockerHubAccessToken is required: cloud is aws, and ECR's pull-through cache pulls from Docker Hub only with a Docker Hub account; create a read-only access token on Docker Hub; set it with pulumi config set --secret --path 'web3-nodes:registryMirror.dockerHubAccessToken' dckr_pat_YOUR-READ-ONLY-TOKEN",
            ]);
        });

        it("takes no account on GCP, where Artifact Registry pulls anonymously, but both keys or neither", () => {
            assert.deepStrictEqual(parseConfig(withoutMirror("gcp")).registryMirror, {});
            assert.deepStrictEqual(problemsOf(withoutMirror("gcp", { dockerHubUsername: "web3nodes" })), [
                "web3-nodes:registryMirror.dockerHubAccessToken is required: registryMirror.dockerHubUsername is set, and Docker Hub signs the mirror in with both; set it with pulumi config set --secret --path 'web3-nodes:registryMirror.dockerHubAccessToken' dckr_pat_YOUR-READ-ONLY-TOKEN",
            ]);
            const config = parseConfig(withoutMirror("gcp", { dockerHubUsername: "web3nodes", dockerHubAccessToken: TOKEN }));
            assert.deepStrictEqual(config.registryMirror, { dockerHub: { username: "web3nodes", accessToken: TOKEN } });
        });

        it("refuses the token in plain text without repeating it", () => {
            const problems = problemsOf(withoutMirror("aws", { dockerHubUsername: "web3nodes", dockerHubAccessToken: TOKEN }), new Set());
            assert.deepStrictEqual(problems, [
                "web3-nodes:registryMirror.dockerHubAccessToken = [secret]: given in plain text; store it encrypted with pulumi config set --secret --path 'web3-nodes:registryMirror.dockerHubAccessToken' dckr_pat_YOUR-READ-ONLY-TOKEN",
            ]);
            assert.deepStrictEqual(problemsOf(withoutMirror("aws", { dockerHubUsername: "web3nodes", dockerHubAccessToken: TOKEN }), new Set(["registryMirror"])), []);
        });

        it("refuses a malformed account and never shows the token", () => {
            const problems = problemsOf(withoutMirror("aws", { dockerHubUsername: "me@example.com", dockerHubAccessToken: `${TOKEN} extra`, dockerHubPassword: "x" }));
            assert.deepStrictEqual(problems, [
                'web3-nodes:registryMirror.dockerHubUsername = "me@example.com": a Docker Hub user or organization name: letters, digits, _ . -',
                "web3-nodes:registryMirror.dockerHubAccessToken = [secret]: a Docker Hub access token: one word, no spaces",
                "web3-nodes:registryMirror.dockerHubPassword: unknown key; known keys here: dockerHubUsername, dockerHubAccessToken",
            ]);
            assert.ok(problems.every(p => !p.includes("RECOGNISABLE")));
        });
    });

    describe("a Container-Optimized OS instance", () => {
        const container = (image: string): HostContainer => ({ name: "kubo", image, env: {}, secrets: [], user: { uid: 1000, gid: 100 }, mounts: [], memoryMiB: 512 });
        const spec = (image: string): HostSpec => ({ service: "ipfs-0", volumes: [], containers: [container(image)] });
        const AR_IMAGE = "us-central1-docker.pkg.dev/web3-nodes-prod/web3-prod-dockerhub/ipfs/kubo:v0.39.0";

        it("signs docker in to Artifact Registry with the instance's account before it pulls, in a writable config directory", () => {
            const script = containerScript(spec(AR_IMAGE), container(AR_IMAGE));
            const lines = script.split("\n");
            const auth = lines.indexOf("docker-credential-gcr configure-docker --registries=us-central1-docker.pkg.dev");
            const exportConfig = lines.indexOf("export DOCKER_CONFIG=/run/ipfs-0/docker");
            const run = lines.findIndex(l => l.startsWith("exec /usr/bin/docker run"));
            assert.ok(exportConfig >= 0 && auth > exportConfig && run > auth, script);
        });

        it("adds nothing for an image docker pulls without Google credentials", () => {
            assert.ok(!/docker-credential-gcr|DOCKER_CONFIG/.test(containerScript(spec("ipfs/kubo:v0.39.0"), container("ipfs/kubo:v0.39.0"))));
        });

        it("registers the helper for the registry's host in the Docker config docker then reads", function () {
            if (!hasBinary("bash")) this.skip();
            // A stand-in for COS's docker-credential-gcr and docker: record where the helper wrote its config
            // (it honours DOCKER_CONFIG, like every docker/cli config client) and where docker looked.
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-auth-"));
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "docker-credential-gcr"), '#!/bin/sh\nprintf \'{"credHelpers":{"%s":"gcr"}}\' "${2#--registries=}" > "$DOCKER_CONFIG/config.json"\n', { mode: 0o755 });
            fs.writeFileSync(path.join(bin, "docker"), '#!/bin/sh\n[ "$1" = rm ] && exit 0\ncat "$DOCKER_CONFIG/config.json"\n', { mode: 0o755 });
            const runtime = path.join(dir, "run");
            const script = containerScript(spec(AR_IMAGE), container(AR_IMAGE)).replaceAll("/run/ipfs-0", runtime).replace("exec /usr/bin/docker", "exec docker");
            const run = spawnSync("bash", ["-c", script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.deepStrictEqual(JSON.parse(run.stdout), { credHelpers: { "us-central1-docker.pkg.dev": "gcr" } });
        });
    });
});
