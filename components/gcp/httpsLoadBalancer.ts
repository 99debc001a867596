// A global external Application Load Balancer for one HTTPS name: a Google-managed certificate, the
// target's instance groups as backends, Cloud Armor when only some sources may call, and port 80 answering
// with a redirect to HTTPS only.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Dns, DnsTarget, HttpsLoadBalancer, HttpsLoadBalancerArgs } from "../topology";
import { admitsEveryIpv4, allowlistProblem } from "../topology/cidrs";
import { pathPrefixesProblem } from "../topology/rules";
import { GcpLoadBalancerTarget, TargetBackend, WEBSOCKET_TIMEOUT_SECONDS } from "./loadBalancerTarget";
import { GcpEnv, afterApis, expectGcp, gcpName } from "./shared";

/**
 * Cloud Armor takes at most ten source ranges per rule (@pulumi/gcp 9 SecurityPolicyRuleMatchConfig
 * srcIpRanges: "Maximum number of srcIpRanges allowed is 10"; Cloud Armor quotas, "IP addresses or IP address
 * ranges per rule": https://cloud.google.com/armor/quotas).
 */
export const ARMOR_RANGES_PER_RULE = 10;
/** The priority of a security policy's default rule, which Cloud Armor requires (priority 2147483647, match "*"). */
export const ARMOR_DEFAULT_RULE_PRIORITY = 2147483647;
const ARMOR_FIRST_ALLOW_PRIORITY = 1000;

/** The rule answering 404 to paths the target does not serve: ahead of every source rule. */
export const ARMOR_PATH_RULE_PRIORITY = 900;

/**
 * A Cloud Armor expression true for a path outside every prefix: `request.path`, the request's URL path, in
 * the custom rules language (https://cloud.google.com/armor/docs/rules-language-reference). The prefixes are
 * plain segments (components/topology/rules.ts pathPrefixesProblem), so they need no escaping in the literal.
 */
export function armorPathExpression(pathPrefixes: readonly string[]): string {
    return `!(${pathPrefixes.map(p => `request.path.startsWith('${p}')`).join(" || ")})`;
}

/**
 * A backend security policy's rules: with path prefixes, answer 404 to every other path first; with an
 * allowlist, allow the given sources, ten ranges a rule at consecutive priorities, and answer everyone else 403
 * from the default rule; without one, the default rule allows. Rules are evaluated lowest priority number first
 * and the first match decides.
 */
export function armorRules(allowedCidrs: string[] | undefined, pathPrefixes?: readonly string[]): gcp.types.input.compute.SecurityPolicyRule[] {
    const paths: gcp.types.input.compute.SecurityPolicyRule[] = pathPrefixes === undefined ? [] : [{
        action: "deny(404)",
        priority: ARMOR_PATH_RULE_PRIORITY,
        description: "paths the target does not serve",
        match: { expr: { expression: armorPathExpression(pathPrefixes) } },
    }];
    if (allowedCidrs === undefined) {
        return [...paths, { action: "allow", priority: ARMOR_DEFAULT_RULE_PRIORITY, description: "everyone", match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } } }];
    }
    const allow: gcp.types.input.compute.SecurityPolicyRule[] = [];
    for (let i = 0; i < allowedCidrs.length; i += ARMOR_RANGES_PER_RULE) {
        allow.push({
            action: "allow",
            priority: ARMOR_FIRST_ALLOW_PRIORITY + allow.length,
            description: "allowed sources",
            match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: allowedCidrs.slice(i, i + ARMOR_RANGES_PER_RULE) } },
        });
    }
    return [
        ...paths,
        ...allow,
        {
            action: "deny(403)",
            priority: ARMOR_DEFAULT_RULE_PRIORITY,
            description: "everyone else",
            match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
        },
    ];
}

/**
 * How the HTTPS load balancer's backends take requests. An instance group that is also the backend of a
 * service's passthrough load balancer (CONNECTION, the only mode an external passthrough backend service
 * takes) must use a mode compatible with it: RATE is, UTILIZATION is not (Compute Engine refuses: "backend
 * services 1 and 2 point to the same instance group but the backends have incompatible balancing_mode";
 * see tests/conformance/load-balancing.test.ts for the rule and its sources). RATE needs a target: the same
 * for every group, whose single instance serves all, so requests spread evenly; a target, not a cap.
 */
export const HTTPS_BACKEND_BALANCING = { balancingMode: "RATE", maxRatePerInstance: 100, capacityScaler: 1 } as const;

/** Port 80 only ever answers with a permanent redirect to the same URL over HTTPS. */
export const HTTPS_REDIRECT: gcp.types.input.compute.URLMapDefaultUrlRedirect = {
    httpsRedirect: true,
    redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT",
    stripQuery: false,
};

export function httpsBackends(name: string, target: GcpLoadBalancerTarget): readonly TargetBackend[] {
    const backends = target.backends;
    if (backends.length === 0) {
        throw new Error(`https load balancer ${name}: no service exposes port ${target.port} to load balancer target ${target.targetName}; declare the services before the load balancer`);
    }
    return backends;
}

export interface GcpHttpsLoadBalancerArgs extends HttpsLoadBalancerArgs {
    /** Where the load balancer's name is published, when the stack manages DNS. */
    dns?: Dns;
}

