// The stack's one user-defined bridge network. Its embedded DNS resolves every container by its name and
// aliases (moby libnetwork: service discovery on user-defined networks only), which is what makes a service's
// private hostname work; nothing on it is reachable from outside the engine unless a container publishes a port.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Network, NetworkArgs, StackContext } from "../topology";
import { engineName, labels } from "./shared";

export class DockerNetwork extends pulumi.ComponentResource implements Network {
    /**
     * The config's network.cidr, which the engine does not use: it gives the network a free subnet of its own
     * address pools (moby daemon default-address-pools), which never collides with the host's routes.
     */
    readonly cidr: string;
    /** A laptop has no static egress address: its containers leave through the host's own. */
    readonly egressIps: pulumi.Output<string[]>;
    readonly networkName: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, context: StackContext, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.network, name, {}, opts);
        this.cidr = args.cidr;
        const network = new docker.Network(`${name}-bridge`, {
            name: engineName(context, "network"),
            driver: "bridge",
            labels: labels(context, { "web3-nodes.role": "network" }),
        }, { parent: this });
        this.networkName = network.name;
        this.egressIps = pulumi.output([]);
        this.registerOutputs({ networkName: this.networkName, egressIps: this.egressIps });
    }
}
