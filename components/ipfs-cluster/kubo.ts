// The kubo container of a peer and the script it starts with. The image's own start script configures a
// repo once, at init; this one applies the peer's settings on every start, so a restarted, replaced or
// restored peer comes back with the same identity, addresses and limits whatever its volume holds.
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, LoadBalancerTarget, Secret, Volume } from "../topology";
import { IMAGES } from "./images";
import { EMPTY_DIR_CID, IPFS_USER, PATHS, PORTS, anyInterface, loopback } from "./ports";

/** StorageMax is this share of the repo volume: kubo's GC and cluster's freespace metric keep the rest free. */
export const STORAGE_MAX_SHARE = 0.9;

/** Datastore.StorageMax for a repo volume, in the units kubo parses. */
export function storageMax(repoVolumeGiB: number): string {
    return `${Math.floor(repoVolumeGiB * STORAGE_MAX_SHARE)}GiB`;
}

/** The environment the start script reads. The private key is not here: it comes from the secret store. */
export const KUBO_ENV = {
    peerId: "KUBO_PEER_ID",
    privateKey: "KUBO_PRIVATE_KEY",
    announceAddress: "KUBO_ANNOUNCE_ADDRESS",
    storageMax: "KUBO_STORAGE_MAX",
} as const;

/** The daemon's arguments: repo migrations on upgrade, and GC so StorageMax is enforced. */
export const KUBO_DAEMON_ARGS = ["daemon", "--migrate=true", "--enable-gc", "--agent-version-suffix=docker"];

/** Where the image keeps tini, which reaps zombies and hands signals to the daemon. */
const TINI = "/sbin/tini";

/** Arguments of `ipfs config` that set the peer's addresses and limits; applied on every start. */
export function kuboSettings(): string[][] {
    const announce = (transport: string) => `/ip4/\${${KUBO_ENV.announceAddress}}/${transport}`;
    return [
        ["Addresses.API", loopback(PORTS.kuboRpc)],
        ["Addresses.Gateway", anyInterface(PORTS.gateway)],
        ["--json", "Addresses.Swarm", JSON.stringify([anyInterface(PORTS.kuboSwarm), `/ip4/0.0.0.0/udp/${PORTS.kuboSwarm}/quic-v1`])],
        // Announced: the peer's static public address, in front of it a pass-through load balancer.
        ["--json", "Addresses.Announce", JSON.stringify([announce(`tcp/${PORTS.kuboSwarm}`), announce(`udp/${PORTS.kuboSwarm}/quic-v1`)])],
        // The server profile filters the private ranges, which would keep peers in one VPC from dialling each other.
        ["--json", "Addresses.NoAnnounce", "[]"],
        ["--json", "Swarm.AddrFilters", "[]"],
        ["Datastore.StorageMax", `\${${KUBO_ENV.storageMax}}`],
        // The public gateway serves what the cluster pins, not whatever anyone asks it to fetch.
        ["--json", "Gateway.NoFetch", "true"],
    ];
}

/** A word for the script: bare when safe, double-quoted when it expands a variable, single-quoted otherwise. */
function shellWord(word: string): string {
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
    if (!word.includes("${")) return `'${word.replace(/'/g, `'\\''`)}'`;
    return `"${word.replace(/["\\`]/g, c => `\\${c}`)}"`;
}

/**
 * The start script: clears the locks a killed daemon leaves, initialises the repo on first start with the
 * injected identity, writes that identity and the settings on every start, then becomes the daemon.
 * POSIX sh: the kubo image is busybox.
 */
