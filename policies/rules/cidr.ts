// Which source address block is the whole internet. Pure: the pack reports a world-open rule with it, and the
// program's configuration (components/topology/cidrs.ts) refuses a world-open allowlist with the same code, so
// both judge a block the same way.

/** Whether a CIDR block is the whole address space (0.0.0.0/0, ::/0 or any other /0). */
export function isWorld(cidr: string): boolean {
    return /\/0$/.test(cidr.trim());
}
