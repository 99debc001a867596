// kubo announces exactly what the public side answers on, on every cloud: the transports and ports kubo
// listens on (Addresses.Swarm), those it announces (Addresses.Announce, at the peer's static address), the
// stack's exported multiaddresses, and what the pass-through load balancer forwards on that address (AWS: the
// NLB's listeners, each to a target group ECS registers the same container port in; GCP: the forwarding rules,
// which do not translate ports) are one and the same set, for every peer of every stack and of a 30-peer cluster.
import * as assert from "assert";
import { kuboSettings, KUBO_ENV } from "../../components/ipfs-cluster/kubo";
import { computedState } from "../../tools/mocks";
import { SynthReport } from "../../tools/synth";
import { arnOf } from "./awsRequests";
import { graphCases, graphOf } from "./graphs";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** "tcp 4001" / "udp 4002" from a multiaddress with an /ip4/ address, a transport and an optional /p2p/ suffix. */
function endpoint(multiaddr: string): { address: string; socket: string } {
    const m = /^\/ip4\/([^/]+)\/(tcp\/(\d+)|udp\/(\d+)\/quic-v1)(\/p2p\/\w+)?$/.exec(multiaddr);
    assert.ok(m, `${multiaddr} is neither /ip4/<a>/tcp/<p> nor /ip4/<a>/udp/<p>/quic-v1`);
    return { address: m[1], socket: m[3] ? `tcp ${m[3]}` : `udp ${m[4]}` };
}

/** The value kubo's start script gives a JSON setting (with the announce address variable put in). */
function setting(key: string, announceAddress: string): string[] {
    const args = kuboSettings().find(a => a.includes(key));
    assert.ok(args, `kubo's start script sets no ${key}`);
    return JSON.parse(args[args.length - 1].split(`\${${KUBO_ENV.announceAddress}}`).join(announceAddress));
}

const sorted = (xs: string[]) => [...xs].sort();

/** What the public side of a peer's service forwards on its address, as "tcp 4001" / "udp 4002". */
function publicSockets(report: SynthReport, peer: string, address: string): string[] {
    const of = (type: string) => report.resources.filter(r => r.type === type);
    if (report.cloud === "aws") {
        const nlb = of("aws:lb/loadBalancer:LoadBalancer").find(r => r.name === `${peer}-public-nlb`);
        assert.ok(nlb, `${peer} has no pass-through NLB`);
        const eip = of("aws:ec2/eip:Eip").find(r => r.name === `${peer}-public-address`)!;
        const { publicIp, allocationId } = computedState(eip.type, eip.name, eip.inputs as Record<string, any>).state;
        assert.strictEqual(publicIp, address, `${peer} announces ${address}, its Elastic IP is ${publicIp}`);
        assert.deepStrictEqual((nlb.inputs.subnetMappings as any[]).map(m => m.allocationId), [allocationId], `${peer}'s NLB is not on its Elastic IP`);
        const service = of("aws:ecs/service:Service").find(r => r.inputs.name === peer)!;
        const task = of("aws:ecs/taskDefinition:TaskDefinition").find(r => arnOf(r) === service.inputs.taskDefinition)!;
        const kubo = JSON.parse(task.inputs.containerDefinitions as string).find((d: any) => d.name === "kubo");
        const env = new Map((kubo.environment as { name: string; value: string }[]).map(e => [e.name, e.value]));
        assert.strictEqual(env.get(KUBO_ENV.announceAddress), address, `${peer}'s kubo is given another announce address`);
        const registered = new Map((service.inputs.loadBalancers as any[]).map(lb => [lb.targetGroupArn, lb.containerPort]));
        const groups = new Map(of("aws:lb/targetGroup:TargetGroup").map(tg => [arnOf(tg), tg]));
        return of("aws:lb/listener:Listener").filter(l => l.inputs.loadBalancerArn === arnOf(nlb)).flatMap(l => {
            const arn = (l.inputs.defaultActions as any[])[0].targetGroupArn;
            // No translation: the task is registered with the container port the listener answers on.
            assert.strictEqual(registered.get(arn), l.inputs.port, `${peer}: listener ${l.name} forwards ${l.inputs.port} to container port ${registered.get(arn)}`);
            assert.strictEqual(groups.get(arn)?.inputs.protocol, l.inputs.protocol, `${peer}: listener ${l.name} and its target group differ in protocol`);
            const protocol = String(l.inputs.protocol);
            return (protocol === "TCP_UDP" ? ["tcp", "udp"] : [protocol.toLowerCase()]).map(p => `${p} ${l.inputs.port}`);
        });
    }
    return of("gcp:compute/forwardingRule:ForwardingRule")
        .filter(r => r.inputs.ipAddress === address)
        .flatMap(r => (r.inputs.ports as string[]).map(p => `${String(r.inputs.ipProtocol).toLowerCase()} ${p}`));
}

describe("conformance: kubo announces exactly the addresses and ports its public side answers on", function () {
    for (const c of graphCases()) {
        it(c.label, async function () {
            this.timeout(120_000);
            const report = await graphOf(c);
            const peers = ((report.outputs.ipfsCluster as any)?.peers ?? []) as { name: string; multiaddresses: string[] }[];
            assert.ok(peers.length > 0, "the stack has IPFS peers");
            for (const peer of peers) {
                const exported = peer.multiaddresses.filter(a => a.startsWith("/ip4/")).map(endpoint);
                const [address] = new Set(exported.map(e => e.address));
                assert.strictEqual(new Set(exported.map(e => e.address)).size, 1, `${peer.name} exports more than one public address`);
                const listening = setting("Addresses.Swarm", address).map(a => endpoint(a.replace("/ip4/0.0.0.0/", `/ip4/${address}/`)).socket);
                const announced = setting("Addresses.Announce", address).map(endpoint);
                assert.deepStrictEqual(announced.map(e => e.address), announced.map(() => address), `${peer.name} announces another address`);
                const sockets = sorted(exported.map(e => e.socket));
                assert.deepStrictEqual(sorted(announced.map(e => e.socket)), sockets, `${peer.name}: announced and exported differ`);
                assert.deepStrictEqual(sorted(listening), sockets, `${peer.name}: kubo listens on other ports than it announces`);
                assert.deepStrictEqual(sorted(publicSockets(report, peer.name, address)), sockets, `${peer.name}: the public side forwards other ports than kubo announces`);
            }
        });
    }
});
