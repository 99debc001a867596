// The AWS API requests the provider sends for the resources of a synthesized graph: Pulumi inputs mapped to the
// API's own shapes (botocore's ecs 2014-11-13 and elbv2 2015-12-01 models), so botocore's validator and the
// rules the model cannot express judge exactly what AWS would receive. An input this mapping does not know
// is reported rather than dropped: a new input must be mapped before it is trusted.
import { SynthResource } from "../../tools/harness";
import { computedState } from "../../tools/mocks";

export const TYPES = {
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    listenerCertificate: "aws:lb/listenerCertificate:ListenerCertificate",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
} as const;

export interface ApiRequest {
    service: "ecs" | "elbv2" | "ecr";
    operation: string;
    params: Record<string, unknown>;
    /** Which resource the request comes from, for messages. */
    source: string;
}

type Inputs = Record<string, unknown>;

/** What the provider's mock says a resource's ARN is: how other resources' inputs name it. */
export function arnOf(r: SynthResource): string {
    return String(computedState(r.type, r.name, r.inputs as Record<string, any>).state.arn);
}

/** Inputs the provider keeps to itself (they steer the provider, never reach the API). */
const PROVIDER_ONLY: Record<string, string[]> = {
    [TYPES.taskDefinition]: ["skipDestroy", "trackLatest", "region"],
    [TYPES.service]: ["forceNewDeployment", "waitForSteadyState", "triggers", "forceDelete", "region"],
    [TYPES.targetGroup]: ["namePrefix", "region"],
    [TYPES.listener]: ["region"],
    [TYPES.listenerRule]: ["region"],
    [TYPES.listenerCertificate]: ["region"],
};

function unmapped(r: SynthResource, mapped: string[]): string[] {
    const known = new Set([...mapped, ...(PROVIDER_ONLY[r.type] ?? [])]);
    return Object.keys(r.inputs).filter(k => !known.has(k)).map(k => `${r.name}: input ${k} has no mapping to the API request; map it in tests/conformance/awsRequests.ts`);
}

/** Pulumi's tag map as the API's list; ECS spells the members key/value, ELB Key/Value. */
function tagList(tags: unknown, style: "ecs" | "elbv2"): unknown[] | undefined {
    if (tags === undefined) return undefined;
    return Object.entries(tags as Record<string, string>).map(([k, v]) => (style === "ecs" ? { key: k, value: v } : { Key: k, Value: v }));
}

