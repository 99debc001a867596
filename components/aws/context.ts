// What every AWS primitive needs from the back-end that creates it: the stack's facts, the one explicit
// provider, the network, and the memoized resources several services share.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackendSettings, StackContext } from "../topology";
import type { AwsNetwork } from "./network";
import type { FileSystems } from "./volume";
import type { AwsDns } from "./dns";
import type { AwsRegistryMirror } from "./registryMirror";
import type { PublicLoadBalancers } from "./passthroughLoadBalancer";
import type { HttpsEntryPoint } from "./httpsLoadBalancer";

export interface AwsAccount {
    accountId: string;
    /** "aws", "aws-cn", "aws-us-gov". */
    partition: string;
    /** "amazonaws.com", or the partition's own. */
    dnsSuffix: string;
}

export interface AwsContext {
    readonly settings: BackendSettings;
    readonly stack: StackContext;
    readonly region: string;
    readonly account: AwsAccount;
    readonly provider: aws.Provider;
    readonly network: AwsNetwork;
    readonly fileSystems: FileSystems;
    readonly dns: AwsDns | undefined;
    /** Every task pulls its images through it. */
    readonly registryMirror: AwsRegistryMirror;
    /** The stack's public addresses: every service's swarm ports and every shared address. */
    readonly publicLoadBalancers: PublicLoadBalancers;
    /** The stack's one HTTPS entry point: every HTTPS name, every load balancer target. */
    readonly httpsEntryPoint: HttpsEntryPoint;
    /** The security group that is a service's network identity; created on first mention, by owner or by rule. */
    accessGroup(group: string): aws.ec2.SecurityGroup;
}

/** Options for a primitive declared by the back-end: every child inherits the explicit provider. */
export function primitiveOptions(ctx: Pick<AwsContext, "provider">, parent?: pulumi.Resource): pulumi.ComponentResourceOptions {
    return { providers: [ctx.provider], ...(parent ? { parent } : {}) };
}


/** Narrows a provider-neutral value to the AWS implementation this back-end made, with a clear error otherwise. */
export function expectAws<T>(value: unknown, cls: abstract new (...args: never[]) => T, what: string): T {
    if (value instanceof cls) return value;
    throw new Error(`${what} was not created by the AWS back-end; pass objects made by this stack's backend`);
}
