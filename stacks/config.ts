// Typed, validated stack configuration. Every key, its default and its rule live here; README documents them.
// Workloads add their keys as one entry in `workloadSections` (stacks/sections.ts).
import { Cloud, Profile } from "../components/topology";
import { ConfigError, PROJECT, Reader } from "./validate";
import { ConfigSection, WorkloadConfigs, workloadSections } from "./sections";

export type DnsProvider = "route53" | "clouddns" | "cloudflare" | "none";

export const CLOUDS: readonly Cloud[] = ["aws", "gcp"];
export const PROFILES: readonly Profile[] = ["dev", "prod"];
export const DNS_PROVIDERS: readonly DnsProvider[] = ["route53", "clouddns", "cloudflare", "none"];
/** The DNS providers that need the credentials of one particular cloud. */
const DNS_PROVIDER_CLOUD: Partial<Record<DnsProvider, Cloud>> = { route53: "aws", clouddns: "gcp" };
/** Retention periods CloudWatch Logs accepts; Cloud Logging accepts any of them too. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** What each profile means when a key is not set: dev is small and cheap, prod survives a lost zone. */
export const PROFILE_DEFAULTS: Record<Profile, { natAddresses: number; logRetentionDays: number; backupRetentionDays: number }> = {
    dev: { natAddresses: 1, logRetentionDays: 14, backupRetentionDays: 7 },
    prod: { natAddresses: 3, logRetentionDays: 90, backupRetentionDays: 30 },
};

export const DEFAULT_REGION: Record<Cloud, string> = { aws: "us-east-1", gcp: "us-central1" };
export const DEFAULT_NETWORK_CIDR = "10.40.0.0/16";

export interface CloudLocation {
    region: string;
    /** Explicit zones; when absent the region's first three available zones are used. */
    zones?: string[];
}

export interface StackConfig extends WorkloadConfigs {
    cloud: Cloud;
    profile: Profile;
    domain: string;
    dns: { provider: DnsProvider; zone?: string };
    aws: CloudLocation;
    gcp: CloudLocation & { project?: string };
    network: { cidr: string; natAddresses: number };
    tags: Record<string, string>;
    logRetentionDays: number;
    backupRetentionDays: number;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** GCP label rules, applied to tags on both clouds so that switching cloud never breaks on a tag. */
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function zonesOf(r: Reader, region: string | undefined, zonePattern: (region: string) => RegExp, example: string): string[] | undefined {
    const zones = r.stringList("zones", /^[a-z0-9-]+$/, `a zone name such as ${example}`);
    if (zones === undefined) return undefined;
    let ok = true;
    if (zones.length !== 3) {
        r.problem("zones", zones, "exactly three zones of the region, or unset for the region's first three");
        ok = false;
    }
    if (new Set(zones).size !== zones.length) {
        r.problem("zones", zones, "three distinct zones; a zone listed twice is not a second failure domain");
        ok = false;
    }
    if (region !== undefined) {
        zones.forEach((z, i) => {
            if (!zonePattern(region).test(z)) {
                r.problem(`zones[${i}]`, z, `a zone of region ${region}, such as ${example}`);
                ok = false;
            }
        });
    }
    return ok ? zones : undefined;
}

function cidrProblem(cidr: string): string | undefined {
    const m = CIDR.exec(cidr);
    if (!m) return "an IPv4 CIDR block such as 10.40.0.0/16";
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some(o => o > 255)) return "an IPv4 CIDR block such as 10.40.0.0/16";
    const [a, b] = octets;
    const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
    if (!isPrivate) return "a private range (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)";
    if (prefix < 16 || prefix > 22) return "a prefix from /16 to /22 (the network is cut into six subnets)";
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    if (address % 2 ** (32 - prefix) !== 0) return `a network address: the host bits of a /${prefix} must be zero`;
    return undefined;
}

/**
 * Validates raw configuration (the stack file's `web3-nodes:` keys, values parsed from JSON where they are
 * objects) and returns the typed config, or throws a ConfigError listing every problem. `secretKeys`: the
 * top-level keys the stack holds as secrets, so a section can refuse a secret given in plain text.
 */
