// An internet-facing ALB that terminates TLS for one name under the stack's domain and forwards to one
// target. Plain HTTP only ever answers with a redirect.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DnsTarget, HttpsLoadBalancer, HttpsLoadBalancerArgs, Profile } from "../topology";
import { EVERYONE, allowlistProblem } from "../topology/cidrs";
import { pathPrefixesProblem } from "../topology/rules";
import { HTTP_PORT, HTTPS_PORT, TLS_POLICY } from "./constants";
import { AwsDns } from "./dns";
import { AwsLoadBalancerTarget } from "./loadBalancerTarget";
import { awsLogicalName } from "./names";

export interface AwsHttpsLoadBalancerArgs extends HttpsLoadBalancerArgs {
    target: AwsLoadBalancerTarget;
    domain: string;
    profile: Profile;
    publicSubnetIds: pulumi.Input<string>[];
    /** Where the name and the certificate's validation record go; none means the operator creates them. */
    dns: AwsDns | undefined;
}

/** The record ACM checks before it issues the certificate. */
export interface ValidationRecord {
    name: string;
    type: string;
    value: string;
}

/** What the HTTPS listener answers a path no rule forwards: a plain 404, the target never asked. */
export const PATH_NOT_FORWARDED = {
    type: "fixed-response",
    fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" },
} as const;

/** The longest idle timeout an ALB accepts. */
export const WEBSOCKET_IDLE_TIMEOUT_SECONDS = 4000;

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
        super(COMPONENT_TYPES.httpsLoadBalancer, name, {}, opts);
        this.fqdn = fqdn;
        this.url = `https://${fqdn}`;
        const parent = { parent: this };
        const securityGroupId = args.target.albSecurityGroup.id;

        // Who may connect at all: the ALB has its own security group, so an allowlist holds for this name only.
        allowedCidrs.forEach((cidr, i) => {
            for (const port of [HTTPS_PORT, HTTP_PORT]) {
                new aws.vpc.SecurityGroupIngressRule(`${name}-in-${port}-${i}`, {
                    securityGroupId,
                    ...cidrField(cidr),
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: port === HTTPS_PORT ? "HTTPS" : "HTTP, redirected to HTTPS",
                }, parent);
            }
        });

        const alb = new aws.lb.LoadBalancer(awsLogicalName("loadBalancer", `${name}-alb`), {
            loadBalancerType: "application",
            internal: false,
            subnets: args.publicSubnetIds,
            securityGroups: [securityGroupId],
            dropInvalidHeaderFields: true,
            enableDeletionProtection: args.profile === "prod",
            // An ALB closes a connection idle this long; a swarm WebSocket can be quiet for minutes.
            ...(args.target.websocket ? { idleTimeout: WEBSOCKET_IDLE_TIMEOUT_SECONDS } : {}),
            // Access logs stay off: they need a log bucket of their own and the services log every request.
        }, parent);

        const certificate = new aws.acm.Certificate(`${name}-certificate`, {
            domainName: fqdn,
            validationMethod: "DNS",
        }, { parent: this });
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
            // first `pulumi up` stops at the HTTPS listener; once the operator has published `validationRecord`
            // (also visible on the certificate in the ACM console) and ACM has issued it, the next `up` completes.
            this.certificateArn = certificate.arn;
        }

        const forward = { type: "forward", targetGroupArn: args.target.targetGroup.arn };
        const https = new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: alb.arn,
            port: HTTPS_PORT,
            protocol: "HTTPS",
            sslPolicy: TLS_POLICY,
            certificateArn: this.certificateArn,
            defaultActions: [args.pathPrefixes ? PATH_NOT_FORWARDED : forward],
        }, parent);
        // Only the given prefixes reach the target: a rule each, ahead of the listener's 404. "*" in a path
        // pattern matches any characters, "/" included (elbv2 PathPatternConditionConfig).
        const rules = (args.pathPrefixes ?? []).map((prefix, i) => new aws.lb.ListenerRule(`${name}-path-${i}`, {
            listenerArn: https.arn,
            priority: i + 1,
            actions: [forward],
            conditions: [{ pathPattern: { values: [`${prefix}*`] } }],
        }, parent));
        new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: alb.arn,
            port: HTTP_PORT,
            protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(HTTPS_PORT), statusCode: "HTTP_301" } }],
        }, parent);
        // ECS attaches a service to a target group only once a listener or rule forwards to it.
        args.target.markAttached(rules[0] ?? https);

        this.dnsTarget = { type: "ALIAS", name: alb.dnsName, zoneId: alb.zoneId };
        if (args.dns) args.dns.record(`${name}-name`, { fqdn, target: this.dnsTarget }, this);

        this.registerOutputs({ fqdn: this.fqdn, url: this.url, validationRecord: this.validationRecord });
    }
}
