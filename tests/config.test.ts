import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PREFIX_START, STACK_NAME_MAX, parseConfig, stackPrefix } from "../stacks/config";
import { ConfigError } from "../stacks/validate";
import { baseConfig } from "./fixtures";

function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parseConfig(raw);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

const aws = (overrides: Record<string, unknown>) => baseConfig("aws", overrides);
const gcp = (overrides: Record<string, unknown>) => baseConfig("gcp", overrides);

/** Each invalid configuration and the exact message an operator gets for it. */
const invalid: { what: string; raw: Record<string, unknown>; message: string }[] = [
    { what: "no cloud", raw: { domain: "nodes.example.com" }, message: "web3-nodes:cloud is required: one of aws, gcp, docker" },
    { what: "unknown cloud", raw: aws({ cloud: "azure" }), message: 'web3-nodes:cloud = "azure": allowed: aws, gcp, docker' },
    { what: "unknown profile", raw: aws({ profile: "staging" }), message: 'web3-nodes:profile = "staging": allowed: dev, prod, local' },
    { what: "no domain", raw: aws({ domain: undefined }), message: "web3-nodes:domain is required: a lowercase DNS name such as nodes.example.com" },
    { what: "domain with a scheme", raw: aws({ domain: "https://nodes.example.com" }), message: 'web3-nodes:domain = "https://nodes.example.com": a lowercase DNS name such as nodes.example.com' },
    { what: "unknown DNS provider", raw: aws({ dns: { provider: "godaddy", zone: "x" } }), message: 'web3-nodes:dns.provider = "godaddy": allowed: route53, clouddns, cloudflare, none' },
    {
        what: "Route 53 on GCP",
        raw: gcp({ dns: { provider: "route53", zone: "Z0123" } }),
        message: 'web3-nodes:dns.provider = "route53": route53 needs aws credentials but web3-nodes:cloud is gcp; use cloudflare, none or the DNS service of gcp',
    },
    {
        what: "Cloud DNS on AWS",
        raw: aws({ dns: { provider: "clouddns", zone: "nodes" } }),
        message: 'web3-nodes:dns.provider = "clouddns": clouddns needs gcp credentials but web3-nodes:cloud is aws; use cloudflare, none or the DNS service of aws',
    },
    { what: "a DNS provider without a zone", raw: aws({ dns: { provider: "cloudflare" } }), message: "web3-nodes:dns.zone is required: dns.provider is cloudflare: give the zone that holds nodes.example.com" },
    { what: "a misspelt AWS region", raw: aws({ aws: { region: "us-east1" } }), message: 'web3-nodes:aws.region = "us-east1": an AWS region such as us-east-1' },
    { what: "two zones", raw: aws({ aws: { zones: ["us-east-1a", "us-east-1b"] } }), message: 'web3-nodes:aws.zones = ["us-east-1a","us-east-1b"]: exactly 3 zones of the region, or unset to let the program choose them' },
    {
        what: "a zone twice",
        raw: aws({ aws: { zones: ["us-east-1a", "us-east-1a", "us-east-1b"] } }),
        message: 'web3-nodes:aws.zones = ["us-east-1a","us-east-1a","us-east-1b"]: 3 distinct zones; a zone listed twice is not a second failure domain',
    },
    { what: "a zone of another region", raw: aws({ aws: { zones: ["us-east-1a", "us-east-1b", "us-west-2c"] } }), message: 'web3-nodes:aws.zones[2] = "us-west-2c": a zone of region us-east-1: a name such as us-east-1a or an AZ ID such as use1-az1' },
    { what: "zones not a list", raw: aws({ aws: { zones: "us-east-1a" } }), message: 'web3-nodes:aws.zones = "us-east-1a": a list; each item a zone: a name such as us-east-1a or an AZ ID such as use1-az1' },
    { what: "GCP without a project", raw: gcp({ gcp: { region: "us-central1" } }), message: "web3-nodes:gcp.project is required: cloud is gcp: the project ID to deploy into" },
    { what: "an invalid GCP project", raw: gcp({ gcp: { project: "My_Project" } }), message: 'web3-nodes:gcp.project = "My_Project": a GCP project ID: 6-30 lowercase letters, digits and dashes, starting with a letter' },
    { what: "a GCP zone of another region", raw: gcp({ gcp: { project: "web3-nodes-test", zones: ["us-central1-a", "us-central1-b", "europe-west1-b"] } }), message: 'web3-nodes:gcp.zones[2] = "europe-west1-b": a zone of region us-central1: a name such as us-central1-a' },
    { what: "a public CIDR", raw: aws({ network: { cidr: "8.8.0.0/16" } }), message: 'web3-nodes:network.cidr = "8.8.0.0/16": a private range (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)' },
    { what: "a CIDR too small", raw: aws({ network: { cidr: "10.0.0.0/26" } }), message: 'web3-nodes:network.cidr = "10.0.0.0/26": a prefix from /16 to /22 (the network is cut into six subnets)' },
    { what: "host bits set", raw: aws({ network: { cidr: "10.0.1.0/16" } }), message: 'web3-nodes:network.cidr = "10.0.1.0/16": a network address: the host bits of a /16 must be zero' },
    { what: "too many NAT addresses", raw: aws({ network: { natAddresses: 5 } }), message: "web3-nodes:network.natAddresses = 5: a whole number from 1 to 3" },
    { what: "an upper-case tag key", raw: aws({ tags: { Team: "web3" } }), message: "web3-nodes:tags.Team: not a valid key (value not shown): tag keys start with a lowercase letter and use lowercase letters, digits, _ and - (at most 63); values likewise, may be empty" },
    { what: "a retention CloudWatch refuses", raw: aws({ logRetentionDays: 10 }), message: "web3-nodes:logRetentionDays = 10: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653" },
    { what: "backups kept too briefly", raw: aws({ backupRetentionDays: 3 }), message: "web3-nodes:backupRetentionDays = 3: a whole number from 7 to 35" },
    { what: "a misspelt key", raw: aws({ domian: "x.example.com" }), message: "web3-nodes:domian: unknown key (did you mean web3-nodes:domain?); known keys here: cloud, profile, domain, dns, aws, gcp, docker, network, registryMirror, tags, logRetentionDays, backupRetentionDays, ipfsCluster, chainlink, ceramic" },
    { what: "a misspelt nested key", raw: aws({ aws: { regoin: "us-east-2" } }), message: "web3-nodes:aws.regoin: unknown key (did you mean web3-nodes:aws.region?); known keys here: region, zones" },
];

