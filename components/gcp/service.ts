// A zonal service on GCP: one Container-Optimized OS instance in a managed instance group of its own,
// pinned to its zone, keeping its disks and its internal address across recreation, autohealed on its
// liveness and nothing else, with one systemd unit per container (see cloudinit.ts) and a firewall that lets
// in exactly what its ports allow.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ContainerSpec, Protocol, Secret, ZonalService, ZonalServiceArgs, rollingStepTimeout } from "../topology";
import { assertValidService, lookupPublicPort, servicePorts } from "../topology/rules";
import { fencedEntrypoint } from "../topology/fence";
import { assertComponentInputsSent, publishedService, secretEnvProblems } from "../topology/published";
import { GcpBucketAccess, S3_CREDENTIAL_ENV, withCredentials } from "./bucketAccess";
import { HostContainer, HostSpec, cloudConfig } from "./cloudinit";
import { AUTOHEALING_PROBE_TIMING, Probe, livenessProbe, probeArgs } from "./healthcheck";
import { GcpLoadBalancerTarget } from "./loadBalancerTarget";
import { machineTypeFor } from "./machine";
import { GcpNetwork } from "./network";
import { GcpPassthroughAddress, GcpPassthroughLoadBalancer } from "./passthroughLoadBalancer";
import { GcpRegistryMirror } from "./registryMirror";
import { GcpSecret, SECRET_ACCESSOR_ROLE } from "./secret";
import { GOOGLE_RANGES, GcpEnv, afterApis, expectGcp, gcpName, instanceName } from "./shared";
import { gcpNameFor, instanceTemplatePrefix } from "./names";
import { GcpVolume, VOLUME_MOUNT_ROOT } from "./volume";

/** Container-Optimized OS, stable channel: Docker, a read-only root and automatic security updates. */
export const COS_IMAGE = "projects/cos-cloud/global/images/family/cos-stable";
export const BOOT_DISK = { sizeGb: 20, type: "pd-balanced" } as const;
/** What every instance may do in the project besides reading its own secrets. */
export const INSTANCE_ROLES = { "log-writer": "roles/logging.logWriter", "metric-writer": "roles/monitoring.metricWriter" } as const;
/** The instance's only network interface; per-instance configs key its address by this name. */
const NIC = "nic0";
const EVERYWHERE = "0.0.0.0/0";
/**
 * What one start of an instance takes before its autohealing delay begins, at most: the old instance deleted,
 * the new one created on Container-Optimized OS and booted, its images pulled through the registry mirror.
 */
export const INSTANCE_START_SECONDS = 300;

/**
 * How the group replaces its one instance with a new template. The old instance is gone before the new one
 * starts, keeping its name, disks and address: a disk has one writer. compute v1 (googleapis
 * google/cloud/compute/v1/compute.proto, @google-cloud/compute 7.8.0) InstanceGroupManagerUpdatePolicy:
 * RECREATE keeps the instance's name; "at least one of either maxSurge or maxUnavailable must be greater
 * than 0". `gcloud compute instance-groups managed rolling-action replace`: a group with stateful configuration
 * defaults to maxSurge 0 and the recreate method. A rolling service's update waits for the group to be stable
 * on its new template (terraform-provider-google resource_compute_instance_group_manager.go
 * waitForInstancesRefreshFunc: status.isStable, and with UPDATED also versionTarget.isReached and
 * stateful.perInstanceConfigs.allEffective). Stable means no instance has a current action, and a new instance
 * stays VERIFYING until the autohealing health check reports HEALTHY (compute.proto ManagedInstance
 * currentAction VERIFYING, InstanceGroupManagerStatus.isStable), so the step after it starts once it is healthy.
 */
export function updateSettings(rolling: boolean): Pick<gcp.compute.InstanceGroupManagerArgs, "updatePolicy" | "waitForInstances" | "waitForInstancesStatus"> {
    return {
        updatePolicy: {
            type: "PROACTIVE",
            minimalAction: "REPLACE",
            mostDisruptiveAllowedAction: "REPLACE",
            replacementMethod: "RECREATE",
            maxSurgeFixed: 0,
            maxUnavailableFixed: 1,
        },
        ...(rolling ? { waitForInstances: true, waitForInstancesStatus: "UPDATED" } : {}),
    };
}

export interface ServiceDeps {
    env: GcpEnv;
    network: GcpNetwork;
    registryMirror: GcpRegistryMirror;
}

/** The network tag that is an access group's identity in firewall rules. */
export function accessGroupTag(prefix: string, group: string): string {
    return gcpName([prefix, "group", group]);
}