export function kuboStartScript(): string {
    const e = KUBO_ENV;
    return [
        "#!/bin/sh",
        "# Starts kubo as an ipfs-cluster peer: same identity, addresses and limits on every start.",
        "set -eu",
        "",
        `repo="\${IPFS_PATH:?IPFS_PATH names the repo}"`,
        `: "\${${e.peerId}:?}" "\${${e.privateKey}:?}" "\${${e.announceAddress}:?}" "\${${e.storageMax}:?}"`,
        "",
        "# write_identity CONFIG: puts the identity of the peer into a kubo config file. awk reads the key from the",
        "# environment, so it never appears on a command line.",
        "write_identity() {",
        '  tmp="$1.identity"',
        "  (umask 077 && awk '",
        `    /"PeerID":/ { sub(/"PeerID":[ \\t]*"[^"]*"/, "\\"PeerID\\": \\"" ENVIRON["${e.peerId}"] "\\"") }`,
        `    /"PrivKey":/ { sub(/"PrivKey":[ \\t]*"[^"]*"/, "\\"PrivKey\\": \\"" ENVIRON["${e.privateKey}"] "\\"") }`,
        "    { print }",
        `  ' "$1" > "$tmp")`,
        '  mv -f "$tmp" "$1"',
        "}",
        "",
        "# One container at a time opens this repo (one task or instance per volume): a lock found now was left",
        "# by a daemon that was killed, and would stop this one from starting.",
        'rm -f "$repo/repo.lock" "$repo/datastore/LOCK"',
        "",
        'if [ ! -f "$repo/config" ]; then',
        "  # kubo takes a whole config file at init, not a key: make a default one, put the identity in, and",
        "  # initialise the repo from it, so the repo never holds another key.",
        '  template="$(mktemp -d)"',
        '  IPFS_PATH="$template" ipfs init --empty-repo > /dev/null',
        '  write_identity "$template/config"',
        '  ipfs init --profile=server --empty-repo "$template/config"',
        '  rm -rf "$template"',
        "fi",
        "",
        "# Also on a volume restored from a backup or a snapshot of another peer: the identity is the one in the secret store.",
        'write_identity "$repo/config"',
        `if [ "$(ipfs config Identity.PeerID)" != "$${e.peerId}" ]; then`,
        `  echo "the config in $repo does not hold peer ID $${e.peerId}" >&2`,
        "  exit 1",
        "fi",
        `unset ${e.privateKey}`,
        "",
        ...kuboSettings().map(args => `ipfs config ${args.map(shellWord).join(" ")}`),
        "",
        'exec ipfs "$@"',
        "",
    ].join("\n");
}

export interface KuboContainerArgs {
    peerId: pulumi.Input<string>;
    privateKey: Secret;
    announceAddress: pulumi.Input<string>;
    repo: Volume;
    gateway: LoadBalancerTarget;
    cpu: number;
    memoryMiB: number;
}

export function kuboContainer(args: KuboContainerArgs): ContainerSpec {
    return {
        name: "kubo",
        image: IMAGES.kubo,
        entrypoint: [TINI, "--", "/bin/sh", "-c", kuboStartScript(), "kubo-start"],
        command: KUBO_DAEMON_ARGS,
        env: {
            IPFS_PATH: PATHS.ipfsRepo,
            [KUBO_ENV.peerId]: args.peerId,
            [KUBO_ENV.announceAddress]: args.announceAddress,
            [KUBO_ENV.storageMax]: storageMax(args.repo.sizeGiB),
        },
        secrets: { [KUBO_ENV.privateKey]: args.privateKey },
        ports: [
            { port: PORTS.kuboSwarm, protocol: "tcp", exposure: { kind: "public" } },
            { port: PORTS.kuboSwarm, protocol: "udp", exposure: { kind: "public" } },
            { port: PORTS.gateway, exposure: { kind: "loadBalancer", target: args.gateway } },
            { port: PORTS.kuboRpc, exposure: { kind: "local" } },
        ],
        // The image's own check: the RPC answers and the DAG pipeline resolves a block every repo holds.
        healthCheck: {
            command: ["ipfs", `--api=${loopback(PORTS.kuboRpc)}`, "dag", "stat", `/ipfs/${EMPTY_DIR_CID}`],
            // A first start initialises the repo and may run migrations on a network volume.
            startPeriodSeconds: 300,
        },
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        user: IPFS_USER,
        mounts: [{ volume: args.repo, path: PATHS.ipfsRepo }],
    };
}
