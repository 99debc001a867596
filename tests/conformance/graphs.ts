// The synthesized graphs the conformance tests judge against the clouds' own rules: every stack file on every
// cloud its profile runs on, plus the prod stack with the largest IPFS cluster the tests cover and the prod stack
// under the longest stack name and domain the config allows. The stack files of the local profile run on the
// local Docker engine alone: they are localGraphCases, apart from the public clouds' cases. Each graph is
// synthesized once per test run and shared by every test file (mocha runs them in one process).
import { PublicCloud } from "../../components/topology";
import { CLOUDS, LOCAL_CLOUD, STACK_NAME_MAX, maxDomainLength } from "../../stacks/config";
import { workloadSections } from "../../stacks/sections";
import { listStacks, stackClouds } from "../../tools/stackfile";
import { SynthReport, SynthRequest, synthStack } from "../../tools/synth";

/** Peers in the large-cluster case: enough that every per-peer name, port and rule repeats many times. */
export const LARGE_CLUSTER_PEERS = 30;

/** The longest stack name the config allows. */
export const LONGEST_STACK_NAME = "x".repeat(STACK_NAME_MAX);
/** The longest domain the config allows a stack that enables every workload (prod does). */
export const LONGEST_DOMAIN = domainOfLength(maxDomainLength(Object.values(workloadSections).flatMap(s => s.hostnames)));

/** A valid DNS name of exactly `length` characters. */
export function domainOfLength(length: number): string {
    const apex = ".example.com";
    return `${"d".repeat(length - apex.length)}${apex}`;
}

export interface GraphCase {
    /** e.g. "prod on gcp" or "prod on aws with 30 peers": names the case in test titles. */
    label: string;
    cloud: PublicCloud;
    request: SynthRequest;
}

/** The committed stack files that run on the public clouds (every profile but local). */
export function cloudStacks(): string[] {
    return listStacks().filter(stack => !stackClouds(stack).includes(LOCAL_CLOUD));
}

export function graphCases(): GraphCase[] {
    const cases: GraphCase[] = [];
    for (const stack of cloudStacks()) {
        for (const cloud of CLOUDS) cases.push({ label: `${stack} on ${cloud}`, cloud, request: { stack, cloud } });
    }
    for (const cloud of CLOUDS) {
        cases.push({
            label: `prod on ${cloud} with ${LARGE_CLUSTER_PEERS} peers`,
            cloud,
            request: { stack: "prod", cloud, set: { "ipfsCluster.peers": LARGE_CLUSTER_PEERS } },
        });
        cases.push({
            label: `prod on ${cloud} with the longest stack name and domain`,
            cloud,
            request: { stack: "prod", stackName: LONGEST_STACK_NAME, cloud, set: { domain: LONGEST_DOMAIN } },
        });
    }
    return cases;
}

const cache = new Map<string, Promise<SynthReport>>();

/** The graph of one case, synthesized on first use. */
export function graphOf(c: GraphCase | LocalGraphCase): Promise<SynthReport> {
    let report = cache.get(c.label);
    if (!report) {
        report = synthStack(c.request);
        cache.set(c.label, report);
    }
    return report;
}

/** A stack file of the local profile, on the local Docker engine. */
export interface LocalGraphCase {
    label: string;
    cloud: typeof LOCAL_CLOUD;
    request: SynthRequest;
}

export function localGraphCases(): LocalGraphCase[] {
    return listStacks().filter(stack => stackClouds(stack).includes(LOCAL_CLOUD))
        .map(stack => ({ label: `${stack} on ${LOCAL_CLOUD}`, cloud: LOCAL_CLOUD, request: { stack, cloud: LOCAL_CLOUD } }));
}
