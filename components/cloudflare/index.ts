// DNS records on Cloudflare, usable with either cloud. Records are DNS-only: proxying would terminate
// libp2p and TLS at Cloudflare's edge, and the swarm and the load balancers' certificates need them end to end.
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Dns, DnsRecordArgs, DnsTarget } from "../topology";

/** TTL when a record does not name one (Cloudflare's "automatic" is 1). */
export const CLOUDFLARE_DEFAULT_TTL = 300;

/** DnsRecordArgs whose name may be computed (a certificate validation record is named by the CA). */
export type CloudflareRecordInput<F extends pulumi.Input<string>> = Omit<DnsRecordArgs, "fqdn"> & { fqdn: F };

export interface CloudflareDnsOptions {
    /** Defaults to the program's default Cloudflare provider (config `cloudflare:apiToken`). */
    provider?: cloudflare.Provider;
}

/** One Cloudflare record per value: Cloudflare holds a single content per record. */
export function cloudflareRecords(target: DnsTarget): { type: string; content: pulumi.Input<string> }[] {
    switch (target.type) {
        case "A":
            return target.addresses.map(content => ({ type: "A", content }));
        case "CNAME":
            return [{ type: "CNAME", content: target.name }];
        case "ALIAS":
            // Cloudflare flattens a CNAME at the zone apex, which is what an alias is for.
            return [{ type: "CNAME", content: target.name }];
    }
}

/** Cloudflare takes names without the root's trailing dot. */
function withoutTrailingDot(name: pulumi.Input<string>): pulumi.Input<string> {
    return typeof name === "string" ? name.replace(/\.$/, "") : pulumi.output(name).apply(n => n.replace(/\.$/, ""));
}

export interface CloudflareDnsRecordArgs<F extends pulumi.Input<string>> extends CloudflareRecordInput<F> {
    zoneId: string;
}

export class CloudflareDnsRecord<F extends pulumi.Input<string> = string> extends pulumi.ComponentResource {
    readonly fqdn: F;

    constructor(name: string, args: CloudflareDnsRecordArgs<F>, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.dnsRecord, name, {}, opts);
        this.fqdn = args.fqdn;
        const records = cloudflareRecords(args.target);
        records.forEach((record, i) => {
            new cloudflare.DnsRecord(records.length === 1 ? `${name}-record` : `${name}-record-${i}`, {
                zoneId: args.zoneId,
                name: withoutTrailingDot(args.fqdn),
                type: record.type,
                content: withoutTrailingDot(record.content),
                ttl: args.ttl ?? CLOUDFLARE_DEFAULT_TTL,
                proxied: false,
                comment: "managed by pulumi (web3-nodes)",
            }, { parent: this });
        });
        this.registerOutputs({ fqdn: this.fqdn });
    }
}

export class CloudflareDns implements Dns {
    readonly provider = "cloudflare";

    constructor(private readonly zoneId: string, private readonly opts: CloudflareDnsOptions = {}) {}

    record<F extends pulumi.Input<string> = string>(name: string, args: CloudflareRecordInput<F>, parent?: pulumi.Resource): CloudflareDnsRecord<F> {
        const providers = this.opts.provider ? [this.opts.provider] : undefined;
        return new CloudflareDnsRecord(name, { ...args, zoneId: this.zoneId }, { parent, providers });
    }
}
