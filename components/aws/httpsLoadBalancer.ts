// The stack's one HTTPS entry point: an internet-facing ALB whose HTTPS listener carries a certificate for
// every name under the stack's domain and sends each name, by host rules, to its own target; plain HTTP only
// ever answers with a redirect. Each name (an HttpsLoadBalancer) brings its certificate, its rules and its
// DNS record; what they share is settled once every name is declared (the back-end's finish).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DnsTarget, HttpsLoadBalancer, HttpsLoadBalancerArgs, Profile } from "../topology";
import { EVERYONE, admitsEveryIpv4, allowlistProblem } from "../topology/cidrs";
import { Deferred, deferred } from "../topology/deferred";
import { pathPrefixesProblem } from "../topology/rules";
import { HTTP_PORT, HTTPS_PORT, TLS_POLICY } from "./constants";
import { AwsDns } from "./dns";
import { AwsLoadBalancerTarget } from "./loadBalancerTarget";
import { awsLogicalName } from "./names";

/** The record ACM checks before it issues the certificate. */
export interface ValidationRecord {
    name: string;
    type: string;
    value: string;
}

/** What the HTTPS listener answers a request no rule forwards (an unknown name, a path not served): a plain 404. */
export const PATH_NOT_FORWARDED = {
    type: "fixed-response",
    fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" },
} as const;

/** What a name with an allowlist answers a source outside it: a plain 403, as Cloud Armor's default deny does on GCP. */
export const SOURCE_NOT_ALLOWED = {
    type: "fixed-response",
    fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "forbidden" },
} as const;

/** The longest idle timeout an ALB accepts (elbv2 idle_timeout.timeout_seconds, 1-4000). */
export const WEBSOCKET_IDLE_TIMEOUT_SECONDS = 4000;

/** The ALB's default idle timeout (elbv2 idle_timeout.timeout_seconds), kept when no target serves WebSockets. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

/**
 * Limits of one ALB's rules (elbv2 "Condition types for listener rules": up to three match evaluations per
 * condition and five per rule, at most five wildcards per rule; "Quotas for your Application Load Balancers":
 * 100 rules per load balancer not counting the default ones, 25 certificates per load balancer not counting the
 * default one, 100 target groups per load balancer; priorities 1-50000, elbv2 CreateRule Priority).
 */
export const ALB_LIMITS = {
    valuesPerCondition: 3,
    valuesPerRule: 5,
    rules: 100,
    certificates: 25,
    targetGroups: 100,
    maxPriority: 50_000,
} as const;

/**
 * Each name's rules take priorities from a block of this many, found from the name: adding or removing one name
 * never moves another's. A name has at most 31 rules (MAX_PATH_PREFIXES prefixes times a rule per three of
 * MAX_ALLOWED_CIDRS blocks, and its 403), so 1,250 blocks fit the 50,000 priorities and two names rarely meet.
 */
export const PRIORITY_BLOCK = 40;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function httpsLoadBalancerDefaults(args: HttpsLoadBalancerArgs, domain: string): { fqdn: string; allowedCidrs: string[] } {
    if (!LABEL.test(args.hostname)) throw new Error(`https load balancer: hostname "${args.hostname}" must be one DNS label (lowercase letters, digits, dashes)`);
    const problem = args.allowedCidrs === undefined ? undefined : allowlistProblem(args.allowedCidrs);
    if (problem) throw new Error(`https load balancer ${args.hostname}: allowedCidrs: ${problem}`);
    const pathProblem = args.pathPrefixes === undefined ? undefined : pathPrefixesProblem(args.pathPrefixes);
    if (pathProblem) throw new Error(`https load balancer ${args.hostname}: pathPrefixes: ${pathProblem}`);
    return { fqdn: `${args.hostname}.${domain}`, allowedCidrs: args.allowedCidrs ?? [...EVERYONE] };
}

/** Which rule field a CIDR goes in. */
export function cidrField(cidr: string): { cidrIpv4: string } | { cidrIpv6: string } {
    return cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
}

