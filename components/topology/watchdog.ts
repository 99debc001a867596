// The watchdog of an "http" liveness, on every back-end that cannot probe a service itself (ECS, a Docker
// engine): a container with curl and a POSIX shell that probes the liveness over the service's own loopback
// and, after the failures the liveness allows, does what its back-end needs to replace what is broken.
import { LIVENESS_PROBE, Liveness, RunAs } from "./index";
import { CURL_IMAGE } from "./images";

/** The watchdog's image and user: curl and a POSIX shell, nothing else. */
export const LIVENESS_WATCHDOG_IMAGE = CURL_IMAGE.image;
export const LIVENESS_WATCHDOG_USER: RunAs = CURL_IMAGE.user;
/** The watchdog's container name; no workload container may take it. */
export const LIVENESS_WATCHDOG_NAME = "liveness";

export interface ProbeTiming {
    intervalSeconds: number;
    timeoutSeconds: number;
    failures: number;
}

/** What the watchdog says and does once the liveness has failed `failures` times in a row. */
export interface WhenBroken {
    /** The header comment's subject: "this task", "container kubo". */
    subject: string;
    /** The line it logs. */
    message: string;
    /** The shell command it runs: `exit 1`, or a function of `functions`. */
    command: string;
    /** Shell lines before the loop: the functions `command` calls. */
    functions?: string[];
}

/**
 * The watchdog's script: waits the liveness's grace, then GETs the URL every interval; an answer other than
 * 200 (curl follows no redirect; "000" when nothing answers in time) is a failure, and `failures` in a row run
 * `broken.command` (again every interval while failures go on, when the command does not end the script).
 * SIGTERM or SIGINT end it at once with status 0, so it never holds up a stop.
 */
export function watchdogScript(liveness: Extract<Liveness, { kind: "http" }>, broken: WhenBroken, timing: ProbeTiming = LIVENESS_PROBE): string {
    const url = `http://127.0.0.1:${liveness.port}${liveness.path}`;
    const quotedUrl = `'${url.replace(/'/g, `'\\''`)}'`;
    const shown = (text: string) => text.replace(/["$`\\]/g, "\\$&");
    return [
        `# Liveness of ${broken.subject}: GET ${url} must answer 200; ${timing.failures} failures in a row and ${broken.command}.`,
        "trap 'exit 0' TERM INT",
        ...(broken.functions ?? []),
        `sleep ${liveness.gracePeriodSeconds} & wait $!`,
        "failures=0",
        "while :; do",
        `  status="$(curl --silent --output /dev/null --max-time ${timing.timeoutSeconds} --write-out '%{http_code}' ${quotedUrl})"`,
        '  if [ "$status" = 200 ]; then',
        "    failures=0",
        "  else",
        "    failures=$((failures + 1))",
        `    echo "liveness: GET ${shown(url)} answered \${status:-nothing} (\${failures} of ${timing.failures})" >&2`,
        `    if [ "$failures" -ge ${timing.failures} ]; then`,
        `      echo "liveness: ${shown(broken.message)}" >&2`,
        `      ${broken.command}`,
        "    fi",
        "  fi",
        `  sleep ${timing.intervalSeconds} & wait $!`,
        "done",
        "",
    ].join("\n");
}
