// ComposeDB's index, the database js-ceramic keeps its models' documents in: the back-end's managed Postgres
// (two zones: a writer and a standby that takes over), or SQLite on the state volume off mainnet. js-ceramic
// refuses SQLite on mainnet (js-ceramic@6.11.0 packages/indexing/src/make-index-api.ts, the same code in
// cli@5.16.0), so the stack refuses it first, before any resource. The connection URL reaches the daemon from
// the secret store as CERAMIC_INDEXING_DB_URI, the variable js-ceramic puts over the config file's
// indexing.db (packages/cli/src/ceramic-cli-utils.ts createDaemon, 5.16.0 and 6.11.0): it is never in the
// config file or the definition.
import * as pulumi from "@pulumi/pulumi";
import type { Backend, Cloud, Postgres, Profile, Secret } from "../topology";
import type { Reader } from "../../stacks/validate";
import {
    BACKUP_RETENTION_DAYS,
    LOCAL_DATABASE_CLASS,
    POSTGRES_VERSIONS,
    RESERVED_CONNECTIONS,
    STORAGE_GIB,
    connectionLimit,
    databaseClassProblem,
    verifiedPostgresUrl,
} from "../topology/postgres";
import { CONFIG_DIR } from "./ports";
import type { CeramicFlavour, CeramicNetwork, SettingProblem } from "./settings";

export const INDEX_DATABASES = ["postgres", "sqlite"] as const;
export type IndexDatabase = (typeof INDEX_DATABASES)[number];

export interface IndexDatabaseSettings {
    /** Where ComposeDB's index lives: the managed Postgres, or SQLite on the state volume (never on mainnet). */
    indexDatabase: IndexDatabase;
    /** The Postgres instance class: an Aurora class on AWS, a Cloud SQL tier on GCP. */
    indexDatabaseClass: string;
    indexDatabaseStorageGiB: number;
    indexDatabaseVersion: number;
    /** Days of database backups; unset: the stack's backupRetentionDays. */
    indexDatabaseBackupRetentionDays?: number;
}

/** The keys below `ceramic.`, as the stack file spells them. */
export const INDEX_DATABASE_KEYS = ["indexDatabase", "indexDatabaseClass", "indexDatabaseStorageGiB", "indexDatabaseVersion", "indexDatabaseBackupRetentionDays"] as const;

/**
 * Postgres everywhere: "Only Postgres is currently supported for production usage" (Ceramic's docs,
 * composedb-server/server-configurations), and a testnet node that indexes as a mainnet one does finds the
 * same problems. The smallest classes that are not burstable hold prod; dev runs on the smallest ones.
 */
export const INDEX_DATABASE_DEFAULTS = {
    indexDatabase: "postgres" as IndexDatabase,
    indexDatabaseVersion: POSTGRES_VERSIONS.default,
    indexDatabaseClass: {
        aws: { dev: "db.t4g.medium", prod: "db.r6g.large", local: "db.t4g.medium" },
        gcp: { dev: "db-custom-1-3840", prod: "db-custom-2-13312", local: "db-custom-1-3840" },
        docker: { dev: LOCAL_DATABASE_CLASS, prod: LOCAL_DATABASE_CLASS, local: LOCAL_DATABASE_CLASS },
    } satisfies Record<Cloud, Record<Profile, string>>,
    indexDatabaseStorageGiB: { dev: 20, prod: 100, local: 10 } satisfies Record<Profile, number>,
};

/**
 * Connections js-ceramic opens at most: its pool's `max`, indexing.max-connection-pool-size || 10
 * (packages/indexing/src/build-indexing.ts). The key cannot raise it: daemon-config.ts declares it Boolean.
 */
export const INDEXING_POOL_SIZE = 10;

/** The database and its owner (Ceramic's docs name the database `ceramic`). */
export const INDEX_DATABASE = { name: "ceramic", user: "ceramic" } as const;

/** What js-ceramic reads, and what the start script puts in place for it. */
export const INDEX_DATABASE_ENV = {
    /** The connection URL, from the secret store: js-ceramic puts it over the config file's indexing.db. */
    url: "CERAMIC_INDEXING_DB_URI",
    /** The database's CA certificates (base64 PEM), from the secret store, when the deployment knows them. */
    caBase64: "CERAMIC_DATABASE_CA_BASE64",
    /** The https address the cloud publishes its CA bundle at, when no API returns it. */
    caUrl: "CERAMIC_DATABASE_CA_URL",
} as const;

