// The pair's OCR networking (libocr's ragep2p, `[P2P.V2]`): the port the lease holder listens on, the public
// addresses it announces, and the bootstrappers it finds the other oracles through. The rules are libocr's
// (smartcontractkit/libocr commontypes/types.go BootstrapperLocator, ragep2p/types/types.go PeerID,
// networking/ragedisco/address.go), read at the version the pinned Chainlink release builds with.
import bs58 from "bs58";
import type { Reader } from "../../stacks/validate";
import { PORTS } from "./ports";

export interface P2pSettings {
    /** The TCP port ragep2p listens on and the shared public address forwards. */
    port: number;
    /** `[P2P.V2] DefaultBootstrappers`: PeerID@host:port[/host:port...] each. */
    bootstrappers: string[];
}

export const P2P_DEFAULTS: P2pSettings = { port: PORTS.p2p, bootstrappers: [] };

/**
 * Ports the node may listen on: not the privileged ones (the image's user binds none), not the web server's.
 */
export const P2P_PORT = { min: 1024, max: 65535 } as const;

/** libp2p's encoding of an Ed25519 peer ID, the only kind ragep2p accepts: identity multihash, key type 1, 32 bytes. */
const PEER_ID_PREFIX = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
const PEER_ID_BYTES = PEER_ID_PREFIX.length + 32;

/** Why ragep2p would refuse a peer ID (it base58-decodes it and wants the Ed25519 form), or undefined. */
export function peerIdProblem(peerId: string): string | undefined {
    let bytes: Uint8Array;
    try {
        bytes = bs58.decode(peerId);
    } catch {
        return `peer ID "${peerId}" is not base58`;
    }
    if (bytes.length !== PEER_ID_BYTES || PEER_ID_PREFIX.some((b, i) => bytes[i] !== b)) {
        return `peer ID "${peerId}" is not an Ed25519 libp2p peer ID (12D3KooW…), the only kind OCR peers have`;
    }
    return undefined;
}

/** host:port as Go's net.SplitHostPort takes it, with a port number ragep2p can dial. */
function hostPortProblem(address: string): string | undefined {
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]/@\s]+)):(\d{1,5})$/.exec(address);
    if (!m) return `address "${address}" is not host:port (an IPv6 host in brackets)`;
    const port = Number(m[3]);
    if (port < 1 || port > 65535) return `address "${address}" has port ${port}, outside 1-65535`;
    return undefined;
}

/**
 * Why libocr would refuse a bootstrapper locator, PeerID@host:port with more addresses after slashes
 * (BootstrapperLocator.UnmarshalText: one @, a valid peer ID, each address net.SplitHostPort's), or undefined.
 * A bootstrapper's host may be a name.
 */
export function bootstrapperProblem(locator: string): string | undefined {
    const parts = locator.split("@");
    if (parts.length !== 2) return "not PeerID@host:port: libocr expects one @ between the bootstrapper's peer ID and its addresses";
    const [peerId, joined] = parts;
    const peer = peerIdProblem(peerId);
    if (peer) return peer;
    if (joined === "") return "no address after the @: name the bootstrapper's host:port";
    for (const address of joined.split("/")) {
        const problem = hostPortProblem(address);
        if (problem) return problem;
    }
    return undefined;
}

/** The announce address ragep2p accepts: an IP and a port, never a name (ragedisco isValidForAnnouncement). */
export function announceAddress(ip: string, port: number): string {
    return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Reads the `chainlink.p2p` object of a stack file. */
export function readP2pSettings(r: Reader): P2pSettings {
    const port = r.integer("port", P2P_PORT.min, P2P_PORT.max, P2P_DEFAULTS.port);
    if (port === PORTS.http) r.problem("port", port, `not ${PORTS.http}, the web server's port; the default is ${P2P_DEFAULTS.port}`);
    const raw = r.value("bootstrappers");
    const bootstrappers: string[] = [];
    if (raw !== undefined && raw !== null) {
        if (!Array.isArray(raw)) r.problem("bootstrappers", raw, "a list of PeerID@host:port locators");
        else raw.forEach((item, i) => {
            const problem = typeof item === "string" ? bootstrapperProblem(item) : "a PeerID@host:port locator string";
            if (problem) r.problem(`bootstrappers[${i}]`, item, problem);
            else bootstrappers.push(item);
        });
    }
    r.rejectUnknown();
    return { port, bootstrappers };
}