/** One listener rule of a name, in the order they are evaluated. */
export interface HostRule {
    hostHeader: string;
    /** Path patterns, any of which matches ("*" matches any characters, "/" included: elbv2 PathPatternConditionConfig). */
    pathPatterns?: string[];
    sourceIps?: string[];
    action: "forward" | "forbidden";
}

/**
 * The rules that give a name what it had on a load balancer of its own: its target for the given path prefixes
 * (every path without them), and, with an allowlist that does not admit every IPv4 address (the ALB speaks
 * IPv4), only from the allowlist's blocks, three to a rule, then a 403 for every other source on those paths.
 * Requests of the name that match no rule (a path not served, whoever asks) fall to the listener's 404, as on
 * GCP, where Cloud Armor answers 404 for a path before 403 for a source.
 */
export function hostRules(fqdn: string, allowedCidrs: readonly string[], pathPrefixes?: readonly string[]): HostRule[] {
    const patterns = pathPrefixes?.map(p => `${p}*`);
    const paths: (string[] | undefined)[] = patterns ? patterns.map(p => [p]) : [undefined];
    const restricted = !admitsEveryIpv4(allowedCidrs);
    const sourceSets: (string[] | undefined)[] = [];
    if (restricted) {
        for (let i = 0; i < allowedCidrs.length; i += ALB_LIMITS.valuesPerCondition) sourceSets.push(allowedCidrs.slice(i, i + ALB_LIMITS.valuesPerCondition));
    } else {
        sourceSets.push(undefined);
    }
    const rules: HostRule[] = [];
    for (const pathPatterns of paths) {
        for (const sourceIps of sourceSets) {
            rules.push({ hostHeader: fqdn, ...(pathPatterns ? { pathPatterns } : {}), ...(sourceIps ? { sourceIps } : {}), action: "forward" });
        }
    }
    if (restricted) rules.push({ hostHeader: fqdn, ...(patterns ? { pathPatterns: patterns } : {}), action: "forbidden" });
    return rules;
}

/** A rule's conditions as the provider takes them. */
export function ruleConditions(rule: HostRule): aws.types.input.lb.ListenerRuleCondition[] {
    return [
        { hostHeader: { values: [rule.hostHeader] } },
        ...(rule.pathPatterns ? [{ pathPattern: { values: rule.pathPatterns } }] : []),
        ...(rule.sourceIps ? [{ sourceIp: { values: rule.sourceIps } }] : []),
    ];
}

/** FNV-1a, 32 bits: a stable number from a name. */
function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(text, "utf8")) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    return hash;
}

/**
 * A name's block of rule priorities, picked from the name alone. Priorities only order rules of one name (no two
 * names' rules ever match the same request), so a name keeps its block whatever names come and go, and no update
 * ever moves a rule onto a priority another still holds (a listener refuses two rules of one priority). Two
 * names whose blocks meet are refused rather than moved.
 */
export function priorityBlock(hostname: string, taken: ReadonlyMap<number, string>): number {
    const block = fnv1a(hostname) % Math.floor(ALB_LIMITS.maxPriority / PRIORITY_BLOCK);
    const other = taken.get(block);
    if (other !== undefined) throw new Error(`https load balancer ${hostname}: its listener rule priorities (block ${block}) are ${other}'s; rename one of the two`);
    return block;
}

export interface HttpsEntryPointArgs {
    prefix: string;
    profile: Profile;
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
}

/** What a name is given by the entry point: where its rules and its certificate go, and where its DNS record points. */
export interface EntryPointHost {
    listener: aws.lb.Listener;
    firstPriority: number;
    dnsTarget: DnsTarget;
}

interface DeclaredHost {
    hostname: string;
    allowedCidrs: readonly string[];
    rules: number;
    target: AwsLoadBalancerTarget;
}

