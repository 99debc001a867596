// The synth's URNs and options are the engine's: what a user copies from the JSON contract or a violation into
// `pulumi state`, `--target` or `pulumi import` names the resource the engine holds.
// The engine forms a URN as urn:pulumi:<stack>::<project>::<qualified type>::<name>, where the qualified type
// is the parent URN's qualified type, "$", the resource's type, and a child of the root stack has none of the
// stack's type (pulumi/pulumi sdk/go/common/resource/urn.go NewURN and URN.QualifiedType; the engine passes the
// parent's QualifiedType() in pkg/resource/deploy/source_eval.go).
import * as assert from "assert";
import { graphCases, graphOf } from "./graphs";

const STACK_TYPE = "pulumi:pulumi:Stack";

describe("URNs in the engine's form (pulumi/pulumi sdk/go/common/resource/urn.go NewURN)", () => {
    for (const c of graphCases().filter(g => !g.label.includes("peers"))) {
        it(`${c.label}: every URN's type is its ancestors' types then its own, joined by $`, async () => {
            const report = await graphOf(c);
            const byUrn = new Map(report.resources.map(r => [r.urn, r]));
            const wrong: string[] = [];
            let deepest = 0;
            for (const r of report.resources) {
                const chain = [r.type];
                for (let p = r.parent ? byUrn.get(r.parent) : undefined; p && p.type !== STACK_TYPE; p = p.parent ? byUrn.get(p.parent) : undefined) {
                    chain.unshift(p.type);
                }
                deepest = Math.max(deepest, chain.length);
                const expected = `urn:pulumi:${report.stack}::${report.project}::${chain.join("$")}::${r.name}`;
                if (r.type !== STACK_TYPE && r.urn !== expected) wrong.push(`${r.urn}\n    expected ${expected}`);
            }
            assert.deepStrictEqual(wrong.slice(0, 5), []);
            // Components nest (a workload, its service, the service's resources): a chain of one proves nothing.
            assert.ok(deepest >= 3, `the deepest type chain has ${deepest} types`);
        });
    }

    it("the contract carries the update options each resource sets: ignoreChanges, deleteBeforeReplace", async () => {
        const [aws, gcp] = await Promise.all(graphCases().filter(g => g.label === "prod on aws" || g.label === "prod on gcp").map(graphOf));
        // Aurora's engine version moves with AWS's minor upgrades (components/aws/postgres.ts); a managed
        // instance group's size is the autohealer's (components/gcp/service.ts).
        assert.ok(aws.resources.some(r => r.type === "aws:rds/cluster:Cluster" && r.options.ignoreChanges?.includes("engineVersion")));
        assert.ok(gcp.resources.some(r => r.type === "gcp:compute/instanceGroupManager:InstanceGroupManager" && r.options.ignoreChanges?.includes("targetSize")));
        assert.ok(gcp.resources.some(r => r.options.deleteBeforeReplace === true));
        const unset = aws.resources.find(r => r.type === "aws:ec2/vpc:Vpc");
        assert.ok(unset && unset.options.ignoreChanges === undefined && unset.options.deleteBeforeReplace === undefined);
    });
});
