// Every ECS task definition and service of every stack (and of a 30-peer cluster), and the load balancers they
// register in, as the API requests the provider sends: validated by botocore's own ParamValidator against the
// ecs and elbv2 models, then against the rules those models cannot express (./ecsRules.ts, each with its source).
import * as assert from "assert";
import { ECS_MAX_HEALTH_CHECK_GRACE_SECONDS, MAX_TARGET_GROUPS_PER_SERVICE } from "../../components/aws/constants";
import { FARGATE_SIZES } from "../../components/aws/fargate";
import { STOP_TIMEOUT_SECONDS } from "../../components/aws/service";
import { SynthReport } from "../../tools/synth";
import {
    ApiRequest, TYPES, addListenerCertificates, arnOf, createListener, createRule, createService, createTargetGroup, modifyTargetGroupAttributes, registerTaskDefinition,
} from "./awsRequests";
import { validateWithBotocore } from "./botocore";
import {
    ECS_MAX_HEALTH_CHECK_GRACE_PERIOD_SECONDS, ECS_TARGET_GROUPS_PER_SERVICE, FARGATE_MAX_STOP_TIMEOUT_SECONDS, FARGATE_TASK_SIZES_DOCUMENTED,
    LoadBalancing, listenerProblems, serviceProblems, targetGroupProblems, taskDefinitionProblems,
} from "./ecsRules";
import { graphCases, graphOf } from "./graphs";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

interface AwsRequests {
    taskDefinitions: ApiRequest[];
    services: ApiRequest[];
    elb: ApiRequest[];
    /** Inputs the mapping does not know. */
    unmapped: string[];
    taskDefinitionByArn: Map<string, Json>;
    loadBalancing: LoadBalancing;
    /** Each load balancer's type with its listeners' requests. */
    loadBalancers: { name: string; type: string; listeners: Json[] }[];
}

function requestsOf(report: SynthReport): AwsRequests {
    const of = (type: string) => report.resources.filter(r => r.type === type);
    const out: AwsRequests = {
        taskDefinitions: [], services: [], elb: [], unmapped: [], taskDefinitionByArn: new Map(),
        loadBalancing: { targetGroups: new Map(), listenersByTargetGroup: new Map() }, loadBalancers: [],
    };
    for (const r of of(TYPES.taskDefinition)) {
        const { request, problems } = registerTaskDefinition(r);
        out.taskDefinitions.push(request);
        out.unmapped.push(...problems);
        out.taskDefinitionByArn.set(arnOf(r), request.params);
    }
    for (const r of of(TYPES.service)) {
        const { request, problems } = createService(r);
        out.services.push(request);
        out.unmapped.push(...problems);
    }
    for (const r of of(TYPES.targetGroup)) {
        const { request, problems } = createTargetGroup(r);
        const arn = arnOf(r);
        out.elb.push(request);
        const attributes = modifyTargetGroupAttributes(r, arn);
        if (attributes) out.elb.push(attributes);
        out.unmapped.push(...problems);
        out.loadBalancing.targetGroups.set(arn, request.params);
    }
    const listenersByBalancer = new Map<string, Json[]>();
    for (const r of of(TYPES.listener)) {
        const { request, problems } = createListener(r);
        out.elb.push(request);
        out.unmapped.push(...problems);
        const l = request.params as Json;
        listenersByBalancer.set(l.LoadBalancerArn, [...(listenersByBalancer.get(l.LoadBalancerArn) ?? []), l]);
        for (const a of l.DefaultActions ?? []) {
            if (a.TargetGroupArn) out.loadBalancing.listenersByTargetGroup.set(a.TargetGroupArn, [...(out.loadBalancing.listenersByTargetGroup.get(a.TargetGroupArn) ?? []), l]);
        }
    }
    for (const r of of(TYPES.listenerRule)) {
        const { request, problems } = createRule(r);
        out.elb.push(request);
        out.unmapped.push(...problems);
        for (const a of (request.params as Json).Actions ?? []) {
            if (a.TargetGroupArn) out.loadBalancing.listenersByTargetGroup.set(a.TargetGroupArn, [...(out.loadBalancing.listenersByTargetGroup.get(a.TargetGroupArn) ?? []), request.params]);
        }
    }
    for (const r of of(TYPES.listenerCertificate)) {
        const { request, problems } = addListenerCertificates(r);
        out.elb.push(request);
        out.unmapped.push(...problems);
    }
    for (const r of of(TYPES.loadBalancer)) {
        out.loadBalancers.push({ name: r.name, type: String(r.inputs.loadBalancerType ?? "application"), listeners: listenersByBalancer.get(arnOf(r)) ?? [] });
    }
    return out;
}

