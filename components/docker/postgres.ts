// Postgres on a Docker engine: the official image in one container, its data on a protected volume, TLS
// required and verified against a CA of the stack's own. What the clouds' managed Postgres does and this does not:
// there is no standby and no failover (the `zones` are labels: the writer's zone is where it stands, and its
// loss takes the database with it), no automated backups or point-in-time recovery, no alarms. A crashed
// server is restarted by the engine.
//  - TLS: a CA and a server certificate naming the database's host, made with @pulumi/tls and kept in state
//    (the CA's key a secret there); clients verify the full chain and the name (sslmode verify-full, ServerTrust
//    with caPem). The server's key reaches the container as a secret (./pod.ts); its start writes key and
//    certificate into its memory scratch, where Postgres wants the key readable by its user alone (be-secure-openssl.c:
//    "private key file has group or world access").
//  - pg_hba: TCP only over TLS with a SCRAM password; the socket inside the container, as the image's own
//    setup leaves it, trusted (docker-library/postgres docker-entrypoint.sh: initdb's local trust).
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { COMPONENT_TYPES, Postgres, PostgresArgs } from "../topology";
import { LOCAL_DATABASE, POSTGRES_PORT, POSTGRES_VERSIONS, ServerTrust, assertValidPostgres, databasePassword, postgresUrl } from "../topology/postgres";
import { POSTGRES_USER, postgresImage } from "./images";
import { Pod } from "./pod";
import { DockerSecret } from "./secret";
import { DockerEnv, engineName } from "./shared";
import { DockerVolume } from "./volume";

/** Where the official image keeps its data (PGDATA, for the versions this back-end runs). */
export const PGDATA = "/var/lib/postgresql/data";
/** The memory scratch the start writes the server's key, certificate and pg_hba.conf into. */
export const TLS_DIR = "/run/postgres-tls";
/** How long the certificates last: ten years, longer than a local stack lives. */
export const CERTIFICATE_HOURS = 10 * 365 * 24;
export const POSTGRES_ENV = { tlsKey: "POSTGRES_TLS_KEY", tlsCertificate: "POSTGRES_TLS_CERTIFICATE", password: "POSTGRES_PASSWORD" } as const;

/** pg_hba.conf: TLS and a SCRAM password over TCP, nothing over TCP without TLS; the container's own socket trusted. */
export function pgHba(): string {
    return [
        "local all all trust",
        "hostssl all all all scram-sha-256",
        "hostnossl all all all reject",
        "",
    ].join("\n");
}

/** The server's settings on its command line: TLS on with the files in memory, the hba file, the connection limit. */
export function postgresSettings(): string[] {
    return [
        "-c", "ssl=on",
        "-c", `ssl_cert_file=${TLS_DIR}/server.crt`,
        "-c", `ssl_key_file=${TLS_DIR}/server.key`,
        "-c", "ssl_min_protocol_version=TLSv1.2",
        "-c", `hba_file=${TLS_DIR}/pg_hba.conf`,
        "-c", `max_connections=${LOCAL_DATABASE.connections}`,
    ];
}

/**
 * The container's start: writes the key (from its base64 secret), the certificate and pg_hba.conf into the
 * memory scratch, readable by the server's user alone, forgets the key's variable, then runs the image's own
 * entrypoint, which initialises the database on first start (POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD).
 */
export function startScript(): string {
    return [
        "set -eu",
        "umask 077",
        `printf '%s' "$${POSTGRES_ENV.tlsKey}" | base64 -d > ${TLS_DIR}/server.key`,
        `printf '%s' "$${POSTGRES_ENV.tlsCertificate}" | base64 -d > ${TLS_DIR}/server.crt`,
        `cat > ${TLS_DIR}/pg_hba.conf <<'HBA'`,
        ...pgHba().trimEnd().split("\n"),
        "HBA",
        `unset ${POSTGRES_ENV.tlsKey}`,
        'exec docker-entrypoint.sh "$@"',
    ].join("\n");
}

