// Only what must be public is public: the peer-to-peer ports (libp2p swarms, Chainlink's OCR), and 80/443 on
// load balancers. The APIs that control a node (IPFS RPC 5001/5011, cluster proxy 9095, Chainlink's operator UI)
// are never open to the world, databases have no public address, and plain HTTP only ever redirects to HTTPS.
import { isWorld } from "./cidr";
import { StackResource, StackView, resourcePolicy, stackPolicy } from "./policy";
import * as settings from "./settings";
import { AWS_LISTENERS, AWS_LOAD_BALANCERS, AWS_SECURITY_GROUPS, T } from "./types";
import { Maybe, UNKNOWN, Unknown, at, bool, describe, isUnknown, list, listing, num, str, strings } from "./values";

export { isWorld };

// ---------------------------------------------------------------- rules open to the world

/** An ingress rule, whichever way it was declared. */
export interface Ingress {
    /** Where in the resource: `ingress[1]`, `allows[0]`, or "" for a resource that is one rule. */
    where: string;
    protocol: Maybe<string>;
    /** Port ranges ([from, to]); undefined for "every port". */
    ports: [number, number][] | undefined | Unknown;
    /** The world-wide source blocks it admits (empty: none), or unknown. */
    world: string[] | Unknown;
}

/** World-wide blocks among source lists; unknown only when none is known to be world-wide and some list is unknown. */
function worldSources(...sources: Maybe<string[]>[]): string[] | Unknown {
    const world = sources.flatMap(s => (Array.isArray(s) ? s.filter(isWorld) : []));
    if (world.length === 0 && sources.some(isUnknown)) return UNKNOWN;
    return world;
}

function single(value: Maybe<string>): Maybe<string[]> {
    return value === undefined || isUnknown(value) ? (value as undefined | Unknown) : [value];
}

/** AWS ports: from/to as the APIs give them; -1 (or nothing) means every port. */
function awsPorts(from: Maybe<number>, to: Maybe<number>): Ingress["ports"] {
    if (isUnknown(from) || isUnknown(to)) return UNKNOWN;
    if (from === undefined || from === -1) return undefined;
    return [[from, to ?? from]];
}

/** The ingress rules an AWS security group, rule or ingress rule declares; UNKNOWN when not knowable yet. */
export function awsIngress(type: string, props: Record<string, unknown>): Ingress[] | Unknown {
    if ((AWS_SECURITY_GROUPS as string[]).includes(type)) {
        const ingress = list(props.ingress);
        if (isUnknown(ingress)) return UNKNOWN;
        return (ingress ?? []).map((rule, i) => ({
            where: `ingress[${i}] `,
            protocol: str(at(rule, "protocol")),
            ports: awsPorts(num(at(rule, "fromPort")), num(at(rule, "toPort"))),
            world: worldSources(strings(at(rule, "cidrBlocks")), strings(at(rule, "ipv6CidrBlocks"))),
        }));
    }
    if (type === T.securityGroupRule) {
        const direction = str(props.type);
        if (isUnknown(direction)) return UNKNOWN;
        if (direction !== "ingress") return [];
        return [{
            where: "",
            protocol: str(props.protocol),
            ports: awsPorts(num(props.fromPort), num(props.toPort)),
            world: worldSources(strings(props.cidrBlocks), strings(props.ipv6CidrBlocks)),
        }];
    }
    if (type === T.securityGroupIngressRule) {
        return [{
            where: "",
            protocol: str(props.ipProtocol),
            ports: awsPorts(num(props.fromPort), num(props.toPort)),
            world: worldSources(single(str(props.cidrIpv4)), single(str(props.cidrIpv6))),
        }];
    }
    return [];
}

/** GCP port specs: "4001" or "4000-4010"; none means every port. */
function gcpPorts(specs: Maybe<string[]>): Ingress["ports"] {
    if (isUnknown(specs)) return UNKNOWN;
    if (specs === undefined || specs.length === 0) return undefined;
    return specs.map(spec => {
        const [from, to] = spec.split("-").map(s => Number(s.trim()));
        return [from, Number.isFinite(to) ? to : from] as [number, number];
    });
}

