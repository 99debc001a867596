// Zones, judged against what the clouds document per zone. AWS: the zones are chosen and checked by AZ ID
// (names differ per account) against the documented offering of EFS One Zone and Fargate per AZ ID
// (components/aws/zones.ts cites the pages); an explicit zone is a name or an AZ ID of the region. GCP: the
// zones come from Google's published list, so no invoke runs before the stack has enabled the API it needs.
import * as assert from "assert";
import { AwsZone, missingOfferings } from "../../components/aws/zones";
import { Backend, Cloud } from "../../components/topology";
import { ConfigError } from "../../stacks/validate";
import { SynthResource } from "../../tools/harness";
import { answerInvoke } from "../../tools/mocks";
import { invokesOf, synthStack } from "../../tools/synth";
import { ofType, synthBackend } from "../support";
import { graphCases, graphOf } from "./graphs";

const AZ_INVOKE = "aws:index/getAvailabilityZones:getAvailabilityZones";
const T = {
    subnet: "aws:ec2/subnet:Subnet",
    fileSystem: "aws:efs/fileSystem:FileSystem",
};

/** The mock account's standard zones in a region, as its provider answers them: the name-to-ID mapping is shuffled. */
function accountZones(region = "us-east-1"): AwsZone[] {
    const { names, zoneIds } = answerInvoke(AZ_INVOKE, { region }) as { names: string[]; zoneIds: string[] };
    return names.map((name, i) => ({ name, id: zoneIds[i] }));
}

function zoneIdOf(name: string, region = "us-east-1"): string {
    const zone = accountZones(region).find(z => z.name === name);
    assert.ok(zone, `${name} is not a zone of ${region} in the mock account`);
    return zone.id;
}

function nameOf(id: string): string {
    return accountZones().find(z => z.id === id)!.name;
}

/** The zones a back-end resolves for a config override, or the problems its ConfigError lists. */
async function resolve(cloud: Cloud, overrides: Record<string, unknown>): Promise<{ zones?: string[]; problems?: string[]; subnets?: SynthResource[] }> {
    let backend: Backend | undefined;
    try {
        const result = await synthBackend(cloud, b => { backend = b; }, overrides);
        return { zones: backend!.context.zones, subnets: ofType(result, T.subnet) };
    } catch (e) {
        if (e instanceof ConfigError) return { problems: e.problems };
        throw e;
    }
}

function awsZones(zones: unknown, region = "us-east-1"): Record<string, unknown> {
    return { aws: { region, ...(zones === undefined ? {} : { zones }) } };
}

