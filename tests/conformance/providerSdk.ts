// Reads the installed provider SDKs (@pulumi/aws, @pulumi/gcp, @pulumi/cloudflare) as data: which inputs a
// resource type takes and how the provider documents them.
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../../node_modules/@pulumi");

export interface ArgsProperty {
    optional: boolean;
    /** The property's doc comment as plain text. */
    doc: string;
}

const cache = new Map<string, Map<string, ArgsProperty>>();

/** The declaration file of a module path such as "compute/urlmap" (file names are not always the token's case). */
function declarationFile(pkg: string, module: string): string {
    const parts = module.split("/");
    let dir = path.join(ROOT, pkg);
    for (const [i, part] of parts.entries()) {
        const last = i === parts.length - 1;
        const wanted = last ? `${part}.d.ts` : part;
        const found = fs.readdirSync(dir).find(f => f.toLowerCase() === wanted.toLowerCase());
        if (!found) throw new Error(`@pulumi/${pkg} has no ${parts.slice(0, i + 1).join("/")}${last ? ".d.ts" : ""}`);
        dir = path.join(dir, found);
    }
    return dir;
}

/** The properties of `<resource>Args` in @pulumi/<pkg>/<module>.d.ts. */
export function argsProperties(pkg: string, module: string, resource: string): Map<string, ArgsProperty> {
    const key = `${pkg}:${module}:${resource}`;
    let props = cache.get(key);
    if (!props) {
        const src = fs.readFileSync(declarationFile(pkg, module), "utf8");
        const body = new RegExp(`export interface ${resource}Args \\{([\\s\\S]*?)\\n\\}`).exec(src)?.[1];
        if (body === undefined) throw new Error(`@pulumi/${pkg}/${module}.d.ts declares no ${resource}Args`);
        props = new Map();
        const member = /(?:\/\*\*([\s\S]*?)\*\/\s*)?\n {4}(\w+)(\??):/g;
        for (let m = member.exec(body); m; m = member.exec(body)) {
            const doc = (m[1] ?? "").replace(/^\s*\*\s?/gm, " ").replace(/\s+/g, " ").trim();
            props.set(m[2], { optional: m[3] === "?", doc });
        }
        cache.set(key, props);
    }
    return props;
}

/** The Args properties of a resource type token such as "gcp:compute/uRLMap:URLMap". */
export function argsOfType(type: string): Map<string, ArgsProperty> {
    const [pkg, module, resource] = type.split(":");
    return argsProperties(pkg, module.startsWith("index/") ? module.slice("index/".length) : module, resource);
}
