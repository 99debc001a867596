// The naming rules of every Google Cloud resource this back-end names or lets the provider name, and the
// functions that make names which keep them. Rules come from the installed provider's documentation of the
// property (the conformance tests read it and hold each row to it) or, where it is silent, Google's page cited.
// Read 2026-12-01.
import { CERTIFICATE_NAME_MAX, NameRule, UNIQUE_ID_SUFFIX_LENGTH, assertName, dnsNameRule, fitName } from "../topology/names";

/** RFC 1035 as Compute Engine states it: `[a-z]([-a-z0-9]*[a-z0-9])?`. */
const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const RFC1035_WORDS = "lowercase letters, digits and hyphens, a letter first, no hyphen last (RFC 1035)";
const COMPUTE_QUOTE = "must be 1-63 characters long";
/** Compute Engine resource names: 1 to 63 characters of RFC 1035. */
export const COMPUTE_NAME_MAX = 63;
/** Compute Engine names a group's instances `<base>-<four characters>`. */
const INSTANCE_SUFFIX_LENGTH = 5;
/** Up to this length the provider completes an instance template's prefix with its full 26-character suffix. */
const TEMPLATE_PREFIX_MAX = 37;
/** The longest project ID Google allows (https://cloud.google.com/resource-manager/docs/creating-managing-projects). */
const PROJECT_ID_MAX = 30;
/** Cloud SQL: "The total length of project-ID:instance-ID must be 98 characters or less." */
const SQL_INSTANCE_QUALIFIED_MAX = 98;
/** Postgres identifiers: NAMEDATALEN - 1 bytes. */
const POSTGRES_IDENTIFIER = { min: 1, max: 63, pattern: /^[a-z_][a-z0-9_]*$/, allowed: "lowercase letters, digits and underscores, no digit first" } as const;
const POSTGRES_SOURCE = { url: "https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS" } as const;

/** A Compute Engine resource whose provider documentation states the RFC 1035 rule. */
function compute(type: string, module: string, resource: string): NameRule {
    return {
        type, field: "name", min: 1, max: COMPUTE_NAME_MAX, pattern: RFC1035, allowed: RFC1035_WORDS,
        source: { provider: { module, resource, property: "name" }, quote: COMPUTE_QUOTE },
    };
}

/** A Compute Engine resource whose rule Google's reference states and the provider does not repeat. */
function computeDocumented(type: string, url: string, field = "name"): NameRule {
    return { type, field, min: 1, max: COMPUTE_NAME_MAX, pattern: RFC1035, allowed: RFC1035_WORDS, source: { url } };
}

