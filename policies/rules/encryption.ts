// Encryption at rest. A lost snapshot, a mis-shared backup or a decommissioned drive must not give away peer
// keys, pinsets or the Chainlink database. EFS, EBS and RDS encrypt only when asked, and only at creation.
// S3 has encrypted new objects with SSE-S3 by default since January 2023; the pack still requires an explicit
// configuration, so the choice is visible in code, checked here, and can be tightened to KMS by config.
// Google encrypts every disk, bucket and Cloud SQL instance; on GCP only a customer-managed key is checked, and
// only when requireCustomerManagedKeys is set.
import { StackResource, resourcePolicy, stackPolicy } from "./policy";
import * as settings from "./settings";
import { AWS_DATABASES, S3_BUCKETS, T } from "./types";
import { at, bool, describe, isUnknown, list, str } from "./values";

interface EncryptionConfig {
    requireCustomerManagedKeys: boolean;
}

const encryptionSchema = { properties: { requireCustomerManagedKeys: settings.requireCustomerManagedKeys } };

/** A violation message when a boolean encryption switch is not on, else undefined. */
function notOn(value: unknown, property: string, what: string): string | undefined {
    const on = bool(value);
    if (on === true || isUnknown(on)) return undefined;
    return (
        `${property} is ${on === undefined ? "not set (off by default)" : "false"}, so ${what} is stored unencrypted. Set ${property}: true ` +
        "(it only takes effect at creation: the resource is replaced, so copy the data first)"
    );
}

/** A violation message when a customer-managed key is required and `property` names none, else undefined. */
function noKey(value: unknown, property: string): string | undefined {
    return value === undefined ? `${property} is not set, but requireCustomerManagedKeys asks for a customer-managed KMS key. Set ${property} to one` : undefined;
}

export const storageEncrypted = resourcePolicy<EncryptionConfig>({
    name: "storage-encrypted",
    description:
        "Volumes and databases are encrypted at rest: EFS `encrypted`, RDS/Aurora `storageEncrypted`, EBS volumes and EC2 block devices " +
        "`encrypted`. Unencrypted, a snapshot or backup shared by mistake hands out peer keys and the Chainlink database, and encryption " +
        "cannot be turned on later without replacing the resource. GCP encrypts everything itself; with requireCustomerManagedKeys, " +
        "every volume, bucket and database must also name a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set encrypted: true (EFS, EBS, EC2 block devices) or storageEncrypted: true (RDS/Aurora) when creating the resource; with " +
        "requireCustomerManagedKeys also kmsKeyId (AWS) or diskEncryptionKey.kmsKeySelfLink / encryption.defaultKmsKeyName / " +
        "encryptionKeyName (GCP).",
    configSchema: encryptionSchema,
    types: [T.efsFileSystem, ...AWS_DATABASES, T.ebsVolume, T.ec2Instance, T.ec2LaunchTemplate, T.gceDisk, T.gceRegionDisk, T.gcsBucket, T.cloudSql],
    check(r, { requireCustomerManagedKeys: cmek }, report) {
        const problems: (string | undefined)[] = [];
        const p = r.props;
        switch (r.type) {
            case T.efsFileSystem:
                problems.push(notOn(p.encrypted, "encrypted", "the file system"));
                if (cmek) problems.push(noKey(p.kmsKeyId, "kmsKeyId"));
                break;
            case T.rdsCluster:
            case T.rdsInstance:
                // Aurora Serverless v1 is always encrypted.
                if (str(p.engineMode) !== "serverless") problems.push(notOn(p.storageEncrypted, "storageEncrypted", "the database"));
                if (cmek) problems.push(noKey(p.kmsKeyId, "kmsKeyId"));
                break;
            case T.ebsVolume:
                problems.push(notOn(p.encrypted, "encrypted", "the volume"));
                if (cmek) problems.push(noKey(p.kmsKeyId, "kmsKeyId"));
                break;
            case T.ec2Instance: {
                const root = at(p, "rootBlockDevice");
                if (!isUnknown(root)) problems.push(notOn(at(root, "encrypted"), "rootBlockDevice.encrypted", "the root volume"));
                const devices = list(p.ebsBlockDevices);
                (Array.isArray(devices) ? devices : []).forEach((d, i) => problems.push(notOn(at(d, "encrypted"), `ebsBlockDevices[${i}].encrypted`, "the volume")));
                break;
            }
            case T.ec2LaunchTemplate: {
                const mappings = list(p.blockDeviceMappings);
                (Array.isArray(mappings) ? mappings : []).forEach((m, i) => {
                    const ebs = at(m, "ebs");
                    if (ebs !== undefined && !isUnknown(ebs)) problems.push(notOn(at(ebs, "encrypted"), `blockDeviceMappings[${i}].ebs.encrypted`, "the volume"));
                });
                break;
            }
            case T.gceDisk:
            case T.gceRegionDisk:
                if (cmek) problems.push(noKey(at(p, "diskEncryptionKey", "kmsKeySelfLink"), "diskEncryptionKey.kmsKeySelfLink"));
                break;
            case T.gcsBucket:
                if (cmek) problems.push(noKey(at(p, "encryption", "defaultKmsKeyName"), "encryption.defaultKmsKeyName"));
                break;
            case T.cloudSql:
                if (cmek) problems.push(noKey(p.encryptionKeyName, "encryptionKeyName"));
                break;
        }
        for (const problem of problems) {
            if (problem) report(`${describe(r)}: ${problem}.`);
        }
    },
});