describe("stack configuration", () => {
    for (const c of invalid) {
        it(`rejects ${c.what} with a message naming the key, the value and what is allowed`, () => {
            assert.deepStrictEqual(problemsOf(c.raw), [c.message]);
        });
    }

    it("reports every problem of a configuration at once, not the first only", () => {
        const problems = problemsOf(aws({ profile: "staging", domain: "BAD", network: { cidr: "8.8.0.0/16" }, backupRetentionDays: 1 }));
        assert.strictEqual(problems.length, 4, problems.join("\n"));
        for (const key of ["profile", "domain", "network.cidr", "backupRetentionDays"]) {
            assert.ok(problems.some(p => p.startsWith(`web3-nodes:${key} `)), `no problem reported for ${key}`);
        }
    });

    it("fills profile defaults: dev is small, prod is highly available", () => {
        const dev = parseConfig(aws({ profile: "dev" }));
        const prod = parseConfig(aws({ profile: "prod" }));
        assert.strictEqual(dev.network.natAddresses, 1);
        assert.strictEqual(prod.network.natAddresses, 3);
        assert.ok(prod.backupRetentionDays > dev.backupRetentionDays);
        assert.ok(prod.logRetentionDays > dev.logRetentionDays);
        assert.strictEqual(dev.aws.region, "us-east-1");
        assert.strictEqual(dev.gcp.region, "us-central1");
        assert.strictEqual(dev.aws.zones, undefined, "unset zones are chosen by the back-end");
    });

    it("switches cloud with one key: a stack file's values serve both clouds", () => {
        // The registry mirror's Docker Hub account is required on AWS and used on GCP: a file for both holds it.
        const raw = { ...gcp({ dns: { provider: "cloudflare", zone: "023e105f4ecef8ad9ca31a8372d0c353" }, registryMirror: aws({}).registryMirror }) };
        assert.strictEqual(parseConfig(raw).cloud, "gcp");
        assert.strictEqual(parseConfig({ ...raw, cloud: "aws" }).cloud, "aws");
    });

    it("accepts values as the CLI hands them over (numbers and booleans as strings)", () => {
        const config = parseConfig(aws({ backupRetentionDays: "14", logRetentionDays: "30" }));
        assert.strictEqual(config.backupRetentionDays, 14);
        assert.strictEqual(config.logRetentionDays, 30);
    });

    it("has every key it reads in README's configuration table with its default, and no other key there", () => {
        const seen = new Set<string>();
        parseConfig(aws({}), seen);
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const start = readme.indexOf("\n## Configuration\n");
        assert.ok(start >= 0, "README has no section ## Configuration");
        const table = readme.slice(start, readme.indexOf("\n#", start + 1));
        // One row per key: | `key` | default | allowed / meaning |
        const rows = new Map([...table.matchAll(/^\| `([^`]+)` \| ([^|]*) \|/gm)].map(m => [m[1], m[2].trim()]));
        assert.deepStrictEqual([...seen].filter(k => !rows.get(k)), [], "keys without a row and a default in README's configuration table");
        assert.deepStrictEqual([...rows.keys()].filter(k => !seen.has(k)), [], "rows of README's configuration table for keys the program never reads");
    });
});

describe("the stack's name and domain, where names come from", () => {
    const problemsWith = (raw: Record<string, unknown>, stack?: string): string[] => {
        try {
            parseConfig(raw, undefined, undefined, stack);
        } catch (e) {
            if (e instanceof ConfigError) return e.problems;
            throw e;
        }
        return [];
    };

    it("keeps the prefixes of the stacks that exist: web3-dev, web3-prod (and web3-local)", () => {
        assert.deepStrictEqual(["dev", "prod", "local"].map(stackPrefix), ["web3-dev", "web3-prod", "web3-local"]);
        assert.deepStrictEqual(problemsWith(aws({}), "prod"), []);
    });

    // Folding case, replacing characters or cutting long names would map two stacks to one prefix, and the
    // second stack would take over (or collide with) the first one's resources.
    for (const [stack, twin] of [["Dev", "dev"], ["prod_1", "prod-1"], ["staging.eu", "staging-eu"], [`${"a".repeat(STACK_NAME_MAX)}-1`, `${"a".repeat(STACK_NAME_MAX)}-2`]]) {
        it(`refuses the stack name ${stack}, which could share a prefix with ${twin}, naming what is allowed`, () => {
            assert.deepStrictEqual(problemsWith(aws({}), stack), [
                `stack name ${JSON.stringify(stack)}: the prefix of every physical name is ${PREFIX_START}<stack name>, taken as it is so that no two ` +
                `stacks share one: 1 to ${STACK_NAME_MAX} lowercase letters, digits and single hyphens, starting with a letter and ending with a ` +
                "letter or digit, such as prod or prod-eu (pulumi stack rename gives a stack another name)",
            ]);
            assert.throws(() => stackPrefix(stack), ConfigError);
        });
    }

    it("refuses names that end or begin badly or double a hyphen, and gives distinct stacks distinct prefixes", () => {
        for (const stack of ["-prod", "prod-", "1prod", "pr--od", ""]) assert.strictEqual(problemsWith(aws({}), stack).length, 1, stack);
        const allowed = ["dev", "prod", "prod-1", "prod1", "p", "a".repeat(STACK_NAME_MAX)];
        assert.strictEqual(new Set(allowed.map(stackPrefix)).size, allowed.length);
    });

    it("refuses a domain under which a hostname the workloads use would break a certificate's 64 characters", () => {
        // ceramic-ipfs-wss.<domain> is the longest name: 64 - 17 = 47 characters of domain.
        const domain = (length: number) => `${"d".repeat(length - ".example.com".length)}.example.com`;
        const all = { ipfsCluster: { enabled: true, apiCidrs: ["203.0.113.0/24"] }, ceramic: { enabled: true, network: "testnet-clay" } };
        assert.deepStrictEqual(problemsWith(aws({ ...all, domain: domain(47) })), []);
        assert.deepStrictEqual(problemsWith(aws({ ...all, domain: domain(48) })), [
            `web3-nodes:domain = "${domain(48)}": at most 47 characters for the workloads this stack enables: ceramic-ipfs-wss.<domain> is the ` +
            `name of a TLS certificate (ACM, Google-managed), whose common name has at most 64 characters, and ceramic-ipfs-wss.${domain(48)} has 65`,
        ]);
        // Without Ceramic the longest label is the cluster's "gateway": 56 characters of domain.
        assert.deepStrictEqual(problemsWith(aws({ ipfsCluster: all.ipfsCluster, domain: domain(56) })), []);
        assert.match(problemsWith(aws({ ipfsCluster: all.ipfsCluster, domain: domain(57) }))[0], /^web3-nodes:domain = "d+\.example\.com": at most 56 characters/);
    });
});
