// Keys outside the project's namespace. The CLI hands the program every key of the stack, whatever its
// namespace (`pulumi.runtime.allConfig()`); the program reads only its own. Another key is accepted only when
// someone else reads it: Pulumi itself (`pulumi:`), or a provider the program leaves to the stack's
// configuration. Any other key would be silently ignored, so it is refused, naming the key and never its value.
import { PROJECT, closest } from "./validate";

/**
 * Pulumi's own keys, read by the CLI and the engine, not by the program (pulumi/pulumi v3.248.0):
 * - `pulumi:tags`, the stack's tags (sdk/go/common/workspace/project.go, PulumiTagsConfigKey);
 * - `pulumi:disable-default-providers`, packages whose default provider the engine refuses
 *   (pkg/resource/deploy/default_providers.go; https://www.pulumi.com/docs/iac/concepts/resources/providers/);
 * - `pulumi:autonaming`, how providers name resources (pkg/cmd/pulumi/autonaming/config.go;
 *   https://www.pulumi.com/docs/iac/concepts/resources/names/).
 */
export const PULUMI_KEYS: readonly string[] = ["tags", "disable-default-providers", "autonaming"];

interface ProviderUse {
    /**
     * `default`: some resources use the provider the engine configures from the stack's `<namespace>:` keys.
     * `explicit`: every resource uses a provider the program declares itself, which reads no stack key: the
     * engine configures only a default provider from them (pulumi/pulumi docs/architecture/providers/default.md,
     * "inputs sourced from the stack's configuration values for the relevant provider package").
     */
    use: "default" | "explicit";
    /** The package's config module, which lists every key the provider documents; none when it takes none. */
    module?: string;
    /** The program's own key that does what a provider key would, for the keys an operator is likely to set. */
    instead?: Record<string, string>;
    /** Where the explicit provider takes what the program does not give it. */
    environment?: string;
}

/** The provider packages the program uses (package.json), by config namespace. */
const PROVIDERS: Record<string, ProviderUse> = {
    // components/aws/index.ts createAwsBackend: one aws.Provider, region from web3-nodes:aws.region.
    aws: {
        use: "explicit",
        module: "@pulumi/aws/config/vars",
        instead: { region: `${PROJECT}:aws.region`, defaultTags: `${PROJECT}:tags` },
        environment: "credentials come from the environment (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
    },
    // components/gcp/index.ts createGcpBackend: one gcp.Provider, project and region from web3-nodes:gcp.*.
    gcp: {
        use: "explicit",
        module: "@pulumi/gcp/config/vars",
        instead: { project: `${PROJECT}:gcp.project`, region: `${PROJECT}:gcp.region`, zone: `${PROJECT}:gcp.zones`, defaultLabels: `${PROJECT}:tags` },
        environment: "credentials come from the environment (gcloud auth application-default login, or GOOGLE_APPLICATION_CREDENTIALS)",
    },
    // components/cloudflare: records through the default provider, configured by cloudflare:apiToken and the like.
    docker: {
        use: "explicit",
        module: "@pulumi/docker/config/vars",
        instead: { registryAuth: `${PROJECT}:registryMirror.dockerHubUsername` },
        environment: "the engine comes from the environment (DOCKER_HOST, or the local socket /var/run/docker.sock)",
    },
    cloudflare: { use: "default", module: "@pulumi/cloudflare/config/vars" },
    // Random values through the default provider; @pulumi/random's ProviderArgs is empty and it ships no config module.
    random: { use: "default" },
};

const documented = new Map<string, readonly string[]>();

/** The keys a provider package documents: the names its own config module exports, one per key it reads. */
export function providerKeys(namespace: string): readonly string[] {
    const provider = PROVIDERS[namespace];
    if (provider === undefined) throw new Error(`${namespace} is not a provider the program uses`);
    let keys = documented.get(namespace);
    if (keys === undefined) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        keys = provider.module === undefined ? [] : Object.keys(require(provider.module) as object);
        documented.set(namespace, keys);
    }
    return keys;
}

/** Every config namespace anything reads, for "did you mean". */
const NAMESPACES = [PROJECT, "pulumi", ...Object.keys(PROVIDERS)];

/** Namespaces whose keys are honoured, as an operator would want them listed. */
const HONOURED = `${PROJECT} (this program), pulumi (the CLI), cloudflare (the DNS records' provider)`;

