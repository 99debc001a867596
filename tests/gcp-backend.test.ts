// The GCP back-end under mocks: what operators rely on (disks and buckets kept and backed up, one instance
// per disk, nothing root, no secret in metadata, nothing private exposed), checked on what it declares; and
// the instances' cloud-config checked for real by cloud-init and shellcheck.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { Backend, COMPONENT_TYPES, ContainerSpec, ZonalService } from "../components/topology";
import { chooseGcpZones } from "../components/gcp";
import { HostSpec, cloudConfig, shellQuote } from "../components/gcp/cloudinit";
import { cloudDnsRecord } from "../components/gcp/dns";
import { ENTRY_POINT_LIMITS, entryPointProblems } from "../components/gcp/httpsLoadBalancer";
import { targetProbe } from "../components/gcp/loadBalancerTarget";
import { E2_MACHINE_TYPES, OS_HEADROOM, machineTypeFor } from "../components/gcp/machine";
import { instanceSubnetCidr } from "../components/gcp/network";
import { forwardingRuleSpecs } from "../components/gcp/passthroughLoadBalancer";
import { autohealingProbe, firewallSpecs, publicPortsProbe, userData } from "../components/gcp/service";
import { gcpName } from "../components/gcp/shared";
import { SECRET_MASK, SynthResource, SynthResult } from "../tools/harness";
import { ConfigError } from "../stacks/validate";
import { gcpGroupUrl } from "./conformance/healthChecks";
import { argsProperties } from "./conformance/providerSdk";
import { descendants, hasBinary, named, ofType, oneOfType, synthBackend } from "./support";

const T = {
    disk: "gcp:compute/disk:Disk",
    resourcePolicy: "gcp:compute/resourcePolicy:ResourcePolicy",
    policyAttachment: "gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment",
    bucket: "gcp:storage/bucket:Bucket",
    template: "gcp:compute/instanceTemplate:InstanceTemplate",
    group: "gcp:compute/instanceGroupManager:InstanceGroupManager",
    perInstanceConfig: "gcp:compute/perInstanceConfig:PerInstanceConfig",
    firewall: "gcp:compute/firewall:Firewall",
    address: "gcp:compute/address:Address",
    globalAddress: "gcp:compute/globalAddress:GlobalAddress",
    forwardingRule: "gcp:compute/forwardingRule:ForwardingRule",
    globalForwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    regionBackendService: "gcp:compute/regionBackendService:RegionBackendService",
    backendService: "gcp:compute/backendService:BackendService",
    healthCheck: "gcp:compute/healthCheck:HealthCheck",
    urlMap: "gcp:compute/uRLMap:URLMap",
    httpProxy: "gcp:compute/targetHttpProxy:TargetHttpProxy",
    httpsProxy: "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    certificate: "gcp:compute/managedSslCertificate:ManagedSslCertificate",
    securityPolicy: "gcp:compute/securityPolicy:SecurityPolicy",
    secretIam: "gcp:secretmanager/secretIamMember:SecretIamMember",
    secretVersion: "gcp:secretmanager/secretVersion:SecretVersion",
    serviceAccount: "gcp:serviceaccount/account:Account",
    recordSet: "gcp:dns/recordSet:RecordSet",
    routerNat: "gcp:compute/routerNat:RouterNat",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    network: "gcp:compute/network:Network",
    provider: "pulumi:providers:gcp",
    apiService: "gcp:projects/service:Service",
};

const IPFS_USER = { uid: 1000, gid: 100 };
const SECRET_VALUE = "s3cr3t-value";
const EMPTY_DIR_CID = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";

interface Deployment {
    ipfs: ZonalService;
    reader: ZonalService;
}

/** An IPFS peer (kubo + cluster, two disks, a secret, public swarm, two HTTPS targets) and a reader that uses it. */
function deployNodes(backend: Backend, out: Partial<Deployment> = {}): void {
    const [zone, otherZone] = backend.context.zones;
    const clusterSecret = backend.secret("cluster-secret", { value: SECRET_VALUE });
    const repo = backend.volume("ipfs-0-repo", { zone, sizeGiB: 100, owner: IPFS_USER });
    const clusterData = backend.volume("ipfs-0-cluster", { zone, sizeGiB: 10, owner: IPFS_USER });
    const gateway = backend.loadBalancerTarget("gateway", { port: 8080, readiness: { path: `/ipfs/${EMPTY_DIR_CID}`, status: "200" } });
    const clusterApi = backend.loadBalancerTarget("cluster-api", { port: 9094, readiness: { path: "/health", status: "204" } });
    const kubo: ContainerSpec = {
        name: "kubo",
        image: "ipfs/kubo:v0.29.0",
        cpu: 1,
        memoryMiB: 2048,
        user: IPFS_USER,
        env: { IPFS_PROFILE: "server", GREETING: "it's \"quoted\" $HOME `x`" },
        ports: [
            { port: 4001, protocol: "tcp", exposure: { kind: "public" } },
            { port: 4002, protocol: "udp", exposure: { kind: "public" } },
            { port: 5001, exposure: { kind: "local" } },
            { port: 8080, exposure: { kind: "loadBalancer", target: gateway } },
        ],
        // A container with a volume gives its entrypoint: the volume fence runs it (the image's own, kubo's Dockerfile).
        entrypoint: ["/sbin/tini", "--", "/usr/local/bin/start_ipfs"],
        mounts: [{ volume: repo, path: "/data/ipfs" }],
    };
    const cluster: ContainerSpec = {
        name: "cluster",
        image: "ipfs/ipfs-cluster:v1.1.2",
        entrypoint: ["/usr/local/bin/ipfs-cluster-service"],
        command: ["daemon", "--upgrade"],
        cpu: 0.5,
        memoryMiB: 1024,
        user: IPFS_USER,
        secrets: { CLUSTER_SECRET: clusterSecret },
        ports: [
            { port: 9094, exposure: { kind: "loadBalancer", target: clusterApi } },
            { port: 9096, exposure: { kind: "services", groups: ["ipfs-cluster"] } },
        ],
        mounts: [{ volume: clusterData, path: "/data/ipfs-cluster" }],
    };
    out.ipfs = backend.service("ipfs-0", {
        zone,
        accessGroup: "ipfs-cluster",
        containers: [kubo, cluster],
        liveness: { kind: "http", port: 8080, path: `/ipfs/${EMPTY_DIR_CID}/`, gracePeriodSeconds: 600 },
    });
    out.reader = backend.service("reader", {
        zone: otherZone,
        liveness: { kind: "exit" },
        containers: [{
            name: "reader",
            image: "busybox:1.36.1",
            cpu: 0.25,
            memoryMiB: 256,
            user: { uid: 2000, gid: 2000 },
            command: ["httpd", "-f", "-p", "8000"],
            ports: [{ port: 8000, exposure: { kind: "services", groups: ["ipfs-cluster"] } }],
        }],
    });
    // A port the world reaches through an address shared by services of several zones (one here).
    const relayAddress = backend.passthroughAddress("relay", { port: 7000, zones: [otherZone] });
    backend.service("relay", {
        zone: otherZone,
        liveness: { kind: "exit" },
        containers: [{
            name: "relay",
            image: "busybox:1.36.1",
            cpu: 0.25,
            memoryMiB: 128,
            user: { uid: 2000, gid: 2000 },
            command: ["nc", "-lk", "-p", "7000"],
            ports: [{ port: 7000, exposure: { kind: "publicAddress", address: relayAddress } }],
        }],
    });
    backend.httpsLoadBalancer("gateway", { hostname: "gateway", target: gateway });
    backend.httpsLoadBalancer("cluster-api", { hostname: "cluster", target: clusterApi, allowedCidrs: ["203.0.113.0/24", "198.51.100.7/32"] });
    backend.bucket("ceramic-state");
    backend.postgres("app-db", {
        zones: [zone, otherZone], instanceClass: "db-custom-2-13312", storageGiB: 20, databaseName: "app", userName: "app", clientGroups: ["ipfs-0"],
    });
    backend.scheduledJob("heartbeat", {
        everyMinutes: 5,
        container: { name: "heartbeat", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 128, user: { uid: 2000, gid: 2000 }, command: ["true"] },
    });
}