describe("zones", () => {
    describe("on AWS, chosen and checked by AZ ID against each zone's documented offerings", () => {
        it("picks by default the lowest AZ IDs that offer EFS One Zone and Fargate, whatever the account calls them", async () => {
            const { zones } = await resolve("aws", awsZones(undefined));
            assert.ok(zones, "the default zones resolve");
            // us-east-1: One Zone file systems are offered in use1-az1, -az2, -az4, -az5, -az6, not use1-az3
            // (https://docs.aws.amazon.com/efs/latest/ug/OneZoneAZs.html).
            assert.deepStrictEqual(zones.map(z => zoneIdOf(z)), ["use1-az1", "use1-az2", "use1-az4"]);
            const firstNames = accountZones().map(z => z.name).sort().slice(0, 3);
            assert.notDeepStrictEqual([...zones].sort(), firstNames, "the mock maps names to IDs out of order, so a choice by name would differ");
        });

        it("stands every subnet and EFS file system of every stack in a zone that offers what it holds", async () => {
            for (const c of graphCases().filter(g => g.cloud === "aws")) {
                const report = await graphOf(c);
                const region = (report.outputs.region as string) ?? "us-east-1";
                for (const subnet of ofType(report, T.subnet)) {
                    const zone = subnet.inputs.availabilityZone as string;
                    assert.deepStrictEqual(missingOfferings(region, zoneIdOf(zone, region)), [], `${c.label}: subnet ${subnet.name} stands in ${zone} (${zoneIdOf(zone, region)})`);
                }
                for (const fs of ofType(report, T.fileSystem)) {
                    const zone = fs.inputs.availabilityZoneName as string | undefined;
                    // EFS Regional (the regional volumes'): no zone of its own; its mount targets stand in the subnets above.
                    if (zone === undefined) continue;
                    assert.ok(!missingOfferings(region, zoneIdOf(zone, region)).includes("efsOneZone"), `${c.label}: file system ${fs.name} stands in ${zone} (${zoneIdOf(zone, region)}), which has no EFS One Zone`);
                }
            }
        });

        it("refuses an explicit zone without EFS One Zone, by name or by AZ ID, naming the key and the value", async () => {
            const unsupported = nameOf("use1-az3");
            const byName = await resolve("aws", awsZones(["use1-az1", unsupported, "use1-az2"]));
            assert.deepStrictEqual(byName.problems?.length, 1, JSON.stringify(byName));
            assert.match(byName.problems![0], new RegExp(`^web3-nodes:aws\\.zones\\[1\\] = "${unsupported}": ${unsupported} is use1-az3, and use1-az3 does not offer EFS One Zone file systems`));
            const byId = await resolve("aws", awsZones(["use1-az1", "use1-az2", "use1-az3"]));
            assert.deepStrictEqual(byId.problems?.length, 1, JSON.stringify(byId));
            assert.match(byId.problems![0], /^web3-nodes:aws\.zones\[2\] = "use1-az3": use1-az3 does not offer EFS One Zone file systems.*https:\/\/docs\.aws\.amazon\.com\/efs\/latest\/ug\/OneZoneAZs\.html/);
        });

        it("takes zone names and AZ IDs alike and gives the resources the account's names, in the order listed", async () => {
            const { zones, subnets, problems } = await resolve("aws", awsZones(["use1-az4", nameOf("use1-az2"), "use1-az1"]));
            assert.deepStrictEqual(problems, undefined);
            assert.deepStrictEqual(zones, [nameOf("use1-az4"), nameOf("use1-az2"), nameOf("use1-az1")]);
            assert.deepStrictEqual([...new Set(subnets!.map(s => s.inputs.availabilityZone))].sort(), [...zones!].sort());
        });

        it("refuses a name and an AZ ID that are the same zone", async () => {
            const { problems } = await resolve("aws", awsZones([nameOf("use1-az1"), "use1-az1", "use1-az2"]));
            assert.deepStrictEqual(problems, [`web3-nodes:aws.zones[1] = "use1-az1": use1-az1 is already listed as "${nameOf("use1-az1")}"; list 3 distinct zones`]);
        });

        it("refuses a zone that is not in the region: a name the account lacks, another region's AZ ID", async () => {
            const { problems } = await resolve("aws", awsZones(["us-east-1z", "usw2-az1", "use1-az1"]));
            assert.strictEqual(problems?.length, 2, JSON.stringify(problems));
            assert.match(problems![0], /^web3-nodes:aws\.zones\[0\] = "us-east-1z": not a zone of us-east-1 in this account; its zones are us-east-1d \(use1-az1\), /);
            assert.match(problems![1], /^web3-nodes:aws\.zones\[1\] = "usw2-az1": not a zone of us-east-1 in this account/);
        });

        it("refuses a region where the account has fewer than three zones that offer everything, naming the region", async () => {
            // The mock account sees us-west-1 through usw1-az1 and usw1-az3, as accounts made since 2013 do.
            const { problems } = await resolve("aws", awsZones(undefined, "us-west-1"));
            assert.strictEqual(problems?.length, 1, JSON.stringify(problems));
            assert.match(problems![0], /^web3-nodes:aws\.region = "us-west-1": the stack needs 3 zones that offer everything it runs; this account has 2 there/);
        });

        it("reaches the synth as invalid configuration (a ConfigError: exit code 2, the message without a stack trace)", async () => {
            await assert.rejects(synthStack({ stack: "dev", cloud: "aws", set: { "aws.zones": ["use1-az1", "use1-az2", "use1-az3"] } }),
                (e: Error) => e instanceof ConfigError && /web3-nodes:aws\.zones\[2\] = "use1-az3": use1-az3 does not offer EFS One Zone/.test(e.message));
        });
    });

    describe("on GCP, from Google's zone list, so nothing runs before the stack enables an API", () => {
        it("makes no Google invoke in any stack: an invoke cannot wait for the project service that enables its API", async () => {
            for (const c of graphCases().filter(g => g.cloud === "gcp")) {
                const report = await graphOf(c);
                assert.deepStrictEqual(invokesOf(report).filter(i => i.token.startsWith("gcp:")), [], c.label);
            }
        });

        it("defaults to the region's first three zones in Google's list (us-east1 has no zone a)", async () => {
            assert.deepStrictEqual((await resolve("gcp", {})).zones, ["us-central1-a", "us-central1-b", "us-central1-c"]);
            const east = await resolve("gcp", { gcp: { project: "web3-nodes-test", region: "us-east1" } });
            assert.deepStrictEqual(east.zones, ["us-east1-b", "us-east1-c", "us-east1-d"]);
        });

        it("refuses an explicit zone the region does not have, naming the key and the value", async () => {
            const { problems } = await resolve("gcp", { gcp: { project: "web3-nodes-test", region: "us-central1", zones: ["us-central1-a", "us-central1-b", "us-central1-z"] } });
            assert.strictEqual(problems?.length, 1, JSON.stringify(problems));
            assert.match(problems![0], /^web3-nodes:gcp\.zones\[2\] = "us-central1-z": not a zone of us-central1; its zones are us-central1-a, us-central1-b, us-central1-c, us-central1-f/);
        });

        it("asks for gcp.zones in a region the list lacks, and takes them as given", async () => {
            const missing = await resolve("gcp", { gcp: { project: "web3-nodes-test", region: "europe-north2" } });
            assert.match(missing.problems?.[0] ?? "", /^web3-nodes:gcp\.zones is required: region europe-north2 is not in the program's zone table/);
            const given = await resolve("gcp", { gcp: { project: "web3-nodes-test", region: "europe-north2", zones: ["europe-north2-a", "europe-north2-b", "europe-north2-c"] } });
            assert.deepStrictEqual(given.zones, ["europe-north2-a", "europe-north2-b", "europe-north2-c"]);
        });
    });
});
