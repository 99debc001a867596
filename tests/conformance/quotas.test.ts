// What each stack needs of the quotas a new account or project does not always grant, computed from the graph
// (tools/quotas.ts) and checked here against counts made by hand from the stack files and the program's sizes:
// AWS: an Elastic IP per NAT gateway and one in every zone per pass-through load balancer (the stack's public
// addresses), one ALB and one NLB per stack (a second NLB only past 20 peers a zone); GCP: every
// pd-ssd/pd-balanced GB in the region (volumes and each VM's 20 GB boot disk) and every regional static address.
import * as assert from "assert";
import { COMPONENT_TYPES } from "../../components/topology";
import { QUOTAS, QuotaNeed } from "../../tools/quotas";
import { SynthReport, renderTree } from "../../tools/synth";
import { graphCases, graphOf } from "./graphs";

type Needs = Record<string, number>;

/** By hand, per committed stack file and the 30-peer cluster: the quota code to what the stack needs of it. */
const EXPECTED: Record<string, Needs> = {
    // 1 NAT + the stack's NLB in 3 zones; one ALB for every HTTPS name, one NLB for every swarm port.
    "dev on aws": { "L-0263D0A3": 1 + 3, "L-53DA6B97": 1, "L-69A177A2": 1, "L-FE5A380F": 1 },
    // 3 NATs + the NLB in 3 zones (Chainlink's P2P address a listener of it); one NAT gateway in each zone.
    "prod on aws": { "L-0263D0A3": 3 + 3, "L-53DA6B97": 1, "L-69A177A2": 1, "L-FE5A380F": 1 },
    // 10 peers a zone: ordinals 0-9, all on the first NLB (20 a zone per NLB), 23 listeners of its 50.
    "prod on aws with 30 peers": { "L-0263D0A3": 3 + 3, "L-53DA6B97": 1, "L-69A177A2": 1, "L-FE5A380F": 1 },
    // dev volumes: 3 peers x (20 + 10) + Ceramic 20 + 10 + 10 = 130 GB, plus 5 VMs x 20 GB boot disks.
    "dev on gcp": { SSD_TOTAL_GB: 130 + 5 * 20, STATIC_ADDRESSES: 5, IN_USE_ADDRESSES: 5 },
    // prod volumes: 3 peers x (500 + 20) + Ceramic 200 + 50 + 10 = 1,820 GB, plus 7 VMs (3 peers, 2 Chainlink, 2 Ceramic) x 20 GB.
    // Addresses: 3 NATs + 4 public addresses + Chainlink's regional P2P address.
    "prod on gcp": { SSD_TOTAL_GB: 1820 + 7 * 20, STATIC_ADDRESSES: 8, IN_USE_ADDRESSES: 8 },
    "prod on gcp with 30 peers": { SSD_TOTAL_GB: 30 * 520 + 260 + 34 * 20, STATIC_ADDRESSES: 3 + 31 + 1, IN_USE_ADDRESSES: 3 + 31 + 1 },
};

function needsOf(quotas: QuotaNeed[]): Needs {
    return Object.fromEntries(quotas.map(q => [q.code, q.needed]));
}

describe("conformance: the quotas each stack needs", function () {
    this.timeout(120_000);

    it("keeps every quota as data with its source, the date read, and whether the default is documented or typical", () => {
        for (const q of QUOTAS) {
            assert.match(q.source, /^https:\/\/(docs\.aws\.amazon\.com|cloud\.google\.com)\//, q.name);
            assert.match(q.read, /^\d{4}-\d{2}-\d{2}$/, q.name);
            assert.ok(Number.isInteger(q.defaultLimit) && q.defaultLimit > 0, q.name);
            // AWS publishes one default per account; Google sets quotas per project.
            assert.strictEqual(q.defaultKind, q.cloud === "aws" ? "documented" : "typical", q.name);
        }
        assert.deepStrictEqual(QUOTAS.filter(q => q.cloud === "aws").map(q => `${q.service}/${q.code}`),
            ["ec2/L-0263D0A3", "elasticloadbalancing/L-53DA6B97", "elasticloadbalancing/L-69A177A2", "vpc/L-FE5A380F"]);
    });

    for (const c of graphCases()) {
        describe(c.label, () => {
            let report: SynthReport;
            before(async () => {
                report = await graphOf(c);
            });

            it("computes what the stack needs of each quota of its cloud", () => {
                // Names and domains change no count: a case renamed from a stack file needs what the file needs.
                const expected = EXPECTED[c.label] ?? EXPECTED[`${c.request.stack} on ${c.cloud}`];
                assert.deepStrictEqual(needsOf(report.quotas), expected);
            });

            it("agrees with the graph's own structure: addresses per NAT and per pass-through load balancer's zone, one ALB for the HTTPS names", () => {
                const count = (type: string) => report.resources.filter(r => r.type === type).length;
                const natAddresses = (report.outputs.egressIps as string[]).length;
                const publicPeers = count(COMPONENT_TYPES.passthroughLoadBalancer);
                const shared = report.resources.filter(r => r.type === COMPONENT_TYPES.passthroughAddress);
                // GCP: one regional address a shared address (on AWS a listener of the stack's NLB).
                const sharedIps = shared.length;
                const needs = needsOf(report.quotas);
                if (c.cloud === "aws") {
                    const zones = (report.outputs.zones as string[]).length;
                    assert.strictEqual(needs["L-0263D0A3"], natAddresses + publicPeers * zones);
                    assert.strictEqual(needs["L-53DA6B97"], count(COMPONENT_TYPES.httpsLoadBalancer) > 0 ? 1 : 0);
                    assert.strictEqual(needs["L-69A177A2"], publicPeers);
                } else {
                    assert.strictEqual(needs.STATIC_ADDRESSES, natAddresses + publicPeers + sharedIps);
                }
            });

            it("flags exactly the quotas the stack needs more of than the default, in the report and the tree", () => {
                for (const q of report.quotas) assert.strictEqual(q.exceedsDefault, q.needed > q.defaultLimit, q.name);
                const tree = renderTree(report);
                for (const q of report.quotas) {
                    const line = tree.split("\n").find(l => l.includes(`${q.code},`));
                    assert.ok(line, `no line for ${q.code}`);
                    assert.ok(line.includes(`needs ${q.needed}`), line);
                    assert.strictEqual(line.includes("over the default"), q.exceedsDefault, line);
                    if (q.exceedsDefault && c.cloud === "aws") {
                        assert.ok(line.includes(`--service-code ${q.service} --quota-code ${q.code} --desired-value ${q.needed}`), line);
                    }
                }
            });
        });
    }

    it("prod needs more than the default Elastic IPs on AWS and SSD on GCP; dev fits the defaults", async () => {
        const over = async (label: string) => {
            const c = graphCases().find(g => g.label === label)!;
            return (await graphOf(c)).quotas.filter(q => q.exceedsDefault).map(q => q.code);
        };
        assert.deepStrictEqual(await over("prod on aws"), ["L-0263D0A3"]);
        assert.deepStrictEqual(await over("prod on gcp"), ["SSD_TOTAL_GB"]);
        assert.deepStrictEqual(await over("dev on aws"), []);
        assert.deepStrictEqual(await over("dev on gcp"), []);
    });
});