function base64(value: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(value).apply(v => Buffer.from(v, "utf8").toString("base64"));
}

export class DockerPostgres extends pulumi.ComponentResource implements Postgres {
    readonly databaseName: string;
    readonly userName: string;
    readonly zones: string[];
    readonly port = POSTGRES_PORT;
    readonly host: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly connectionLimit: number = LOCAL_DATABASE.connections;
    readonly serverTrust: ServerTrust;
    /** No alarms on a laptop. */
    readonly alarmDestination: pulumi.Output<string | undefined>;
    readonly pod: Pod;

    constructor(name: string, args: PostgresArgs, env: DockerEnv, opts?: pulumi.ComponentResourceOptions) {
        assertValidPostgres(name, args, env.context, "docker");
        super(COMPONENT_TYPES.postgres, name, {}, opts);
        const parent = { parent: this };
        const version = args.version ?? POSTGRES_VERSIONS.default;
        const zone = args.zones[0];
        this.databaseName = args.databaseName;
        this.userName = args.userName;
        this.zones = [...args.zones];
        const hostname = engineName(env.context, name);
        this.host = pulumi.output(hostname);

        const password = databasePassword(name, this);
        const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
        const ca = new tls.SelfSignedCert(`${name}-ca`, {
            privateKeyPem: caKey.privateKeyPem,
            isCaCertificate: true,
            subject: { commonName: `${hostname} CA`, organization: "web3-nodes local stack" },
            validityPeriodHours: CERTIFICATE_HOURS,
            allowedUses: ["cert_signing", "crl_signing"],
        }, parent);
        const serverKey = new tls.PrivateKey(`${name}-server-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
        const request = new tls.CertRequest(`${name}-server-request`, {
            privateKeyPem: serverKey.privateKeyPem,
            subject: { commonName: hostname },
            dnsNames: [hostname],
        }, parent);
        const server = new tls.LocallySignedCert(`${name}-server`, {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: caKey.privateKeyPem,
            caCertPem: ca.certPem,
            validityPeriodHours: CERTIFICATE_HOURS,
            allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        }, parent);
        this.serverTrust = { sslMode: "verify-full", caPem: ca.certPem };

        const data = new DockerVolume(`${name}-data`, { zone, sizeGiB: args.storageGiB, owner: POSTGRES_USER }, env, parent);
        const secret = (key: string, value: pulumi.Input<string>, description: string) => new DockerSecret(`${name}-${key}`, { value: pulumi.secret(value), description }, parent);
        this.pod = new Pod({
            name,
            zone,
            aliases: [name],
            ports: [],
            labels: { "web3-nodes.database": args.databaseName },
            containers: [{
                name: "postgres",
                image: postgresImage(version),
                user: POSTGRES_USER,
                entrypoint: ["/bin/sh", "-c", startScript(), "postgres-start"],
                command: ["postgres", ...postgresSettings()],
                env: {
                    POSTGRES_USER: args.userName,
                    POSTGRES_DB: args.databaseName,
                    PGDATA,
                    [POSTGRES_ENV.tlsCertificate]: base64(server.certPem),
                },
                secrets: {
                    [POSTGRES_ENV.password]: secret("password", password.result, `password of ${args.userName}`),
                    [POSTGRES_ENV.tlsKey]: secret("tls-key", base64(serverKey.privateKeyPem), "the server's TLS private key (base64, PEM)"),
                },
                mounts: [{ volume: data, path: PGDATA }],
                memoryScratch: { path: TLS_DIR, sizeMiB: 1 },
                cpu: 1,
                memoryMiB: LOCAL_DATABASE.memoryGiB * 1024,
                role: "postgres",
            }],
        }, env, this);

        this.url = postgresUrl({ host: this.host, port: POSTGRES_PORT, user: args.userName, password: password.result, database: args.databaseName });
        this.alarmDestination = pulumi.output(undefined);
        this.registerOutputs({ host: this.host, zones: this.zones });
    }
}
