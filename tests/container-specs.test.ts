// A zonal service publishes its containers as its inputs (components/topology/published.ts), so the policy pack
// judges them in the preview of a new stack, where the task definition or instance template that runs them is
// built from outputs that do not exist yet and is unknown. What the engine does with them:
// - @pulumi/pulumi 3.248 resource.js, ComponentResource's constructor: a local component's args are its inputs,
//   sent to the engine unless PULUMI_NODEJS_SKIP_COMPONENT_INPUTS is set.
// - pulumi/pulumi v3.259.0 pkg/resource/deploy/step_generator.go: every registration, custom or component, goes
//   through analyzeAll with its inputs (a component has no provider, so nothing checks them first); stack
//   policies get each resource's outputs (AnalyzeResources), for a component what it registered
//   (step_executor.go: reg.New().Outputs = outs), so a service registers the same shape among its outputs.
// Each container fact is judged once: what the spec states on the service, what the back-end adds on the task
// definition or template (policies/rules/containers.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as YAML from "yaml";
import { containerDefinitions } from "../components/aws/service";
import { COMPONENT_TYPES, ContainerSpec, PublishedContainer, PublishedService, Secret, Volume } from "../components/topology";
import { SKIP_COMPONENT_INPUTS, assertComponentInputsSent, publishedService, secretEnvProblems } from "../components/topology/published";
import { Violation, evaluatePolicies } from "../policies/evaluate";
import { policies } from "../policies/rules/all";
import { PublishedServiceShape, containersOf, dockerRuns, guestConfigOf, rendersPublishedSpecs } from "../policies/rules/containers";
import { CONTAINER_TYPES, T } from "../policies/rules/types";
import { UNKNOWN } from "../policies/rules/values";
import { CLOUDS, parseConfig } from "../stacks/config";
import { createBackend } from "../stacks/program";
import { SECRET_MASK, SynthResource, synthesize } from "../tools/harness";
import { mandatoryViolations } from "../tools/synth";
import { graphCases, graphOf } from "./conformance/graphs";
import { baseConfig } from "./fixtures";
import { ROOT_SERVICE, declareRootService } from "./fixtures/root-service-program";

const SERVICE = COMPONENT_TYPES.service;
const TASK = T.ecsTaskDefinition;
const TEMPLATE = T.gceInstanceTemplate;
const NON_ROOT = "containers-run-as-non-root";

// ---------------------------------------------------------------- records

/** A JSON copy of records: the pack judges exactly their inputs, edited or not (policies/evaluate.ts). */
function copyOf(resources: readonly SynthResource[]): SynthResource[] {
    return JSON.parse(JSON.stringify(resources)) as SynthResource[];
}

function published(service: SynthResource): PublishedService {
    return service.inputs as unknown as PublishedService;
}

/** The task definition or instance template a service declared: what runs its containers. */
function renderingOf(resources: readonly SynthResource[], service: SynthResource): SynthResource {
    const found = resources.filter(r => r.parent === service.urn && (r.type === TASK || r.type === TEMPLATE));
    assert.equal(found.length, 1, `${service.name}: expected one task definition or instance template under it`);
    return found[0];
}

function userDataOf(template: SynthResource): string {
    return (template.inputs.metadata as Record<string, string>)["user-data"];
}

/**
 * The records as a preview of a stack that does not exist yet shows them: every service's task definition
 * (its containerDefinitions) or template (its user-data) is built from other resources' outputs, so unknown.
 */
function asNewStackPreview(resources: readonly SynthResource[]): SynthResource[] {
    const copy = copyOf(resources);
    for (const service of copy.filter(r => r.type === SERVICE)) {
        const rendering = renderingOf(copy, service);
        if (rendering.type === TASK) rendering.inputs.containerDefinitions = unknownValue;
        else (rendering.inputs.metadata as Record<string, unknown>)["user-data"] = unknownValue;
    }
    return copy;
}

/** Edits one container a service publishes, in a copy of the records. */
function withPublished(resources: readonly SynthResource[], service: string, edit: (c: PublishedContainer) => PublishedContainer): SynthResource[] {
    const copy = copyOf(resources);
    const record = copy.find(r => r.type === SERVICE && r.name === service)!;
    const [first, ...rest] = published(record).containers;
    record.inputs.containers = [edit(first), ...rest];
    return copy;
}

