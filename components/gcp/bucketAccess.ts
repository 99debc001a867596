// A service's access to buckets on GCP: a storage IAM binding on each granted bucket for the service's own
// account, and, because S3 clients (Ceramic's state store among them) talk to Cloud Storage through its
// S3-interoperable XML API, which only takes HMAC keys, one HMAC key of that account. Its ID and secret live
// in Secret Manager and reach the containers as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, read at boot
// like every other secret; neither appears in the instance's definition.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { BucketAccess, BucketGrant, ContainerSpec, Secret } from "../topology";
import { GcpBucket } from "./bucket";
import { GcpSecret } from "./secret";
import { GcpEnv, afterApis, expectGcp } from "./shared";

/** Object roles for each kind of access: objectUser reads, writes and deletes objects, and nothing of the bucket itself. */
export const BUCKET_ROLES: Record<BucketAccess, string> = {
    read: "roles/storage.objectViewer",
    readWrite: "roles/storage.objectUser",
};

/**
 * What an S3 client asks of the bucket itself, granted with either kind of access, as s3:ListBucket and
 * s3:GetBucketLocation are on AWS: storage.buckets.get (HEAD bucket on the XML API, which s3leveldown 2.2.2
 * sends when it opens, s3leveldown.js _open) and storage.objects.list. legacyBucketReader holds those two and
 * nothing else (cloud.google.com/storage/docs/access-control/iam-roles).
 */
export const BUCKET_LEVEL_ROLE = "roles/storage.legacyBucketReader";

/** The variables the AWS SDK's default credential chain reads, as every S3 client does. */
export const S3_CREDENTIAL_ENV = { accessKeyId: "AWS_ACCESS_KEY_ID", secretAccessKey: "AWS_SECRET_ACCESS_KEY" } as const;

/** The containers with the credentials added to their secrets; a container that names them itself is refused. */
export function withCredentials(service: string, containers: ContainerSpec[], credentials: Record<string, Secret>): ContainerSpec[] {
    return containers.map(c => {
        const clash = Object.keys(credentials).filter(k => c.env?.[k] !== undefined || c.secrets?.[k] !== undefined);
        if (clash.length > 0) {
            throw new Error(`service ${service}, container ${c.name}: ${clash.join(", ")} would hide the credentials of the service's buckets; leave them to the back-end`);
        }
        return { ...c, secrets: { ...c.secrets, ...credentials } };
    });
}

export interface BucketAccessArgs {
    service: string;
    grants: BucketGrant[];
    /** The service account's email and `serviceAccount:<email>` member. */
    accountEmail: pulumi.Output<string>;
    member: pulumi.Output<string>;
}

export class GcpBucketAccess extends pulumi.ComponentResource {
    /** Environment variable name to the secret that holds it. */
    readonly credentials: Record<string, GcpSecret>;
    /** The bindings; the instance starts only once they exist. */
    readonly bindings: pulumi.Resource[];

    constructor(name: string, args: BucketAccessArgs, env: GcpEnv, opts: pulumi.ComponentResourceOptions) {
        super("web3-nodes:gcp:BucketAccess", name, {}, opts);
        this.bindings = args.grants.flatMap((grant, i) => {
            const bucket = expectGcp(grant.bucket, GcpBucket, `bucket ${i} granted to service ${args.service}`);
            return [
                new gcp.storage.BucketIAMMember(`${name}-${i}-${grant.access === "read" ? "reads" : "writes"}`, {
                    bucket: bucket.bucket.name,
                    role: BUCKET_ROLES[grant.access],
                    member: args.member,
                }, { parent: this }),
                new gcp.storage.BucketIAMMember(`${name}-${i}-bucket`, { bucket: bucket.bucket.name, role: BUCKET_LEVEL_ROLE, member: args.member }, { parent: this }),
            ];
        });
        // One key for the account: its rights are the account's bindings above, nothing more.
        const key = new gcp.storage.HmacKey(`${name}-hmac`, {
            serviceAccountEmail: args.accountEmail,
        }, afterApis(env, this, "storage"));
        const secret = (suffix: string, value: pulumi.Output<string>, description: string) =>
            new GcpSecret(`${name}-${suffix}`, { value: pulumi.secret(value), description }, env, { parent: this });
        this.credentials = {
            [S3_CREDENTIAL_ENV.accessKeyId]: secret("hmac-id", key.accessId, `HMAC key ID of service ${args.service} for Cloud Storage's S3 API`),
            [S3_CREDENTIAL_ENV.secretAccessKey]: secret("hmac-secret", key.secret, `HMAC secret of service ${args.service} for Cloud Storage's S3 API`),
        };
        this.registerOutputs({ accessId: key.accessId });
    }
}
