// Runs botocore's own request validator (Debian's python3-botocore) over a batch of AWS API requests in one
// Python process: loading the service models is most of the cost, so every request of a test run goes at once.
import { spawnSync } from "child_process";
import * as path from "path";
import { ApiRequest } from "./awsRequests";

/** The system Python, where Debian installs botocore (.ci/run installs python3-botocore). */
export const SYSTEM_PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(__dirname, "botocore_validate.py");

export interface BotocoreVerdict {
    /** botocore's version: which service models judged the requests. */
    version: string;
    /** The problems of each request, in the order given; empty when botocore accepts it. */
    problems: string[][];
}

export function validateWithBotocore(requests: ApiRequest[]): BotocoreVerdict {
    const input = JSON.stringify(requests.map(r => ({ service: r.service, operation: r.operation, params: r.params })));
    const run = spawnSync(SYSTEM_PYTHON, [SCRIPT], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw new Error(`${SYSTEM_PYTHON} did not run: ${run.error.message}; install python3-botocore (.ci/run does)`);
    if (run.status !== 0) throw new Error(`botocore validation failed to run (exit ${run.status}): ${run.stderr}`);
    const out = JSON.parse(run.stdout) as { botocore: string; results: string[][] };
    return { version: out.botocore, problems: out.results };
}
