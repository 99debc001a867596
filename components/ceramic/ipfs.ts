// The IPFS side of a Ceramic node, as a flavour: what image runs, on which ports, with what identity and
// addresses. The node is built from this interface only, so another IPFS implementation (ceramic-one) is one
// more flavour, not a change to the node.
import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_GRACE_SECONDS, MountSpec, Protocol, RunAs, Volume } from "../topology";
import { KUBO_REPO_LOCKS, kuboIdentityLines, shellWord } from "../libp2p/kuboRepo";
import { IMAGES } from "./images";
import { CeramicNetwork, IpfsFlavourName } from "./settings";

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

/** A peer kubo keeps a connection to (kubo config Peering.Peers, a go-libp2p AddrInfo). */
export interface PeeringPeer {
    ID: string;
    Addrs: string[];
}

/**
 * The Ceramic network's own IPFS nodes, the same list on every network: the image's init script
 * (ceramicnetwork/go-ipfs-daemon@f19c96b container-init.d/000-ceramic.sh, run by kubo's container_daemon on
 * every start) writes them into Peering.Peers, and kubo then keeps a connection to each, reconnecting when it
 * drops (kubo@v0.19.1 docs/config.md "Peering"), so pubsub reaches the network whatever the DHT finds. The
 * last is Gitcoin's node, added upstream in e177a93.
 */
const CERAMIC_PEERS: [id: string, address: string][] = [
    ["QmXALVsXZwPWTUbsT8G6VVzzgTJaAWRUD7FWL5f7d5ubAL", "/dns4/go-ipfs-ceramic-private-mainnet-external.3boxlabs.com/tcp/4011/ws"],
    ["QmUvEKXuorR7YksrVgA7yKGbfjWHuCRisw2cH9iqRVM9P8", "/dns4/go-ipfs-ceramic-private-cas-mainnet-external.3boxlabs.com/tcp/4011/ws"],
    ["QmUiF8Au7wjhAF9BYYMNQRW5KhY7o8fq4RUozzkWvHXQrZ", "/dns4/go-ipfs-ceramic-elp-1-1-external.3boxlabs.com/tcp/4011/ws"],
    ["QmRNw9ZimjSwujzS3euqSYxDW9EHDU5LB3NbLQ5vJ13hwJ", "/dns4/go-ipfs-ceramic-elp-1-2-external.3boxlabs.com/tcp/4011/ws"],
    ["QmbeBTzSccH8xYottaYeyVX8QsKyox1ExfRx7T1iBqRyCd", "/dns4/go-ipfs-ceramic-private-cas-clay-external.3boxlabs.com/tcp/4011/ws"],
    ["12D3KooWDYD5hgsnvqtuTQsTsqwt37gFY6YdQ9qeJNTzLMKph1rF", "/ip4/155.138.235.201/tcp/4001"],
];

export const CERAMIC_PEERING: PeeringPeer[] = CERAMIC_PEERS.map(([id, address]) => ({ ID: id, Addrs: [`${address}/p2p/${id}`] }));

/**
 * Arguments of `ipfs config` applied on every start: what the image's init script sets (this start script
 * replaces the image's entrypoint, and with it that script), on this node's own ports, plus the addresses it
 * announces. The image's own scripts ignore the identity and announce variables on a repo they initialised
 * themselves.
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
        ["--json", "Peering.Peers", JSON.stringify(CERAMIC_PEERING)],
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

// ---------------------------------------------------------------- from kubo to ceramic-one

/** Where the migration step sees the repo of the node's former IPFS daemon. */
export const KUBO_REPO_MOUNT = "/data/kubo";
/** The file in ceramic-one's store that says the kubo repo was migrated into it; it holds when. */
export const KUBO_MIGRATION_MARKER = ".migrated-from-kubo";
/** The binary in ceramic-one's image (rust-ceramic@v0.58.0 Dockerfile: ENTRYPOINT ["/usr/bin/ceramic-one", "daemon"]), on its PATH. */
export const CERAMIC_ONE_BINARY = "/usr/bin/ceramic-one";
/**
 * The variable `migrations from-ipfs` reads the RPC URLs it checks anchor proofs with from
 * (rust-ceramic@v0.58.0 one/src/migrations.rs FromIpfsOpts.additional_chain_rpc_urls).
 */
export const MIGRATION_RPC_URLS_ENV = "CERAMIC_ONE_ADDITIONAL_CHAIN_RPC_URLS";
/**
 * The liveness grace a ceramic-one service gives itself while the step may still run: the longest any
 * back-end honours. The daemon, and so its liveness endpoint, starts only once the migration has ended.
 */
export const KUBO_MIGRATION_GRACE_SECONDS = LIVENESS_GRACE_SECONDS.max;

