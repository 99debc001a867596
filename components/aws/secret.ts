// A value in Secrets Manager. Services name its ARN in their task definition; ECS reads it at start with
// the service's execution role, which is granted exactly the ARNs that service references.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Profile, Secret, SecretArgs } from "../topology";
import { secretRecoveryWindowDays } from "./constants";

export interface AwsSecretArgs extends SecretArgs {
    prefix: string;
    profile: Profile;
}

export class AwsSecret extends pulumi.ComponentResource implements Secret {
    readonly secretName: string;
    /** The secret's ARN, what a container definition's `valueFrom` names. */
    readonly reference: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** The version holding the current value: a new value is a new version, which services redeploy on. */
    readonly versionId: pulumi.Output<string>;

    constructor(name: string, args: AwsSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.secret, name, {}, opts);
        this.secretName = name;
        const secret = new aws.secretsmanager.Secret(`${name}-secret`, {
            // A prefix, not a fixed name: a deleted name stays reserved for the recovery window, which would
            // block replacing the secret.
            namePrefix: `${args.prefix}/${name}-`,
            description: args.description ?? `${name} (${args.prefix})`,
            recoveryWindowInDays: secretRecoveryWindowDays(args.profile),
        }, { parent: this });
        const version = new aws.secretsmanager.SecretVersion(`${name}-version`, {
            secretId: secret.id,
            secretString: pulumi.secret(args.value),
        }, { parent: this });
        // Taken from the version, so a service that names the secret starts only once it holds a value.
        this.arn = version.arn;
        this.reference = version.arn;
        this.versionId = version.versionId;
        this.registerOutputs({ reference: this.reference });
    }
}