/** The allow rules of a GCP firewall that admit traffic from anywhere. */
export function gcpFirewallIngress(props: Record<string, unknown>): Ingress[] | Unknown {
    const direction = str(props.direction);
    const disabled = bool(props.disabled);
    if (isUnknown(direction) || isUnknown(disabled)) return UNKNOWN;
    if ((direction ?? "INGRESS") !== "INGRESS" || disabled === true) return [];
    const ranges = strings(props.sourceRanges);
    const tags = strings(props.sourceTags);
    const accounts = strings(props.sourceServiceAccounts);
    // With no source at all GCP applies the rule to 0.0.0.0/0.
    const noSource = ranges === undefined && tags === undefined && accounts === undefined;
    const world: string[] | Unknown = noSource ? ["0.0.0.0/0 (no source given)"] : worldSources(ranges);
    const allows = list(props.allows);
    if (isUnknown(allows)) return UNKNOWN;
    return (allows ?? []).map((allow, i) => ({
        where: `allows[${i}] `,
        protocol: str(at(allow, "protocol")),
        ports: gcpPorts(strings(at(allow, "ports"))),
        world,
    }));
}

/** Protocols that have no ports and carry nothing an attacker can use against a node (ping, path MTU discovery). */
const PORTLESS_SAFE_PROTOCOLS = new Set(["icmp", "1", "icmpv6", "58", "ipv6-icmp"]);
const PORT_PROTOCOLS: Record<string, string> = { tcp: "tcp", "6": "tcp", udp: "udp", "17": "udp", sctp: "sctp", "132": "sctp" };

/** What a rule exposes beyond `allowed`, e.g. "tcp 5001" or "every protocol and port"; undefined when nothing; UNKNOWN when not knowable. */
export function exposedBeyond(rule: Ingress, allowed: ReadonlySet<number>): string | undefined | Unknown {
    if (rule.protocol === undefined || isUnknown(rule.protocol)) return UNKNOWN;
    const protocol = rule.protocol.trim().toLowerCase();
    if (protocol === "-1" || protocol === "all") return "every protocol and port";
    if (PORTLESS_SAFE_PROTOCOLS.has(protocol)) return undefined;
    const name = PORT_PROTOCOLS[protocol];
    if (name === undefined) return `protocol ${rule.protocol}`;
    if (isUnknown(rule.ports)) return UNKNOWN;
    const ranges = rule.ports ?? [[0, 65535]];
    const exposed = ranges.filter(([from, to]) => {
        for (let p = Math.max(from, 0); p <= Math.min(to, 65535); p++) if (!allowed.has(p)) return true;
        return false;
    });
    if (exposed.length === 0) return undefined;
    return exposed.map(([from, to]) => (rule.ports === undefined ? `${name} on every port` : from === to ? `${name} ${from}` : `${name} ${from}-${to}`)).join(", ");
}

/** Port ranges an ingress rule admits, flattened; undefined for every port. */
function portsOf(rule: Ingress): number[] | undefined {
    if (rule.ports === undefined || isUnknown(rule.ports)) return undefined;
    return rule.ports.flatMap(([from, to]) => (to - from > 65535 ? [] : Array.from({ length: Math.max(0, to - from + 1) }, (_, k) => from + k)));
}

interface ExposureConfig {
    allowedPublicPorts: number[];
    allowedPublicWebPorts: number[];
}

const exposureSchema = {
    properties: { allowedPublicPorts: settings.allowedPublicPorts, allowedPublicWebPorts: settings.allowedPublicWebPorts },
};

/** Scheme of a forwarding rule that faces the internet. */
const EXTERNAL_SCHEMES = ["EXTERNAL", "EXTERNAL_MANAGED"];

