// `ipfs config [--json] KEY VALUE` as kubo judges it, against the key tree of the kubo release the images pin
// (tests/data/kubo-config-keys.json, extracted by tools/kubo-config-keys.ts from config/*.go):
// - core/commands/config.go: `Identity` and `Identity.PrivKey` are refused; --json parses the value as JSON,
//   otherwise it is a string;
// - repo/fsrepo/fsrepo.go SetConfigKey: config.CheckKey (config/config.go) walks the key through the Config
//   struct, a map's entries through "*", and refuses a key it does not find; then config.FromMap decodes the
//   whole config into the struct, so the value must decode as the field's Go type (config/types.go for Flag,
//   Strings and the Optional types; go-libp2p core/peer AddrInfo for Peering.Peers).
import * as fs from "fs";
import * as path from "path";
import type { KuboConfigKeyData } from "../../tools/kubo-config-keys";

export const KUBO_CONFIG: KuboConfigKeyData = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "data", "kubo-config-keys.json"), "utf8"));

/** The Go type of `key` as CheckKey finds it, or undefined when kubo refuses the key. */
export function kuboKeyType(key: string, data: KuboConfigKeyData = KUBO_CONFIG): string | undefined {
    let at = "";
    for (const part of key.split(".")) {
        const exact = at ? `${at}.${part}` : part;
        const entry = at ? `${at}.*` : "*";
        if (exact in data.keys) at = exact;
        else if (entry in data.keys) at = entry;
        else return undefined;
    }
    return data.keys[at];
}

const GO_DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** What go-humanize ParseBytes reads: a number and an SI or IEC unit ("768MiB", "18GiB", "1.5 GB"). */
const BYTE_SIZE = /^\d+(\.\d+)? ?([kmgtpez]i?b?|b)?$/i;
const isStrings = (v: unknown) => Array.isArray(v) && v.every(s => typeof s === "string");

/** Whether a decoded JSON value decodes into the Go type, as encoding/json and kubo's own types read it. */
export function decodesAs(goType: string, value: unknown): boolean | "no rule" {
    switch (goType.replace(/^\*/, "")) {
        case "string": return typeof value === "string";
        case "bool": return typeof value === "boolean";
        case "int": case "int64": return Number.isInteger(value);
        case "Flag": return value === true || value === false || value === null;
        case "Strings": return typeof value === "string" || isStrings(value);
        case "[]string": return value === null || isStrings(value);
        case "OptionalString": return value === null || typeof value === "string";
        case "OptionalInteger": return value === null || Number.isInteger(value);
        case "OptionalBytes": return value === null || typeof value === "number" || (typeof value === "string" && BYTE_SIZE.test(value));
        case "OptionalDuration": return value === null || (typeof value === "string" && (value === "" || value === "default" || GO_DURATION.test(value)));
        case "[]peer.AddrInfo":
            return value === null || (Array.isArray(value) && value.every(p =>
                typeof p === "object" && p !== null && typeof p.ID === "string" && (p.Addrs === undefined || p.Addrs === null || isStrings(p.Addrs))));
        default: return "no rule";
    }
}

/** What kubo would refuse in one `ipfs config` call (its arguments after `config`); empty when it accepts it. */
export function kuboConfigProblems(args: string[], data: KuboConfigKeyData = KUBO_CONFIG): string[] {
    const json = args.includes("--json");
    const [key, value, ...extra] = args.filter(a => a !== "--json" && a !== "--bool");
    const at = `ipfs config ${args.join(" ").slice(0, 120)}`;
    if (!key || extra.length > 0) return [`${at}: takes a key and at most one value`];
    if (["identity", "identity.privkey"].includes(key.toLowerCase())) return [`${at}: kubo refuses to show or change the private key`];
    const goType = kuboKeyType(key, data);
    if (!goType) return [`${at}: ${key} is not a key of kubo ${data.source.tag}'s config`];
    if (value === undefined) return [];
    let decoded: unknown = value;
    if (json) {
        try {
            decoded = JSON.parse(value);
        } catch {
            return [`${at}: --json value is not JSON`];
        }
    }
    const fits = decodesAs(goType, decoded);
    if (fits === "no rule") return [`${at}: no decoding rule here for ${key}'s Go type ${goType}; add one from kubo's source`];
    return fits ? [] : [`${at}: ${JSON.stringify(decoded).slice(0, 80)} does not decode as ${key}'s Go type ${goType}`];
}