/**
 * Edits how a service's first container is rendered, in place: its ECS container definition, or its start script
 * on GCE (the write_files entry with its `docker run`). Returns what the rendering then runs, for the caller to
 * check that the edit took.
 */
function editRendering(resources: SynthResource[], service: string, edit: { ecs: (d: Record<string, unknown>) => void; startScript: (script: string) => string }): Running {
    const record = resources.find(r => r.type === SERVICE && r.name === service)!;
    const container = published(record).containers[0].name;
    const rendering = renderingOf(resources, record);
    if (rendering.type === TASK) {
        const definitions = JSON.parse(rendering.inputs.containerDefinitions as string) as Record<string, unknown>[];
        edit.ecs(definitions.find(d => d.name === container)!);
        rendering.inputs.containerDefinitions = JSON.stringify(definitions);
        return ecsRunning(rendering).find(r => r.name === container)!;
    }
    const doc = YAML.parse(userDataOf(rendering)) as { write_files: { content: string }[] };
    const start = doc.write_files.find(f => f.content.includes(`--name ${container} `))!;
    start.content = edit.startScript(start.content);
    (rendering.inputs.metadata as Record<string, string>)["user-data"] = `#cloud-config\n${YAML.stringify(doc)}`;
    return gceRunning(rendering).find(r => r.name === container)!;
}

/**
 * The records with a service's rendering declared on its own, outside the service (its URN without the service
 * in its parent types): what the pack then judges on it is what it leaves to the service otherwise.
 */
function renderedAlone(resources: readonly SynthResource[], service: string): { resources: SynthResource[]; urn: string } {
    const copy = copyOf(resources);
    const rendering = renderingOf(copy, copy.find(r => r.type === SERVICE && r.name === service)!);
    rendering.urn = rendering.urn.replace(`${SERVICE}$`, "");
    return { resources: copy, urn: rendering.urn };
}

function violationsOf(resources: readonly SynthResource[], policy: string, profile: string): Violation[] {
    return evaluatePolicies(resources, { stackTags: { profile }, policies: policies.filter(p => p.name === policy) });
}

function mandatory(resources: readonly SynthResource[], profile: string): Violation[] {
    return evaluatePolicies(resources, { stackTags: { profile } }).filter(v => v.enforcementLevel === "mandatory");
}

/** Every value of a Pulumi secret in a resource's inputs: plain text in the engine's view (a secret object), masked in the record. */
function secretValuesIn(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach(v => secretValuesIn(v, found));
    else if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[specialSigKey] === specialSecretSig) found.push(JSON.stringify(obj.value));
        else Object.values(obj).forEach(v => secretValuesIn(v, found));
    }
    return found;
}

function settled<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

function engineInputs(r: SynthResource): Record<string, unknown> {
    return (r as { engine?: { inputs: Record<string, unknown> } }).engine?.inputs ?? r.inputs;
}

// ---------------------------------------------------------------- specs

const volume = { volumeName: "kubo-repo" } as Volume;
const secret = { secretName: "kubo-key" } as Secret;
const kubo: ContainerSpec = {
    name: "kubo",
    image: "ipfs/kubo:v0.39.0",
    entrypoint: ["/bin/sh", "-c", "exec ipfs daemon --migrate=true"],
    command: ["--enable-gc"],
    env: { IPFS_PATH: "/data/ipfs", KUBO_PEER_ID: pulumi.output("12D3KooW"), KUBO_TOKEN: pulumi.secret("hunter2hunter2") },
    secrets: { KUBO_PRIVATE_KEY: secret },
    ports: [{ port: 4001, exposure: { kind: "public" } }, { port: 4002, protocol: "udp", exposure: { kind: "public" } }],
    cpu: 1,
    memoryMiB: 2048,
    user: { uid: 1000, gid: 100 },
    mounts: [{ volume, path: "/data/ipfs" }],
    memoryScratch: { path: "/tmp/kubo", sizeMiB: 16 },
};
const throughMirror = (image: string) => `mirror.example/dockerhub/${image}`;

