// No mirror on a laptop: the engine pulls each image from its upstream registry itself, once per stack, and
// keeps it (a RemoteImage per reference). Its Docker Hub account, when the stack names one, signs the pulls in
// (the provider's registryAuth), so the anonymous pull limit per address does not apply.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, RegistryMirror } from "../topology";
import { parseImageReference } from "../topology/images";

export class DockerRegistryMirror extends pulumi.ComponentResource implements RegistryMirror {
    private readonly images = new Map<string, docker.RemoteImage>();

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.registryMirror, name, {}, opts);
        this.registerOutputs({});
    }

    /** The upstream reference itself: the engine pulls it straight from its registry. */
    imageFor(image: string): string {
        parseImageReference(image);
        return image;
    }

    /** The engine's copy of `image`, pulled once however many containers run it; kept when the stack goes. */
    pulled(image: string): docker.RemoteImage {
        let pulled = this.images.get(image);
        if (!pulled) {
            const ref = parseImageReference(image);
            // A resource name per reference, unique in the stack.
            const key = `image-${ref.domain === "docker.io" ? "" : `${ref.domain}-`}${ref.path}-${ref.tag ?? ref.digest ?? "latest"}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
            pulled = new docker.RemoteImage(key, { name: this.imageFor(image), keepLocally: true }, { parent: this });
            this.images.set(image, pulled);
        }
        return pulled;
    }
}
