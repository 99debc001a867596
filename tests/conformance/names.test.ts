// Every physical name of every graph, held to the naming rules of the cloud that gets it: the name the program
// gives, or the one the provider generates (the logical name, a dash and seven random characters; a prefix and
// 26 unique characters). The rule tables (components/*/names.ts) are held to their sources here too: botocore's
// service models, the installed provider's documentation. Names at the config's limits are covered by the
// graphs with the longest stack name and domain, and the per-peer names of the largest cluster allowed.
import * as assert from "assert";
import { AWS_NAME_RULES, awsLogicalName, awsName, awsNamePrefix, AwsNameKind } from "../../components/aws/names";
import { CLOUDFLARE_NAME_RULES } from "../../components/cloudflare/names";
import { GCP_NAME_RULES, GcpNameKind, gcpNameFor, instanceName, instanceTemplatePrefix } from "../../components/gcp/names";
import { MAX_PEERS, PEER_TYPE, placePeers } from "../../components/ipfs-cluster";
import { AUTONAME_SUFFIX_LENGTH, NameRule, nameProblem } from "../../components/topology/names";
import { ConfigError } from "../../stacks/validate";
import { SynthResource } from "../../tools/harness";
import { SynthReport, synthStack } from "../../tools/synth";
import { inputMember } from "./botocoreModel";
import { LONGEST_DOMAIN, LONGEST_STACK_NAME, domainOfLength, graphCases, graphOf } from "./graphs";
import { argsOfType, argsProperties } from "./providerSdk";

const RULES: NameRule[] = [...Object.values(AWS_NAME_RULES), ...Object.values(GCP_NAME_RULES), ...Object.values(CLOUDFLARE_NAME_RULES)];
const rulesOf = (type: string) => RULES.filter(r => r.type === type);

/** Stands for the random characters a provider appends: hex for Pulumi's autonames, digits for Terraform's prefixes. */
const AUTONAME_SAMPLE = "a1b2c3d".slice(0, AUTONAME_SUFFIX_LENGTH - 1);
const uniqueSample = (length: number) => "2".repeat(length);

/** The strings at `field` ("a.b[]" reaches into objects and lists). */
function valuesAt(inputs: Record<string, unknown>, field: string): string[] {
    let values: unknown[] = [inputs];
    for (const part of field.split(".")) {
        const list = part.endsWith("[]");
        const key = list ? part.slice(0, -2) : part;
        values = values.flatMap(v => {
            const next = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
            return list ? (Array.isArray(next) ? next : []) : [next];
        });
    }
    return values.filter((v): v is string => typeof v === "string");
}

interface PhysicalName {
    /** The name the cloud gets. */
    name: string;
    /** What the program chose of it: the whole name, a prefix (without its dash) or the logical name. */
    chosen: string;
    /** The most characters `chosen` may have for `name` to keep the rule's length. */
    budget: number;
}

/** The physical names `rule` governs on `r`: given, completed from a prefix, or generated from the logical name. */
function physicalNames(r: SynthResource, rule: NameRule): PhysicalName[] {
    const given = valuesAt(r.inputs, rule.field);
    if (given.length > 0) return given.map(name => ({ name, chosen: name, budget: rule.max }));
    const prefix = rule.prefix ? r.inputs[rule.prefix.field] : undefined;
    if (rule.prefix && typeof prefix === "string") {
        return [{ name: `${prefix}${uniqueSample(rule.prefix.suffixLength)}`, chosen: prefix.replace(/-$/, ""), budget: rule.max - rule.prefix.suffixLength - 1 }];
    }
    // pulumi-aws and pulumi-gcp generate every `name` input left unset (provider/autonaming.go, SetAutonaming).
    if (rule.field === "name" && argsOfType(r.type).get("name")?.optional) {
        return [{ name: `${r.name}-${AUTONAME_SAMPLE}`, chosen: r.name, budget: rule.max - AUTONAME_SUFFIX_LENGTH }];
    }
    return [];
}

/** A botocore pattern (Python syntax) as a JavaScript expression for the whole name. */
function modelPattern(rule: NameRule): RegExp | undefined {
    if (!("botocore" in rule.source)) return undefined;
    const { service, operation, member } = rule.source.botocore;
    const pattern = inputMember(service, operation, member).pattern;
    return pattern === undefined ? undefined : new RegExp(`^(?:${pattern})$`);
}

interface Judging {
    /** Judges this name instead of the one in the graph. */
    rename?: (name: string) => string;
    /** Leaves these names out. */
    skip?: (name: PhysicalName) => boolean;
}

/** Every broken rule among the names of `resources`, as lines naming the resource. */
function offenders(resources: SynthResource[], { rename = n => n, skip = () => false }: Judging = {}): string[] {
    const found: string[] = [];
    for (const r of resources.filter(x => x.custom)) {
        for (const rule of rulesOf(r.type)) {
            const model = modelPattern(rule);
            for (const physical of physicalNames(r, rule)) {
                if (skip(physical)) continue;
                const name = rename(physical.name);
                const problem = nameProblem(rule, name)
                    ?? (model && !model.test(name) ? `${JSON.stringify(name)} does not match the API model's pattern ${model.source}` : undefined);
                if (problem) found.push(`${r.type} ${r.name}: ${problem}`);
            }
        }
    }
    return found;
}

