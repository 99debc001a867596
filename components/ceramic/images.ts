import { CURL_IMAGE } from "../topology/images";

// The images of a Ceramic node, pinned. Upgrading is changing a tag here, one daemon at a time: the IPFS
// daemon migrates its repo at start (--migrate=true), js-ceramic its state store and index.
export const IMAGES = {
    /**
     * js-ceramic 5.16, the last release line whose IPFS side is a kubo daemon over its HTTP API (6.x moved to
     * ceramic-one, a flavour still to add).
     */
    ceramic: "ceramicnetwork/js-ceramic:5.16.0",
    /**
     * The dagJose-enabled kubo (0.19) Ceramic publishes, with its health endpoint plugin, tagged by the commit
     * it was built from (the project publishes no version tags).
     */
    goIpfsDaemon: "ceramicnetwork/go-ipfs-daemon:f19c96be94a9",
    /** A shell and curl, running as an unprivileged user: all the keep-alive job needs. */
    keepAlive: CURL_IMAGE.image,
} as const;
