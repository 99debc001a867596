// The Chainlink pair's OCR networking, held to its upstreams' rules and the clouds': the `[P2P.V2]` and
// `[OCR2]` keys it renders exist in the pinned release's docs/CONFIG.md (tests/data/chainlink-config-keys.json)
// and take values libocr accepts; the shared public address is a network load balancer whose requests
// botocore's elbv2 model accepts (AWS) or a regional passthrough load balancer (GCP); it reaches whichever node
// listens, and stays served when any one zone is lost; and exactly the P2P port is open to the world.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "smol-toml";
import { COMPONENT_TYPE, P2P_DEFAULTS, PORTS, announceAddress, bootstrapperProblem, nodeConfig, p2pConfig, peerIdProblem } from "../components/chainlink";
import { GOOGLE_RANGES } from "../components/gcp/shared";
import { COMPONENT_TYPES } from "../components/topology";
import { SynthResource } from "../tools/harness";
import { computedState } from "../tools/mocks";
import { SynthReport } from "../tools/synth";
import { ApiRequest, arnOf } from "./conformance/awsRequests";
import { validateWithBotocore } from "./conformance/botocore";
import { GraphCase, graphCases, graphOf } from "./conformance/graphs";
import { esm } from "./fixtures";
import { descendants, servicesUnder, zoneOfService } from "./support";

type Inputs = Record<string, any>;
type KeyData = { source: { tag: string }; config: Record<string, { array: boolean; keys: Record<string, { type: string }> }> };

const KEYS = JSON.parse(fs.readFileSync(path.join(__dirname, "data", "chainlink-config-keys.json"), "utf8")) as KeyData;

/** The TOML type of a rendered value, as the key data names them. */
function tomlType(value: unknown): string {
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "float";
    return typeof value;
}

/** A libp2p peer ID of a fresh key of the given type, as the reference implementation derives it. */
async function peerIdOf(type: "Ed25519" | "secp256k1"): Promise<string> {
    const { generateKeyPair } = await esm("@libp2p/crypto/keys");
    const { peerIdFromPrivateKey } = await esm("@libp2p/peer-id");
    return peerIdFromPrivateKey(await generateKeyPair(type)).toString();
}

