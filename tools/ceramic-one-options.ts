// Extracts the command-line options of ceramic-one from its source (one/src/*.rs of ceramicnetwork/rust-ceramic)
// into facts a test can hold the program's commands to. ceramic-one parses its arguments with clap's derive
// API: every field of a `#[derive(Args)]` or `#[derive(Parser)]` struct is an option, named by its `#[arg(...)]`
// or `#[clap(...)]` attribute: `long` alone is the field's name in kebab case, `short` alone its first letter,
// `env = "X"` the variable read when the flag is absent; a `bool` field is a flag that takes no value; a field
// with neither a default nor an Option or Vec type is required; `#[command(flatten)]` pulls in another struct's
// options. A `#[derive(ValueEnum)]` enum's values are its variants in kebab case, plus their `alias`es.
// Run it on the one/src directory of the tag the image pin names:
//   tsx tools/ceramic-one-options.ts <dir holding one/src/*.rs> --tag v0.58.0 --commit <sha> > tests/data/ceramic-one-options.json
import * as fs from "fs";
import * as path from "path";
import { upstreamSourceArgs } from "./upstreamSource";

export interface ClapOption {
    field: string;
    long?: string;
    short?: string;
    env?: string;
    /** The field's Rust type as written. */
    type: string;
    /** A flag: present or not, no value. */
    flag: boolean;
    required: boolean;
    /** Named by another option that must be given with it (`requires`). */
    requires?: string;
}

export interface ClapStruct {
    options: ClapOption[];
    /** Structs whose options this one takes in (`#[command(flatten)]`). */
    flatten: string[];
}

export interface CeramicOneOptionData {
    source: { repository: string; tag: string; commit: string; files: string };
    structs: Record<string, ClapStruct>;
    /** The values each ValueEnum accepts on the command line. */
    enums: Record<string, string[]>;
}

const kebab = (name: string) => name.replace(/_/g, "-").replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/** The comma-separated items of an attribute's argument list, commas inside brackets or quotes left alone. */
export function attributeItems(inner: string): string[] {
    const items: string[] = [];
    let depth = 0;
    let quote: string | undefined;
    let current = "";
    for (let i = 0; i < inner.length; i++) {
        const ch = inner[i];
        if (quote) {
            current += ch;
            if (ch === "\\") current += inner[++i] ?? "";
            else if (ch === quote) quote = undefined;
            continue;
        }
        if (ch === '"' || (ch === "'" && inner[i + 2] === "'")) quote = ch;
        if ("([{".includes(ch)) depth++;
        if (")]}".includes(ch)) depth--;
        if (ch === "," && depth === 0) {
            if (current.trim()) items.push(current.trim());
            current = "";
            continue;
        }
        current += ch;
    }
    if (current.trim()) items.push(current.trim());
    return items;
}

/** `#[name(...)]` attributes and the field or variant they sit on, read from a struct or enum body. */
function members(body: string): { attributes: { name: string; items: string[] }[]; declaration: string }[] {
    const out: { attributes: { name: string; items: string[] }[]; declaration: string }[] = [];
    let pending: { name: string; items: string[] }[] = [];
    let i = 0;
    while (i < body.length) {
        const rest = body.slice(i);
        const ws = /^\s+/.exec(rest);
        if (ws) {
            i += ws[0].length;
            continue;
        }
        if (rest.startsWith("//")) {
            i += rest.indexOf("\n") < 0 ? rest.length : rest.indexOf("\n");
            continue;
        }
        if (rest.startsWith("#[")) {
            let depth = 0;
            let j = 0;
            for (; j < rest.length; j++) {
                if (rest[j] === "[") depth++;
                if (rest[j] === "]" && --depth === 0) break;
            }
            const text = rest.slice(2, j);
            const m = /^(\w+)(?:\(([\s\S]*)\))?/.exec(text);
            if (m) pending.push({ name: m[1], items: m[2] === undefined ? [] : attributeItems(m[2]) });
            i += j + 1;
            continue;
        }
        // A declaration runs to the next comma outside brackets (a field's type may hold some).
        let depth = 0;
        let j = 0;
        for (; j < rest.length; j++) {
            if ("<([{".includes(rest[j])) depth++;
            if (">)]}".includes(rest[j])) depth--;
            if (rest[j] === "," && depth === 0) break;
        }
        out.push({ attributes: pending, declaration: rest.slice(0, j).trim() });
        pending = [];
        i += j + 1;
    }
    return out;
}