describe("what a zonal service publishes of its containers", () => {
    it("is the shape the pack reads, under the type token the pack knows (components/topology and policies/rules)", () => {
        assert.equal(T.zonalService, COMPONENT_TYPES.service);
        assert.ok((CONTAINER_TYPES as string[]).includes(COMPONENT_TYPES.service));
        const spec: PublishedService = publishedService("zone-a", [kubo], throughMirror, ["AWS_ACCESS_KEY_ID"]);
        // Compiles only while the program's shape is one the pack reads.
        const asRead: PublishedServiceShape = spec;
        const found = containersOf(COMPONENT_TYPES.service, JSON.parse(JSON.stringify(asRead)) as Record<string, unknown>);
        assert.notEqual(found, UNKNOWN);
        const [c] = (found as Exclude<typeof found, typeof UNKNOWN>).containers;
        assert.deepEqual(
            { runner: c.runner, label: c.label, image: c.image, user: c.user, env: c.env, mounts: c.mounts },
            {
                runner: "service",
                label: 'containers[0] ("kubo")',
                image: "mirror.example/dockerhub/ipfs/kubo:v0.39.0",
                user: "1000:100",
                env: [{ name: "IPFS_PATH", value: "/data/ipfs" }, { name: "KUBO_PEER_ID", value: UNKNOWN }, { name: "KUBO_TOKEN", value: UNKNOWN }],
                mounts: [
                    { containerPath: "/data/ipfs", kind: "persistent-volume", source: "volume kubo-repo" },
                    { containerPath: "/tmp/kubo", kind: "ephemeral", source: "its memory scratch (a tmpfs)" },
                ],
            },
        );
        // The entrypoint's script is opened up like any other container's.
        assert.ok(Array.isArray(c.commands) && c.commands.some(tokens => tokens.join(" ") === "exec ipfs daemon --migrate=true"));
    });

    it("holds plain values only: a computed env value is published without its value, a secret by its name", () => {
        const spec = publishedService("zone-a", [kubo], throughMirror, ["AWS_ACCESS_KEY_ID"]);
        // Nothing the engine would wait for, and nothing but JSON.
        assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
        assert.deepEqual(spec, {
            zone: "zone-a",
            containers: [{
                name: "kubo",
                image: "mirror.example/dockerhub/ipfs/kubo:v0.39.0",
                user: { uid: 1000, gid: 100 },
                entrypoint: ["/bin/sh", "-c", "exec ipfs daemon --migrate=true"],
                command: ["--enable-gc"],
                env: [{ name: "IPFS_PATH", value: "/data/ipfs" }, { name: "KUBO_PEER_ID" }, { name: "KUBO_TOKEN" }],
                secrets: ["AWS_ACCESS_KEY_ID", "KUBO_PRIVATE_KEY"],
                mounts: [{ volume: "kubo-repo", path: "/data/ipfs" }],
                memoryScratch: { path: "/tmp/kubo", sizeMiB: 16 },
                ports: [{ port: 4001, protocol: "tcp" }, { port: 4002, protocol: "udp" }],
            }],
        });
    });

    it(`is never sent as {}: a back-end refuses to start with ${SKIP_COMPONENT_INPUTS} set, the variable @pulumi/pulumi's ComponentResource reads`, () => {
        const sdk = fs.readFileSync(require.resolve("@pulumi/pulumi/resource"), "utf8");
        assert.ok(sdk.includes(`process.env.${SKIP_COMPONENT_INPUTS}`), `@pulumi/pulumi resource.js no longer reads ${SKIP_COMPONENT_INPUTS}`);
        assert.throws(() => assertComponentInputsSent("kubo", { [SKIP_COMPONENT_INPUTS]: "1" }), /service kubo: PULUMI_NODEJS_SKIP_COMPONENT_INPUTS is set \(to "1"\).*unset it/);
        assert.doesNotThrow(() => assertComponentInputsSent("kubo", {}));
    });

    it("names each env value that is a Pulumi secret, which no back-end writes anywhere", async () => {
        assert.deepEqual(await secretEnvProblems("service kubo", [kubo]), [
            "service kubo, container kubo: env KUBO_TOKEN is a secret; give it in `secrets` so it is read from the secret store at start",
        ]);
    });

    it("AWS: a task definition whose env holds a secret is refused, in a preview too", async () => {
        const leaky: ContainerSpec = { name: "app", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 256, user: { uid: 2000, gid: 2000 }, env: { TOKEN: pulumi.secret("hunter2hunter2") } };
        const definitions = containerDefinitions("service leaky", [leaky], { group: "/ecs/leaky", region: "us-east-1", streamPrefix: "leaky" });
        await assert.rejects(settled(definitions), /service leaky, container app: env TOKEN is a secret; give it in `secrets`/);
        const plain = containerDefinitions("service plain", [{ ...leaky, env: { TOKEN: pulumi.output("not-a-secret") } }], { group: "/ecs/plain", region: "us-east-1", streamPrefix: "plain" });
        assert.match(await settled(plain), /"TOKEN"/);
    });
});

