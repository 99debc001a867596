// The stack's one HTTPS entry point on a Docker engine: a Caddy container that serves every HTTPS load balancer's
// name under localhost with certificates of its own local CA (`tls internal`), on 127.0.0.1:443 alone, and
// proxies each name to the services of its target that pass the target's readiness (Caddy's active health
// checks: health_uri, health_port, health_status, caddyserver/caddy modules/caddyhttp/reverseproxy
// healthchecks.go and caddyfile.go). A name's allowlist answers 403 to everyone else (remote_ip, the immediate
// peer: connections from this machine arrive from the bridge network's gateway), its path prefixes answer 404
// to every other path, as the clouds' load balancers do. Built once every workload is declared (Backend.finish).
import { isWorld } from "../topology/cidrs";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ContainerSpec } from "../topology";
import { CADDY_IMAGE, CADDY_USER } from "./images";
import { DockerHttpsLoadBalancer, ENTRY_POINT_ADDRESS, ENTRY_POINT_PORT } from "./httpsLoadBalancer";
import { Pod } from "./pod";
import { DockerEnv } from "./shared";
import { DockerVolume } from "./volume";

export const ENTRY_POINT_TYPE = COMPONENT_TYPES.httpsEntryPoint;
/** The port Caddy listens on inside its container, published on ENTRY_POINT_ADDRESS:ENTRY_POINT_PORT. */
export const CADDY_HTTPS_PORT = 8443;
/** Caddy's data directory (XDG_DATA_HOME in the image): its local CA's keys, kept on a volume. */
export const CADDY_DATA_DIR = "/data";
export const CADDYFILE_PATH = "/etc/caddy/Caddyfile";
/** The local CA's root certificate, what a client trusts: caddyserver/caddy modules/caddypki (storage pki/authorities/local). */
export const CADDY_ROOT_CERTIFICATE = `${CADDY_DATA_DIR}/caddy/pki/authorities/local/root.crt`;
/** How often and how long Caddy checks each backend's readiness. */
export const ENTRY_POINT_HEALTH = { intervalSeconds: 10, timeoutSeconds: 5 } as const;

export interface Site {
    fqdn: string;
    /** host:port of every service behind the name. */
    backends: string[];
    readiness: { path: string; status: string; port: number };
    allowedCidrs?: string[];
    pathPrefixes?: string[];
}

/**
 * A readiness status as Caddy's health_status takes it: one code, or a class such as 2xx (caddyfile.go: "a
 * 3-digit status code, or a status code class ending in xx").
 */
export function caddyHealthStatus(status: string): string {
    if (/^\d{3}$/.test(status)) return status;
    const range = /^([1-5])00-\1(99)$/.exec(status);
    if (range) return `${range[1]}xx`;
    throw new Error(`readiness status "${status}": the local entry point checks one status code or a whole class such as 200-299`);
}

/** A Caddyfile token as written: plain characters only, so nothing needs quoting. */
function token(value: string): string {
    if (!/^[A-Za-z0-9._~:/?=&%*@+-]+$/.test(value)) throw new Error(`"${value}" cannot be written into the Caddyfile as it is`);
    return value;
}