export const publicIngressOnlySwarmPorts = resourcePolicy<ExposureConfig>({
    name: "public-ingress-only-swarm-ports",
    description:
        "Nothing is open to 0.0.0.0/0 or ::/0 but the peer-to-peer ports (allowedPublicPorts: libp2p swarms, Chainlink's OCR). The IPFS RPC API (5001/5011) and the " +
        "cluster proxy (9095) give full control of a node without authentication; one world-open rule hands them to anyone. Checks " +
        "AWS security groups (inline ingress, SecurityGroupRule, vpc.SecurityGroupIngressRule), GCP firewalls and GCP external " +
        "forwarding rules; a rule for every protocol or a port range that reaches a private port is a violation. 80/443 are left to " +
        "public-web-ports-only-on-load-balancers on AWS, allowed on GCP forwarding rules, and never needed on GCP firewalls.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Open only the swarm ports to the world; admit everything else from the VPC CIDR, a security group, or (GCP) Google's " +
        "load-balancer ranges 130.211.0.0/22 and 35.191.0.0/16.",
    configSchema: exposureSchema,
    types: [...AWS_SECURITY_GROUPS, T.securityGroupRule, T.securityGroupIngressRule, T.firewall, T.forwardingRule, T.globalForwardingRule, T.dockerContainer],
    check(r, config, report) {
        const swarm = new Set(config.allowedPublicPorts);
        const web = new Set([...config.allowedPublicPorts, ...config.allowedPublicWebPorts]);
        const swarmOnly = `Only ${listing(config.allowedPublicPorts)} (the peer-to-peer ports) may be open to the world`;

        if (r.type === T.dockerContainer) {
            for (const p of publishedPorts(r.props)) {
                if (isUnknown(p) || isLoopback(p.hostIp)) continue;
                // The container's port says what it is; the host port may be another (several peers on one machine).
                if (swarm.has(p.containerPort)) continue;
                report(
                    `${describe(r)}: publishes container port ${p.containerPort}/${p.protocol} on ${p.hostIp}:${p.hostPort}, every address of the host. ` +
                        `${swarmOnly}; publish it on 127.0.0.1 (ports[].ip) or not at all.`,
                );
            }
            return;
        }

        if (r.type === T.forwardingRule || r.type === T.globalForwardingRule) {
            const scheme = str(r.props.loadBalancingScheme);
            if (isUnknown(scheme) || !EXTERNAL_SCHEMES.includes(scheme ?? "EXTERNAL")) return;
            const allPorts = bool(r.props.allPorts);
            const portRange = str(r.props.portRange);
            const ports = strings(r.props.ports);
            const ipProtocol = str(r.props.ipProtocol);
            if (isUnknown(allPorts) || isUnknown(portRange) || isUnknown(ports) || isUnknown(ipProtocol)) return;
            let specs: string[] | undefined; // undefined: every port
            if (allPorts === true) specs = undefined;
            else if (portRange !== undefined) specs = [portRange];
            else if (ports !== undefined && ports.length > 0) specs = ports;
            // A global rule without a port range serves its target proxy's single default port.
            else if (r.type === T.globalForwardingRule) return;
            // A regional rule without ports forwards every port.
            else specs = undefined;
            const protocol = ipProtocol === undefined ? "tcp" : ipProtocol === "L3_DEFAULT" ? "all" : ipProtocol;
            const exposed = exposedBeyond({ where: "", protocol, ports: gcpPorts(specs), world: ["the internet"] }, web);
            if (typeof exposed === "string") {
                report(
                    `${describe(r)}: the external forwarding rule exposes ${exposed} to the internet. ${swarmOnly}, and ` +
                        `${listing(config.allowedPublicWebPorts)} on load balancers; set portRange/ports to those, or make loadBalancingScheme INTERNAL.`,
                );
            }
            return;
        }

        const rules = r.type === T.firewall ? gcpFirewallIngress(r.props) : awsIngress(r.type, r.props);
        if (isUnknown(rules)) return;
        // GCP load balancers reach VMs from Google's own ranges, so a GCP firewall never needs 80/443 from the world.
        const allowed = r.type === T.firewall ? swarm : web;
        const property = r.type === T.firewall ? "sourceRanges" : r.type === T.securityGroupIngressRule ? "cidrIpv4/cidrIpv6" : "cidrBlocks";
        for (const rule of rules) {
            if (isUnknown(rule.world) || rule.world.length === 0) continue;
            const exposed = exposedBeyond(rule, allowed);
            if (typeof exposed !== "string") continue;
            report(
                `${describe(r)}: ${rule.where}opens ${exposed} to ${listing(rule.world)}. ${swarmOnly}` +
                    `${r.type === T.firewall ? "" : `, and ${listing(config.allowedPublicWebPorts)} on a load balancer's security group`}; ` +
                    `narrow ${property} to the VPC or to the callers, or restrict the ports.`,
            );
        }
    },
});