/** The resources every name shares, as one component. */
class AwsHttpsEntryPoint extends pulumi.ComponentResource {
    readonly securityGroup: aws.ec2.SecurityGroup;
    constructor(name: string, args: HttpsEntryPointArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.httpsEntryPoint, name, {}, opts);
        this.securityGroup = new aws.ec2.SecurityGroup(`${name}-alb`, {
            vpcId: args.vpcId,
            description: `HTTPS entry point of ${args.prefix}`,
        }, { parent: this });
    }

    done(outputs: Record<string, unknown>): void {
        this.registerOutputs(outputs);
    }
}

/**
 * The stack's one ALB, made when the first target or name needs it: its security group (which every target
 * lets in), the ALB and its two listeners with the first name, and, in finish(), who may connect (the union of
 * the names' allowlists: each name's own is held by its source-ip rules) and how long idle connections live.
 */
export class HttpsEntryPoint {
    private component?: AwsHttpsEntryPoint;
    private https?: { alb: aws.lb.LoadBalancer; listener: aws.lb.Listener };
    private readonly hosts: DeclaredHost[] = [];
    private readonly blocks = new Map<number, string>();
    private readonly targets: AwsLoadBalancerTarget[] = [];
    private readonly idleTimeout: Deferred<number> = deferred<number>();
    private finished = false;

    constructor(private readonly args: HttpsEntryPointArgs, private readonly opts: pulumi.ComponentResourceOptions) {}

    private entry(): AwsHttpsEntryPoint {
        this.component ??= new AwsHttpsEntryPoint("https", this.args, this.opts);
        return this.component;
    }

    /** The ALB's security group: what services let in on their targets' ports. */
    get securityGroup(): aws.ec2.SecurityGroup {
        return this.entry().securityGroup;
    }

    /** A target made for this entry point: finish() refuses one that no name serves, whose services would wait for ever. */
    addTarget(target: AwsLoadBalancerTarget): void {
        this.targets.push(target);
    }

    /** Declares a name: the listener (made with the first name's certificate) and the block its rules take. */
    addHost(host: DeclaredHost, certificateArn: pulumi.Input<string>): EntryPointHost {
        if (this.finished) throw new Error(`https load balancer ${host.hostname}: declared after the stack's HTTPS entry point was finished`);
        if (this.hosts.some(h => h.hostname === host.hostname)) throw new Error(`https load balancer: hostname ${host.hostname} is declared twice`);
        const entry = this.entry();
        const parent = { parent: entry };
        if (!this.https) {
            const alb = new aws.lb.LoadBalancer(awsLogicalName("loadBalancer", "https-alb"), {
                loadBalancerType: "application",
                internal: false,
                subnets: this.args.publicSubnetIds,
                securityGroups: [entry.securityGroup.id],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: this.args.profile === "prod",
                // An ALB closes a connection idle this long; a swarm WebSocket can be quiet for minutes.
                idleTimeout: pulumi.output(this.idleTimeout.promise),
                // Access logs stay off: they need a log bucket of their own and the services log every request.
            }, parent);
            const listener = new aws.lb.Listener("https-listener", {
                loadBalancerArn: alb.arn,
                port: HTTPS_PORT,
                protocol: "HTTPS",
                sslPolicy: TLS_POLICY,
                certificateArn,
                defaultActions: [PATH_NOT_FORWARDED],
            }, parent);
            new aws.lb.Listener("http-listener", {
                loadBalancerArn: alb.arn,
                port: HTTP_PORT,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(HTTPS_PORT), statusCode: "HTTP_301" } }],
            }, parent);
            this.https = { alb, listener };
        }
        const block = priorityBlock(host.hostname, this.blocks);
        this.blocks.set(block, host.hostname);
        this.hosts.push(host);
        const { alb, listener } = this.https;
        return { listener, firstPriority: block * PRIORITY_BLOCK + 1, dnsTarget: { type: "ALIAS", name: alb.dnsName, zoneId: alb.zoneId } };
    }

    /** Settles what depends on every name: the sources let in, the idle timeout, the load balancer's limits. */
    finish(): void {
        if (this.finished) return;
        this.finished = true;
        const problems = [
            ...entryPointProblems(this.hosts),
            ...this.targets.filter(t => !t.served).map(t => `load balancer target ${t.targetName} has no HTTPS load balancer: ECS attaches its services only once a listener rule forwards to it, so they would wait for ever`),
        ];
        if (problems.length > 0) throw new Error(`the stack's HTTPS entry point:\n  - ${problems.join("\n  - ")}`);
        const websocket = this.hosts.some(h => h.target.websocket);
        this.idleTimeout.resolve(websocket ? WEBSOCKET_IDLE_TIMEOUT_SECONDS : DEFAULT_IDLE_TIMEOUT_SECONDS);
        if (!this.component) return;
        const parent = { parent: this.component };
        const sources = entrySources(this.hosts.map(h => h.allowedCidrs));
        for (const cidr of sources) {
            for (const port of [HTTPS_PORT, HTTP_PORT]) {
                new aws.vpc.SecurityGroupIngressRule(`https-in-${port}-${cidr.replace(/[.:/]/g, "-")}`, {
                    securityGroupId: this.component.securityGroup.id,
                    ...cidrField(cidr),
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: port === HTTPS_PORT ? "HTTPS" : "HTTP, redirected to HTTPS",
                }, parent);
            }
        }
        this.component.done({ hostnames: this.hosts.map(h => h.hostname), sources });
    }
}

