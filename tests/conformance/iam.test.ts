// Every IAM policy document of every stack (and of a 30-peer cluster) against AWS's own reference: the grammar,
// actions that exist, ARNs that name the actions' resource types, condition operators and keys that exist and
// apply to the statement's actions. See ./iamPolicies.ts for the sources.
import * as assert from "assert";
import { graphCases, graphOf } from "./graphs";
import {
    PolicyDocument, arnMatchesFormat, iamDataVersionRead, managedPolicyArnProblems, parseOperator, policyDocuments, policyProblems,
} from "./iamPolicies";

/** Fails listing the problems (the first 20 of many). */
function report(problems: string[]): void {
    if (problems.length === 0) return;
    const shown = [...new Set(problems)].slice(0, 20).join("\n  ");
    assert.fail(`${problems.length} problem(s):\n  ${shown}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ""}`);
}

const policy = (statement: Record<string, unknown>, kind: PolicyDocument["kind"] = "identity"): PolicyDocument =>
    ({ where: "test", kind, document: { Version: "2012-10-17", Statement: [statement] } });

describe("conformance: IAM policies against AWS's Service Authorization Reference", function () {
    const cases = graphCases().filter(c => c.cloud === "aws");
    let dataVersion = "";
    before(async () => {
        dataVersion = await iamDataVersionRead();
    });

    for (const c of cases) {
        describe(c.label, () => {
            let found: ReturnType<typeof policyDocuments>;
            before(async function () {
                this.timeout(120_000);
                found = policyDocuments((await graphOf(c)).resources);
            });

            it("classifies every policy document the stack declares (identity, trust or resource policy)", () => {
                assert.ok(found.documents.some(d => d.kind === "trust") && found.documents.some(d => d.kind === "identity"), "the stack has roles and their policies");
                report(found.unclassified);
            });

            it("every policy: valid grammar, actions that exist, resources that are ARNs of the actions' resource types, conditions that apply", async () => {
                const problems = (await Promise.all(found.documents.map(policyProblems))).flat();
                report(problems.map(p => `${p} (iam-data ${dataVersion})`));
            });

            it("every attached managed policy is named by a managed policy ARN", () => {
                report(found.managedPolicyArns.flatMap(m => managedPolicyArnProblems(m.where, m.arn)));
            });
        });
    }

    describe("the checks themselves", () => {
        it("refuse a made-up action, a made-up service, a malformed ARN and an ARN of another resource type", async () => {
            const problems = (await policyProblems(policy({
                Effect: "Allow",
                Action: ["secretsmanager:GetSecret", "madeup:Get*", "s3:GetObject"],
                Resource: ["arn:aws:s3:::bucket", "bucket/*"],
            }))).join("\n");
            assert.match(problems, /secretsmanager has no action GetSecret/);
            assert.match(problems, /service prefix madeup does not exist/);
            assert.match(problems, /resource "bucket\/\*" is not an ARN/);
            assert.match(problems, /arn:aws:s3:::bucket is none of the resource types of s3:GetObject \(accesspointobject, object\)/);
        });

        it("refuse a made-up operator, a made-up key, a key of another type, and a service key the action does not document", async () => {
            const problems = (await policyProblems(policy({
                Effect: "Allow",
                Action: "elasticfilesystem:ClientMount",
                Resource: "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1",
                Condition: {
                    StringEqualz: { "aws:SourceAccount": "123456789012" },
                    StringEquals: { "elasticfilesystem:MadeUpKey": "x", "ec2:Vpc": "vpc-1" },
                    Bool: { "aws:SourceAccount": "true" },
                    "ForAnyValue:StringEquals": { "aws:SourceAccount": "123456789012" },
                },
            }))).join("\n");
            assert.match(problems, /StringEqualz: StringEqualz is not an IAM condition operator/);
            assert.match(problems, /condition key elasticfilesystem:MadeUpKey exists neither globally nor for its service/);
            assert.match(problems, /Bool compares Bool values; aws:SourceAccount is String/);
            assert.match(problems, /ForAnyValue:StringEquals on single-valued key aws:SourceAccount/);
            assert.deepStrictEqual(parseOperator("StringLikeIfExists"), { base: "StringLike", set: undefined, ifExists: true });
            assert.strictEqual(parseOperator("NullIfExists"), "Null takes no IfExists");
            const wrongService = (await policyProblems(policy({
                Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/r", Condition: { StringEquals: { "iam:AWSServiceName": "ecs.amazonaws.com" } },
            }))).join("\n");
            assert.match(wrongService, /iam:PassRole has no condition key iam:AWSServiceName/);
        });

        it("refuse a trust policy without a principal and a malformed service principal", async () => {
            const problems = (await policyProblems(policy({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs tasks" } }, "trust"))).join("\n");
            assert.match(problems, /service principal ecs tasks is not a service's name/);
            assert.notStrictEqual((await policyProblems(policy({ Effect: "Allow", Action: "sts:AssumeRole" }, "trust"))).length, 0);
        });

        it("match wildcard ARNs against the documented ARN formats", () => {
            const taskDefinition = "arn:${Partition}:ecs:${Region}:${Account}:task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber}";
            assert.ok(arnMatchesFormat("arn:aws:ecs:us-east-1:123456789012:task-definition/web3-prod-job:*", taskDefinition));
            assert.ok(arnMatchesFormat("arn:aws:ecs:us-east-1:123456789012:*", taskDefinition));
            assert.ok(!arnMatchesFormat("arn:aws:ecs:us-east-1:123456789012:cluster/web3-prod", taskDefinition));
            assert.deepStrictEqual(managedPolicyArnProblems("x", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"), []);
            assert.strictEqual(managedPolicyArnProblems("x", "service-role/AmazonECSTaskExecutionRolePolicy").length, 1);
        });
    });
});
