// The naming rules of the Cloudflare resources the program declares.
import { NameRule, dnsNameRule } from "../topology/names";

export const CLOUDFLARE_NAME_RULES = {
    dnsRecord: dnsNameRule("cloudflare:index/dnsRecord:DnsRecord", "name"),
} satisfies Record<string, NameRule>;
