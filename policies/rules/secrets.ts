// No secret appears in plain text in a resource input. Task definitions, instance metadata and container
// configs are readable by anyone who can describe the resource (and, for metadata, by every process on the
// VM); a secret there is a secret leaked. Secrets come from the secret store at start.
import * as YAML from "yaml";
import { ContainerRunner, containersOf, dockerRuns, guestConfigOf, programOf, rendersPublishedSpecs, withoutContainerStarts } from "./containers";
import { resourcePolicy } from "./policy";
import { CONTAINER_TYPES, T } from "./types";
import { Maybe, describe, isPlaceholder, isUnknown } from "./values";

// ---------------------------------------------------------------- what looks secret

/** Parts of a name that mark it as holding a secret, matched against the name with separators removed. */
const SECRET_NAME_PARTS = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATEKEY", "PRIVKEY", "APIKEY", "ACCESSKEY"];
/** Whole words that mark a name as secret: IPFS_SWARM_KEY, CLUSTER_KEY. */
const SECRET_NAME_WORDS = ["KEY", "PASS", "PWD"];
/**
 * A last word that makes the name point at a secret, or describe one, without holding it: IPFS_SWARM_KEY_FILE,
 * SECRET_ARN, AWS_ACCESS_KEY_ID, TOKEN_AUTH_ENABLED, secret-versions, TOKEN_URL (a URL's own credentials are
 * checked apart).
 */
const REFERENCE_SUFFIXES = [
    "FILE", "FILES", "PATH", "PATHS", "DIR", "ARN", "ARNS", "ID", "IDS", "NAME", "NAMES", "REF", "REFS", "REFERENCE", "VERSION",
    "VERSIONS", "ENABLED", "REGION", "TTL", "URL", "URI", "ENDPOINT", "HOST", "PORT",
];

/** The words of a name: IPFS_SWARM_KEY, ipfs-swarm-key, ipfsSwarmKey and Password.Keystore all split. */
function wordsOf(name: string): string[] {
    return name
        .split(/[^A-Za-z0-9]+/)
        .flatMap(part => part.split(/(?<=[a-z0-9])(?=[A-Z])/))
        .filter(w => w !== "")
        .map(w => w.toUpperCase());
}

/** Whether a variable, flag or setting name says it holds a secret. */
export function isSecretName(name: string): boolean {
    const words = wordsOf(name);
    if (words.length === 0 || REFERENCE_SUFFIXES.includes(words[words.length - 1])) return false;
    if (words.includes("PUBLIC") || words.includes("PUB")) return false;
    const joined = words.join("");
    return SECRET_NAME_PARTS.some(p => joined.includes(p)) || words.some(w => SECRET_NAME_WORDS.includes(w));
}

/** A value that names a file rather than holding the secret: /run/secrets/pw, .password, secrets.toml. */
function looksLikeFile(value: string): boolean {
    return /^(\/|\.\.?\/|~\/)/.test(value) || /^\.[\w-]+$/.test(value) || /^[\w.-]+\.(toml|json|ya?ml|txt|env|pem|key|crt|conf|cfg|ini)$/i.test(value);
}

/** A value that refers to a secret in a store: an ARN, a Secret Manager name or version path. */
function looksLikeReference(value: string): boolean {
    return /^arn:aws[\w-]*:/.test(value) || /(^|\/)secrets\/[^/\s]+(\/versions\/[^/\s]+)?$/.test(value) || /\/versions\/(\d+|latest)$/.test(value);
}

/**
 * Whether a value is a literal secret: anything but a placeholder (absent, unknown, empty, a `$VAR`/`$(...)`
 * expansion, a `{{ template }}`), a switch, a file name or a reference to a secret store. A Pulumi secret counts as
 * literal: policies see its plain text, as the cloud will.
 */
export function isLiteralSecret(value: Maybe<string>): boolean {
    if (isPlaceholder(value)) return false;
    const v = (value as string).trim();
    if (v.startsWith("{{")) return false;
    if (/^(true|false|yes|no|on|off)$/i.test(v)) return false;
    return !looksLikeFile(v) && !looksLikeReference(v);
}

