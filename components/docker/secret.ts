// A secret on the local engine. There is no secret store: the value stays in Pulumi's state, encrypted with the
// stack's passphrase, and reaches a container as a file on a memory volume (./pod.ts), never in an environment
// variable, a label or a command line the engine keeps.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Secret, SecretArgs } from "../topology";

/** Where a container finds its secrets: NAME=value lines on a tmpfs volume of its own, mounted read-only. */
export const SECRETS_DIR = "/run/web3-secrets";
export const SECRETS_FILE = `${SECRETS_DIR}/env`;
/** The shell the loader runs in: every image with secrets here has one (busybox ash, dash, bash). */
const SHELL = "/bin/sh";
/** The loader's $0: its name in process listings and messages. */
export const SECRETS_LOADER_NAME = "web3-secrets";

export class DockerSecret extends pulumi.ComponentResource implements Secret {
    readonly secretName: string;
    /** Names the secret; never its value. */
    readonly reference: pulumi.Output<string>;
    /** The value, a Pulumi secret: what the stack's state holds, and nothing else. */
    readonly value: pulumi.Output<string>;

    constructor(name: string, args: SecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.secret, name, {}, opts);
        this.secretName = name;
        this.reference = pulumi.output(`state:${name}`);
        this.value = pulumi.secret(args.value);
        this.registerOutputs({ reference: this.reference });
    }
}

/**
 * The container's first process when it has secrets: exports each NAME=value line of its secrets file as it is
 * (`export "${line?}"` expands nothing in the value), then becomes the container's own entrypoint. The file lives
 * in memory only: after the engine restarts it is gone, and the loader says what delivers it again.
 */
export function secretsLoader(stack: string): string {
    return [
        `if [ ! -r ${SECRETS_FILE} ]; then`,
        `  echo "${SECRETS_LOADER_NAME}: ${SECRETS_FILE} is missing: the secrets live in memory only and the Docker engine has restarted since they were delivered; deliver them again with: pulumi up -s ${stack} --refresh" >&2`,
        "  exit 1",
        "fi",
        `while IFS= read -r line || [ -n "$line" ]; do export "\${line?}"; done < ${SECRETS_FILE}`,
        'exec "$@"',
    ].join("\n");
}

/** The entrypoint of a container with secrets: the loader, then what it would run. */
export function withSecretsLoader(stack: string, entrypoint: string[]): string[] {
    return [SHELL, "-c", secretsLoader(stack), SECRETS_LOADER_NAME, ...entrypoint];
}

/**
 * The secrets file's text: one NAME=value line per variable, in name order. A value spanning lines cannot be one
 * line of it; the error names the variable, never the value.
 */
export function secretsFile(owner: string, values: Record<string, string>): string {
    const lines: string[] = [];
    for (const name of Object.keys(values).sort()) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${owner}: "${name}" is not a valid environment variable name`);
        if (/[\r\n]/.test(values[name])) throw new Error(`${owner}: secret ${name} spans several lines, which a line of the secrets file cannot hold; give it base64-encoded`);
        lines.push(`${name}=${values[name]}\n`);
    }
    return lines.join("");
}
