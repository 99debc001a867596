// The GCP back-end: one explicit provider, the project APIs it calls, the network, and a factory method per
// primitive. Workloads see only the topology contracts; everything Google-specific stays in this folder.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import {
    Backend, BackendSettings, Bucket, BucketArgs, Dns, HttpsLoadBalancer, HttpsLoadBalancerArgs, LoadBalancerTarget,
    LoadBalancerTargetArgs, PassthroughAddress, PassthroughAddressArgs, ScheduledJob, ScheduledJobArgs, Secret, SecretArgs, StackContext, Volume, VolumeArgs, ZonalService, ZonalServiceArgs, stackContext,
} from "../topology";
import { CloudflareDns } from "../cloudflare";
import { GcpBucket } from "./bucket";
import { CloudDns } from "./dns";
import { GcpHttpsEntryPoint, GcpHttpsLoadBalancer } from "./httpsLoadBalancer";
import { GcpLoadBalancerTarget } from "./loadBalancerTarget";
import { GcpNetwork } from "./network";
import { GcpPassthroughAddress } from "./passthroughLoadBalancer";
import type { Postgres, PostgresArgs } from "../topology";
import { assertValidPostgres } from "../topology/postgres";
import { GcpPostgres, PrivateServicesAccess } from "./postgres";
import { GcpRegistryMirror } from "./registryMirror";
export { ARTIFACT_REGISTRY_READER, GcpRegistryMirror, artifactRegistryHost, artifactRegistryImage, mirrorRepositoryId } from "./registryMirror";
export { GcpPostgres, PrivateServicesAccess, privateServicesRange } from "./postgres";
import { GcpScheduledJob } from "./scheduledJob";
import { jobProblems, passthroughAddressProblems } from "../topology/rules";
import { GcpSecret } from "./secret";
import { GcpZonalService } from "./service";
import { GcpEnv, PROJECT_APIS, ProjectApi, primitiveOptions } from "./shared";
import { GcpVolume } from "./volume";
import { chooseGcpZones } from "./zones";

export { GcpScheduledJob, cronSchedule } from "./scheduledJob";
export { GcpBucket, GcpHttpsLoadBalancer, GcpLoadBalancerTarget, GcpNetwork, GcpSecret, GcpVolume, GcpZonalService, CloudDns };

export { chooseGcpZones, GCP_REGION_ZONES, regionZones } from "./zones";

export function dnsFor(settings: BackendSettings, provider: gcp.Provider): Dns | undefined {
    const zone = settings.dns.zone;
    switch (settings.dns.provider) {
        case "none":
            return undefined;
        case "clouddns":
            if (!zone) throw new Error("dns.provider is clouddns: web3-nodes:dns.zone must name the Cloud DNS managed zone");
            return new CloudDns(zone, provider);
        case "cloudflare":
            if (!zone) throw new Error("dns.provider is cloudflare: web3-nodes:dns.zone must give the Cloudflare zone ID");
            return new CloudflareDns(zone);
        case "route53":
            throw new Error("dns.provider route53 needs AWS credentials; on GCP use clouddns, cloudflare or none");
    }
}

class GcpBackend implements Backend {
    readonly cloud = "gcp" as const;
    /** Made with the first database, under the network: one peering per VPC, whichever workload asks first. */
    private privateServices?: PrivateServicesAccess;
    /** Made with the first HTTPS name, so its address is there for the names' DNS records; completed by finish(). */
    private httpsEntryPoint?: GcpHttpsEntryPoint;

    constructor(
        readonly context: StackContext,
        readonly network: GcpNetwork,
        readonly dns: Dns | undefined,
        readonly registryMirror: GcpRegistryMirror,
        private readonly env: GcpEnv,
    ) {}

    secret(name: string, args: SecretArgs, parent?: pulumi.Resource): Secret {
        return new GcpSecret(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    volume(name: string, args: VolumeArgs, parent?: pulumi.Resource): Volume {
        return new GcpVolume(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    bucket(name: string, args: BucketArgs = {}, parent?: pulumi.Resource): Bucket {
        return new GcpBucket(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    service(name: string, args: ZonalServiceArgs, parent?: pulumi.Resource): ZonalService {
        return new GcpZonalService(name, args, { env: this.env, network: this.network, registryMirror: this.registryMirror }, primitiveOptions(this.env, { parent }));
    }

    loadBalancerTarget(name: string, args: LoadBalancerTargetArgs, parent?: pulumi.Resource): LoadBalancerTarget {
        return new GcpLoadBalancerTarget(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    passthroughAddress(name: string, args: PassthroughAddressArgs, parent?: pulumi.Resource): PassthroughAddress {
        const problems = passthroughAddressProblems(name, args, this.context.zones);
        if (problems.length > 0) throw new Error(`invalid pass-through address:\n  - ${problems.join("\n  - ")}`);
        return new GcpPassthroughAddress(name, args, this.env, primitiveOptions(this.env, { parent }));
    }

    httpsLoadBalancer(name: string, args: HttpsLoadBalancerArgs, parent?: pulumi.Resource): HttpsLoadBalancer {
        this.httpsEntryPoint ??= new GcpHttpsEntryPoint("https", this.env, primitiveOptions(this.env));
        return new GcpHttpsLoadBalancer(name, { ...args, dns: this.dns, entryPoint: this.httpsEntryPoint }, this.env, primitiveOptions(this.env, { parent }));
    }

    postgres(name: string, args: PostgresArgs, parent?: pulumi.Resource): Postgres {
        assertValidPostgres(name, args, this.context, this.cloud);
        this.privateServices ??= new PrivateServicesAccess("private-services", this.network, this.env, { parent: this.network });
        return new GcpPostgres(name, args, { env: this.env, network: this.network, privateServices: this.privateServices }, primitiveOptions(this.env, { parent }));
    }

    scheduledJob(name: string, args: ScheduledJobArgs, parent?: pulumi.Resource): ScheduledJob {
        const problems = jobProblems(name, args);
        if (problems.length > 0) throw new Error(`invalid scheduled job:\n  - ${problems.join("\n  - ")}`);
        return new GcpScheduledJob(name, args, { env: this.env, network: this.network, registryMirror: this.registryMirror }, primitiveOptions(this.env, { parent }));
    }

    /** Completes the stack's HTTPS entry point with every name; without a name there is none, and nothing is declared. */
    finish(): void {
        this.httpsEntryPoint?.finish();
    }
}

export async function createGcpBackend(settings: BackendSettings): Promise<Backend> {
    const project = settings.project;
    if (!project) throw new Error("web3-nodes:gcp.project is required when web3-nodes:cloud is gcp");
    // From Google's list, not an invoke: nothing may call the project before it has enabled the API.
    const zones = chooseGcpZones(settings.region, settings.zones);
    const provider = new gcp.Provider("gcp", {
        project,
        region: settings.region,
        defaultLabels: settings.tags,
    });
    const context: StackContext = stackContext(settings, zones);
    const apis = Object.fromEntries(Object.entries(PROJECT_APIS).map(([key, service]) => [
        key,
        new gcp.projects.Service(`api-${key}`, { project, service, disableOnDestroy: false, disableDependentServices: false }, { provider }),
    ])) as Record<ProjectApi, gcp.projects.Service>;
    const env: GcpEnv = { project, region: settings.region, context, provider, apis };
    const network = new GcpNetwork("network", settings.network, env, primitiveOptions(env));
    const registryMirror = new GcpRegistryMirror("registry-mirror", settings.registryMirror, env, primitiveOptions(env));
    return new GcpBackend(context, network, dnsFor(settings, provider), registryMirror, env);
}