/** The blocks the load balancer's security group lets in: every address when any name admits every IPv4 address, else every name's blocks. */
export function entrySources(allowlists: readonly (readonly string[])[]): string[] {
    if (allowlists.some(admitsEveryIpv4)) return [...EVERYONE];
    return [...new Set(allowlists.flat())].sort();
}

/**
 * Inbound rules a security group holds per address family by default ("Inbound or outbound rules per security
 * group", quota L-0EA8095F: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
 */
export const INBOUND_RULES_PER_FAMILY = 60;

/** What one ALB cannot hold, as sentences. */
export function entryPointProblems(hosts: readonly { hostname: string; rules: number; allowedCidrs: readonly string[]; target: { targetName: string } }[]): string[] {
    const problems: string[] = [];
    const sources = entrySources(hosts.map(h => h.allowedCidrs));
    for (const family of ["IPv4", "IPv6"] as const) {
        const rules = 2 * sources.filter(c => c.includes(":") === (family === "IPv6")).length;
        if (rules > INBOUND_RULES_PER_FAMILY) {
            problems.push(`its names' allowlists hold ${rules / 2} distinct ${family} blocks, ${rules} inbound rules of its security group (443 and 80 each); a security group holds ${INBOUND_RULES_PER_FAMILY} per family: cover neighbouring networks with a shorter prefix`);
        }
    }
    for (const h of hosts.filter(x => x.rules > PRIORITY_BLOCK)) problems.push(`${h.hostname} needs ${h.rules} listener rules; a name's block of priorities holds ${PRIORITY_BLOCK}`);
    const rules = hosts.reduce((n, h) => n + h.rules, 0);
    if (rules > ALB_LIMITS.rules) {
        problems.push(`its names need ${rules} listener rules (${hosts.map(h => `${h.hostname} ${h.rules}`).join(", ")}); an ALB holds ${ALB_LIMITS.rules}: shorten the allowlists or the path prefixes`);
    }
    if (hosts.length - 1 > ALB_LIMITS.certificates) problems.push(`${hosts.length} names need ${hosts.length} certificates; an ALB holds ${ALB_LIMITS.certificates} besides its default one`);
    const targets = new Set(hosts.map(h => h.target.targetName)).size;
    if (targets > ALB_LIMITS.targetGroups) problems.push(`${targets} target groups; an ALB takes ${ALB_LIMITS.targetGroups}`);
    return problems;
}

