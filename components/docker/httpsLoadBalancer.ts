// An HTTPS load balancer on a Docker engine: one name, https://<hostname>.<domain> (under localhost), served by
// the stack's one HTTPS entry point (./entryPoint.ts), which the back-end builds once every name is known.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DnsTarget, HttpsLoadBalancer, HttpsLoadBalancerArgs } from "../topology";
import { pathPrefixesProblem } from "../topology/rules";
import { DockerLoadBalancerTarget } from "./loadBalancerTarget";
import { expectDocker } from "./shared";

/** Where the host reaches the entry point: loopback alone, on the HTTPS port browsers and curl assume. */
export const ENTRY_POINT_ADDRESS = "127.0.0.1";
export const ENTRY_POINT_PORT = 443;

export class DockerHttpsLoadBalancer extends pulumi.ComponentResource implements HttpsLoadBalancer {
    readonly fqdn: string;
    readonly url: string;
    /** Names under localhost resolve to loopback with no record (RFC 6761 section 6.3). */
    readonly dnsTarget: DnsTarget;
    readonly target: DockerLoadBalancerTarget;
    readonly allowedCidrs?: string[];
    readonly pathPrefixes?: string[];

    constructor(name: string, args: HttpsLoadBalancerArgs, domain: string, opts?: pulumi.ComponentResourceOptions) {
        if (args.pathPrefixes !== undefined) {
            const problem = pathPrefixesProblem(args.pathPrefixes);
            if (problem) throw new Error(`https load balancer ${name}: pathPrefixes: ${problem}`);
        }
        super(COMPONENT_TYPES.httpsLoadBalancer, name, {}, opts);
        this.fqdn = `${args.hostname}.${domain}`;
        this.url = `https://${this.fqdn}`;
        this.dnsTarget = { type: "A", addresses: [ENTRY_POINT_ADDRESS] };
        this.target = expectDocker(args.target, DockerLoadBalancerTarget, `load balancer target ${args.target.targetName}`);
        this.allowedCidrs = args.allowedCidrs;
        this.pathPrefixes = args.pathPrefixes;
        this.registerOutputs({ fqdn: this.fqdn, url: this.url });
    }
}
