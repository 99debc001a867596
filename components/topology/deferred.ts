// A promise settled from outside: a workload's children wait on values (peer IDs, addresses) that the
// workload learns only after declaring them.
export interface Deferred<T> {
    promise: Promise<T>;
    resolve(value: T): void;
    reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    // Whoever waits on it sees the failure; nothing else must report it as unhandled.
    promise.catch(() => undefined);
    return { promise, resolve, reject };
}