export function caddyfile(sites: readonly Site[]): string {
    const lines = [
        "{",
        // Nothing configures it at run time.
        "\tadmin off",
        "\thttps_port " + CADDY_HTTPS_PORT,
        // Only HTTPS is published; no HTTP listener to redirect from.
        "\tauto_https disable_redirects",
        // Every name is signed by the local CA, whose root is never installed into the container's trust store.
        "\tlocal_certs",
        "\tskip_install_trust",
        "\tservers {",
        "\t\tprotocols h1 h2",
        "\t}",
        "}",
    ];
    for (const site of [...sites].sort((a, b) => a.fqdn.localeCompare(b.fqdn))) {
        if (site.backends.length === 0) throw new Error(`${site.fqdn}: no service serves its target`);
        const allow = site.allowedCidrs && !site.allowedCidrs.some(isWorld) ? site.allowedCidrs : undefined;
        lines.push("", `${token(site.fqdn)} {`, "\ttls internal");
        if (allow) lines.push(`\t@outside not remote_ip ${allow.map(token).join(" ")}`);
        if (site.pathPrefixes) lines.push(`\t@elsewhere not path ${site.pathPrefixes.map(p => token(`${p}*`)).join(" ")}`);
        // A route keeps the order as written: the allowlist, the paths, then the proxy.
        lines.push("\troute {");
        if (allow) lines.push("\t\trespond @outside 403");
        if (site.pathPrefixes) lines.push("\t\trespond @elsewhere 404");
        lines.push(
            `\t\treverse_proxy ${site.backends.map(token).join(" ")} {`,
            `\t\t\thealth_uri ${token(site.readiness.path)}`,
            `\t\t\thealth_port ${site.readiness.port}`,
            `\t\t\thealth_status ${caddyHealthStatus(site.readiness.status)}`,
            `\t\t\thealth_interval ${ENTRY_POINT_HEALTH.intervalSeconds}s`,
            `\t\t\thealth_timeout ${ENTRY_POINT_HEALTH.timeoutSeconds}s`,
            "\t\t}",
            "\t}",
            "}",
        );
    }
    return lines.join("\n") + "\n";
}

/** The sites of the stack's HTTPS load balancers. */
export function sitesOf(balancers: readonly DockerHttpsLoadBalancer[]): Site[] {
    return balancers.map(lb => ({
        fqdn: lb.fqdn,
        backends: lb.target.backends.map(b => `${b.hostname}:${lb.target.port}`),
        readiness: { path: lb.target.readiness.path, status: lb.target.readiness.status, port: lb.target.readiness.port ?? lb.target.port },
        allowedCidrs: lb.allowedCidrs,
        pathPrefixes: lb.pathPrefixes,
    }));
}

/** The Caddy container, as the pod runs it. */
export const CADDY_CONTAINER: Pick<ContainerSpec, "name" | "image" | "user" | "entrypoint" | "cpu" | "memoryMiB"> = {
    name: "caddy",
    image: CADDY_IMAGE,
    user: CADDY_USER,
    entrypoint: ["caddy", "run", "--config", CADDYFILE_PATH, "--adapter", "caddyfile"],
    cpu: 0.5,
    memoryMiB: 256,
};

export class DockerEntryPoint extends pulumi.ComponentResource {
    readonly pod: Pod;

    constructor(name: string, balancers: readonly DockerHttpsLoadBalancer[], env: DockerEnv, opts?: pulumi.ComponentResourceOptions) {
        super(ENTRY_POINT_TYPE, name, {}, opts);
        const zone = env.context.zones[0];
        // The local CA outlives the container: a client that trusts its root keeps trusting the stack.
        const data = new DockerVolume(`${name}-ca`, { zone, sizeGiB: 1, owner: CADDY_USER }, env, { parent: this });
        const config = caddyfile(sitesOf(balancers));
        this.pod = new Pod({
            name,
            zone,
            aliases: [name],
            ports: [{ containerPort: CADDY_HTTPS_PORT, hostPort: ENTRY_POINT_PORT, protocol: "tcp", hostIp: ENTRY_POINT_ADDRESS }],
            containers: [{
                ...CADDY_CONTAINER,
                mounts: [{ volume: data, path: CADDY_DATA_DIR }],
                configFiles: [{ path: CADDYFILE_PATH, content: config }],
                // The image's caddy binary carries the file capability cap_net_bind_service=+ep
                // (caddyserver/caddy-docker 2.11/alpine/Dockerfile: setcap): Linux refuses to execute it unless that
                // capability is in the bounding set (security/commoncap.c bprm_caps_from_vfs_caps: -EPERM). Kept
                // there, never effective: no-new-privileges ignores file capabilities, and the port is above 1023.
                addCapabilities: ["NET_BIND_SERVICE"],
                role: "https-entry",
            }],
        }, env, this);
        this.registerOutputs({ config });
    }
}