// ---------------------------------------------------------------- Docker: published ports

interface PublishedPort {
    containerPort: number;
    hostPort: number | string;
    protocol: string;
    /** The host address it is bound to; the engine binds every address (0.0.0.0 and ::) when none is given. */
    hostIp: string;
}

/** A docker container's published ports (@pulumi/docker ContainerPort: internal, external, ip, protocol). */
function publishedPorts(props: Record<string, unknown>): (PublishedPort | Unknown)[] {
    const ports = list(props.ports);
    if (isUnknown(ports)) return [UNKNOWN];
    return (ports ?? []).map(p => {
        const internal = num(at(p, "internal"));
        const external = num(at(p, "external"));
        const ip = str(at(p, "ip"));
        const protocol = str(at(p, "protocol"));
        if (isUnknown(internal) || isUnknown(external) || isUnknown(ip) || isUnknown(protocol) || internal === undefined) return UNKNOWN;
        return { containerPort: internal, hostPort: external ?? "a port the engine picks", protocol: protocol ?? "tcp", hostIp: ip ?? "0.0.0.0" };
    });
}

/** 127.0.0.0/8 or ::1: reachable from the host itself only. */
function isLoopback(ip: string): boolean {
    return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip === "::1" || ip === "[::1]";
}

// ---------------------------------------------------------------- 80/443 only on load balancers (AWS)

/** Whether a security group is attached to an application load balancer: true, false or "unknown". */
function onApplicationLoadBalancer(stack: StackView, sg: StackResource): boolean | "unknown" {
    let unknown = false;
    for (const lb of stack.ofType(...AWS_LOAD_BALANCERS)) {
        const lbType = str(lb.props.loadBalancerType);
        if (isUnknown(lbType)) unknown = true;
        else if ((lbType ?? "application") !== "application") continue;
        const attached = stack.refersTo(lb, "securityGroups", sg);
        if (attached === true && !isUnknown(lbType)) return true;
        if (attached !== false) unknown = true;
    }
    return unknown ? "unknown" : false;
}

export const publicWebPortsOnlyOnLoadBalancers = stackPolicy<ExposureConfig>({
    name: "public-web-ports-only-on-load-balancers",
    description:
        "On AWS, 80 and 443 (allowedPublicWebPorts) may be open to the world only on a security group attached to an application " +
        "load balancer, which terminates TLS and forwards to targets. Open on a task's own security group they expose the gateway or " +
        "an HTTP API directly, without TLS.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Open 80/443 to the world only on the ALB's security group, and let the tasks' security group admit the target port from " +
        "that security group.",
    configSchema: exposureSchema,
    check(stack, config, report) {
        const swarm = new Set(config.allowedPublicPorts);
        const web = new Set([...config.allowedPublicPorts, ...config.allowedPublicWebPorts]);
        const webOnly = config.allowedPublicWebPorts.filter(p => !swarm.has(p));
        const needsLoadBalancer = (rule: Ingress): boolean => {
            if (isUnknown(rule.world) || rule.world.length === 0) return false;
            // Rules reaching beyond the web ports are public-ingress-only-swarm-ports' to report.
            if (exposedBeyond(rule, web) !== undefined) return false;
            const ports = portsOf(rule);
            return ports !== undefined && ports.some(p => webOnly.includes(p));
        };
        const complain = (owner: StackResource, rule: Ingress, groupName: string) => {
            const ports = (portsOf(rule) ?? []).filter(p => webOnly.includes(p));
            report(
                owner,
                `${describe(owner)}: ${rule.where}opens ${listing(ports)} to ${listing(rule.world as string[])}, but security group ${groupName} is not ` +
                    `attached to an application load balancer; ${listing(config.allowedPublicWebPorts)} may be public only there. Put the rule on ` +
                    "the load balancer's security group and admit its traffic to the targets from that group.",
            );
        };
        for (const sg of stack.ofType(...AWS_SECURITY_GROUPS)) {
            const rules = awsIngress(sg.type, sg.props);
            if (isUnknown(rules)) continue;
            for (const rule of rules.filter(needsLoadBalancer)) {
                if (onApplicationLoadBalancer(stack, sg) === false) complain(sg, rule, `"${sg.name}"`);
            }
        }
        for (const ruleResource of stack.ofType(T.securityGroupRule, T.securityGroupIngressRule)) {
            const rules = awsIngress(ruleResource.type, ruleResource.props);
            if (isUnknown(rules)) continue;
            for (const rule of rules.filter(needsLoadBalancer)) {
                const groups = stack.references(ruleResource, "securityGroupId", AWS_SECURITY_GROUPS);
                if (groups.unknown && groups.found.length === 0) continue;
                if (groups.found.length === 0) {
                    complain(ruleResource, rule, `${groups.external.join(", ")} (not in this stack)`);
                    continue;
                }
                for (const sg of groups.found) if (onApplicationLoadBalancer(stack, sg) === false) complain(ruleResource, rule, `"${sg.name}"`);
            }
        }
    },
});

