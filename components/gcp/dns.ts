// Public records in a Cloud DNS managed zone the operator already owns (`dns.zone`).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Dns, DnsRecord, DnsRecordArgs, DnsTarget } from "../topology";

export const CLOUD_DNS_DEFAULT_TTL = 300;

/** Cloud DNS wants fully qualified names, with the root's dot. */
function absolute(name: pulumi.Input<string>): pulumi.Input<string> {
    return pulumi.output(name).apply(n => (n.endsWith(".") ? n : `${n}.`));
}

/** The record type and data for a target. Cloud DNS has no alias records: an alias is an AWS notion. */
export function cloudDnsRecord(fqdn: string, target: DnsTarget): { type: string; rrdatas: pulumi.Input<string>[] } {
    switch (target.type) {
        case "A":
            if (target.addresses.length === 0) throw new Error(`DNS record ${fqdn}: an A record needs at least one address`);
            return { type: "A", rrdatas: target.addresses };
        case "CNAME":
            return { type: "CNAME", rrdatas: [absolute(target.name)] };
        case "ALIAS":
            throw new Error(`DNS record ${fqdn}: Cloud DNS has no ALIAS records; point it at addresses (A) or a name (CNAME)`);
    }
}

export interface GcpDnsRecordArgs extends DnsRecordArgs {
    managedZone: string;
}

export class GcpDnsRecord extends pulumi.ComponentResource implements DnsRecord {
    readonly fqdn: string;

    constructor(name: string, args: GcpDnsRecordArgs, opts?: pulumi.ComponentResourceOptions) {
        const record = cloudDnsRecord(args.fqdn, args.target);
        super(COMPONENT_TYPES.dnsRecord, name, {}, opts);
        this.fqdn = args.fqdn;
        new gcp.dns.RecordSet(`${name}-record`, {
            managedZone: args.managedZone,
            name: absolute(args.fqdn),
            type: record.type,
            ttl: args.ttl ?? CLOUD_DNS_DEFAULT_TTL,
            rrdatas: record.rrdatas,
        }, { parent: this });
        this.registerOutputs({ fqdn: this.fqdn });
    }
}

export class CloudDns implements Dns {
    readonly provider = "clouddns";

    constructor(private readonly managedZone: string, private readonly gcpProvider: gcp.Provider) {}

    record(name: string, args: DnsRecordArgs, parent?: pulumi.Resource): GcpDnsRecord {
        return new GcpDnsRecord(name, { ...args, managedZone: this.managedZone }, { parent, provider: this.gcpProvider });
    }
}
