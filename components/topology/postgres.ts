// The managed Postgres both back-ends build: its versions, the instance classes and the memory they hold, the
// connection limit that follows from it, the connection URL, and the checks every request passes. Plain
// functions of plain data: the stack's config reader judges a workload's database before any back-end exists.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Cloud, PostgresArgs, Profile, StackContext } from "./index";
import { DATA_PROTECTION } from "./index";

export const POSTGRES_PORT = 5432;
export const POSTGRES_VERSIONS = { min: 14, max: 17, default: 16 } as const;
/**
 * What Postgres.url carries: encryption without verifying the server. The server refuses anything
 * unencrypted (rds.force_ssl, sslMode ENCRYPTED_ONLY); a client that can hold a CA file verifies the server
 * with Postgres.serverTrust instead (verifiedPostgresUrl).
 */
export const SSL_MODE = "require";

/**
 * How a client verifies the database's server certificate (libpq's sslmode and sslrootcert, which pgx reads
 * the same way: jackc/pgconn v1.14.3 config.go configTLS, the driver of Chainlink 2.29.0):
 *  - verify-full: the chain ends in one of the CAs and the certificate names the host the client dialled;
 *  - verify-ca: the chain ends in one of the CAs, the name is not checked. For a CA that signs this database's
 *    certificate and nothing else, that proves the same identity.
 * The CAs are either known when deploying (caPem) or published at an https URL the client fetches (caUrl).
 */
export interface ServerTrust {
    sslMode: "verify-full" | "verify-ca";
    caPem?: pulumi.Output<string>;
    caUrl?: string;
}

/**
 * Aurora: the cluster endpoint is named in the server certificate, which one of the RDS CAs of the region
 * signs; AWS publishes them as a regional bundle, and no API returns it (docs.aws.amazon.com/AmazonRDS/latest/
 * AuroraUserGuide/UsingWithRDS.SSL.html, "Certificate bundles for specific AWS Regions").
 */
