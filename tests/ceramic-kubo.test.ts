// The js-ceramic-kubo line as its upstreams run it, and its way out:
// - go-ipfs-daemon's start script, run under the image's shell (busybox ash) against the kubo stand-in, leaves a
//   config holding what the image's own init script sets (ceramicnetwork/go-ipfs-daemon@f19c96b
//   container-init.d/000-ceramic.sh, recorded by running it: tests/data/go-ipfs-daemon-init.json,
//   tools/go-ipfs-daemon-init.ts), Peering.Peers and pubsub above all, on this node's own ports;
// - the migration into ceramic-one runs `ceramic-one migrations from-ipfs` as rust-ceramic@v0.58.0 parses it
//   (one/src/migrations.rs FromIpfsOpts, extracted into tests/data/ceramic-one-options.json by
//   tools/ceramic-one-options.ts) and as UPGRADE.md runs it, once.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    CERAMIC_PEERING,
    GO_IPFS_ENV,
    GO_IPFS_PORTS,
    KUBO_MIGRATION_GRACE_SECONDS,
    KUBO_MIGRATION_MARKER,
    KUBO_REPO_MOUNT,
    MIGRATION_RPC_URLS_ENV,
    goIpfsDaemon,
    goIpfsSettings,
    goIpfsStartScript,
    kuboMigrationStep,
} from "../components/ceramic/ipfs";
import { GO_IPFS_USER } from "../components/ceramic/ipfs";
import { LIVENESS_GRACE_SECONDS, Volume } from "../components/topology";
import { CeramicOneOptionData, optionsOf } from "../tools/ceramic-one-options";
import { ceramicOneCalls, installCeramicOneStandIn } from "../tools/ceramic-one-stand-in";
import { GoIpfsDaemonInitData, imageShell, valueAt } from "../tools/go-ipfs-daemon-init";
import { installKuboStandIn, standInCalls } from "../tools/kubo-stand-in";
import { kuboConfigProblems } from "./conformance/kuboConfig";
import { hasBinary } from "./support";

const DATA = path.join(__dirname, "data");
const UPSTREAM_INIT: GoIpfsDaemonInitData = JSON.parse(fs.readFileSync(path.join(DATA, "go-ipfs-daemon-init.json"), "utf8"));
const CERAMIC_ONE: CeramicOneOptionData = JSON.parse(fs.readFileSync(path.join(DATA, "ceramic-one-options.json"), "utf8"));

/**
 * Where this node departs from the image's init script on purpose, and why. Every other key the script sets
 * must end up with the script's value.
 */
const OWN_VALUES: Record<string, { value: unknown; why: string }> = {
    "Addresses.API": {
        value: `/ip4/0.0.0.0/tcp/${GO_IPFS_PORTS.api}`,
        why: "Ceramic's deployments' API port, not kubo's 5001, which an IPFS Cluster peer's kubo may hold on the same network",
    },
    "Addresses.Swarm": {
        value: [`/ip4/0.0.0.0/tcp/${GO_IPFS_PORTS.swarmWs}/ws`, `/ip4/0.0.0.0/tcp/${GO_IPFS_PORTS.swarmWsBehindTls}/ws`],
        // The image's own peers are reached on 4011/ws too (their Peering.Peers addresses).
        why: "websockets only, as Ceramic's own nodes listen: 4011 public, 4012 behind the TLS load balancer; no raw TCP port to open",
    },
};