/** What autohealing probes: the service's liveness, and nothing when only its containers' exits replace it. */
export function autohealingProbe(args: Pick<ZonalServiceArgs, "liveness">): Probe | undefined {
    return livenessProbe(args.liveness);
}

/**
 * What the passthrough load balancer of the public ports probes: the readiness of a public port, a TCP
 * connect to the first public TCP port (the AWS back-end's network load balancer checks the same).
 */
export function publicPortsProbe(args: Pick<ZonalServiceArgs, "containers">): Probe | undefined {
    const first = servicePorts(args.containers).find(p => p.exposure.kind === "public" && p.protocol === "tcp");
    return first ? { kind: "tcp", port: first.port } : undefined;
}

export interface FirewallSpec {
    role: string;
    description: string;
    sourceRanges?: string[];
    sourceTags?: string[];
    allows: { protocol: Protocol; ports: string[] }[];
}

function allowsOf(ports: { port: number; protocol: Protocol }[]): FirewallSpec["allows"] {
    return (["tcp", "udp"] as const)
        .map(protocol => ({
            protocol,
            ports: [...new Set(ports.filter(p => p.protocol === protocol).map(p => p.port))].sort((a, b) => a - b).map(String),
        }))
        .filter(a => a.ports.length > 0);
}

/**
 * The service's ingress rules, one per kind of source: `public` ports from anywhere, `loadBalancer` ports
 * from Google's load balancer proxies only, `services` ports from the named access groups' tags, and the
 * autohealing probe from the health checkers. `local` ports get no rule at all.
 */
export function firewallSpecs(prefix: string, args: ZonalServiceArgs, probe: Probe | undefined): FirewallSpec[] {
    const ports = servicePorts(args.containers);
    const specs: FirewallSpec[] = [];
    const publicPorts = ports.filter(p => p.exposure.kind === "public");
    if (publicPorts.length > 0) {
        specs.push({ role: "public", description: "libp2p swarm ports, open to the world", sourceRanges: [EVERYWHERE], allows: allowsOf(publicPorts) });
    }
    const addressPorts = ports.filter(p => p.exposure.kind === "publicAddress");
    if (addressPorts.length > 0) {
        specs.push({ role: "public-address", description: "the port of a shared public address, open to the world", sourceRanges: [EVERYWHERE], allows: allowsOf(addressPorts) });
        specs.push({ role: "public-address-probes", description: "the shared public address's health checks", sourceRanges: [...GOOGLE_RANGES.passthroughHealthChecks], allows: allowsOf(addressPorts) });
    }
    const lbPorts = ports.filter(p => p.exposure.kind === "loadBalancer");
    if (lbPorts.length > 0) {
        specs.push({ role: "load-balancer", description: "the HTTPS load balancer's proxies and health checks", sourceRanges: [...GOOGLE_RANGES.proxiesAndHealthChecks], allows: allowsOf(lbPorts) });
    }
    const byGroups = new Map<string, { groups: string[]; ports: typeof ports }>();
    for (const p of ports) {
        if (p.exposure.kind !== "services") continue;
        const groups = [...new Set(p.exposure.groups)].sort();
        const key = groups.join(",");
        byGroups.set(key, { groups, ports: [...(byGroups.get(key)?.ports ?? []), p] });
    }
    for (const { groups, ports: groupPorts } of byGroups.values()) {
        specs.push({
            role: `from-${groups.join("-")}`,
            description: `services in access groups ${groups.join(", ")}`,
            sourceTags: groups.map(g => accessGroupTag(prefix, g)),
            allows: allowsOf(groupPorts),
        });
    }
    if (probe) {
        specs.push({ role: "autohealing", description: "autohealing health checks", sourceRanges: [...GOOGLE_RANGES.proxiesAndHealthChecks], allows: [{ protocol: "tcp", ports: [String(probe.port)] }] });
    }
    return specs;
}

/** The distinct volumes a service mounts, each made by this back-end. */
export function serviceVolumes(args: ZonalServiceArgs): GcpVolume[] {
    const volumes = args.containers.flatMap(c => (c.mounts ?? []).map(m => m.volume));
    return [...new Set(volumes)].map(v => expectGcp(v, GcpVolume, `volume ${v.volumeName}`));
}

/** The distinct secrets a service reads, each made by this back-end. */
export function serviceSecrets(args: ZonalServiceArgs): GcpSecret[] {
    const secrets = args.containers.flatMap(c => Object.values(c.secrets ?? {}));
    return [...new Set<Secret>(secrets)].map(s => expectGcp(s, GcpSecret, `secret ${s.secretName}`));
}

