// The stack's one ALB as it decides a request, for tests of who reaches what behind it (elbv2 "Listener rules for
// your Application Load Balancer" and "Condition types for listener rules"): the security group first lets the
// connection in (an inbound rule for 443 whose block holds the client's address), then the HTTPS listener's rules
// in priority order, lowest first: the first whose every condition matches acts, else the listener's default
// action. A host-header value matches the Host case-insensitively; a path pattern is case-sensitive, "*" matching
// any characters and "?" one; a source-ip value matches a client address in its block.
import * as assert from "assert";
import { SynthResource } from "../../tools/harness";
import { inBlock } from "../support";
import { arnOf } from "./awsRequests";

type Inputs = Record<string, any>;
interface Graph {
    resources: SynthResource[];
}

/** An ALB path pattern as a regular expression. */
export function albPathMatches(pattern: string, requestPath: string): boolean {
    const regex = new RegExp(`^${pattern.split("").map(c => (c === "*" ? "[^]*" : c === "?" ? "[^]" : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("")}$`);
    return regex.test(requestPath);
}

/**
 * What the graph's ALB does with an HTTPS request: "refused" (its security group), "forward <target port>",
 * or the fixed response's status code.
 */
export function albDecision(graph: Graph, request: { host: string; path: string; source: string }): string {
    const of = (type: string) => graph.resources.filter(r => r.type === type);
    const albs = of("aws:lb/loadBalancer:LoadBalancer").filter(lb => (lb.inputs as Inputs).loadBalancerType === "application");
    assert.strictEqual(albs.length, 1, "one ALB per stack");
    const [alb] = albs;
    const [group] = (alb.inputs as Inputs).securityGroups as string[];
    const admitted = of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter(r => (r.inputs as Inputs).securityGroupId === group && (r.inputs as Inputs).fromPort === 443)
        .some(r => inBlock((r.inputs as Inputs).cidrIpv4 ?? (r.inputs as Inputs).cidrIpv6, request.source));
    if (!admitted) return "refused";
    const listener = of("aws:lb/listener:Listener").find(l => (l.inputs as Inputs).loadBalancerArn === arnOf(alb) && (l.inputs as Inputs).port === 443)!;
    const groups = new Map(of("aws:lb/targetGroup:TargetGroup").map(tg => [arnOf(tg), (tg.inputs as Inputs).port]));
    const act = (action: Inputs) => (action.type === "forward" ? `forward ${groups.get(action.targetGroupArn)}` : String(action.fixedResponse.statusCode));
    const matches = (c: Inputs) =>
        (!c.hostHeader || c.hostHeader.values.some((v: string) => v.toLowerCase() === request.host.toLowerCase())) &&
        (!c.pathPattern || c.pathPattern.values.some((v: string) => albPathMatches(v, request.path))) &&
        (!c.sourceIp || c.sourceIp.values.some((v: string) => inBlock(v, request.source)));
    const rules = of("aws:lb/listenerRule:ListenerRule").filter(r => (r.inputs as Inputs).listenerArn === arnOf(listener))
        .sort((a, b) => (a.inputs as Inputs).priority - (b.inputs as Inputs).priority);
    for (const rule of rules) if (((rule.inputs as Inputs).conditions as Inputs[]).every(matches)) return act((rule.inputs as Inputs).actions[0]);
    return act((listener.inputs as Inputs).defaultActions[0]);
}
