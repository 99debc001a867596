// One writer per volume, enforced on the volume itself. A scheduler may start a container's replacement
// while the old one still writes: ECS counts only RUNNING and PENDING tasks against maximumPercent, so a
// task that is DEACTIVATING or STOPPING still has its EFS mount while the new one starts
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html; botocore
// ecs/2014-11-13 DeploymentConfiguration.maximumPercent), and a VM that lost its instance leaves no word on
// its disk. So every container that mounts a volume starts through this fence: a POSIX sh script, the same
// on both clouds, wrapped around the container's own start by the back-ends.
//
// The lease is a file on each volume holding "<owner> <counter>". Its holder rewrites it every heartbeat. A
// new container judges the holder gone when the lease stays the same for `staleHeartbeats` heartbeats in a
// row: by a change of content, never by a clock, since the clients of one file system keep different clocks.
// Only then does it take the lease and remove the locks a killed writer left. A holder that finds its lease
// taken kills its container's process at once: another writer has the volume. A clean stop releases the
// lease, so a restart does not wait.
import type { ContainerSpec, MountSpec, ZonalServiceArgs } from "./index";

/** What the fence needs of a mount: where it is in the container and the locks it may leave. */
export type FencedMount = Pick<MountSpec, "path" | "staleLocks">;

/** What the fence needs of a container. */
export interface FencedStart {
    name: string;
    entrypoint?: ContainerSpec["entrypoint"];
    mounts?: FencedMount[];
}

export interface FenceTiming {
    /** Seconds between two renewals of a lease, and between two looks at someone else's. */
    heartbeatSeconds: number;
    /** Looks at an unchanged lease after which its holder is judged gone. */
    staleHeartbeats: number;
}

/**
 * 5 s renewals; a lease unchanged for 150 s is stale. 150 s is longer than any back-end lets a stopping
 * container run after SIGTERM (ECS stopTimeout at most 120 s, botocore ecs ContainerDefinition.stopTimeout),
 * so a holder whose renewals stalled while the platform stopped it is dead before anyone takes over.
 */
export const FENCE_TIMING: FenceTiming = { heartbeatSeconds: 5, staleHeartbeats: 30 };

/** The lease file at the root of every fenced volume. */
export const LEASE_FILE = ".volume-lease";

/** The fence's name in process listings and its messages ($0 of the script). */
export const FENCE_NAME = "volume-fence";

/** Linux signal numbers: a shell that exits on signal N reports 128 + N. */
const SIGNAL_NUMBERS = { INT: 2, TERM: 15 } as const;

/** Ends a pause in progress: what a stop leaves behind of the fence is nothing. */
const STOP_PAUSE = 'if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null || true; fi';

/** The shell every image here has at this path (busybox ash in the kubo, cluster and go-ipfs images; dash in node's). */
const SHELL = "/bin/sh";

/** Mount paths and lock patterns the fence passes through sh words unquoted: no spaces, no quoting needed. */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const SAFE_LOCK_PATTERN = /^[A-Za-z0-9._*-]+(\/[A-Za-z0-9._*-]+)*$/;

/** Seconds a lease must stay unchanged before its holder is judged gone. */
export function staleAfterSeconds(timing: FenceTiming = FENCE_TIMING): number {
    return timing.heartbeatSeconds * timing.staleHeartbeats;
}

/**
 * The longest a new container waits for a dead writer before its own start runs: the stale window, the
 * heartbeat it checks its claim for, and one more for the first look.
 */
export function longestWaitSeconds(timing: FenceTiming = FENCE_TIMING): number {
    return staleAfterSeconds(timing) + 2 * timing.heartbeatSeconds;
}

/** A service whose liveness would replace it while its fence still waits out a dead writer's lease never starts. */
export function fenceLivenessProblems(name: string, args: Pick<ZonalServiceArgs, "containers" | "liveness">): string[] {
    const liveness = args.liveness;
    if (liveness?.kind !== "http" || !args.containers.some(c => (c.mounts ?? []).length > 0)) return [];
    return liveness.gracePeriodSeconds > longestWaitSeconds()
        ? []
        : [`service ${name}: liveness gracePeriodSeconds is ${liveness.gracePeriodSeconds}; its containers mount volumes, and the volume fence may wait ${longestWaitSeconds()} s for a dead writer's lease before they start, so give more than that`];
}

