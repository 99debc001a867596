// How the kubo daemons of a cluster reach each other: over the stack's private network, never out through NAT and
// back in through their public load balancers. Each kubo peers (Peering.Peers) with the kubo of the peers placed
// just before it, at their private names, and its connection gater lets the stack's own range through while
// still refusing the private ranges of everyone else.
import { PORTS } from "./ports";

/** How another peer's kubo is reached inside the stack. */
export interface KuboPeerRef {
    /** The peer's stable private DNS name. */
    hostname: string;
    kuboPeerId: string;
}

/**
 * The ranges kubo's `server` profile puts in both Addresses.NoAnnounce and Swarm.AddrFilters: private,
 * loopback, link-local, documentation and reserved (kubo@v0.42.0 config/profile.go defaultServerFilters). kubo
 * applies a profile at init only, and repos initialised by earlier versions of this program had both lists
 * emptied; the start script writes them whole on every start.
 */
export const SERVER_PROFILE_FILTERS = [
    "/ip4/10.0.0.0/ipcidr/8",
    "/ip4/100.64.0.0/ipcidr/10",
    "/ip4/127.0.0.0/ipcidr/8",
    "/ip4/169.254.0.0/ipcidr/16",
    "/ip4/172.16.0.0/ipcidr/12",
    "/ip4/192.0.0.0/ipcidr/24",
    "/ip4/192.0.2.0/ipcidr/24",
    "/ip4/192.168.0.0/ipcidr/16",
    "/ip4/198.18.0.0/ipcidr/15",
    "/ip4/198.51.100.0/ipcidr/24",
    "/ip4/203.0.113.0/ipcidr/24",
    "/ip4/240.0.0.0/ipcidr/4",
    "/ip6/::/ipcidr/3",
    "/ip6/::1/ipcidr/128",
    "/ip6/100::/ipcidr/64",
    "/ip6/2001:2::/ipcidr/48",
    "/ip6/2001:db8::/ipcidr/32",
    "/ip6/fc00::/ipcidr/7",
    "/ip6/fe80::/ipcidr/10",
] as const;

interface Ip4Range {
    start: number;
    bits: number;
}

function ip4Range(address: string, bits: number): Ip4Range {
    const octets = address.split(".").map(Number);
    if (octets.length !== 4 || octets.some(o => !Number.isInteger(o) || o < 0 || o > 255) || !Number.isInteger(bits) || bits < 0 || bits > 32) {
        throw new Error(`"${address}/${bits}" is not an IPv4 network`);
    }
    const value = octets.reduce((n, o) => n * 256 + o, 0);
    const size = 2 ** (32 - bits);
    return { start: value - (value % size), bits };
}

function ip4Filter(r: Ip4Range): string {
    const octets = [24, 16, 8, 0].map(shift => Math.floor(r.start / 2 ** shift) % 256);
    return `/ip4/${octets.join(".")}/ipcidr/${r.bits}`;
}

const contains = (outer: Ip4Range, inner: Ip4Range) =>
    outer.bits <= inner.bits && inner.start >= outer.start && inner.start < outer.start + 2 ** (32 - outer.bits);

/** `filter` less `own`: the halves of `filter` that do not hold `own`, down to `own`'s size. */
function without(filter: Ip4Range, own: Ip4Range): Ip4Range[] {
    if (contains(own, filter)) return [];
    if (!contains(filter, own)) return [filter];
    const pieces: Ip4Range[] = [];
    let rest = filter;
    while (rest.bits < own.bits) {
        const half = { start: rest.start, bits: rest.bits + 1 };
        const other = { start: rest.start + 2 ** (32 - half.bits), bits: half.bits };
        const [holding, free] = contains(half, own) ? [half, other] : [other, half];
        pieces.push(free);
        rest = holding;
    }
    return pieces.sort((a, b) => a.start - b.start);
}

/**
 * Swarm.AddrFilters for a kubo in the stack's private network `cidr` (IPv4, e.g. 10.40.0.0/16): the `server`
 * profile's ranges with that network cut out. kubo turns each entry into a deny rule of its connection gater,
 * which refuses dials to and connections from any address inside it (kubo@v0.42.0 core/node/libp2p/addrs.go
 * AddrFilters, filters.go filtersConnectionGater): left whole, 10.0.0.0/8 would refuse the peers' private
 * addresses. A deny list takes no exception, so the range around the network is split into the pieces beside it.
 */
export function addrFiltersAllowing(...cidrs: string[]): string[] {
    const owns = cidrs.map(cidr => {
        const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
        if (!m) throw new Error(`network cidr "${cidr}" is not an IPv4 network`);
        return ip4Range(m[1], Number(m[2]));
    });
    return SERVER_PROFILE_FILTERS.flatMap(filter => {
        const v4 = /^\/ip4\/([\d.]+)\/ipcidr\/(\d+)$/.exec(filter);
        if (!v4) return [filter];
        return owns.reduce((pieces, own) => pieces.flatMap(piece => without(piece, own)), [ip4Range(v4[1], Number(v4[2]))]).map(ip4Filter);
    });
}

/**
 * Addresses.NoAnnounce for a kubo that announces `announced`: the `server` profile's ranges, less each announced
 * IPv4 address. kubo drops from what it announces, Announce included, every address inside a NoAnnounce range
 * (kubo@v0.42.0 core/node/libp2p/addrs.go makeAddrsFactory): a public address passes untouched, and a stack
 * that announces a private or loopback one (the local Docker engine's 127.0.0.1) keeps it.
 */
export function noAnnounceAllowing(announced: readonly string[]): string[] {
    const ips = [...new Set(announced.flatMap(a => /^\/ip4\/([\d.]+)\//.exec(a)?.[1] ?? []))];
    return addrFiltersAllowing(...ips.map(ip => `${ip}/32`));
}

/**
 * The most peers a kubo peers with. Peering protects a connection from the connection manager and redials it
 * for ever (kubo@v0.42.0 docs/config.md `Peering`); a kubo dials this many peers and is dialled by as many.
 */
export const PEERING_NEIGHBOURS = 64;

/**
 * The peers peer `self` peers with: the PEERING_NEIGHBOURS placed just before it. Like the cluster's bootstrap
 * list (./membership.ts), it depends on `self` alone, so adding a peer changes no other peer; a pair is joined
 * by its later peer, which protects the connection and redials it, and blocks flow both ways over it. In a
 * cluster of up to PEERING_NEIGHBOURS + 1 peers every pair is joined; in a larger one, each peer with its
 * neighbours by index, which round-robin placement spreads over every zone, and any other as IPFS peers find
 * each other.
 */
export function peeringIndices(self: number): number[] {
    const first = Math.max(0, self - PEERING_NEIGHBOURS);
    return Array.from({ length: self - first }, (_, k) => first + k);
}

/** A kubo peer's swarm address at its private name: what peering dials, inside the stack's network. */
export function privateSwarmAddress(hostname: string): string {
    return `/dns4/${hostname}/tcp/${PORTS.kuboSwarm}`;
}

/**
 * Peering.Peers as kubo reads it: a JSON list of libp2p AddrInfo, {"ID": peer ID, "Addrs": [multiaddresses]}
 * (kubo@v0.42.0 config/peering.go; docs/config.md `Peering.Peers`).
 */
export function peeringPeers(peers: readonly KuboPeerRef[]): string {
    return JSON.stringify(peers.map(p => ({ ID: p.kuboPeerId, Addrs: [privateSwarmAddress(p.hostname)] })));
}
