// The Docker back-end: the whole topology on one local Docker engine, through @pulumi/docker alone, for
// `pulumi up -s local` on a laptop. One explicit provider, one bridge network, and a factory method per
// primitive; what spans every workload (the HTTPS entry point, the pass-through addresses) is built in finish().
// The zones are labels: every container runs on this one machine.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
    Backend, BackendSettings, Bucket, BucketArgs, HttpsLoadBalancer, HttpsLoadBalancerArgs, LoadBalancerTarget, LoadBalancerTargetArgs,
    PassthroughAddress, PassthroughAddressArgs, Postgres, PostgresArgs, Protocol, ScheduledJob, ScheduledJobArgs, Secret, SecretArgs, StackContext,
    Volume, VolumeArgs, ZonalService, ZonalServiceArgs, publicPortFor, stackContext,
} from "../topology";
import { jobProblems, passthroughAddressProblems } from "../topology/rules";
import { DockerEntryPoint, ENTRY_POINT_TYPE } from "./entryPoint";
import { DockerHttpsLoadBalancer, ENTRY_POINT_PORT } from "./httpsLoadBalancer";
import { DockerLoadBalancerTarget } from "./loadBalancerTarget";
import { DockerNetwork } from "./network";
import { DockerPassthroughAddress, DockerPassthroughProxy } from "./passthroughLoadBalancer";
import { DockerPostgres } from "./postgres";
import { DockerRegistryMirror } from "./registryMirror";
import { DockerScheduledJob } from "./scheduledJob";
import { DockerSecret } from "./secret";
import { DockerZonalService, HostPorts } from "./service";
import { DockerEnv, primitiveOptions } from "./shared";
import { DockerVolume } from "./volume";

export { DockerEntryPoint, ENTRY_POINT_TYPE, DockerHttpsLoadBalancer, DockerLoadBalancerTarget, DockerNetwork, DockerPassthroughAddress, DockerPassthroughProxy };
export { DockerPostgres, DockerRegistryMirror, DockerScheduledJob, DockerSecret, DockerVolume, DockerZonalService };

/** The local stack's three zones: labels on its containers, which the zone-loss analysis reads like any other. */
export const LOCAL_ZONES = ["local-a", "local-b", "local-c"] as const;
/** Where the provider signs Docker Hub pulls in: the registry's API host (distribution/reference, registry-1.docker.io). */
export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";

/**
 * Host ports, numbered over the whole host: the n-th service with a `public` container port gets
 * publicPortFor(port, n), since every zone is this machine. A port another use already holds on the host is
 * refused, naming both.
 */
export class HostPortBook implements HostPorts {
    private readonly ordinals = new Map<number, number>();
    private readonly taken = new Map<string, string>();

    constructor(reserved: { port: number; protocol: Protocol; by: string }[] = []) {
        for (const r of reserved) this.taken.set(`${r.port}/${r.protocol}`, r.by);
    }

    public(service: string, containerPort: number, protocol: Protocol): number {
        const ordinal = this.ordinals.get(containerPort) ?? 0;
        const port = publicPortFor(containerPort, ordinal);
        this.ordinals.set(containerPort, ordinal + 1);
        this.claim(port, protocol, `service ${service} (container port ${containerPort})`);
        return port;
    }

    claim(port: number, protocol: Protocol, by: string): void {
        const key = `${port}/${protocol}`;
        const holder = this.taken.get(key);
        if (holder !== undefined) throw new Error(`host port ${key} is wanted by ${by} and already held by ${holder}: on the local engine every public port is a port of this one machine`);
        this.taken.set(key, by);
    }
}

class DockerBackend implements Backend {
    readonly cloud = "docker" as const;
    readonly dns = undefined;
    private readonly balancers: DockerHttpsLoadBalancer[] = [];
    private readonly addresses: DockerPassthroughAddress[] = [];
    private readonly hostPorts = new HostPortBook([{ port: ENTRY_POINT_PORT, protocol: "tcp", by: "the HTTPS entry point" }]);
    private finished = false;

    constructor(
        readonly context: StackContext,
        readonly network: DockerNetwork,
        readonly registryMirror: DockerRegistryMirror,
        private readonly env: DockerEnv,
    ) {}

