// Both daemons of a peer, kubo and ipfs-cluster-service, are Go programs. Go's garbage collector knows nothing of
// the container's memory limit unless told: without GOMEMLIMIT a daemon lets its heap grow to twice what it keeps
// before collecting, and the container is killed for memory it could have freed. Every Go program reads GOMEMLIMIT at start
// (go.dev/doc/gc-guide, "Memory limit"; kubo@v0.42.0 docs/config.md Swarm.ResourceMgr.MaxMemory recommends it).
import { ContainerSpec } from "../topology";

/**
 * The share of the container's memory the Go runtime aims to stay under: the rest is the headroom for what it
 * does not count (the start script, thread stacks outside the heap, the kernel's page cache charged to the
 * container) before the container's hard limit.
 */
export const GO_MEMORY_LIMIT_SHARE = 0.85;

/** GOMEMLIMIT for a container of `memoryMiB`, in the units Go parses ("1305MiB"). */
export function goMemoryLimit(memoryMiB: number): string {
    return `${Math.floor(memoryMiB * GO_MEMORY_LIMIT_SHARE)}MiB`;
}

/** The container with GOMEMLIMIT set from its own memory: the one place a Go daemon's limit is derived. */
export function withGoMemoryLimit(container: ContainerSpec): ContainerSpec {
    return { ...container, env: { ...container.env, GOMEMLIMIT: goMemoryLimit(container.memoryMiB) } };
}
