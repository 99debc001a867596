// Nothing runs as root. The images this project runs (kubo, ipfs-cluster, the Ceramic daemons) start as root
// and only drop privileges themselves, so a container without an explicit uid runs as root: one escaped
// process then owns the task or the VM.
import { ContainerRunner, containersOf, rendersPublishedSpecs } from "./containers";
import { resourcePolicy } from "./policy";
import { CONTAINER_TYPES } from "./types";
import { describe, isUnknown } from "./values";

/** Capabilities that amount to root on the host. */
const ROOT_CAPABILITIES = ["ALL", "SYS_ADMIN"];

const SET_USER: Record<ContainerRunner, string> = {
    ecs: 'Set "user": "<uid>:<gid>" in the container definition with a non-zero numeric uid (e.g. "1000:100")',
    gce: "Add --user <uid>:<gid> with a non-zero numeric uid (e.g. --user 1000:100) to the docker run",
    docker: 'Set user: "<uid>:<gid>" with a non-zero numeric uid (e.g. "1000:100")',
    service: "Give the container's spec a user { uid, gid } with a non-zero uid (e.g. { uid: 1000, gid: 100 })",
};

/** Why a user value is not an explicit non-zero uid, or undefined when it is one. */
function userProblem(user: string | undefined): string | undefined {
    if (user === undefined) return "has no user, so it runs as the image's default user: root for these images";
    const uid = user.split(":")[0].trim();
    if (/^\d+$/.test(uid)) return Number(uid) === 0 ? `runs as user "${user}": uid 0 is root` : undefined;
    return `runs as user "${user}", a name rather than a numeric uid: a name can be (or later become) root and cannot be checked`;
}

export const containersRunAsNonRoot = resourcePolicy<object>({
    name: "containers-run-as-non-root",
    description:
        "Every container runs with an explicit non-zero numeric uid and without privileged mode or root-equivalent capabilities. The " +
        "node images start as root when no user is given, so an escaped or compromised process would own the task or VM and the data " +
        "volumes. Checks ECS container definitions, every `docker run` in a GCE VM's cloud-init or startup script, docker containers, " +
        "and the container specs a zonal service publishes (known in the preview of a new stack, where its task definition or VM is not).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Give every container a user \"<uid>:<gid>\" with a non-zero uid (ECS `user`, `docker run --user`, docker `user`, a zonal " +
        "service's container spec `user`) matching " +
        "the owner of its volumes; remove privileged and --cap-add=ALL/SYS_ADMIN.",
    types: CONTAINER_TYPES,
    check(r, _config, report) {
        const found = containersOf(r.type, r.props);
        if (isUnknown(found)) return;
        // A zonal service's task definition or VM runs its published specs: their users are judged on the service.
        const userJudgedOnService = rendersPublishedSpecs(r.urn);
        for (const c of found.containers) {
            if (!isUnknown(c.user) && !userJudgedOnService) {
                const problem = userProblem(c.user);
                if (problem) report(`${describe(r)}: ${c.label} ${problem}. ${SET_USER[c.runner]}.`);
            }
            if (c.privileged === true) {
                report(
                    `${describe(r)}: ${c.label} is privileged, which gives it every capability and the host's devices: root on the host. ` +
                        `Remove ${c.runner === "gce" ? "--privileged" : "privileged"}.`,
                );
            }
            const rootCaps = (Array.isArray(c.capAdd) ? c.capAdd : []).filter(cap =>
                ROOT_CAPABILITIES.includes(cap.trim().toUpperCase().replace(/^CAP_/, "")),
            );
            if (rootCaps.length > 0) {
                report(
                    `${describe(r)}: ${c.label} adds the capability ${rootCaps.join(", ")}, which is as good as root on the host. ` +
                        "Remove it and add only the narrow capability the process needs.",
                );
            }
        }
    },
});
