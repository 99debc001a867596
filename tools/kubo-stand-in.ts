// A stand-in for the kubo CLI as far as start and init scripts use it, so a script can run under sh here and
// the config it leaves behind can be read. It keeps the repo's config as kubo does, a JSON file at
// $IPFS_PATH/config, and follows kubo's rules for the commands it knows (kubo@v0.19.1, the base of
// ceramicnetwork/go-ipfs-daemon, and later releases alike):
// - `ipfs init [--profile=P] [--empty-repo] [CONFIG]` (cmd/ipfs/init.go): writes the config, from CONFIG when
//   a file is given, else a fresh one with an identity;
// - `ipfs config KEY` (core/commands/config.go): prints a string value bare, anything else as indented JSON;
//   an absent key fails;
// - `ipfs config [--json|--bool] KEY VALUE`: sets the dotted KEY, creating the maps on its way; with --json
//   (or --bool) VALUE is parsed as JSON, otherwise it is a string;
// - `ipfs repo migrate`: nothing to migrate here;
// - `ipfs daemon ARGS`: prints "daemon ARGS" and ends, standing for the daemon the script execs.
// Every call is appended to $FAKE_IPFS_LOG (when set) as one line: the JSON list of its arguments.
import * as fs from "fs";
import * as path from "path";

const CLI = String.raw`
const fs = require("fs");
const path = require("path");
const args = process.argv.slice(2);
if (process.env.FAKE_IPFS_LOG) fs.appendFileSync(process.env.FAKE_IPFS_LOG, JSON.stringify(args) + "\n");
const repo = process.env.IPFS_PATH;
const file = path.join(repo || ".", "config");
const fail = message => { process.stderr.write("Error: " + message + "\n"); process.exit(1); };
const read = () => fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : fail("no IPFS repo found in " + repo);
switch (args[0]) {
    case "init": {
        const given = args.slice(1).filter(a => !a.startsWith("-"));
        if (fs.existsSync(file)) fail("ipfs configuration file already exists!");
        const config = given.length > 0
            ? JSON.parse(fs.readFileSync(given[0], "utf8"))
            : { Identity: { PeerID: "12D3KooWStandInGeneratedAtInit", PrivKey: "CAESQStandInGeneratedAtInit==" } };
        fs.mkdirSync(repo, { recursive: true });
        fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
        break;
    }
    case "config": {
        const json = args.includes("--json") || args.includes("--bool");
        const [key, value] = args.slice(1).filter(a => a !== "--json" && a !== "--bool");
        const config = read();
        const parts = key.split(".");
        if (value === undefined) {
            let at = config;
            for (const p of parts) {
                if (at === null || typeof at !== "object" || !(p in at)) fail("key has no attributes");
                at = at[p];
            }
            process.stdout.write((typeof at === "string" ? at : JSON.stringify(at, null, 2)) + "\n");
            break;
        }
        let parsed = value;
        if (json) {
            try { parsed = JSON.parse(value); } catch (e) { fail("failed to unmarshal json. " + e.message); }
        }
        let at = config;
        for (const p of parts.slice(0, -1)) {
            if (at[p] === undefined || at[p] === null) at[p] = {};
            at = at[p];
        }
        at[parts[parts.length - 1]] = parsed;
        fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
        break;
    }
    case "repo":
        if (args[1] !== "migrate") fail("unknown command repo " + args[1]);
        process.stdout.write("Repository is already at the current version.\n");
        break;
    case "daemon":
        process.stdout.write(["daemon", ...args.slice(1)].join(" ") + "\n");
        break;
    default:
        fail("unknown command " + args[0]);
}
`;

/** Writes the stand-in `ipfs` into `dir` (made if missing); put `dir` first on PATH. */
export function installKuboStandIn(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "ipfs-stand-in.js"), CLI);
    fs.writeFileSync(path.join(dir, "ipfs"), `#!/bin/sh\nexec "${process.execPath}" "$(dirname "$0")/ipfs-stand-in.js" "$@"\n`, { mode: 0o755 });
    return dir;
}

/** The calls a run made, each as its arguments, from the $FAKE_IPFS_LOG it wrote. */
export function standInCalls(log: string): string[][] {
    if (!fs.existsSync(log)) return [];
    return fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map(line => JSON.parse(line) as string[]);
}
