// A Chainlink node pair: two nodes in two zones on one managed Postgres, of which exactly one runs jobs. The
// database's lease lock decides which: the holder renews a row every LeaseRefreshInterval; the other node
// waits, serving nothing, and takes the lease when it has not been renewed for LeaseDuration. The database
// fails over to its standby zone on its own, and its one writer endpoint follows. The operator UI and API sit
// behind an HTTPS load balancer that only the lease holder answers. Written against the topology only; the
// constructor is thin and the plan is plain functions.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as YAML from "yaml";
import { Backend, Cloud, DATA_PROTECTION, Liveness, Postgres, StackContext } from "../topology";
import { verifiedPostgresUrl } from "../topology/postgres";
import { DATABASE_CA, NODE_FILES, nodeContainer } from "./node";
import { HEALTH, METRICS_PATH, PORTS, RUN_DIR } from "./ports";
import { ChainlinkSettings, NODE_COUNT, settingsProblems } from "./settings";
import { announceAddress } from "./p2p";
import { apiCredentialsFile, passwordProblems, renderConfigToml, renderSecretsToml } from "./toml";

export { IMAGE_REPOSITORY, DEFAULT_VERSION, chainlinkImage } from "./images";
export { CHAINLINK_USER, HEALTH, METRICS_PATH, PORTS, RUN_DIR, STARTUP_REPORT } from "./ports";
export { CA_DOWNLOAD, DATABASE_CA, HEALTH_WATCH, LEASE_QUERY, NODE_FILES, databaseCaLines, leaseHeldFunction, nodeHealthFunction, startScript } from "./node";
export * from "./settings";
export * from "./p2p";
export * from "./toml";

export const COMPONENT_TYPE = "web3-nodes:chainlink:ChainlinkNode";

/** The label under the stack's domain the operator UI answers at. */
export const HOSTNAME = "chainlink";
/** Both nodes' network identity: the only clients the database lets in. */
export const ACCESS_GROUP = "chainlink";
/**
 * What replaces a node: only the node's own watch, its start script, which stops a node whose web server does
 * not answer, or that holds the lease without serving for longer than a start may take (node.ts). The standby
 * answers on no port: any probe of one would replace it over and over.
 */
export const NODE_LIVENESS: Liveness = { kind: "exit" };
/** The database and the user that owns it (Chainlink's migrations need an owner). */
export const DATABASE = { name: "chainlink", user: "chainlink" } as const;
/** The API user's login, under the stack's domain: operator@<domain>. */
export const API_USER = "operator";
/** Generated secrets: long enough to resist guessing, inside Chainlink's 16 to 50 characters. */
export const SECRET_LENGTH = 32;

export type ChainlinkArgs = Omit<ChainlinkSettings, "enabled">;

export interface NodePlacement {
    index: number;
    /** The service's name and private hostname's first label. */
    name: string;
    zone: string;
}

/** Node i in zone i: two different zones, the database's writer zone first. */
export function placeNodes(prefix: string, zones: readonly string[]): NodePlacement[] {
    if (new Set(zones).size < NODE_COUNT) throw new Error(`a Chainlink pair needs ${NODE_COUNT} different zones, the stack has ${zones.join(", ")}`);
    return Array.from({ length: NODE_COUNT }, (_, index) => ({ index, name: `${prefix}-${index}`, zone: zones[index] }));
}

/** Throws one error listing every problem with the settings, keys named as in the stack file. */
export function assertValidSettings(args: ChainlinkArgs, cloud: Cloud, context: Pick<StackContext, "profile">): void {
    const problems = settingsProblems(args, { cloud, profile: context.profile }).map(p => `chainlink.${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`);
    if (!/^[1-9]\d*$/.test(args.chainId)) problems.push("chainlink.chainId: the EVM chain ID is required, a positive whole number");
    if (args.nodes.length === 0) problems.push("chainlink.nodes: at least one EVM RPC node is required");
    else if (args.nodes.every(n => n.sendOnly)) problems.push("chainlink.nodes: at least one primary (not send-only) node is required");
    if (args.operatorCidrs.length === 0) problems.push("chainlink.operatorCidrs: the networks allowed to reach the operator UI are required");
    if (problems.length > 0) throw new Error(`invalid Chainlink settings:\n  - ${problems.join("\n  - ")}`);
}

