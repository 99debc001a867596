// The stack's one HTTPS entry point on a global external Application Load Balancer: one address, one URL map
// with a host rule for every name, one target HTTPS proxy carrying every name's Google-managed certificate, and
// port 80 answering with a redirect to HTTPS only. Each name (an HttpsLoadBalancer) brings its backend service
// (the target's instance groups), its Cloud Armor policy when only some sources or paths may call, its
// certificate and its DNS record; what they share is settled once every name is declared (the back-end's finish).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Dns, DnsTarget, HttpsLoadBalancer, HttpsLoadBalancerArgs } from "../topology";
import { admitsEveryIpv4, allowlistProblem } from "../topology/cidrs";
import { pathPrefixesProblem } from "../topology/rules";
import { GcpLoadBalancerTarget, TargetBackend, WEBSOCKET_TIMEOUT_SECONDS } from "./loadBalancerTarget";
import { gcpName, gcpNameFor } from "./names";
import { GcpEnv, afterApis, expectGcp } from "./shared";

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

/**
 * Limits of the stack's one load balancer. Each name brings its own certificate to the one target HTTPS proxy,
 * so the proxy's limit bounds the names: "SSL certificates per target HTTPS or target SSL proxy: 15. This limit
 * cannot be increased." (https://cloud.google.com/load-balancing/docs/quotas; @pulumi/gcp 9 TargetHttpsProxy
 * sslCertificates: "Currently, you may specify up to 15 SSL certificates."). Each name also takes a host rule
 * and a path matcher of the one URL map, which Google bounds by the map's size, 1 MB for a global external
 * Application Load Balancer (https://cloud.google.com/load-balancing/docs/url-map-size-quota): far above 15
 * names. The map's own tests, one a name, stay under "a maximum of 100 tests per UrlMap" (@pulumi/gcp 9
 * URLMap tests).
 */
export const ENTRY_POINT_LIMITS = {
    certificatesPerProxy: 15,
} as const;

/**
 * What the HTTPS URL map answers a name it has no host rule for (a scanner calling the address, a stale DNS
 * record): a temporary redirect to the stack's domain, so no workload ever sees it. A global URL map either sends
 * such a request to a backend (defaultService, defaultRouteAction.weightedBackendServices) or redirects it
 * (compute v1 urlMaps, https://cloud.google.com/compute/docs/reference/rest/v1/urlMaps, defaultUrlRedirect: "When
 * none of the specified hostRules match, the request is redirected to a URL specified by defaultUrlRedirect. If
 * defaultUrlRedirect is specified, defaultService or defaultRouteAction must not be set."); it has no fixed
 * response. 302, not 301: browsers keep a permanent redirect, and the name may be served later. The path and
 * the query are dropped: nothing of the request is carried. The scheme stays HTTPS (httpsRedirect "must only be
 * set for UrlMaps used in TargetHttpProxys").
 */
export function unknownHostRedirect(domain: string): gcp.types.input.compute.URLMapDefaultUrlRedirect {
    return { hostRedirect: domain, pathRedirect: "/", redirectResponseCode: "FOUND", stripQuery: true };
}

/** One name of the entry point: its host rule sends it to its own backend service; its certificate joins the proxy's. */
export interface EntryPointHost {
    /** The HttpsLoadBalancer's name, for messages. */
    name: string;
    fqdn: string;
    /** The path matcher its host rule names. */
    pathMatcher: string;
    backendService: pulumi.Input<string>;
    certificate: pulumi.Input<string>;
}

/** What one entry point cannot hold, as sentences: too many names for the proxy's certificates, a name twice. */
export function entryPointProblems(hosts: readonly Pick<EntryPointHost, "name" | "fqdn" | "pathMatcher">[]): string[] {
    const problems: string[] = [];
    if (hosts.length > ENTRY_POINT_LIMITS.certificatesPerProxy) {
        problems.push(
            `${hosts.length} HTTPS names (${hosts.map(h => h.fqdn).join(", ")}) need ${hosts.length} certificates on the stack's one target HTTPS proxy, ` +
            `which takes at most ${ENTRY_POINT_LIMITS.certificatesPerProxy} (SSL certificates per target HTTPS proxy, https://cloud.google.com/load-balancing/docs/quotas): serve fewer names in this stack`,
        );
    }
    for (const key of ["fqdn", "pathMatcher"] as const) {
        const seen = new Map<string, string>();
        for (const h of hosts) {
            const other = seen.get(h[key]);
            if (other !== undefined) problems.push(`https load balancers ${other} and ${h.name} both have ${key === "fqdn" ? "the name" : "the path matcher"} ${h[key]}: one URL map routes each once`);
            seen.set(h[key], h.name);
        }
    }
    return problems;
}

