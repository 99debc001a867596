// Managed Postgres on GCP: Cloud SQL for PostgreSQL with REGIONAL availability, a primary in one zone and a
// synchronously replicated standby in another; Cloud SQL fails over on its own and keeps the instance's
// private address, so clients keep one host. Private IP only, through private services access on the
// stack's VPC; TLS required; backups with point-in-time recovery; protected from deletion; alert policies.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, DATA_PROTECTION, Postgres, PostgresArgs } from "../topology";
import { ALARM_DEFAULTS, CLOUD_SQL_SSL_MODE, POSTGRES_PORT, POSTGRES_VERSIONS, ServerTrust, connectionLimit, databasePassword, postgresUrl } from "../topology/postgres";
import { GcpNetwork } from "./network";
import { accessGroupTag } from "./service";
import { GcpEnv, afterApis, gcpName } from "./shared";
import { gcpNameFor } from "./names";

/** Not a topology primitive: the VPC's peering with Google's service producers, made once for every database. */
export const PRIVATE_SERVICES_TYPE = "web3-nodes:gcp:PrivateServicesAccess";

/** APIs only a stack with a database calls; enabled with the first one, never disabled on destroy. */
export const DATABASE_APIS = {
    sqlAdmin: "sqladmin.googleapis.com",
    serviceNetworking: "servicenetworking.googleapis.com",
} as const;

/** UTC: the daily backup, then the weekly maintenance hour (Sunday), out of each other's way. */
export const BACKUP_START_TIME = "03:00";
export const MAINTENANCE_WINDOW = { day: 7, hour: 4, updateTrack: "stable" } as const;
/** Write-ahead log kept for point-in-time recovery; Cloud SQL allows 1 to 7 days and no more than the backups kept. */
const MAX_LOG_RETENTION_DAYS = 7;
/** Firewall priorities: a database's clients are let through before everything else is refused. */
const PRIORITY = { clients: 1000, everyoneElse: 65534 } as const;

const CLOUD_SQL_METRIC = "cloudsql.googleapis.com/database";

/**
 * The range Cloud SQL's private addresses come from: the VPC range's third quarter. The first half holds the
 * instances' subnet (instanceSubnetCidr); the last quarter stays free for later subnets.
 */
export function privateServicesRange(cidr: string): { address: string; prefixLength: number; cidr: string } {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) throw new Error(`network cidr "${cidr}" is not an IPv4 CIDR block`);
    const base = m.slice(1, 5).map(Number).reduce((acc, o) => acc * 256 + o, 0);
    const prefixLength = Number(m[5]) + 2;
    if (prefixLength > 24) throw new Error(`network cidr "${cidr}" is too small: private services access needs a /24 at least, a quarter of the range`);
    const start = base + 2 * 2 ** (32 - prefixLength);
    const address = [24, 16, 8, 0].map(shift => Math.floor(start / 2 ** shift) % 256).join(".");
    return { address, prefixLength, cidr: `${address}/${prefixLength}` };
}

/**
 * Private services access: an allocated range, the peering to Google's service producers, and a firewall
 * that refuses the Postgres port in that range to every instance a database does not name as a client.
 */
export class PrivateServicesAccess extends pulumi.ComponentResource {
    readonly rangeName: pulumi.Output<string>;
    readonly range: string;
    /** Resolves once the peering exists: Cloud SQL refuses a private network without it. */
    readonly connection: gcp.servicenetworking.Connection;
    readonly sqlAdminApi: gcp.projects.Service;

    constructor(name: string, network: GcpNetwork, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(PRIVATE_SERVICES_TYPE, name, {}, opts);
        const prefix = env.context.prefix;
        const [sqlAdmin, serviceNetworking] = (["sqlAdmin", "serviceNetworking"] as const).map(key =>
            new gcp.projects.Service(`${name}-api-${key}`, { project: env.project, service: DATABASE_APIS[key], disableOnDestroy: false, disableDependentServices: false }, { parent: this }));
        this.sqlAdminApi = sqlAdmin;
        const range = privateServicesRange(network.cidr);
        this.range = range.cidr;
        const address = new gcp.compute.GlobalAddress(`${name}-range`, {
            name: gcpName([prefix, "private-services"]),
            purpose: "VPC_PEERING",
            addressType: "INTERNAL",
            address: range.address,
            prefixLength: range.prefixLength,
            network: network.vpc.id,
            description: "addresses of Google-managed services (Cloud SQL) inside the stack's VPC",
        }, afterApis(env, this, "compute"));
        this.rangeName = address.name;
        this.connection = new gcp.servicenetworking.Connection(`${name}-peering`, {
            network: network.vpc.id,
            service: "servicenetworking.googleapis.com",
            reservedPeeringRanges: [address.name],
            // Removing the peering while a database still uses it fails; leaving it costs nothing.
            deletionPolicy: "ABANDON",
        }, { parent: this, dependsOn: [serviceNetworking] });
        new gcp.compute.Firewall(`${name}-postgres-refused`, {
            name: gcpName([prefix, "postgres-refused"]),
            network: network.vpc.id,
            description: "no instance reaches a database's Postgres port unless the database names it as a client",
            direction: "EGRESS",
            priority: PRIORITY.everyoneElse,
            destinationRanges: [range.cidr],
            denies: [{ protocol: "tcp", ports: [String(POSTGRES_PORT)] }],
        }, { parent: this });
        this.registerOutputs({ range: this.range });
    }
}

