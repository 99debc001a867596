// The kubo container of a peer and the script it starts with. The image's own start script configures a
// repo once, at init; this one applies the peer's settings on every start, so a restarted, replaced or
// restored peer comes back with the same identity, addresses and limits whatever its volume holds.
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, LoadBalancerTarget, Secret, Volume } from "../topology";
import { KUBO_REPO_LOCKS, kuboIdentityLines, shellWord } from "../libp2p/kuboRepo";
import { IMAGES } from "./images";
import { IPFS_USER, PATHS, PORTS, anyInterface, loopback, publicSwarmAddresses } from "./ports";

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

/**
 * Where the image keeps tini, which hands signals to the daemon. -s: it reaps zombies as a subreaper, since
 * the volume fence, not tini, is the container's first process.
 */
const TINI = ["/sbin/tini", "-s"];

/** Arguments of `ipfs config` that set the peer's addresses and limits; applied on every start. */
export function kuboSettings(): string[][] {
    return [
        ["Addresses.API", loopback(PORTS.kuboRpc)],
        ["Addresses.Gateway", anyInterface(PORTS.gateway)],
        // Exactly the ports the public side forwards, untranslated: nothing else (webtransport, webrtc-direct).
        ["--json", "Addresses.Swarm", JSON.stringify([anyInterface(PORTS.kuboSwarm), anyInterface(PORTS.kuboSwarmQuic, "quic-v1")])],
        // Announced: the peer's static public address, in front of it a pass-through load balancer. Announce
        // replaces the inferred addresses (kubo@v0.39.0 core/node/libp2p/addrs.go makeAddrsFactory).
        ["--json", "Addresses.Announce", JSON.stringify(publicSwarmAddresses(`\${${KUBO_ENV.announceAddress}}`))],
        // The server profile filters the private ranges, which would keep peers in one VPC from dialling each other.
        ["--json", "Addresses.NoAnnounce", "[]"],
        ["--json", "Swarm.AddrFilters", "[]"],
        ["Datastore.StorageMax", `\${${KUBO_ENV.storageMax}}`],
        // The public gateway serves what the cluster pins, not whatever anyone asks it to fetch.
        ["--json", "Gateway.NoFetch", "true"],
    ];
}

/**
 * The start script: the shared lines that give the repo the injected identity (initialising a blank repo
 * with it, writing it on every start), then the peer's settings, then the daemon. POSIX sh: the kubo image is
 * busybox. It runs once the volume fence holds the repo and has removed the locks a killed daemon left.
 */
export function kuboStartScript(): string {
    const e = KUBO_ENV;
    return [
        "#!/bin/sh",
        "# Starts kubo as an ipfs-cluster peer: same identity, addresses and limits on every start.",
        "set -eu",
        "",
        ...kuboIdentityLines({ peerId: e.peerId, privateKey: e.privateKey }, "server", [e.announceAddress, e.storageMax]),
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
        entrypoint: [...TINI, "--", "/bin/sh", "-c", kuboStartScript(), "kubo-start"],
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
            { port: PORTS.kuboSwarmQuic, protocol: "udp", exposure: { kind: "public" } },
            { port: PORTS.gateway, exposure: { kind: "loadBalancer", target: args.gateway } },
            { port: PORTS.kuboRpc, exposure: { kind: "local" } },
        ],
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        user: IPFS_USER,
        mounts: [{ volume: args.repo, path: PATHS.ipfsRepo, staleLocks: KUBO_REPO_LOCKS }],
    };
}