// ---------------------------------------------------------------- the committed stacks

describe("every zonal service of every committed graph", () => {
    for (const c of graphCases()) {
        it(`${c.label}: publishes its containers, and no value of a secret among them`, async () => {
            const graph = await graphOf(c);
            const services = graph.resources.filter(r => r.type === SERVICE);
            assert.ok(services.length > 0);
            // The plain text of every secret anywhere in the graph (the engine's view keeps them as secret objects).
            const secretValues = [...new Set(graph.resources.flatMap(r => secretValuesIn(engineInputs(r))))].filter(v => v.length > 4);
            for (const service of services) {
                const inputs = engineInputs(service);
                assert.ok(published(service).containers.length > 0, service.name);
                assert.deepEqual(secretValuesIn(inputs), [], `${service.name} publishes a secret`);
                const text = JSON.stringify(inputs);
                assert.ok(!text.includes(JSON.stringify(SECRET_MASK)), `${service.name} publishes a secret`);
                for (const value of secretValues) assert.ok(!text.includes(value.slice(1, -1)), `${service.name} publishes the value of a secret`);
            }
        });

        it(`${c.label}: passes every mandatory policy, the services' published containers judged too`, async () => {
            assert.deepEqual(mandatoryViolations(await graphOf(c)), []);
        });

        it(`${c.label}: each service's task definition or template runs exactly the containers it publishes, and the pack tells it by its URN`, async () => {
            const graph = await graphOf(c);
            const renderings = new Set<string>();
            for (const service of graph.resources.filter(r => r.type === SERVICE)) {
                const spec = published(service);
                const rendering = renderingOf(graph.resources, service);
                renderings.add(rendering.urn);
                assert.ok(rendersPublishedSpecs(rendering.urn), rendering.urn);
                const running = rendering.type === TASK ? ecsRunning(rendering) : gceRunning(rendering);
                assert.deepEqual(running.map(r => r.name).sort(), spec.containers.map(p => p.name).sort(), service.name);
                for (const p of spec.containers) {
                    const r = running.find(x => x.name === p.name)!;
                    const where = `${service.name}/${p.name}`;
                    assert.equal(r.user, `${p.user.uid}:${p.user.gid}`, where);
                    assert.equal(r.image, p.image, where);
                    // Both sides in code-unit order: the published spec orders its env by localeCompare.
                    assert.deepEqual(r.env, p.env.map(e => e.name).sort(), where);
                    for (const m of p.mounts) assert.ok(r.mountPaths.includes(m.path), `${where}: ${m.path} not mounted`);
                    assert.equal(r.scratch, p.memoryScratch?.path, where);
                    assert.deepEqual(r.secrets, p.secrets, where);
                }
            }
            // Every other resource that runs containers (a scheduled job's task) is judged on its own.
            for (const r of graph.resources.filter(x => (CONTAINER_TYPES as string[]).includes(x.type) && x.type !== SERVICE && !renderings.has(x.urn))) {
                assert.ok(!rendersPublishedSpecs(r.urn), r.urn);
            }
        });
    }
});

interface Running {
    name: string;
    user: string | undefined;
    image: string | undefined;
    /** Names of the plain env values, sorted. */
    env: string[];
    mountPaths: string[];
    scratch: string | undefined;
    /** Names of the variables read from the secret store, sorted. */
    secrets: string[];
}

/** What an ECS task definition runs (ecs RegisterTaskDefinition ContainerDefinition). */
function ecsRunning(task: SynthResource): Running[] {
    type Definition = {
        name: string; user?: string; image: string; environment?: { name: string }[]; secrets?: { name: string }[];
        mountPoints?: { containerPath: string }[]; linuxParameters?: { tmpfs?: { containerPath: string }[] };
    };
    return (JSON.parse(task.inputs.containerDefinitions as string) as Definition[]).map(d => ({
        name: d.name,
        user: d.user,
        image: d.image,
        env: (d.environment ?? []).map(e => e.name).sort(),
        mountPaths: (d.mountPoints ?? []).map(m => m.containerPath),
        scratch: d.linuxParameters?.tmpfs?.[0]?.containerPath,
        secrets: (d.secrets ?? []).map(s => s.name).sort(),
    }));
}

