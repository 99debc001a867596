// The node's configuration, as Chainlink 2.x reads it: config.toml (what the node does) and secrets.toml
// (how it proves who it is), both rendered here with smol-toml, plus the API credentials file `--api` reads
// on the first start. Plain functions of plain data; the component makes them secrets (config.toml holds
// the RPC URLs, which carry API keys).
import { stringify } from "smol-toml";
import { PORTS } from "./ports";
import { RpcNode, SelectionMode, leaseRefreshInterval } from "./settings";

/** Chainlink's idle pool, bounded by the open pool. */
const MAX_IDLE_CONNS = 10;

export interface NodeConfigArgs {
    chainId: string;
    nodes: RpcNode[];
    selectionMode: SelectionMode;
    maxOpenConns: number;
    leaseDuration: string;
    /** The UI's public origin, https://chainlink.<domain>. */
    origin: string;
    /** OCR networking; without it the node runs no OCR job (the component always gives it). */
    p2p?: NodeP2pArgs;
}

/** OCR networking: ragep2p listens on `port`; the other oracles reach the pair at `announce` (ip:port each). */
export interface NodeP2pArgs {
    port: number;
    announce: string[];
    bootstrappers: string[];
}

/** config.toml as data: the same for both nodes of the pair. */
export function nodeConfig(args: NodeConfigArgs): Record<string, unknown> {
    return {
        Log: {
            Level: "info",
            // One JSON object per line, for CloudWatch Logs and Cloud Logging; nothing written to the container's disk.
            JSONConsole: true,
            File: { MaxSize: "0b" },
        },
        WebServer: {
            HTTPPort: PORTS.http,
            AllowOrigins: args.origin,
            // Browsers reach the node over HTTPS at the load balancer, so session cookies stay Secure.
            SecureCookies: true,
            // TLS ends at the load balancer.
            TLS: { HTTPSPort: 0 },
        },
        Database: {
            MaxOpenConns: args.maxOpenConns,
            MaxIdleConns: Math.min(MAX_IDLE_CONNS, args.maxOpenConns),
            // The active/standby mechanism: the holder renews a row in lease_lock; the other node waits, serving
            // nothing, and takes the lease when it has not been renewed for LeaseDuration.
            Lock: { Enabled: true, LeaseDuration: args.leaseDuration, LeaseRefreshInterval: leaseRefreshInterval(args.leaseDuration) },
        },
        ...(args.p2p ? p2pConfig(args.p2p) : {}),
        EVM: [{
            ChainID: args.chainId,
            // Failover as Chainlink does it: calls go to the live primary node SelectionMode picks, the others wait
            // their turn; transactions are broadcast through every node, send-only ones included.
            NodePool: { SelectionMode: args.selectionMode },
            Nodes: args.nodes.map(evmNode),
        }],
    };
}

/** One `[[EVM.Nodes]]` entry: a send-only node has no WSURL, and Order only when the stack sets it. */
function evmNode(n: RpcNode): Record<string, unknown> {
    return {
        Name: n.name,
        ...(n.sendOnly || n.wsUrl === undefined ? {} : { WSURL: n.wsUrl }),
        HTTPURL: n.httpUrl,
        SendOnly: n.sendOnly,
        ...(n.order === undefined ? {} : { Order: n.order }),
    };
}

/**
 * `[OCR2]` and `[P2P.V2]`: OCR2 and OCR3 jobs (data feeds, CCIP, Automation, Functions) over ragep2p. Only the
 * lease holder runs app.Start, so only it listens, and the pair's shared public address follows it; every
 * announced address reaches it, and ragep2p dials them in turn (docs/CONFIG.md P2P.V2 AnnounceAddresses).
 */
export function p2pConfig(p2p: NodeP2pArgs): Record<string, unknown> {
    return {
        OCR2: { Enabled: true },
        P2P: {
            V2: {
                Enabled: true,
                ListenAddresses: [`0.0.0.0:${p2p.port}`],
                AnnounceAddresses: p2p.announce,
                ...(p2p.bootstrappers.length > 0 ? { DefaultBootstrappers: p2p.bootstrappers } : {}),
            },
        },
    };
}

export function renderConfigToml(args: NodeConfigArgs): string {
    return stringify(nodeConfig(args));
}

export interface NodeSecretsArgs {
    /** postgresql://…?sslmode=verify-full (or verify-ca)&sslrootcert=…: the database's one writer endpoint, its certificate verified. */
    databaseUrl: string;
    keystorePassword: string;
    /** The bearer token /metrics requires. */
    prometheusToken: string;
}

/** secrets.toml as data. */
export function nodeSecrets(args: NodeSecretsArgs): Record<string, unknown> {
    return {
        Database: { URL: args.databaseUrl },
        Password: { Keystore: args.keystorePassword },
        Prometheus: { AuthToken: args.prometheusToken },
    };
}

export function renderSecretsToml(args: NodeSecretsArgs): string {
    return stringify(nodeSecrets(args));
}

/** The file `chainlink node start --api` reads: the email on the first line, the password on the second. */
export function apiCredentialsFile(email: string, password: string): string {
    return `${email}\n${password}\n`;
}

/** Chainlink's password rules (core/utils/password.go), for the keystore, the API user and the database. */
export const PASSWORD_LENGTH = { min: 16, max: 50 } as const;

/** Why Chainlink would refuse a password, as sentences; `what` names it, `disallowed` are strings it must not contain. */
export function passwordProblems(what: string, password: string, disallowed: string[] = []): string[] {
    const problems: string[] = [];
    if (password.length < PASSWORD_LENGTH.min || password.length > PASSWORD_LENGTH.max) {
        problems.push(`${what} has ${password.length} characters; Chainlink accepts ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max}`);
    }
    if (/^\s|\s$/.test(password)) problems.push(`${what} starts or ends with whitespace, which Chainlink refuses`);
    if (/[\r\n]/.test(password)) problems.push(`${what} spans lines; the file Chainlink reads it from holds one per line`);
    for (const s of disallowed) {
        if (s !== "" && password.toLowerCase().includes(s.toLowerCase())) problems.push(`${what} contains ${JSON.stringify(s)}, which Chainlink refuses`);
    }
    return problems;
}