    secret(name: string, args: SecretArgs, parent?: pulumi.Resource): Secret {
        return new DockerSecret(name, args, primitiveOptions(this.env, { parent }));
    }

    volume(name: string, args: VolumeArgs, parent?: pulumi.Resource): Volume {
        return new DockerVolume(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    bucket(name: string, _args?: BucketArgs, _parent?: pulumi.Resource): Bucket {
        throw new Error(`bucket ${name}: the local Docker back-end has no object storage; keep the data on a volume (ceramic.stateStore: volume)`);
    }

    service(name: string, args: ZonalServiceArgs, parent?: pulumi.Resource): ZonalService {
        return new DockerZonalService(name, args, { env: this.env, hostPorts: this.hostPorts }, primitiveOptions(this.env, { parent }));
    }

    loadBalancerTarget(name: string, args: LoadBalancerTargetArgs, parent?: pulumi.Resource): LoadBalancerTarget {
        return new DockerLoadBalancerTarget(name, args, primitiveOptions(this.env, { parent }));
    }

    httpsLoadBalancer(name: string, args: HttpsLoadBalancerArgs, parent?: pulumi.Resource): HttpsLoadBalancer {
        this.assertOpen(`https load balancer ${name}`);
        const lb = new DockerHttpsLoadBalancer(name, args, this.context.domain, primitiveOptions(this.env, { parent }));
        if (this.balancers.some(b => b.fqdn === lb.fqdn)) throw new Error(`https load balancer ${name}: ${lb.fqdn} is served already`);
        this.balancers.push(lb);
        return lb;
    }

    passthroughAddress(name: string, args: PassthroughAddressArgs, parent?: pulumi.Resource): PassthroughAddress {
        this.assertOpen(`pass-through address ${name}`);
        const problems = passthroughAddressProblems(name, args, this.context.zones);
        if (problems.length > 0) throw new Error(`invalid pass-through address:\n  - ${problems.join("\n  - ")}`);
        this.hostPorts.claim(args.port, "tcp", `pass-through address ${name}`);
        const address = new DockerPassthroughAddress(name, args, this.env, primitiveOptions(this.env, { parent }));
        this.addresses.push(address);
        return address;
    }

    postgres(name: string, args: PostgresArgs, parent?: pulumi.Resource): Postgres {
        return new DockerPostgres(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    scheduledJob(name: string, args: ScheduledJobArgs, parent?: pulumi.Resource): ScheduledJob {
        const problems = jobProblems(name, args);
        if (problems.length > 0) throw new Error(`invalid scheduled job:\n  - ${problems.join("\n  - ")}`);
        return new DockerScheduledJob(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    /** The HTTPS entry point and the pass-through proxy, now that every name and every service behind them is known. */
    finish(): void {
        this.assertOpen("finish");
        this.finished = true;
        if (this.balancers.length > 0) new DockerEntryPoint("https", this.balancers, this.env, primitiveOptions(this.env));
        if (this.addresses.length > 0) new DockerPassthroughProxy("passthrough", this.addresses, this.env, primitiveOptions(this.env));
    }

    private assertOpen(what: string): void {
        if (this.finished) throw new Error(`${what}: declared after the back-end was finished; every workload is declared before finish()`);
    }
}

/** The announce address and the Docker Hub account, besides what every back-end is built from. */
export interface DockerSettings {
    announceAddress: string;
}

export async function createDockerBackend(settings: BackendSettings, docker_: DockerSettings): Promise<Backend> {
    const context = stackContext(settings, [...LOCAL_ZONES]);
    const hub = settings.registryMirror.dockerHub;
    // The engine comes from the environment (DOCKER_HOST, or the local socket), as the docker CLI finds it.
    const provider = new docker.Provider("docker", {
        ...(hub ? { registryAuth: [{ address: DOCKER_HUB_REGISTRY, username: hub.username, password: pulumi.secret(hub.accessToken) }] } : {}),
    });
    const registryMirror = new DockerRegistryMirror("registry-mirror", { provider });
    const network = new DockerNetwork("network", settings.network, context, { provider });
    const env: DockerEnv = {
        context,
        provider,
        networkName: network.networkName,
        announceAddress: docker_.announceAddress,
        pulled: image => registryMirror.pulled(image),
    };
    return new DockerBackend(context, network, registryMirror, env);
}