/**
 * `count` HTTPS names on one service: the first, "socket", on a WebSocket target; the others on a plain one.
 * Names past the proxy's certificates are refused.
 */
function serveNames(backend: Backend, count: number): void {
    const [zone] = backend.context.zones;
    const socket = backend.loadBalancerTarget("socket", { port: 8080, readiness: { path: "/", status: "200" }, websocket: true });
    const plain = backend.loadBalancerTarget("plain", { port: 8081, readiness: { path: "/", status: "200" } });
    backend.service("web", {
        zone,
        liveness: { kind: "exit" },
        containers: [{
            name: "web", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 128, user: { uid: 2000, gid: 2000 }, command: ["httpd", "-f", "-p", "8080"],
            ports: [{ port: 8080, exposure: { kind: "loadBalancer", target: socket } }, { port: 8081, exposure: { kind: "loadBalancer", target: plain } }],
        }],
    });
    backend.httpsLoadBalancer("socket", { hostname: "socket", target: socket });
    for (let i = 1; i < count; i++) backend.httpsLoadBalancer(`site-${i}`, { hostname: `site-${i}`, target: plain });
}

/** What a request for `host` gets from a URL map without path rules: a backend service, or a redirect. */
interface Routed {
    service?: string;
    redirect?: Record<string, unknown>;
}

/**
 * Where a global URL map sends a host, as compute v1 urlMaps documents it
 * (https://cloud.google.com/compute/docs/reference/rest/v1/urlMaps): the path matcher named by the host rule
 * whose hosts match (HostRule.hosts: a hostname, or a leading `*` that "matches any string of ([a-z0-9-.]*)"),
 * else the map's own default (defaultService, or defaultUrlRedirect "when none of the specified hostRules match").
 */
function route(map: SynthResource, host: string): Routed {
    const matches = (pattern: string) => (pattern.startsWith("*")
        ? host.endsWith(pattern.slice(1)) && /^[a-z0-9.-]*$/.test(host.slice(0, host.length - pattern.length + 1))
        : pattern === host.toLowerCase());
    const rule = (input<{ hosts: string[]; pathMatcher: string }[]>(map, "hostRules") ?? []).find(r => r.hosts.some(matches));
    if (rule) {
        const matcher = input<{ name: string; defaultService?: string; pathRules?: unknown[] }[]>(map, "pathMatchers").find(m => m.name === rule.pathMatcher);
        assert.ok(matcher, `host rule for ${host} names a path matcher the map lacks: ${rule.pathMatcher}`);
        assert.strictEqual(matcher.pathRules, undefined, "paths are kept by Cloud Armor, not by path rules");
        return { service: matcher.defaultService };
    }
    const service = input<string | undefined>(map, "defaultService");
    return service === undefined ? { redirect: input(map, "defaultUrlRedirect") } : { service };
}

function parentOf(result: SynthResult, r: SynthResource): SynthResource | undefined {
    return result.resources.find(p => p.urn === r.parent);
}


/** An output's value, or its failure. */
function settled<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

function withId(result: SynthResult, id: unknown): SynthResource {
    const found = result.resources.find(r => r.id === id);
    assert.ok(found, `no resource has id ${String(id)}`);
    return found;
}

function input<T = unknown>(r: SynthResource, key: string): T {
    return r.inputs[key] as T;
}

/** The user-data of a service's instance template. */
function userDataOf(result: SynthResult, service: string): string {
    const template = named(result, T.template, `${service}-template`);
    const userData = input<Record<string, string>>(template, "metadata")["user-data"];
    assert.strictEqual(typeof userData, "string", "user-data is a plain (non-secret) string");
    return userData;
}

function writtenFiles(userData: string): { path: string; content: string }[] {
    return (YAML.parse(userData) as { write_files: { path: string; content: string }[] }).write_files;
}


