// ceramic-one (rust-ceramic), as a container: js-ceramic's out-of-process IPFS in the `js-ceramic` flavour, the
// whole node in the `ceramic-one` flavour. It is configured through its CERAMIC_ONE_* variables only
// (rust-ceramic@v0.58.0 one/src/daemon.rs DaemonOpts, one/src/lib.rs DBOpts and LogOpts), runs as an
// unprivileged user with its store and HOME on its volume, and takes the node's key from the secret store:
// the start script writes it, in OpenSSH form, into the memory scratch ceramic-one reads its key directory from,
// so a lost volume never changes the node's peer ID or DID and the key never lands on a disk.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, Exposure, PortSpec, Secret, Volume } from "../topology";
import { IMAGES } from "./images";
import { CERAMIC_ONE_BINARY, KuboMigrationStep, MIGRATION_RPC_URLS_ENV } from "./ipfs";
import {
    CERAMIC_ONE_KEY_DIR,
    CERAMIC_ONE_KEY_DIR_MIB,
    CERAMIC_ONE_PORTS,
    CERAMIC_ONE_STORE,
    CERAMIC_ONE_USER,
} from "./ports";
import { CeramicNetwork } from "./settings";

/** The file ceramic-one reads its Ed25519 key from, in its p2p key directory (core/src/node_id.rs NodeKey::try_from_dir). */
export const CERAMIC_ONE_KEY_FILE = "id_ed25519_0";

/**
 * The variables this program sets, each one ceramic-one reads itself (clap `env =` in DaemonOpts, DBOpts,
 * LogOpts), but two: the key the start script writes into the key file, and RUST_LOG, read by its log filter
 * (metrics/src/lib.rs init_tracer: EnvFilter from the environment, INFO by default).
 */
export const CERAMIC_ONE_ENV = {
    network: "CERAMIC_ONE_NETWORK",
    storeDir: "CERAMIC_ONE_STORE_DIR",
    p2pKeyDir: "CERAMIC_ONE_P2P_KEY_DIR",
    bindAddress: "CERAMIC_ONE_BIND_ADDRESS",
    flightSqlBindAddress: "CERAMIC_ONE_FLIGHT_SQL_BIND_ADDRESS",
    metricsBindAddress: "CERAMIC_ONE_METRICS_BIND_ADDRESS",
    swarmAddresses: "CERAMIC_ONE_SWARM_ADDRESSES",
    externalSwarmAddresses: "CERAMIC_ONE_EXTERNAL_SWARM_ADDRESSES",
    logFormat: "CERAMIC_ONE_LOG_FORMAT",
    /** RPC endpoints time events are validated against (comma list); mainnet has no default. The daemon and `migrations from-ipfs` read the same variable. */
    additionalChainRpcUrls: MIGRATION_RPC_URLS_ENV,
    anchorInterval: "CERAMIC_ONE_ANCHOR_INTERVAL",
    evmRpcUrl: "CERAMIC_ONE_EVM_RPC_URL",
    evmPrivateKey: "CERAMIC_ONE_EVM_PRIVATE_KEY",
    evmChainId: "CERAMIC_ONE_EVM_CHAIN_ID",
    evmContractAddress: "CERAMIC_ONE_EVM_CONTRACT_ADDRESS",
    /** The deprecated remote anchor service client: hidden, and refused without experimental features. */
    remoteAnchorServiceUrl: "CERAMIC_ONE_REMOTE_ANCHOR_SERVICE_URL",
    experimentalFeatures: "CERAMIC_ONE_EXPERIMENTAL_FEATURES",
    /** The start script's: the key file's content, base64 of the OpenSSH text (one line, as every secret is read). */
    nodeKey: "NODE_KEY_OPENSSH_BASE64",
    logFilter: "RUST_LOG",
} as const;