describe("the js-ceramic-kubo line: go-ipfs-daemon's settings and the migration into ceramic-one", function () {
    this.timeout(60_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ceramic-kubo-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("the start script restores what the image's init script sets (go-ipfs-daemon@f19c96b container-init.d/000-ceramic.sh)", () => {
        const bin = installKuboStandIn(path.join(tmp, "kubo-bin"));
        /** Runs the start script as the container does, on a blank repo or one that exists; the config it leaves. */
        const start = (label: string, existing?: Record<string, unknown>) => {
            const repo = path.join(tmp, `repo-${label.replace(/\W/g, "-")}`);
            fs.mkdirSync(repo);
            if (existing) fs.writeFileSync(path.join(repo, "config"), JSON.stringify(existing, null, 2));
            const log = path.join(tmp, `calls-${label.replace(/\W/g, "-")}.log`);
            const [shell, ...shellArgs] = imageShell();
            const run = spawnSync(shell, [...shellArgs, "-c", goIpfsStartScript(), "ipfs-start", ...goIpfsDaemon.command], {
                encoding: "utf8",
                env: {
                    PATH: `${bin}:${process.env.PATH}`,
                    FAKE_IPFS_LOG: log,
                    IPFS_PATH: repo,
                    [GO_IPFS_ENV.peerId]: "12D3KooWNodeOwnPeerId",
                    [GO_IPFS_ENV.privateKey]: "CAESQNodeOwnKey==",
                    [GO_IPFS_ENV.announce]: '["/ip4/198.51.100.7/tcp/4011/ws"]',
                },
            });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.strictEqual(run.stdout.trim().split("\n").pop(), goIpfsDaemon.command.join(" "));
            return { config: JSON.parse(fs.readFileSync(path.join(repo, "config"), "utf8")), calls: standInCalls(log) };
        };

        it("the record comes from the image's commit the pin names, and sets Peering.Peers and pubsub", () => {
            assert.strictEqual(UPSTREAM_INIT.source.commit.slice(0, 12), goIpfsDaemon.image.split(":").pop());
            for (const key of ["Peering.Peers", "Pubsub.Enabled", "Pubsub.SeenMessagesTTL"]) assert.ok(key in UPSTREAM_INIT.settings, key);
        });

        for (const [label, existing] of [["a blank", undefined], ["an existing", { Identity: { PeerID: "12D3KooWNodeOwnPeerId", PrivKey: "old" }, Peering: { Peers: [] } }]] as const) {
            it(`on ${label} repo, the config holds every setting of the image's script, Peering.Peers included, on the node's own ports`, () => {
                const { config } = start(label, existing);
                for (const [key, upstream] of Object.entries(UPSTREAM_INIT.settings)) {
                    const expected = OWN_VALUES[key]?.value ?? upstream;
                    assert.deepStrictEqual(valueAt(config, key), expected, `${key}${OWN_VALUES[key] ? ` (own value: ${OWN_VALUES[key].why})` : ""}`);
                }
                assert.deepStrictEqual(config.Peering.Peers, UPSTREAM_INIT.settings["Peering.Peers"]);
                assert.deepStrictEqual(config.Addresses.Announce, ["/ip4/198.51.100.7/tcp/4011/ws"]);
                assert.strictEqual(config.Identity.PeerID, "12D3KooWNodeOwnPeerId");
            });
        }

        it("departs from the image's script only where it says why, and the peer list is the one place it is written", () => {
            for (const key of Object.keys(OWN_VALUES)) {
                assert.ok(key in UPSTREAM_INIT.settings, `${key} is not a key the image's script sets`);
                assert.notDeepStrictEqual(OWN_VALUES[key].value, UPSTREAM_INIT.settings[key], `${key} is no departure`);
            }
            assert.deepStrictEqual(CERAMIC_PEERING, UPSTREAM_INIT.settings["Peering.Peers"]);
            for (const peer of CERAMIC_PEERING) for (const a of peer.Addrs) assert.ok(a.endsWith(`/p2p/${peer.ID}`), a);
        });

        it("kubo accepts every `ipfs config` call of the start script (key and value type against kubo's Config struct)", () => {
            const problems = goIpfsSettings().flatMap(args => kuboConfigProblems(args.map(a => a.replace(`\${${GO_IPFS_ENV.announce}}`, '["/ip4/198.51.100.7/tcp/4011/ws"]'))));
            assert.deepStrictEqual(problems, []);
        });

        it("the start script is one shellcheck finds nothing wrong with", function () {
            if (!hasBinary("shellcheck")) this.skip();
            const file = path.join(tmp, "ipfs-start.sh");
            fs.writeFileSync(file, goIpfsStartScript());
            const run = spawnSync("shellcheck", ["-s", "sh", file], { encoding: "utf8" });
            assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
        });
    });

    describe("the migration step into ceramic-one (rust-ceramic@v0.58.0 UPGRADE.md, one/src/migrations.rs)", () => {
        const bin = installCeramicOneStandIn(path.join(tmp, "ceramic-one-bin"), CERAMIC_ONE);
        const kuboRepo = { volumeName: "ceramic-ipfs-repo", owner: { ...GO_IPFS_USER } } as Volume;
        const block = "CIQBED3K6YA5I3QQWLJOCHWXDRK5EXZQILBCKAPEDUJENZ5B5HJ5R3A.data";

        /** A node's volumes: the kubo repo with one block, an empty store, and the image's root the process starts in. */
        const volumes = (label: string) => {
            const root = path.join(tmp, label);
            const kubo = path.join(root, "kubo");
            fs.mkdirSync(path.join(kubo, "blocks", "R3"), { recursive: true });
            fs.writeFileSync(path.join(kubo, "blocks", "R3", block), "block");
            const store = path.join(root, "store");
            const imageRoot = path.join(root, "image-root");
            fs.mkdirSync(imageRoot);
            return { kubo, store, imageRoot, log: path.join(root, "ceramic-one.log") };
        };

        /** ceramic-one's start: the step, then the daemon. The container's KUBO_REPO_MOUNT is `kubo` here. */
        const start = (v: ReturnType<typeof volumes>, script: string[], env: Record<string, string> = {}) => {
            const text = ["set -eu", ...script, "exec ceramic-one daemon"].join("\n").split(KUBO_REPO_MOUNT).join(v.kubo);
            const [shell, ...shellArgs] = imageShell();
            return spawnSync(shell, [...shellArgs, "-c", text, "ceramic-one-start"], {
                encoding: "utf8",
                cwd: v.imageRoot,
                env: { PATH: `${bin}:${process.env.PATH}`, FAKE_CERAMIC_ONE_LOG: v.log, ...env },
            });
        };

        it("runs `migrations from-ipfs` on the kubo repo's blocks into the store before the daemon, with flags ceramic-one takes", () => {
            const v = volumes("first");
            const step = kuboMigrationStep({ kuboRepo, storeDir: v.store, network: "testnet-clay" });
            const run = start(v, step.script);
            assert.strictEqual(run.status, 0, run.stderr);
            const calls = ceramicOneCalls(v.log);
            assert.deepStrictEqual(calls.map(c => c.args.slice(0, 2)), [["migrations", "from-ipfs"], ["daemon"]]);
            const options = optionsOf(CERAMIC_ONE, "FromIpfsOpts");
            const flag = (long: string) => calls[0].args[calls[0].args.indexOf(`--${long}`) + 1];
            assert.ok(options.some(o => o.long === "input-ipfs-path" && o.required), "ceramic-one requires --input-ipfs-path");
            assert.strictEqual(flag("input-ipfs-path"), path.join(v.kubo, "blocks"));
            // Given, not left to CERAMIC_ONE_STORE_DIR: the migration reads CERAMIC_ONE_OUTPUT_STORE_PATH instead.
            assert.strictEqual(options.find(o => o.long === "output-store-path")?.env, "CERAMIC_ONE_OUTPUT_STORE_PATH");
            assert.strictEqual(flag("output-store-path"), v.store);
            assert.strictEqual(flag("network"), "testnet-clay");
            assert.ok(fs.readFileSync(path.join(v.store, "db.sqlite3"), "utf8").includes(block), "the block reached the store");
            assert.match(fs.readFileSync(path.join(v.store, KUBO_MIGRATION_MARKER), "utf8"), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
        });

        it("runs once: with the marker in the store, the next start goes straight to the daemon", () => {
            const v = volumes("again");
            const step = kuboMigrationStep({ kuboRepo, storeDir: v.store, network: "testnet-clay" });
            assert.strictEqual(start(v, step.script).status, 0);
            const again = start(v, step.script);
            assert.strictEqual(again.status, 0, again.stderr);
            assert.deepStrictEqual(ceramicOneCalls(v.log).map(c => c.args[0]), ["migrations", "daemon", "daemon"]);
            assert.match(again.stdout, /was migrated into .* on \d{4}-/);
        });

        it("a failed migration stops the start without a marker, so the next start migrates again", () => {
            const v = volumes("failed");
            const step = kuboMigrationStep({ kuboRepo, storeDir: v.store, network: "testnet-clay" });
            const run = start(v, step.script, { FAKE_CERAMIC_ONE_FAIL: "1" });
            assert.notStrictEqual(run.status, 0);
            assert.match(run.stderr, /ceramic\.migrateFromKubo: the migration from .* failed/);
            assert.deepStrictEqual(ceramicOneCalls(v.log).map(c => c.args[0]), ["migrations"]);
            assert.ok(!fs.existsSync(path.join(v.store, KUBO_MIGRATION_MARKER)));
        });

        it("without the kubo repo mounted it refuses, naming the key, before ceramic-one runs", () => {
            const v = volumes("unmounted");
            fs.rmSync(v.kubo, { recursive: true });
            const run = start(v, kuboMigrationStep({ kuboRepo, storeDir: v.store, network: "testnet-clay" }).script);
            assert.notStrictEqual(run.status, 0);
            assert.match(run.stderr, /ceramic\.migrateFromKubo: no kubo repo at/);
            assert.deepStrictEqual(ceramicOneCalls(v.log), []);
        });

        it("runs in the store, where its model_error_counts.csv can be written (event-svc migration.rs writes it to the working directory)", () => {
            const v = volumes("errors");
            const run = start(v, kuboMigrationStep({ kuboRepo, storeDir: v.store, network: "testnet-clay" }).script, { FAKE_MODEL_ERRORS: "1" });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.strictEqual(ceramicOneCalls(v.log)[0].cwd, v.store);
            assert.ok(fs.existsSync(path.join(v.store, "model_error_counts.csv")));
            assert.ok(!fs.existsSync(path.join(v.imageRoot, "model_error_counts.csv")));
        });

        it("on mainnet it needs the Ethereum RPC URL, and hands it over in the environment, never on the command line (lib.rs default_rpc_urls)", () => {
            assert.throws(() => kuboMigrationStep({ kuboRepo, storeDir: "/s", network: "mainnet" }), /ceramic\.migrateFromKubo on mainnet: .*ceramic\.ethereumRpcUrl/);
            const v = volumes("mainnet");
            const url = "https://mainnet.example/v3/secret-key-7f3a";
            // The stand-in refuses mainnet without an RPC URL, as ceramic-one does: the step is what supplies it.
            const bare = start(v, kuboMigrationStep({ kuboRepo, storeDir: v.store, network: "mainnet", rpcUrlEnv: "UNSET_RPC" }).script, {});
            assert.notStrictEqual(bare.status, 0);
            const run = start(volumes("mainnet-with-rpc"), kuboMigrationStep({ kuboRepo, storeDir: path.join(tmp, "mainnet-with-rpc", "store"), network: "mainnet", rpcUrlEnv: "ETHEREUM_RPC_URL" }).script, { ETHEREUM_RPC_URL: url });
            assert.strictEqual(run.status, 0, run.stderr);
            const [migration] = ceramicOneCalls(path.join(tmp, "mainnet-with-rpc", "ceramic-one.log"));
            assert.strictEqual(migration.env[MIGRATION_RPC_URLS_ENV], url);
            assert.ok(!migration.args.some(a => a.includes("secret-key")));
            assert.ok(optionsOf(CERAMIC_ONE, "FromIpfsOpts").some(o => o.env === MIGRATION_RPC_URLS_ENV));
        });

        it("mounts the kubo repo as the container's user, its owner, and asks the longest liveness grace any back-end honours", () => {
            const step = kuboMigrationStep({ kuboRepo, storeDir: "/data/ceramic-one", network: "testnet-clay" });
            assert.deepStrictEqual(step.mounts.map(m => [m.volume, m.path]), [[kuboRepo, KUBO_REPO_MOUNT]]);
            assert.deepStrictEqual(step.user, GO_IPFS_USER);
            assert.strictEqual(step.gracePeriodSeconds, KUBO_MIGRATION_GRACE_SECONDS);
            assert.strictEqual(KUBO_MIGRATION_GRACE_SECONDS, LIVENESS_GRACE_SECONDS.max);
        });

        it("the step's lines are POSIX sh shellcheck finds nothing wrong with", function () {
            if (!hasBinary("shellcheck")) this.skip();
            const file = path.join(tmp, "migration.sh");
            const step = kuboMigrationStep({ kuboRepo, storeDir: "/data/ceramic-one", network: "mainnet", rpcUrlEnv: "ETHEREUM_RPC_URL" });
            fs.writeFileSync(file, ["#!/bin/sh", "set -eu", ...step.script, "exec ceramic-one daemon", ""].join("\n"));
            const run = spawnSync("shellcheck", ["-s", "sh", file], { encoding: "utf8" });
            assert.strictEqual(run.status, 0, `${run.stdout}${run.stderr}`);
        });
    });
});
