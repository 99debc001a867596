// Who reaches the IPFS Cluster REST API (it adds and removes pins and peers): only `ipfsCluster.apiCidrs`, on
// both clouds, while the gateway stays open to everyone. Held to the clouds' own rules:
// - AWS: the stack's one ALB, evaluated as an ALB evaluates its listener rules: the API's name is forwarded only
//   from the allowlist's blocks (source-ip conditions) and answered 403 otherwise, while its security group
//   admits the union of every name's allowlist; each inbound rule as the AuthorizeSecurityGroupIngress request
//   botocore's EC2 model validates, within the 60 inbound rules per address family a security group holds by
//   default (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
// - GCP: a Cloud Armor backend security policy on the API's backend service, evaluated as Cloud Armor evaluates
//   one (lowest priority number first, first match decides, the default rule at 2147483647 matching "*"), each
//   rule within the ranges a rule takes; both limits read from @pulumi/gcp 9's own documentation of the API.
// - The configuration reads every allowlist with one reader (Chainlink's operator UI too) and refuses the whole
//   internet in prod exactly where the policy pack would report it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ARMOR_DEFAULT_RULE_PRIORITY, ARMOR_RANGES_PER_RULE, armorRules } from "../components/gcp/httpsLoadBalancer";
import { HOSTNAMES, PORTS } from "../components/ipfs-cluster";
import { EVERYONE, MAX_ALLOWED_CIDRS } from "../components/topology/cidrs";
import { evaluatePolicies } from "../policies/evaluate";
import { publicIngressOnlySwarmPorts } from "../policies/rules/exposure";
import { parseConfig } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { SynthResource } from "../tools/harness";
import { readStackFile } from "../tools/stackfile";
import { SynthReport } from "../tools/synth";
import { validateWithBotocore } from "./conformance/botocore";
import { albDecision } from "./conformance/alb";
import { ApiRequest } from "./conformance/awsRequests";
import { graphCases, graphOf } from "./conformance/graphs";
import { baseConfig } from "./fixtures";
import { inBlock, named, ofType, synthBackend } from "./support";

const T = {
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    backendService: "gcp:compute/backendService:BackendService",
    armor: "gcp:compute/securityPolicy:SecurityPolicy",
} as const;

type Inputs = Record<string, any>;
const inputs = (r: SynthResource) => r.inputs as Inputs;

/** The prod stack file's allowlist: what the graphs must admit, and nothing more. */
function prodApiCidrs(): string[] {
    return JSON.parse(readStackFile("prod").config["web3-nodes:ipfsCluster"]).apiCidrs;
}

function caseOf(label: string) {
    const found = graphCases().find(c => c.label === label);
    assert.ok(found, `no graph case ${label}`);
    return found;
}

// ---------------------------------------------------------------- AWS

/** The REST API's and the gateway's names in a graph's domain. */
function hostsOf(report: SynthReport): { api: string; gateway: string } {
    const domain = report.outputs.domain as string;
    return { api: `${HOSTNAMES.restApi}.${domain}`, gateway: `${HOSTNAMES.gateway}.${domain}` };
}

/** "cidr port" for each inbound rule, sorted. */
function admitted(rules: SynthResource[]): string[] {
    return rules.map(r => {
        const i = inputs(r);
        assert.strictEqual(i.ipProtocol, "tcp");
        assert.strictEqual(i.fromPort, i.toPort);
        return `${i.cidrIpv4 ?? i.cidrIpv6} ${i.fromPort}`;
    }).sort();
}

function onWebPorts(cidrs: readonly string[]): string[] {
    return cidrs.flatMap(c => [`${c} 443`, `${c} 80`]).sort();
}

/**
 * A vpc.SecurityGroupIngressRule as the request the provider sends for it: AuthorizeSecurityGroupIngress with one
 * IP permission (hashicorp/terraform-provider-aws internal/service/ec2/vpc_security_group_ingress_rule.go,
 * expandIPPermission), in the shapes of botocore's ec2 model.
 */