/**
 * A generated secret that stays the same on every update; letters, digits and URL-safe punctuation only.
 * Protected like the data it opens: replaced, the keystore password no longer decrypts the node's keys in the
 * database, and the API user (created once, on the first start) no longer matches the credentials file.
 */
function generatedSecret(name: string, parent: pulumi.Resource, special: boolean): random.RandomPassword {
    return new random.RandomPassword(name, {
        length: SECRET_LENGTH,
        special,
        overrideSpecial: special ? "-_.~!%^*+=" : undefined,
        minLower: 1,
        minUpper: 1,
        minNumeric: 1,
    }, { parent, ...DATA_PROTECTION });
}

/** Fails the deployment, before anything reaches the secret store, on a value Chainlink would refuse at start. */
function checkedPassword(what: string, value: pulumi.Output<string>, disallowed: string[] = []): pulumi.Output<string> {
    return value.apply(v => {
        const problems = passwordProblems(what, v, disallowed);
        if (problems.length > 0) throw new Error(`invalid Chainlink secret:\n  - ${problems.join("\n  - ")}`);
        return v;
    });
}

/** Fails the deployment when the database reports no CA certificate: the node could not verify it, and would not start. */
function checkedCa(pem: pulumi.Output<string>): pulumi.Output<string> {
    return pem.apply(p => {
        if (!p.includes("-----BEGIN CERTIFICATE-----")) throw new Error("the database reports no server CA certificate (serverCaCerts is empty): the Chainlink nodes could not verify it");
        return p;
    });
}

/** Base64: an env file line holds one line, and config.toml and secrets.toml hold many. */
function base64(value: pulumi.Output<string>): pulumi.Output<string> {
    return pulumi.secret(value.apply(v => Buffer.from(v, "utf8").toString("base64")));
}

/** The Prometheus scrape job for the pair: through the load balancer, so it always reaches the lease holder. */
export function prometheusScrapeConfig(fqdn: string, token: string): string {
    return YAML.stringify({
        scrape_configs: [{
            job_name: "chainlink",
            scheme: "https",
            metrics_path: METRICS_PATH,
            authorization: { type: "Bearer", credentials: token },
            static_configs: [{ targets: [fqdn] }],
        }],
    });
}

export interface ChainlinkNodeOutputs {
    name: string;
    zone: string;
}

export class ChainlinkNode extends pulumi.ComponentResource {
    /** https://chainlink.<domain>: the UI, the API the remote CLI uses, and /metrics. */
    readonly url: string;
    readonly apiEmail: string;
    readonly apiPassword: pulumi.Output<string>;
    readonly nodes: ChainlinkNodeOutputs[];
    readonly database: Postgres;
    readonly prometheusToken: pulumi.Output<string>;
    readonly prometheusScrapeConfig: pulumi.Output<string>;
    /** The ip:port addresses the pair announces to the other OCR oracles (`[P2P.V2] AnnounceAddresses`). */
    readonly p2pAddresses: pulumi.Output<string[]>;