export function fenceTimingProblems(timing: FenceTiming): string[] {
    const problems: string[] = [];
    if (!(timing.heartbeatSeconds > 0) || !/^\d+(\.\d+)?$/.test(String(timing.heartbeatSeconds))) {
        problems.push(`volume fence: heartbeatSeconds is ${timing.heartbeatSeconds}; a positive number of seconds`);
    }
    // A new holder leaves its first lease unchanged for about two heartbeats (it checks its claim, then starts).
    if (!Number.isInteger(timing.staleHeartbeats) || timing.staleHeartbeats < 3) {
        problems.push(`volume fence: staleHeartbeats is ${timing.staleHeartbeats}; an integer of at least 3`);
    }
    return problems;
}

/** Every problem that keeps a container from starting through the fence, naming it. */
export function fenceProblems(c: FencedStart): string[] {
    const mounts = c.mounts ?? [];
    if (mounts.length === 0) return [];
    const where = `container ${c.name}`;
    const problems: string[] = [];
    if (!c.entrypoint || c.entrypoint.length === 0) {
        problems.push(`${where}: mounts a volume, so it starts through the volume fence, which must know what to start: give its entrypoint (and command) as its image declares them`);
    }
    for (const m of mounts) {
        if (!SAFE_PATH.test(m.path)) problems.push(`${where}: mount path "${m.path}" must be an absolute path of letters, digits, ".", "_", "-" and "/"`);
        for (const lock of m.staleLocks ?? []) {
            if (!SAFE_LOCK_PATTERN.test(lock) || lock.split("/").includes("..")) {
                problems.push(`${where}: stale lock "${lock}" of ${m.path} must be a path inside the volume of letters, digits, ".", "_", "-", "/" and "*"`);
            }
        }
    }
    return problems;
}

/** The fence's arguments for these mounts: its timing, each volume, each lock pattern as an absolute path. */
export function fenceArguments(mounts: FencedMount[], timing: FenceTiming = FENCE_TIMING): string[] {
    return [
        "--heartbeat", String(timing.heartbeatSeconds),
        "--stale-after", String(timing.staleHeartbeats),
        ...mounts.flatMap(m => ["--volume", m.path]),
        ...mounts.flatMap(m => (m.staleLocks ?? []).flatMap(lock => ["--stale-lock", `${m.path}/${lock}`])),
    ];
}

/**
 * What the container runs: its own entrypoint when it mounts nothing, else the fence, which runs that
 * entrypoint (the command follows it, as the platform appends it) once it holds every volume it mounts.
 */
export function fencedEntrypoint(c: FencedStart, timing: FenceTiming = FENCE_TIMING): string[] | undefined {
    const mounts = c.mounts ?? [];
    if (mounts.length === 0) return c.entrypoint;
    const problems = [...fenceProblems(c), ...fenceTimingProblems(timing)];
    if (problems.length > 0) throw new Error(`cannot fence its volumes:\n  - ${problems.join("\n  - ")}`);
    return [SHELL, "-c", volumeFenceScript(), FENCE_NAME, ...fenceArguments(mounts, timing), "--", ...c.entrypoint!];
}

/** The parts of an entrypoint made by fencedEntrypoint, or undefined for one that does not start through the fence. */
export function unwrapFence(entrypoint: string[] | undefined): { arguments: string[]; entrypoint: string[] } | undefined {
    if (!entrypoint || entrypoint[0] !== SHELL || entrypoint[1] !== "-c" || entrypoint[2] !== volumeFenceScript() || entrypoint[3] !== FENCE_NAME) return undefined;
    const end = entrypoint.indexOf("--", 4);
    if (end < 0) return undefined;
    return { arguments: entrypoint.slice(4, end), entrypoint: entrypoint.slice(end + 1) };
}

