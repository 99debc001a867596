// Extracts the key tree of Chainlink's generated configuration reference (docs/CONFIG.md and docs/SECRETS.md of
// smartcontractkit/chainlink, "generated from docs/*.toml") into facts a test can hold the rendered TOML to:
// every table path, whether it is an array of tables, and each key with the TOML type of its documented value
// and that value (the default, or the example). Run it on the two files of the tag the image pin names:
//   tsx tools/chainlink-config-keys.ts CONFIG.md SECRETS.md --tag v2.29.0 --commit <sha> > tests/data/chainlink-config-keys.json
import * as fs from "fs";
import { parse } from "smol-toml";
import { upstreamSourceArgs } from "./upstreamSource";

export type KeyType = "string" | "integer" | "float" | "boolean" | "array" | "datetime" | "table";

export interface DocumentedKey {
    type: KeyType;
    /** A string value's shape, where the documented value shows one: a Go duration or a byte size. */
    format?: "duration" | "size";
    /** How the reference marks the value: the default, an example, or a required value's example. */
    marked: "Default" | "Example" | "Required";
    value: unknown;
}

export interface DocumentedTable {
    /** Written `[[path]]`: a list of tables (EVM, EVM.Nodes). */
    array: boolean;
    keys: Record<string, DocumentedKey>;
}

/** Table path ("" for the top level) to its documented keys. */
export type KeyTree = Record<string, DocumentedTable>;

export interface ConfigKeyData {
    source: { repository: string; tag: string; commit: string; config: string; secrets: string };
    config: KeyTree;
    secrets: KeyTree;
}

const GO_DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const BYTE_SIZE = /^\d+(\.\d+)?(b|kb|mb|gb|tb)$/i;
/** `Key = value # Default` (or Example, Required) inside a ```toml block. */
const KEY_LINE = /^([A-Za-z0-9_]+)\s*=\s*(.*?)\s*#\s*(Default|Example|Required)\s*$/;
const TABLE_HEADER = /^(\[\[?)([A-Za-z0-9_.]+)\]\]?\s*$/;

function typeOf(value: unknown): KeyType {
    if (typeof value === "string") return "string";
    if (typeof value === "boolean") return "boolean";
    if (typeof value === "bigint") return "integer";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "float";
    if (Array.isArray(value)) return "array";
    if (value instanceof Date) return "datetime";
    return "table";
}

/** The TOML value of one documented line, read by a TOML parser rather than by guessing. */
function documentedValue(key: string, text: string): unknown {
    const parsed = parse(`${key} = ${text}`) as Record<string, unknown>;
    return parsed[key];
}

/** A float's documented value keeps its TOML type even when it is whole (smol-toml returns 100.0 as 100). */
function isTomlFloat(text: string): boolean {
    return /^[+-]?(\d[\d_]*\.\d|\d[\d_]*[eE]|inf|nan)/.test(text.trim());
}

function tableOf(tree: KeyTree, path: string): DocumentedTable {
    return (tree[path] ??= { array: false, keys: {} });
}

/**
 * The key tree of one generated reference. A `## Section` names the table of the keys documented below it
 * ("Global" is the top level); a `[[X]]` header anywhere marks X as a list of tables; the per-chain defaults
 * inside <details> are examples of the same keys and are skipped.
 */
export function extractKeyTree(markdown: string): KeyTree {
    const tree: KeyTree = {};
    let section: string | undefined;
    let inDetails = false;
    let inBlock = false;
    for (const line of markdown.split("\n")) {
        if (line.includes("<details>")) inDetails = true;
        if (line.includes("</details>")) {
            inDetails = false;
            continue;
        }
        if (inDetails) continue;
        if (line.startsWith("```")) {
            inBlock = !inBlock && line.startsWith("```toml");
            continue;
        }
        const heading = /^## (.+?)\s*$/.exec(line);
        if (!inBlock && heading) {
            section = heading[1] === "Global" ? "" : heading[1];
            if (section !== "Example") tableOf(tree, section);
            continue;
        }
        if (!inBlock || section === undefined) continue;
        const header = TABLE_HEADER.exec(line.trim());
        if (header) {
            tableOf(tree, header[2]).array ||= header[1] === "[[";
            continue;
        }
        if (section === "Example") continue;
        const m = KEY_LINE.exec(line.trim());
        if (!m) continue;
        const [, key, text, marked] = m;
        const value = documentedValue(key, text);
        const type = isTomlFloat(text) ? "float" : typeOf(value);
        const format = typeof value === "string" ? (GO_DURATION.test(value) ? "duration" : BYTE_SIZE.test(value) ? "size" : undefined) : undefined;
        const existing = tableOf(tree, section).keys[key];
        // The section's summary block and the key's own block say the same; the first one stands.
        if (existing === undefined) {
            tableOf(tree, section).keys[key] = {
                type,
                ...(format ? { format } : {}),
                marked: marked as DocumentedKey["marked"],
                value: typeof value === "bigint" ? value.toString() : value,
            };
        }
    }
    for (const [path, table] of Object.entries(tree)) if (path !== "" && Object.keys(table.keys).length === 0 && !table.array) delete tree[path];
    return tree;
}

function main(argv: string[]): void {
    // usage: tsx tools/chainlink-config-keys.ts CONFIG.md SECRETS.md --tag <tag> --commit <sha>
    const { paths: [configPath, secretsPath], tag, commit } = upstreamSourceArgs(argv);
    const data: ConfigKeyData = {
        source: { repository: "smartcontractkit/chainlink", tag, commit, config: "docs/CONFIG.md", secrets: "docs/SECRETS.md" },
        config: extractKeyTree(fs.readFileSync(configPath, "utf8")),
        secrets: extractKeyTree(fs.readFileSync(secretsPath, "utf8")),
    };
    process.stdout.write(`${JSON.stringify(data, null, 1)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