export interface AwsHttpsLoadBalancerArgs extends HttpsLoadBalancerArgs {
    target: AwsLoadBalancerTarget;
    domain: string;
    entryPoint: HttpsEntryPoint;
    /** Where the name and the certificate's validation record go; none means the operator creates them. */
    dns: AwsDns | undefined;
}

/** One name of the stack's HTTPS entry point: its certificate, its rules and its DNS record. */
export class AwsHttpsLoadBalancer extends pulumi.ComponentResource implements HttpsLoadBalancer {
    readonly fqdn: string;
    readonly url: string;
    readonly dnsTarget: DnsTarget;
    readonly certificateArn: pulumi.Output<string>;
    /** The record that proves the name to ACM; create it by hand when the stack manages no DNS. */
    readonly validationRecord: pulumi.Output<ValidationRecord>;

    constructor(name: string, args: AwsHttpsLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        const { fqdn, allowedCidrs } = httpsLoadBalancerDefaults(args, args.domain);
        if (args.target.served) throw new Error(`https load balancer ${name}: target ${args.target.targetName} already has an HTTPS load balancer`);
        const rules = hostRules(fqdn, allowedCidrs, args.pathPrefixes);
        super(COMPONENT_TYPES.httpsLoadBalancer, name, {}, opts);
        this.fqdn = fqdn;
        this.url = `https://${fqdn}`;
        const parent = { parent: this };

        const certificate = new aws.acm.Certificate(`${name}-certificate`, {
            domainName: fqdn,
            validationMethod: "DNS",
        }, parent);
        this.validationRecord = certificate.domainValidationOptions.apply(options => {
            const o = options.find(v => v.domainName === fqdn) ?? options[0];
            return { name: o.resourceRecordName, type: o.resourceRecordType, value: o.resourceRecordValue };
        });
        if (args.dns) {
            const record = args.dns.record(`${name}-certificate-validation`, {
                fqdn: this.validationRecord.apply(r => r.name),
                target: { type: "CNAME", name: this.validationRecord.apply(r => r.value) },
                ttl: 60,
            }, this);
            const validation = new aws.acm.CertificateValidation(`${name}-certificate-validation`, {
                certificateArn: certificate.arn,
                validationRecordFqdns: [record.fqdn],
            }, parent);
            this.certificateArn = validation.certificateArn;
        } else {
            // Without a DNS provider nothing here can prove the name. ALB refuses an unissued certificate, so the
            // first `pulumi up` stops at the listener; once the operator has published `validationRecord` (also
            // visible on the certificate in the ACM console) and ACM has issued it, the next `up` completes.
            this.certificateArn = certificate.arn;
        }

        const host = args.entryPoint.addHost({ hostname: args.hostname, allowedCidrs, rules: rules.length, target: args.target }, this.certificateArn);
        // Clients pick a name's certificate by SNI. The listener's default one is the first name's, and is in the
        // listener's certificate list too (elbv2 DescribeListenerCertificates: "it appears twice"), so that when
        // another name becomes the first, every name keeps its certificate through the change.
        new aws.lb.ListenerCertificate(`${name}-certificate`, { listenerArn: host.listener.arn, certificateArn: this.certificateArn }, parent);
        const forward = { type: "forward", targetGroupArn: args.target.targetGroup.arn };
        const made = rules.map((rule, i) => new aws.lb.ListenerRule(`${name}-rule-${i}`, {
            listenerArn: host.listener.arn,
            priority: host.firstPriority + i,
            actions: [rule.action === "forward" ? forward : SOURCE_NOT_ALLOWED],
            conditions: ruleConditions(rule),
        }, parent));
        // ECS attaches a service to a target group only once a listener or rule forwards to it.
        args.target.markAttached(made[0]);

        this.dnsTarget = host.dnsTarget;
        if (args.dns) args.dns.record(`${name}-name`, { fqdn, target: this.dnsTarget }, this);

        this.registerOutputs({ fqdn: this.fqdn, url: this.url, validationRecord: this.validationRecord });
    }
}
