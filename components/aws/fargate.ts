// Fargate accepts only certain task sizes. The table is written once, from the ECS task definition
// documentation ("Task CPU and memory"), in the order that makes the first fit the cheapest.

export interface FargateSize {
    /** CPU units: 1024 = 1 vCPU. */
    cpu: number;
    memoryMiB: number;
}

function range(from: number, to: number, step: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
}

const GiB = 1024;

/** Every valid Fargate (Linux) task size, by CPU, then memory, ascending. */
export const FARGATE_SIZES: readonly FargateSize[] = [
    ...[512, 1024, 2048].map(memoryMiB => ({ cpu: 256, memoryMiB })),
    ...range(1 * GiB, 4 * GiB, GiB).map(memoryMiB => ({ cpu: 512, memoryMiB })),
    ...range(2 * GiB, 8 * GiB, GiB).map(memoryMiB => ({ cpu: 1024, memoryMiB })),
    ...range(4 * GiB, 16 * GiB, GiB).map(memoryMiB => ({ cpu: 2048, memoryMiB })),
    ...range(8 * GiB, 30 * GiB, GiB).map(memoryMiB => ({ cpu: 4096, memoryMiB })),
    ...range(16 * GiB, 60 * GiB, 4 * GiB).map(memoryMiB => ({ cpu: 8192, memoryMiB })),
    ...range(32 * GiB, 120 * GiB, 8 * GiB).map(memoryMiB => ({ cpu: 16384, memoryMiB })),
];

/** CPU units for a vCPU figure, rounded up so a container never gets less than it asked for. */
export function cpuUnits(vcpu: number): number {
    return Math.ceil(vcpu * 1024);
}

/**
 * The smallest Fargate task that holds containers needing `vcpu` and `memoryMiB` in total. CPU is the
 * expensive dimension, so the smallest CPU that fits wins, then the smallest memory at that CPU.
 */
export function fargateTaskSize(vcpu: number, memoryMiB: number): FargateSize {
    const cpu = cpuUnits(vcpu);
    const fit = FARGATE_SIZES.find(s => s.cpu >= cpu && s.memoryMiB >= memoryMiB);
    if (!fit) {
        const largest = FARGATE_SIZES[FARGATE_SIZES.length - 1];
        throw new Error(
            `no Fargate task size holds ${vcpu} vCPU and ${memoryMiB} MiB; the largest is ${largest.cpu / 1024} vCPU and ${largest.memoryMiB} MiB`,
        );
    }
    return fit;
}
