// The kubo container of a peer and the script it starts with. The image's own start script configures a
// repo once, at init; this one applies the peer's settings on every start, so a restarted, replaced or
// restored peer comes back with the same identity, addresses and limits whatever its volume holds.
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, LoadBalancerTarget, Secret, Volume } from "../topology";
import { KUBO_REPO_LOCKS, kuboIdentityLines, shellWord } from "../libp2p/kuboRepo";
import { withGoMemoryLimit } from "./goRuntime";
import { IMAGES } from "./images";
import { addrFiltersAllowing, noAnnounceAllowing } from "./peering";
import { IPFS_USER, PATHS, PORTS, anyInterface, loopback } from "./ports";

/** StorageMax is this share of the repo volume: kubo's GC and cluster's freespace metric keep the rest free. */
export const STORAGE_MAX_SHARE = 0.9;

/** Datastore.StorageMax for a repo volume, in the units kubo parses. */
export function storageMax(repoVolumeGiB: number): string {
    return `${Math.floor(repoVolumeGiB * STORAGE_MAX_SHARE)}GiB`;
}

/**
 * The share of kubo's container memory its libp2p stack may hold (Swarm.ResourceMgr.MaxMemory), below
 * GOMEMLIMIT as kubo asks (kubo@v0.42.0 docs/config.md Swarm.ResourceMgr.MaxMemory). kubo's own default, half of
 * the machine's memory, counts the whole instance on GCP and the whole task on AWS, not this container.
 */
export const LIBP2P_MEMORY_SHARE = 0.5;

/** Swarm.ResourceMgr.MaxMemory for a kubo container of `memoryMiB`, in the units kubo parses. */
export function libp2pMaxMemory(memoryMiB: number): string {
    return `${Math.floor(memoryMiB * LIBP2P_MEMORY_SHARE)}MiB`;
}

/** The environment the start script reads. The private key is not here: it comes from the secret store. */
export const KUBO_ENV = {
    peerId: "KUBO_PEER_ID",
    privateKey: "KUBO_PRIVATE_KEY",
    /** Addresses.Announce, JSON: the peer's public swarm multiaddresses (publicSwarmAddresses). */
    announce: "KUBO_ANNOUNCE",
    /** Addresses.NoAnnounce, JSON: the `server` profile's ranges less the announced addresses. */
    noAnnounce: "KUBO_NO_ANNOUNCE",
    storageMax: "KUBO_STORAGE_MAX",
    /** Swarm.AddrFilters, JSON: the `server` profile's ranges less the stack's network. */
    addrFilters: "KUBO_ADDR_FILTERS",
    /** Peering.Peers, JSON: the kubo of the peers placed before it, at their private names (./peering.ts). */
    peering: "KUBO_PEERING_PEERS",
    libp2pMaxMemory: "KUBO_LIBP2P_MAX_MEMORY",
} as const;

/**
 * The daemon's arguments: GC so StorageMax is enforced. The start script has migrated the repo already; the
 * daemon's own --migrate stays as the image gives it, a no-op on a current repo.
 */
export const KUBO_DAEMON_ARGS = ["daemon", "--migrate=true", "--enable-gc", "--agent-version-suffix=docker"];

/**
 * Where the image keeps tini, which hands signals to the daemon. -s: it reaps zombies as a subreaper, since
 * the volume fence, not tini, is the container's first process.
 */
const TINI = ["/sbin/tini", "-s"];

