// Who a peer knows when it starts. A peer's definition (its task definition or instance template) holds the
// peers it dials, so that list must not depend on how many peers there are: adding a peer then changes that
// peer alone, and no other peer restarts.

/**
 * The peers peer `self` dials when it starts: those placed before it (lower index), at most `perZone` of each
 * zone, the first placed first. It depends on `self` and the placement alone, never on the peers after it. A
 * connection serves both ends, so every pair of peers that should be joined is joined by the later one, which
 * keeps redialling the earlier one by its stable name while it runs; peer 0 dials nobody and is dialled by all.
 */
export function peersKnownAtStart<P extends { zone: string }>(peers: readonly P[], self: number, perZone = Infinity): P[] {
    const taken = new Map<string, number>();
    const known: P[] = [];
    for (const peer of peers.slice(0, Math.max(0, self))) {
        const inZone = taken.get(peer.zone) ?? 0;
        if (inZone >= perZone) continue;
        taken.set(peer.zone, inZone + 1);
        known.push(peer);
    }
    return known;
}