export const GCP_NAME_RULES = {
    address: compute("gcp:compute/address:Address", "compute/address", "Address"),
    backendService: compute("gcp:compute/backendService:BackendService", "compute/backendService", "BackendService"),
    disk: compute("gcp:compute/disk:Disk", "compute/disk", "Disk"),
    // The attachment's name is the resource policy's.
    diskPolicyAttachment: computeDocumented("gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment", "https://cloud.google.com/compute/docs/reference/rest/v1/resourcePolicies"),
    regionDisk: compute("gcp:compute/regionDisk:RegionDisk", "compute/regionDisk", "RegionDisk"),
    regionDiskPolicyAttachment: computeDocumented("gcp:compute/regionDiskResourcePolicyAttachment:RegionDiskResourcePolicyAttachment", "https://cloud.google.com/compute/docs/reference/rest/v1/resourcePolicies"),
    firewall: compute("gcp:compute/firewall:Firewall", "compute/firewall", "Firewall"),
    forwardingRule: compute("gcp:compute/forwardingRule:ForwardingRule", "compute/forwardingRule", "ForwardingRule"),
    globalAddress: compute("gcp:compute/globalAddress:GlobalAddress", "compute/globalAddress", "GlobalAddress"),
    globalForwardingRule: compute("gcp:compute/globalForwardingRule:GlobalForwardingRule", "compute/globalForwardingRule", "GlobalForwardingRule"),
    healthCheck: compute("gcp:compute/healthCheck:HealthCheck", "compute/healthCheck", "HealthCheck"),
    regionHealthCheck: compute("gcp:compute/regionHealthCheck:RegionHealthCheck", "compute/regionHealthCheck", "RegionHealthCheck"),
    instanceGroupManager: compute("gcp:compute/instanceGroupManager:InstanceGroupManager", "compute/instanceGroupManager", "InstanceGroupManager"),
    instanceBaseName: {
        type: "gcp:compute/instanceGroupManager:InstanceGroupManager", field: "baseInstanceName", min: 1, max: COMPUTE_NAME_MAX - INSTANCE_SUFFIX_LENGTH,
        pattern: RFC1035, allowed: `${RFC1035_WORDS}, leaving room for the instance's -xxxx`,
        source: { provider: { module: "compute/instanceGroupManager", resource: "InstanceGroupManager", property: "baseInstanceName" }, quote: "Instances are named by appending a hyphen and a random four-character string to the base instance name." },
    },
    instanceTemplate: {
        type: "gcp:compute/instanceTemplate:InstanceTemplate", field: "name", prefix: { field: "namePrefix", suffixLength: UNIQUE_ID_SUFFIX_LENGTH },
        min: 1, max: COMPUTE_NAME_MAX, pattern: RFC1035, allowed: RFC1035_WORDS,
        source: { provider: { module: "compute/instanceTemplate", resource: "InstanceTemplate", property: "namePrefix" }, quote: "Prefixes with lengths longer than 37 characters will use a shortened UUID that will be more prone to collisions." },
    },
    // A stateful instance's config carries the instance's own name.
    perInstanceConfig: computeDocumented("gcp:compute/perInstanceConfig:PerInstanceConfig", "https://cloud.google.com/compute/docs/naming-resources"),
    managedSslCertificate: compute("gcp:compute/managedSslCertificate:ManagedSslCertificate", "compute/managedSslCertificate", "ManagedSslCertificate"),
    certificateDomain: {
        // RFC 5280's ub-common-name (64): a Google-managed certificate's first domain is its common name.
        type: "gcp:compute/managedSslCertificate:ManagedSslCertificate", field: "managed.domains[]", min: 1, max: CERTIFICATE_NAME_MAX,
        pattern: /^(((?!-)[a-z0-9-]{0,62}[a-z0-9])\.)+((?!-)[a-z0-9-]{1,62}[a-z0-9])\.?$/,
        allowed: "a DNS name of at most 64 characters, the limit of a certificate's common name",
        source: { url: "https://cloud.google.com/load-balancing/docs/quotas#ssl_certificates" },
    },
    network: compute("gcp:compute/network:Network", "compute/network", "Network"),
    subnetwork: compute("gcp:compute/subnetwork:Subnetwork", "compute/subnetwork", "Subnetwork"),
    router: compute("gcp:compute/router:Router", "compute/router", "Router"),
    routerNat: compute("gcp:compute/routerNat:RouterNat", "compute/routerNat", "RouterNat"),
    regionBackendService: compute("gcp:compute/regionBackendService:RegionBackendService", "compute/regionBackendService", "RegionBackendService"),
    resourcePolicy: compute("gcp:compute/resourcePolicy:ResourcePolicy", "compute/resourcePolicy", "ResourcePolicy"),
    securityPolicy: computeDocumented("gcp:compute/securityPolicy:SecurityPolicy", "https://cloud.google.com/compute/docs/reference/rest/v1/securityPolicies"),
    targetHttpProxy: compute("gcp:compute/targetHttpProxy:TargetHttpProxy", "compute/targetHttpProxy", "TargetHttpProxy"),
    targetHttpsProxy: compute("gcp:compute/targetHttpsProxy:TargetHttpsProxy", "compute/targetHttpsProxy", "TargetHttpsProxy"),
    urlMap: compute("gcp:compute/uRLMap:URLMap", "compute/urlmap", "URLMap"),
    dnsZone: {
        type: "gcp:dns/managedZone:ManagedZone", field: "name", min: 1, max: 63, pattern: RFC1035, allowed: RFC1035_WORDS,
        source: { url: "https://cloud.google.com/dns/docs/reference/rest/v1/managedZones" },
    },
    dnsZoneDomain: dnsNameRule("gcp:dns/managedZone:ManagedZone", "dnsName"),
    dnsRecord: dnsNameRule("gcp:dns/recordSet:RecordSet", "name"),
    logBucket: {
        type: "gcp:logging/projectBucketConfig:ProjectBucketConfig", field: "bucketId", min: 1, max: 100, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
        allowed: "letters, digits, underscores, hyphens and periods, a letter or digit first",
        source: { url: "https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.locations.buckets/create" },
    },
    logSink: {
        type: "gcp:logging/projectSink:ProjectSink", field: "name", min: 1, max: 100, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
        allowed: "letters, digits, underscores, hyphens and periods, a letter or digit first",
        source: { url: "https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.sinks" },
    },
    logExclusion: {
        type: "gcp:logging/projectExclusion:ProjectExclusion", field: "name", min: 1, max: 100, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
        allowed: "letters, digits, underscores, hyphens and periods, a letter or digit first",
        source: { url: "https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.exclusions" },
    },
    alertPolicy: {
        type: "gcp:monitoring/alertPolicy:AlertPolicy", field: "displayName", min: 1, max: 512, pattern: /^.+$/u, allowed: "at most 512 characters",
        source: { provider: { module: "monitoring/alertPolicy", resource: "AlertPolicy", property: "displayName" }, quote: "The name is limited to 512 Unicode characters." },
    },
    secret: {
        type: "gcp:secretmanager/secret:Secret", field: "secretId", min: 1, max: 255, pattern: /^[A-Za-z0-9_-]+$/,
        allowed: "letters, digits, underscores and hyphens",
        source: { url: "https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create" },
    },
    serviceAccount: {
        type: "gcp:serviceaccount/account:Account", field: "accountId", min: 6, max: 30, pattern: /^[a-z]([-a-z0-9]*[a-z0-9])$/,
        allowed: "6 to 30 lowercase letters, digits and hyphens, a letter first, no hyphen last",
        source: { provider: { module: "serviceaccount/account", resource: "Account", property: "accountId" }, quote: "must be 6-30 characters long" },
    },
    sqlInstance: {
        type: "gcp:sql/databaseInstance:DatabaseInstance", field: "name", min: 1, max: SQL_INSTANCE_QUALIFIED_MAX - PROJECT_ID_MAX - 1, pattern: RFC1035,
        allowed: `${RFC1035_WORDS}; project-ID:instance-ID at most ${SQL_INSTANCE_QUALIFIED_MAX}, so ${SQL_INSTANCE_QUALIFIED_MAX - PROJECT_ID_MAX - 1} in any project`,
        source: { url: "https://cloud.google.com/sql/docs/postgres/create-instance" },
    },
    sqlDatabase: { type: "gcp:sql/database:Database", field: "name", ...POSTGRES_IDENTIFIER, source: POSTGRES_SOURCE },
    sqlUser: { type: "gcp:sql/user:User", field: "name", ...POSTGRES_IDENTIFIER, source: POSTGRES_SOURCE },
    storageBucket: {
        type: "gcp:storage/bucket:Bucket", field: "name", min: 3, max: 63, pattern: /^(?!goog)(?!.*google)[a-z0-9][a-z0-9_-]*[a-z0-9]$/,
        allowed: "lowercase letters, digits, hyphens and underscores, a letter or digit first and last, no goog prefix, no google",
        source: { provider: { module: "storage/bucket", resource: "Bucket", property: "name" }, quote: "Bucket names must be in lowercase and no more than 63 characters long." },
    },
    cloudRunJob: computeDocumented("gcp:cloudrunv2/job:Job", "https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.jobs"),
    // The member's name is the job's.
    cloudRunJobMember: computeDocumented("gcp:cloudrunv2/jobIamMember:JobIamMember", "https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.jobs"),
    schedulerJob: {
        type: "gcp:cloudscheduler/job:Job", field: "name", min: 1, max: 500, pattern: /^[A-Za-z0-9_-]+$/,
        allowed: "letters, digits, hyphens and underscores",
        source: { url: "https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs" },
    },
    artifactRepository: {
        type: "gcp:artifactregistry/repository:Repository", field: "repositoryId", min: 1, max: 63, pattern: RFC1035, allowed: RFC1035_WORDS,
        source: { url: "https://cloud.google.com/artifact-registry/docs/repositories/create-repos" },
    },
} satisfies Record<string, NameRule>;

