// A value in Secret Manager. Services name it by its resource name and read it at start with their own
// service account; nobody else is granted access (the service creates its own accessor binding).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, Secret, SecretArgs } from "../topology";
import { GcpEnv, afterApis } from "./shared";
import { gcpNameFor } from "./names";

export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

export class GcpSecret extends pulumi.ComponentResource implements Secret {
    readonly secretName: string;
    /** `projects/<project>/secrets/<id>`; resolves once the value's version exists, so readers never find it empty. */
    readonly reference: pulumi.Output<string>;
    /** `<reference>/versions/<n>` of the current value; changes whenever the value does. */
    readonly versionName: pulumi.Output<string>;

    constructor(name: string, args: SecretArgs, env: GcpEnv, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.secret, name, {}, opts);
        this.secretName = name;
        const secret = new gcp.secretmanager.Secret(`${name}-secret`, {
            secretId: gcpNameFor("secret", [env.context.prefix, name]),
            replication: { auto: {} },
            annotations: args.description ? { description: args.description } : undefined,
        }, afterApis(env, this, "secretManager"));
        const version = new gcp.secretmanager.SecretVersion(`${name}-version`, {
            secret: secret.id,
            secretData: pulumi.secret(args.value),
        }, { parent: this });
        this.reference = pulumi.all([secret.name, version.id]).apply(([reference]) => reference);
        this.versionName = version.name;
        this.registerOutputs({ reference: this.reference });
    }
}