/**
 * ceramic-one's log filter. Its own crate logs at warn and above only: at info it prints every daemon option
 * at start (one/src/daemon.rs `info!(?opts, "Starting ceramic-one daemon with options")`, the EVM private key
 * and RPC URLs included) and each Ethereum RPC URL it uses (one/src/lib.rs get_eth_rpc_providers), which
 * would put keys into the platform's logs. Every other crate keeps its info lines.
 */
export const CERAMIC_ONE_LOG_FILTER = "info,ceramic_one=warn";

// ---------------------------------------------------------------- the node's key

const OPENSSH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");
const ED25519_KEY_TYPE = "ssh-ed25519";
/** OpenSSH writes its PEM body in lines of 70 characters, and ssh-key (ceramic-one's reader) expects them so. */
const OPENSSH_LINE_WIDTH = 70;
/** The block size of the unencrypted private section ("none" cipher): OpenSSH pads it to a multiple of 8. */
const OPENSSH_BLOCK_SIZE = 8;

function sshString(data: Buffer | string): Buffer {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
}

function uint32(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
}

/**
 * An Ed25519 private key in OpenSSH's own format (openssh-portable PROTOCOL.key): unencrypted, one key, its
 * check numbers derived from the seed so the same seed always gives the same text.
 */
export function openSshEd25519PrivateKey(seed: Buffer, publicKey: Buffer, comment = ""): string {
    if (seed.length !== 32 || publicKey.length !== 32) throw new Error("an Ed25519 key is a 32-byte seed and a 32-byte public key");
    const publicBlob = Buffer.concat([sshString(ED25519_KEY_TYPE), sshString(publicKey)]);
    const check = crypto.createHash("sha256").update("openssh-checkint").update(seed).digest().readUInt32BE(0);
    let section = Buffer.concat([
        uint32(check),
        uint32(check),
        sshString(ED25519_KEY_TYPE),
        sshString(publicKey),
        sshString(Buffer.concat([seed, publicKey])),
        sshString(comment),
    ]);
    const padding = (OPENSSH_BLOCK_SIZE - (section.length % OPENSSH_BLOCK_SIZE)) % OPENSSH_BLOCK_SIZE;
    section = Buffer.concat([section, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))]);
    const body = Buffer.concat([
        OPENSSH_MAGIC,
        sshString("none"),
        sshString("none"),
        sshString(""),
        uint32(1),
        sshString(publicBlob),
        sshString(section),
    ]).toString("base64");
    const lines = body.match(new RegExp(`.{1,${OPENSSH_LINE_WIDTH}}`, "g"))!;
    return ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n");
}

/** The libp2p protobuf private key (base64 of 08 01 12 40, seed, public key): what PeerIdentity keeps. */
export function seedOfLibp2pKey(privateKey: string): { seed: Buffer; publicKey: Buffer } {
    const bytes = Buffer.from(privateKey, "base64");
    if (bytes.length !== 68 || bytes.readUInt32BE(0) !== 0x08011240) throw new Error("not a libp2p Ed25519 private key");
    return { seed: bytes.subarray(4, 36), publicKey: bytes.subarray(36, 68) };
}

/** The key file's content for the start script, from the node's libp2p private key: base64 of the OpenSSH text. */
export function nodeKeyFileValue(libp2pPrivateKey: string): string {
    const { seed, publicKey } = seedOfLibp2pKey(libp2pPrivateKey);
    return Buffer.from(openSshEd25519PrivateKey(seed, publicKey)).toString("base64");
}

// ---------------------------------------------------------------- addresses

/** The swarm listeners, every interface: TCP and QUIC on ports of their own (ports.ts CERAMIC_ONE_PORTS). */
export function swarmListenAddresses(): string[] {
    return [`/ip4/0.0.0.0/tcp/${CERAMIC_ONE_PORTS.swarmTcp}`, `/ip4/0.0.0.0/udp/${CERAMIC_ONE_PORTS.swarmQuic}/quic-v1`];
}

