// A lost zone takes egress with it where NAT is zonal. AWS: "Each NAT gateway is created in a specific
// Availability Zone ... if the NAT gateway's Availability Zone is down, resources in the other Availability
// Zones lose internet access" (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html, read
// 2026-12-01). GCP: "Cloud NAT is a distributed, software-defined managed service. It's not based on proxy VMs
// or appliances", configured per region (https://cloud.google.com/nat/docs/overview, read 2026-12-01): a
// zone's loss does not cut the others' egress. Every workload needs egress: image pulls, secrets, RPC, peers.
import * as assert from "assert";
import { ceramicSurvivesZoneLoss } from "../../policies/rules/ceramic";
import { chainlinkSurvivesZoneLoss } from "../../policies/rules/chainlink";
import { ipfsClusterSpreadOverZones } from "../../policies/rules/ipfsCluster";
import { evaluatePolicies } from "../../policies/evaluate";
import { parseConfig } from "../../stacks/config";
import { ConfigError } from "../../stacks/validate";
import { SynthResource } from "../../tools/harness";
import { SynthReport } from "../../tools/synth";
import { baseConfig } from "../fixtures";
import { GraphCase, graphCases, graphOf } from "./graphs";

const ZONE_LOSS_POLICIES = [ipfsClusterSpreadOverZones, chainlinkSurvivesZoneLoss, ceramicSurvivesZoneLoss];
const NAT_GATEWAY = "aws:ec2/natGateway:NatGateway";
const ROUTE = "aws:ec2/route:Route";
const SUBNET = "aws:ec2/subnet:Subnet";

/** The problems parseConfig reports about the network keys (other sections have their own tests). */
function networkProblemsOf(raw: Record<string, unknown>): string[] {
    try {
        parseConfig(raw);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.filter(p => p.startsWith("web3-nodes:network."));
        throw e;
    }
    return [];
}

function caseOf(label: string): GraphCase {
    const c = graphCases().find(g => g.label === label);
    if (!c) throw new Error(`no graph case ${label}`);
    return c;
}

/** The zone-loss verdicts, the profile given as a real preview gives it: the stack tag `profile`. */
function zoneLossMessages(resources: SynthResource[], profile: "dev" | "prod"): string[] {
    return evaluatePolicies(resources, { policies: ZONE_LOSS_POLICIES, stackTags: { profile } }).map(v => `${v.policy}: ${v.message}`);
}

/**
 * The graph with every private route table sent to the NAT gateways of the first `keep` zones only, as
 * natIndexForZone assigns them (zone i leaves through the NAT of zone i mod keep): what natAddresses = keep builds.
 */
function withNatsIn(report: SynthReport, keep: number): SynthResource[] {
    const zones = report.outputs.zones as string[];
    const copy = JSON.parse(JSON.stringify(report.resources)) as SynthResource[];
    const zoneOfSubnet = new Map(copy.filter(r => r.type === SUBNET).map(s => [s.id, s.inputs.availabilityZone as string]));
    const natOf = (zone: string) => copy.find(n => n.type === NAT_GATEWAY && zoneOfSubnet.get(n.inputs.subnetId as string) === zone)!;
    for (const route of copy.filter(r => r.type === ROUTE && r.inputs.natGatewayId !== undefined)) {
        const zone = zones.find(z => route.name.includes(`-private-${z}-`))!;
        route.inputs.natGatewayId = natOf(zones[zones.indexOf(zone) % keep]).id;
    }
    return copy;
}