function defined(params: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------- ECS

const TASK_DEFINITION_DIRECT = [
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "placementConstraints",
];

/** RegisterTaskDefinition, as the provider sends it: containerDefinitions is the API's list, parsed from the JSON input. */
export function registerTaskDefinition(r: SynthResource): { request: ApiRequest; problems: string[] } {
    const i = r.inputs as Inputs;
    const params: Record<string, unknown> = {};
    for (const k of TASK_DEFINITION_DIRECT) params[k] = i[k];
    params.containerDefinitions = typeof i.containerDefinitions === "string" ? JSON.parse(i.containerDefinitions) : i.containerDefinitions;
    params.volumes = i.volumes;
    params.tags = tagList(i.tags, "ecs");
    return {
        request: { service: "ecs", operation: "RegisterTaskDefinition", params: defined(params), source: r.name },
        problems: unmapped(r, [...TASK_DEFINITION_DIRECT, "containerDefinitions", "volumes", "tags"]),
    };
}

/** CreateService, as the provider sends it: the deployment and network inputs regrouped into the API's structures. */
export function createService(r: SynthResource): { request: ApiRequest; problems: string[] } {
    const i = r.inputs as Inputs;
    const network = i.networkConfiguration as { subnets?: unknown; securityGroups?: unknown; assignPublicIp?: boolean } | undefined;
    const registries = i.serviceRegistries === undefined ? undefined : [i.serviceRegistries].flat();
    const deployment = defined({
        maximumPercent: i.deploymentMaximumPercent,
        minimumHealthyPercent: i.deploymentMinimumHealthyPercent,
        deploymentCircuitBreaker: i.deploymentCircuitBreaker,
        alarms: i.alarms,
    });
    const params = defined({
        cluster: i.cluster,
        serviceName: i.name,
        taskDefinition: i.taskDefinition,
        loadBalancers: (i.loadBalancers as Inputs[] | undefined)?.map(lb => defined({
            targetGroupArn: lb.targetGroupArn,
            loadBalancerName: lb.elbName,
            containerName: lb.containerName,
            containerPort: lb.containerPort,
        })),
        serviceRegistries: registries,
        desiredCount: i.desiredCount,
        launchType: i.launchType,
        capacityProviderStrategy: i.capacityProviderStrategies,
        platformVersion: i.platformVersion,
        role: i.iamRole,
        deploymentConfiguration: Object.keys(deployment).length > 0 ? deployment : undefined,
        placementConstraints: i.placementConstraints,
        placementStrategy: i.orderedPlacementStrategies,
        networkConfiguration: network === undefined ? undefined : {
            awsvpcConfiguration: defined({
                subnets: network.subnets,
                securityGroups: network.securityGroups,
                assignPublicIp: network.assignPublicIp === undefined ? undefined : network.assignPublicIp ? "ENABLED" : "DISABLED",
            }),
        },
        healthCheckGracePeriodSeconds: i.healthCheckGracePeriodSeconds,
        schedulingStrategy: i.schedulingStrategy,
        deploymentController: i.deploymentController,
        tags: tagList(i.tags, "ecs"),
        enableECSManagedTags: i.enableEcsManagedTags,
        propagateTags: i.propagateTags,
        enableExecuteCommand: i.enableExecuteCommand,
        serviceConnectConfiguration: i.serviceConnectConfiguration,
    });
    const mapped = [
        "cluster", "name", "taskDefinition", "loadBalancers", "serviceRegistries", "desiredCount", "launchType", "capacityProviderStrategies",
        "platformVersion", "iamRole", "deploymentMaximumPercent", "deploymentMinimumHealthyPercent", "deploymentCircuitBreaker", "alarms",
        "placementConstraints", "orderedPlacementStrategies", "networkConfiguration", "healthCheckGracePeriodSeconds", "schedulingStrategy",
        "deploymentController", "tags", "enableEcsManagedTags", "propagateTags", "enableExecuteCommand", "serviceConnectConfiguration",
    ];
    return { request: { service: "ecs", operation: "CreateService", params, source: r.name }, problems: unmapped(r, mapped) };
}

// ---------------------------------------------------------------- Elastic Load Balancing v2

/**
 * The physical name of an autonamed resource: Pulumi appends a dash and seven random characters to the
 * logical name. Name limits are judged by the naming conformance test; here the name only has to be a string.
 */
function physicalName(r: SynthResource): string {
    const name = (r.inputs as Inputs).name;
    return typeof name === "string" ? name : `${r.name}-abcdefg`;
}

/** CreateTargetGroup; the health check block becomes the API's flat HealthCheck* members. */
export function createTargetGroup(r: SynthResource): { request: ApiRequest; problems: string[] } {
    const i = r.inputs as Inputs;
    const hc = (i.healthCheck ?? {}) as Inputs;
    const params = defined({
        Name: physicalName(r),
        Protocol: i.protocol,
        ProtocolVersion: i.protocolVersion,
        Port: i.port,
        VpcId: i.vpcId,
        HealthCheckProtocol: hc.protocol,
        HealthCheckPort: hc.port === undefined ? undefined : String(hc.port),
        HealthCheckEnabled: hc.enabled,
        HealthCheckPath: hc.path,
        HealthCheckIntervalSeconds: hc.interval,
        HealthCheckTimeoutSeconds: hc.timeout,
        HealthyThresholdCount: hc.healthyThreshold,
        UnhealthyThresholdCount: hc.unhealthyThreshold,
        Matcher: hc.matcher === undefined ? undefined : { HttpCode: hc.matcher },
        TargetType: i.targetType,
        Tags: tagList(i.tags, "elbv2"),
        IpAddressType: i.ipAddressType,
    });
    // Attributes the provider sets after creating the group (ModifyTargetGroupAttributes), by their API keys.
    const mapped = [
        "name", "protocol", "protocolVersion", "port", "vpcId", "healthCheck", "targetType", "tags", "ipAddressType",
        ...Object.keys(TARGET_GROUP_ATTRIBUTES),
    ];
    return { request: { service: "elbv2", operation: "CreateTargetGroup", params, source: r.name }, problems: unmapped(r, mapped) };
}

/** Target group inputs that the provider applies as attributes, with the attribute key each becomes. */
export const TARGET_GROUP_ATTRIBUTES: Record<string, string> = {
    deregistrationDelay: "deregistration_delay.timeout_seconds",
    preserveClientIp: "preserve_client_ip.enabled",
    proxyProtocolV2: "proxy_protocol_v2.enabled",
    connectionTermination: "deregistration_delay.connection_termination.enabled",
    slowStart: "slow_start.duration_seconds",
    loadBalancingAlgorithmType: "load_balancing.algorithm.type",
    loadBalancingCrossZoneEnabled: "load_balancing.cross_zone.enabled",
};

/** ModifyTargetGroupAttributes for the attribute inputs a target group sets, or undefined when it sets none. */
export function modifyTargetGroupAttributes(r: SynthResource, targetGroupArn: string): ApiRequest | undefined {
    const i = r.inputs as Inputs;
    const attributes = Object.entries(TARGET_GROUP_ATTRIBUTES)
        .filter(([input]) => i[input] !== undefined)
        .map(([input, key]) => ({ Key: key, Value: String(i[input]) }));
    if (attributes.length === 0) return undefined;
    return { service: "elbv2", operation: "ModifyTargetGroupAttributes", params: { TargetGroupArn: targetGroupArn, Attributes: attributes }, source: r.name };
}

function listenerAction(a: Inputs): Record<string, unknown> {
    const redirect = a.redirect as Inputs | undefined;
    const fixed = a.fixedResponse as Inputs | undefined;
    return defined({
        Type: a.type,
        TargetGroupArn: a.targetGroupArn,
        Order: a.order,
        RedirectConfig: redirect && defined({
            Protocol: redirect.protocol, Port: redirect.port, Host: redirect.host, Path: redirect.path, Query: redirect.query, StatusCode: redirect.statusCode,
        }),
        FixedResponseConfig: fixed && defined({ MessageBody: fixed.messageBody, StatusCode: fixed.statusCode, ContentType: fixed.contentType }),
    });
}

const ACTION_KEYS = ["type", "targetGroupArn", "order", "redirect", "fixedResponse"];

function unmappedActions(r: SynthResource, field: string, actions: Inputs[]): string[] {
    return actions.flatMap((a, n) => Object.keys(a).filter(k => !ACTION_KEYS.includes(k)).map(k => `${r.name}: ${field}[${n}].${k} has no mapping to the API request`));
}

/** CreateRule for an aws.lb.ListenerRule: its conditions in the API's RuleCondition shape (elbv2 2015-12-01). */
export function createRule(r: SynthResource): { request: ApiRequest; problems: string[] } {
    const i = r.inputs as Inputs;
    const conditions = (i.conditions ?? []) as Inputs[];
    const problems = unmapped(r, ["listenerArn", "priority", "actions", "conditions", "tags"]);
    const condition = (c: Inputs): Record<string, unknown> => {
        const keys = Object.keys(c);
        if (keys.length !== 1 || !["hostHeader", "pathPattern", "sourceIp"].includes(keys[0])) problems.push(`${r.name}: condition ${keys.join(", ")} has no mapping to the API request`);
        const values = (Object.values(c)[0] as { values: string[] }).values;
        if (c.hostHeader) return { Field: "host-header", HostHeaderConfig: { Values: values } };
        if (c.pathPattern) return { Field: "path-pattern", PathPatternConfig: { Values: values } };
        return { Field: "source-ip", SourceIpConfig: { Values: values } };
    };
    const params = defined({
        ListenerArn: i.listenerArn,
        Priority: i.priority,
        Conditions: conditions.map(condition),
        Actions: ((i.actions ?? []) as Inputs[]).map(listenerAction),
        Tags: tagList(i.tags, "elbv2"),
    });
    problems.push(...unmappedActions(r, "actions", (i.actions ?? []) as Inputs[]));
    return { request: { service: "elbv2", operation: "CreateRule", params, source: r.name }, problems };
}

/** AddListenerCertificates for an aws.lb.ListenerCertificate. */
export function addListenerCertificates(r: SynthResource): { request: ApiRequest; problems: string[] } {
    const i = r.inputs as Inputs;
    const params = { ListenerArn: i.listenerArn, Certificates: [{ CertificateArn: i.certificateArn }] };
    return { request: { service: "elbv2", operation: "AddListenerCertificates", params, source: r.name }, problems: unmapped(r, ["listenerArn", "certificateArn"]) };
}

export function createListener(r: SynthResource): { request: ApiRequest; problems: string[] } {
    const i = r.inputs as Inputs;
    const params = defined({
        LoadBalancerArn: i.loadBalancerArn,
        Protocol: i.protocol,
        Port: i.port,
        SslPolicy: i.sslPolicy,
        Certificates: i.certificateArn === undefined ? undefined : [{ CertificateArn: i.certificateArn }],
        DefaultActions: ((i.defaultActions ?? []) as Inputs[]).map(listenerAction),
        AlpnPolicy: i.alpnPolicy === undefined ? undefined : [i.alpnPolicy],
        Tags: tagList(i.tags, "elbv2"),
    });
    const mapped = ["loadBalancerArn", "protocol", "port", "sslPolicy", "certificateArn", "defaultActions", "alpnPolicy", "tags"];
    const problems = [...unmapped(r, mapped), ...unmappedActions(r, "defaultActions", (i.defaultActions ?? []) as Inputs[])];
    return { request: { service: "elbv2", operation: "CreateListener", params, source: r.name }, problems };
}
