// The composition root: read and validate the stack's configuration, pick the back-end, build the workloads
// the stack enables and return the stack outputs.
import * as pulumi from "@pulumi/pulumi";
import { Backend, BackendSettings } from "../components/topology";
import { createAwsBackend } from "../components/aws";
import { createGcpBackend } from "../components/gcp";
import { createDockerBackend } from "../components/docker";
import { IpfsCluster } from "../components/ipfs-cluster";
import { ChainlinkNode } from "../components/chainlink";
import { CeramicNode } from "../components/ceramic";
import { StackConfig, configValue, locationOf, parseStackConfig, stackPrefix } from "./config";
import { PROJECT } from "./validate";

/** Every `web3-nodes:` key of the running stack, objects parsed from their JSON form. */
export function rawStackConfig(): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue;
        raw[fullKey.slice(PROJECT.length + 1)] = configValue(value);
    }
    return raw;
}

/**
 * The full keys the running stack holds as secrets. A key set with `pulumi config set --secret --path a.b`
 * makes all of `a` secret. The SDK keeps this list behind the internal `isConfigSecret` (what makes Config.get
 * warn about a secret read as plain text); undefined if it is gone, and sections then cannot tell a secret
 * from plain text.
 */
export function secretConfigKeys(): Set<string> | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    if (typeof isConfigSecret !== "function") return undefined;
    return new Set(Object.keys(pulumi.runtime.allConfig()).filter(k => isConfigSecret(k)));
}

export function backendSettings(config: StackConfig, stack: string): BackendSettings {
    const location = locationOf(config);
    return {
        prefix: stackPrefix(stack),
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
        // Whatever the stack file held it as, the token stays a secret from here on.
        registryMirror: config.registryMirror.dockerHub
            ? { dockerHub: { username: config.registryMirror.dockerHub.username, accessToken: pulumi.secret(config.registryMirror.dockerHub.accessToken) } }
            : {},
    };
}

export async function createBackend(config: StackConfig, stack: string): Promise<Backend> {
    const settings = backendSettings(config, stack);
    switch (config.cloud) {
        case "aws":
            return createAwsBackend(settings);
        case "gcp":
            return createGcpBackend(settings);
        case "docker":
            return createDockerBackend(settings, config.docker);
    }
}

/**
 * The whole program. Config, every namespace of it, is validated before any resource is declared; a required
 * secret that is not set stops it there, naming the command that sets it (nothing is ever stood in for one).
 */
export async function run(): Promise<Record<string, unknown>> {
    const config = parseStackConfig(pulumi.runtime.allConfig(), secretConfigKeys(), pulumi.getStack());
    const backend = await createBackend(config, pulumi.getStack());
    const outputs = {
        cloud: backend.cloud,
        profile: config.profile,
        region: locationOf(config).region,
        zones: backend.context.zones,
        domain: config.domain,
        egressIps: backend.network.egressIps,
        // Declared in this order, so the ports and listener rules of those before never move when one is enabled.
        ...ipfsClusterOutputs(config, backend),
        ...chainlinkOutputs(config, backend),
        ...ceramicOutputs(config, backend),
    };
    backend.finish();
    return outputs;
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

/** The Chainlink pair, when the stack enables it: where operators and Prometheus reach it, and what it runs on. */
function chainlinkOutputs(config: StackConfig, backend: Backend): Record<string, unknown> {
    const { enabled, ...settings } = config.chainlink;
    if (!enabled) return {};
    const chainlink = new ChainlinkNode("chainlink", settings, backend);
    return {
        chainlink: {
            url: chainlink.url,
            apiEmail: chainlink.apiEmail,
            apiPassword: chainlink.apiPassword,
            nodes: chainlink.nodes,
            database: { host: chainlink.database.host, zones: chainlink.database.zones, alarms: chainlink.database.alarmDestination },
            prometheusToken: chainlink.prometheusToken,
            prometheusScrapeConfig: chainlink.prometheusScrapeConfig,
            p2pAddresses: chainlink.p2pAddresses,
        },
    };
}

/** The Ceramic node, when the stack enables it: its URL, and what a peer list and an anchor service need. */
function ceramicOutputs(config: StackConfig, backend: Backend): Record<string, unknown> {
    const { enabled, ethereumRpcUrl, ...settings } = config.ceramic;
    if (!enabled) return {};
    // Whatever the stack file held it as, the URL stays a secret from here on.
    const node = new CeramicNode("ceramic", { ...settings, ethereumRpcUrl: ethereumRpcUrl === undefined ? undefined : pulumi.secret(ethereumRpcUrl) }, backend);
    return {
        ceramic: {
            flavour: node.flavour,
            url: node.url,
            ipfsPeerId: node.ipfsPeerId,
            multiaddresses: node.multiaddresses,
            nodeDid: node.nodeDid,
            egressIps: node.egressIps,
            ...(node.stateStore ? { stateStore: node.stateStore } : {}),
        },
    };
}