export type GcpNameKind = keyof typeof GCP_NAME_RULES;

/**
 * A name Compute Engine, Cloud DNS and IAM accept: lowercase letters, digits and dashes, starting with a
 * letter, at most `max` characters. A name that must be cut keeps a hash of the whole, so two long names
 * that share a beginning do not collide.
 */
export function gcpName(parts: string[], max = COMPUTE_NAME_MAX): string {
    const joined = parts.join("-").toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^[^a-z]+/, "").replace(/-$/, "");
    if (joined === "") throw new Error(`cannot make a GCP name from ${JSON.stringify(parts)}: it needs a letter`);
    return fitName(joined, max);
}

/** The words `parts` as a name that keeps `kind`'s rule. Throws if it cannot. */
export function gcpNameFor(kind: GcpNameKind, parts: string[]): string {
    const rule: NameRule = GCP_NAME_RULES[kind];
    return assertName(rule, gcpName(parts, rule.max));
}

/** A service's instance (and its group) is `<prefix>-<service>`: the log sink finds the stack's containers by it. */
export function instanceName(prefix: string, service: string): string {
    return gcpNameFor("instanceBaseName", [prefix, service]);
}

/** An instance template's name prefix (ending in a dash), short enough to get the provider's full unique suffix. */
export function instanceTemplatePrefix(prefix: string, service: string): string {
    return `${gcpName([prefix, service], TEMPLATE_PREFIX_MAX - 1)}-`;
}