describe("Chainlink OCR networking", function () {
    this.timeout(120_000);

    describe("what libocr accepts", () => {
        it("takes Ed25519 peer IDs, with names or IPs and several addresses, and refuses other keys and forms (libocr commontypes BootstrapperLocator)", async () => {
            const peer = await peerIdOf("Ed25519");
            for (const good of [`${peer}@203.0.113.7:6690`, `${peer}@bootstrap.example.com:6690/[2001:db8::1]:6690`]) assert.strictEqual(bootstrapperProblem(good), undefined, good);
            assert.strictEqual(peerIdProblem(peer), undefined);
            // An RSA or secp256k1 libp2p key has another multihash prefix: ragep2p's PeerID.UnmarshalBinary refuses it.
            const secp = await peerIdOf("secp256k1");
            assert.match(peerIdProblem(secp)!, /not an Ed25519 libp2p peer ID/);
            assert.match(bootstrapperProblem(`${peer}@`)!, /no address after the @/);
            assert.match(bootstrapperProblem(`${peer}@203.0.113.7`)!, /not host:port/);
            assert.match(bootstrapperProblem(`${peer}@${peer}@203.0.113.7:1`)!, /one @/);
            assert.match(bootstrapperProblem(`0OIl@203.0.113.7:1`)!, /not base58/);
        });

        it("announces IP:port only, IPv6 in brackets, as ragedisco's isValidForAnnouncement wants (netip.ParseAddrPort)", () => {
            assert.strictEqual(announceAddress("198.51.100.4", 6690), "198.51.100.4:6690");
            assert.strictEqual(announceAddress("2001:db8::4", 6690), "[2001:db8::4]:6690");
        });
    });

    describe(`the keys it renders, against docs/CONFIG.md of ${KEYS.source.tag}`, () => {
        const rendered = () => ({ port: 6690, announce: ["198.51.100.4:6690", "198.51.100.5:6690"], bootstrappers: ["12D3KooWPeer@203.0.113.7:6690"] });

        it("renders [OCR2] Enabled and [P2P.V2] with every key documented, of its documented type", () => {
            const config = p2pConfig(rendered()) as Record<string, Record<string, unknown>>;
            const problems: string[] = [];
            const walk = (table: string, value: Record<string, unknown>) => {
                for (const [key, v] of Object.entries(value)) {
                    const pathOf = table === "" ? key : `${table}.${key}`;
                    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
                        if (!KEYS.config[pathOf]) problems.push(`[${pathOf}] is no table of the reference`);
                        walk(pathOf, v as Record<string, unknown>);
                        continue;
                    }
                    const documented = KEYS.config[table]?.keys[key];
                    if (!documented) problems.push(`${pathOf} is not documented`);
                    else if (documented.type !== tomlType(v)) problems.push(`${pathOf} is ${tomlType(v)}, documented ${documented.type}`);
                }
            };
            walk("", config);
            assert.deepStrictEqual(problems, []);
            assert.deepStrictEqual(config.OCR2, { Enabled: true });
        });

        it("listens on every interface at the port, announces the addresses, and names bootstrappers only when there are some", () => {
            const text = JSON.parse(JSON.stringify(parse(stringify(p2pConfig(rendered())))));
            assert.deepStrictEqual(text.P2P.V2, {
                Enabled: true,
                ListenAddresses: ["0.0.0.0:6690"],
                AnnounceAddresses: ["198.51.100.4:6690", "198.51.100.5:6690"],
                DefaultBootstrappers: ["12D3KooWPeer@203.0.113.7:6690"],
            });
            assert.ok(!("DefaultBootstrappers" in (p2pConfig({ ...rendered(), bootstrappers: [] }) as any).P2P.V2));
            const full = nodeConfig({ chainId: "1", nodes: [], selectionMode: "HighestHead", maxOpenConns: 20, leaseDuration: "10s", origin: "https://x", p2p: rendered() });
            assert.deepStrictEqual((full as any).P2P, (p2pConfig(rendered()) as any).P2P);
        });
    });

    for (const cloud of ["aws", "gcp"] as const) {
        describe(`the shared P2P address on ${cloud}`, () => {
            let report: SynthReport;
            let address: SynthResource;
            let nodes: SynthResource[];
            const below = (r: SynthResource, type: string) => descendants(report, r.urn).filter(d => d.type === type);
            /** The network load balancer the address's listener is on. */
            const nlbOf = () => {
                const [listener] = below(address, "aws:lb/listener:Listener");
                return report.resources.find(r => r.type === "aws:lb/loadBalancer:LoadBalancer" && arnOf(r) === listener.inputs.loadBalancerArn)!;
            };
            /** Its Elastic IPs, one per subnet mapping. */
            const eipsOf = (nlb: SynthResource) => (nlb.inputs.subnetMappings as Inputs[]).map(m =>
                report.resources.find(r => r.type === "aws:ec2/eip:Eip" && computedState(r.type, r.name, r.inputs as Inputs).state.allocationId === m.allocationId)!);
            before(async () => {
                report = await graphOf(graphCases().find(c => c.label === `prod on ${cloud}`) as GraphCase);
                const chainlink = report.resources.find(r => r.type === COMPONENT_TYPE)!;
                [address] = descendants(report, chainlink.urn).filter(r => r.type === COMPONENT_TYPES.passthroughAddress);
                assert.ok(address, "the pair has a shared pass-through address");
                nodes = servicesUnder(report, COMPONENT_TYPE);
                assert.strictEqual(nodes.length, 2);
            });

            if (cloud === "aws") {
                it("is a listener of the stack's internet-facing NLB, an Elastic IP in every zone, its target group cross-zone, TCP-checked on the P2P port", () => {
                    const nlb = nlbOf();
                    const eips = eipsOf(nlb);
                    assert.deepStrictEqual([nlb.inputs.loadBalancerType, nlb.inputs.internal], ["network", false]);
                    const mappings = nlb.inputs.subnetMappings as Inputs[];
                    assert.strictEqual(mappings.length, 3);
                    assert.deepStrictEqual(new Set(mappings.map(m => m.allocationId)).size, eips.length);
                    const subnetZone = (id: string) => report.resources.find(r => r.type === "aws:ec2/subnet:Subnet" && r.id === id)?.inputs.availabilityZone;
                    assert.deepStrictEqual(mappings.map(m => subnetZone(m.subnetId)).sort(), [...(report.outputs.zones as string[])].sort());
                    const [tg] = below(address, "aws:lb/targetGroup:TargetGroup");
                    const hc = tg.inputs.healthCheck as Inputs;
                    assert.deepStrictEqual([tg.inputs.protocol, tg.inputs.port, tg.inputs.targetType, hc.protocol, hc.port], ["TCP", P2P_DEFAULTS.port, "ip", "TCP", "traffic-port"]);
                    // On for this group alone (elbv2 target group attribute load_balancing.cross_zone.enabled): every zone's IP reaches the active node.
                    assert.strictEqual(tg.inputs.loadBalancingCrossZoneEnabled, "true");
                    const [listener] = below(address, "aws:lb/listener:Listener");
                    assert.deepStrictEqual([listener.inputs.protocol, listener.inputs.port, (listener.inputs.defaultActions as Inputs[])[0].targetGroupArn], ["TCP", P2P_DEFAULTS.port, arnOf(tg)]);
                    // Both nodes register their task, so the check finds whichever listens.
                    for (const node of nodes) {
                        const [ecs] = below(node, "aws:ecs/service:Service");
                        assert.ok((ecs.inputs.loadBalancers as Inputs[]).some(lb => lb.targetGroupArn === arnOf(tg) && lb.containerPort === P2P_DEFAULTS.port && lb.containerName === "chainlink"), node.name);
                    }
                });

                it("sends requests botocore's elbv2 model accepts: CreateLoadBalancer, the target group and its cross-zone attribute, the listener", () => {
                    const nlb = nlbOf();
                    const [tg] = below(address, "aws:lb/targetGroup:TargetGroup");
                    const [listener] = below(address, "aws:lb/listener:Listener");
                    const requests: ApiRequest[] = [
                        {
                            service: "elbv2", operation: "CreateLoadBalancer", source: nlb.name, params: {
                                Name: `${nlb.name}-abcdefg`.slice(0, 32), Type: "network", Scheme: "internet-facing",
                                SubnetMappings: (nlb.inputs.subnetMappings as Inputs[]).map(m => ({ SubnetId: m.subnetId, AllocationId: m.allocationId })),
                            },
                        },
                        {
                            service: "elbv2", operation: "ModifyTargetGroupAttributes", source: tg.name, params: {
                                TargetGroupArn: arnOf(tg),
                                Attributes: [{ Key: "load_balancing.cross_zone.enabled", Value: String(tg.inputs.loadBalancingCrossZoneEnabled) }],
                            },
                        },
                        {
                            service: "elbv2", operation: "CreateTargetGroup", source: tg.name, params: {
                                Name: `${tg.name}`.slice(0, 32), Protocol: tg.inputs.protocol, Port: tg.inputs.port, VpcId: tg.inputs.vpcId, TargetType: tg.inputs.targetType,
                                HealthCheckProtocol: (tg.inputs.healthCheck as Inputs).protocol, HealthCheckPort: (tg.inputs.healthCheck as Inputs).port,
                                HealthCheckIntervalSeconds: (tg.inputs.healthCheck as Inputs).interval, HealthCheckTimeoutSeconds: (tg.inputs.healthCheck as Inputs).timeout, HealthyThresholdCount: (tg.inputs.healthCheck as Inputs).healthyThreshold,
                                UnhealthyThresholdCount: (tg.inputs.healthCheck as Inputs).unhealthyThreshold,
                            },
                        },
                        {
                            service: "elbv2", operation: "CreateListener", source: listener.name, params: {
                                LoadBalancerArn: arnOf(nlb), Protocol: listener.inputs.protocol, Port: listener.inputs.port,
                                DefaultActions: [{ Type: "forward", TargetGroupArn: arnOf(tg) }],
                            },
                        },
                    ];
                    const verdict = validateWithBotocore(requests);
                    assert.deepStrictEqual(verdict.problems, requests.map(() => []), `botocore ${verdict.version}`);
                });

                it("opens exactly the P2P port to the world on the nodes, and only over IPv4, the address's family", () => {
                    for (const node of nodes) {
                        const world = below(node, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(r => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
                        assert.deepStrictEqual(world.map(r => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]), [["tcp", P2P_DEFAULTS.port, P2P_DEFAULTS.port, "0.0.0.0/0"]], node.name);
                    }
                });

                it("stays served when any one zone is lost: an address in another zone, cross-zone, to a node in another zone", () => {
                    const nlb = nlbOf();
                    const subnetZone = (id: string) => report.resources.find(r => r.type === "aws:ec2/subnet:Subnet" && r.id === id)?.inputs.availabilityZone as string;
                    const addressZones = (nlb.inputs.subnetMappings as Inputs[]).map(m => subnetZone(m.subnetId));
                    for (const lost of report.outputs.zones as string[]) {
                        assert.ok(addressZones.some(z => z !== lost), `losing ${lost} leaves no announced address`);
                        assert.ok(nodes.some(n => zoneOfService(report, n) !== lost), `losing ${lost} leaves no node behind the address`);
                    }
                    const [tg] = below(address, "aws:lb/targetGroup:TargetGroup");
                    assert.strictEqual(tg.inputs.loadBalancingCrossZoneEnabled, "true", "an address reaches a node in another zone");
                });
            } else {
                it("is a regional external passthrough load balancer on one static address, both nodes' groups behind a TCP check of the P2P port", () => {
                    const [ip] = below(address, "gcp:compute/address:Address");
                    assert.deepStrictEqual([ip.inputs.addressType, ip.inputs.networkTier], ["EXTERNAL", "PREMIUM"]);
                    const [check] = below(address, "gcp:compute/regionHealthCheck:RegionHealthCheck");
                    assert.deepStrictEqual(check.inputs.tcpHealthCheck, { port: P2P_DEFAULTS.port });
                    const [backend] = below(address, "gcp:compute/regionBackendService:RegionBackendService");
                    assert.deepStrictEqual([backend.inputs.loadBalancingScheme, backend.inputs.protocol, backend.inputs.healthChecks], ["EXTERNAL", "TCP", check.id]);
                    const groups = nodes.map(n => below(n, "gcp:compute/instanceGroupManager:InstanceGroupManager")[0]);
                    assert.strictEqual((backend.inputs.backends as Inputs[]).length, 2);
                    const [rule] = below(address, "gcp:compute/forwardingRule:ForwardingRule");
                    assert.deepStrictEqual([rule.inputs.loadBalancingScheme, rule.inputs.ipProtocol, rule.inputs.ports, rule.inputs.backendService], ["EXTERNAL", "TCP", [String(P2P_DEFAULTS.port)], backend.id]);
                    // The GCE API: a regional rule names its region and one address of it; at most five ports.
                    assert.strictEqual(rule.inputs.region, ip.inputs.region);
                    assert.ok((rule.inputs.ports as string[]).length <= 5);
                    assert.strictEqual(groups.length, 2);
                });

                it("opens exactly the P2P port to the world on the nodes, and the check's port to Google's passthrough checkers", () => {
                    for (const node of nodes) {
                        const firewalls = below(node, "gcp:compute/firewall:Firewall");
                        const world = firewalls.filter(f => ((f.inputs.sourceRanges ?? []) as string[]).includes("0.0.0.0/0"));
                        assert.deepStrictEqual(world.flatMap(f => f.inputs.allows), [{ protocol: "tcp", ports: [String(P2P_DEFAULTS.port)] }], node.name);
                        const probes = firewalls.filter(f => JSON.stringify([...(f.inputs.sourceRanges as string[])].sort()) === JSON.stringify([...GOOGLE_RANGES.passthroughHealthChecks].sort()));
                        assert.deepStrictEqual(probes.flatMap(f => f.inputs.allows), [{ protocol: "tcp", ports: [String(P2P_DEFAULTS.port)] }], node.name);
                    }
                });

                it("stays served when any one zone is lost: a regional address, a node in another zone behind it", () => {
                    const [rule] = below(address, "gcp:compute/forwardingRule:ForwardingRule");
                    assert.ok(rule.inputs.region && !rule.inputs.zone, "the forwarding rule is regional");
                    for (const lost of report.outputs.zones as string[]) {
                        assert.ok(nodes.some(n => zoneOfService(report, n) !== lost), `losing ${lost} leaves no node behind the address`);
                    }
                });
            }

            it("announces every public IP of the address at the P2P port", () => {
                const announced = (report.outputs.chainlink as { p2pAddresses: string[] }).p2pAddresses;
                // What the mock provider says each address resource's IP is.
                const ips = cloud === "aws"
                    ? eipsOf(nlbOf()).map(e => computedState(e.type, e.name, e.inputs as Inputs).state.publicIp)
                    : below(address, "gcp:compute/address:Address").map(a => computedState(a.type, a.name, a.inputs as Inputs).state.address);
                assert.strictEqual(announced.length, cloud === "aws" ? 3 : 1);
                assert.deepStrictEqual([...announced].sort(), ips.map(ip => `${ip}:${P2P_DEFAULTS.port}`).sort());
            });
        });
    }

    it("keeps the web server's port off the P2P port", () => {
        assert.notStrictEqual(P2P_DEFAULTS.port, PORTS.http);
    });
});
