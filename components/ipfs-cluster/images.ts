// The container images of a peer, pinned to release tags. Upgrading a peer is changing a tag here: kubo runs
// its repo migrations at start (--migrate=true) and ipfs-cluster-service upgrades its state in place.
export const IMAGES = {
    kubo: "ipfs/kubo:v0.39.0",
    cluster: "ipfs/ipfs-cluster:v1.1.6",
} as const;