/**
 * The addresses ceramic-one announces (--external-swarm-addresses, "advertised to remote peers in order to dial
 * the local peer"): the DNS name when there is one, then each static address, each over TCP and QUIC.
 */
export function externalSwarmAddresses(addresses: string[], dnsName?: string, publicPort: (containerPort: number) => number = port => port): string[] {
    const at = (host: string) => [`${host}/tcp/${publicPort(CERAMIC_ONE_PORTS.swarmTcp)}`, `${host}/udp/${publicPort(CERAMIC_ONE_PORTS.swarmQuic)}/quic-v1`];
    return [...(dnsName ? at(`/dns4/${dnsName}`) : []), ...addresses.flatMap(a => at(`/ip4/${a}`))];
}

// ---------------------------------------------------------------- anchoring

/** How ceramic-one anchors: not at all (js-ceramic does), through the anchor service, or by itself on a chain. */
export type CeramicOneAnchoring =
    | { kind: "none" }
    | { kind: "service"; url: string; intervalSeconds: number }
    | { kind: "self"; rpcUrl: Secret; privateKey: Secret; chainId: number; contractAddress: string; intervalSeconds: number };

/** The anchoring variables in plain text, and those read from the secret store. */
export function anchoringEnv(anchoring: CeramicOneAnchoring): { env: Record<string, string>; secrets: Record<string, Secret> } {
    const e = CERAMIC_ONE_ENV;
    switch (anchoring.kind) {
        case "none":
            return { env: {}, secrets: {} };
        case "service":
            // The remote anchor service client is deprecated and gated (daemon.rs `requires = "experimental_features"`);
            // it signs its requests with the node's key, so the service knows the node by its DID.
            return {
                env: { [e.experimentalFeatures]: "true", [e.remoteAnchorServiceUrl]: anchoring.url, [e.anchorInterval]: String(anchoring.intervalSeconds) },
                secrets: {},
            };
        case "self":
            // All four together, or ceramic-one exits (daemon.rs "Incomplete EVM anchoring configuration").
            return {
                env: { [e.evmChainId]: String(anchoring.chainId), [e.evmContractAddress]: anchoring.contractAddress, [e.anchorInterval]: String(anchoring.intervalSeconds) },
                secrets: { [e.evmRpcUrl]: anchoring.rpcUrl, [e.evmPrivateKey]: anchoring.privateKey },
            };
    }
}

// ---------------------------------------------------------------- the container

/**
 * Writes the node's key file into the memory scratch, runs the steps before the daemon (a migration), then
 * starts the daemon in its place, so the stop signal reaches ceramic-one, which shuts down cleanly on it
 * (one/src/lib.rs handle_signals). POSIX sh: the image is debian:bookworm-slim, whose coreutils decode base64.
 */
export function ceramicOneStartScript(before: string[] = []): string {
    const e = CERAMIC_ONE_ENV;
    return [
        "#!/bin/sh",
        "# Starts ceramic-one with the node's own key: written from the secret store into memory at every start.",
        "set -eu",
        "",
        `: "\${${e.nodeKey}:?${e.nodeKey} holds the node's key}"`,
        `: "\${${e.p2pKeyDir}:?${e.p2pKeyDir} names where ceramic-one reads its key}"`,
        "umask 077",
        `printf '%s' "$${e.nodeKey}" | base64 -d > "$${e.p2pKeyDir}/${CERAMIC_ONE_KEY_FILE}.tmp"`,
        `mv -f "$${e.p2pKeyDir}/${CERAMIC_ONE_KEY_FILE}.tmp" "$${e.p2pKeyDir}/${CERAMIC_ONE_KEY_FILE}"`,
        `unset ${e.nodeKey}`,
        "",
        ...(before.length > 0 ? [...before, ""] : []),
        `exec ${CERAMIC_ONE_BINARY} daemon "$@"`,
        "",
    ].join("\n");
}

