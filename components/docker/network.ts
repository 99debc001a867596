// The stack's one user-defined bridge network. Its embedded DNS resolves every container by its name and
// aliases (moby libnetwork: service discovery on user-defined networks only), which is what makes a service's
// private hostname work; nothing on it is reachable from outside the engine unless a container publishes a port.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Network, NetworkArgs, StackContext } from "../topology";
import { LABELS, engineName } from "./shared";

export class DockerNetwork extends pulumi.ComponentResource implements Network {
    /** The config's network.cidr: the bridge network's subnet, which must not overlap a route of the host. */
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
            // The stack's network, the private range its services peer over (kubo filters every other private
            // range, ipfs-cluster/kubo.ts addrFiltersAllowing): the engine would otherwise pick one of its own pools.
            ipamConfigs: [{ subnet: args.cidr }],
            // Labels only what never changes: they cannot be updated (terraform-provider-docker v4.5.0
            // resource_docker_network.go: labels ForceNew), and a network of the same name refuses a second.
            labels: [{ label: LABELS.stack, value: context.tags.stack ?? context.prefix }, { label: LABELS.role, value: "network" }],
        }, { parent: this, deleteBeforeReplace: true });
        this.networkName = network.name;
        this.egressIps = pulumi.output([]);
        this.registerOutputs({ networkName: this.networkName, egressIps: this.egressIps });
    }
}
