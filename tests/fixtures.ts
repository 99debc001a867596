// Configuration fixtures shared by the tests.
import { Cloud } from "../components/topology";

/** A minimal valid configuration for either cloud; tests override what they exercise. */
export function baseConfig(cloud: Cloud, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    // The local Docker engine runs the local profile only, under localhost, with no DNS of its own.
    if (cloud === "docker") return { cloud, profile: "local", domain: "localhost", ...overrides };
    return {
        cloud,
        profile: "prod",
        domain: "nodes.example.com",
        dns: { provider: cloud === "aws" ? "route53" : "clouddns", zone: cloud === "aws" ? "Z0123456789ABCDEFGHIJ" : "nodes-example-com" },
        gcp: { project: "web3-nodes-test", region: "us-central1" },
        aws: { region: "us-east-1" },
        // ECR's pull-through cache pulls from Docker Hub only with an account: required on AWS, optional on GCP.
        ...(cloud === "aws" ? { registryMirror: { dockerHubUsername: "web3nodes", dockerHubAccessToken: "dckr_pat_test-token" } } : {}),
        ...overrides,
    };
}


/** Loads an ESM-only package (the libp2p reference implementation) from CommonJS tests: a plain import()
 * would be compiled to require(). */
export const esm = new Function("s", "return import(s)") as (s: string) => Promise<any>;
