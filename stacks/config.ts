// Typed, validated stack configuration. Every key, its default and its rule live here; README documents them.
// Workloads add their keys as one entry in `workloadSections` (stacks/sections.ts).
import { Cloud, Profile, PublicCloud, ZONES_PER_STACK } from "../components/topology";
import { SET_DOCKER_HUB_USERNAME } from "../components/topology/images";
import { CERTIFICATE_NAME_MAX } from "../components/topology/names";
import { ConfigError, PROJECT, Reader, setSecretCommand, show } from "./validate";
import { foreignKeyProblems } from "./namespaces";
import { ConfigSection, WorkloadConfigs, workloadSections } from "./sections";

export type DnsProvider = "route53" | "clouddns" | "cloudflare" | "none";

/** The public clouds: every stack file of a cloud profile (dev, prod) runs on each. */
export const CLOUDS: readonly PublicCloud[] = ["aws", "gcp"];
/** The local Docker engine (components/docker): the `local` profile's one cloud, and the only one it runs on. */
export const LOCAL_CLOUD = "docker" as const satisfies Cloud;
export const LOCAL_PROFILE = "local" as const satisfies Profile;
/** Every value `cloud` takes. */
export const ALL_CLOUDS: readonly Cloud[] = [...CLOUDS, LOCAL_CLOUD];
export const PROFILES: readonly Profile[] = ["dev", "prod", LOCAL_PROFILE];

/** The clouds a stack of this profile runs on: the local profile on the local Docker engine alone, the others on every public cloud. */
export function cloudsOf(profile: Profile): readonly Cloud[] {
    return profile === LOCAL_PROFILE ? [LOCAL_CLOUD] : CLOUDS;
}
export const DNS_PROVIDERS: readonly DnsProvider[] = ["route53", "clouddns", "cloudflare", "none"];
/** The DNS providers that need the credentials of one particular cloud. */
const DNS_PROVIDER_CLOUD: Partial<Record<DnsProvider, Cloud>> = { route53: "aws", clouddns: "gcp" };
/** Retention periods CloudWatch Logs accepts; Cloud Logging accepts any of them too. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** What each profile means when a key is not set: dev is small and cheap, prod survives a lost zone. */
export const PROFILE_DEFAULTS: Record<Profile, { natAddresses: number; logRetentionDays: number; backupRetentionDays: number }> = {
    dev: { natAddresses: 1, logRetentionDays: 14, backupRetentionDays: 7 },
    prod: { natAddresses: 3, logRetentionDays: 90, backupRetentionDays: 30 },
    // Nothing on a laptop is backed up or kept in a log store; the values only satisfy the keys' ranges.
    local: { natAddresses: 1, logRetentionDays: 7, backupRetentionDays: 7 },
};

export const DEFAULT_REGION: Record<Cloud, string> = { aws: "us-east-1", gcp: "us-central1", docker: "local" };
/**
 * The address a local stack's public (swarm) ports are announced at: loopback by default, so the peers reach each
 * other and this machine reaches them; the machine's LAN or public address lets other machines in too.
 */
export const DEFAULT_ANNOUNCE_ADDRESS = "127.0.0.1";
export const DEFAULT_NETWORK_CIDR = "10.40.0.0/16";

export interface CloudLocation {
    region: string;
    /** Explicit zones (AWS: names or AZ IDs); when absent the back-end chooses three. */
    zones?: string[];
}

