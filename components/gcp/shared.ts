// What every GCP primitive needs from the back-end that creates it, and the facts several of them share:
// Google's source ranges, the project APIs, physical naming and data protection.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { StackContext } from "../topology";

/**
 * Google's documented source ranges. Firewall rules name these groups; no rule spells a range itself.
 * - proxiesAndHealthChecks: the global external Application Load Balancer's front ends (GFEs) and the probes
 *   of global health checks, autohealing included.
 * - passthroughHealthChecks: the probes of regional health checks behind an external passthrough Network
 *   Load Balancer (they do not come from the GFE range 130.211.0.0/22).
 * - iapTcpForwarding: Identity-Aware Proxy, the only way in for an operator's `gcloud compute ssh --tunnel-through-iap`.
 */
export const GOOGLE_RANGES = {
    proxiesAndHealthChecks: ["130.211.0.0/22", "35.191.0.0/16"],
    passthroughHealthChecks: ["35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"],
    iapTcpForwarding: ["35.235.240.0/20"],
} as const;

/** The APIs this back-end calls. Declared, never disabled on destroy: other stacks in the project may use them. */
export const PROJECT_APIS = {
    compute: "compute.googleapis.com",
    iam: "iam.googleapis.com",
    // Project IAM bindings go through the Resource Manager API.
    resourceManager: "cloudresourcemanager.googleapis.com",
    secretManager: "secretmanager.googleapis.com",
    logging: "logging.googleapis.com",
    monitoring: "monitoring.googleapis.com",
    dns: "dns.googleapis.com",
    storage: "storage.googleapis.com",
    // Scheduled jobs: Cloud Scheduler starts a Cloud Run job.
    run: "run.googleapis.com",
    scheduler: "cloudscheduler.googleapis.com",
    // The registry mirror: a remote repository every image is pulled through.
    artifactRegistry: "artifactregistry.googleapis.com",
} as const;
export type ProjectApi = keyof typeof PROJECT_APIS;

export interface GcpEnv {
    readonly project: string;
    readonly region: string;
    readonly context: StackContext;
    readonly provider: gcp.Provider;
    readonly apis: Record<ProjectApi, gcp.projects.Service>;
}

/** Options for a primitive declared by the back-end: its children inherit the one explicit provider. */
export function primitiveOptions(env: Pick<GcpEnv, "provider">, extra: pulumi.ComponentResourceOptions = {}): pulumi.ComponentResourceOptions {
    return { ...extra, provider: env.provider };
}

/** Options for a resource that is the first to call an API: it waits until the API is on. */
export function afterApis(env: Pick<GcpEnv, "apis">, parent: pulumi.Resource, ...apis: ProjectApi[]): pulumi.CustomResourceOptions {
    return { parent, dependsOn: apis.map(api => env.apis[api]) };
}


/** Physical names (./names.ts), for the primitives that take them from here. */
export { gcpName, instanceName } from "./names";

/** Narrows a provider-neutral value to the GCP implementation this back-end made, with a clear error otherwise. */
export function expectGcp<T>(value: unknown, cls: abstract new (...args: never[]) => T, what: string): T {
    if (value instanceof cls) return value;
    throw new Error(`${what} was not created by the GCP back-end; pass objects made by this stack's backend`);
}