export interface GcpPostgresDeps {
    env: GcpEnv;
    network: GcpNetwork;
    privateServices: PrivateServicesAccess;
}

/** A Cloud Monitoring filter for one metric of one Cloud SQL instance. */
export function cloudSqlFilter(project: string, instance: string, metric: string): string {
    return [`resource.type = "cloudsql_database"`, `resource.labels.database_id = "${project}:${instance}"`, `metric.type = "${CLOUD_SQL_METRIC}/${metric}"`].join(" AND ");
}

export class GcpPostgres extends pulumi.ComponentResource implements Postgres {
    readonly databaseName: string;
    readonly userName: string;
    readonly zones: string[];
    readonly port = POSTGRES_PORT;
    readonly host: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly connectionLimit: number;
    readonly serverTrust: ServerTrust;
    readonly alarmDestination: pulumi.Output<string | undefined>;
    readonly instance: gcp.sql.DatabaseInstance;

    constructor(name: string, args: PostgresArgs, deps: GcpPostgresDeps, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.postgres, name, {}, opts);
        const { env, network, privateServices } = deps;
        const prefix = env.context.prefix;
        const parent = { parent: this };
        const version = args.version ?? POSTGRES_VERSIONS.default;
        const backupDays = args.backupRetentionDays ?? env.context.backupRetentionDays;
        const [zone, secondaryZone] = args.zones;
        const instanceName = gcpNameFor("sqlInstance", [prefix, name]);
        this.databaseName = args.databaseName;
        this.userName = args.userName;
        this.zones = [...args.zones];
        this.connectionLimit = connectionLimit("gcp", args.instanceClass);

        const password = databasePassword(name, this);

        this.instance = new gcp.sql.DatabaseInstance(`${name}-instance`, {
            name: instanceName,
            region: env.region,
            databaseVersion: `POSTGRES_${version}`,
            deletionProtection: true,
            settings: {
                tier: args.instanceClass,
                // Custom and shared-core tiers exist only in this edition, which PostgreSQL 16 no longer defaults to.
                edition: "ENTERPRISE",
                availabilityType: "REGIONAL",
                locationPreference: { zone, secondaryZone },
                diskType: "PD_SSD",
                diskSize: args.storageGiB,
                diskAutoresize: true,
                deletionProtectionEnabled: true,
                retainBackupsOnDelete: true,
                backupConfiguration: {
                    enabled: true,
                    pointInTimeRecoveryEnabled: true,
                    startTime: BACKUP_START_TIME,
                    location: env.region,
                    transactionLogRetentionDays: Math.min(MAX_LOG_RETENTION_DAYS, backupDays),
                    backupRetentionSettings: { retainedBackups: backupDays, retentionUnit: "COUNT" },
                },
                ipConfiguration: {
                    ipv4Enabled: false,
                    privateNetwork: network.vpc.id,
                    allocatedIpRange: privateServices.rangeName,
                    sslMode: "ENCRYPTED_ONLY",
                    // The instance's own CA, which signs this instance's certificate alone: clients verify the chain
                    // against it (serverTrust) and so prove the instance, though the certificate names no IP.
                    serverCaMode: "GOOGLE_MANAGED_INTERNAL_CA",
                    enablePrivatePathForGoogleCloudServices: false,
                },
                // The limit the workload's pools are checked against, set rather than left to the tier's default.
                databaseFlags: [{ name: "max_connections", value: String(this.connectionLimit) }],
                maintenanceWindow: { ...MAINTENANCE_WINDOW },
                insightsConfig: { queryInsightsEnabled: true },
                userLabels: env.context.tags,
            },
        }, {
            parent: this,
            ...DATA_PROTECTION,
            dependsOn: [privateServices.connection, privateServices.sqlAdminApi],
            // The disk grows on its own; writing the first size back would try to shrink it.
            ignoreChanges: ["settings.diskSize"],
        });