function value(items: string[], key: string): string | undefined {
    const item = items.find(it => it.startsWith(`${key} =`) || it.startsWith(`${key}=`));
    return item?.slice(item.indexOf("=") + 1).trim().replace(/^"(.*)"$/, "$1").replace(/^'(.)'$/, "$1");
}

/** The body of each `struct Name { ... }` or `enum Name { ... }` and the derives above it. */
function items(text: string, kind: "struct" | "enum"): { name: string; derives: string; body: string }[] {
    const out: { name: string; derives: string; body: string }[] = [];
    // Doc comments may sit between the derives and the item (one/src/lib.rs DBOptsExperimental).
    const re = new RegExp(`((?:(?:#\\[[^\\]]*\\]|///[^\\n]*)\\s*)*)(?:pub(?:\\([^)]*\\))? )?${kind} (\\w+) \\{\\n([\\s\\S]*?)^\\}`, "gm");
    for (const m of text.matchAll(re)) out.push({ name: m[2], derives: m[1], body: m[3] });
    return out;
}

export function clapOptions(sources: string[]): Pick<CeramicOneOptionData, "structs" | "enums"> {
    const structs: Record<string, ClapStruct> = {};
    const enums: Record<string, string[]> = {};
    for (const text of sources) {
        for (const s of items(text, "struct")) {
            if (!/derive\([^)]*\b(Args|Parser)\b/.test(s.derives)) continue;
            const struct: ClapStruct = { options: [], flatten: [] };
            for (const member of members(s.body)) {
                const field = /^(?:pub(?:\([^)]*\))? )?(\w+):\s*([\s\S]+)$/.exec(member.declaration);
                if (!field) continue;
                const [, name, type] = field;
                const attrs = member.attributes.filter(a => a.name === "arg" || a.name === "clap" || a.name === "command");
                if (attrs.some(a => a.items.includes("flatten"))) {
                    struct.flatten.push(type.replace(/^Box<(.*)>$/, "$1").trim());
                    continue;
                }
                if (attrs.some(a => a.items.includes("subcommand"))) continue;
                const all = attrs.flatMap(a => a.items);
                const long = all.includes("long") ? kebab(name) : value(all, "long");
                const short = all.includes("short") ? name[0] : value(all, "short");
                if (long === undefined && short === undefined) continue;
                const flag = type === "bool" && value(all, "action") === undefined;
                const hasDefault = value(all, "default_value") !== undefined || value(all, "default_value_t") !== undefined;
                const required = !flag && !hasDefault && !/^(Option|Vec)</.test(type);
                const option: ClapOption = { field: name, type: type.trim(), flag, required };
                if (long !== undefined) option.long = long;
                if (short !== undefined) option.short = short;
                const env = value(all, "env");
                if (env !== undefined) option.env = env;
                const requires = value(all, "requires");
                if (requires !== undefined) option.requires = requires;
                struct.options.push(option);
            }
            structs[s.name] = struct;
        }
        for (const e of items(text, "enum")) {
            if (!/derive\([^)]*\bValueEnum\b/.test(e.derives)) continue;
            const values: string[] = [];
            for (const member of members(e.body)) {
                const variant = /^(\w+)$/.exec(member.declaration);
                if (!variant) continue;
                values.push(kebab(variant[1]));
                for (const a of member.attributes.filter(at => at.name === "clap" || at.name === "value")) {
                    const alias = value(a.items, "alias");
                    if (alias !== undefined) values.push(alias);
                }
            }
            enums[e.name] = values;
        }
    }
    return { structs, enums };
}

/** Every option a struct takes, its flattened structs' included. */
export function optionsOf(data: Pick<CeramicOneOptionData, "structs">, struct: string): ClapOption[] {
    const s = data.structs[struct];
    if (!s) throw new Error(`no options struct ${struct} in the extracted data`);
    return [...s.options, ...s.flatten.flatMap(f => optionsOf(data, f))];
}

function main(argv: string[]): void {
    const { paths: [dir], tag, commit } = upstreamSourceArgs(argv);
    const files = fs.readdirSync(dir).filter(f => f.endsWith(".rs")).sort();
    const data: CeramicOneOptionData = {
        source: { repository: "ceramicnetwork/rust-ceramic", tag, commit, files: "one/src/*.rs" },
        ...clapOptions(files.map(f => fs.readFileSync(path.join(dir, f), "utf8"))),
    };
    process.stdout.write(`${JSON.stringify(data, null, 1)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