/**
 * The stack's one global external Application Load Balancer, made with its address at the first name (so DNS
 * records can point at it) and completed by finish() once every name is known: the URL map's host rules and the
 * proxy's certificates are only settled then. Port 80 of the same address only redirects to HTTPS.
 */
export class GcpHttpsEntryPoint extends pulumi.ComponentResource {
    /** The one static IPv4 address every HTTPS name resolves to. */
    readonly address: pulumi.Output<string>;
    private readonly hosts: EntryPointHost[] = [];
    private finished = false;

    constructor(private readonly entryName: string, private readonly env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.httpsEntryPoint, entryName, {}, opts);
        const address = new gcp.compute.GlobalAddress(`${entryName}-address`, {
            name: gcpNameFor("globalAddress", [env.context.prefix, entryName]),
            addressType: "EXTERNAL",
            ipVersion: "IPV4",
            description: `every HTTPS name under ${env.context.domain}`,
        }, afterApis(env, this, "compute"));
        this.address = address.address;
    }

    /** Declares a name; refuses one the proxy or the URL map cannot take, at the name that overflows. */
    addHost(host: EntryPointHost): void {
        if (this.finished) throw new Error(`https load balancer ${host.name}: declared after the stack's HTTPS entry point was finished`);
        const problems = entryPointProblems([...this.hosts, host]);
        if (problems.length > 0) throw new Error(`https load balancer ${host.name}: the stack's HTTPS entry point cannot take ${host.fqdn}:\n  - ${problems.join("\n  - ")}`);
        this.hosts.push(host);
    }

    /** Declares the URL maps, proxies and forwarding rules, now that every name is known. */
    finish(): void {
        if (this.finished) return;
        this.finished = true;
        const name = this.entryName;
        const prefix = this.env.context.prefix;
        const hosts = this.hosts;
        const urlMap = new gcp.compute.URLMap(`${name}-https`, {
            name: gcpNameFor("urlMap", [prefix, name]),
            description: `the HTTPS names under ${this.env.context.domain}`,
            defaultUrlRedirect: unknownHostRedirect(this.env.context.domain),
            hostRules: hosts.map(h => ({ hosts: [h.fqdn], pathMatcher: h.pathMatcher })),
            pathMatchers: hosts.map(h => ({ name: h.pathMatcher, defaultService: h.backendService })),
            // Google refuses a map whose own tests fail: each name must reach its own backend service.
            tests: hosts.map(h => ({ description: `${h.fqdn} reaches ${h.name}`, host: h.fqdn, path: "/", service: h.backendService })),
        }, { parent: this });
        const httpsProxy = new gcp.compute.TargetHttpsProxy(`${name}-https`, {
            name: gcpNameFor("targetHttpsProxy", [prefix, name]),
            urlMap: urlMap.id,
            // The first is what a client without SNI gets.
            sslCertificates: hosts.map(h => h.certificate),
        }, { parent: this });
        new gcp.compute.GlobalForwardingRule(`${name}-https`, {
            name: gcpNameFor("globalForwardingRule", [prefix, name]),
            loadBalancingScheme: "EXTERNAL_MANAGED",
            ipAddress: this.address,
            ipProtocol: "TCP",
            portRange: "443",
            target: httpsProxy.id,
        }, { parent: this, deleteBeforeReplace: true });

        const redirectMap = new gcp.compute.URLMap(`${name}-http-redirect`, {
            name: gcpNameFor("urlMap", [prefix, name, "redirect"]),
            defaultUrlRedirect: HTTPS_REDIRECT,
        }, { parent: this });
        const httpProxy = new gcp.compute.TargetHttpProxy(`${name}-http`, {
            name: gcpNameFor("targetHttpProxy", [prefix, name, "redirect"]),
            urlMap: redirectMap.id,
        }, { parent: this });
        new gcp.compute.GlobalForwardingRule(`${name}-http`, {
            name: gcpNameFor("globalForwardingRule", [prefix, name, "redirect"]),
            loadBalancingScheme: "EXTERNAL_MANAGED",
            ipAddress: this.address,
            ipProtocol: "TCP",
            portRange: "80",
            target: httpProxy.id,
        }, { parent: this, deleteBeforeReplace: true });
        this.registerOutputs({ address: this.address, hostnames: hosts.map(h => h.fqdn) });
    }
}