export interface KuboMigrationArgs {
    /** The volume the js-ceramic-kubo line kept its kubo repo on (NAMES.repo, owned by GO_IPFS_USER). */
    kuboRepo: Volume;
    /** ceramic-one's store directory in the container (its --store-dir), on the node's own volume. */
    storeDir: string;
    network: CeramicNetwork;
    /**
     * The variable holding the Ethereum RPC URL (a secret) in the container. Required on mainnet: there the
     * migration checks anchor proofs against Ethereum and refuses to start without an RPC URL
     * (one/src/lib.rs Network::default_rpc_urls: "no Ethereum RPC URLs specified for Mainnet").
     */
    rpcUrlEnv?: string;
}

export interface KuboMigrationStep {
    /**
     * POSIX sh lines for ceramic-one's start script, before it execs the daemon. They call `ceramic-one` by
     * name: the image has it at /usr/bin/ceramic-one, on PATH (rust-ceramic@v0.58.0 Dockerfile). They exit
     * non-zero on failure.
     */
    script: string[];
    /** The kubo repo at KUBO_REPO_MOUNT, for the container that runs the step. */
    mounts: MountSpec[];
    /** Who that container runs as: the kubo repo's owner, so it must own the store's volume too. */
    user: RunAs;
    /** The liveness grace the service needs while the step may run. */
    gracePeriodSeconds: number;
}

/**
 * The step that moves a js-ceramic-kubo node's data into ceramic-one, run in ceramic-one's container before
 * its daemon, on the node's own volumes (rust-ceramic@v0.58.0 UPGRADE.md "Migrate IPFS Blocks to Ceramic
 * Events": `ceramic-one migrations from-ipfs -i <kubo repo>/blocks -o <store> --network <network>`). It runs
 * until one run has ended well, then never again: a marker in the store records it. It reads the kubo repo and
 * never writes it (UPGRADE.md "Recovery": "the existing data is not modified during the migration"), so going
 * back to js-ceramic-kubo stays possible. js-ceramic 6 starts only once ceramic-one holds its pinned streams'
 * events, which is why the step runs before the daemon and not beside it.
 */
export function kuboMigrationStep(args: KuboMigrationArgs): KuboMigrationStep {
    if (args.network === "mainnet" && !args.rpcUrlEnv) {
        throw new Error("ceramic.migrateFromKubo on mainnet: the migration checks anchor proofs against Ethereum mainnet and needs ceramic.ethereumRpcUrl");
    }
    const store = shellWord(args.storeDir);
    const blocks = `${KUBO_REPO_MOUNT}/blocks`;
    const marker = `${store}/${KUBO_MIGRATION_MARKER}`;
    const rpc = args.rpcUrlEnv ? `${MIGRATION_RPC_URLS_ENV}="$${args.rpcUrlEnv}" ` : "";
    return {
        script: [
            `# The kubo repo's Ceramic events move into ceramic-one's store once; ${KUBO_MIGRATION_MARKER} says it is done.`,
            `if [ -f ${marker} ]; then`,
            `  echo "the kubo repo at ${KUBO_REPO_MOUNT} was migrated into ${args.storeDir} on $(cat ${marker})"`,
            "else",
            `  if [ ! -d ${blocks} ]; then`,
            `    echo "ceramic.migrateFromKubo: no kubo repo at ${KUBO_REPO_MOUNT} (no blocks directory): is the js-ceramic-kubo node's repo volume mounted?" >&2`,
            "    exit 1",
            "  fi",
            `  mkdir -p ${store}`,
            `  echo "migrating the kubo repo's blocks at ${blocks} into ${args.storeDir} (${args.network})"`,
            "  # In the store: the migration writes model_error_counts.csv into its working directory (rust-ceramic",
            "  # event-svc/src/event/migration.rs), and the image's / is not the container user's to write.",
            `  if ! (cd ${store} && ${rpc}ceramic-one migrations from-ipfs --input-ipfs-path ${blocks} --output-store-path ${store} --network ${args.network}); then`,
            `    echo "ceramic.migrateFromKubo: the migration from ${blocks} failed; it runs again at the next start" >&2`,
            "    exit 1",
            "  fi",
            `  date -u +%Y-%m-%dT%H:%M:%SZ > ${marker}.tmp`,
            `  mv ${marker}.tmp ${marker}`,
            "fi",
        ],
        mounts: [{ volume: args.kuboRepo, path: KUBO_REPO_MOUNT, staleLocks: KUBO_REPO_LOCKS }],
        user: { ...args.kuboRepo.owner },
        gracePeriodSeconds: KUBO_MIGRATION_GRACE_SECONDS,
    };
}