export interface StackConfig extends WorkloadConfigs {
    cloud: Cloud;
    profile: Profile;
    domain: string;
    dns: { provider: DnsProvider; zone?: string };
    aws: CloudLocation;
    gcp: CloudLocation & { project?: string };
    /** The local Docker engine (cloud docker): where its public ports are announced. */
    docker: { announceAddress: string };
    network: { cidr: string; natAddresses: number };
    /** The Docker Hub account the registry mirror pulls with; the token is a secret. */
    registryMirror: { dockerHub?: { username: string; accessToken: string } };
    tags: Record<string, string>;
    logRetentionDays: number;
    backupRetentionDays: number;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** localhost or a name under it: every such name resolves to loopback (RFC 6761 section 6.3), with no DNS record. */
const LOCALHOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*localhost$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** GCP label rules, applied to tags on both clouds so that switching cloud never breaks on a tag. */
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * The shape of an explicit zone list. Whether each zone exists in the region and offers what the stack runs
 * is the back-end's check: it knows the cloud's zones (the AWS account's, Google's published list).
 */
function zonesOf(r: Reader, region: string | undefined, zonePattern: (region: string) => RegExp, example: string): string[] | undefined {
    const zones = r.stringList("zones", /^[a-z0-9-]+$/, `a zone: ${example}`);
    if (zones === undefined) return undefined;
    let ok = true;
    if (zones.length !== ZONES_PER_STACK) {
        r.problem("zones", zones, `exactly ${ZONES_PER_STACK} zones of the region, or unset to let the program choose them`);
        ok = false;
    }
    if (new Set(zones).size !== zones.length) {
        r.problem("zones", zones, `${ZONES_PER_STACK} distinct zones; a zone listed twice is not a second failure domain`);
        ok = false;
    }
    if (region !== undefined) {
        zones.forEach((z, i) => {
            if (!zonePattern(region).test(z)) {
                r.problem(`zones[${i}]`, z, `a zone of region ${region}: ${example}`);
                ok = false;
            }
        });
    }
    return ok ? zones : undefined;
}

/**
 * A prod stack survives a lost zone, egress included. On AWS a NAT gateway stands in one zone ("if the NAT
 * gateway's Availability Zone is down, resources in the other Availability Zones lose internet access",
 * docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html): prod needs one per zone, each zone routed
 * through its own (components/aws/network.ts natIndexForZone). On GCP the addresses serve one regional Cloud
 * NAT, which no zone's loss takes down (cloud.google.com/nat/docs/overview), so any count keeps egress.
 */
function natAddressesProblem(cloud: Cloud, profile: Profile, natAddresses: number): string | undefined {
    if (cloud !== "aws" || profile !== "prod" || natAddresses === ZONES_PER_STACK) return undefined;
    return `a prod stack on aws needs one NAT gateway per zone (${ZONES_PER_STACK}): a NAT gateway stands in one zone, ` +
        "and the zones routed through it lose egress when that zone goes";
}

/** An AWS zone by name (us-east-1a, different per account) or by AZ ID (use1-az1, the same in every account). */
const AWS_ZONE = (region: string) => new RegExp(`^(${region}[a-z]|[a-z]+[0-9]+-az[0-9]+)$`);

/** A Docker Hub user or organization name: nothing that would break HTTP basic authentication. */
const DOCKER_HUB_USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/**
 * The registry mirror's Docker Hub account. Required on AWS: ECR's pull-through cache pulls from Docker Hub
 * only with credentials (docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html). Optional
 * on GCP, where Artifact Registry pulls anonymously without them. The token is never repeated in a message.
 */
function readRegistryMirror(r: Reader, cloud: Cloud | undefined): StackConfig["registryMirror"] {
    const username = r.string("dockerHubUsername", DOCKER_HUB_USERNAME, "a Docker Hub user or organization name: letters, digits, _ . -");
    const given = r.value("dockerHubAccessToken");
    const hasToken = given !== undefined && given !== null;
    let accessToken: string | undefined;
    if (hasToken) {
        if (typeof given !== "string" || !/^\S+$/.test(given)) r.problem("dockerHubAccessToken", given, "a Docker Hub access token: one word, no spaces");
        else accessToken = given;
        if (r.isSecret("dockerHubAccessToken") === false) {
            r.problem("dockerHubAccessToken", given, `given in plain text; store it encrypted with ${setSecretCommand("registryMirror.dockerHubAccessToken")}`);
        }
    }
    const hasUsername = r.has("dockerHubUsername");
    if (cloud === "aws") {
        const why = "cloud is aws, and ECR's pull-through cache pulls from Docker Hub only with a Docker Hub account";
        if (!hasUsername) r.missing("dockerHubUsername", `${why}; set it with ${SET_DOCKER_HUB_USERNAME}`);
        if (!hasToken) r.missing("dockerHubAccessToken", `${why}; create a read-only access token on Docker Hub`);
    } else if (hasUsername && !hasToken) {
        r.missing("dockerHubAccessToken", "registryMirror.dockerHubUsername is set, and Docker Hub signs the mirror in with both");
    } else if (hasToken && !hasUsername) {
        r.missing("dockerHubUsername", `registryMirror.dockerHubAccessToken is set, and Docker Hub signs the mirror in with both; set it with ${SET_DOCKER_HUB_USERNAME}`);
    }
    r.rejectUnknown();
    return username !== undefined && accessToken !== undefined ? { dockerHub: { username, accessToken } } : {};
}

/** Every physical name starts with the stack's prefix: this, then the stack's name as it is. */
export const PREFIX_START = "web3-";
/** Prefixes stay this short so that a prefix and a service's name keep the tightest rule uncut (GCP service account IDs: 30). */
export const PREFIX_MAX = 20;
export const STACK_NAME_MAX = PREFIX_MAX - PREFIX_START.length;
const STACK_NAME = /^[a-z](?:-?[a-z0-9])*$/;

/**
 * Why a stack's name cannot be its prefix, or undefined. The name is used as it is, never folded or cut, so no
 * two stacks share a prefix (Dev and dev, prod_1 and prod-1, two long names that begin alike would).
 */
export function stackNameProblem(stack: string): string | undefined {
    if (stack.length <= STACK_NAME_MAX && STACK_NAME.test(stack)) return undefined;
    return `stack name ${show(stack)}: the prefix of every physical name is ${PREFIX_START}<stack name>, taken as it is so that no two stacks ` +
        `share one: 1 to ${STACK_NAME_MAX} lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit, ` +
        "such as prod or prod-eu (pulumi stack rename gives a stack another name)";
}

/** The prefix of the stack's physical names; throws for a stack name that cannot be one. */
export function stackPrefix(stack: string): string {
    const problem = stackNameProblem(stack);
    if (problem) throw new ConfigError([problem]);
    return `${PREFIX_START}${stack}`;
}

/** The longest domain under which every label keeps a certificate's common name (RFC 5280: 64 characters). */
export function maxDomainLength(labels: readonly string[]): number {
    if (labels.length === 0) throw new Error("maxDomainLength needs the labels served under the domain");
    return CERTIFICATE_NAME_MAX - 1 - Math.max(...labels.map(l => l.length));
}

/** Why `<label>.<domain>` breaks a certificate's limit for some label, or undefined. */
function domainLengthProblem(domain: string, labels: readonly string[]): string | undefined {
    if (labels.length === 0 || domain.length <= maxDomainLength(labels)) return undefined;
    const longest = labels.reduce((a, b) => (b.length > a.length ? b : a));
    return `at most ${maxDomainLength(labels)} characters for the workloads this stack enables: ${longest}.<domain> is the name of a TLS ` +
        `certificate (ACM, Google-managed), whose common name has at most ${CERTIFICATE_NAME_MAX} characters, and ${longest}.${domain} has ` +
        `${longest.length + 1 + domain.length}`;
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
 * top-level keys the stack holds as secrets, so a section can refuse a secret given in plain text. `stack`: the
 * stack's name, judged as the prefix of its physical names (stackNameProblem).
 */
export function parseConfig(raw: Record<string, unknown>, seen?: Set<string>, secretKeys?: ReadonlySet<string>, stack?: string): StackConfig {
    return readConfig(raw, [], seen, secretKeys, stack);
}

/**
 * The configuration of a running stack, from every key the CLI hands the program (`pulumi.runtime.allConfig()`:
 * full keys of every namespace, values as strings, objects as JSON); `secretKeys`: the full keys it holds as
 * secrets. Keys of other namespaces are judged in the same list of problems (stacks/namespaces.ts).
 */
export function parseStackConfig(all: Record<string, string>, secretKeys: ReadonlySet<string> | undefined, stack?: string): StackConfig {
    const own = `${PROJECT}:`;
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(all)) {
        if (fullKey.startsWith(own)) raw[fullKey.slice(own.length)] = configValue(text);
    }
    const ownSecrets = secretKeys && new Set([...secretKeys].filter(k => k.startsWith(own)).map(k => k.slice(own.length)));
    return readConfig(raw, foreignKeyProblems(all, raw, configValue), undefined, ownSecrets, stack);
}

/** A value as the CLI hands it over (a string), read as what it holds: objects, lists, booleans and whole numbers parsed. */
export function configValue(text: string): unknown {
    const trimmed = text.trim();
    if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+)$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}

