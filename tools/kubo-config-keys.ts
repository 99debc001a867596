// Extracts the keys `ipfs config KEY VALUE` accepts from kubo's config package (config/*.go of ipfs/kubo) into
// facts a test can hold the start scripts to. kubo checks a key against its Config struct as
// config.ReflectToMap lays it out (config/config.go CheckKey): exported Go field names, a map's entries under
// "*", a pointer as what it points to; then it decodes the whole config into that struct (config.FromMap), so a
// value must decode as the field's Go type. This reads the same structs from the source and writes each key's
// Go type. Run it on the config directory of the tag the image pin names:
//   tsx tools/kubo-config-keys.ts <dir holding config/*.go> --tag v0.42.0 --commit <sha> > tests/data/kubo-config-keys.json
import * as fs from "fs";
import * as path from "path";
import { upstreamSourceArgs } from "./upstreamSource";

export interface KuboConfigKeyData {
    source: { repository: string; tag: string; commit: string; files: string };
    /** Key path (Addresses.Swarm, Gateway.PublicGateways.*.Paths) to its Go type as written in the source. */
    keys: Record<string, string>;
}

interface Field {
    name: string;
    type: string;
}

export interface GoTypes {
    /** Every `type Name struct { ... }`, with its exported fields (embedded ones named by their type). */
    structs: Map<string, Field[]>;
    /** Named map and slice types (`type Strings []string`, `Methods map[MethodName]Method` in a type group). */
    named: Map<string, string>;
}

/** The struct, map and slice types the package declares. */
export function typesOf(sources: string[]): GoTypes {
    const structs = new Map<string, Field[]>();
    const named = new Map<string, string>();
    for (const text of sources) {
        const declarations = [
            ...[...text.matchAll(/^type (\w+ .*)$/gm)].map(m => m[1]),
            ...[...text.matchAll(/^type \(\n([\s\S]*?)^\)/gm)].flatMap(m => m[1].split("\n").map(l => l.trim())),
        ];
        for (const d of declarations) {
            const m = /^(\w+)\s+((?:map\[[^\]]+\]|\[\])\S+)$/.exec(d.replace(/\/\/.*$/, "").trim());
            if (m) named.set(m[1], m[2]);
        }
        for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
            const fields: Field[] = [];
            for (const raw of m[2].split("\n")) {
                const line = raw.replace(/\/\/.*$/, "").replace(/`[^`]*`/g, "").trim();
                if (!line) continue;
                const words = line.split(/\s+/);
                if (words.length === 1) {
                    fields.push({ name: words[0].replace(/^\*/, "").split(".").pop()!, type: words[0] });
                    continue;
                }
                const names = line.includes(",") ? words.slice(0, -1).join(" ").split(",").map(n => n.trim()) : [words[0]];
                const type = line.includes(",") ? words[words.length - 1] : words.slice(1).join(" ");
                for (const name of names) fields.push({ name, type });
            }
            structs.set(m[1], fields.filter(f => /^[A-Z]/.test(f.name)));
        }
    }
    return { structs, named };
}

/** The key tree of Config, as config.ReflectToMap walks it. */
export function keyTree({ structs, named }: GoTypes): Record<string, string> {
    const keys: Record<string, string> = {};
    const walk = (prefix: string, type: string, seen: Set<string>): void => {
        const bare = type.replace(/^\*/, "");
        const map = /^map\[[^\]]+\](.*)$/.exec(named.get(bare) ?? bare);
        if (map) {
            keys[prefix] = type;
            walk(`${prefix}.*`, map[1], seen);
            return;
        }
        const fields = structs.get(bare);
        if (prefix) keys[prefix] = type;
        if (!fields || seen.has(bare)) return;
        for (const f of fields) walk(prefix ? `${prefix}.${f.name}` : f.name, f.type, new Set([...seen, bare]));
    };
    walk("", "Config", new Set());
    return keys;
}

function main(argv: string[]): void {
    const { paths: [dir], tag, commit } = upstreamSourceArgs(argv);
    const files = fs.readdirSync(dir).filter(f => f.endsWith(".go") && !f.endsWith("_test.go")).sort();
    const data: KuboConfigKeyData = {
        source: { repository: "ipfs/kubo", tag, commit, files: "config/*.go" },
        keys: keyTree(typesOf(files.map(f => fs.readFileSync(path.join(dir, f), "utf8")))),
    };
    process.stdout.write(`${JSON.stringify(data, null, 1)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
