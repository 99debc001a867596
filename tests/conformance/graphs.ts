// The synthesized graphs the conformance tests judge against the clouds' own rules: every stack file on every
// cloud, plus the prod stack with the largest IPFS cluster the tests cover. Each graph is synthesized once per
// test run and shared by every conformance test file (mocha runs them in one process).
import { Cloud } from "../../components/topology";
import { CLOUDS } from "../../stacks/config";
import { listStacks } from "../../tools/stackfile";
import { SynthReport, SynthRequest, synthStack } from "../../tools/synth";

/** Peers in the large-cluster case: enough that every per-peer name, port and rule repeats many times. */
export const LARGE_CLUSTER_PEERS = 30;

export interface GraphCase {
    /** e.g. "prod on gcp" or "prod on aws with 30 peers": names the case in test titles. */
    label: string;
    cloud: Cloud;
    request: SynthRequest;
}

export function graphCases(): GraphCase[] {
    const cases: GraphCase[] = [];
    for (const stack of listStacks()) {
        for (const cloud of CLOUDS) cases.push({ label: `${stack} on ${cloud}`, cloud, request: { stack, cloud } });
    }
    for (const cloud of CLOUDS) {
        cases.push({
            label: `prod on ${cloud} with ${LARGE_CLUSTER_PEERS} peers`,
            cloud,
            request: { stack: "prod", cloud, set: { "ipfsCluster.peers": LARGE_CLUSTER_PEERS } },
        });
    }
    return cases;
}

const cache = new Map<string, Promise<SynthReport>>();

/** The graph of one case, synthesized on first use. */
export function graphOf(c: GraphCase): Promise<SynthReport> {
    let report = cache.get(c.label);
    if (!report) {
        report = synthStack(c.request);
        cache.set(c.label, report);
    }
    return report;
}
