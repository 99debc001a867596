// kubo announces exactly what the public side answers on, on every cloud: what it announces
// (Addresses.Announce, at the peer's static address), the stack's exported multiaddresses and the sockets the
// pass-through load balancer answers on at that address are one set, and each reaches the container port kubo
// listens on (Addresses.Swarm): on AWS the stack's NLB listeners, a port per peer of a zone, each to a target
// group ECS registers the container port in; on GCP the forwarding rules, which do not translate ports. For
// every peer of every stack and of a 30-peer cluster, and no two peers announce the same socket.
import * as assert from "assert";
import { kuboSettings, KUBO_ENV } from "../../components/ipfs-cluster/kubo";
import { computedState } from "../../tools/mocks";
import { SynthReport } from "../../tools/synth";
import { arnOf } from "./awsRequests";
import { zoneOfService } from "../support";
import { graphCases, graphOf } from "./graphs";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** "tcp 4001" / "udp 4002" from a multiaddress with an /ip4/ address, a transport and an optional /p2p/ suffix. */
function endpoint(multiaddr: string): { address: string; socket: string } {
    const m = /^\/ip4\/([^/]+)\/(tcp\/(\d+)|udp\/(\d+)\/quic-v1)(\/p2p\/\w+)?$/.exec(multiaddr);
    assert.ok(m, `${multiaddr} is neither /ip4/<a>/tcp/<p> nor /ip4/<a>/udp/<p>/quic-v1`);
    return { address: m[1], socket: m[3] ? `tcp ${m[3]}` : `udp ${m[4]}` };
}

/** The value kubo's start script gives a JSON setting; `announce` stands in for the announce variable. */
function setting(key: string, announce: string[] = []): string[] {
    const args = kuboSettings().find(a => a.includes(key));
    assert.ok(args, `kubo's start script sets no ${key}`);
    return JSON.parse(args[args.length - 1].split(`\${${KUBO_ENV.announce}}`).join(JSON.stringify(announce)));
}

const sorted = (xs: string[]) => [...xs].sort();

/** What the public side forwards to one peer: each socket the world dials and the container socket it reaches. */
interface Forward {
    public: string;
    container: string;
}

/**
 * AWS: the listeners of a network load balancer whose target groups the peer's ECS service registers in. The
 * address is the Elastic IP the load balancer holds in the peer's zone, and cross-zone load balancing is off
 * for these ports, so that IP reaches the peer and no other (elbv2 load_balancing.cross_zone.enabled: false
 * by default for network load balancers, botocore elbv2 LoadBalancerAttribute). A target group that several
 * services register in holds services of different zones only. kubo is given what it announces.
 */
