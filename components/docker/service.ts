// A zonal service on a Docker engine: a pod (./pod.ts) whose containers run as the workload declares them, each
// with its uid:gid, no capability, no-new-privileges, its memory and CPU limits, the volume fence around a
// container that mounts a volume, its secrets as a file in memory, restarted whenever it exits; its "http"
// liveness watched (./liveness.ts); its `public` ports published on every address of the host, numbered over
// the whole host since every zone is this one machine (PUBLIC_PORT_STRIDE); its zone a label.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ContainerSpec, Protocol, ZonalService, ZonalServiceArgs } from "../topology";
import { fencedEntrypoint } from "../topology/fence";
import { assertComponentInputsSent, publishedService, secretEnvProblems } from "../topology/published";
import { assertValidService, lookupPublicPort, servicePorts } from "../topology/rules";
import { LIVENESS_WATCHDOG_NAME, livenessWatchdog } from "./liveness";
import { DockerLoadBalancerTarget } from "./loadBalancerTarget";
import { DockerPassthroughAddress } from "./passthroughLoadBalancer";
import { Pod, PodContainer, PublishedPort } from "./pod";
import { DockerEnv, EVERY_HOST_ADDRESS, engineName, expectDocker } from "./shared";
import { DockerVolume } from "./volume";

/** Hands out host ports: every service of the stack publishes on the same machine. */
export interface HostPorts {
    /** The host port of the next service with this `public` container port (publicPortFor), claimed. */
    public(service: string, containerPort: number, protocol: Protocol): number;
}

export interface ServiceDeps {
    env: DockerEnv;
    hostPorts: HostPorts;
}

/** What the pod runs of a workload container: the fence around a container with volumes, its volumes this back-end's. */
export function podContainer(name: string, c: ContainerSpec): PodContainer {
    return {
        name: c.name,
        image: c.image,
        user: c.user,
        // A container with a volume starts through the fence that keeps it the volume's one writer.
        entrypoint: fencedEntrypoint(c),
        command: c.command,
        env: c.env,
        secrets: c.secrets,
        mounts: (c.mounts ?? []).map(m => ({ volume: expectDocker(m.volume, DockerVolume, `service ${name}: volume ${m.volume.volumeName}`), path: m.path })),
        memoryScratch: c.memoryScratch,
        cpu: c.cpu,
        memoryMiB: c.memoryMiB,
    };
}

export class DockerZonalService extends pulumi.ComponentResource implements ZonalService {
    readonly serviceName: string;
    readonly zone: string;
    readonly accessGroup: string;
    readonly privateHostname: string;
    readonly publicAddress?: pulumi.Output<string>;
    /** Its containers, what the next step of a roll waits for. */
    readonly pod: Pod;
    private readonly publicPorts: ReadonlyMap<number, number>;

    constructor(name: string, args: ZonalServiceArgs, deps: ServiceDeps, opts?: pulumi.ComponentResourceOptions) {
        assertValidService(name, args, deps.env.context);
        if (args.containers.some(c => c.name === LIVENESS_WATCHDOG_NAME)) {
            throw new Error(`invalid service definition:\n  - service ${name}: container name "${LIVENESS_WATCHDOG_NAME}" is the Docker back-end's liveness watchdog; give the container another name`);
        }
        if ((args.buckets ?? []).length > 0) {
            throw new Error(`service ${name}: is granted buckets, and the local Docker back-end has no object storage; keep its data on a volume`);
        }
        assertComponentInputsSent(name);
        const ports = servicePorts(args.containers);
        const workload = args.containers.map(c => podContainer(name, c));
        const watchdog = livenessWatchdog(args.liveness, workload, container => ports.filter(p => p.container === container && p.protocol === "tcp").map(p => p.port));
        const containers = [...workload, ...watchdog];
        // Every container the service runs, the watchdog included; the engine pulls each image as it is named.
        const published = publishedService(args.zone, [...args.containers, ...watchdog.map(w => ({
            name: w.name, image: w.image, entrypoint: w.entrypoint, command: w.command, cpu: w.cpu, memoryMiB: w.memoryMiB, user: w.user,
        }))], image => image);
        super(COMPONENT_TYPES.service, name, published, opts);
        const { env } = deps;
        this.serviceName = name;
        this.zone = args.zone;
        this.accessGroup = args.accessGroup ?? name;
        this.privateHostname = engineName(env.context, name);

        const publicPorts = ports.filter(p => p.exposure.kind === "public");
        const hostPorts: PublishedPort[] = publicPorts.map(p => ({
            containerPort: p.port,
            hostPort: deps.hostPorts.public(name, p.port, p.protocol),
            protocol: p.protocol,
            hostIp: EVERY_HOST_ADDRESS,
        }));
        this.publicPorts = new Map(hostPorts.map(p => [p.containerPort, p.hostPort]));
        if (publicPorts.length > 0) this.publicAddress = pulumi.output(env.announceAddress);

        const after = args.rolling?.after ? [...expectDocker(args.rolling.after, DockerZonalService, `service ${name} rolls after`).pod.containers.values()] : [];
        this.pod = new Pod({
            name,
            zone: args.zone,
            aliases: [name],
            ports: hostPorts,
            containers,
            dependsOn: after,
            // A secret given as a plain env value would sit in the container's configuration: refused, as everywhere.
            envProblems: secretEnvProblems(`service ${name}`, args.containers),
        }, env, this);

        for (const p of ports) {
            if (p.exposure.kind === "loadBalancer") {
                expectDocker(p.exposure.target, DockerLoadBalancerTarget, `load balancer target ${p.exposure.target.targetName}`).attach(this.privateHostname, name);
            }
            if (p.exposure.kind === "publicAddress") {
                expectDocker(p.exposure.address, DockerPassthroughAddress, `pass-through address ${p.exposure.address.addressName}`).attach(this.privateHostname, name);
            }
        }

        this.registerOutputs({
            privateHostname: this.privateHostname,
            publicAddress: this.publicAddress,
            publicPorts: Object.fromEntries(this.publicPorts),
            // Stack policies see a component's outputs, not its inputs.
            ...published,
        });
    }

    publicPort(containerPort: number): number {
        return lookupPublicPort(this.serviceName, this.publicPorts, containerPort);
    }
}