export function mountPoint(volume: GcpVolume): string {
    return `${VOLUME_MOUNT_ROOT}/${volume.deviceName}`;
}

/** The host configuration of one container, once its env values and secret references are known. */
function hostContainer(c: ContainerSpec): pulumi.Output<HostContainer> {
    const env = pulumi.all(c.env ?? {}) as pulumi.Output<Record<string, string>>;
    // The exact version the template is made with, never "latest": what runs is what the template says.
    const secrets = pulumi.all(Object.entries(c.secrets ?? {}).map(([envName, secret]) =>
        expectGcp(secret, GcpSecret, `secret ${secret.secretName}`).versionName.apply(version => ({ name: envName, version }))));
    return pulumi.all([env, secrets]).apply(([resolvedEnv, resolvedSecrets]) => ({
        name: c.name,
        image: c.image,
        // A container with a volume starts through the fence that keeps it the volume's one writer.
        entrypoint: fencedEntrypoint(c),
        command: c.command,
        env: resolvedEnv,
        secrets: resolvedSecrets,
        user: c.user,
        mounts: (c.mounts ?? []).map(m => ({ hostPath: mountPoint(m.volume as GcpVolume), containerPath: m.path })),
        memoryMiB: c.memoryMiB,
        memoryScratch: c.memoryScratch,
    }));
}