function awsForwards(report: SynthReport, peer: string, address: string, exported: string[]): Forward[] {
    const of = (type: string) => report.resources.filter(r => r.type === type);
    const service = of("aws:ecs/service:Service").find(r => r.inputs.name === peer)!;
    const zone = zoneOfService(report, report.resources.find(r => r.urn === service.parent)!);
    const task = of("aws:ecs/taskDefinition:TaskDefinition").find(r => arnOf(r) === service.inputs.taskDefinition)!;
    const kubo = JSON.parse(task.inputs.containerDefinitions as string).find((d: any) => d.name === "kubo");
    const env = new Map((kubo.environment as { name: string; value: string }[]).map(e => [e.name, e.value]));
    assert.deepStrictEqual(sorted(JSON.parse(env.get(KUBO_ENV.announce)!)), sorted(exported), `${peer}'s kubo is given other addresses to announce than the stack exports`);

    const registered = new Map((service.inputs.loadBalancers as any[]).map(lb => [lb.targetGroupArn, lb.containerPort]));
    const groups = new Map(of("aws:lb/targetGroup:TargetGroup").map(tg => [arnOf(tg), tg]));
    const balancers = new Map(of("aws:lb/loadBalancer:LoadBalancer").filter(lb => lb.inputs.loadBalancerType === "network").map(lb => [arnOf(lb), lb]));
    const subnets = new Map(of("aws:ec2/subnet:Subnet").map(s => [s.id, s.inputs.availabilityZone]));
    const eips = of("aws:ec2/eip:Eip").map(e => computedState(e.type, e.name, e.inputs as Record<string, any>).state);
    const listeners = of("aws:lb/listener:Listener").filter(l => balancers.has(l.inputs.loadBalancerArn as string) && registered.has((l.inputs.defaultActions as any[])[0].targetGroupArn));
    assert.ok(listeners.length > 0, `${peer} has no pass-through listener`);
    return listeners.map(l => {
        const nlb = balancers.get(l.inputs.loadBalancerArn as string)!;
        assert.notStrictEqual(nlb.inputs.enableCrossZoneLoadBalancing, true, `${nlb.name} balances across zones`);
        const mapping = (nlb.inputs.subnetMappings as any[]).find(m => subnets.get(m.subnetId) === zone);
        assert.ok(mapping, `${nlb.name} has no address in ${peer}'s zone ${zone}`);
        const eip = eips.find(e => e.allocationId === mapping.allocationId)!;
        assert.strictEqual(eip.publicIp, address, `${peer} announces ${address}; ${nlb.name}'s address in ${zone} is ${eip.publicIp}`);
        const arn = (l.inputs.defaultActions as any[])[0].targetGroupArn;
        const group = groups.get(arn)!;
        assert.notStrictEqual(group.inputs.loadBalancingCrossZoneEnabled, "true", `${group.name} balances across zones`);
        assert.strictEqual(group.inputs.protocol, l.inputs.protocol, `${peer}: listener ${l.name} and its target group differ in protocol`);
        assert.strictEqual(group.inputs.port, registered.get(arn), `${peer}: target group ${group.name} is for port ${group.inputs.port}, the task registers ${registered.get(arn)}`);
        const sharing = of("aws:ecs/service:Service").filter(s => (s.inputs.loadBalancers as any[] ?? []).some(lb => lb.targetGroupArn === arn));
        const zones = sharing.map(s => zoneOfService(report, report.resources.find(r => r.urn === s.parent)!));
        assert.strictEqual(new Set(zones).size, zones.length, `${group.name} holds two services of one zone: ${sharing.map(s => s.inputs.name).join(", ")}`);
        const protocol = String(l.inputs.protocol).toLowerCase();
        return { public: `${protocol} ${l.inputs.port}`, container: `${protocol} ${registered.get(arn)}` };
    });
}

/** GCP: the forwarding rules on the peer's address, which deliver to the port they were reached on. */
function gcpForwards(report: SynthReport, address: string): Forward[] {
    return report.resources.filter(r => r.type === "gcp:compute/forwardingRule:ForwardingRule" && r.inputs.ipAddress === address)
        .flatMap(r => (r.inputs.ports as string[]).map(p => `${String(r.inputs.ipProtocol).toLowerCase()} ${p}`))
        .map(socket => ({ public: socket, container: socket }));
}

describe("conformance: kubo announces exactly the addresses and ports its public side answers on", function () {
    for (const c of graphCases()) {
        it(c.label, async function () {
            this.timeout(120_000);
            const report = await graphOf(c);
            const peers = ((report.outputs.ipfsCluster as any)?.peers ?? []) as { name: string; multiaddresses: string[] }[];
            assert.ok(peers.length > 0, "the stack has IPFS peers");
            const publicSockets = new Set<string>();
            for (const peer of peers) {
                const exported = peer.multiaddresses.filter(a => a.startsWith("/ip4/"));
                const endpoints = exported.map(endpoint);
                const [address] = new Set(endpoints.map(e => e.address));
                assert.strictEqual(new Set(endpoints.map(e => e.address)).size, 1, `${peer.name} exports more than one public address`);
                const announcedAddresses = exported.map(a => a.replace(/\/p2p\/\w+$/, ""));
                const listening = setting("Addresses.Swarm").map(a => endpoint(a.replace("/ip4/0.0.0.0/", `/ip4/${address}/`)).socket);
                assert.deepStrictEqual(setting("Addresses.Announce", announcedAddresses), announcedAddresses, "kubo's start script announces what it is given");
                const forwards = report.cloud === "aws" ? awsForwards(report, peer.name, address, announcedAddresses) : gcpForwards(report, address);
                assert.deepStrictEqual(sorted(forwards.map(f => f.public)), sorted(endpoints.map(e => e.socket)), `${peer.name}: the public side answers on other ports than it announces`);
                assert.deepStrictEqual(sorted(forwards.map(f => f.container)), sorted(listening), `${peer.name}: the public side forwards to other ports than kubo listens on`);
                for (const e of endpoints) {
                    const socket = `${e.address} ${e.socket}`;
                    assert.ok(!publicSockets.has(socket), `${socket} is announced by two peers`);
                    publicSockets.add(socket);
                }
            }
        });
    }
});