export function rdsCaBundleUrl(region: string): string {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`"${region}" is not an AWS region`);
    return `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
}

/**
 * Cloud SQL with its default per-instance CA (serverCaMode GOOGLE_MANAGED_INTERNAL_CA): the CA signs this
 * instance's certificate only, and the certificate names the instance (project:instance), not the private
 * address clients dial, so a name check could never pass (Go ignores the common name); the chain to the
 * instance's own CA, the DatabaseInstance's serverCaCerts, is what identifies it.
 */
export const CLOUD_SQL_SSL_MODE = "verify-ca";

/** The client's URL: `url` with sslmode set to what the server's certificate allows and the CA file named. */
export function verifiedPostgresUrl(url: string, sslMode: ServerTrust["sslMode"], rootCertPath: string): string {
    if (!rootCertPath.startsWith("/")) throw new Error(`sslrootcert must be an absolute path, got ${rootCertPath}`);
    const parsed = new URL(url);
    parsed.searchParams.set("sslmode", sslMode);
    parsed.searchParams.set("sslrootcert", rootCertPath);
    return parsed.toString();
}
export const ALARM_DEFAULTS = { cpuPercent: 80, storagePercent: 80 } as const;
export const STORAGE_GIB = { min: 10, max: 65536 } as const;
export const BACKUP_RETENTION_DAYS = { min: 7, max: 35 } as const;
/**
 * Connections a workload must leave free: superuser_reserved_connections (3), the cloud's own monitoring and
 * maintenance sessions, and an operator's psql during an incident.
 */
export const RESERVED_CONNECTIONS = 10;
/** Length of generated database passwords: Chainlink, among others, refuses fewer than 16 characters. */
export const DATABASE_PASSWORD_LENGTH = 32;
/**
 * The only special characters a generated password uses: unreserved in URLs, so the connection URL needs no
 * escaping, and none of the characters Aurora refuses in a master password (/ @ " and space).
 */
export const DATABASE_PASSWORD_SPECIALS = "-_.~";

/** An instance class and the memory it has. */
export interface DatabaseClass {
    name: string;
    memoryGiB: number;
    /** Runs on CPU credits or a shared core: stalls under a steady load once they run out. */
    burstable: boolean;
}

// ---------------------------------------------------------------- AWS: Aurora PostgreSQL classes

/** Memory-optimised Aurora families: 16 GiB at .large, doubling with each size. */
const AURORA_MEMORY_FAMILIES = ["r5", "r6g", "r6i", "r7g", "r7i", "r8g"];
const AURORA_SIZES: Record<string, number> = { large: 1, xlarge: 2, "2xlarge": 4, "4xlarge": 8, "8xlarge": 16, "12xlarge": 24, "16xlarge": 32 };
/** Burstable Aurora classes: fine for a dev stack, never for prod. */
const AURORA_BURSTABLE: Record<string, number> = { "t3.medium": 4, "t3.large": 8, "t4g.medium": 4, "t4g.large": 8 };

function auroraClass(name: string): DatabaseClass | undefined {
    const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(name);
    if (!m) return undefined;
    const [, family, size] = m;
    if (AURORA_MEMORY_FAMILIES.includes(family) && AURORA_SIZES[size] !== undefined) return { name, memoryGiB: 16 * AURORA_SIZES[size], burstable: false };
    const burstable = AURORA_BURSTABLE[`${family}.${size}`];
    return burstable === undefined ? undefined : { name, memoryGiB: burstable, burstable: true };
}

/**
 * Aurora PostgreSQL's default max_connections is LEAST({DBInstanceClassMemory/9531392}, 5000), where
 * DBInstanceClassMemory is the class's memory less what the OS and RDS keep: nine tenths of it, to be safe
 * (docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html, "Maximum connections
 * to an Aurora PostgreSQL DB instance").
 */
const AURORA_BYTES_PER_CONNECTION = 9531392;
const AURORA_MAX_CONNECTIONS = 5000;
const AURORA_USABLE_MEMORY = 0.9;

// ---------------------------------------------------------------- GCP: Cloud SQL tiers

/** Custom tiers: 1 or an even number of vCPUs up to 96, 0.9 to 6.5 GiB per vCPU in 256 MiB steps, at least 3.75 GiB. */
export const CLOUD_SQL_CUSTOM = { maxVcpu: 96, minMiBPerVcpu: 921.6, maxMiBPerVcpu: 6656, stepMiB: 256, minMiB: 3840 } as const;
const CLOUD_SQL_SHARED: Record<string, number> = { "db-f1-micro": 0.6, "db-g1-small": 1.7 };
const N1_VCPUS = [1, 2, 4, 8, 16, 32, 64, 96];

function cloudSqlTier(name: string): DatabaseClass | undefined {
    if (CLOUD_SQL_SHARED[name] !== undefined) return { name, memoryGiB: CLOUD_SQL_SHARED[name], burstable: true };
    const n1 = /^db-n1-(standard|highmem)-(\d+)$/.exec(name);
    if (n1) {
        const vcpu = Number(n1[2]);
        if (!N1_VCPUS.includes(vcpu) || (n1[1] === "highmem" && vcpu === 1)) return undefined;
        return { name, memoryGiB: vcpu * (n1[1] === "standard" ? 3.75 : 6.5), burstable: false };
    }
    const custom = /^db-custom-(\d+)-(\d+)$/.exec(name);
    if (!custom) return undefined;
    const [vcpu, mib] = [Number(custom[1]), Number(custom[2])];
    const c = CLOUD_SQL_CUSTOM;
    const vcpuOk = vcpu === 1 || (vcpu % 2 === 0 && vcpu >= 2 && vcpu <= c.maxVcpu);
    const memoryOk = mib % c.stepMiB === 0 && mib >= c.minMiB && mib >= vcpu * c.minMiBPerVcpu && mib <= vcpu * c.maxMiBPerVcpu;
    return vcpuOk && memoryOk ? { name, memoryGiB: mib / 1024, burstable: false } : undefined;
}

/**
 * Cloud SQL for PostgreSQL's default max_connections by memory (GiB, from the lower bound up), as Google's
 * table gives it (cloud.google.com/sql/docs/postgres/flags, max_connections: 0.6 GB 25, 1.7 GB 50, 3.75 up to
 * 6 GB 100, 6 up to 7.5 GB 200, 7.5 up to 15 GB 400, 15 up to 30 GB 500, 30 up to 60 GB 600, 60 up to 120 GB
 * 800, 120 GB and more 1000). The back-end sets the flag to this value explicitly, so the limit the config is
 * checked against is the one in force.
 */
export const CLOUD_SQL_CONNECTIONS: readonly { fromGiB: number; connections: number }[] = [
    { fromGiB: 0, connections: 25 },
    { fromGiB: 1.7, connections: 50 },
    { fromGiB: 3.75, connections: 100 },
    { fromGiB: 6, connections: 200 },
    { fromGiB: 7.5, connections: 400 },
    { fromGiB: 15, connections: 500 },
    { fromGiB: 30, connections: 600 },
    { fromGiB: 60, connections: 800 },
    { fromGiB: 120, connections: 1000 },
];

// ---------------------------------------------------------------- Docker: one Postgres container

/**
 * The local stack's one database class: a Postgres container with this much memory, on the laptop it runs on.
 * Its max_connections is set explicitly to Postgres's own default (100: postgresql.conf.sample, guc_tables.c
 * max_connections), so the limit the config is checked against is the one in force.
 */
export const LOCAL_DATABASE_CLASS = "local";
export const LOCAL_DATABASE = { memoryGiB: 1, connections: 100 } as const;

// ---------------------------------------------------------------- classes, limits, checks

/** The class named, with its memory, or undefined when it is not one this program knows. */
export function databaseClass(cloud: Cloud, name: string): DatabaseClass | undefined {
    if (cloud === "docker") return name === LOCAL_DATABASE_CLASS ? { name, memoryGiB: LOCAL_DATABASE.memoryGiB, burstable: false } : undefined;
    return cloud === "aws" ? auroraClass(name) : cloudSqlTier(name);
}

/** What is allowed instead of `name` (undefined when it is fine), worded for a config message. */
export function databaseClassProblem(cloud: Cloud, profile: Profile, name: string): string | undefined {
    const known = databaseClass(cloud, name);
    if (!known) {
        if (cloud === "docker") return `${LOCAL_DATABASE_CLASS}: the local stack's Postgres container, the one class a docker stack has`;
        return cloud === "aws"
            ? `an Aurora PostgreSQL class whose memory is known: db.<${AURORA_MEMORY_FAMILIES.join("|")}>.<large … 16xlarge>, or db.<t3|t4g>.<medium|large> outside prod`
            : "a Cloud SQL tier whose memory is known: db-custom-<vCPUs>-<MiB> (1 or an even number of vCPUs up to 96, 0.9 to 6.5 GiB per vCPU " +
                "in 256 MiB steps, at least 3840 MiB), db-n1-standard-<n>, db-n1-highmem-<n>, or db-f1-micro / db-g1-small outside prod";
    }
    if (known.burstable && profile === "prod") {
        return `not a burstable or shared-core class in a prod stack: when its CPU credits run out, queries stall and leases expire; use ${cloud === "aws" ? "db.r6g.large" : "db-custom-2-13312"} or larger`;
    }
    return undefined;
}