export interface CeramicOneContainerArgs {
    network: CeramicNetwork;
    /** The key file's content (nodeKeyFileValue), in the secret store. */
    nodeKey: Secret;
    /** The RPC endpoint of the network's anchor chain, in the secret store; mainnet has no default. */
    ethereumRpcUrl?: Secret;
    /** The addresses announced, once the service's public address is known. */
    announce: pulumi.Input<string[]>;
    /** Who reaches the API: js-ceramic's access group, or the HTTPS load balancer. */
    apiExposure: Exposure;
    anchoring: CeramicOneAnchoring;
    store: Volume;
    /** A js-ceramic-kubo node's repo to move into the store before the daemon first starts. */
    migration?: KuboMigrationStep;
    cpu: number;
    memoryMiB: number;
}

/** ceramic-one's ports: the swarm public, the API as given; Flight SQL and metrics stay on loopback. */
export function ceramicOnePorts(apiExposure: Exposure): PortSpec[] {
    return [
        { port: CERAMIC_ONE_PORTS.swarmTcp, protocol: "tcp", exposure: { kind: "public" } },
        { port: CERAMIC_ONE_PORTS.swarmQuic, protocol: "udp", exposure: { kind: "public" } },
        { port: CERAMIC_ONE_PORTS.api, exposure: apiExposure },
    ];
}

/** The variables ceramic-one is configured by, in plain text (no secret among them). */
export function ceramicOneEnv(args: Pick<CeramicOneContainerArgs, "network" | "announce" | "anchoring">): Record<string, pulumi.Input<string>> {
    const e = CERAMIC_ONE_ENV;
    const p = CERAMIC_ONE_PORTS;
    return {
        // Whatever else it writes under its home lands on the volume too.
        HOME: CERAMIC_ONE_STORE,
        [e.network]: args.network,
        [e.storeDir]: CERAMIC_ONE_STORE,
        [e.p2pKeyDir]: CERAMIC_ONE_KEY_DIR,
        // Its default, 127.0.0.1, serves only the container itself.
        [e.bindAddress]: `0.0.0.0:${p.api}`,
        [e.flightSqlBindAddress]: `127.0.0.1:${p.flightSql}`,
        [e.metricsBindAddress]: `127.0.0.1:${p.metrics}`,
        [e.swarmAddresses]: swarmListenAddresses().join(","),
        [e.externalSwarmAddresses]: pulumi.output(args.announce).apply(list => list.join(",")),
        // One JSON object per line, no colours: what CloudWatch Logs and Cloud Logging read best.
        [e.logFormat]: "json",
        [e.logFilter]: CERAMIC_ONE_LOG_FILTER,
        ...anchoringEnv(args.anchoring).env,
    };
}

export function ceramicOneContainer(args: CeramicOneContainerArgs): ContainerSpec {
    return {
        name: "ceramic-one",
        image: IMAGES.ceramicOne,
        // The image has no CMD: the daemon's settings all come from the environment.
        entrypoint: ["/bin/sh", "-c", ceramicOneStartScript(args.migration?.script), "ceramic-one-start"],
        env: ceramicOneEnv(args),
        secrets: {
            [CERAMIC_ONE_ENV.nodeKey]: args.nodeKey,
            ...(args.ethereumRpcUrl ? { [CERAMIC_ONE_ENV.additionalChainRpcUrls]: args.ethereumRpcUrl } : {}),
            ...anchoringEnv(args.anchoring).secrets,
        },
        ports: ceramicOnePorts(args.apiExposure),
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        // The migration reads the kubo repo as its owner, the same user (ports.ts CERAMIC_ONE_USER).
        user: args.migration?.user ?? CERAMIC_ONE_USER,
        // SQLite leaves no lock file that outlives its process (its locks are POSIX advisory locks).
        mounts: [{ volume: args.store, path: CERAMIC_ONE_STORE }, ...(args.migration?.mounts ?? [])],
        memoryScratch: { path: CERAMIC_ONE_KEY_DIR, sizeMiB: CERAMIC_ONE_KEY_DIR_MIB },
    };
}