describe("GCP back-end", function () {
    this.timeout(60_000);
    let result: SynthResult;
    const deployed: Partial<Deployment> = {};
    let publicAddress: string | undefined;
    let privateHostname: string | undefined;
    /** What the harness does not record: each resource object and its options, for the services and load balancers. */
    const declared: { type: string; name: string; resource: pulumi.Resource; opts: pulumi.ResourceOptions }[] = [];

    before(async () => {
        result = await synthBackend("gcp", async backend => {
            pulumi.runtime.registerStackTransformation(args => {
                declared.push({ type: args.type, name: args.name, resource: args.resource, opts: args.opts });
                return undefined;
            });
            deployNodes(backend, deployed);
            publicAddress = await new Promise<string>(resolve => deployed.ipfs!.publicAddress!.apply(resolve));
            privateHostname = deployed.ipfs!.privateHostname;
        });
    });

    describe("the stack", () => {
        it("uses one explicit provider with the project, region and labels, and the region's first three zones", () => {
            const provider = oneOfType(result, T.provider);
            assert.strictEqual(input(provider, "project"), "web3-nodes-test");
            assert.strictEqual(input(provider, "region"), "us-central1");
            assert.deepStrictEqual(JSON.parse(input<string>(provider, "defaultLabels")), { "managed-by": "pulumi", stack: "test" });
            const zones = ofType(result, T.disk).map(d => input<string>(d, "zone"));
            assert.deepStrictEqual([...new Set(zones)], ["us-central1-a"]);
            assert.strictEqual(named(result, T.group, "reader-group").inputs.zone, "us-central1-b");
        });

        it("gives every GCP resource the one explicit provider", async () => {
            const gcpResources = declared.filter(d => d.type.startsWith("gcp:"));
            assert.ok(gcpResources.length > 50);
            for (const d of gcpResources) {
                const provider = d.resource.getProvider(d.type);
                assert.ok(provider, `${d.type} ${d.name} would use the default provider`);
                assert.match(await settled(provider.urn), /pulumi:providers:gcp::gcp$/, `${d.type} ${d.name}`);
            }
        });

        it("declares the APIs it calls and never disables them on destroy", () => {
            const apis = ofType(result, T.apiService);
            assert.ok(apis.length >= 6);
            for (const api of apis) assert.strictEqual(input(api, "disableOnDestroy"), false, api.name);
            const names = apis.map(a => input<string>(a, "service"));
            for (const needed of ["compute.googleapis.com", "secretmanager.googleapis.com", "logging.googleapis.com", "dns.googleapis.com"]) {
                assert.ok(names.includes(needed), needed);
            }
        });

        it("puts every cloud resource under a topology component", () => {
            const componentTypes = new Set<string>(Object.values(COMPONENT_TYPES));
            for (const r of result.resources.filter(r => r.type.startsWith("gcp:") && r.type !== T.apiService)) {
                let owner = parentOf(result, r);
                while (owner && !componentTypes.has(owner.type)) owner = parentOf(result, owner);
                assert.ok(owner, `${r.type} ${r.name} is not under a topology component`);
            }
            const missing = result.resources.filter(r => r.custom && r.id === null);
            assert.deepStrictEqual(missing.map(r => r.urn), [], "every resource reached the engine");
            for (const type of Object.values(COMPONENT_TYPES)) assert.ok(ofType(result, type).length > 0, `no ${type}`);
        });

        it("takes the region's first three zones from Google's list, and names the zones setting for a region the list lacks", () => {
            assert.deepStrictEqual(chooseGcpZones("us-central1", undefined), ["us-central1-a", "us-central1-b", "us-central1-c"]);
            assert.deepStrictEqual(chooseGcpZones("europe-west1", undefined), ["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
            assert.throws(() => chooseGcpZones("mars-north1", undefined), (e: Error) => e instanceof ConfigError && /^web3-nodes:gcp\.zones is required/.test(e.problems[0]));
        });
    });

    describe("network", () => {
        it("is a custom-mode VPC with a private-access, flow-logged subnet and NAT on the static egress addresses", () => {
            assert.strictEqual(input(oneOfType(result, T.network), "autoCreateSubnetworks"), false);
            const subnet = oneOfType(result, T.subnet);
            assert.strictEqual(input(subnet, "privateIpGoogleAccess"), true);
            assert.ok(input(subnet, "logConfig"), "flow logs");
            assert.strictEqual(input(subnet, "ipCidrRange"), "10.40.0.0/17");
            const nat = oneOfType(result, T.routerNat);
            assert.strictEqual(input(nat, "natIpAllocateOption"), "MANUAL_ONLY");
            const natAddresses = ofType(result, T.address).filter(a => a.name.startsWith("network-nat-"));
            assert.strictEqual(natAddresses.length, 3, "prod defaults to three NAT addresses");
            assert.strictEqual(input<string[]>(nat, "natIps").length, 3);
            assert.strictEqual(instanceSubnetCidr("10.8.0.0/20"), "10.8.0.0/21");
        });

        it("gives each service a stable private name on a reserved internal address", () => {
            assert.strictEqual(privateHostname, "ipfs-0.web3-test.internal");
            const ip = named(result, T.address, "ipfs-0-private-ip");
            assert.strictEqual(input(ip, "addressType"), "INTERNAL");
            const record = named(result, T.recordSet, "ipfs-0-private-name");
            assert.strictEqual(input(record, "name"), "ipfs-0.web3-test.internal.");
            assert.strictEqual(input<string[]>(record, "rrdatas").length, 1);
            assert.match(input<string[]>(record, "rrdatas")[0], /^10\.40\.\d+\.\d+$/, "the reserved internal address");
            const config = named(result, T.perInstanceConfig, "ipfs-0-instance");
            assert.strictEqual(input<any>(config, "preservedState").internalIps[0].ipAddress.address, "https://www.googleapis.com/compute/v1/projects/mock-project/Address/web3-test-ipfs-0-private");
        });
    });

    describe("volumes and buckets", () => {
        it("keeps disks when removed, locks them in prod, and snapshots them daily", () => {
            const disks = ofType(result, T.disk);
            assert.strictEqual(disks.length, 2);
            for (const disk of disks) {
                assert.deepStrictEqual([disk.options.retainOnDelete, disk.options.protect], [true, true], disk.name);
                assert.strictEqual(input(disk, "type"), "pd-ssd");
                const attachment = named(result, T.policyAttachment, disk.name.replace(/-disk$/, "-snapshot-schedule"));
                assert.strictEqual(input(attachment, "disk"), input(disk, "name"));
                const policy = ofType(result, T.resourcePolicy).find(p => input(p, "name") === input(attachment, "name"));
                assert.ok(policy, `no snapshot schedule for ${disk.name}`);
                const schedule = input<any>(policy, "snapshotSchedulePolicy");
                assert.strictEqual(schedule.schedule.dailySchedule.daysInCycle, 1);
                assert.strictEqual(schedule.retentionPolicy.maxRetentionDays, 30);
                assert.strictEqual(schedule.retentionPolicy.onSourceDiskDelete, "KEEP_AUTO_SNAPSHOTS");
            }
        });

        it("protects dev disks too, on the balanced disk type", async () => {
            const dev = await synthBackend("gcp", backend => {
                backend.volume("scratch", { zone: backend.context.zones[0], sizeGiB: 10, owner: IPFS_USER });
            }, { profile: "dev" });
            const disk = oneOfType(dev, T.disk);
            assert.deepStrictEqual([disk.options.retainOnDelete, disk.options.protect], [true, true]);
            assert.strictEqual(input(disk, "type"), "pd-balanced");
        });

        it("makes buckets versioned, private and kept", () => {
            const bucket = oneOfType(result, T.bucket);
            assert.deepStrictEqual(input(bucket, "versioning"), { enabled: true });
            assert.strictEqual(input(bucket, "publicAccessPrevention"), "enforced");
            assert.strictEqual(input(bucket, "uniformBucketLevelAccess"), true);
            assert.strictEqual(input(bucket, "forceDestroy"), false);
            const [rule] = input<any[]>(bucket, "lifecycleRules");
            assert.strictEqual(rule.action.type, "Delete");
            assert.strictEqual(rule.condition.daysSinceNoncurrentTime, 30);
            assert.deepStrictEqual([bucket.options.retainOnDelete, bucket.options.protect], [true, true]);
        });
    });

    describe("services", () => {
        it("run on Container-Optimized OS, without an external address, shielded, with OS Login", () => {
            for (const template of ofType(result, T.template)) {
                const [boot] = input<any[]>(template, "disks");
                assert.match(boot.sourceImage, /cos-cloud\/.*cos-stable/);
                for (const nic of input<any[]>(template, "networkInterfaces")) assert.ok(!nic.accessConfigs || nic.accessConfigs.length === 0, "no external IP");
                assert.deepStrictEqual(input(template, "shieldedInstanceConfig"), { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true });
                const metadata = input<Record<string, string>>(template, "metadata");
                assert.strictEqual(metadata["enable-oslogin"], "TRUE");
                assert.strictEqual(metadata["serial-port-enable"], "FALSE");
                assert.strictEqual(metadata["google-logging-enabled"], "true");
            }
            assert.deepStrictEqual(input(named(result, T.template, "ipfs-0-template"), "tags"), ["web3-test-group-ipfs-cluster", "web3-test-instance"]);
            const versions = input<Record<string, string>>(named(result, T.template, "ipfs-0-template"), "metadata")["secret-versions"];
            assert.match(versions, /\/versions\/1$/, "a new secret value changes the template");
            assert.strictEqual(input<Record<string, string>>(named(result, T.template, "reader-template"), "metadata")["secret-versions"], undefined);
        });

        it("size the machine from the containers plus the OS", () => {
            assert.strictEqual(named(result, T.template, "ipfs-0-template").inputs.machineType, "e2-standard-2");
            assert.strictEqual(named(result, T.template, "reader-template").inputs.machineType, "e2-standard-2", "no shared core in prod");
            assert.strictEqual(machineTypeFor([{ cpu: 0.25, memoryMiB: 256 }], "dev").name, "e2-medium");
            assert.strictEqual(machineTypeFor([{ cpu: 2, memoryMiB: 4096 }], "prod").name, "e2-standard-4", "2 vCPU plus headroom needs 4");
            assert.strictEqual(machineTypeFor([{ cpu: 1, memoryMiB: 12 * 1024 }], "prod").name, "e2-custom-2-13056", "memory-heavy: custom, not 4 vCPUs");
            assert.strictEqual(machineTypeFor([{ cpu: 30, memoryMiB: 1024 }], "prod").name, "e2-standard-32");
            assert.throws(() => machineTypeFor([{ cpu: 40, memoryMiB: 1024 }], "prod"), /no E2 machine/);
            for (const t of E2_MACHINE_TYPES) {
                const fits = machineTypeFor([{ cpu: t.vcpu - OS_HEADROOM.vcpu, memoryMiB: t.memoryMiB - OS_HEADROOM.memoryMiB }], "dev");
                assert.strictEqual(fits.name, t.name, `a demand of exactly ${t.name} gets ${t.name}`);
            }
        });

        it("run one instance in the service's zone, replaced by recreation so two never hold a disk", () => {
            const group = named(result, T.group, "ipfs-0-group");
            assert.strictEqual(input(group, "zone"), "us-central1-a");
            const policy = input<any>(group, "updatePolicy");
            assert.strictEqual(policy.replacementMethod, "RECREATE");
            assert.strictEqual(policy.maxSurgeFixed, 0);
            assert.strictEqual(policy.maxUnavailableFixed, 1);
            // The per-instance config creates the instance (createInstances raises the size to 1); the group
            // starts at 0 so that no second, diskless instance appears.
            assert.strictEqual(input(group, "targetSize"), 0);
            const groupOptions = declared.find(d => d.type === T.group && d.name === "ipfs-0-group")!.opts;
            assert.deepStrictEqual(groupOptions.ignoreChanges, ["targetSize"], "a later update must not shrink the group back to 0");
            const configs = ofType(result, T.perInstanceConfig).filter(c => c.parent === group.parent);
            assert.strictEqual(configs.length, 1, "exactly one instance");
            assert.strictEqual(input(configs[0], "name"), input(group, "name"));
            // Autohealing is the service's liveness, exactly; a service whose liveness is its exits has none.
            const healing = input<any>(group, "autoHealingPolicies");
            assert.strictEqual(healing.initialDelaySec, 600);
            const check = withId(result, healing.healthCheck);
            assert.deepStrictEqual(input(check, "httpHealthCheck"), { port: 8080, requestPath: `/ipfs/${EMPTY_DIR_CID}/` });
            assert.deepStrictEqual([input(check, "checkIntervalSec"), input(check, "timeoutSec"), input(check, "unhealthyThreshold")], [30, 10, 4]);
            assert.strictEqual(input(named(result, T.group, "reader-group"), "autoHealingPolicies"), undefined);
        });

        it("keep each disk and the internal address across recreation", () => {
            const config = named(result, T.perInstanceConfig, "ipfs-0-instance");
            const state = input<any>(config, "preservedState");
            const disks = state.disks as any[];
            assert.deepStrictEqual(disks.map(d => d.deviceName).sort(), ["ipfs-0-cluster", "ipfs-0-repo"]);
            for (const d of disks) {
                assert.strictEqual(d.deleteRule, "NEVER");
                assert.strictEqual(d.mode, "READ_WRITE");
                assert.strictEqual(withId(result, d.source).type, T.disk);
            }
            assert.strictEqual(state.internalIps[0].autoDelete, "NEVER");
            assert.strictEqual(input(config, "removeInstanceOnDestroy"), true);
        });

        it("never put a secret value into any resource's inputs", () => {
            const everything = JSON.stringify(result.resources);
            assert.ok(!everything.includes(SECRET_VALUE), "the secret value appears in plain text");
            assert.strictEqual(input(oneOfType(result, T.secretVersion), "secretData"), SECRET_MASK);
            const userData = userDataOf(result, "ipfs-0");
            assert.match(userData, /projects\/mock-project\/secrets\/web3-test-cluster-secret/, "the reference, not the value");
        });

        it("refuse a secret passed as a plain env value", async () => {
            const leaky = userData("leaky", {
                zone: "us-central1-a",
                liveness: { kind: "exit" },
                containers: [{ name: "app", image: "busybox:1.36.1", cpu: 0.25, memoryMiB: 256, user: { uid: 2000, gid: 2000 }, env: { TOKEN: pulumi.secret(SECRET_VALUE) } }],
            }, []);
            await assert.rejects(settled(leaky), /env TOKEN is a secret; give it in `secrets`/);
        });

        it("run every container as its non-root user, never privileged", () => {
            for (const service of ["ipfs-0", "reader"]) {
                const userData = userDataOf(result, service);
                assert.ok(!userData.includes("--privileged"), service);
                const runScripts = writtenFiles(userData).filter(f => /\/run-[a-z0-9-]+\.sh$/.test(f.path));
                assert.ok(runScripts.length > 0);
                for (const s of runScripts) {
                    const user = /--user (\d+):(\d+)/.exec(s.content);
                    assert.ok(user, `${s.path} runs docker without --user`);
                    assert.ok(Number(user[1]) > 0, `${s.path} runs as uid 0`);
                    assert.match(s.content, /exec \/usr\/bin\/docker run --rm/);
                }
            }
            const kubo = writtenFiles(userDataOf(result, "ipfs-0")).find(f => f.path.endsWith("/run-kubo.sh"))!;
            assert.match(kubo.content, /--user 1000:100/);
            assert.match(kubo.content, /--volume \/mnt\/disks\/ipfs-0-repo:\/data\/ipfs/);
            assert.match(kubo.content, /--log-driver gcplogs/);
        });

        it("reject a second service that mounts a volume already mounted", async () => {
            await assert.rejects(synthBackend("gcp", backend => {
                const zone = backend.context.zones[0];
                const volume = backend.volume("shared", { zone, sizeGiB: 10, owner: IPFS_USER });
                const container = (name: string): ContainerSpec => ({ name, image: "busybox:1.36.1", entrypoint: ["/bin/sh"], cpu: 0.25, memoryMiB: 256, user: IPFS_USER, mounts: [{ volume, path: "/data" }] });
                backend.service("first", { zone, liveness: { kind: "exit" }, containers: [container("one")] });
                backend.service("second", { zone, liveness: { kind: "exit" }, containers: [container("two")] });
            }), /already mounted by service first/);
        });

        it("let only the services that name a secret read it", () => {
            const bindings = ofType(result, T.secretIam);
            assert.strictEqual(bindings.length, 1);
            const [binding] = bindings;
            assert.strictEqual(input(binding, "role"), "roles/secretmanager.secretAccessor");
            const ipfsAccount = named(result, T.serviceAccount, "ipfs-0-identity");
            assert.strictEqual(input(binding, "member"), `serviceAccount:${input(ipfsAccount, "accountId")}@mock-project.iam.gserviceaccount.com`);
            assert.strictEqual(input(binding, "secretId"), "projects/mock-project/secrets/web3-test-cluster-secret");
            assert.ok(descendants(result, named(result, COMPONENT_TYPES.service, "ipfs-0").urn).includes(binding));
        });
    });

    describe("exposure", () => {
        it("opens only public ports to the world: a peer's own, and a shared address's", () => {
            const open = ofType(result, T.firewall).filter(f => (input<string[]>(f, "sourceRanges") ?? []).includes("0.0.0.0/0"));
            assert.deepStrictEqual(open.map(f => [f.name, input(f, "allows")]), [
                ["ipfs-0-public", [{ protocol: "tcp", ports: ["4001"] }, { protocol: "udp", ports: ["4002"] }]],
                ["relay-public-address", [{ protocol: "tcp", ports: ["7000"] }]],
            ]);
        });

        it("puts a shared address's services behind one regional backend service, the forwarding rule on its address and port", () => {
            const address = named(result, COMPONENT_TYPES.passthroughAddress, "relay");
            const [backendService] = descendants(result, address.urn).filter(r => r.type === "gcp:compute/regionBackendService:RegionBackendService");
            const [rule] = descendants(result, address.urn).filter(r => r.type === "gcp:compute/forwardingRule:ForwardingRule");
            const group = descendants(result, named(result, COMPONENT_TYPES.service, "relay").urn).find(r => r.type === T.group)!;
            assert.deepStrictEqual(input<{ group: string }[]>(backendService, "backends").map(b => b.group), [gcpGroupUrl(group)]);
            assert.deepStrictEqual([input(rule, "ports"), input(rule, "ipProtocol"), input(rule, "backendService")], [["7000"], "TCP", backendService.id]);
        });

        it("lets the load balancer's proxies, the access groups and the probers in, and nothing for local ports", () => {
            const rules = firewallSpecs("web3-test", {
                zone: "z",
                liveness: { kind: "exit" },
                containers: [{
                    name: "c", image: "x:1", cpu: 1, memoryMiB: 512, user: IPFS_USER,
                    ports: [
                        { port: 5001, exposure: { kind: "local" } },
                        { port: 9096, exposure: { kind: "services", groups: ["peers"] } },
                        { port: 9096, protocol: "udp", exposure: { kind: "services", groups: ["peers"] } },
                    ],
                }],
            }, { kind: "tcp", port: 9096 });
            assert.deepStrictEqual(rules.map(r => r.role), ["from-peers", "autohealing"]);
            assert.deepStrictEqual(rules[0].sourceTags, ["web3-test-group-peers"]);
            assert.ok(!JSON.stringify(rules).includes("5001"));
            const lb = ofType(result, T.firewall).filter(f => f.name === "ipfs-0-load-balancer");
            assert.deepStrictEqual(input(lb[0], "sourceRanges"), ["130.211.0.0/22", "35.191.0.0/16"]);
            assert.deepStrictEqual(input(lb[0], "allows"), [{ protocol: "tcp", ports: ["8080", "9094"] }]);
        });

        it("gives public ports a static passthrough address with TCP and UDP rules and lets its probers in", () => {
            assert.ok(publicAddress && /^\d+\.\d+\.\d+\.\d+$/.test(publicAddress), String(publicAddress));
            const lb = named(result, COMPONENT_TYPES.passthroughLoadBalancer, "ipfs-0-public");
            const children = descendants(result, lb.urn);
            const backend = children.find(r => r.type === T.regionBackendService)!;
            assert.strictEqual(input(backend, "loadBalancingScheme"), "EXTERNAL");
            assert.strictEqual(input(backend, "protocol"), "UNSPECIFIED");
            assert.strictEqual(input<any[]>(backend, "backends")[0].group, "https://www.googleapis.com/compute/v1/projects/mock-project/zones/us-central1-a/instanceGroups/web3-test-ipfs-0");
            const rules = children.filter(r => r.type === T.forwardingRule);
            assert.deepStrictEqual(rules.map(r => [input(r, "ipProtocol"), input(r, "ports"), input(r, "ipAddress")]), [["TCP", ["4001"], publicAddress], ["UDP", ["4002"], publicAddress]]);
            const probes = children.find(r => r.type === T.firewall)!;
            assert.deepStrictEqual(input(probes, "sourceRanges"), ["35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"]);
            assert.strictEqual(ofType(result, COMPONENT_TYPES.passthroughLoadBalancer).length, 1, "the reader has no public port");
            assert.deepStrictEqual(forwardingRuleSpecs([1, 2, 3, 4, 5, 6].map(port => ({ port, protocol: "tcp" as const }))).map(s => s.ports), [["1", "2", "3", "4", "5"], ["6"]]);
        });

        it("redirects plain HTTP to HTTPS and nothing else", () => {
            for (const rule of ofType(result, T.globalForwardingRule).filter(r => input(r, "portRange") === "80")) {
                const proxy = withId(result, input(rule, "target"));
                assert.strictEqual(proxy.type, T.httpProxy);
                const urlMap = withId(result, input(proxy, "urlMap"));
                assert.strictEqual(urlMap.type, T.urlMap);
                assert.strictEqual(input<any>(urlMap, "defaultUrlRedirect").httpsRedirect, true);
                assert.strictEqual(input(urlMap, "defaultService"), undefined);
                assert.strictEqual(input(urlMap, "pathMatchers"), undefined);
            }
            assert.strictEqual(ofType(result, T.globalForwardingRule).filter(r => input(r, "portRange") === "80").length, 1, "one for the stack's every HTTPS name");
        });

        it("serves HTTPS from the registered instance groups, probes 204 targets with TCP, and limits sources with Cloud Armor", () => {
            const gateway = named(result, T.backendService, "gateway-backend");
            assert.strictEqual(input(gateway, "loadBalancingScheme"), "EXTERNAL_MANAGED");
            assert.strictEqual(input(gateway, "portName"), "http-8080");
            assert.deepStrictEqual(input<any[]>(gateway, "backends").map(b => b.group), ["https://www.googleapis.com/compute/v1/projects/mock-project/zones/us-central1-a/instanceGroups/web3-test-ipfs-0"]);
            assert.deepStrictEqual(input(named(result, T.group, "ipfs-0-group"), "namedPorts"), [{ name: "http-8080", port: 8080 }, { name: "http-9094", port: 9094 }]);
            const clusterCheck = withId(result, input(named(result, T.backendService, "cluster-api-backend"), "healthChecks"));
            assert.deepStrictEqual(input(clusterCheck, "tcpHealthCheck"), { port: 9094 });
            assert.deepStrictEqual(targetProbe({ port: 8080, readiness: { path: "/", status: "200" } }), { kind: "http", port: 8080, path: "/" });
            const armor = oneOfType(result, T.securityPolicy);
            const rules = input<any[]>(armor, "rules");
            assert.deepStrictEqual(rules.map(r => r.action), ["allow", "deny(403)"]);
            assert.deepStrictEqual(rules[0].match.config.srcIpRanges, ["203.0.113.0/24", "198.51.100.7/32"]);
            assert.strictEqual(input(named(result, T.backendService, "cluster-api-backend"), "securityPolicy"), armor.id);
            assert.strictEqual(input(gateway, "securityPolicy"), undefined);
        });

        it("publishes the load balancers in the Cloud DNS zone", () => {
            const record = named(result, T.recordSet, "gateway-dns-record");
            assert.strictEqual(input(record, "managedZone"), "nodes-example-com");
            assert.strictEqual(input(record, "name"), "gateway.nodes.example.com.");
            assert.strictEqual(input(record, "type"), "A");
            const https = named(result, T.globalForwardingRule, "https-https");
            assert.deepStrictEqual(input(record, "rrdatas"), [input(https, "ipAddress")], "the name points at the load balancer's address");
            assert.match(input<string>(https, "ipAddress"), /^\d+\.\d+\.\d+\.\d+$/);
            assert.throws(() => cloudDnsRecord("x.example.com", { type: "ALIAS", name: "a", zoneId: "z" }), /no ALIAS/);
        });

        it("refuses to build an HTTPS load balancer before a service attached to its target", async () => {
            await assert.rejects(synthBackend("gcp", backend => {
                const target = backend.loadBalancerTarget("lonely", { port: 8080, readiness: { path: "/", status: "200" } });
                backend.httpsLoadBalancer("lonely", { hostname: "lonely", target });
            }), /no service exposes port 8080 to load balancer target lonely/);
        });
    });

    describe("the HTTPS entry point: one global external Application Load Balancer for every name", () => {
        const DOMAIN = "nodes.example.com";
        const NAMES = [["gateway", `gateway.${DOMAIN}`], ["cluster-api", `cluster.${DOMAIN}`]] as const;
        const httpsMap = (r: SynthResult) => withId(r, input(oneOfType(r, T.httpsProxy), "urlMap"));

        it("serves two names on one address, one HTTPS and one HTTP forwarding rule, one URL map routing each name to its own backend service, one proxy with both certificates (compute v1 globalAddresses, globalForwardingRules, urlMaps, targetHttpsProxies)", () => {
            const entry = oneOfType(result, COMPONENT_TYPES.httpsEntryPoint);
            const below = new Set(descendants(result, entry.urn).map(r => r.urn));
            const [address, ...others] = ofType(result, T.globalAddress).filter(a => input(a, "addressType") === "EXTERNAL");
            assert.deepStrictEqual(others, [], "one public global address");
            assert.ok(below.has(address.urn));
            const rules = ofType(result, T.globalForwardingRule);
            assert.deepStrictEqual(rules.map(r => input(r, "portRange")).sort(), ["443", "80"]);
            for (const rule of rules) {
                assert.ok(below.has(rule.urn), rule.name);
                assert.strictEqual(input(rule, "loadBalancingScheme"), "EXTERNAL_MANAGED", rule.name);
                assert.strictEqual(input(rule, "ipAddress"), input(rules[0], "ipAddress"), "both on the one address");
            }
            assert.match(input<string>(rules[0], "ipAddress"), /^\d+\.\d+\.\d+\.\d+$/);
            const proxy = withId(result, input(rules.find(r => input(r, "portRange") === "443")!, "target"));
            assert.strictEqual(proxy.type, T.httpsProxy);
            assert.strictEqual(ofType(result, T.httpsProxy).length, 1);
            assert.strictEqual(ofType(result, T.urlMap).length, 2, "the HTTPS map and the HTTP redirect");
            const map = withId(result, input(proxy, "urlMap"));
            assert.deepStrictEqual(input<{ hosts: string[] }[]>(map, "hostRules").map(r => r.hosts), NAMES.map(([, fqdn]) => [fqdn]));
            for (const [name, fqdn] of NAMES) {
                const backend = named(result, T.backendService, `${name}-backend`);
                assert.strictEqual(input(backend, "loadBalancingScheme"), "EXTERNAL_MANAGED");
                assert.deepStrictEqual(route(map, fqdn), { service: backend.id }, fqdn);
            }
            const certificates = input<string[]>(proxy, "sslCertificates").map(id => withId(result, id));
            assert.deepStrictEqual(certificates.map(c => [c.type, input<any>(c, "managed").domains]), NAMES.map(([, fqdn]) => [T.certificate, [fqdn]]));
            // Each name keeps its own certificate, under its own HttpsLoadBalancer.
            assert.deepStrictEqual(certificates.map(c => parentOf(result, c)!.name), NAMES.map(([name]) => name));
        });

        it("points every HTTPS name's DNS record at the one address", () => {
            const ip = input(named(result, T.globalForwardingRule, "https-https"), "ipAddress");
            const balancers = ofType(result, COMPONENT_TYPES.httpsLoadBalancer);
            assert.deepStrictEqual(balancers.map(b => b.name), NAMES.map(([name]) => name));
            for (const balancer of balancers) {
                const records = descendants(result, balancer.urn).filter(r => r.type === T.recordSet);
                assert.deepStrictEqual(records.map(r => [input(r, "type"), input(r, "rrdatas")]), [["A", [ip]]], balancer.name);
            }
        });

        it("answers a name it has no host rule for with a 302 to the stack's domain, reaching no backend (compute v1 urlMaps defaultUrlRedirect: \"When none of the specified hostRules match, the request is redirected\")", () => {
            const map = httpsMap(result);
            // The API takes a redirect or a backend as the default, never both.
            assert.strictEqual(input(map, "defaultService"), undefined);
            assert.strictEqual(input(map, "defaultRouteAction"), undefined);
            const toDomain = { redirect: { hostRedirect: DOMAIN, pathRedirect: "/", redirectResponseCode: "FOUND", stripQuery: true } };
            for (const host of [`unknown.${DOMAIN}`, DOMAIN, "34.120.0.1", `gateway.${DOMAIN}.attacker.example`]) assert.deepStrictEqual(route(map, host), toDomain, host);
            // httpsRedirect "must only be set for UrlMaps used in TargetHttpProxys" (@pulumi/gcp URLMapDefaultUrlRedirect).
            assert.notStrictEqual(input<any>(map, "defaultUrlRedirect").httpsRedirect, true);
            // Google refuses the map unless its own tests pass: each is what route() finds.
            const tests = input<{ host: string; path: string; service: string }[]>(map, "tests");
            assert.deepStrictEqual(tests.map(t => t.host), NAMES.map(([, fqdn]) => fqdn));
            for (const t of tests) assert.deepStrictEqual(route(map, t.host), { service: t.service }, t.host);
        });

        describe("at the limit of the proxy's certificates", () => {
            let full: SynthResult;
            before(async () => {
                full = await synthBackend("gcp", backend => serveNames(backend, ENTRY_POINT_LIMITS.certificatesPerProxy));
            });

            it("holds as many names as a target HTTPS proxy takes certificates: 15 (load-balancing quotas, \"SSL certificates per target HTTPS or target SSL proxy\"; @pulumi/gcp TargetHttpsProxy sslCertificates)", () => {
                const documented = /up to (\d+) SSL certificates/.exec(argsProperties("gcp", "compute/targetHttpsProxy", "TargetHttpsProxy").get("sslCertificates")!.doc);
                assert.ok(documented, "the provider states the proxy's limit");
                assert.strictEqual(ENTRY_POINT_LIMITS.certificatesPerProxy, Number(documented[1]));
                const proxy = oneOfType(full, T.httpsProxy);
                assert.strictEqual(input<string[]>(proxy, "sslCertificates").length, ENTRY_POINT_LIMITS.certificatesPerProxy);
                const map = httpsMap(full);
                assert.strictEqual(input<unknown[]>(map, "hostRules").length, ENTRY_POINT_LIMITS.certificatesPerProxy);
                assert.strictEqual(ofType(full, T.globalForwardingRule).length, 2);
                assert.strictEqual(ofType(full, T.globalAddress).filter(a => input(a, "addressType") === "EXTERNAL").length, 1);
            });

            it("keeps a WebSocket target's day-long timeout on its own backend service alone", () => {
                assert.strictEqual(input(named(full, T.backendService, "socket-backend"), "timeoutSec"), 86_400);
                for (const b of ofType(full, T.backendService).filter(b => b.name !== "socket-backend")) assert.strictEqual(input(b, "timeoutSec"), undefined, b.name);
                assert.deepStrictEqual(route(httpsMap(full), "socket.nodes.example.com"), { service: named(full, T.backendService, "socket-backend").id });
            });

            it("refuses one name more, naming the limit, and a name or path matcher twice", async () => {
                await assert.rejects(
                    synthBackend("gcp", backend => serveNames(backend, ENTRY_POINT_LIMITS.certificatesPerProxy + 1)),
                    /https load balancer site-15: the stack's HTTPS entry point cannot take site-15\.nodes\.example\.com:\n {2}- 16 HTTPS names .* at most 15 \(SSL certificates per target HTTPS proxy/,
                );
                const host = (name: string, fqdn = `${name}.example.com`) => ({ name, fqdn, pathMatcher: name });
                assert.deepStrictEqual(entryPointProblems([host("a"), host("b")]), []);
                assert.match(entryPointProblems([host("a"), host("b", "a.example.com")]).join("\n"), /https load balancers a and b both have the name a\.example\.com/);
                assert.match(entryPointProblems([host("a"), { ...host("b"), pathMatcher: "a" }]).join("\n"), /both have the path matcher a/);
            });
        });

        it("declares nothing when the stack has no HTTPS name", async () => {
            const bare = await synthBackend("gcp", backend => void backend.secret("only", { value: SECRET_VALUE }));
            for (const type of [COMPONENT_TYPES.httpsEntryPoint, T.globalForwardingRule, T.urlMap, T.httpsProxy, T.httpProxy, T.certificate]) {
                assert.deepStrictEqual(ofType(bare, type).map(r => r.name), [], type);
            }
            assert.deepStrictEqual(ofType(bare, T.globalAddress).map(r => r.name), []);
        });
    });

    describe("the instance's cloud-config", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gcp-cloud-config-"));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("queues the units it needs at once and lets their order start them: volumes, secrets, then the containers", () => {
            const doc = YAML.parse(userDataOf(result, "ipfs-0"));
            assert.deepStrictEqual(doc.runcmd, [
                // COS's host firewall drops all but SSH: every port of the peer but the local RPC is opened.
                ...[["tcp", 4001], ["udp", 4002], ["tcp", 8080], ["tcp", 9094], ["tcp", 9096]]
                    .flatMap(([protocol, port]) => ["iptables", "ip6tables"].map(tool => [tool, "-w", "-A", "INPUT", "-p", protocol, "--dport", String(port), "-j", "ACCEPT"])),
                ["systemctl", "daemon-reload"],
                ["systemctl", "start", "--no-block", "web3-volumes.service", "web3-secrets.service", "web3-container-kubo.service", "web3-container-cluster.service"],
            ]);
            assert.deepStrictEqual(YAML.parse(userDataOf(result, "reader")).runcmd, [
                ["iptables", "-w", "-A", "INPUT", "-p", "tcp", "--dport", "8000", "-j", "ACCEPT"],
                ["ip6tables", "-w", "-A", "INPUT", "-p", "tcp", "--dport", "8000", "-j", "ACCEPT"],
                ["systemctl", "daemon-reload"],
                ["systemctl", "start", "--no-block", "web3-container-reader.service"],
            ]);
            const files = writtenFiles(userDataOf(result, "ipfs-0"));
            const kuboUnit = files.find(f => f.path === "/etc/systemd/system/web3-container-kubo.service")!;
            assert.match(kuboUnit.content, /Restart=always/);
            assert.match(kuboUnit.content, /After=.*web3-volumes\.service web3-secrets\.service/);
            const secrets = files.find(f => f.path.endsWith("/fetch-secrets.sh"))!;
            assert.ok(!/set -x|xtrace/.test(secrets.content), "never traced");
            assert.match(secrets.content, /write_env_file \/run\/ipfs-0\/cluster\.env 1000:100 CLUSTER_SECRET projects\/mock-project\/secrets\/web3-test-cluster-secret\/versions\/1 /);
            const secretsUnit = files.find(f => f.path === "/etc/systemd/system/web3-secrets.service")!;
            assert.match(secretsUnit.content, /TimeoutStartSec=0/, "systemd never stops it while it waits for an IAM grant");
            const volumes = files.find(f => f.path.endsWith("/mount-volumes.sh"))!;
            assert.match(volumes.content, /mount_volume \/dev\/disk\/by-id\/google-ipfs-0-repo \/mnt\/disks\/ipfs-0-repo 1000:100 \d+/);
        });

        it("passes cloud-init's own schema validation", function () {
            if (!hasBinary("cloud-init")) this.skip();
            for (const service of ["ipfs-0", "reader"]) {
                const file = path.join(tmp, `${service}.yaml`);
                fs.writeFileSync(file, userDataOf(result, service));
                const run = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
                assert.strictEqual(run.status, 0, `${service}: ${run.stdout}${run.stderr}`);
            }
        });

        it("writes only scripts shellcheck finds nothing wrong with", function () {
            if (!hasBinary("shellcheck")) this.skip();
            let checked = 0;
            for (const service of ["ipfs-0", "reader"]) {
                for (const f of writtenFiles(userDataOf(result, service)).filter(f => f.content.startsWith("#!"))) {
                    const shell = /^#!\S*\b(bash|sh)\b/.exec(f.content)?.[1] ?? "bash";
                    const file = path.join(tmp, `${service}-${path.basename(f.path)}`);
                    fs.writeFileSync(file, f.content);
                    const run = spawnSync("shellcheck", ["-s", shell, file], { encoding: "utf8" });
                    assert.strictEqual(run.status, 0, `${service} ${f.path}:\n${run.stdout}${run.stderr}`);
                    checked++;
                }
            }
            // Volumes, secrets, and one per container: kubo, cluster, reader.
            assert.ok(checked >= 5, `only ${checked} scripts checked`);
        });

        it("quotes every shell word so bash reads back exactly what was meant", function () {
            if (!hasBinary("bash")) this.skip();
            const words = ["plain", "it's", "$HOME", "`id`", "a b", "\"q\"", "*", "", "x;rm -rf /", "tab\tnew\nline", "--flag=va'l"];
            const script = `for w in ${words.map(shellQuote).join(" ")}; do printf '%s\\0' "$w"; done`;
            const out = execFileSync("bash", ["-c", script], { encoding: "utf8" });
            assert.deepStrictEqual(out.split("\0").slice(0, -1), words);
        });

        it("refuses env names the shell and Docker cannot carry, and root", () => {
            const spec: HostSpec = {
                service: "s",
                volumes: [],
                containers: [{ name: "c", image: "x:1", env: { "BAD-NAME": "v" }, secrets: [], user: { uid: 0, gid: 0 }, mounts: [], memoryMiB: 256 }],
            };
            assert.throws(() => cloudConfig(spec), /BAD-NAME.*\n.*root/s);
        });
    });

    describe("helpers", () => {
        it("cut long names with a hash so they stay distinct", () => {
            const a = gcpName(["web3-prod", "ipfs-cluster-peer-number-zero-in-zone-a"], 30);
            const b = gcpName(["web3-prod", "ipfs-cluster-peer-number-zero-in-zone-b"], 30);
            assert.ok(a.length <= 30 && b.length <= 30);
            assert.notStrictEqual(a, b);
            assert.match(a, /^[a-z][a-z0-9-]*[a-z0-9]$/);
        });

        it("probe the public ports' readiness with a TCP connect to the first public TCP port, and autoheal on the liveness alone", () => {
            const base = { name: "c", image: "x:1", cpu: 1, memoryMiB: 512, user: IPFS_USER };
            assert.deepStrictEqual(publicPortsProbe({ containers: [{ ...base, ports: [{ port: 1, exposure: { kind: "services", groups: ["g"] } }, { port: 2, protocol: "udp", exposure: { kind: "public" } }, { port: 3, exposure: { kind: "public" } }] }] }), { kind: "tcp", port: 3 });
            assert.strictEqual(publicPortsProbe({ containers: [{ ...base, ports: [{ port: 1, exposure: { kind: "local" } }] }] }), undefined);
            assert.deepStrictEqual(autohealingProbe({ liveness: { kind: "http", port: 7007, path: "/alive?x=1", gracePeriodSeconds: 0 } }), { kind: "http", port: 7007, path: "/alive?x=1" });
            assert.strictEqual(autohealingProbe({ liveness: { kind: "exit" } }), undefined);
        });
    });
});