/** The CA bundle the URL names as sslrootcert, in the memory scratch the start script writes the config to. */
export const DATABASE_CA_FILE_NAME = "database-ca.pem";
export const DATABASE_CA_FILE = `${CONFIG_DIR}/${DATABASE_CA_FILE_NAME}`;

/** The names of what the index declares, under the node's component. */
export const INDEX_DATABASE_NAMES = { database: "ceramic-index", url: "ceramic-index-url", ca: "ceramic-index-ca" } as const;

/** How the daemon reaches its index. */
export type IndexingTarget =
    | { kind: "sqlite" }
    | {
        kind: "postgres";
        /** The whole connection URL, credentials, sslmode and sslrootcert included. */
        url: Secret;
        ca: { kind: "secret"; secret: Secret } | { kind: "download"; url: string };
        /**
         * Set where the certificate names no address a client dials (Cloud SQL): the host whose certificate
         * is checked against its CAs only (libpq's verify-ca), which the preload (preload.ts) makes node do.
         */
        caOnlyHost?: pulumi.Output<string>;
    };

const DATABASE_CLASS = /^[a-z0-9.-]{1,64}$/;

/** Reads the index's keys; the combination is judged by indexDatabaseProblems. */
export function readIndexDatabaseSettings(r: Reader, base: { cloud: Cloud; profile: Profile }): IndexDatabaseSettings {
    const d = INDEX_DATABASE_DEFAULTS;
    return {
        indexDatabase: r.oneOf("indexDatabase", INDEX_DATABASES, d.indexDatabase)!,
        indexDatabaseClass: r.string("indexDatabaseClass", DATABASE_CLASS, "an instance class such as db.r6g.large (AWS) or db-custom-2-13312 (GCP)",
            d.indexDatabaseClass[base.cloud][base.profile])!,
        indexDatabaseStorageGiB: r.integer("indexDatabaseStorageGiB", STORAGE_GIB.min, STORAGE_GIB.max, d.indexDatabaseStorageGiB[base.profile]),
        indexDatabaseVersion: r.integer("indexDatabaseVersion", POSTGRES_VERSIONS.min, POSTGRES_VERSIONS.max, d.indexDatabaseVersion),
        indexDatabaseBackupRetentionDays: r.has("indexDatabaseBackupRetentionDays")
            ? r.integer("indexDatabaseBackupRetentionDays", BACKUP_RETENTION_DAYS.min, BACKUP_RETENTION_DAYS.max, BACKUP_RETENTION_DAYS.min)
            : undefined,
    };
}

/** The settings as given in code, each missing one at its default. */
export function indexDatabaseSettings(given: Partial<IndexDatabaseSettings>, cloud: Cloud, profile: Profile): IndexDatabaseSettings {
    const d = INDEX_DATABASE_DEFAULTS;
    return {
        indexDatabase: given.indexDatabase ?? d.indexDatabase,
        indexDatabaseClass: given.indexDatabaseClass ?? d.indexDatabaseClass[cloud][profile],
        indexDatabaseStorageGiB: given.indexDatabaseStorageGiB ?? d.indexDatabaseStorageGiB[profile],
        indexDatabaseVersion: given.indexDatabaseVersion ?? d.indexDatabaseVersion,
        indexDatabaseBackupRetentionDays: given.indexDatabaseBackupRetentionDays,
    };
}

/** Whether the flavour runs js-ceramic, and with it ComposeDB's index. */
export function indexesComposeDb(flavour: CeramicFlavour): boolean {
    return flavour !== "ceramic-one";
}

/**
 * What is wrong with the index's settings in this combination, each naming the key it blames. `given`: the
 * index keys the stack file sets, so a ceramic-one node that sets none is not blamed for their defaults.
 */
