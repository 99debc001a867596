// An S3 bucket for state that must outlive the services: private, encrypted with KMS, versioned, reachable
// over TLS only, old versions kept for the backup window.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Bucket, BucketArgs, COMPONENT_TYPES, DATA_PROTECTION, Profile } from "../topology";
import { awsNamePrefix } from "./names";

export interface AwsBucketArgs extends BucketArgs {
    prefix: string;
    profile: Profile;
    region: string;
    dnsSuffix: string;
    backupRetentionDays: number;
}

export function bucketDefaults(name: string, args: AwsBucketArgs): { noncurrentVersionDays: number } {
    const noncurrentVersionDays = args.noncurrentVersionDays ?? args.backupRetentionDays;
    if (!Number.isInteger(noncurrentVersionDays) || noncurrentVersionDays < 1) {
        throw new Error(`bucket ${name}: noncurrentVersionDays is ${noncurrentVersionDays}; old versions are kept a whole number of days, at least 1`);
    }
    return { noncurrentVersionDays };
}

export function s3Endpoint(region: string, dnsSuffix: string): string {
    return `https://s3.${region}.${dnsSuffix}`;
}

/** Denies every request that does not come over TLS, whoever makes it. */
export function tlsOnlyPolicy(bucketArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
    });
}

export class AwsBucket extends pulumi.ComponentResource implements Bucket {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly s3Endpoint: string;
    readonly s3Region: string;

    constructor(name: string, args: AwsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        const { noncurrentVersionDays } = bucketDefaults(name, args);
        // Only the bucket holds data; its settings are replaced or removed on their own.
        super(COMPONENT_TYPES.bucket, name, {}, opts);
        const parent = { parent: this };

        const bucket = new aws.s3.Bucket(`${name}-bucket`, {
            bucketPrefix: awsNamePrefix("s3Bucket", [args.prefix, name]),
            forceDestroy: false,
        }, { parent: this, ...DATA_PROTECTION });

        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, parent);
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
            bucket: bucket.id,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, parent);
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.id,
            rules: [{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
                // One data key per bucket instead of one KMS call per object.
                bucketKeyEnabled: true,
            }],
        }, parent);
        // S3 refuses a policy while the public access block is being written.
        new aws.s3.BucketPolicy(`${name}-tls-only`, {
            bucket: bucket.id,
            policy: tlsOnlyPolicy(bucket.arn),
        }, { parent: this, dependsOn: [publicAccess] });
        // Expiring noncurrent versions needs versioning in place first.
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-noncurrent-versions",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionDays },
                },
                {
                    id: "abort-incomplete-uploads",
                    status: "Enabled",
                    filter: {},
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        }, { parent: this, dependsOn: [versioning] });

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.s3Endpoint = s3Endpoint(args.region, args.dnsSuffix);
        this.s3Region = args.region;
        this.registerOutputs({ bucketName: this.bucketName, s3Endpoint: this.s3Endpoint });
    }
}