describe("conformance: a lost zone counts the egress it takes with it", function () {
    this.timeout(120_000);

    describe("configuration", () => {
        it("refuses fewer NAT addresses than zones on an AWS prod stack, naming the key, the value and why", () => {
            for (const natAddresses of [1, 2]) {
                const problems = networkProblemsOf(baseConfig("aws", { profile: "prod", network: { natAddresses } }));
                assert.deepStrictEqual(problems, [
                    `web3-nodes:network.natAddresses = ${natAddresses}: a prod stack on aws needs one NAT gateway per zone (3): a NAT gateway ` +
                        "stands in one zone, and the zones routed through it lose egress when that zone goes",
                ]);
            }
        });

        it("accepts one NAT address per zone on AWS prod, fewer on dev, and any count on GCP, where Cloud NAT is regional", () => {
            assert.deepStrictEqual(networkProblemsOf(baseConfig("aws", { profile: "prod", network: { natAddresses: 3 } })), []);
            assert.deepStrictEqual(networkProblemsOf(baseConfig("aws", { profile: "dev", network: { natAddresses: 1 } })), []);
            assert.deepStrictEqual(networkProblemsOf(baseConfig("gcp", { profile: "prod", network: { natAddresses: 1 } })), []);
        });
    });

    describe("the zone-loss analysis of the IPFS cluster, the Chainlink pair and the Ceramic node", () => {
        it("passes every stack file and the large cluster on both clouds", async () => {
            for (const c of graphCases()) {
                const report = await graphOf(c);
                assert.deepStrictEqual(zoneLossMessages(report.resources, report.outputs.profile === "dev" ? "dev" : "prod"), [], c.label);
            }
        });

        it("AWS prod with one NAT gateway: losing its zone cuts every other zone's egress, so neither workload serves", async () => {
            const report = await graphOf(caseOf("prod on aws"));
            const [a, b, c] = report.outputs.zones as string[];
            const messages = zoneLossMessages(withNatsIn(report, 1), "prod");
            assert.deepStrictEqual(messages, [
                `ipfs-cluster-spread-over-zones: web3-nodes:ipfs-cluster:IpfsCluster "ipfs-cluster": losing ${a} leaves 0 of its 3 peers serving: ` +
                    `ipfs-1 (${b}), ipfs-2 (${c}) leave through NAT gateway network-nat-${a} in ${a}, so they lose egress with that zone (image pulls, ` +
                    "secrets, RPC and peers). Give every zone a NAT gateway of its own (web3-nodes:network.natAddresses equal to the zone count).",
                `chainlink-survives-zone-loss: web3-nodes:chainlink:ChainlinkNode "chainlink": losing ${a} leaves 0 of its 2 nodes serving: ` +
                    `chainlink-1 (${b}) leaves through NAT gateway network-nat-${a} in ${a}, so it loses egress with that zone (image pulls, ` +
                    "secrets, RPC and peers). Give every zone a NAT gateway of its own (web3-nodes:network.natAddresses equal to the zone count).",
            ]);
        });

        it("AWS prod with two NAT gateways: the third zone leans on the first, so the cluster is short when that zone goes; the pair is not", async () => {
            const report = await graphOf(caseOf("prod on aws"));
            const [a, b, c] = report.outputs.zones as string[];
            const messages = zoneLossMessages(withNatsIn(report, 2), "prod");
            assert.strictEqual(messages.length, 1, messages.join("\n"));
            assert.ok(messages[0].startsWith(`ipfs-cluster-spread-over-zones: web3-nodes:ipfs-cluster:IpfsCluster "ipfs-cluster": losing ${a} leaves ` +
                `1 of its 3 peers serving, in 1 zone (${b}: ipfs-1): ipfs-2 (${c}) leaves through NAT gateway network-nat-${a} in ${a}`), messages[0]);
        });

        it("AWS dev (one NAT address): the cluster is short of egress on a lost zone, which a dev profile accepts", async () => {
            const report = await graphOf(caseOf("dev on aws"));
            const [a] = report.outputs.zones as string[];
            assert.deepStrictEqual(zoneLossMessages(report.resources, "dev"), []);
            const asProd = zoneLossMessages(report.resources, "prod");
            assert.strictEqual(asProd.length, 1, asProd.join("\n"));
            assert.ok(asProd[0].includes(`losing ${a} leaves 0 of its 3 peers serving`), asProd[0]);
        });

        it("GCP with one NAT address (dev): Cloud NAT is regional, so no lost zone cuts egress, prod profile or not", async () => {
            const report = await graphOf(caseOf("dev on gcp"));
            assert.strictEqual((report.outputs.egressIps as string[]).length, 1);
            assert.deepStrictEqual(zoneLossMessages(report.resources, "prod"), []);
        });
    });
});