export function indexDatabaseProblems(
    s: IndexDatabaseSettings & { flavour: CeramicFlavour; network: CeramicNetwork },
    cloud: Cloud,
    profile: Profile,
    given: readonly string[] = [],
): SettingProblem[] {
    if (!indexesComposeDb(s.flavour)) {
        return given.filter(k => (INDEX_DATABASE_KEYS as readonly string[]).includes(k)).map(key => ({
            key,
            allowed: `flavour is ${s.flavour}, which runs no js-ceramic and so keeps no ComposeDB index: ${key} applies to js-ceramic and js-ceramic-kubo only`,
        }));
    }
    if (s.indexDatabase === "sqlite") {
        if (s.network !== "mainnet") return [];
        return [{
            key: "indexDatabase",
            value: "sqlite",
            allowed: `ceramic.network is mainnet and ceramic.flavour is ${s.flavour}, whose js-ceramic refuses to start with a SQLite index on mainnet ` +
                '("SQLite is not supported for the ComposeDB indexing database in production use", js-ceramic packages/indexing/src/make-index-api.ts): use postgres',
        }];
    }
    const problems: SettingProblem[] = [];
    const classProblem = databaseClassProblem(cloud, profile, s.indexDatabaseClass);
    if (classProblem) {
        problems.push({ key: "indexDatabaseClass", value: s.indexDatabaseClass, allowed: classProblem });
    } else if (INDEXING_POOL_SIZE + RESERVED_CONNECTIONS > connectionLimit(cloud, s.indexDatabaseClass)) {
        problems.push({
            key: "indexDatabaseClass",
            value: s.indexDatabaseClass,
            allowed: `a class that accepts at least ${INDEXING_POOL_SIZE + RESERVED_CONNECTIONS} connections: js-ceramic's pool of ${INDEXING_POOL_SIZE} and ${RESERVED_CONNECTIONS} reserved`,
        });
    }
    return problems;
}

/** Throws one error listing every problem, keys named as in the stack file. */
export function assertValidIndexDatabase(s: IndexDatabaseSettings & { flavour: CeramicFlavour; network: CeramicNetwork }, cloud: Cloud, profile: Profile): void {
    const problems = indexDatabaseProblems(s, cloud, profile);
    if (problems.length > 0) {
        throw new Error(`invalid Ceramic settings:\n  - ${problems.map(p => `ceramic.${p.key}${p.value === undefined ? "" : ` = ${JSON.stringify(p.value)}`}: ${p.allowed}`).join("\n  - ")}`);
    }
}

/**
 * ComposeDB's index for a node whose flavour runs js-ceramic: SQLite on the state volume, or the managed
 * Postgres in the stack's first two zones (a writer and its standby, whichever zone the node runs in), whose
 * URL verifies the server: verify-full against the RDS regional bundle on AWS, the instance's own CAs on GCP.
 * `access`: the access group of the service that connects, the only one let in.
 */
export function ceramicIndexDatabase(
    backend: Backend,
    settings: IndexDatabaseSettings & { flavour: CeramicFlavour; network: CeramicNetwork; access: string },
    parent: pulumi.Resource,
): { target: IndexingTarget; database?: Postgres } {
    assertValidIndexDatabase(settings, backend.cloud, backend.context.profile);
    if (settings.indexDatabase === "sqlite") return { target: { kind: "sqlite" } };
    const [writer, standby] = backend.context.zones;
    const database = backend.postgres(INDEX_DATABASE_NAMES.database, {
        zones: [writer, standby],
        instanceClass: settings.indexDatabaseClass,
        storageGiB: settings.indexDatabaseStorageGiB,
        version: settings.indexDatabaseVersion,
        backupRetentionDays: settings.indexDatabaseBackupRetentionDays,
        databaseName: INDEX_DATABASE.name,
        userName: INDEX_DATABASE.user,
        clientGroups: [settings.access],
    }, parent);
    const trust = database.serverTrust;
    const url = backend.secret(INDEX_DATABASE_NAMES.url, {
        value: pulumi.secret(database.url.apply(u => verifiedPostgresUrl(u, trust.sslMode, DATABASE_CA_FILE))),
        description: "connection URL of the Ceramic node's ComposeDB index (js-ceramic CERAMIC_INDEXING_DB_URI)",
    }, parent);
    const ca: Extract<IndexingTarget, { kind: "postgres" }>["ca"] | undefined = trust.caPem !== undefined
        ? {
            kind: "secret",
            secret: backend.secret(INDEX_DATABASE_NAMES.ca, {
                value: trust.caPem.apply(pem => Buffer.from(pem).toString("base64")),
                description: "CA certificates of the Ceramic node's ComposeDB index database (base64, PEM)",
            }, parent),
        }
        : trust.caUrl !== undefined ? { kind: "download", url: trust.caUrl } : undefined;
    if (ca === undefined) throw new Error(`postgres ${INDEX_DATABASE_NAMES.database}: the back-end gives no CA to verify the server with`);
    return {
        database,
        target: { kind: "postgres", url, ca, ...(trust.sslMode === "verify-ca" ? { caOnlyHost: database.host } : {}) },
    };
}
