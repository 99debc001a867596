import { CURL_IMAGE } from "../topology/images";

// The images of a Ceramic node, pinned. Upgrading is changing a tag here, one daemon at a time: the IPFS
// daemon migrates its repo at start (--migrate=true), ceramic-one its SQLite store, js-ceramic its state store
// and index.
export const IMAGES = {
    /**
     * js-ceramic 6.11, the last release (@ceramicnetwork/cli@6.11.0, 2024-11-06): its IPFS side is ceramic-one,
     * reached over ceramic-one's kubo-compatible RPC. Docker Hub tag = the cli version (3box/pipeline-tools
     * ci/plans/ceramic.cue, run by js-ceramic's reusable-release.yml).
     */
    ceramic: "ceramicnetwork/js-ceramic:6.11.0",
    /**
     * js-ceramic 5.16, the last release line whose IPFS side is a kubo daemon over its HTTP API: the
     * `js-ceramic-kubo` flavour, for nodes that already run it.
     */
    ceramicKubo: "ceramicnetwork/js-ceramic:5.16.0",
    /**
     * rust-ceramic v0.58.0 (2025-12-08: EVM self-anchoring options). Published on ECR Public only, tagged with
     * the workspace version without a leading v (rust-ceramic@v0.58.0 .github/workflows/publish-image.yml
     * RELEASE_TAG, ci-scripts/publish.sh IMAGE_NAME). Runs as root unless told otherwise (its Dockerfile has
     * no USER); the node runs it as CERAMIC_ONE_USER.
     */
    ceramicOne: "public.ecr.aws/r5b3e0r5/3box/ceramic-one:0.58.0",
    /**
     * The dagJose-enabled kubo (0.19) Ceramic publishes, with its health endpoint plugin, tagged by the commit
     * it was built from (the project publishes no version tags).
     */
    goIpfsDaemon: "ceramicnetwork/go-ipfs-daemon:f19c96be94a9",
    /** A shell and curl, running as an unprivileged user: all the keep-alive job needs. */
    keepAlive: CURL_IMAGE.image,
} as const;