/** Fails listing the problems (the first 20 of many), without a diff that would repeat them. */
function report(problems: string[]): void {
    if (problems.length === 0) return;
    const shown = problems.slice(0, 20).join("\n  ");
    assert.fail(`${problems.length} problem(s):\n  ${shown}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ""}`);
}

describe("conformance: ECS and load balancer requests against botocore's models and AWS's documented rules", function () {
    const cases = graphCases().filter(c => c.cloud === "aws");
    const byCase = new Map<string, AwsRequests>();
    const verdicts = new Map<ApiRequest, string[]>();
    let botocoreVersion = "";

    before(async function () {
        this.timeout(120_000);
        for (const c of cases) byCase.set(c.label, requestsOf(await graphOf(c)));
        const all = [...byCase.values()].flatMap(r => [...r.taskDefinitions, ...r.services, ...r.elb]);
        const verdict = validateWithBotocore(all);
        botocoreVersion = verdict.version;
        all.forEach((request, i) => verdicts.set(request, verdict.problems[i]));
    });

    const botocoreProblems = (requests: ApiRequest[]) =>
        requests.flatMap(r => (verdicts.get(r) ?? [`${r.operation} of ${r.source} was not validated`]).map(p => `${r.operation} ${r.source} (botocore ${botocoreVersion}): ${p}`));

    for (const c of cases) {
        describe(c.label, () => {
            const requests = () => byCase.get(c.label)!;

            it("maps every input of every ECS and load balancer resource to its API request", () => {
                assert.ok(requests().taskDefinitions.length > 0 && requests().services.length > 0, "the graph has ECS task definitions and services");
                report(requests().unmapped);
            });

            it("every RegisterTaskDefinition request passes botocore's ParamValidator (ecs 2014-11-13 model)", () => {
                report(botocoreProblems(requests().taskDefinitions));
            });

            it("every CreateService request passes botocore's ParamValidator (ecs 2014-11-13 model)", () => {
                report(botocoreProblems(requests().services));
            });

            it("every CreateTargetGroup, ModifyTargetGroupAttributes and CreateListener request passes botocore's ParamValidator (elbv2 2015-12-01 model)", () => {
                report(botocoreProblems(requests().elb));
            });

            it("every task definition keeps ECS's documented rules: Fargate sizes, one mapping per container port, health check ranges, reservations, volumes", () => {
                report(requests().taskDefinitions.flatMap(r => taskDefinitionProblems(r.params)));
            });

            it("every service's load balancers name a container port mapped exactly once, with the target group's protocol, checked on a port the task serves", () => {
                const { services, taskDefinitionByArn, loadBalancing } = requests();
                report(services.flatMap(s => {
                    const td = taskDefinitionByArn.get(String(s.params.taskDefinition));
                    return td ? serviceProblems(s.params, td, loadBalancing) : [`service ${s.source}: task definition ${s.params.taskDefinition} is not declared`];
                }));
            });

            it("every listener and target group keeps Elastic Load Balancing's documented protocol and health check rules", () => {
                const { loadBalancers, loadBalancing } = requests();
                report([
                    ...[...loadBalancing.targetGroups.values()].flatMap(targetGroupProblems),
                    ...loadBalancers.flatMap(lb => listenerProblems(lb.type, lb.listeners, loadBalancing.targetGroups).map(p => `${lb.name}: ${p}`)),
                ]);
            });
        });
    }

    describe("the rules themselves", () => {
        const taskDefinition = (): Json => JSON.parse(JSON.stringify(byCase.get(cases[0].label)!.taskDefinitions[0].params));

        it("the back-end's Fargate task sizes are exactly the documented table", () => {
            const documented = Object.entries(FARGATE_TASK_SIZES_DOCUMENTED).flatMap(([cpu, memories]) => memories.map(m => `${cpu}/${m}`));
            assert.deepStrictEqual(FARGATE_SIZES.map(s => `${s.cpu}/${s.memoryMiB}`).sort(), documented.sort());
        });

        it("the back-end's stop timeout, target group limit and longest grace period are the documented ones", () => {
            assert.ok(STOP_TIMEOUT_SECONDS <= FARGATE_MAX_STOP_TIMEOUT_SECONDS);
            assert.strictEqual(MAX_TARGET_GROUPS_PER_SERVICE, ECS_TARGET_GROUPS_PER_SERVICE);
            assert.strictEqual(ECS_MAX_HEALTH_CHECK_GRACE_SECONDS, ECS_MAX_HEALTH_CHECK_GRACE_PERIOD_SECONDS);
        });

        it("botocore refuses what the ecs model forbids: a wrong type, an unknown member, a missing member, a value outside an enum", () => {
            const good = taskDefinition();
            const bad: ApiRequest[] = [
                { ...good, cpu: 1024 },
                { ...good, containerDefinitions: [{ ...good.containerDefinitions[0], portMapping: [] }] },
                { ...good, family: undefined },
                { ...good, networkMode: "vpc" },
            ].map(params => ({ service: "ecs", operation: "RegisterTaskDefinition", params: JSON.parse(JSON.stringify(params)), source: "bad" }));
            const { problems } = validateWithBotocore(bad);
            assert.match(problems[0].join("\n"), /Invalid type for parameter cpu/);
            assert.match(problems[1].join("\n"), /Unknown parameter in containerDefinitions\[0\]: "portMapping"/);
            assert.match(problems[2].join("\n"), /Missing required parameter in input: "family"/);
            assert.match(problems[3].join("\n"), /'vpc' is not one of NetworkMode's values/);
        });

        it("refuses a container port mapped twice, a hostPort unlike its containerPort, an undocumented Fargate size and out-of-range checks", () => {
            const td = taskDefinition();
            const c = td.containerDefinitions[0];
            c.portMappings = [{ containerPort: 4001, hostPort: 4001, protocol: "tcp" }, { containerPort: 4001, hostPort: 4001, protocol: "udp" }, { containerPort: 80, hostPort: 8080 }];
            c.healthCheck = { command: ["true"], interval: 1, timeout: 120, retries: 3, startPeriod: 0 };
            c.stopTimeout = 300;
            td.cpu = "1024";
            td.memory = "1024";
            const problems = taskDefinitionProblems(td).join("\n");
            assert.match(problems, /container port 4001 is used in more than one port mapping/);
            assert.match(problems, /hostPort 8080 differs from containerPort 80/);
            assert.match(problems, /cpu 1024 with memory 1024 is not a Fargate task size/);
            assert.match(problems, /healthCheck.command must start with CMD/);
            assert.match(problems, /healthCheck.interval 1 is outside 5-300/);
            assert.match(problems, /healthCheck.timeout 120 is outside 2-60/);
            assert.match(problems, /stopTimeout 300 above Fargate's 120 s/);
        });

        it("refuses a load-balanced port behind a TCP_UDP group, a protocol mismatch, a group without a listener and a check on a port nobody serves", () => {
            const td = { family: "f", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], containerDefinitions: [{ name: "kubo", portMappings: [{ containerPort: 4001, protocol: "tcp" }, { containerPort: 4002, protocol: "udp" }] }] };
            const tg = (name: string, protocol: string, port?: string) => ({ Name: name, Protocol: protocol, TargetType: "ip", ...(port ? { HealthCheckPort: port } : {}) });
            const lb: LoadBalancing = {
                targetGroups: new Map([["both", tg("both", "TCP_UDP")], ["udp", tg("udp", "UDP")], ["lonely", tg("lonely", "TCP")], ["quic", tg("quic", "UDP", "4001")]]),
                listenersByTargetGroup: new Map([["both", [{}]], ["udp", [{}]], ["quic", [{}]]]),
            };
            const svc = (containerPort: number, targetGroupArn: string) => ({ serviceName: "s", launchType: "FARGATE", networkConfiguration: { awsvpcConfiguration: {} }, loadBalancers: [{ containerName: "kubo", containerPort, targetGroupArn }] });
            assert.match(serviceProblems(svc(4001, "both"), td, lb).join("\n"), /TCP_UDP; the one mapping of port 4001 \(tcp\) cannot carry both/);
            assert.match(serviceProblems(svc(4001, "udp"), td, lb).join("\n"), /carries udp, the container maps 4001\/tcp/);
            assert.match(serviceProblems(svc(4002, "udp"), td, lb).join("\n"), /checks tcp 4002, which no container of the task maps/);
            assert.match(serviceProblems(svc(4001, "lonely"), td, lb).join("\n"), /has no listener forwarding to it/);
            assert.deepStrictEqual(serviceProblems(svc(4002, "quic"), td, lb), []);
        });

        it("refuses a TCP and a UDP listener on one port, a TCP_UDP listener forwarding to a TCP group, and UDP health checks", () => {
            const groups = new Map([["tcp", { Name: "tcp", Protocol: "TCP" }], ["udp", { Name: "udp", Protocol: "UDP", HealthCheckProtocol: "UDP" }]]);
            const forward = (arn: string) => [{ Type: "forward", TargetGroupArn: arn }];
            const problems = listenerProblems("network", [
                { Protocol: "TCP", Port: 4001, DefaultActions: forward("tcp") },
                { Protocol: "UDP", Port: 4001, DefaultActions: forward("udp") },
                { Protocol: "TCP_UDP", Port: 4002, DefaultActions: forward("tcp") },
            ], groups).join("\n");
            assert.match(problems, /port 4001 already has a TCP listener/);
            assert.match(problems, /TCP_UDP:4002: forwards to TCP target group tcp/);
            assert.match(targetGroupProblems(groups.get("udp")!).join("\n"), /health check protocol UDP is not supported/);
        });
    });
});