/**
 * What a GCE template's `docker run` lines run (docker run --name, --user, --env, -v/--mount, --tmpfs), and the
 * secrets its boot script fetches into each container's env file (`write_env_file FILE OWNER NAME VERSION...`,
 * components/gcp/cloudinit.ts).
 */
function gceRunning(template: SynthResource): Running[] {
    const guest = guestConfigOf(template.inputs);
    assert.notEqual(guest, UNKNOWN);
    const commands = (guest as Exclude<typeof guest, typeof UNKNOWN>).commands;
    const runs = commands.flatMap(c => dockerRuns(c.tokens));
    const fetched = (container: string) => commands
        .filter(c => c.tokens[0] === "write_env_file" && c.tokens[1].endsWith(`/${container}.env`))
        .flatMap(c => c.tokens.slice(3).filter((_, i) => i % 2 === 0))
        .sort();
    const values = (run: (typeof runs)[number], name: string) => run.options.filter(o => o.name === name).map(o => o.value);
    return runs.map(run => ({
        name: values(run, "name")[0],
        user: values(run, "user")[0],
        image: run.image,
        env: values(run, "env").map(e => e.slice(0, e.indexOf("="))).sort(),
        mountPaths: [
            ...values(run, "volume").map(v => v.split(":")[1]),
            ...values(run, "mount").flatMap(m => m.split(",").filter(kv => kv.startsWith("target=")).map(kv => kv.slice("target=".length))),
        ],
        scratch: values(run, "tmpfs")[0]?.split(":")[0],
        secrets: fetched(values(run, "name")[0]),
    }));
}

// ---------------------------------------------------------------- the preview of a new stack

