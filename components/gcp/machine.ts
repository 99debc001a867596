// The machine a service's instance runs on: the smallest E2 type that holds its containers and the OS.
import { Profile } from "../topology";

export interface MachineType {
    name: string;
    /** vCPUs the containers can count on. */
    vcpu: number;
    memoryMiB: number;
    /** Shares a physical core: bursts above its share only while credits last. */
    sharedCore?: boolean;
}

/** Predefined E2 types, smallest first. */
export const E2_MACHINE_TYPES: readonly MachineType[] = [
    // Two vCPUs that together are entitled to one core's time.
    { name: "e2-medium", vcpu: 1, memoryMiB: 4096, sharedCore: true },
    { name: "e2-standard-2", vcpu: 2, memoryMiB: 8192 },
    { name: "e2-standard-4", vcpu: 4, memoryMiB: 16384 },
    { name: "e2-standard-8", vcpu: 8, memoryMiB: 32768 },
    { name: "e2-standard-16", vcpu: 16, memoryMiB: 65536 },
    { name: "e2-standard-32", vcpu: 32, memoryMiB: 131072 },
];

/** E2 custom shapes: an even number of vCPUs up to 32, 0.5 to 8 GiB per vCPU, at most 128 GiB, in 256 MiB steps. */
export const E2_CUSTOM = { minVcpu: 2, maxVcpu: 32, minMiBPerVcpu: 512, maxMiBPerVcpu: 8192, maxMemoryMiB: 131072, memoryStepMiB: 256 } as const;

/** What Container-Optimized OS, Docker, the logging agent and the page cache need besides the containers. */
export const OS_HEADROOM = { vcpu: 0.25, memoryMiB: 768 } as const;

export interface ResourceDemand {
    cpu: number;
    memoryMiB: number;
}

/** The containers' sum plus the OS headroom. */
export function instanceDemand(containers: ResourceDemand[]): ResourceDemand {
    return {
        cpu: containers.reduce((sum, c) => sum + c.cpu, 0) + OS_HEADROOM.vcpu,
        memoryMiB: containers.reduce((sum, c) => sum + c.memoryMiB, 0) + OS_HEADROOM.memoryMiB,
    };
}

/** The smallest E2 custom shape that fits, or undefined past E2's limits. */
export function customMachineType(demand: ResourceDemand): MachineType | undefined {
    const even = (n: number) => Math.max(E2_CUSTOM.minVcpu, 2 * Math.ceil(n / 2));
    let vcpu = even(demand.cpu);
    // Memory-heavy shapes need more vCPUs to stay within 8 GiB per vCPU.
    vcpu = Math.max(vcpu, even(demand.memoryMiB / E2_CUSTOM.maxMiBPerVcpu));
    const step = E2_CUSTOM.memoryStepMiB;
    const memoryMiB = Math.max(Math.ceil(demand.memoryMiB / step) * step, vcpu * E2_CUSTOM.minMiBPerVcpu);
    if (vcpu > E2_CUSTOM.maxVcpu || memoryMiB > E2_CUSTOM.maxMemoryMiB) return undefined;
    return { name: `e2-custom-${vcpu}-${memoryMiB}`, vcpu, memoryMiB };
}

/**
 * The smallest predefined E2 type that fits the demand; a custom shape instead when it needs fewer vCPUs
 * (memory-heavy demands, where the next predefined type would double the vCPUs just to get the memory).
 * Shared-core types only outside prod: a node that must keep up with its network cannot run on credits.
 */
export function machineTypeFor(containers: ResourceDemand[], profile: Profile): MachineType {
    const demand = instanceDemand(containers);
    const predefined = E2_MACHINE_TYPES.find(t => (profile !== "prod" || !t.sharedCore) && t.vcpu >= demand.cpu && t.memoryMiB >= demand.memoryMiB);
    const custom = customMachineType(demand);
    if (custom && (!predefined || custom.vcpu < predefined.vcpu)) return custom;
    if (predefined) return predefined;
    throw new Error(`no E2 machine holds ${demand.cpu} vCPU and ${demand.memoryMiB} MiB (containers plus ${OS_HEADROOM.vcpu} vCPU and ${OS_HEADROOM.memoryMiB} MiB for the OS); the largest is ${E2_CUSTOM.maxVcpu} vCPU and ${E2_CUSTOM.maxMemoryMiB / 1024} GiB`);
}
