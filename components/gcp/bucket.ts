// A private, versioned Cloud Storage bucket: overwritten or deleted objects stay recoverable for the
// stack's backup window.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { Bucket, BucketArgs, COMPONENT_TYPES, DATA_PROTECTION } from "../topology";
import { GcpEnv, afterApis, gcpName } from "./shared";

/** Cloud Storage's S3-interoperable XML API; S3 clients use it with an HMAC key. */
export const GCS_S3_ENDPOINT = "https://storage.googleapis.com";
/** The region S3 clients sign for: Cloud Storage's XML API accepts "auto" for a bucket anywhere. */
export const GCS_S3_REGION = "auto";
/** Cloud Storage accepts a soft-delete window of 7 to 90 days. */
export const SOFT_DELETE_DAYS = { min: 7, max: 90 } as const;
const SECONDS_PER_DAY = 86_400;

export function softDeleteSeconds(days: number): number {
    return Math.min(SOFT_DELETE_DAYS.max, Math.max(SOFT_DELETE_DAYS.min, days)) * SECONDS_PER_DAY;
}

/** Bucket names are global across all of Cloud Storage; the project ID (itself globally unique) leads. */
export function bucketName(project: string, prefix: string, name: string): string {
    return gcpName([project, prefix, name]);
}

export class GcpBucket extends pulumi.ComponentResource implements Bucket {
    readonly bucketName: pulumi.Output<string>;
    readonly s3Endpoint = GCS_S3_ENDPOINT;
    readonly s3Region = GCS_S3_REGION;
    /** What IAM bindings name. */
    readonly bucket: gcp.storage.Bucket;

    constructor(name: string, args: BucketArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.bucket, name, {}, opts);
        const noncurrentDays = args.noncurrentVersionDays ?? env.context.backupRetentionDays;
        if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
            throw new Error(`bucket ${name}: noncurrentVersionDays ${noncurrentDays} must be a whole number of days, at least 1`);
        }
        const bucket = new gcp.storage.Bucket(`${name}-bucket`, {
            name: bucketName(env.project, env.context.prefix, name),
            location: env.region.toUpperCase(),
            storageClass: "STANDARD",
            versioning: { enabled: true },
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            forceDestroy: false,
            lifecycleRules: [{
                action: { type: "Delete" },
                condition: { daysSinceNoncurrentTime: noncurrentDays, withState: "ARCHIVED" },
            }],
            softDeletePolicy: { retentionDurationSeconds: softDeleteSeconds(noncurrentDays) },
        }, { ...afterApis(env, this, "storage"), ...DATA_PROTECTION });
        this.bucket = bucket;
        this.bucketName = bucket.name;
        this.registerOutputs({ bucketName: this.bucketName });
    }
}