export function parseConfig(raw: Record<string, unknown>, seen?: Set<string>, secretKeys?: ReadonlySet<string>): StackConfig {
    const problems: string[] = [];
    const r = new Reader(raw, problems, "", seen, secretKeys);

    const cloud = r.oneOf("cloud", CLOUDS, undefined);
    const profile = r.oneOf("profile", PROFILES, "dev")!;
    const defaults = PROFILE_DEFAULTS[profile];
    const domain = r.requiredString("domain", DNS_NAME, "a lowercase DNS name such as nodes.example.com");

    const dnsReader = r.object("dns");
    const provider = dnsReader.oneOf("provider", DNS_PROVIDERS, "none")!;
    const dnsZone = dnsReader.string("zone", /^[A-Za-z0-9_.-]{1,128}$/, "the Route 53 hosted zone ID, Cloud DNS managed zone name or Cloudflare zone ID");
    const needsCloud = DNS_PROVIDER_CLOUD[provider];
    if (cloud !== undefined && needsCloud !== undefined && needsCloud !== cloud) {
        dnsReader.problem("provider", provider, `${provider} needs ${needsCloud} credentials but ${PROJECT}:cloud is ${cloud}; use cloudflare, none or the DNS service of ${cloud}`);
    }
    if (provider !== "none" && dnsZone === undefined && !dnsReader.has("zone")) {
        dnsReader.missing("zone", `dns.provider is ${provider}: give the zone that holds ${domain ?? "the domain"}`);
    }
    dnsReader.rejectUnknown();

    const awsReader = r.object("aws");
    const awsRegion = awsReader.string("region", AWS_REGION, "an AWS region such as us-east-1", DEFAULT_REGION.aws);
    const awsZones = zonesOf(awsReader, awsRegion, region => new RegExp(`^${region}[a-z]$`), `${awsRegion ?? "us-east-1"}a`);
    awsReader.rejectUnknown();

    const gcpReader = r.object("gcp");
    const gcpProject = gcpReader.string("project", GCP_PROJECT, "a GCP project ID: 6-30 lowercase letters, digits and dashes, starting with a letter");
    if (cloud === "gcp" && !gcpReader.has("project")) gcpReader.missing("project", "cloud is gcp: the project ID to deploy into");
    const gcpRegion = gcpReader.string("region", GCP_REGION, "a GCP region such as us-central1", DEFAULT_REGION.gcp);
    const gcpZones = zonesOf(gcpReader, gcpRegion, region => new RegExp(`^${region}-[a-z]$`), `${gcpRegion ?? "us-central1"}-a`);
    gcpReader.rejectUnknown();

    const networkReader = r.object("network");
    const cidr = networkReader.string("cidr", /.*/, "", DEFAULT_NETWORK_CIDR)!;
    const cidrWrong = cidrProblem(cidr);
    if (cidrWrong) networkReader.problem("cidr", cidr, cidrWrong);
    const natAddresses = networkReader.integer("natAddresses", 1, 3, defaults.natAddresses);
    networkReader.rejectUnknown();

    const tags = r.stringMap("tags", LABEL_KEY, LABEL_VALUE,
        "tag keys start with a lowercase letter and use lowercase letters, digits, _ and - (at most 63); values likewise, may be empty");
    const logRetentionDays = r.integerIn("logRetentionDays", LOG_RETENTION_DAYS, defaults.logRetentionDays);
    const backupRetentionDays = r.integer("backupRetentionDays", 7, 35, defaults.backupRetentionDays);

    const base = { cloud: cloud ?? "aws", profile };
    const workloads = {} as Record<string, unknown>;
    for (const [key, section] of Object.entries(workloadSections) as [string, ConfigSection<unknown>][]) {
        const sectionReader = r.object(key);
        workloads[key] = section.read(sectionReader, base);
        sectionReader.rejectUnknown();
    }
    r.rejectUnknown();

    if (problems.length > 0 || cloud === undefined || domain === undefined) throw new ConfigError(problems);
    return {
        cloud,
        profile,
        domain,
        dns: { provider, zone: dnsZone },
        aws: { region: awsRegion!, zones: awsZones },
        gcp: { project: gcpProject, region: gcpRegion!, zones: gcpZones },
        network: { cidr, natAddresses },
        tags,
        logRetentionDays,
        backupRetentionDays,
        ...(workloads as unknown as WorkloadConfigs),
    };
}

/** The region and explicit zones of the chosen cloud. */
export function locationOf(config: StackConfig): CloudLocation {
    return config.cloud === "aws" ? config.aws : config.gcp;
}