/** Whether a server-side encryption rule satisfies the config: "ok", "unknown", or why not. */
function sseProblem(rule: unknown, cmek: boolean): string | "ok" | "unknown" {
    const byDefault = at(rule, "applyServerSideEncryptionByDefault");
    const algorithm = str(at(byDefault, "sseAlgorithm"));
    if (isUnknown(algorithm)) return "unknown";
    if (algorithm === undefined) return "its encryption rule has no applyServerSideEncryptionByDefault.sseAlgorithm";
    if (!cmek) return "ok";
    const key = at(byDefault, "kmsMasterKeyId");
    if (isUnknown(key)) return "unknown";
    if (!algorithm.startsWith("aws:kms") || key === undefined) {
        return `its encryption is ${algorithm}${key === undefined ? " without kmsMasterKeyId" : ""}, but requireCustomerManagedKeys asks for aws:kms with a customer-managed key`;
    }
    return "ok";
}

export const s3EncryptionConfigured = stackPolicy<EncryptionConfig>({
    name: "s3-encryption-configured",
    description:
        "Every S3 bucket has an explicit server-side encryption configuration (an aws:s3/bucketServerSideEncryptionConfiguration " +
        "resource for it, or the bucket's inline block). S3 applies SSE-S3 by default since 2023, but an explicit configuration keeps " +
        "the choice in code and lets requireCustomerManagedKeys demand aws:kms with a customer-managed key.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Declare new aws.s3.BucketServerSideEncryptionConfiguration({ bucket, rules: [{ applyServerSideEncryptionByDefault: { " +
        "sseAlgorithm: \"AES256\" } }] }) (\"aws:kms\" with kmsMasterKeyId when customer-managed keys are required).",
    configSchema: encryptionSchema,
    check(stack, { requireCustomerManagedKeys: cmek }, report) {
        const configurations = stack.ofType(T.s3Encryption, T.s3EncryptionV2);
        for (const bucket of stack.ofType(...S3_BUCKETS)) {
            const verdicts: string[] = [];
            const inline = at(bucket.props, "serverSideEncryptionConfiguration", "rule");
            if (inline !== undefined) verdicts.push(isUnknown(inline) ? "unknown" : sseProblem(inline, cmek));
            for (const c of configurations) {
                const ref = stack.refersTo(c, "bucket", bucket);
                if (ref === false) continue;
                if (ref === "unknown") {
                    verdicts.push("unknown");
                    continue;
                }
                const rules = list(c.props.rules);
                if (isUnknown(rules)) verdicts.push("unknown");
                else for (const rule of rules ?? []) verdicts.push(sseProblem(rule, cmek));
            }
            if (verdicts.some(v => v === "ok" || v === "unknown")) continue;
            report(
                bucket,
                `${describe(bucket as StackResource)}: ${verdicts[0] ?? "no aws:s3/bucketServerSideEncryptionConfiguration covers it"}. Declare an ` +
                    `aws.s3.BucketServerSideEncryptionConfiguration for it with applyServerSideEncryptionByDefault.sseAlgorithm ` +
                    `${cmek ? "\"aws:kms\" and kmsMasterKeyId" : "\"AES256\" or \"aws:kms\""}.`,
            );
        }
    },
});
