// DNS records in a Route 53 hosted zone. An ALIAS target becomes a Route 53 alias A record, which answers
// with the load balancer's current addresses and costs nothing per query.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Dns, DnsRecordArgs, DnsTarget } from "../topology";
import { CloudflareDns } from "../cloudflare";
import { DEFAULT_DNS_TTL } from "./constants";

/**
 * DnsRecordArgs whose name may be computed. The topology's `fqdn` is a plain string; certificate validation
 * records are named by ACM only once the certificate exists.
 */
export type DnsRecordInput<F extends pulumi.Input<string>> = Omit<DnsRecordArgs, "fqdn"> & { fqdn: F };

/** The DNS providers the AWS back-end can write to. */
export type AwsDns = Route53Dns | CloudflareDns;

/** The record set a target becomes in Route 53. */
export function route53RecordSet(target: DnsTarget, ttl: number | undefined): Pick<aws.route53.RecordArgs, "type" | "records" | "ttl" | "aliases"> {
    switch (target.type) {
        case "A":
            return { type: "A", records: target.addresses, ttl: ttl ?? DEFAULT_DNS_TTL };
        case "CNAME":
            return { type: "CNAME", records: [target.name], ttl: ttl ?? DEFAULT_DNS_TTL };
        case "ALIAS":
            // Alias records carry no TTL of their own: Route 53 uses the target's.
            return { type: "A", aliases: [{ name: target.name, zoneId: target.zoneId, evaluateTargetHealth: true }] };
    }
}

export interface Route53DnsRecordArgs<F extends pulumi.Input<string>> extends DnsRecordInput<F> {
    zoneId: string;
}

export class Route53DnsRecord<F extends pulumi.Input<string> = string> extends pulumi.ComponentResource {
    readonly fqdn: F;

    constructor(name: string, args: Route53DnsRecordArgs<F>, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.dnsRecord, name, {}, opts);
        this.fqdn = args.fqdn;
        new aws.route53.Record(`${name}-record`, {
            zoneId: args.zoneId,
            name: args.fqdn,
            ...route53RecordSet(args.target, args.ttl),
        }, { parent: this });
        this.registerOutputs({ fqdn: this.fqdn });
    }
}

export class Route53Dns implements Dns {
    readonly provider = "route53";

    constructor(private readonly zoneId: string, private readonly awsProvider: aws.Provider) {}

    record<F extends pulumi.Input<string> = string>(name: string, args: DnsRecordInput<F>, parent?: pulumi.Resource): Route53DnsRecord<F> {
        return new Route53DnsRecord(name, { ...args, zoneId: this.zoneId }, { parent, providers: [this.awsProvider] });
    }
}
