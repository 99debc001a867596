// A stand-in for the ceramic-one binary as far as start scripts use it, so a script can run under sh here.
// Its command line is parsed by the options extracted from ceramic-one's source (tests/data/
// ceramic-one-options.json, tools/ceramic-one-options.ts) the way clap parses them: `--long value`,
// `--long=value`, `-s value`; a flag takes no value; an absent option falls back to its variable, then its
// default; an unknown argument or a missing required option fails with clap's exit code 2; a ValueEnum takes
// only its values. What `migrations from-ipfs` then does follows rust-ceramic@v0.58.0:
// - one/src/lib.rs Network::get_eth_rpc_providers: on mainnet without RPC URLs it fails ("no Ethereum RPC URLs
//   specified for Mainnet");
// - one/src/migrations.rs FSBlockStore::blocks_from_dir: it reads every file under --input-ipfs-path, failing
//   when the directory does not exist;
// - DBOpts::get_sqlite_pool: it makes the store directory and writes db.sqlite3 there (here: the block files
//   it read, one a line);
// - event-svc/src/event/migration.rs Migrator::migrate: with blocks it could not migrate it writes
//   model_error_counts.csv into its working directory, and fails when it cannot (here: when
//   $FAKE_MODEL_ERRORS is set).
// `daemon ARGS` prints "daemon ARGS" and ends. $FAKE_CERAMIC_ONE_FAIL makes the migration fail. Every call is
// appended to $FAKE_CERAMIC_ONE_LOG as one JSON line: its arguments, working directory and CERAMIC_ONE_* variables.
import * as fs from "fs";
import * as path from "path";
import type { CeramicOneOptionData } from "./ceramic-one-options";
import { optionsOf } from "./ceramic-one-options";

const CLI = String.raw`
const fs = require("fs");
const path = require("path");
const data = JSON.parse(fs.readFileSync(path.join(__dirname, "options.json"), "utf8"));
const args = process.argv.slice(2);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("CERAMIC_ONE_")));
if (process.env.FAKE_CERAMIC_ONE_LOG) fs.appendFileSync(process.env.FAKE_CERAMIC_ONE_LOG, JSON.stringify({ args, cwd: process.cwd(), env }) + "\n");
const usage = message => { process.stderr.write("error: " + message + "\n"); process.exit(2); };
const fail = message => { process.stderr.write("Error: " + message + "\n"); process.exit(1); };

function parse(options, argv) {
    const given = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        let option, inline;
        if (a.startsWith("--")) {
            const [name, ...rest] = a.slice(2).split("=");
            option = options.find(o => o.long === name);
            inline = rest.length > 0 ? rest.join("=") : undefined;
        } else if (/^-[^-]/.test(a)) {
            option = options.find(o => o.short === a[1]);
            inline = a.length > 2 ? a.slice(2) : undefined;
        }
        if (!option) usage("unexpected argument '" + a + "' found");
        if (option.flag) {
            if (inline !== undefined) usage("unexpected value '" + inline + "' for '--" + option.long + "' found; no more were expected");
            given[option.field] = "true";
            continue;
        }
        const v = inline !== undefined ? inline : argv[++i];
        if (v === undefined) usage("a value is required for '--" + option.long + "' but none was supplied");
        given[option.field] = v;
    }
    const values = {};
    for (const o of options) {
        const v = given[o.field] !== undefined ? given[o.field] : (o.env && process.env[o.env] !== undefined ? process.env[o.env] : undefined);
        if (v === undefined && o.required) usage("the following required arguments were not provided: --" + o.long);
        if (v !== undefined) values[o.field] = v;
    }
    return values;
}

function filesUnder(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

if (args[0] === "daemon") {
    process.stdout.write(args.join(" ") + "\n");
} else if (args[0] === "migrations" && args[1] === "from-ipfs") {
    const o = parse(data.fromIpfs, args.slice(2));
    const network = o.network || "testnet-clay";
    if (!data.networks.includes(network)) usage("invalid value '" + network + "' for '--network <NETWORK>'");
    const rpc = [o.additional_chain_rpc_urls, o.ethereum_rpc_urls].filter(Boolean);
    if (network === "mainnet" && rpc.length === 0) fail("no Ethereum RPC URLs specified for Mainnet");
    if (!fs.existsSync(o.input_ipfs_path) || !fs.statSync(o.input_ipfs_path).isDirectory()) fail("No such file or directory (os error 2)");
    const store = o.output_store_path || path.join(process.env.HOME || ".", ".ceramic-one");
    fs.mkdirSync(store, { recursive: true });
    fs.appendFileSync(path.join(store, "db.sqlite3"), filesUnder(o.input_ipfs_path).map(f => f + "\n").join(""));
    if (process.env.FAKE_MODEL_ERRORS) fs.writeFileSync("model_error_counts.csv", "model,count\n");
    if (process.env.FAKE_CERAMIC_ONE_FAIL) fail("migration failed");
    process.stdout.write("migration finished\n");
} else {
    usage("unrecognized subcommand '" + args.slice(0, 2).join(" ") + "'");
}
`;

/** Writes the stand-in `ceramic-one` into `dir` (made if missing), parsing by `options`; put `dir` first on PATH. */
export function installCeramicOneStandIn(dir: string, options: CeramicOneOptionData): string {
    fs.mkdirSync(dir, { recursive: true });
    const parsed = { fromIpfs: optionsOf(options, "FromIpfsOpts"), networks: options.enums.Network };
    fs.writeFileSync(path.join(dir, "options.json"), JSON.stringify(parsed));
    fs.writeFileSync(path.join(dir, "ceramic-one-stand-in.js"), CLI);
    fs.writeFileSync(path.join(dir, "ceramic-one"), `#!/bin/sh\nexec "${process.execPath}" "$(dirname "$0")/ceramic-one-stand-in.js" "$@"\n`, { mode: 0o755 });
    return dir;
}

export interface CeramicOneCall {
    args: string[];
    cwd: string;
    env: Record<string, string>;
}

/** The calls a run made, from the $FAKE_CERAMIC_ONE_LOG it wrote. */
export function ceramicOneCalls(log: string): CeramicOneCall[] {
    if (!fs.existsSync(log)) return [];
    return fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map(line => JSON.parse(line) as CeramicOneCall);
}