/** Connections a database of this class accepts. Throws on a class databaseClassProblem would refuse. */
export function connectionLimit(cloud: Cloud, name: string): number {
    const known = databaseClass(cloud, name);
    if (!known) throw new Error(`database class ${name} is not a known ${cloud === "aws" ? "Aurora class" : cloud === "gcp" ? "Cloud SQL tier" : "local database class"}`);
    if (cloud === "docker") return LOCAL_DATABASE.connections;
    if (cloud === "aws") {
        const bytes = known.memoryGiB * 2 ** 30 * AURORA_USABLE_MEMORY;
        return Math.min(AURORA_MAX_CONNECTIONS, Math.floor(bytes / AURORA_BYTES_PER_CONNECTION));
    }
    return [...CLOUD_SQL_CONNECTIONS].reverse().find(band => known.memoryGiB >= band.fromGiB)!.connections;
}

/** Names of databases and users: what both engines accept and neither reserves for itself. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const RESERVED_NAMES = ["postgres", "rdsadmin", "rdsrepladmin", "cloudsqladmin", "cloudsqlsuperuser", "template0", "template1"];
const EMAIL = /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i;

/** Every problem with a Postgres request, as sentences naming the database. */
export function postgresProblems(name: string, args: PostgresArgs, context: StackContext, cloud: Cloud): string[] {
    const problems: string[] = [];
    const where = `postgres ${name}`;
    const [writer, standby] = args.zones;
    for (const zone of args.zones) {
        if (!context.zones.includes(zone)) problems.push(`${where}: zone "${zone}" is not one of the stack's zones (${context.zones.join(", ")})`);
    }
    if (args.zones.length !== 2 || writer === standby) {
        problems.push(`${where}: zones must name the writer's zone and a different one for its standby, got ${args.zones.join(", ")}; a standby in the writer's zone dies with it`);
    }
    const version = args.version ?? POSTGRES_VERSIONS.default;
    if (!Number.isInteger(version) || version < POSTGRES_VERSIONS.min || version > POSTGRES_VERSIONS.max) {
        problems.push(`${where}: version ${version} is not a PostgreSQL major version from ${POSTGRES_VERSIONS.min} to ${POSTGRES_VERSIONS.max}`);
    }
    const classProblem = databaseClassProblem(cloud, context.profile, args.instanceClass);
    if (classProblem) problems.push(`${where}: instance class ${args.instanceClass}: ${classProblem}`);
    if (!Number.isInteger(args.storageGiB) || args.storageGiB < STORAGE_GIB.min || args.storageGiB > STORAGE_GIB.max) {
        problems.push(`${where}: storageGiB ${args.storageGiB} must be a whole number from ${STORAGE_GIB.min} to ${STORAGE_GIB.max}`);
    }
    const days = args.backupRetentionDays;
    if (days !== undefined && (!Number.isInteger(days) || days < BACKUP_RETENTION_DAYS.min || days > BACKUP_RETENTION_DAYS.max)) {
        problems.push(`${where}: backupRetentionDays ${days} must be a whole number from ${BACKUP_RETENTION_DAYS.min} to ${BACKUP_RETENTION_DAYS.max}`);
    }
    for (const [key, value] of [["databaseName", args.databaseName], ["userName", args.userName]] as const) {
        if (!IDENTIFIER.test(value) || RESERVED_NAMES.includes(value)) {
            problems.push(`${where}: ${key} "${value}" must be lowercase letters, digits and _ (starting with a letter), and not one of ${RESERVED_NAMES.join(", ")}`);
        }
    }
    if (args.clientGroups.length === 0) problems.push(`${where}: clientGroups is empty, so no service could ever connect`);
    const alarms = args.alarms ?? {};
    for (const key of ["cpuPercent", "storagePercent"] as const) {
        const v = alarms[key];
        if (v !== undefined && (!(v > 0) || v > 100)) problems.push(`${where}: alarms.${key} ${v} must be above 0 and at most 100`);
    }
    if (alarms.email !== undefined && !EMAIL.test(alarms.email)) problems.push(`${where}: alarms.email "${alarms.email}" is not an email address`);
    return problems;
}