function authorizeIngress(r: SynthResource): ApiRequest {
    const i = inputs(r);
    const known = new Set(["securityGroupId", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId", "ipProtocol", "fromPort", "toPort", "description"]);
    assert.deepStrictEqual(Object.keys(i).filter(k => !known.has(k)), [], `${r.name}: an input this mapping does not know`);
    const Description = i.description;
    const range = i.cidrIpv4 !== undefined ? { IpRanges: [{ CidrIp: i.cidrIpv4, Description }] }
        : i.cidrIpv6 !== undefined ? { Ipv6Ranges: [{ CidrIpv6: i.cidrIpv6, Description }] }
        : i.referencedSecurityGroupId !== undefined ? { UserIdGroupPairs: [{ GroupId: i.referencedSecurityGroupId, Description }] }
        : { PrefixListIds: [{ PrefixListId: i.prefixListId, Description }] };
    return {
        service: "ec2",
        operation: "AuthorizeSecurityGroupIngress",
        source: r.name,
        params: { GroupId: i.securityGroupId, IpPermissions: [{ IpProtocol: i.ipProtocol, FromPort: i.fromPort, ToPort: i.toPort, ...range }] },
    } as unknown as ApiRequest;
}

/** Inbound rules per security group and address family: the quota counts IPv4 and IPv6 rules separately. */
const INBOUND_RULES_PER_GROUP_AND_FAMILY = 60;

function rulesPerGroupAndFamily(report: { resources: SynthResource[] }): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of ofType(report, T.ingress)) {
        // Rules without an IPv6 block are counted with IPv4.
        const key = `${inputs(r).securityGroupId} ${inputs(r).cidrIpv6 !== undefined ? "ipv6" : "ipv4"}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
}

// ---------------------------------------------------------------- GCP: Cloud Armor as it evaluates a policy

/** The action a backend security policy takes on a request from `source`. */
function armorVerdict(rules: Inputs[], source: string): string {
    for (const rule of [...rules].sort((a, b) => a.priority - b.priority)) {
        assert.strictEqual(rule.match.versionedExpr, "SRC_IPS_V1");
        const ranges = rule.match.config.srcIpRanges as string[];
        if (ranges.some(r => r === "*" || inBlock(r, source))) return rule.action;
    }
    throw new Error("no rule matched: a policy without a default rule");
}

/** A number @pulumi/gcp's generated documentation of the Compute API states, read from the installed package. */
function documented(file: string, after: string, pattern: RegExp): number {
    const text = fs.readFileSync(path.join(__dirname, "..", "node_modules", "@pulumi", "gcp", file), "utf8");
    const start = text.indexOf(after);
    assert.ok(start >= 0, `${file} no longer has ${after}`);
    const m = pattern.exec(text.slice(start));
    assert.ok(m, `${file}: ${pattern} not found after ${after}`);
    return Number(m[1]);
}

function checkPolicyShape(rules: Inputs[]): void {
    const perRule = documented("types/input.d.ts", "interface SecurityPolicyRuleMatchConfig {", /Maximum number of srcIpRanges allowed is (\d+)/);
    const defaultPriority = documented("compute/securityPolicy.d.ts", "rules?:", /rule with priority (\d+) and match "\\\*"/);
    for (const rule of rules) assert.ok(rule.match.config.srcIpRanges.length <= perRule, `a rule with ${rule.match.config.srcIpRanges.length} ranges; at most ${perRule}`);
    const priorities = rules.map(r => r.priority);
    assert.strictEqual(new Set(priorities).size, priorities.length, "priorities are unique");
    assert.ok(priorities.every(p => Number.isInteger(p) && p >= 0 && p <= defaultPriority));
    const defaults = rules.filter(r => r.priority === defaultPriority);
    assert.deepStrictEqual(defaults.map(r => [r.action, r.match.config.srcIpRanges]), [["deny(403)", ["*"]]]);
}

/** The first and last address of an IPv4 block, and the addresses just outside it. */
function edges(cidr: string): { inside: string[]; outside: string[] } {
    const [address, prefix] = cidr.split("/");
    const base = address.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(prefix));
    const text = (n: number) => [24, 16, 8, 0].map(s => Math.floor(n / 2 ** s) % 256).join(".");
    return { inside: [text(base), text(base + size - 1)], outside: [text(base - 1), text(base + size)] };
}

describe("the IPFS Cluster REST API answers its allowlist only, the gateway everyone", () => {
    describe("on AWS: the stack's ALB, its source-ip rules and security group (elbv2 listener rules, botocore ec2 model, VPC security group quota)", () => {
        it("prod forwards the API's name from exactly ipfsCluster.apiCidrs and answers every other source 403; the gateway stays open to the world", async () => {
            const report = await graphOf(caseOf("prod on aws"));
            const { api, gateway } = hostsOf(report);
            for (const cidr of prodApiCidrs()) {
                const { inside, outside } = edges(cidr);
                for (const source of inside) assert.strictEqual(albDecision(report, { host: api, path: "/pins", source }), `forward ${PORTS.restApi}`, `${source} in ${cidr}`);
                for (const source of outside) {
                    if (prodApiCidrs().some(c => edges(c).inside.includes(source))) continue;
                    assert.strictEqual(albDecision(report, { host: api, path: "/pins", source }), "403", `${source} next to ${cidr}`);
                }
            }
            assert.strictEqual(albDecision(report, { host: api.toUpperCase(), path: "/id", source: "192.0.2.1" }), "403");
            assert.strictEqual(albDecision(report, { host: gateway, path: "/ipfs/bafkqaaa", source: "192.0.2.1" }), `forward ${PORTS.gateway}`);
            assert.strictEqual(albDecision(report, { host: `unknown.${report.outputs.domain}`, path: "/", source: "192.0.2.1" }), "404");
        });

        it("dev, which sets no apiCidrs, admits everyone to the API", async () => {
            const report = await graphOf(caseOf("dev on aws"));
            assert.strictEqual(albDecision(report, { host: hostsOf(report).api, path: "/pins", source: "192.0.2.1" }), `forward ${PORTS.restApi}`);
        });

        it("the largest allowlist stays within a security group's inbound rules, and every rule is a request EC2 accepts", async () => {
            const cidrs = [
                ...Array.from({ length: MAX_ALLOWED_CIDRS / 2 }, (_, i) => `198.51.${i}.0/24`),
                ...Array.from({ length: MAX_ALLOWED_CIDRS / 2 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
            ];
            const result = await synthBackend("aws", backend => {
                const target = backend.loadBalancerTarget("api", { port: PORTS.restApi, readiness: { path: "/health", status: "204" } });
                backend.httpsLoadBalancer("api", { hostname: HOSTNAMES.restApi, target, allowedCidrs: cidrs });
            });
            const counts = rulesPerGroupAndFamily(result);
            assert.ok([...counts.values()].every(n => n <= INBOUND_RULES_PER_GROUP_AND_FAMILY), JSON.stringify([...counts]));
            // With no name open to everyone, the ALB's security group admits exactly the allowlist.
            const sg = named(result, T.securityGroup, "https-alb");
            assert.deepStrictEqual(admitted(ofType(result, T.ingress).filter(r => inputs(r).securityGroupId === sg.id)), onWebPorts(cidrs));
            const requests = ofType(result, T.ingress).map(authorizeIngress);
            const verdict = validateWithBotocore(requests);
            assert.deepStrictEqual(verdict.problems, requests.map(() => []), `botocore ${verdict.version}`);
        });

        it("every inbound rule of the prod graph is a request EC2 accepts, within the quota per group and family", async () => {
            const report = await graphOf(caseOf("prod on aws"));
            const requests = ofType(report, T.ingress).map(authorizeIngress);
            const verdict = validateWithBotocore(requests);
            assert.deepStrictEqual(verdict.problems, requests.map(() => []), `botocore ${verdict.version}`);
            assert.ok([...rulesPerGroupAndFamily(report).values()].every(n => n <= INBOUND_RULES_PER_GROUP_AND_FAMILY));
        });

        it("refuses an allowlist that is empty (nobody) or longer than a security group holds", async () => {
            for (const [cidrs, message] of [[[], /admits nobody/], [Array.from({ length: MAX_ALLOWED_CIDRS + 1 }, (_, i) => `10.${i}.0.0/16`), /31 CIDR blocks, at most 30/]] as const) {
                await assert.rejects(synthBackend("aws", backend => {
                    const target = backend.loadBalancerTarget("api", { port: PORTS.restApi, readiness: { path: "/health", status: "204" } });
                    backend.httpsLoadBalancer("api", { hostname: HOSTNAMES.restApi, target, allowedCidrs: [...cidrs] });
                }), message);
            }
        });
    });

    describe("on GCP: a Cloud Armor backend security policy on the API's backend service (@pulumi/gcp 9 Compute API docs)", () => {
        it("prod allows exactly ipfsCluster.apiCidrs and answers everyone else 403; the gateway has no policy", async () => {
            const report = await graphOf(caseOf("prod on gcp"));
            const api = named(report, T.backendService, "ipfs-api-backend");
            assert.strictEqual(inputs(api).loadBalancingScheme, "EXTERNAL_MANAGED", "a global external Application Load Balancer evaluates backend policies");
            const armor = ofType(report, T.armor).find(p => p.id === inputs(api).securityPolicy);
            assert.ok(armor, "the API's backend service names a security policy of the stack");
            assert.strictEqual(inputs(armor).type, "CLOUD_ARMOR", "a backend security policy, the type a backend service's securityPolicy takes");
            const rules = inputs(armor).rules as Inputs[];
            checkPolicyShape(rules);
            for (const cidr of prodApiCidrs()) {
                const { inside, outside } = edges(cidr);
                for (const a of inside) assert.strictEqual(armorVerdict(rules, a), "allow", a);
                for (const a of outside) assert.strictEqual(armorVerdict(rules, a), "deny(403)", a);
            }
            assert.strictEqual(armorVerdict(rules, "2001:db8::1"), "deny(403)");
            assert.strictEqual(inputs(named(report, T.backendService, "ipfs-gateway-backend")).securityPolicy, undefined);
        });

        it("dev, which admits everyone, puts no policy on the API", async () => {
            const report = await graphOf(caseOf("dev on gcp"));
            assert.strictEqual(inputs(named(report, T.backendService, "ipfs-api-backend")).securityPolicy, undefined);
        });

        it("splits the largest allowlist into rules of at most ten ranges that still allow each block and nothing else", () => {
            const cidrs = Array.from({ length: MAX_ALLOWED_CIDRS }, (_, i) => `198.51.${i * 2}.0/24`);
            const rules = armorRules(cidrs) as Inputs[];
            checkPolicyShape(rules);
            assert.strictEqual(rules.length, Math.ceil(MAX_ALLOWED_CIDRS / ARMOR_RANGES_PER_RULE) + 1);
            for (const cidr of cidrs) {
                const { inside, outside } = edges(cidr);
                for (const a of inside) assert.strictEqual(armorVerdict(rules, a), "allow", a);
                for (const a of outside) assert.strictEqual(armorVerdict(rules, a), "deny(403)", a);
            }
            assert.strictEqual(rules.find(r => r.priority === ARMOR_DEFAULT_RULE_PRIORITY)?.action, "deny(403)");
        });
    });

    describe("the configuration", () => {
        const problemsOf = (profile: string, section: Record<string, unknown>, workload = "ipfsCluster"): string[] => {
            try {
                parseConfig(baseConfig("aws", { profile, [workload]: section }));
                return [];
            } catch (e) {
                assert.ok(e instanceof ConfigError, String(e));
                return e.problems;
            }
        };
        const apiCidrs = (profile: string, given?: unknown) =>
            parseConfig(baseConfig("aws", { profile, ipfsCluster: { enabled: true, ...(given === undefined ? {} : { apiCidrs: given }) } })).ipfsCluster.apiCidrs;

        it("admits everyone in dev when unset, and keeps what a stack names", () => {
            assert.deepStrictEqual(apiCidrs("dev"), [...EVERYONE]);
            assert.deepStrictEqual(apiCidrs("dev", ["0.0.0.0/0"]), ["0.0.0.0/0"]);
            assert.deepStrictEqual(apiCidrs("prod", ["203.0.113.0/24", "2001:db8::/32"]), ["203.0.113.0/24", "2001:db8::/32"]);
        });

        it("requires it in a prod stack that enables the cluster, and refuses the whole internet there", () => {
            assert.deepStrictEqual(problemsOf("prod", { enabled: true }), [
                'web3-nodes:ipfsCluster.apiCidrs is required: ipfsCluster is enabled in a prod stack: the networks the REST API\'s clients call from, ' +
                'such as ["203.0.113.0/24"]; never 0.0.0.0/0',
            ]);
            assert.deepStrictEqual(problemsOf("prod", { enabled: false }), []);
            const refusal = "not the whole internet in a prod stack: the REST API adds and removes pins and peers; name its clients' networks";
            assert.deepStrictEqual(problemsOf("prod", { enabled: true, apiCidrs: ["203.0.113.0/24", "0.0.0.0/0", "::/0"] }), [
                `web3-nodes:ipfsCluster.apiCidrs[1] = "0.0.0.0/0": ${refusal}`,
                `web3-nodes:ipfsCluster.apiCidrs[2] = "::/0": ${refusal}`,
            ]);
        });

        it("refuses what is no list of CIDR blocks, and more blocks than a security group holds", () => {
            assert.deepStrictEqual(problemsOf("dev", { enabled: true, apiCidrs: "203.0.113.0/24" }), [
                'web3-nodes:ipfsCluster.apiCidrs = "203.0.113.0/24": a list of one or more IPv4 or IPv6 CIDR blocks, such as ["203.0.113.0/24"]',
            ]);
            assert.deepStrictEqual(problemsOf("dev", { enabled: true, apiCidrs: ["203.0.113.300/24"] }), [
                'web3-nodes:ipfsCluster.apiCidrs[0] = "203.0.113.300/24": an IPv4 or IPv6 CIDR block such as 203.0.113.0/24',
            ]);
            const tooMany = Array.from({ length: MAX_ALLOWED_CIDRS + 1 }, (_, i) => `10.${i}.0.0/16`);
            assert.match(problemsOf("dev", { enabled: true, apiCidrs: tooMany })[0], /^web3-nodes:ipfsCluster\.apiCidrs = \[.*\]: at most 30 CIDR blocks \(31 given\)/);
        });

        it("reads Chainlink's operator allowlist with the same reader: the same limits, in the same words", () => {
            const tooMany = Array.from({ length: MAX_ALLOWED_CIDRS + 1 }, (_, i) => `10.${i}.0.0/16`);
            const chainlink = problemsOf("prod", { enabled: true, chainId: 1, nodes: [], operatorCidrs: tooMany }, "chainlink")
                .filter(p => p.startsWith("web3-nodes:chainlink.operatorCidrs"));
            const cluster = problemsOf("dev", { enabled: true, apiCidrs: tooMany }).filter(p => p.startsWith("web3-nodes:ipfsCluster.apiCidrs"));
            assert.strictEqual(chainlink.length, 1);
            assert.strictEqual(chainlink[0].replace("chainlink.operatorCidrs", "X"), cluster[0].replace("ipfsCluster.apiCidrs", "X"));
        });

        it("refuses in prod exactly the blocks the policy pack reports as open to the world (public-ingress-only-swarm-ports)", () => {
            const blocks = ["0.0.0.0/0", "::/0", "10.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "203.0.113.0/24", "2001:db8::/32", "::/1"];
            for (const cidr of blocks) {
                const refused = problemsOf("prod", { enabled: true, apiCidrs: [cidr] }).length > 0;
                const rule: SynthResource = {
                    urn: `urn:pulumi:prod::web3-nodes::${T.ingress}::api-in`,
                    type: T.ingress,
                    name: "api-in",
                    id: "api-in",
                    parent: null,
                    custom: true,
                    inputs: { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: PORTS.restApi, toPort: PORTS.restApi, [cidr.includes(":") ? "cidrIpv6" : "cidrIpv4"]: cidr },
                    options: { protect: false, retainOnDelete: false, dependsOn: [] },
                };
                const reported = evaluatePolicies([rule], { policies: [publicIngressOnlySwarmPorts] }).length > 0;
                assert.strictEqual(refused, reported, `${cidr}: the configuration ${refused ? "refuses" : "accepts"} it, the pack ${reported ? "reports" : "accepts"} it`);
            }
        });
    });
});
