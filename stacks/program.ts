// The composition root: read and validate the stack's configuration, pick the back-end, build the workloads
// the stack enables and return the stack outputs.
import * as pulumi from "@pulumi/pulumi";
import { Backend, BackendSettings } from "../components/topology";
import { createAwsBackend } from "../components/aws";
import { createGcpBackend } from "../components/gcp";
import { IpfsCluster } from "../components/ipfs-cluster";
import { StackConfig, locationOf, parseConfig } from "./config";
import { PROJECT } from "./validate";

/** Every `web3-nodes:` key of the running stack, objects parsed from their JSON form. */
export function rawStackConfig(): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue;
        raw[fullKey.slice(PROJECT.length + 1)] = parseValue(value);
    }
    return raw;
}

function parseValue(value: string): unknown {
    const trimmed = value.trim();
    if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+)$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}

export function backendSettings(config: StackConfig, stack: string): BackendSettings {
    const location = locationOf(config);
    return {
        prefix: `web3-${stack}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 20).replace(/-$/, ""),
        profile: config.profile,
        domain: config.domain,
        tags: { ...config.tags, "managed-by": "pulumi", stack: stack.toLowerCase().replace(/[^a-z0-9_-]/g, "-") },
        logRetentionDays: config.logRetentionDays,
        backupRetentionDays: config.backupRetentionDays,
        region: location.region,
        zones: location.zones,
        project: config.gcp.project,
        network: { cidr: config.network.cidr, natAddresses: config.network.natAddresses },
        dns: config.dns,
    };
}

export async function createBackend(config: StackConfig, stack: string): Promise<Backend> {
    const settings = backendSettings(config, stack);
    return config.cloud === "aws" ? createAwsBackend(settings) : createGcpBackend(settings);
}

/** The whole program. Config is validated before any resource is declared. */
export async function run(): Promise<Record<string, unknown>> {
    const config = parseConfig(rawStackConfig());
    const backend = await createBackend(config, pulumi.getStack());
    return {
        cloud: backend.cloud,
        profile: config.profile,
        region: locationOf(config).region,
        zones: backend.context.zones,
        domain: config.domain,
        egressIps: backend.network.egressIps,
        ...ipfsClusterOutputs(config, backend),
    };
}

/** The IPFS cluster, when the stack enables it: where to reach it and what each peer is. */
function ipfsClusterOutputs(config: StackConfig, backend: Backend): Record<string, unknown> {
    const { enabled, ...settings } = config.ipfsCluster;
    if (!enabled) return {};
    const cluster = new IpfsCluster("ipfs-cluster", settings, backend);
    return {
        ipfsCluster: {
            restApiUrl: cluster.restApiUrl,
            restApiUser: cluster.restApiUser,
            restApiPassword: cluster.restApiPassword,
            gatewayUrl: cluster.gatewayUrl,
            peers: cluster.peers,
        },
    };
}
