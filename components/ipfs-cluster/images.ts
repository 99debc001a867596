// The container images of a peer, pinned to release tags. Upgrading a peer is changing a tag here: kubo's start
// script migrates its repo before anything else reads it (`ipfs repo migrate`, see ../libp2p/kuboRepo.ts), and
// ipfs-cluster-service upgrades its state in place.
// - kubo v0.42.0 (2026-06-08), the current release: repo version 18 as in v0.39.0, so this upgrade migrates
//   nothing (kubo@v0.42.0 version.go RepoVersion). What changed underneath the settings kubo.ts writes: the
//   gateway port serves the delegated routing API /routing/v1 by default since v0.40.0 (turned off there), the
//   `server` profile also filters 127.0.0.0/8 since v0.41.0 (kubo.ts writes the whole list itself), and a stuck
//   shutdown now ends within Internal.ShutdownTimeout (docs/changelogs/v0.42.md).
// - ipfs-cluster v1.1.6 (2026-05-11), the current release: dependency upgrades only (CHANGELOG.md).
export const IMAGES = {
    kubo: "ipfs/kubo:v0.42.0",
    cluster: "ipfs/ipfs-cluster:v1.1.6",
} as const;