export interface GcpHttpsLoadBalancerArgs extends HttpsLoadBalancerArgs {
    /** Where the load balancer's name is published, when the stack manages DNS. */
    dns?: Dns;
    /** The stack's one entry point, which routes the name to this backend service. */
    entryPoint: GcpHttpsEntryPoint;
}

/** One name of the stack's HTTPS entry point: its backend service, its Cloud Armor policy, its certificate and its DNS record. */
export class GcpHttpsLoadBalancer extends pulumi.ComponentResource implements HttpsLoadBalancer {
    readonly fqdn: string;
    readonly url: string;
    readonly dnsTarget: DnsTarget;

    constructor(name: string, args: GcpHttpsLoadBalancerArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        const target = expectGcp(args.target, GcpLoadBalancerTarget, `load balancer target ${args.target.targetName}`);
        const backends = httpsBackends(name, target);
        // Cloud Armor on the backend service when only some sources may call: the global external Application
        // Load Balancer (EXTERNAL_MANAGED) evaluates a backend security policy before any backend sees the
        // request. The address is IPv4 only, so a list that admits every IPv4 address restricts nobody.
        const allowlist = args.allowedCidrs;
        const problem = allowlist === undefined ? undefined : allowlistProblem(allowlist);
        if (problem) throw new Error(`https load balancer ${name}: allowedCidrs: ${problem}`);
        const pathProblem = args.pathPrefixes === undefined ? undefined : pathPrefixesProblem(args.pathPrefixes);
        if (pathProblem) throw new Error(`https load balancer ${name}: pathPrefixes: ${pathProblem}`);
        super(COMPONENT_TYPES.httpsLoadBalancer, name, {}, opts);
        const prefix = env.context.prefix;
        this.fqdn = `${args.hostname}.${env.context.domain}`;
        this.url = `https://${this.fqdn}`;

        // The same policy keeps every other path from the backend when only some paths may be called.
        const sources = allowlist !== undefined && !admitsEveryIpv4(allowlist) ? allowlist : undefined;
        const armor = sources !== undefined || args.pathPrefixes !== undefined
            ? new gcp.compute.SecurityPolicy(`${name}-armor`, {
                name: gcpNameFor("securityPolicy", [prefix, name, "sources"]),
                description: `who may call ${this.fqdn}`,
                type: "CLOUD_ARMOR",
                rules: armorRules(sources, args.pathPrefixes),
            }, afterApis(env, this, "compute"))
            : undefined;

        const backendService = new gcp.compute.BackendService(`${name}-backend`, {
            name: gcpNameFor("backendService", [prefix, name]),
            loadBalancingScheme: "EXTERNAL_MANAGED",
            protocol: "HTTP",
            portName: target.namedPort,
            healthChecks: target.healthCheckId,
            securityPolicy: armor?.id,
            backends: backends.map(b => ({ group: b.instanceGroup, ...HTTPS_BACKEND_BALANCING })),
            logConfig: { enable: true, sampleRate: 1 },
            ...(target.websocket ? { timeoutSec: WEBSOCKET_TIMEOUT_SECONDS } : {}),
        }, { parent: this });

        // Unnamed: a changed hostname makes a new certificate before the old one goes.
        const certificate = new gcp.compute.ManagedSslCertificate(`${name}-certificate`, {
            managed: { domains: [this.fqdn] },
        }, { parent: this });
        args.entryPoint.addHost({ name, fqdn: this.fqdn, pathMatcher: gcpName([name]), backendService: backendService.id, certificate: certificate.id });

        this.dnsTarget = { type: "A", addresses: [args.entryPoint.address] };
        // The managed certificate is only issued once the name resolves to the entry point's address.
        args.dns?.record(`${name}-dns`, { fqdn: this.fqdn, target: this.dnsTarget }, this);
        this.registerOutputs({ fqdn: this.fqdn, url: this.url, address: args.entryPoint.address });
    }
}