        new gcp.sql.Database(`${name}-database`, {
            name: args.databaseName,
            instance: this.instance.name,
            // The rows outlive the program: removing the resource leaves the database in place.
            deletionPolicy: "ABANDON",
        }, { parent: this, ...DATA_PROTECTION });
        new gcp.sql.User(`${name}-user`, {
            name: args.userName,
            instance: this.instance.name,
            password: password.result,
            // The user owns the database's objects; Postgres refuses to drop it while they exist.
            deletionPolicy: "ABANDON",
        }, parent);

        // Only the clients' instances may open the Postgres port to this database (the rest is refused by
        // private services access), on top of the password and TLS.
        new gcp.compute.Firewall(`${name}-clients`, {
            name: gcpName([prefix, name, "clients"]),
            network: network.vpc.id,
            description: `${name}: Postgres from ${args.clientGroups.join(", ")}`,
            direction: "EGRESS",
            priority: PRIORITY.clients,
            targetTags: [...new Set(args.clientGroups)].map(g => accessGroupTag(prefix, g)),
            destinationRanges: [pulumi.interpolate`${this.instance.privateIpAddress}/32`],
            allows: [{ protocol: "tcp", ports: [String(POSTGRES_PORT)] }],
        }, parent);

        this.alarmDestination = this.alertPolicies(name, args, env, instanceName);
        // The instance's own CAs (the one in use, and during a rotation the next and the previous): its serverCaCerts.
        this.serverTrust = {
            sslMode: CLOUD_SQL_SSL_MODE,
            caPem: this.instance.serverCaCerts.apply(certs => (certs ?? []).map(c => c.cert.trim()).join("\n") + "\n"),
        };
        this.host = this.instance.privateIpAddress;
        this.url = postgresUrl({ host: this.host, port: POSTGRES_PORT, user: args.userName, password: password.result, database: args.databaseName });
        this.registerOutputs({ host: this.host, zones: this.zones, alarmDestination: this.alarmDestination });
    }

    /** Alert policies on failover, CPU and storage, sent to an email channel when the workload names one. */
    private alertPolicies(name: string, args: PostgresArgs, env: GcpEnv, instanceName: string): pulumi.Output<string | undefined> {
        const thresholds = { ...ALARM_DEFAULTS, ...args.alarms };
        const opts = { ...afterApis(env, this, "monitoring"), dependsOn: [env.apis.monitoring, this.instance] };
        const channel = thresholds.email
            ? new gcp.monitoring.NotificationChannel(`${name}-alarms-email`, {
                displayName: `${instanceName} database alarms`,
                type: "email",
                labels: { email_address: thresholds.email },
            }, opts)
            : undefined;
        const notificationChannels = channel ? [channel.name] : [];
        const policy = (key: string, displayName: string, metric: string, threshold: pulumi.Input<number>, duration: string, aligner: string, content: string) =>
            new gcp.monitoring.AlertPolicy(`${name}-${key}`, {
                displayName: `${instanceName}: ${displayName}`,
                combiner: "OR",
                conditions: [{
                    displayName,
                    conditionThreshold: {
                        filter: cloudSqlFilter(env.project, instanceName, metric),
                        comparison: "COMPARISON_GT",
                        thresholdValue: threshold,
                        duration,
                        aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: aligner }],
                    },
                }],
                notificationChannels,
                documentation: { content, mimeType: "text/markdown" },
            }, opts);
        policy("failover", "automatic failover", "auto_failover_request_count", 0, "0s", "ALIGN_SUM",
            "Cloud SQL failed over to the standby zone. Clients on the old primary must reconnect: a client that keeps failing its health check is restarted.");
        policy("cpu", `CPU above ${thresholds.cpuPercent}%`, "cpu/utilization", thresholds.cpuPercent / 100, "900s", "ALIGN_MEAN",
            "The database's CPU has been high for fifteen minutes: queries slow down and the workload's leases may expire. Consider a larger tier.");
        policy("storage", `more than ${thresholds.storagePercent}% of ${args.storageGiB} GiB in use`, "disk/bytes_used",
            Math.round(args.storageGiB * 2 ** 30 * thresholds.storagePercent / 100), "300s", "ALIGN_MAX",
            "The database holds more than planned. The disk grows on its own; check what grows, and raise the planned size.");
        return channel ? channel.name : pulumi.output(undefined);
    }
}