describe("the preview of a new stack judges the containers its services publish", () => {
    for (const cloud of CLOUDS) {
        const graphCase = graphCases().find(g => g.label === `dev on ${cloud}`)!;
        const rendering = cloud === "aws" ? "task definitions" : "instance templates";

        it(`${cloud}: a service with a root container fails ${NON_ROOT} while its ${rendering} are unknown`, async () => {
            const graph = await graphOf(graphCase);
            const preview = asNewStackPreview(graph.resources);
            const profile = String(graph.outputs.profile);
            assert.deepEqual(mandatory(preview, profile), [], "the compliant stack passes its preview");
            const service = preview.find(r => r.type === SERVICE)!;
            const root = withPublished(preview, service.name, c => ({ ...c, user: { uid: 0, gid: 0 } }));
            const found = violationsOf(root, NON_ROOT, profile);
            assert.deepEqual(found.map(v => v.urn), [service.urn]);
            assert.match(found[0].message, new RegExp(`ZonalService "${service.name}": containers\\[0\\] \\("${published(service).containers[0].name}"\\) runs as user "0:0": uid 0 is root\\. Give the container's spec a user`));
            // What the same preview showed before services published their containers: nothing at all.
            const unpublished = root.map(r => (r.urn === service.urn ? { ...r, inputs: {} } : r));
            assert.deepEqual(violationsOf(unpublished, NON_ROOT, profile), []);
        });

        it(`${cloud}: the image, secret and state rules judge the published spec while its ${rendering} are unknown`, async () => {
            const graph = await graphOf(graphCase);
            const preview = asNewStackPreview(graph.resources);
            const profile = String(graph.outputs.profile);
            // A service whose first container keeps state on a volume (kubo, the IPFS daemon).
            const service = preview.find(r => r.type === SERVICE && published(r).containers[0].mounts.length > 0)!;
            const [first] = published(service).containers;
            const cases: { policy: string; edit: (c: PublishedContainer) => PublishedContainer; message: RegExp }[] = [
                { policy: "images-pulled-through-mirror", edit: c => ({ ...c, image: "docker.io/ipfs/kubo:v0.39.0" }), message: /uses image "docker\.io\/ipfs\/kubo:v0\.39\.0": it is pulled from docker\.io directly/ },
                { policy: "images-pinned", edit: c => ({ ...c, image: c.image.replace(/:[^:/]+$/, ":latest") }), message: /is not pinned to a version/ },
                { policy: "no-plaintext-secrets", edit: c => ({ ...c, env: [...c.env, { name: "API_TOKEN", value: "hunter2hunter2" }] }), message: /sets the environment variable API_TOKEN to a literal secret\. Give it in the container spec's `secrets`/ },
                { policy: "state-on-persistent-volumes", edit: c => ({ ...c, mounts: [] }), message: new RegExp(`keeps state in ${first.mounts[0].path} .* but no mount covers it.*Mount a volume of the service's zone at`) },
            ];
            for (const { policy, edit, message } of cases) {
                assert.deepEqual(violationsOf(preview, policy, profile), [], `${policy}: the compliant preview`);
                const found = violationsOf(withPublished(preview, service.name, edit), policy, profile);
                assert.deepEqual(found.map(v => v.urn), [service.urn], policy);
                assert.match(found[0].message, message, policy);
            }
        });
    }

    it(`AWS, a bad program run as the preview of a new stack (tests/fixtures/root-service-program.ts): its root container fails ${NON_ROOT}`, async () => {
        const result = await synthesize({
            project: "web3-nodes",
            stack: "bad",
            config: {},
            program: async () => {
                declareRootService(await createBackend(parseConfig(baseConfig("aws", { profile: "dev" })), "bad"));
                return {};
            },
            previewOfNewStack: true,
        });
        const service = result.resources.find(r => r.type === SERVICE && r.name === ROOT_SERVICE.service)!;
        assert.equal(renderingOf(result.resources, service).inputs.containerDefinitions, unknownValue, "the task definition is unknown");
        const found = violationsOf(result.resources, NON_ROOT, "dev");
        assert.deepEqual(found.map(v => v.urn), [service.urn]);
        assert.match(found[0].message, new RegExp(`containers\\[0\\] \\("${ROOT_SERVICE.container}"\\) runs as user "0:0"`));
    });
});

// ---------------------------------------------------------------- once

describe("a container a service publishes is judged once", () => {
    for (const cloud of CLOUDS) {
        const graphCase = graphCases().find(g => g.label === `dev on ${cloud}`)!;

        it(`${cloud}: a root user or a literal secret is reported on the service alone, where its rendering says the same`, async () => {
            const graph = await graphOf(graphCase);
            const profile = String(graph.outputs.profile);
            const service = graph.resources.find(r => r.type === SERVICE)!;

            const root = withPublished(graph.resources, service.name, c => ({ ...c, user: { uid: 0, gid: 0 } }));
            const rootRun = editRendering(root, service.name, { ecs: d => void (d.user = "0:0"), startScript: script => script.replace(/--user \d+:\d+/, "--user 0:0") });
            assert.equal(rootRun.user, "0:0");
            assert.deepEqual(violationsOf(root, NON_ROOT, profile).map(v => v.urn), [service.urn]);
            const rootAlone = renderedAlone(root, service.name);
            assert.deepEqual(violationsOf(rootAlone.resources, NON_ROOT, profile).map(v => v.urn), [service.urn, rootAlone.urn], "the rendering, on its own, is judged");

            const leaked = withPublished(graph.resources, service.name, c => ({ ...c, env: [...c.env, { name: "API_TOKEN", value: "hunter2hunter2" }] }));
            const leakedRun = editRendering(leaked, service.name, {
                ecs: d => void (d.environment as { name: string; value: string }[]).push({ name: "API_TOKEN", value: "hunter2hunter2" }),
                startScript: script => script.replace(/--name (\S+)/, "--name $1 --env API_TOKEN=hunter2hunter2"),
            });
            assert.ok(leakedRun.env.includes("API_TOKEN"));
            assert.deepEqual(violationsOf(leaked, "no-plaintext-secrets", profile).map(v => v.urn), [service.urn]);
            const leakedAlone = renderedAlone(leaked, service.name);
            assert.deepEqual(violationsOf(leakedAlone.resources, "no-plaintext-secrets", profile).map(v => v.urn), [service.urn, leakedAlone.urn], "the rendering, on its own, is judged");
        });

        it(`${cloud}: what the back-end adds and no spec can state (privileged mode) is judged on the rendering`, async () => {
            const graph = await graphOf(graphCase);
            const profile = String(graph.outputs.profile);
            const service = graph.resources.find(r => r.type === SERVICE)!;
            const privileged = copyOf(graph.resources);
            editRendering(privileged, service.name, { ecs: d => void (d.privileged = true), startScript: script => script.replace(/--name (\S+)/, "--name $1 --privileged") });
            const found = violationsOf(privileged, NON_ROOT, profile);
            assert.deepEqual(found.map(v => v.urn), [renderingOf(privileged, service).urn]);
            assert.match(found[0].message, /is privileged/);
        });
    }
});
