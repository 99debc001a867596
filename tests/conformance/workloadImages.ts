// Every image the workloads name, from the one place each is pinned, in the form a registry is asked for it.
import { IMAGES as CERAMIC_IMAGES } from "../../components/ceramic/images";
import { DEFAULT_VERSION, chainlinkImage } from "../../components/chainlink/images";
import { IMAGES as CLUSTER_IMAGES } from "../../components/ipfs-cluster/images";

export const WORKLOAD_IMAGES: readonly string[] = [...Object.values(CLUSTER_IMAGES), ...Object.values(CERAMIC_IMAGES), chainlinkImage(DEFAULT_VERSION)];

/**
 * `<repository path>:<tag>` of an image on Docker Hub, as its registry serves it (official images under
 * `library/`: distribution/reference@v0.6.0 normalize.go), or undefined for an image on another registry.
 */
export function dockerHubForm(image: string): string | undefined {
    const [first, ...rest] = image.split("/");
    if (rest.length > 0 && (first === "localhost" || /[.:]/.test(first))) {
        if (first !== "docker.io" && first !== "index.docker.io") return undefined;
        image = rest.join("/");
    }
    return image.includes("/") ? image : `library/${image}`;
}