    constructor(name: string, args: ChainlinkArgs, backend: Backend, opts?: pulumi.ComponentResourceOptions) {
        assertValidSettings(args, backend.cloud, backend.context);
        super(COMPONENT_TYPE, name, {}, opts);
        const { domain, zones } = backend.context;
        const placements = placeNodes(name, zones);
        this.nodes = placements.map(p => ({ name: p.name, zone: p.zone }));
        const fqdn = `${HOSTNAME}.${domain}`;
        this.url = `https://${fqdn}`;
        this.apiEmail = `${API_USER}@${domain}`;

        this.database = backend.postgres(`${name}-db`, {
            zones: [placements[0].zone, placements[1].zone],
            instanceClass: args.databaseClass,
            storageGiB: args.databaseStorageGiB,
            version: args.databaseVersion,
            backupRetentionDays: args.backupRetentionDays,
            databaseName: DATABASE.name,
            userName: DATABASE.user,
            clientGroups: [ACCESS_GROUP],
            alarms: { email: args.alertEmail },
        }, this);

        const keystorePassword = checkedPassword("the keystore password", generatedSecret(`${name}-keystore-password`, this, true).result);
        const apiPassword = checkedPassword("the API password", generatedSecret(`${name}-api-password`, this, true).result, [this.apiEmail]);
        // Letters and digits: it travels in an Authorization header and a Prometheus config file.
        const prometheusToken = generatedSecret(`${name}-prometheus-token`, this, false).result;
        const databasePassword = this.database.url.apply(u => decodeURIComponent(new URL(u).password));
        // The server is verified against the database's CAs, a file the start script puts in the run directory.
        const trust = this.database.serverTrust;
        const databaseUrl = pulumi.all([this.database.url, checkedPassword("the database password", databasePassword)])
            .apply(([url]) => verifiedPostgresUrl(url, trust.sslMode, `${RUN_DIR}/${DATABASE_CA.file}`));

        // OCR's P2P port, open to the world at one static public address that follows the lease holder: both
        // nodes stand behind it, and only the holder listens (./p2p.ts).
        const p2p = backend.passthroughAddress(`${name}-p2p`, { port: args.p2p.port, zones: placements.map(p => p.zone) }, this);
        this.p2pAddresses = p2p.publicIps.apply(ips => ips.map(ip => announceAddress(ip, args.p2p.port)));

        // The RPC URLs carry API keys: the whole config.toml is a secret, whatever the stack file said.
        const configToml = pulumi.all([pulumi.secret(args.nodes), this.p2pAddresses]).apply(([nodes, announce]) => renderConfigToml({
            chainId: args.chainId,
            nodes,
            selectionMode: args.selectionMode,
            maxOpenConns: args.maxOpenConns,
            leaseDuration: args.leaseDuration,
            origin: this.url,
            p2p: { port: args.p2p.port, announce, bootstrappers: args.p2p.bootstrappers },
        }));
        const secretsToml = pulumi.secret(pulumi.all([databaseUrl, keystorePassword, prometheusToken]).apply(([url, keystore, token]) =>
            renderSecretsToml({ databaseUrl: url, keystorePassword: keystore, prometheusToken: token })));
        const apiCredentials = pulumi.secret(apiPassword.apply(p => apiCredentialsFile(this.apiEmail, p)));

        const secret = (key: keyof typeof NODE_FILES, value: pulumi.Output<string>, description: string) =>
            backend.secret(`${name}-${key === "apiCredentials" ? "api-credentials" : key}`, { value: base64(value), description }, this);
        const files = {
            config: secret("config", configToml, "Chainlink config.toml (base64): holds the RPC URLs"),
            secrets: secret("secrets", secretsToml, "Chainlink secrets.toml (base64): database URL, keystore password, Prometheus token"),
            apiCredentials: secret("apiCredentials", apiCredentials, "Chainlink API credentials file (base64): email and password"),
        };
        const databaseCa = trust.caPem !== undefined
            ? { secret: backend.secret(`${name}-database-ca`, { value: base64(checkedCa(trust.caPem)), description: "the database's CA certificates (base64, PEM)" }, this) }
            : { url: trust.caUrl! };

        // Routes to the lease holder, the only node that answers, for as long as its services run.
        const api = backend.loadBalancerTarget(`${name}-api`, { port: PORTS.http, readiness: { path: HEALTH.path, status: HEALTH.status } }, this);
        for (const p of placements) {
            backend.service(p.name, {
                zone: p.zone,
                accessGroup: ACCESS_GROUP,
                liveness: NODE_LIVENESS,
                containers: [nodeContainer({ version: args.version, cpu: args.cpu, memoryMiB: args.memoryMiB, files, databaseCa, api, p2p })],
            }, this);
        }
        backend.httpsLoadBalancer(`${name}-api`, { hostname: HOSTNAME, target: api, allowedCidrs: args.operatorCidrs }, this);

        this.apiPassword = pulumi.secret(apiPassword);
        this.prometheusToken = pulumi.secret(prometheusToken);
        this.prometheusScrapeConfig = pulumi.secret(prometheusToken.apply(token => prometheusScrapeConfig(fqdn, token)));
        this.registerOutputs({ url: this.url, apiEmail: this.apiEmail, nodes: this.nodes, databaseHost: this.database.host, p2pAddresses: this.p2pAddresses });
    }
}