function readConfig(raw: Record<string, unknown>, problems: string[], seen?: Set<string>, secretKeys?: ReadonlySet<string>, stack?: string): StackConfig {
    const stackWrong = stack === undefined ? undefined : stackNameProblem(stack);
    if (stackWrong) problems.unshift(stackWrong);
    const r = new Reader(raw, problems, "", seen, secretKeys);

    const cloud = r.oneOf("cloud", ALL_CLOUDS, undefined);
    const profile = r.oneOf("profile", PROFILES, "dev")!;
    const defaults = PROFILE_DEFAULTS[profile];
    const local = cloud === LOCAL_CLOUD;
    if (cloud !== undefined && !cloudsOf(profile).includes(cloud)) {
        r.problem("profile", profile, local
            ? `cloud is ${LOCAL_CLOUD}, which runs the ${LOCAL_PROFILE} profile only: set ${PROJECT}:profile to ${LOCAL_PROFILE}`
            : `the ${profile} profile runs on ${cloudsOf(profile).join(", ")} only, and ${PROJECT}:cloud is ${cloud}`);
    }
    const domain = local
        ? r.requiredString("domain", LOCALHOST_NAME, "localhost or a name under it such as web3.localhost: the local stack serves <label>.<domain> on this machine's loopback")
        : r.requiredString("domain", DNS_NAME, "a lowercase DNS name such as nodes.example.com");

    const dnsReader = r.object("dns");
    const provider = dnsReader.oneOf("provider", DNS_PROVIDERS, "none")!;
    const dnsZone = dnsReader.string("zone", /^[A-Za-z0-9_.-]{1,128}$/, "the Route 53 hosted zone ID, Cloud DNS managed zone name or Cloudflare zone ID");
    const needsCloud = DNS_PROVIDER_CLOUD[provider];
    if (cloud !== undefined && needsCloud !== undefined && needsCloud !== cloud) {
        dnsReader.problem("provider", provider, `${provider} needs ${needsCloud} credentials but ${PROJECT}:cloud is ${cloud}; use cloudflare, none or the DNS service of ${cloud}`);
    }
    if (local && provider !== "none") {
        dnsReader.problem("provider", provider, `cloud is ${LOCAL_CLOUD}: names under localhost need no DNS records; use none`);
    } else if (provider !== "none" && dnsZone === undefined && !dnsReader.has("zone")) {
        dnsReader.missing("zone", `dns.provider is ${provider}: give the zone that holds ${domain ?? "the domain"}`);
    }
    dnsReader.rejectUnknown();

    const awsReader = r.object("aws");
    const awsRegion = awsReader.string("region", AWS_REGION, "an AWS region such as us-east-1", DEFAULT_REGION.aws);
    const awsZones = zonesOf(awsReader, awsRegion, AWS_ZONE, `a name such as ${awsRegion ?? "us-east-1"}a or an AZ ID such as use1-az1`);
    awsReader.rejectUnknown();

    const gcpReader = r.object("gcp");
    const gcpProject = gcpReader.string("project", GCP_PROJECT, "a GCP project ID: 6-30 lowercase letters, digits and dashes, starting with a letter");
    if (cloud === "gcp" && !gcpReader.has("project")) gcpReader.missing("project", "cloud is gcp: the project ID to deploy into");
    const gcpRegion = gcpReader.string("region", GCP_REGION, "a GCP region such as us-central1", DEFAULT_REGION.gcp);
    const gcpZones = zonesOf(gcpReader, gcpRegion, region => new RegExp(`^${region}-[a-z]$`), `a name such as ${gcpRegion ?? "us-central1"}-a`);
    gcpReader.rejectUnknown();

    const dockerReader = r.object("docker");
    const announceAddress = dockerReader.string("announceAddress", IPV4, "an IPv4 address of this machine that other peers reach it at, such as 127.0.0.1 or its LAN address",
        DEFAULT_ANNOUNCE_ADDRESS)!;
    dockerReader.rejectUnknown();

    const networkReader = r.object("network");
    const cidr = networkReader.string("cidr", /.*/, "", DEFAULT_NETWORK_CIDR)!;
    const cidrWrong = cidrProblem(cidr);
    if (cidrWrong) networkReader.problem("cidr", cidr, cidrWrong);
    const natAddresses = networkReader.integer("natAddresses", 1, ZONES_PER_STACK, defaults.natAddresses);
    const natWrong = cloud === undefined ? undefined : natAddressesProblem(cloud, profile, natAddresses);
    if (natWrong) networkReader.problem("natAddresses", natAddresses, natWrong);
    networkReader.rejectUnknown();

    const registryMirror = readRegistryMirror(r.object("registryMirror"), cloud);

    const tags = r.stringMap("tags", LABEL_KEY, LABEL_VALUE,
        "tag keys start with a lowercase letter and use lowercase letters, digits, _ and - (at most 63); values likewise, may be empty");
    const logRetentionDays = r.integerIn("logRetentionDays", LOG_RETENTION_DAYS, defaults.logRetentionDays);
    const backupRetentionDays = r.integer("backupRetentionDays", 7, 35, defaults.backupRetentionDays);

    const base = { cloud: cloud ?? "aws", profile };
    const workloads = {} as Record<string, unknown>;
    const hostnames: string[] = [];
    for (const [key, section] of Object.entries(workloadSections) as [string, ConfigSection<unknown>][]) {
        const sectionReader = r.object(key);
        workloads[key] = section.read(sectionReader, base);
        sectionReader.rejectUnknown();
        if ((workloads[key] as { enabled?: boolean }).enabled) hostnames.push(...section.hostnames);
    }
    // The local engine has no object storage (components/docker index.ts bucket): what would need a bucket is refused here.
    const ceramic = workloads.ceramic as { enabled?: boolean; stateStore?: string } | undefined;
    if (local && ceramic?.enabled && ceramic.stateStore === "bucket") {
        r.object("ceramic").problem("stateStore", "bucket", `cloud is ${LOCAL_CLOUD}, which has no object storage: use volume (the default)`);
    }
    const domainWrong = domain === undefined ? undefined : domainLengthProblem(domain, hostnames);
    if (domainWrong) r.problem("domain", domain, domainWrong);
    r.rejectUnknown();

    if (problems.length > 0 || cloud === undefined || domain === undefined) throw new ConfigError(problems, r.missingSecrets);
    return {
        cloud,
        profile,
        domain,
        dns: { provider, zone: dnsZone },
        aws: { region: awsRegion!, zones: awsZones },
        gcp: { project: gcpProject, region: gcpRegion!, zones: gcpZones },
        docker: { announceAddress },
        network: { cidr, natAddresses },
        registryMirror,
        tags,
        logRetentionDays,
        backupRetentionDays,
        ...(workloads as unknown as WorkloadConfigs),
    };
}

/** The region and explicit zones of the chosen cloud. */
export function locationOf(config: StackConfig): CloudLocation {
    if (config.cloud === LOCAL_CLOUD) return { region: DEFAULT_REGION.docker };
    return config.cloud === "aws" ? config.aws : config.gcp;
}