export class GcpHttpsLoadBalancer extends pulumi.ComponentResource implements HttpsLoadBalancer {
    readonly fqdn: string;
    readonly url: string;
    readonly dnsTarget: DnsTarget;

    constructor(name: string, args: GcpHttpsLoadBalancerArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        const target = expectGcp(args.target, GcpLoadBalancerTarget, `load balancer target ${args.target.targetName}`);
        const backends = httpsBackends(name, target);
        super(COMPONENT_TYPES.httpsLoadBalancer, name, {}, opts);
        const prefix = env.context.prefix;
        this.fqdn = `${args.hostname}.${env.context.domain}`;
        this.url = `https://${this.fqdn}`;

        const address = new gcp.compute.GlobalAddress(`${name}-address`, {
            name: gcpName([prefix, name]),
            addressType: "EXTERNAL",
            ipVersion: "IPV4",
            description: `${this.fqdn}`,
        }, afterApis(env, this, "compute"));

        // Cloud Armor on the backend service when only some sources may call: the global external Application
        // Load Balancer (EXTERNAL_MANAGED) evaluates a backend security policy before any backend sees the
        // request. The address is IPv4 only, so a list that admits every IPv4 address restricts nobody.
        const allowlist = args.allowedCidrs;
        const problem = allowlist === undefined ? undefined : allowlistProblem(allowlist);
        if (problem) throw new Error(`https load balancer ${name}: allowedCidrs: ${problem}`);
        const pathProblem = args.pathPrefixes === undefined ? undefined : pathPrefixesProblem(args.pathPrefixes);
        if (pathProblem) throw new Error(`https load balancer ${name}: pathPrefixes: ${pathProblem}`);
        // The same policy keeps every other path from the backend when only some paths may be called.
        const sources = allowlist !== undefined && !admitsEveryIpv4(allowlist) ? allowlist : undefined;
        const armor = sources !== undefined || args.pathPrefixes !== undefined
            ? new gcp.compute.SecurityPolicy(`${name}-armor`, {
                name: gcpName([prefix, name, "sources"]),
                description: `who may call ${this.fqdn}`,
                type: "CLOUD_ARMOR",
                rules: armorRules(sources, args.pathPrefixes),
            }, afterApis(env, this, "compute"))
            : undefined;

        const backendService = new gcp.compute.BackendService(`${name}-backend`, {
            name: gcpName([prefix, name]),
            loadBalancingScheme: "EXTERNAL_MANAGED",
            protocol: "HTTP",
            portName: target.namedPort,
            healthChecks: target.healthCheckId,
            securityPolicy: armor?.id,
            backends: backends.map(b => ({ group: b.instanceGroup, ...HTTPS_BACKEND_BALANCING })),
            logConfig: { enable: true, sampleRate: 1 },
            ...(target.websocket ? { timeoutSec: WEBSOCKET_TIMEOUT_SECONDS } : {}),
        }, { parent: this });

        const urlMap = new gcp.compute.URLMap(`${name}-https`, {
            name: gcpName([prefix, name, "https"]),
            defaultService: backendService.id,
        }, { parent: this });
        // Unnamed: a changed hostname makes a new certificate before the old one goes.
        const certificate = new gcp.compute.ManagedSslCertificate(`${name}-certificate`, {
            managed: { domains: [this.fqdn] },
        }, { parent: this });
        const httpsProxy = new gcp.compute.TargetHttpsProxy(`${name}-https`, {
            name: gcpName([prefix, name, "https"]),
            urlMap: urlMap.id,
            sslCertificates: [certificate.id],
        }, { parent: this });
        new gcp.compute.GlobalForwardingRule(`${name}-https`, {
            name: gcpName([prefix, name, "https"]),
            loadBalancingScheme: "EXTERNAL_MANAGED",
            ipAddress: address.address,
            ipProtocol: "TCP",
            portRange: "443",
            target: httpsProxy.id,
        }, { parent: this, deleteBeforeReplace: true });

        const redirectMap = new gcp.compute.URLMap(`${name}-http-redirect`, {
            name: gcpName([prefix, name, "http"]),
            defaultUrlRedirect: HTTPS_REDIRECT,
        }, { parent: this });
        const httpProxy = new gcp.compute.TargetHttpProxy(`${name}-http`, {
            name: gcpName([prefix, name, "http"]),
            urlMap: redirectMap.id,
        }, { parent: this });
        new gcp.compute.GlobalForwardingRule(`${name}-http`, {
            name: gcpName([prefix, name, "http"]),
            loadBalancingScheme: "EXTERNAL_MANAGED",
            ipAddress: address.address,
            ipProtocol: "TCP",
            portRange: "80",
            target: httpProxy.id,
        }, { parent: this, deleteBeforeReplace: true });

        this.dnsTarget = { type: "A", addresses: [address.address] };
        // The managed certificate is only issued once the name resolves to the address.
        args.dns?.record(`${name}-dns`, { fqdn: this.fqdn, target: this.dnsTarget }, this);
        this.registerOutputs({ fqdn: this.fqdn, url: this.url, address: address.address });
    }
}
