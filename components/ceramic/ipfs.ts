// The IPFS side of a Ceramic node, as a flavour: what image runs, on which ports, with what identity and
// addresses. The node is built from this interface only, so another IPFS implementation (ceramic-one) is one
// more flavour, not a change to the node.
import * as pulumi from "@pulumi/pulumi";
import { Protocol, RunAs } from "../topology";
import { KUBO_REPO_LOCKS, kuboIdentityLines, shellWord } from "../libp2p/kuboRepo";
import { IMAGES } from "./images";
import { IpfsFlavourName } from "./settings";

/** A swarm listener of the IPFS daemon. */
export interface SwarmListener {
    port: number;
    protocol: Protocol;
    /** What follows `/tcp/<port>` or `/udp/<port>` in its multiaddress: "ws", "quic-v1", or "" for raw TCP. */
    transport: string;
    /**
     * Reached through an HTTPS load balancer, which adds TLS: announced as `/dns4/<its name>/tcp/443/wss`.
     * Otherwise the listener is public at the service's static address.
     */
    tlsAtLoadBalancer?: boolean;
}

export interface IpfsFlavour {
    readonly name: string;
    readonly image: string;
    readonly user: RunAs;
    /** The repo: blocks, datastore and the config holding the identity. On a protected volume. */
    readonly repoPath: string;
    /** Locks a killed daemon leaves in the repo, relative to it: the volume fence removes them once it holds the repo. */
    readonly staleLocks: string[];
    /** The HTTP API Ceramic drives the daemon through: full control of the node, never public. */
    readonly apiPort: number;
    readonly swarm: SwarmListener[];
    /**
     * The daemon's own health endpoint, asking nothing of other peers: its liveness, and the readiness of its
     * TLS swarm listener. 200 while it serves.
     */
    readonly health: { port: number; path: string; status: string };
    readonly entrypoint: string[];
    readonly command: string[];
    /** The variable the private key is given in, from the secret store. */
    readonly privateKeyEnv: string;
    /** The daemon's environment: its (public) peer ID and the multiaddresses it announces. */
    env(peerId: pulumi.Input<string>, announce: pulumi.Input<string[]>): Record<string, pulumi.Input<string>>;
    /** The API URL js-ceramic is given (`ipfs.host`), at the service's private name. */
    apiUrl(hostname: string): string;
}

// ---------------------------------------------------------------- go-ipfs-daemon

/**
 * The ports of ceramicnetwork/go-ipfs-daemon as Ceramic's deployments use them: the API on 5011 and health on
 * 8011 (not kubo's 5001/8080, which an IPFS Cluster peer may hold on the same network), the websocket swarm on
 * 4011. 4012 is a second websocket listener that only the TLS load balancer forwards to.
 */
export const GO_IPFS_PORTS = {
    api: 5011,
    health: 8011,
    swarmWs: 4011,
    swarmWsBehindTls: 4012,
} as const;

/** The image's `ipfs` user in group `users`. */
export const GO_IPFS_USER: RunAs = { uid: 1000, gid: 100 };

export const GO_IPFS_ENV = {
    /** The names the image's own init script reads, kept so its documentation still applies. */
    peerId: "IPFS_PEER_ID",
    privateKey: "IPFS_PRIVATE_KEY",
    /** JSON list of multiaddresses, applied on every start. */
    announce: "IPFS_ANNOUNCE_ADDRESSES",
    /** The health plugin's port. */
    healthPort: "HEALTHCHECK_PORT",
} as const;

const REPO = "/data/ipfs";

function tcp(port: number, transport = ""): string {
    return `/ip4/0.0.0.0/tcp/${port}${transport ? `/${transport}` : ""}`;
}

/**
 * Arguments of `ipfs config` applied on every start. The image's own scripts apply their settings to a new
 * repo only, and ignore the identity and announce variables on a repo they initialised themselves.
 */
export function goIpfsSettings(): string[][] {
    const p = GO_IPFS_PORTS;
    return [
        // Ceramic runs in another service: the API listens on the network, its firewall lets Ceramic alone in.
        ["Addresses.API", tcp(p.api)],
        ["--json", "Addresses.Gateway", "[]"],
        ["--json", "Addresses.Swarm", JSON.stringify([tcp(p.swarmWs, "ws"), tcp(p.swarmWsBehindTls, "ws")])],
        // Only the public names: the task's or instance's private addresses mean nothing to other peers.
        ["--json", "Addresses.Announce", `\${${GO_IPFS_ENV.announce}}`],
        // Ceramic's protocol runs over pubsub; a message seen within ten minutes is not relayed again.
        ["--json", "Pubsub.Enabled", "true"],
        ["Pubsub.SeenMessagesTTL", "10m"],
        // A node with a public address needs no relay, and a relayed connection drops pubsub messages.
        ["--json", "Swarm.RelayClient.Enabled", "false"],
    ];
}

export function goIpfsStartScript(): string {
    const e = GO_IPFS_ENV;
    return [
        "#!/bin/sh",
        "# Starts the IPFS daemon of a Ceramic node: same identity and addresses on every start, whatever its volume holds.",
        "set -eu",
        "",
        ...kuboIdentityLines({ peerId: e.peerId, privateKey: e.privateKey }, "server", [e.announce]),
        "",
        ...goIpfsSettings().map(args => `ipfs config ${args.map(shellWord).join(" ")}`),
        "",
        'exec ipfs "$@"',
        "",
    ].join("\n");
}

export const GO_IPFS_DAEMON_ARGS = ["daemon", "--migrate=true", "--agent-version-suffix=ceramic"];

export const goIpfsDaemon: IpfsFlavour = {
    name: "go-ipfs-daemon",
    image: IMAGES.goIpfsDaemon,
    user: GO_IPFS_USER,
    repoPath: REPO,
    // go-ipfs-daemon is kubo 0.19 with its default flatfs spec: the same repo lock and LevelDB datastore.
    staleLocks: KUBO_REPO_LOCKS,
    apiPort: GO_IPFS_PORTS.api,
    swarm: [
        { port: GO_IPFS_PORTS.swarmWs, protocol: "tcp", transport: "ws" },
        { port: GO_IPFS_PORTS.swarmWsBehindTls, protocol: "tcp", transport: "ws", tlsAtLoadBalancer: true },
    ],
    // The image's health plugin: 200 while the node resolves the empty directory from its own repo, 500 once it
    // does not (ceramicnetwork/go-ipfs-healthcheck@v0.14.0 server.go, preloaded by the image's Dockerfile).
    health: { port: GO_IPFS_PORTS.health, path: "/", status: "200" },
    // tini (-s: also when not PID 1) reaps the migration helpers and hands the stop signal to the daemon.
    entrypoint: ["/sbin/tini", "-s", "--", "/bin/sh", "-c", goIpfsStartScript(), "ipfs-start"],
    command: GO_IPFS_DAEMON_ARGS,
    privateKeyEnv: GO_IPFS_ENV.privateKey,
    env(peerId, announce) {
        return {
            IPFS_PATH: REPO,
            [GO_IPFS_ENV.peerId]: peerId,
            [GO_IPFS_ENV.announce]: pulumi.output(announce).apply(list => JSON.stringify(list)),
            [GO_IPFS_ENV.healthPort]: String(GO_IPFS_PORTS.health),
        };
    },
    apiUrl: hostname => `http://${hostname}:${GO_IPFS_PORTS.api}`,
};

/** The flavours a node can run; the config chooses by name. */
export const IPFS_FLAVOURS: Record<IpfsFlavourName, IpfsFlavour> = { "go-ipfs-daemon": goIpfsDaemon };
