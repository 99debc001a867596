// The keep-alive job: every few minutes, publish a throwaway stream through the node's public API without
// anchoring or pinning it. The pubsub message it sends keeps the node's IPFS connections and topic
// subscriptions busy (idle ones were dropped, and with them the node's view of the network), and a failing
// run says the node cannot be reached from outside. The stream is an unsigned genesis with no content: nobody
// can update it, nothing is sent to the anchor service, and the node keeps none of them.
import * as crypto from "crypto";
import bs58 from "bs58";
import { JobContainerSpec, RunAs } from "../topology";
import { ed25519PublicKey } from "../libp2p/identity";
import { CURL_IMAGE } from "../topology/images";
import { IMAGES } from "./images";

/** The image's `curl_user`. */
export const KEEP_ALIVE_USER: RunAs = CURL_IMAGE.user;
/** The stream family keep-alive streams carry, so they are easy to tell from real ones. */
export const KEEP_ALIVE_FAMILY = "web3-nodes-keepalive";
/** Seconds one request may take: with two retries the run ends within the two minutes before the next. */
const REQUEST_TIMEOUT_SECONDS = 30;

/** did:key of an Ed25519 public key: multicodec ed25519-pub (0xed 0x01), base58btc, "z" prefix. */
export function didKey(publicKey: Buffer): string {
    return `did:key:z${bs58.encode(Buffer.concat([Buffer.from([0xed, 0x01]), publicKey]))}`;
}

/**
 * The controller the throwaway streams name. A genesis without content needs no signature, so no key is
 * used; the DID only has to be well formed. Derived from a fixed label so every node names the same one.
 */
export const KEEP_ALIVE_CONTROLLER = didKey(ed25519PublicKey(crypto.createHash("sha256").update(KEEP_ALIVE_FAMILY).digest()));

export const KEEP_ALIVE_ENV = { url: "CERAMIC_URL" } as const;

/**
 * The options the stream is created with. js-ceramic pins a stream it creates unless `pin` is false
 * (js-ceramic @ceramicnetwork/core@5.16.0 packages/core/src/state-management/repository.ts _handlePinOpts:
 * `opts.pin === undefined && opType == OperationType.CREATE` pins; `pin: false` on a create is allowed and
 * leaves it unpinned; the same in @ceramicnetwork/cli@6.11.0). The HTTP API hands the request's `opts` to
 * createStreamFromGenesis as they are (packages/cli/src/ceramic-daemon.ts). Pinned, every run would add a
 * stream the node keeps forever: about 720 a day.
 */
export const KEEP_ALIVE_CREATE_OPTS = { anchor: false, publish: true, pin: false } as const;

/** The job's script. POSIX sh with curl: the curl image is busybox-based. */
export function keepAliveScript(): string {
    const body = `{"type":0,"genesis":{"header":{"controllers":["${KEEP_ALIVE_CONTROLLER}"],"family":"${KEEP_ALIVE_FAMILY}","unique":"%s"}},"opts":${JSON.stringify(KEEP_ALIVE_CREATE_OPTS)}}`;
    return [
        "#!/bin/sh",
        "# Publishes a throwaway stream, unanchored and unpinned, through the Ceramic node's API: its pubsub",
        "# traffic keeps the node's connections alive.",
        "set -eu",
        "",
        `: "\${${KEEP_ALIVE_ENV.url}:?${KEEP_ALIVE_ENV.url} names the node to keep alive}"`,
        "# A new stream each time: the same genesis would name a stream the network already has.",
        'unique="$(date -u +%Y%m%dT%H%M%SZ)-$$"',
        `body="$(printf '${body}' "$unique")"`,
        "response=\"$(curl --fail --silent --show-error --max-time " + REQUEST_TIMEOUT_SECONDS + " --retry 2 --retry-delay 5 \\",
        "  --header 'Content-Type: application/json' --data \"$body\" \"${" + KEEP_ALIVE_ENV.url + "%/}/api/v0/streams\")\"",
        "stream=\"$(printf '%s' \"$response\" | sed -n 's/.*\"streamId\":\"\\([^\"]*\\)\".*/\\1/p')\"",
        'if [ -z "$stream" ]; then',
        `  echo "the node at \${${KEEP_ALIVE_ENV.url}} answered without a stream ID" >&2`,
        "  exit 1",
        "fi",
        `echo "published keep-alive stream $stream through \${${KEEP_ALIVE_ENV.url}}"`,
        "",
    ].join("\n");
}

/** The job's container: the script against the node's public URL, the smallest size either cloud offers. */
export function keepAliveContainer(ceramicUrl: string): JobContainerSpec {
    return {
        name: "keepalive",
        image: IMAGES.keepAlive,
        entrypoint: ["/bin/sh", "-c", keepAliveScript(), "ceramic-keepalive"],
        env: { [KEEP_ALIVE_ENV.url]: ceramicUrl },
        cpu: 0.25,
        memoryMiB: 256,
        user: KEEP_ALIVE_USER,
    };
}