function sourceLabel(rule: NameRule): string {
    const s = rule.source;
    if ("botocore" in s) return `botocore ${s.botocore.service} ${s.botocore.operation}.${s.botocore.member}`;
    if ("provider" in s) return `${rule.type.split(":")[0]} SDK ${s.provider.resource}Args.${s.provider.property}`;
    return s.url;
}

const normalized = (text: string) => text.replace(/\s+/g, " ").toLowerCase();

describe("conformance: physical names keep the clouds' naming rules", () => {
    describe("each rule agrees with its source", () => {
        for (const rule of RULES) {
            it(`${rule.type} ${rule.field}: ${sourceLabel(rule)}`, () => {
                const s = rule.source;
                assert.ok(rule.min >= 1 && rule.min <= rule.max, `min ${rule.min}, max ${rule.max}`);
                if ("botocore" in s) {
                    const m = inputMember(s.botocore.service, s.botocore.operation, s.botocore.member);
                    assert.ok(m.max !== undefined || m.pattern !== undefined || s.quote !== undefined, `${m.model} states no rule for ${s.botocore.member}: cite the documentation instead`);
                    if (m.max !== undefined) {
                        assert.ok(rule.max <= m.max, `${m.model} ${m.shape} allows at most ${m.max}, the table ${rule.max}`);
                        // A tighter maximum than the shape's needs the sentence that says so.
                        if (s.quote === undefined) assert.strictEqual(rule.max, m.max, `${m.model} ${m.shape} max`);
                    }
                    if (m.min !== undefined) assert.ok(rule.min >= m.min, `${m.model} ${m.shape} needs at least ${m.min}`);
                    if (s.quote !== undefined) assert.ok(normalized(m.documentation).includes(normalized(s.quote)), `${m.model} ${s.botocore.member} no longer says "${s.quote}": ${m.documentation}`);
                } else if ("provider" in s) {
                    const doc = argsProperties(rule.type.split(":")[0], s.provider.module, s.provider.resource).get(s.provider.property)?.doc;
                    assert.ok(doc !== undefined, `${s.provider.resource}Args has no ${s.provider.property}`);
                    assert.ok(normalized(doc).includes(normalized(s.quote)), `${s.provider.resource}Args.${s.provider.property} no longer says "${s.quote}": ${doc}`);
                } else {
                    assert.match(s.url, /^https:\/\//);
                }
            });
        }
    });

    describe("every name of every graph", () => {
        for (const c of graphCases()) {
            it(`${c.label}: every physical name keeps its rule`, async () => {
                assert.deepStrictEqual(offenders((await graphOf(c)).resources), []);
            });
        }

        it("every resource type that takes a name or a name prefix has a rule", async () => {
            const missing = new Set<string>();
            for (const c of graphCases()) {
                for (const r of (await graphOf(c)).resources) {
                    if (!r.custom || r.type.startsWith("pulumi:providers:") || r.type.startsWith("random:")) continue;
                    const args = argsOfType(r.type);
                    const takesName = args.has("name") || args.has("namePrefix");
                    if (takesName && !rulesOf(r.type).some(rule => rule.field === "name" || rule.prefix?.field === "namePrefix")) missing.add(r.type);
                }
            }
            assert.deepStrictEqual([...missing].sort(), [], "add the cloud's rule for these types to components/<cloud>/names.ts");
        });
    });

    describe("names at the limits of the config", () => {
        const longCases = graphCases().filter(c => c.request.stackName === LONGEST_STACK_NAME);

        it("the graphs cover the longest stack name and domain allowed: one character more is refused", async () => {
            assert.strictEqual(longCases.length, 2);
            for (const c of longCases) {
                const report = await graphOf(c);
                assert.strictEqual(report.stack, LONGEST_STACK_NAME);
                assert.strictEqual(report.outputs.domain, LONGEST_DOMAIN);
            }
            const refusal = async (request: Parameters<typeof synthStack>[0], pattern: RegExp) => {
                await assert.rejects(synthStack(request), (e: unknown) => e instanceof ConfigError && e.problems.some(p => pattern.test(p)));
            };
            const base = longCases[0].request;
            await refusal({ ...base, stackName: `${LONGEST_STACK_NAME}x` }, /^stack name "x+": /);
            await refusal({ ...base, set: { domain: domainOfLength(LONGEST_DOMAIN.length + 1) } }, /^web3-nodes:domain = "d+\.example\.com": at most \d+ characters/);
        });

        // Synthesizing the largest cluster takes minutes; a peer's names carry its name, so the names of the
        // last peer of a graph, with the name of the last peer allowed in its place, are that peer's names.
        // Names a naming function cut (a hash at their end) are cut again to fit, whatever they carry.
        const lastAllowed = (peerName: string) => placePeers(peerName.replace(/-\d+$/, ""), MAX_PEERS, ["zone"])[MAX_PEERS - 1].name;
        const looksCut = (p: PhysicalName) => /-[0-9a-f]{6}$/.test(p.chosen) && p.chosen.length >= p.budget - 2;

        for (const c of longCases) {
            it(`${c.label}: a peer's names still fit with ${MAX_PEERS} peers`, async () => {
                const report = await graphOf(c);
                const peers = report.resources.filter(r => r.type === PEER_TYPE);
                assert.ok(peers.length > 0, "the graph has IPFS cluster peers");
                const peer = peers[peers.length - 1];
                const own = `${peer.name}(?![0-9])`;
                const under = descendantsOf(report, peer.urn);
                const carries = (p: PhysicalName) => new RegExp(own).test(p.name);
                assert.ok(under.some(r => rulesOf(r.type).some(rule => physicalNames(r, rule).some(carries))), `no name under ${peer.name} carries it`);
                const rename = (name: string) => name.replace(new RegExp(own, "g"), lastAllowed(peer.name));
                assert.deepStrictEqual(offenders(under, { rename, skip: p => !carries(p) || looksCut(p) }), []);
            });
        }
    });

    describe("the naming functions fit any name to its rule, the same way every run", () => {
        const long = (tail: string) => `${LONGEST_STACK_NAME}-${"a-very-long-service-name-".repeat(12)}${tail}`;

        // The kinds whose names the program makes of its prefix and service names: one word of any length up to
        // the rule's (DNS names, whose labels are shorter than the name, it makes otherwise).
        const madeOfWords = (Object.keys(AWS_NAME_RULES) as AwsNameKind[])
            .filter(k => AWS_NAME_RULES[k].pattern.test("web3-prod-ipfs-0") && AWS_NAME_RULES[k].pattern.test("a".repeat(AWS_NAME_RULES[k].max)));
        for (const kind of madeOfWords) {
            const rule: NameRule = AWS_NAME_RULES[kind];
            it(`aws ${kind}: physical, logical and prefixed names`, () => {
                const a = long("one"), b = long("two");
                if (rule.field === "name") {
                    for (const make of [(w: string) => awsName(kind, [w]), (w: string) => `${awsLogicalName(kind, w)}-${AUTONAME_SAMPLE}`]) {
                        assert.strictEqual(nameProblem(rule, make(a)), undefined);
                        assert.strictEqual(make(a), make(a));
                        assert.notStrictEqual(make(a), make(b));
                    }
                    assert.strictEqual(awsName(kind, ["short"]), "short", "a name that fits is left as it is");
                }
                if (rule.prefix && rule.max - rule.prefix.suffixLength > 8) {
                    const named = (w: string) => `${awsNamePrefix(kind, [w])}${uniqueSample(rule.prefix!.suffixLength)}`;
                    assert.strictEqual(nameProblem(rule, named(a)), undefined);
                    assert.notStrictEqual(named(a), named(b));
                } else if (rule.prefix) {
                    assert.throws(() => awsNamePrefix(kind, [a]), /cannot fit/, "a prefix with no room for a hash is refused");
                }
            });
        }

        const gcpKinds: GcpNameKind[] = ["address", "firewall", "disk", "serviceAccount", "sqlInstance", "secret", "instanceBaseName", "storageBucket", "cloudRunJob", "schedulerJob", "artifactRepository"];
        for (const kind of gcpKinds) {
            it(`gcp ${kind}`, () => {
                const rule: NameRule = GCP_NAME_RULES[kind];
                const a = gcpNameFor(kind, [long("one")]), b = gcpNameFor(kind, [long("two")]);
                assert.strictEqual(nameProblem(rule, a), undefined);
                assert.notStrictEqual(a, b);
                assert.strictEqual(gcpNameFor(kind, ["web3-prod", "ipfs-0"]), "web3-prod-ipfs-0", "a name that fits is left as it is");
            });
        }

        it("gcp instance names and template prefixes leave room for what Compute Engine appends", () => {
            const base = instanceName(`web3-${LONGEST_STACK_NAME}`, long("peer"));
            assert.strictEqual(nameProblem(GCP_NAME_RULES.instanceBaseName, base), undefined);
            assert.strictEqual(nameProblem(GCP_NAME_RULES.perInstanceConfig, `${base}-abcd`), undefined);
            const prefix = instanceTemplatePrefix(`web3-${LONGEST_STACK_NAME}`, long("peer"));
            assert.strictEqual(nameProblem(GCP_NAME_RULES.instanceTemplate, `${prefix}${uniqueSample(GCP_NAME_RULES.instanceTemplate.prefix.suffixLength)}`), undefined);
        });
    });
});

function descendantsOf(report: SynthReport, urn: string): SynthResource[] {
    const children = report.resources.filter(r => r.parent === urn);
    return children.flatMap(c => [c, ...descendantsOf(report, c.urn)]);
}
