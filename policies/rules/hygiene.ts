// Advisory rules: what makes a deployment reproducible and diagnosable, and a production database steady.
import { containersOf, rendersPublishedSpecs } from "./containers";
import { isPinnedImage } from "./imageReference";
import { Inspected, resourcePolicy } from "./policy";
import * as settings from "./settings";
import { CONTAINER_TYPES, T } from "./types";
import { at, describe, isUnknown, num, str } from "./values";

export const imagesPinned = resourcePolicy<object>({
    name: "images-pinned",
    description:
        "Container images are pinned to a version tag or a digest: not `latest`, not untagged, not a `-root` variant (Chainlink's " +
        "root-running images). A moving tag changes the software under a running node at the next restart, differently in each zone.",
    enforcementLevel: "advisory",
    remediationSteps: "Reference images as repository:version or repository@sha256:digest.",
    types: [...CONTAINER_TYPES, T.dockerRemoteImage],
    check(r, _config, report) {
        if (r.type === T.dockerRemoteImage) {
            const name = str(r.props.name);
            if (typeof name === "string" && !isPinnedImage(name)) report(`${describe(r)}: name "${name}" is not pinned to a version. Use repository:version or @sha256:digest.`);
            return;
        }
        // A zonal service's task definition or VM runs its published specs: their images are judged on the service.
        if (rendersPublishedSpecs(r.urn)) return;
        const found = containersOf(r.type, r.props);
        if (isUnknown(found)) return;
        for (const c of found.containers) {
            if (typeof c.image === "string" && !isPinnedImage(c.image)) {
                report(`${describe(r)}: ${c.label} uses image "${c.image}", which is not pinned to a version. Use repository:version or @sha256:digest (not latest, not -root).`);
            }
        }
    },
});

export const logRetentionSet = resourcePolicy<object>({
    name: "log-retention-set",
    description:
        "Log groups and log buckets keep logs for a set number of days: unset, CloudWatch keeps them forever (and bills for them), and " +
        "an operator cannot tell how far back an incident can be investigated.",
    enforcementLevel: "advisory",
    remediationSteps: "Set retentionInDays (CloudWatch log groups) or retentionDays (GCP log buckets) to the stack's logRetentionDays.",
    types: [T.logGroup, T.logBucket],
    check(r, _config, report) {
        const property = r.type === T.logGroup ? "retentionInDays" : "retentionDays";
        const days = num(r.props[property]);
        if (isUnknown(days)) return;
        if (days === undefined || days <= 0) {
            report(`${describe(r)}: ${property} is ${days === undefined ? "not set" : days}, so logs are kept ${r.type === T.logGroup ? "forever" : "for the default period"}. Set ${property} to the retention the stack needs.`);
        }
    },
});

/** Database classes that run on shared or burstable CPU: their credits run out under steady load. */
const BURSTABLE_DATABASE_CLASSES = [/^db\.t\d/, /^db-(f1-micro|g1-small)$/, /(^|-)e2-(micro|small|medium)$/];

interface ProfileConfig {
    profile?: "dev" | "prod" | "local";
}

/** The stack's profile: the policy's config, else the stack tag `profile`, else prod (so the check runs unless told otherwise). */
export function profileOf(r: Pick<Inspected, "stackTags">, config: ProfileConfig): string {
    return config.profile ?? r.stackTags.get("profile") ?? "prod";
}

export const noBurstableDatabasesInProd = resourcePolicy<ProfileConfig>({
    name: "no-burstable-databases-in-prod",
    description:
        "A production database does not run on a burstable or shared-core class (db.t*, db-f1-micro, db-g1-small, e2-micro/small/medium): " +
        "when CPU credits run out under a steady Chainlink load, queries stall, the node's lease lock expires and jobs miss their deadlines.",
    enforcementLevel: "advisory",
    remediationSteps: "Use a general-purpose or memory-optimised class (e.g. db.r6g.large, db-custom-2-7680) in prod stacks.",
    configSchema: { properties: { profile: settings.profile } },
    types: [T.rdsInstance, T.rdsClusterInstance, T.rdsCluster, T.cloudSql],
    check(r, config, report) {
        if (profileOf(r, config) !== "prod") return;
        const property = r.type === T.cloudSql ? "settings.tier" : r.type === T.rdsCluster ? "dbClusterInstanceClass" : "instanceClass";
        const value = str(r.type === T.cloudSql ? at(r.props, "settings", "tier") : r.props[property]);
        if (typeof value !== "string" || !BURSTABLE_DATABASE_CLASSES.some(p => p.test(value))) return;
        report(`${describe(r)}: ${property} is ${value}, a burstable class, in a prod stack. Use a general-purpose or memory-optimised class.`);
    },
});