/** URLs with a literal password in them, shown with the password replaced. */
export function credentialUrls(text: string): string[] {
    const found: string[] = [];
    for (const m of text.matchAll(/\b([a-z][a-z0-9+.-]*):\/\/([^\s/:@'"]+):([^\s/@'"]+)@/gi)) {
        const password = m[3];
        if (!isLiteralSecret(password) || password.startsWith("%")) continue;
        found.push(`${m[1]}://${m[2]}:***@`);
    }
    return found;
}

/** Literal secrets on a command line: --password=x, --token x, curl -u user:pass, an Authorization header. URLs are checked apart. */
export function commandLineSecrets(tokens: string[]): string[] {
    const found: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i];
        if (/^-{1,2}[A-Za-z]/.test(token)) {
            const eq = token.indexOf("=");
            const name = (eq < 0 ? token : token.slice(0, eq)).replace(/^-+/, "");
            const value = eq < 0 ? (tokens[i + 1]?.startsWith("-") ? undefined : tokens[i + 1]) : token.slice(eq + 1);
            if (isSecretName(name) && isLiteralSecret(value)) found.push(`the flag ${eq < 0 ? token : token.slice(0, eq)} has a literal value`);
        }
    }
    // Credentials handed to an HTTP client, typically in a health check.
    for (let k = 0; k < tokens.length; k++) {
        if (!["curl", "wget"].includes(programOf(tokens[k]))) continue;
        for (let i = k + 1; i < tokens.length; i++) {
            const { name, value } = optionAt(tokens, i);
            if ((name === "-u" || name === "--user") && value !== undefined) {
                const colon = value.indexOf(":");
                if (colon >= 0 && isLiteralSecret(value.slice(colon + 1))) found.push(`${programOf(tokens[k])} ${name} passes a literal user:password`);
            }
            if ((name === "-H" || name === "--header") && value !== undefined) {
                const header = /^\s*(authorization|proxy-authorization|x-api-key|x-auth-token)\s*:\s*(?:(?:basic|bearer|token)\s+)?(.*)$/i.exec(value);
                if (header && isLiteralSecret(header[2])) found.push(`${programOf(tokens[k])} sends a literal ${header[1]} header`);
            }
        }
    }
    return found;
}

/** An option at position i: `-u value`, `-uvalue`, `--user=value` or `--user value`. */
function optionAt(tokens: string[], i: number): { name?: string; value?: string } {
    const token = tokens[i];
    if (token.startsWith("--")) {
        const eq = token.indexOf("=");
        return eq >= 0 ? { name: token.slice(0, eq), value: token.slice(eq + 1) } : { name: token, value: tokens[i + 1] };
    }
    if (/^-[A-Za-z]/.test(token)) return { name: token.slice(0, 2), value: token.length > 2 ? token.slice(2) : tokens[i + 1] };
    return {};
}

/** NAME=VALUE assignments a command makes: `Environment=A=B "C=D"`, `export A=B`, `A=B cmd`, an env file's `A=B`. */
function assignmentsOf(tokens: string[]): { name: string; value: string }[] {
    let candidates: string[];
    if (tokens[0].startsWith("Environment=")) candidates = [tokens[0].slice("Environment=".length), ...tokens.slice(1)];
    else if (["export", "declare", "local", "readonly"].includes(tokens[0])) candidates = tokens.slice(1);
    else {
        const end = tokens.findIndex(t => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(t));
        candidates = tokens.slice(0, end < 0 ? tokens.length : end);
    }
    return candidates.flatMap(c => {
        const eq = c.indexOf("=");
        return eq > 0 ? [{ name: c.slice(0, eq), value: c.slice(eq + 1) }] : [];
    });
}

/** name/value settings in a configuration file: JSON or YAML leaves (dotted paths), else key=value / key: value lines with [sections]. */
function settingsIn(text: string): { name: string; value: string }[] {
    const leaves: { name: string; value: string }[] = [];
    const walk = (value: unknown, path: string) => {
        if (typeof value === "string") leaves.push({ name: path, value });
        else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
        else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    };
    for (const parse of [JSON.parse, (t: string) => YAML.parse(t)]) {
        try {
            const doc = parse(text) as unknown;
            if (doc !== null && typeof doc === "object") {
                walk(doc, "");
                return leaves;
            }
        } catch {
            // not this format
        }
    }
    let section = "";
    for (const line of text.split(/\r?\n/)) {
        const header = /^\s*\[+([A-Za-z_][\w.\- "]*)\]+\s*$/.exec(line);
        if (header) {
            section = header[1].trim();
            continue;
        }
        const setting = /^\s*(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[:=]\s*(.*?)\s*,?\s*$/.exec(line);
        if (!setting) continue;
        const value = setting[2].replace(/^(["'])(.*)\1$/, "$2");
        leaves.push({ name: section ? `${section}.${setting[1]}` : setting[1], value });
    }
    return leaves;
}

// ---------------------------------------------------------------- the policy

const MOVE_SECRET: Record<ContainerRunner, string> = {
    ecs: "Put it in Secrets Manager and reference it from the container's `secrets` (name + valueFrom) instead",
    gce: "Store it in Secret Manager and have the VM read it at boot into a root-only file or environment instead",
    docker: "Pass it as a mounted file or a docker secret instead",
    service: "Give it in the container spec's `secrets`, read from the cloud's secret store at start, instead of `env`",
};

export const noPlaintextSecrets = resourcePolicy<object>({
    name: "no-plaintext-secrets",
    description:
        "No literal secret in an environment variable, a command line, a health-check command or instance metadata: ECS task " +
        "definitions, GCE metadata and docker configs are stored and shown in plain text to anyone who can describe them. Flags " +
        "variables, flags and settings named like a secret (PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL, PRIVATE_KEY, API_KEY; names " +
        "ending in _FILE, _PATH, _ARN, _ID, _NAME, _ENABLED only point at one) whose value is a literal, URLs with a password in them " +
        "(scheme://user:pass@host), and curl/wget basic-auth or Authorization headers. A Pulumi secret is judged like any value: the " +
        "engine hands policies its plain text, and the cloud stores it in plain text too. No message repeats a secret's value.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Keep secrets in Secrets Manager / Secret Manager: ECS containers reference them in `secrets`, GCE VMs read them at boot, " +
        "programs read them from a file (*_FILE) or the environment, never from a literal in the definition.",
    types: [...CONTAINER_TYPES],
    check(r, _config, report) {
        const messages = new Set<string>();
        const found = containersOf(r.type, r.props);
        if (isUnknown(found)) return;
        const runner: ContainerRunner =
            r.type === T.ecsTaskDefinition ? "ecs" : r.type === T.dockerContainer ? "docker" : r.type === T.zonalService ? "service" : "gce";
        // A zonal service's task definition or VM runs its published specs: their env and commands are judged on the service.
        const specsJudgedOnService = rendersPublishedSpecs(r.urn);
        const fix = MOVE_SECRET[runner];

        if (runner === "gce") {
            const booted = guestConfigOf(r.props);
            if (isUnknown(booted)) return;
            const guest = specsJudgedOnService ? withoutContainerStarts(booted) : booted;
            for (const { key, value } of guest.metadata) {
                if (isSecretName(key) && isLiteralSecret(value)) messages.add(`${describe(r)}: metadata["${key}"] holds a literal secret. ${fix}.`);
                if (typeof value === "string") {
                    for (const url of credentialUrls(value)) messages.add(`${describe(r)}: metadata["${key}"] has the URL ${url} with a password in it. ${fix}.`);
                }
            }
            const urlIn = (where: string, text: string) => {
                for (const url of credentialUrls(text)) messages.add(`${describe(r)}: ${where} has the URL ${url} with a password in it. ${fix}.`);
            };
            for (const text of guest.texts) {
                urlIn(text.where, text.text);
                if (text.kind !== "file") continue;
                for (const s of settingsIn(text.text)) {
                    if (isSecretName(s.name) && isLiteralSecret(s.value)) messages.add(`${describe(r)}: ${text.where} sets ${s.name} to a literal secret. ${fix}.`);
                }
            }
            const textPlaces = new Set(guest.texts.map(t => t.where));
            for (const command of guest.commands) {
                if (!textPlaces.has(command.where)) urlIn(command.where, command.tokens.join(" "));
                for (const a of assignmentsOf(command.tokens)) {
                    if (isSecretName(a.name) && isLiteralSecret(a.value)) messages.add(`${describe(r)}: ${command.where} sets ${a.name} to a literal secret. ${fix}.`);
                }
                for (const run of dockerRuns(command.tokens)) {
                    for (const spec of run.options.filter(o => o.name === "env").map(o => o.value)) {
                        const eq = spec.indexOf("=");
                        if (eq > 0 && isSecretName(spec.slice(0, eq)) && isLiteralSecret(spec.slice(eq + 1))) {
                            messages.add(`${describe(r)}: the docker run of ${run.image ?? "an image"} in ${command.where} passes -e ${spec.slice(0, eq)} with a literal secret. ${fix}.`);
                        }
                    }
                }
                for (const problem of commandLineSecrets(command.tokens)) messages.add(`${describe(r)}: in ${command.where}, ${problem}. ${fix}.`);
            }
        } else {
            for (const c of specsJudgedOnService ? [] : found.containers) {
                for (const e of Array.isArray(c.env) ? c.env : []) {
                    if (isSecretName(e.name) && isLiteralSecret(e.value)) {
                        messages.add(`${describe(r)}: ${c.label} sets the environment variable ${e.name} to a literal secret. ${fix}.`);
                    }
                    if (typeof e.value === "string") {
                        for (const url of credentialUrls(e.value)) messages.add(`${describe(r)}: ${c.label} sets ${e.name} to the URL ${url} with a password in it. ${fix}.`);
                    }
                }
                for (const command of Array.isArray(c.commands) ? c.commands : []) {
                    for (const problem of commandLineSecrets(command)) {
                        messages.add(`${describe(r)}: ${c.label}: in its command or health check, ${problem}. ${fix}.`);
                    }
                    for (const url of credentialUrls(command.join(" "))) {
                        messages.add(`${describe(r)}: ${c.label}: its command or health check has the URL ${url} with a password in it. ${fix}.`);
                    }
                }
            }
        }
        messages.forEach(m => report(m));
    },
});
