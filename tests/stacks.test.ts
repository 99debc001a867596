import * as assert from "assert";
import * as path from "path";
import { COMPONENT_TYPES } from "../components/topology";
import { LOCAL_CLOUD } from "../stacks/config";
import { listStacks, stackClouds } from "../tools/stackfile";
import { SynthReport, main, mandatoryViolations } from "../tools/synth";
import { graphOf } from "./conformance/graphs";

const ROOT = path.join(__dirname, "..");

/**
 * The synth command run in this process: its arguments, exit code, stdout and stderr. The process itself (exit
 * codes through a pipe, no stack trace) is run end to end by the front-door and large-cluster tests.
 */
async function synthCli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const status = await main(args, { out: async text => void (stdout += text), err: text => void (stderr += text) });
    return { status, stdout, stderr };
}

describe("every stack file on every cloud", () => {
    const stacks = listStacks();

    it("has the dev and prod stack files", () => {
        assert.deepStrictEqual(stacks.filter(s => ["dev", "prod"].includes(s)), ["dev", "prod"]);
    });

    for (const stack of stacks) {
        for (const cloud of stackClouds(stack)) {
            describe(`${stack} on ${cloud}`, () => {
                let report: SynthReport;
                before(async () => {
                    // The graph every other test file judges too (tests/conformance/graphs.ts), synthesized once.
                    report = await graphOf({ label: `${stack} on ${cloud}`, cloud, request: { stack, cloud } } as Parameters<typeof graphOf>[0]);
                });

                it("synthesizes with no mandatory policy violation", () => {
                    assert.deepStrictEqual(mandatoryViolations(report), []);
                });

                it("declares the network with one static egress address per configured NAT address", () => {
                    const networks = report.resources.filter(r => r.type === COMPONENT_TYPES.network);
                    assert.strictEqual(networks.length, 1);
                    const egress = report.outputs.egressIps as string[];
                    // A laptop has no static egress address.
                    assert.strictEqual(egress.length, cloud === LOCAL_CLOUD ? 0 : stack === "prod" ? 3 : 1);
                    for (const ip of egress) assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
                });

                it("spreads over three distinct zones of the configured region", () => {
                    const zones = report.outputs.zones as string[];
                    assert.strictEqual(new Set(zones).size, 3);
                    const region = report.outputs.region as string;
                    for (const z of zones) assert.ok(z.startsWith(region), `${z} is not in ${region}`);
                });

                it("declares every cloud resource through one explicit provider of the chosen cloud", () => {
                    const providers = report.resources.filter(r => r.type === `pulumi:providers:${cloud}`);
                    assert.strictEqual(providers.length, 1);
                    const others = ["aws:", "gcp:", "docker:"].filter(p => p !== `${cloud}:`);
                    assert.deepStrictEqual(report.resources.filter(r => others.some(o => r.type.startsWith(o))).map(r => r.type), []);
                });

                it("keeps every cloud resource under a topology component (project APIs aside), parented to something declared", () => {
                    const urns = new Set(report.resources.map(r => r.urn));
                    const stackUrn = `urn:pulumi:${stack}::web3-nodes::pulumi:pulumi:Stack::web3-nodes-${stack}`;
                    for (const r of report.resources) {
                        assert.ok(r.parent === stackUrn || urns.has(r.parent!), `${r.urn} has an unknown parent ${r.parent}`);
                        // Enabling a project's APIs belongs to the project, not to any one primitive.
                        if (r.custom && r.type.startsWith(`${cloud}:`) && r.type !== "gcp:projects/service:Service") assert.notStrictEqual(r.parent, stackUrn, `${r.urn} is not under a component`);
                    }
                });
            });
        }
    }
});

describe("the offline synth command", () => {
    it("prints exactly the documented JSON shape with --json", async () => {
        const { status, stdout } = await synthCli(["dev", "--cloud", "gcp", "--json"]);
        assert.strictEqual(status, 0);
        const report = JSON.parse(stdout);
        assert.deepStrictEqual(Object.keys(report), ["stack", "cloud", "project", "resources", "outputs", "policy", "quotas", "standIns"]);
        // dev sets its Docker Hub user, so the token is required on gcp too; the file leaves it to pulumi config set --secret.
        assert.deepStrictEqual(report.standIns, ["web3-nodes:registryMirror.dockerHubAccessToken"]);
        for (const q of report.quotas) {
            assert.deepStrictEqual(Object.keys(q), ["name", "service", "code", "per", "needed", "defaultLimit", "defaultKind", "exceedsDefault", "source"]);
        }
        assert.deepStrictEqual([report.stack, report.cloud, report.project], ["dev", "gcp", "web3-nodes"]);
        assert.deepStrictEqual(Object.keys(report.policy), ["violations"]);
        assert.ok(report.resources.length > 0);
        for (const r of report.resources) {
            assert.deepStrictEqual(Object.keys(r), ["urn", "type", "name", "id", "parent", "custom", "inputs", "options"]);
            const [always, whenSet] = [["protect", "retainOnDelete", "dependsOn"], ["ignoreChanges", "replaceOnChanges", "deleteBeforeReplace", "additionalSecretOutputs", "customTimeouts", "deletedWith"]];
            assert.deepStrictEqual(Object.keys(r.options).slice(0, 3), always);
            for (const key of Object.keys(r.options).slice(3)) assert.ok(whenSet.includes(key), `option ${key} of ${r.urn} is not in the contract`);
            assert.strictEqual(typeof r.custom, "boolean");
        }
    });

    it("prints the resource tree grouped by component with counts", async () => {
        const { status, stdout } = await synthCli(["prod"]);
        assert.strictEqual(status, 0);
        assert.match(stdout, /^web3-nodes stack prod on aws: \d+ resources/);
        assert.match(stdout, /web3-nodes:topology:Network network \(\d+ resources\)/);
        assert.match(stdout, /aws:ec2\/natGateway:NatGateway x3/);
    });

    it("exits 2 and lists every problem on invalid configuration", async () => {
        const { status, stderr } = await synthCli(["dev", "--set", "profile=staging", "--set", "network.natAddresses=9"]);
        assert.strictEqual(status, 2);
        assert.match(stderr, /web3-nodes:profile = "staging": allowed: dev, prod, local/);
        assert.match(stderr, /invalid stack configuration \(2 problems\)/);
    });

    it("exits 1 on a deliberately bad program, printing each mandatory violation", async () => {
        const { status, stderr } = await synthCli(["dev", "--program", path.join(ROOT, "tests", "fixtures", "bad-program.ts")]);
        assert.strictEqual(status, 1);
        for (const policy of ["storage-encrypted", "containers-run-as-non-root", "public-ingress-only-swarm-ports", "no-plaintext-secrets"]) {
            assert.match(stderr, new RegExp(`${policy}: urn:pulumi:dev::web3-nodes::`));
        }
    });

    it("exits 2 on an unknown stack, naming the stacks there are", async () => {
        const { status, stderr } = await synthCli(["staging"]);
        assert.strictEqual(status, 2);
        assert.match(stderr, /no stack file Pulumi\.staging\.yaml; stacks here: dev, local, prod/);
    });
});