/**
 * The fence. POSIX sh with only builtins and cat, mv, rm and sleep, which busybox and Debian both have
 * (the kubo and ipfs-cluster images are busybox and alpine, go-ipfs-daemon busybox 1.31, js-ceramic node:20).
 * Arguments: [--heartbeat SECONDS] [--stale-after N] --volume DIR... [--stale-lock PATTERN]... -- COMMAND...
 *
 * It stays the container's first process rather than exec'ing the command, so that it can release the
 * leases when the command ends: it hands SIGTERM and SIGINT on to the command and waits for it. The renewals
 * run in a child of their own; they end with the command, and if they end first (the lease was taken) they
 * kill the command, so a writer never outlives its lease.
 */
export function volumeFenceScript(): string {
    return [
        "#!/bin/sh",
        "# One writer per volume: waits until no other container holds these volumes, takes them, removes the",
        "# locks a killed writer left, runs the container's own start and renews its leases while that runs.",
        "set -eu",
        "",
        "heartbeat=5",
        "stale_after=30",
        'volumes=""',
        'stale_locks=""',
        'while [ "$#" -gt 0 ]; do',
        '  case "$1" in',
        '    --heartbeat) heartbeat="$2" ;;',
        '    --stale-after) stale_after="$2" ;;',
        '    --volume) volumes="$volumes $2" ;;',
        '    --stale-lock) stale_locks="$stale_locks $2" ;;',
        "    --) shift; break ;;",
        '    *) echo "$0: unknown argument $1" >&2; exit 2 ;;',
        "  esac",
        "  shift 2",
        "done",
        'if [ -z "$volumes" ] || [ "$#" -eq 0 ]; then',
        '  echo "usage: $0 [--heartbeat SECONDS] [--stale-after N] --volume DIR... [--stale-lock PATTERN]... -- COMMAND..." >&2',
        "  exit 2",
        "fi",
        "",
        `lease_file=${LEASE_FILE}`,
        "# Unique to this start of this container: a restarted container is another holder.",
        'owner="$(cat /proc/sys/kernel/random/uuid)"',
        'child=""',
        'lease=""',
        "",
        "# pause: sleeps a heartbeat in a child, so that a stop signal ends the pause at once (the shell runs its",
        "# traps during wait) and the sleep with it.",
        'sleeper=""',
        "pause() {",
        '  sleep "$heartbeat" &',
        "  sleeper=$!",
        '  wait "$sleeper" || true',
        '  sleeper=""',
        "}",
        "",
        "# read_lease FILE: sets $lease to the lease's line (empty while its creator writes it); fails when there is none.",
        "read_lease() {",
        '  lease=""',
        '  [ -e "$1" ] || return 1',
        '  { IFS= read -r lease < "$1"; } 2>/dev/null || true',
        "}",
        "",
        "# holds FILE: whether FILE is this container's lease.",
        "holds() {",
        '  read_lease "$1" && [ "${lease%% *}" = "$owner" ]',
        "}",
        "",
        "# look: sets $seen to every volume's lease in one line and $present to how many volumes have one.",
        "look() {",
        '  seen=";"',
        "  present=0",
        "  for volume in $volumes; do",
        '    if read_lease "$volume/$lease_file"; then',
        '      seen="$seen$volume=$lease;"',
        "      present=$((present + 1))",
        "    else",
        '      seen="$seen$volume=-;"',
        "    fi",
        "  done",
        "}",
        "",
        "# release: removes the leases this container holds, and a renewal it left half done.",
        "release() {",
        "  for volume in $volumes; do",
        '    rm -f "$volume/$lease_file.$owner"',
        '    if holds "$volume/$lease_file"; then rm -f "$volume/$lease_file"; fi',
        "  done",
        "}",
        "",
        "# take JUDGED: creates every lease, each only if no one else has one (noclobber opens with O_EXCL), after",
        "# removing a lease that still reads as JUDGED saw it, that is as a stale one. Gives all back on failure.",
        "take() {",
        "  for volume in $volumes; do",
        '    if read_lease "$volume/$lease_file"; then',
        '      case "$1" in',
        '        *";$volume=$lease;"*) rm -f "$volume/$lease_file" ;;',
        "      esac",
        "    fi",
        `    if ! (set -C; printf '%s 0\\n' "$owner" > "$volume/$lease_file") 2>/dev/null; then`,
        "      release",
        "      return 1",
        "    fi",
        "  done",
        "}",
        "",
        "# confirmed: after a heartbeat, whether every lease is still this container's. Two containers that judged",
        "# the same lease stale may both have removed it; the one whose lease survived goes on, the other gives up.",
        "confirmed() {",
        "  pause",
        "  for volume in $volumes; do",
        '    if ! holds "$volume/$lease_file"; then',
        "      release",
        "      return 1",
        "    fi",
        "  done",
        "}",
        "",
        "# renew PID: rewrites the leases every heartbeat while PID runs. Fails as soon as a lease is not this",
        "# container's any more: another container judged it stale and took the volume.",
        "renew() {",
        "  beat=0",
        "  while :; do",
        "    pause",
        '    kill -0 "$1" 2>/dev/null || return 0',
        "    beat=$((beat + 1))",
        "    for volume in $volumes; do",
        '      file="$volume/$lease_file"',
        '      if ! read_lease "$file"; then',
        '        echo "$0: the lease on $volume was removed: another container is taking the volume over; stopping this one" >&2',
        "        return 1",
        "      fi",
        '      if [ -n "$lease" ] && [ "${lease%% *}" != "$owner" ]; then',
        '        echo "$0: $volume is held by another container now ($lease): stopping this one, which must not write to it" >&2',
        "        return 1",
        "      fi",
        "      # A rename replaces the lease in one step: a reader never sees half a line.",
        `      printf '%s %s\\n' "$owner" "$beat" > "$file.$owner" && mv -f "$file.$owner" "$file"`,
        "    done",
        "  done",
        "}",
        "",
        "# Before the command runs a stop ends the wait; once it runs, the stop is the command's to handle.",
        `trap 'release; ${STOP_PAUSE}' EXIT`,
        ...(["TERM", "INT"] as const).map(signal =>
            `trap 'if [ -n "$child" ]; then kill -${signal} "$child" 2>/dev/null || true; else exit ${128 + SIGNAL_NUMBERS[signal]}; fi' ${signal}`),
        "",
        'previous=""',
        "unchanged=0",
        "while :; do",
        "  look",
        '  if [ "$present" -eq 0 ]; then',
        '    if take "$seen"; then break; fi',
        '  elif [ "$seen" = "$previous" ]; then',
        "    unchanged=$((unchanged + 1))",
        '    if [ "$unchanged" -ge "$stale_after" ]; then',
        '      echo "$0: the lease on$volumes has not changed for $stale_after heartbeats: its holder is gone; taking over" >&2',
        '      if take "$seen" && confirmed; then break; fi',
        '      previous=""',
        "    fi",
        "  else",
        '    if [ -z "$previous" ]; then echo "$0: another container holds$volumes; waiting until it stops ($seen)" >&2; fi',
        '    previous="$seen"',
        "    unchanged=0",
        "  fi",
        "  pause",
        "done",
        "",
        "for volume in $volumes; do",
        "  # Renewals a killed holder left half done.",
        '  for stray in "$volume/$lease_file".*; do',
        '    if [ -e "$stray" ]; then rm -f "$stray"; fi',
        "  done",
        "done",
        "# This container holds every volume: a lock still there was left by a writer that is gone.",
        "for lock in $stale_locks; do",
        '  if [ -e "$lock" ]; then',
        '    echo "$0: removing $lock, left by a writer that is gone" >&2',
        '    rm -f "$lock"',
        "  fi",
        "done",
        "",
        '"$@" &',
        "child=$!",
        "(",
        "  trap - EXIT INT",
        `  trap '${STOP_PAUSE}; exit 0' TERM`,
        "  set +e",
        '  renew "$child" || kill -KILL "$child" 2>/dev/null',
        ") &",
        "renewer=$!",
        "# The command's own status, even when it has ended before this line: the shell keeps an ended job's status",
        "# for wait (POSIX wait), while kill -0 no longer finds a job the shell has already reaped. wait returns",
        "# early when a stop signal arrives; the command is then still stopping, so wait again until it is gone.",
        "while :; do",
        '  if wait "$child"; then status=0; else status=$?; fi',
        '  kill -0 "$child" 2>/dev/null || break',
        "done",
        'kill "$renewer" 2>/dev/null || true',
        'wait "$renewer" 2>/dev/null || true',
        'exit "$status"',
        "",
    ].join("\n");
}