export function assertValidPostgres(name: string, args: PostgresArgs, context: StackContext, cloud: Cloud): void {
    const problems = postgresProblems(name, args, context, cloud);
    if (problems.length > 0) throw new Error(`invalid postgres definition:\n  - ${problems.join("\n  - ")}`);
}

/**
 * The password of the database's user, kept in state as a secret; the same on every update. Protected: a
 * replaced password changes the user's password while the workload still holds the old one.
 */
export function databasePassword(name: string, parent: pulumi.Resource): random.RandomPassword {
    return new random.RandomPassword(`${name}-password`, {
        length: DATABASE_PASSWORD_LENGTH,
        special: true,
        overrideSpecial: DATABASE_PASSWORD_SPECIALS,
        minLower: 1,
        minUpper: 1,
        minNumeric: 1,
    }, { parent, ...DATA_PROTECTION });
}

export interface PostgresEndpoint {
    host: pulumi.Input<string>;
    port: number;
    user: string;
    password: pulumi.Input<string>;
    database: string;
}

/** The URL a client connects with: the one writer endpoint, TLS required, as a secret. */
export function postgresUrl(e: PostgresEndpoint): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([e.host, e.password]).apply(([host, password]) =>
        `postgresql://${encodeURIComponent(e.user)}:${encodeURIComponent(password)}@${host}:${e.port}/${encodeURIComponent(e.database)}?sslmode=${SSL_MODE}`));
}