/** The ports the service's VPC firewall rules let in: the host firewall opens exactly these. */
export function inboundPorts(specs: FirewallSpec[]): NonNullable<HostSpec["inbound"]> {
    const ports = new Map<string, { port: number; protocol: Protocol }>();
    for (const allow of specs.flatMap(s => s.allows)) {
        for (const port of allow.ports) ports.set(`${allow.protocol}/${port}`, { port: Number(port), protocol: allow.protocol });
    }
    return [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** The instance's cloud-config, or a failure naming every env value that would have leaked a secret. */
export function userData(name: string, args: ZonalServiceArgs, volumes: GcpVolume[], inbound: NonNullable<HostSpec["inbound"]> = []): pulumi.Output<string> {
    const spec: pulumi.Output<HostSpec> = pulumi.all(args.containers.map(hostContainer)).apply(containers => ({
        service: gcpName([name]),
        inbound,
        volumes: volumes.map(v => ({ device: v.deviceName, mountPoint: mountPoint(v), owner: v.owner, sizeGiB: v.sizeGiB })),
        containers,
    }));
    return pulumi.all([spec, secretEnvProblems(`service ${name}`, args.containers)]).apply(([s, problems]) => {
        if (problems.length > 0) throw new Error(`invalid service definition:\n  - ${problems.join("\n  - ")}`);
        return cloudConfig(s);
    });
}

export class GcpZonalService extends pulumi.ComponentResource implements ZonalService {
    readonly serviceName: string;
    readonly zone: string;
    readonly accessGroup: string;
    readonly privateHostname: string;
    readonly publicAddress?: pulumi.Output<string>;
    /** The instance group's URL, what load balancers name as a backend. */
    readonly instanceGroup: pulumi.Output<string>;
    /** Rolls the instance onto a new template: what the next step of a roll waits for. */
    readonly groupManager: gcp.compute.InstanceGroupManager;
    /** A passthrough load balancer delivers to the port it was reached on: each public port is its container port. */
    private readonly publicPorts: ReadonlyMap<number, number>;

    constructor(name: string, args: ZonalServiceArgs, deps: ServiceDeps, opts?: pulumi.ComponentResourceOptions) {
        assertValidService(name, args, deps.env.context);
        const volumes = serviceVolumes(args);
        const secrets = serviceSecrets(args);
        const ports = servicePorts(args.containers);
        const targets = ports.flatMap(p => p.exposure.kind === "loadBalancer"
            ? [expectGcp(p.exposure.target, GcpLoadBalancerTarget, `load balancer target ${p.exposure.target.targetName}`)]
            : []);
        const probe = publicPortsProbe(args);
        const publicPorts = ports.filter(p => p.exposure.kind === "public");
        if (publicPorts.length > 0 && !probe) {
            throw new Error(`service ${name}: its public ports need a TCP port among them, which their load balancer's health check connects to`);
        }
        assertComponentInputsSent(name);
        // What the instance pulls: every image through the stack's registry mirror.
        const pulledImage = (image: string) => deps.registryMirror.imageFor(image);
        // Its buckets' credentials reach every container as two more secrets (./bucketAccess.ts).
        const credentialNames = (args.buckets ?? []).length > 0 ? Object.values(S3_CREDENTIAL_ENV) : [];
        const published = publishedService(args.zone, args.containers, pulledImage, credentialNames);
        super(COMPONENT_TYPES.service, name, published, opts);

        const { env, network } = deps;
        const prefix = env.context.prefix;
        this.serviceName = name;
        this.zone = args.zone;
        this.accessGroup = args.accessGroup ?? name;
        const instance = instanceName(prefix, name);
        this.privateHostname = `${gcpName([name])}.${network.privateDomain}`;
        const tags = [accessGroupTag(prefix, this.accessGroup), network.instanceTag];

        // Its own identity: what it may read is exactly the secrets it names.
        const account = new gcp.serviceaccount.Account(`${name}-identity`, {
            accountId: gcpNameFor("serviceAccount", [prefix, name]),
            displayName: `service ${name} (${prefix})`,
        }, afterApis(env, this, "iam"));
        const member = pulumi.interpolate`serviceAccount:${account.email}`;
        const grants: pulumi.Resource[] = Object.entries(INSTANCE_ROLES).map(([role, id]) =>
            new gcp.projects.IAMMember(`${name}-${role}`, { project: env.project, role: id, member }, afterApis(env, this, "resourceManager")));
        // Buckets granted to it: IAM bindings, and the HMAC key its S3 clients sign with, as two more secrets.
        const bucketAccess = (args.buckets ?? []).length > 0
            ? new GcpBucketAccess(`${name}-buckets`, { service: name, grants: args.buckets!, accountEmail: account.email, member }, env, { parent: this })
            : undefined;
        const hosted: ZonalServiceArgs = bucketAccess ? { ...args, containers: withCredentials(name, args.containers, bucketAccess.credentials) } : args;
        const readSecrets = bucketAccess ? serviceSecrets(hosted) : secrets;
        if (bucketAccess) grants.push(...bucketAccess.bindings);
        // Every image through the stack's registry mirror, pulled with the instance's own account.
        const pulled: ZonalServiceArgs = { ...hosted, containers: hosted.containers.map(c => ({ ...c, image: pulledImage(c.image) })) };
        grants.push(...deps.registryMirror.grantReader(name, args.containers.map(c => c.image), member, this));
        for (const secret of readSecrets) {
            grants.push(new gcp.secretmanager.SecretIamMember(`${name}-reads-${secret.secretName}`, {
                secretId: secret.reference,
                role: SECRET_ACCESSOR_ROLE,
                member,
            }, { parent: this }));
        }

        // Reserved, so the private name never points anywhere else.
        const privateIp = new gcp.compute.Address(`${name}-private-ip`, {
            name: gcpName([prefix, name, "private"]),
            region: env.region,
            subnetwork: network.subnet.id,
            addressType: "INTERNAL",
            purpose: "GCE_ENDPOINT",
            description: `internal address of service ${name}`,
        }, { parent: this });
        new gcp.dns.RecordSet(`${name}-private-name`, {
            managedZone: network.privateZone.name,
            name: `${this.privateHostname}.`,
            type: "A",
            ttl: 60,
            rrdatas: [privateIp.address],
        }, { parent: this });

        const healing = autohealingProbe(args);
        const firewall = firewallSpecs(prefix, args, healing);
        for (const spec of firewall) {
            new gcp.compute.Firewall(`${name}-${spec.role}`, {
                name: gcpName([prefix, name, spec.role]),
                network: network.vpc.id,
                description: `${name}: ${spec.description}`,
                direction: "INGRESS",
                sourceRanges: spec.sourceRanges,
                sourceTags: spec.sourceTags,
                targetTags: [tags[0]],
                allows: spec.allows,
            }, { parent: this });
        }

        const autohealing = healing
            ? new gcp.compute.HealthCheck(`${name}-autohealing`, {
                name: gcpName([prefix, name, "autohealing"]),
                description: `recreates ${name}'s instance when this fails`,
                ...probeArgs(healing, AUTOHEALING_PROBE_TIMING),
            }, afterApis(env, this, "compute"))
            : undefined;

        const stepTimeout = rollingStepTimeout(args.liveness, INSTANCE_START_SECONDS);
        const machine = machineTypeFor(args.containers, env.context.profile);
        const template = new gcp.compute.InstanceTemplate(`${name}-template`, {
            // A prefix: every change makes a new template, which the group rolls out, before the old one goes.
            namePrefix: instanceTemplatePrefix(prefix, name),
            description: `service ${name}: ${args.containers.map(c => c.name).join(", ")}`,
            machineType: machine.name,
            disks: [{ boot: true, autoDelete: true, sourceImage: COS_IMAGE, diskSizeGb: BOOT_DISK.sizeGb, diskType: BOOT_DISK.type }],
            // No access config: no external address. Egress leaves through Cloud NAT.
            networkInterfaces: [{ subnetwork: network.subnet.id }],
            serviceAccount: { email: account.email, scopes: ["cloud-platform"] },
            shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
            scheduling: { automaticRestart: true, onHostMaintenance: "MIGRATE" },
            tags,
            metadata: {
                "user-data": userData(name, pulled, volumes, inboundPorts(firewall)),
                // The versions the instance reads at boot (its user-data names them too): a new value makes a new
                // template, so the group replaces the instance and it starts with the value it should.
                ...(readSecrets.length > 0 ? { "secret-versions": pulumi.all(readSecrets.map(s => s.versionName)).apply(v => [...v].sort().join(",")) } : {}),
                "google-logging-enabled": "true",
                "google-monitoring-enabled": "true",
                "enable-oslogin": "TRUE",
                "block-project-ssh-keys": "TRUE",
                "serial-port-enable": "FALSE",
            },
        }, afterApis(env, this, "compute"));

        const group = new gcp.compute.InstanceGroupManager(`${name}-group`, {
            name: instance,
            baseInstanceName: instance,
            zone: args.zone,
            versions: [{ name: "current", instanceTemplate: template.selfLinkUnique }],
            // The per-instance config below creates the one instance and raises the size to 1 (it calls
            // createInstances). A size of 1 here would add a second, nameless instance without the disks.
            targetSize: 0,
            namedPorts: [...new Set(targets)].map(t => ({ name: t.namedPort, port: t.port })),
            // Its liveness replaces the instance, and nothing else does: the load balancers' checks only route.
            autoHealingPolicies: autohealing && args.liveness.kind === "http"
                ? { healthCheck: autohealing.id, initialDelaySec: args.liveness.gracePeriodSeconds }
                : undefined,
            ...updateSettings(args.rolling !== undefined),
        }, {
            parent: this,
            ignoreChanges: ["targetSize"],
            // The step before this one in a roll: its group is stable on its new template before this one's update starts.
            dependsOn: args.rolling?.after ? [expectGcp(args.rolling.after, GcpZonalService, `service ${name} rolls after`).groupManager] : [],
            // The provider waits for the instances with the create timeout, on update too.
            ...(args.rolling ? { customTimeouts: { create: stepTimeout, update: stepTimeout } } : {}),
        });
        this.groupManager = group;
        this.instanceGroup = group.instanceGroup;

        new gcp.compute.PerInstanceConfig(`${name}-instance`, {
            zone: args.zone,
            instanceGroupManager: group.name,
            name: instance,
            preservedState: {
                disks: volumes.map(v => ({ deviceName: v.deviceName, source: v.diskId, mode: "READ_WRITE", deleteRule: "NEVER" })),
                internalIps: [{ interfaceName: NIC, autoDelete: "NEVER", ipAddress: { address: privateIp.selfLink } }],
            },
            minimalAction: "REPLACE",
            mostDisruptiveAllowedAction: "REPLACE",
            // Replacing the config replaces the instance, never running two that want the same disk.
            removeInstanceOnDestroy: true,
        }, { parent: this, deleteBeforeReplace: true, dependsOn: grants });

        for (const target of new Set(targets)) target.attach({ service: name, zone: args.zone, instanceGroup: this.instanceGroup });
        const addresses = ports.flatMap(p => p.exposure.kind === "publicAddress"
            ? [expectGcp(p.exposure.address, GcpPassthroughAddress, `pass-through address ${p.exposure.address.addressName}`)]
            : []);
        for (const address of new Set(addresses)) address.attach({ service: name, zone: args.zone, instanceGroup: this.instanceGroup });

        if (publicPorts.length > 0) {
            const passthrough = new GcpPassthroughLoadBalancer(`${name}-public`, {
                service: name,
                instanceGroup: this.instanceGroup,
                ports: publicPorts,
                probe: probe!,
                vpcId: network.vpc.id,
                targetTag: tags[0],
            }, env, { parent: this });
            this.publicAddress = passthrough.address;
        }
        this.publicPorts = new Map(publicPorts.map(p => [p.port, p.port]));

        this.registerOutputs({
            privateHostname: this.privateHostname,
            publicAddress: this.publicAddress,
            instanceGroup: this.instanceGroup,
            machineType: machine.name,
            // Stack policies see a component's outputs, not its inputs.
            ...published,
        });
    }

    publicPort(containerPort: number): number {
        return lookupPublicPort(this.serviceName, this.publicPorts, containerPort);
    }
}
