// Records what the init script of ceramicnetwork/go-ipfs-daemon configures, by running it: the image's
// entrypoint is kubo's bin/container_daemon (Dockerfile: COPY .../bin/container_daemon /usr/local/bin/start_ipfs),
// which, after `ipfs init` on a new repo, runs every /container-init.d/*.sh on each start (kubo@v0.19.1
// bin/container_daemon). The image's one script there, 000-ceramic.sh, sets the addresses, pubsub and the
// peering with Ceramic's own nodes. This runs it under sh against the kubo stand-in (./kubo-stand-in.ts), on
// a repo that exists already (the script's usual case), with the ENV defaults of the image's Dockerfile, and
// writes each key it sets with the value the config ends up holding. Run it on the files of the commit the
// image pin names:
//   tsx tools/go-ipfs-daemon-init.ts <000-ceramic.sh> <Dockerfile> --commit <sha> > tests/data/go-ipfs-daemon-init.json
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installKuboStandIn, standInCalls } from "./kubo-stand-in";

export interface GoIpfsDaemonInitData {
    source: { repository: string; commit: string; script: string; dockerfile: string };
    /** The Dockerfile's ENV defaults the script ran with. */
    env: Record<string, string>;
    /** Every `ipfs` call the script made, as its arguments. */
    calls: string[][];
    /** Each key an `ipfs config KEY VALUE` call set, with the value the config holds afterwards. */
    settings: Record<string, unknown>;
}

/** `ENV NAME value` and `ENV NAME=value` lines of a Dockerfile. */
export function dockerfileEnv(text: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const m of text.matchAll(/^ENV\s+(\w+)(?:\s+|=)(.*?)\s*$/gm)) env[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
    return env;
}

/** The shell the image has: busybox ash (FROM busybox:1.31.1-glibc), or this machine's sh without it. */
export function imageShell(): string[] {
    return spawnSync("busybox", ["--help"]).status === 0 ? ["busybox", "sh"] : ["sh"];
}

/** The value at a dotted key of a config. */
export function valueAt(config: unknown, key: string): unknown {
    return key.split(".").reduce<unknown>((at, part) => (at !== null && typeof at === "object" ? (at as Record<string, unknown>)[part] : undefined), config);
}

/** The keys `ipfs config KEY VALUE` calls set, in call order. */
export function keysSet(calls: string[][]): string[] {
    const keys: string[] = [];
    for (const call of calls) {
        if (call[0] !== "config") continue;
        const words = call.slice(1).filter(a => a !== "--json" && a !== "--bool");
        if (words.length === 2 && !keys.includes(words[0])) keys.push(words[0]);
    }
    return keys;
}

export function recordInit(scriptFile: string, dockerfile: string, commit: string): GoIpfsDaemonInitData {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "go-ipfs-daemon-init-"));
    try {
        const bin = installKuboStandIn(path.join(tmp, "bin"));
        const repo = path.join(tmp, "repo");
        fs.mkdirSync(repo);
        fs.writeFileSync(path.join(repo, "config"), JSON.stringify({ Identity: { PeerID: "12D3KooWExisting", PrivKey: "CAESQExisting==" } }));
        const log = path.join(tmp, "calls.log");
        const env = dockerfileEnv(fs.readFileSync(dockerfile, "utf8"));
        const [shell, ...shellArgs] = imageShell();
        const run = spawnSync(shell, [...shellArgs, scriptFile], {
            encoding: "utf8",
            env: { ...env, PATH: `${bin}:${process.env.PATH}`, IPFS_PATH: repo, FAKE_IPFS_LOG: log },
        });
        if (run.status !== 0) throw new Error(`${scriptFile} exited ${run.status}: ${run.stderr}`);
        const calls = standInCalls(log);
        const config = JSON.parse(fs.readFileSync(path.join(repo, "config"), "utf8"));
        return {
            source: { repository: "ceramicnetwork/go-ipfs-daemon", commit, script: "container-init.d/000-ceramic.sh", dockerfile: "Dockerfile" },
            env,
            calls,
            settings: Object.fromEntries(keysSet(calls).map(key => [key, valueAt(config, key)])),
        };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

function main(argv: string[]): void {
    const i = argv.indexOf("--commit");
    if (i < 0 || !argv[i + 1] || argv.length < 4) throw new Error("give <000-ceramic.sh> <Dockerfile> --commit <sha>");
    process.stdout.write(`${JSON.stringify(recordInit(argv[0], argv[1], argv[i + 1]), null, 1)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
