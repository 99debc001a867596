// Pass-through addresses on a Docker engine: one HAProxy container publishes each address's port on every
// address of the host and passes each connection through untouched (mode tcp) to whichever of the address's
// services accepts TCP on it, as a cloud's network load balancer does: a server is used while its TCP connect
// check passes (`check`, HAProxy configuration.txt 5.2), so for an active/standby pair the address follows the
// active one. Servers are found by name through the engine's DNS at run time (`resolvers`, `init-addr none`):
// a service that is not up yet is a server that is down, not a configuration error.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ContainerSpec, PassthroughAddress, PassthroughAddressArgs } from "../topology";
import { HAPROXY_IMAGE, HAPROXY_USER } from "./images";
import { Pod } from "./pod";
import { DockerEnv, EVERY_HOST_ADDRESS } from "./shared";

export const PASSTHROUGH_PROXY_TYPE = "web3-nodes:docker:PassthroughProxy";
export const HAPROXY_CONFIG_PATH = "/usr/local/etc/haproxy/haproxy.cfg";
/** The engine's DNS server inside a container on a user-defined network (moby libnetwork resolver). */
export const ENGINE_DNS = "127.0.0.11:53";
/** Seconds between two TCP checks of a server, and checks in a row that take it out or bring it back. */
export const PASSTHROUGH_CHECK = { intervalSeconds: 5, fall: 2, rise: 2 } as const;

export class DockerPassthroughAddress extends pulumi.ComponentResource implements PassthroughAddress {
    readonly addressName: string;
    readonly port: number;
    readonly zones: readonly string[];
    /** The host's announce address: the one address every service behind it is reached at. */
    readonly publicIps: pulumi.Output<string[]>;
    private readonly attached: { hostname: string; service: string }[] = [];

    constructor(name: string, args: PassthroughAddressArgs, env: DockerEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.passthroughAddress, name, {}, opts);
        this.addressName = name;
        this.port = args.port;
        this.zones = [...args.zones];
        this.publicIps = pulumi.output([env.announceAddress]);
        this.registerOutputs({ publicIps: this.publicIps, port: this.port });
    }

    /** Called by each service behind the address. */
    attach(hostname: string, service: string): void {
        if (!this.attached.some(b => b.hostname === hostname)) this.attached.push({ hostname, service });
    }

    get servers(): readonly { hostname: string; service: string }[] {
        return this.attached;
    }
}

/** The HAProxy configuration of every pass-through address of the stack. */
export function haproxyConfig(addresses: readonly Pick<DockerPassthroughAddress, "addressName" | "port" | "servers">[]): string {
    const lines = [
        "global",
        "  log stdout format raw local0",
        "",
        "resolvers engine",
        `  nameserver engine ${ENGINE_DNS}`,
        "  hold valid 10s",
        "",
        "defaults",
        "  mode tcp",
        "  log global",
        "  timeout connect 5s",
        // Peer connections live for hours; a connection idle this long is gone anyway.
        "  timeout client 1h",
        "  timeout server 1h",
    ];
    for (const a of [...addresses].sort((x, y) => x.addressName.localeCompare(y.addressName))) {
        if (a.servers.length === 0) throw new Error(`pass-through address ${a.addressName}: no service stands behind it`);
        lines.push(
            "",
            `frontend ${a.addressName}`,
            `  bind :${a.port}`,
            `  default_backend ${a.addressName}`,
            "",
            `backend ${a.addressName}`,
            `  default-server check inter ${PASSTHROUGH_CHECK.intervalSeconds}s fall ${PASSTHROUGH_CHECK.fall} rise ${PASSTHROUGH_CHECK.rise} resolvers engine init-addr none`,
            ...a.servers.map(s => `  server ${s.service} ${s.hostname}:${a.port}`),
        );
    }
    return lines.join("\n") + "\n";
}

/** The HAProxy container, as the pod runs it. */
export const HAPROXY_CONTAINER: Pick<ContainerSpec, "name" | "image" | "user" | "entrypoint" | "cpu" | "memoryMiB"> = {
    name: "haproxy",
    image: HAPROXY_IMAGE,
    user: HAPROXY_USER,
    // The image's entrypoint adds these two for `haproxy` (docker-library/haproxy docker-entrypoint.sh): master-worker, foreground.
    entrypoint: ["haproxy", "-W", "-db", "-f", HAPROXY_CONFIG_PATH],
    cpu: 0.25,
    memoryMiB: 128,
};

export class DockerPassthroughProxy extends pulumi.ComponentResource {
    readonly pod: Pod;

    constructor(name: string, addresses: readonly DockerPassthroughAddress[], env: DockerEnv, opts?: pulumi.ComponentResourceOptions) {
        super(PASSTHROUGH_PROXY_TYPE, name, {}, opts);
        const config = haproxyConfig(addresses);
        this.pod = new Pod({
            name,
            zone: env.context.zones[0],
            aliases: [name],
            ports: addresses.map(a => ({ containerPort: a.port, hostPort: a.port, protocol: "tcp" as const, hostIp: EVERY_HOST_ADDRESS })),
            containers: [{ ...HAPROXY_CONTAINER, configFiles: [{ path: HAPROXY_CONFIG_PATH, content: config }], role: "passthrough" }],
        }, env, this);
        this.registerOutputs({ config });
    }
}