// ---------------------------------------------------------------- databases

export const databasesPrivate = resourcePolicy<object>({
    name: "databases-private",
    description:
        "Databases are never publicly reachable: the Chainlink database holds the node's encrypted keys and jobs, and a public " +
        "address invites password guessing and exploits. RDS/Aurora instances have publiclyAccessible off; Cloud SQL has no public " +
        "IPv4 address (ipv4Enabled defaults to true) and no authorized network 0.0.0.0/0.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "RDS/Aurora: publiclyAccessible: false, private subnets. Cloud SQL: settings.ipConfiguration { ipv4Enabled: false, " +
        "privateNetwork: <VPC> } and no world-wide authorizedNetworks.",
    types: [T.rdsInstance, T.rdsClusterInstance, T.cloudSql],
    check(r, _config, report) {
        if (r.type === T.cloudSql) {
            const ip = at(r.props, "settings", "ipConfiguration");
            const ipv4 = bool(at(ip, "ipv4Enabled"));
            if (ipv4 !== false && !isUnknown(ipv4) && !isUnknown(ip)) {
                report(
                    `${describe(r)}: settings.ipConfiguration.ipv4Enabled is ${ipv4 === undefined ? "not set (true by default)" : "true"}, ` +
                        "so the instance has a public IP address. Set ipv4Enabled: false and connect through privateNetwork.",
                );
            }
            const networks = list(at(ip, "authorizedNetworks"));
            (Array.isArray(networks) ? networks : []).forEach((n, i) => {
                const value = str(at(n, "value"));
                if (typeof value === "string" && isWorld(value)) {
                    report(
                        `${describe(r)}: settings.ipConfiguration.authorizedNetworks[${i}] is ${value}, which lets every address on the ` +
                            "internet connect. Remove it; reach the database over the private network.",
                    );
                }
            });
            return;
        }
        if (bool(r.props.publiclyAccessible) === true) {
            report(
                `${describe(r)}: publiclyAccessible is true, so the database gets a public address. Set publiclyAccessible: false and ` +
                    "keep it in private subnets.",
            );
        }
    },
});

// ---------------------------------------------------------------- HTTP only redirects

/** Why AWS load balancer actions do something other than redirect to HTTPS, or undefined when they only redirect. */
function notOnlyHttpsRedirect(actions: Maybe<unknown[]>): string | undefined | Unknown {
    if (isUnknown(actions)) return UNKNOWN;
    if (actions === undefined || actions.length === 0) return "has no actions";
    for (const action of actions) {
        const type = str(at(action, "type"));
        if (isUnknown(type)) return UNKNOWN;
        if (type !== "redirect") return `has a ${type ?? "typeless"} action`;
        const protocol = str(at(action, "redirect", "protocol"));
        if (isUnknown(protocol)) return UNKNOWN;
        // The redirect's protocol defaults to the request's own (#{protocol}): HTTP to HTTP.
        if (protocol !== "HTTPS") return `redirects to ${protocol ?? "the same protocol (HTTP)"}`;
    }
    return undefined;
}

/** The protocol of an AWS listener: its own, or HTTPS with a certificate, else the application load balancer default HTTP. */
function listenerProtocol(props: Record<string, unknown>): Maybe<string> {
    const protocol = str(props.protocol);
    if (protocol !== undefined) return isUnknown(protocol) ? protocol : protocol.toUpperCase();
    return props.certificateArn !== undefined ? "HTTPS" : "HTTP";
}

export const httpListenersRedirectToHttps = resourcePolicy<object>({
    name: "http-listeners-redirect-to-https",
    description:
        "A load balancer's plain-HTTP listener only redirects to HTTPS. Serving over HTTP sends basic-auth credentials, API tokens " +
        "and session cookies in clear text. Applies to AWS listeners with protocol HTTP (the default for application load balancers).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Give the HTTP listener one default action { type: \"redirect\", redirect: { protocol: \"HTTPS\", port: \"443\", statusCode: " +
        "\"HTTP_301\" } } and serve from an HTTPS listener.",
    types: AWS_LISTENERS,
    check(r, _config, report) {
        if (listenerProtocol(r.props) !== "HTTP") return;
        const problem = notOnlyHttpsRedirect(list(r.props.defaultActions));
        if (typeof problem === "string") {
            report(
                `${describe(r)}: the HTTP listener's defaultActions ${problem}, so content is served over plain HTTP. Make its only ` +
                    "default action a redirect with redirect.protocol \"HTTPS\".",
            );
        }
    },
});

export const httpProxiesRedirectToHttps = stackPolicy<object>({
    name: "http-proxies-redirect-to-https",
    description:
        "What serves plain HTTP only redirects to HTTPS, where the link is only visible across resources: a GCP target HTTP proxy's " +
        "URL map must redirect everything (defaultUrlRedirect.httpsRedirect, no host rules or path matchers), and an AWS listener rule " +
        "on an HTTP listener must redirect to HTTPS too.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Point each gcp.compute.TargetHttpProxy at a URL map with only defaultUrlRedirect { httpsRedirect: true, stripQuery: false }; " +
        "serve through a TargetHttpsProxy. Do not add forwarding listener rules to an HTTP listener.",
    check(stack, _config, report) {
        for (const proxy of stack.ofType(T.targetHttpProxy, T.regionTargetHttpProxy)) {
            const maps = stack.references(proxy, "urlMap", [T.urlMap, T.regionUrlMap]);
            if (maps.found.length === 0 && maps.unknown) continue;
            if (maps.found.length === 0 && maps.external.length > 0) {
                report(
                    proxy,
                    `${describe(proxy)}: urlMap ${maps.external.join(", ")} is not in this stack, so it cannot be shown to redirect to HTTPS. ` +
                        "Declare the redirecting URL map in the stack.",
                );
            }
            for (const map of maps.found) {
                const redirect = bool(at(map.props, "defaultUrlRedirect", "httpsRedirect"));
                const routing = ["hostRules", "pathMatchers"].filter(k => {
                    const v = list(map.props[k]);
                    return Array.isArray(v) && v.length > 0;
                });
                if (isUnknown(redirect)) continue;
                if (redirect !== true || routing.length > 0) {
                    const why = redirect !== true ? "defaultUrlRedirect.httpsRedirect is not true" : `it has ${routing.join(" and ")} that route requests to services`;
                    report(
                        map,
                        `${describe(map)}: serves the HTTP proxy ${proxy.name}, but ${why}, so content is served over plain HTTP. Give it only ` +
                            "defaultUrlRedirect: { httpsRedirect: true, stripQuery: false }.",
                    );
                }
            }
        }
        for (const rule of stack.ofType(T.lbListenerRule, T.albListenerRule)) {
            const listeners = stack.references(rule, "listenerArn", AWS_LISTENERS);
            if (!listeners.found.some(l => listenerProtocol(l.props) === "HTTP")) continue;
            const problem = notOnlyHttpsRedirect(list(rule.props.actions));
            if (typeof problem === "string") {
                report(
                    rule,
                    `${describe(rule)}: the rule on an HTTP listener ${problem}, so content is served over plain HTTP. Remove the rule or make ` +
                        "its action a redirect with redirect.protocol \"HTTPS\".",
                );
            }
        }
    },
});
