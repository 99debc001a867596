// What the local stack's end-to-end check (.github/scripts/local-stack-e2e.sh) needs to know of a stack, taken
// from the program's own settings and constants so the script repeats none of them: the stack file's effective
// settings (defaults applied), the names of the containers it looks into, the paths its health checks ask, and
// how long a Chainlink failover may take. Prints `name=value` lines; values never hold a space or a secret.
// Usage: tsx tools/local-stack-facts.ts <stack>
import { HEALTH as CERAMIC_HEALTH, CERAMIC_ONE_HEALTH } from "../components/ceramic/ports";
import { HEALTH_WATCH } from "../components/chainlink/node";
import { HEALTH as CHAINLINK_HEALTH, PORTS as CHAINLINK_PORTS } from "../components/chainlink/ports";
import { NODE_COUNT, durationSeconds, leaseRefreshInterval } from "../components/chainlink/settings";
import { CADDY_CONTAINER, CADDY_ROOT_CERTIFICATE } from "../components/docker/entryPoint";
import { LABELS, engineName } from "../components/docker/shared";
import { LOCAL_CLOUD, parseStackConfig } from "../stacks/config";
import { backendSettings } from "../stacks/program";
import { PROJECT } from "../stacks/validate";
import { standInMissingSecrets } from "./overrides";
import { readStackFile } from "./stackfile";

/**
 * The service the HTTPS entry point runs as (components/docker/index.ts finish: `new DockerEntryPoint("https", ...)`)
 * and the container of a Chainlink node's service (components/chainlink/node.ts nodeContainer). Neither is
 * exported; tests/local-stack-e2e.test.ts finds the names built from them in the synthesized local stack.
 */
export const ENTRY_POINT_SERVICE = "https";
export const CHAINLINK_CONTAINER = "chainlink";

/**
 * The standby retries the lease every LeaseRefreshInterval with up to 10 % jitter (smartcontractkit/chainlink
 * v2.29.0 core/services/pg/lease_lock.go TakeAndHold: utils.WithJitter, chainlink-common pkg/utils
 * timeutil.JitterPct(0.1)).
 */
const LEASE_RETRY_JITTER = 0.1;

export interface FailoverBound {
    /** The lease outlives its holder by at most LeaseDuration: the holder renewed it at most a refresh ago. */
    leaseSeconds: number;
    /** Then the standby's next try, a refresh interval with its jitter. */
    retrySeconds: number;
    /** Then its start, until its web server answers: what the node's own watch allows a new holder (HEALTH_WATCH.startupSeconds). */
    startupSeconds: number;
    totalSeconds: number;
}

export function failoverBound(leaseDuration: string): FailoverBound {
    const leaseSeconds = durationSeconds(leaseDuration);
    const retrySeconds = Math.ceil(durationSeconds(leaseRefreshInterval(leaseDuration)) * (1 + LEASE_RETRY_JITTER));
    const startupSeconds = HEALTH_WATCH.startupSeconds;
    return { leaseSeconds, retrySeconds, startupSeconds, totalSeconds: leaseSeconds + retrySeconds + startupSeconds };
}

export function localStackFacts(stack: string): Record<string, string | number> {
    const file = readStackFile(stack);
    const config = { ...file.config };
    const secretKeys = new Set(file.secretKeys);
    // The values of secrets play no part here: required ones not set yet are stood in, as the synth does.
    standInMissingSecrets(config, secretKeys, stack);
    const settings = parseStackConfig(config, secretKeys, stack);
    if (settings.cloud !== LOCAL_CLOUD) throw new Error(`${file.file}: ${PROJECT}:cloud is ${settings.cloud}; the end-to-end check runs a stack on ${LOCAL_CLOUD}`);
    for (const workload of ["ipfsCluster", "chainlink", "ceramic"] as const) {
        if (!settings[workload].enabled) throw new Error(`${file.file}: ${PROJECT}:${workload}.enabled is false; the end-to-end check needs every workload`);
    }
    // The prefix of every name, and the stack tag every object's stack label carries, as the program sets them.
    const context = backendSettings(settings, stack);
    const ceramicHealth = settings.ceramic.flavour === "ceramic-one" ? CERAMIC_ONE_HEALTH.readiness : CERAMIC_HEALTH.api;
    const bound = failoverBound(settings.chainlink.leaseDuration);
    return {
        cluster_peers: settings.ipfsCluster.peers,
        replication_factor_min: settings.ipfsCluster.replicationFactorMin,
        proxy_container: engineName(context, ENTRY_POINT_SERVICE, CADDY_CONTAINER.name),
        proxy_root_certificate: CADDY_ROOT_CERTIFICATE,
        ceramic_health_path: ceramicHealth.path,
        ceramic_health_status: ceramicHealth.status,
        chainlink_nodes: NODE_COUNT,
        chainlink_container_suffix: CHAINLINK_CONTAINER,
        chainlink_port: CHAINLINK_PORTS.http,
        chainlink_ready_path: CHAINLINK_HEALTH.path,
        chainlink_ready_status: CHAINLINK_HEALTH.status,
        chainlink_startup_seconds: HEALTH_WATCH.startupSeconds,
        lease_duration: settings.chainlink.leaseDuration,
        lease_seconds: bound.leaseSeconds,
        lease_retry_seconds: bound.retrySeconds,
        failover_bound_seconds: bound.totalSeconds,
        stack_prefix: context.prefix,
        stack_label: `${LABELS.stack}=${context.tags.stack}`,
    };
}

if (require.main === module) {
    try {
        const stack = process.argv[2];
        if (!stack) throw new Error("usage: tsx tools/local-stack-facts.ts <stack>");
        for (const [name, value] of Object.entries(localStackFacts(stack))) {
            if (/\s/.test(String(value))) throw new Error(`${name}: "${value}" holds a space`);
            process.stdout.write(`${name}=${value}\n`);
        }
    } catch (e) {
        process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(2);
    }
}