function namespaceOf(fullKey: string): { namespace: string; name: string } {
    const colon = fullKey.indexOf(":");
    return { namespace: fullKey.slice(0, colon), name: fullKey.slice(colon + 1) };
}

/** The top-level name of a key given with a path ("disable-default-providers[0]" is "disable-default-providers"). */
function topName(name: string): string {
    return name.split(/[.[]/)[0];
}

function providerKeyProblem(fullKey: string, namespace: string, name: string, provider: ProviderUse): string | undefined {
    const keys = providerKeys(namespace);
    const top = topName(name);
    if (!keys.includes(top)) {
        if (keys.length === 0) return `${fullKey}: the ${namespace} provider takes no configuration`;
        const meant = closest(top, keys);
        const listed = keys.length <= 12 ? keys.join(", ") : `see ${provider.module}.d.ts`;
        return `${fullKey}: not a key of the ${namespace} provider${meant === undefined ? "" : ` (did you mean ${namespace}:${meant}?)`}; its keys: ${listed}`;
    }
    if (provider.use === "default") return undefined;
    const instead = provider.instead?.[top];
    const unused = `not used: every ${namespace} resource goes through the provider the program declares, which reads no ${namespace}: key ` +
        "(they configure only the default provider, which the program never uses)";
    const remedy = instead !== undefined ? `set ${instead} instead` : provider.environment;
    return `${fullKey}: ${unused}; ${remedy}, and remove it with pulumi config rm ${namespace}:${top}`;
}

/** Default providers the program needs: random always, cloudflare when the stack's DNS is there. */
function disabledDefaultsProblem(fullKey: string, value: unknown, ownConfig: Record<string, unknown>): string | undefined {
    if (value === "" || value === undefined) return undefined;
    if (!Array.isArray(value) || value.some(v => typeof v !== "string")) {
        return `${fullKey}: a list of package names, such as ["aws", "gcp"] (pulumi config set --path 'pulumi:disable-default-providers[0]' aws)`;
    }
    const dns = ownConfig.dns as { provider?: unknown } | undefined;
    const needed = ["random", ...(dns?.provider === "cloudflare" ? ["cloudflare"] : [])];
    const denied = needed.filter(p => value.some(v => (v as string).trim() === "*" || (v as string).trim() === p));
    if (denied.length === 0) return undefined;
    return `${fullKey} = ${JSON.stringify(value)}: the program declares ${denied.join(" and ")} resources with the default provider ` +
        `(random values${needed.includes("cloudflare") ? ", Cloudflare DNS records" : ""}); list only other packages, such as aws and gcp, whose resources all use the program's own provider`;
}

/**
 * What is wrong with the keys of other namespaces, one message per key, none repeating a value: a key the
 * program does not know may hold a secret. `all`: full keys to values as the CLI hands them over, `ownConfig`:
 * the project's keys, parsed; `parse` reads a value as the CLI hands it over.
 */
export function foreignKeyProblems(all: Record<string, string>, ownConfig: Record<string, unknown>, parse: (text: string) => unknown): string[] {
    const problems: string[] = [];
    for (const fullKey of Object.keys(all).sort()) {
        if (!fullKey.includes(":")) {
            problems.push(`${fullKey}: a key without a namespace; the keys this program reads are ${PROJECT}:<key>`);
            continue;
        }
        const { namespace, name } = namespaceOf(fullKey);
        if (namespace === PROJECT) continue;
        if (namespace === "pulumi") {
            const top = topName(name);
            if (!PULUMI_KEYS.includes(top)) {
                const meant = closest(top, PULUMI_KEYS);
                problems.push(`${fullKey}: not a key Pulumi reads${meant === undefined ? "" : ` (did you mean pulumi:${meant}?)`}; its keys: ${PULUMI_KEYS.map(k => `pulumi:${k}`).join(", ")}`);
            } else if (top === "disable-default-providers") {
                const problem = disabledDefaultsProblem(fullKey, parse(all[fullKey]), ownConfig);
                if (problem) problems.push(problem);
            }
            continue;
        }
        const provider = PROVIDERS[namespace];
        if (provider !== undefined) {
            const problem = providerKeyProblem(fullKey, namespace, name, provider);
            if (problem) problems.push(problem);
            continue;
        }
        const meant = closest(namespace, NAMESPACES);
        problems.push(`${fullKey}: nothing reads keys under ${namespace}:` +
            (meant === undefined ? `; namespaces read here: ${HONOURED}` : ` (did you mean ${meant}:${name}?)`));
    }
    return problems;
}