/** Arguments of `ipfs config` that set the peer's addresses and limits; applied on every start. */
export function kuboSettings(): string[][] {
    const env = (name: string) => `\${${name}}`;
    return [
        ["Addresses.API", loopback(PORTS.kuboRpc)],
        ["Addresses.Gateway", anyInterface(PORTS.gateway)],
        // Exactly the ports the public side forwards, untranslated: nothing else (webtransport, webrtc-direct).
        ["--json", "Addresses.Swarm", JSON.stringify([anyInterface(PORTS.kuboSwarm), anyInterface(PORTS.kuboSwarmQuic, "quic-v1")])],
        // Announced: the peer's static public address, in front of it a pass-through load balancer. Announce
        // replaces the inferred addresses (kubo@v0.42.0 core/node/libp2p/addrs.go makeAddrsFactory).
        ["--json", "Addresses.Announce", env(KUBO_ENV.announce)],
        // No private address is ever announced, the stack's own included: the world cannot reach them. Those it
        // announces are kept (noAnnounceAllowing): on a cloud they are public, on the local engine 127.0.0.1.
        ["--json", "Addresses.NoAnnounce", env(KUBO_ENV.noAnnounce)],
        // The same ranges refused to dial or accept, but for the stack's network, where the peers peer.
        ["--json", "Swarm.AddrFilters", env(KUBO_ENV.addrFilters)],
        ["--json", "Peering.Peers", env(KUBO_ENV.peering)],
        ["Datastore.StorageMax", env(KUBO_ENV.storageMax)],
        ["Swarm.ResourceMgr.MaxMemory", env(KUBO_ENV.libp2pMaxMemory)],
        // Any peer serves any CID the cluster pins: a peer without it fetches it, from the peers it peers with
        // first (bitswap always asks peered peers, kubo@v0.42.0 docs/config.md
        // Internal.Bitswap.BroadcastControl.PeeredPeers). kubo has no setting that fetches for the gateway from
        // some peers only (core/corehttp/gateway.go: the gateway shares the node's exchange unless NoFetch), so
        // it fetches any CID the network has: see docs/ipfs-cluster.md, "The gateway".
        ["--json", "Gateway.NoFetch", "false"],
        // The gateway serves content, not lookups: /routing/v1 on its port is on by default since kubo v0.40.0.
        ["--json", "Gateway.ExposeRoutingAPI", "false"],
    ];
}

/**
 * The start script: the shared lines that give the repo the injected identity (initialising a blank repo
 * with it, migrating a repo an older kubo left, writing the identity on every start), then the peer's
 * settings, then the daemon. POSIX sh: the kubo image is
 * busybox. It runs once the volume fence holds the repo and has removed the locks a killed daemon left.
 */
export function kuboStartScript(): string {
    const e = KUBO_ENV;
    return [
        "#!/bin/sh",
        "# Starts kubo as an ipfs-cluster peer: same identity, addresses and limits on every start.",
        "set -eu",
        "",
        ...kuboIdentityLines({ peerId: e.peerId, privateKey: e.privateKey }, "server", [e.announce, e.noAnnounce, e.storageMax, e.addrFilters, e.peering, e.libp2pMaxMemory]),
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
    /** The multiaddresses it announces (publicSwarmAddresses at its public address and ports). */
    announce: pulumi.Input<string[]>;
    /** Peering.Peers (peeringPeers of the peers it peers with). */
    peering: pulumi.Input<string>;
    /** The stack's private network (IPv4 CIDR), which the peers peer over. */
    privateNetwork: string;
    repo: Volume;
    gateway: LoadBalancerTarget;
    cpu: number;
    memoryMiB: number;
}

export function kuboContainer(args: KuboContainerArgs): ContainerSpec {
    return withGoMemoryLimit({
        name: "kubo",
        image: IMAGES.kubo,
        entrypoint: [...TINI, "--", "/bin/sh", "-c", kuboStartScript(), "kubo-start"],
        command: KUBO_DAEMON_ARGS,
        env: {
            IPFS_PATH: PATHS.ipfsRepo,
            [KUBO_ENV.peerId]: args.peerId,
            [KUBO_ENV.announce]: pulumi.output(args.announce).apply(a => JSON.stringify(a)),
            [KUBO_ENV.noAnnounce]: pulumi.output(args.announce).apply(a => JSON.stringify(noAnnounceAllowing(a))),
            [KUBO_ENV.storageMax]: storageMax(args.repo.sizeGiB),
            [KUBO_ENV.addrFilters]: JSON.stringify(addrFiltersAllowing(args.privateNetwork)),
            [KUBO_ENV.peering]: args.peering,
            [KUBO_ENV.libp2pMaxMemory]: libp2pMaxMemory(args.memoryMiB),
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
    });
}
