// Computed outputs and invoke answers of the Google Cloud provider, as the offline synth fakes them.
import type { Invokes } from "../mocks";

const MOCK_PROJECT = "mock-project";
const MOCK_PROJECT_NUMBER = "123456789012";

/** A stable fake IPv4 address from a name: internal ones inside the default network range, external ones public. */
function fakeAddress(name: string, internal: boolean): string {
    let h = 2166136261;
    for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    const [b, c] = [(h >>> 8) & 0x7f, (h & 0xfd) + 1];
    return internal ? `10.40.${b}.${c}` : `34.${120 + (b % 8)}.${(h >>> 16) & 0xff}.${c}`;
}

/** The IDs the provider builds from a resource's inputs, where the program hands one resource's ID to another. */
export function gcpResourceId(type: string, inputs: Record<string, any>): string | undefined {
    // A secret's ID is its resource name, which a SecretVersion's `secret` names and its own name extends.
    if (type === "gcp:secretmanager/secret:Secret") return `projects/${inputs.project ?? MOCK_PROJECT}/secrets/${inputs.secretId}`;
    return undefined;
}

export function gcpState(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, unknown> {
    const resourceName = inputs.name ?? (inputs.namePrefix ? `${inputs.namePrefix}${id.slice(-8)}` : id);
    const project = inputs.project ?? MOCK_PROJECT;
    const kind = type.split(":")[2];
    const selfLink = `https://www.googleapis.com/compute/v1/projects/${project}/${kind}/${resourceName}`;
    const state: Record<string, unknown> = { name: resourceName, selfLink };
    switch (type) {
        case "gcp:compute/address:Address":
            state.address = inputs.address ?? fakeAddress(name, inputs.addressType === "INTERNAL");
            break;
        case "gcp:compute/globalAddress:GlobalAddress":
            state.address = inputs.address ?? fakeAddress(name, false);
            break;
        case "gcp:compute/instanceTemplate:InstanceTemplate":
            state.selfLinkUnique = `${selfLink}?uniqueId=${id}`;
            break;
        case "gcp:compute/instanceGroupManager:InstanceGroupManager":
            state.instanceGroup = `https://www.googleapis.com/compute/v1/projects/${project}/zones/${inputs.zone}/instanceGroups/${resourceName}`;
            break;
        case "gcp:serviceaccount/account:Account":
            state.email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
            state.member = `serviceAccount:${state.email}`;
            break;
        // A Google-managed service agent: service-<project number>@gcp-sa-<service>.iam.gserviceaccount.com.
        case "gcp:projects/serviceIdentity:ServiceIdentity":
            state.email = `service-${MOCK_PROJECT_NUMBER}@gcp-sa-${String(inputs.service).split(".")[0]}.iam.gserviceaccount.com`;
            state.member = `serviceAccount:${state.email}`;
            break;
        case "gcp:secretmanager/secret:Secret":
            state.name = `projects/${project}/secrets/${inputs.secretId}`;
            break;
        // An HMAC key's ID is public; its secret is only ever returned at creation.
        case "gcp:storage/hmacKey:HmacKey":
            state.accessId = `GOOG1E${id.replace(/[^a-z0-9]/gi, "").toUpperCase().slice(0, 24)}`;
            state.secret = `mock-hmac-secret-${id.slice(-8)}`;
            break;
        case "gcp:secretmanager/secretVersion:SecretVersion":
            state.name = `${inputs.secret}/versions/1`;
            state.version = "1";
            break;
        case "gcp:sql/databaseInstance:DatabaseInstance":
            state.privateIpAddress = fakeAddress(name, true);
            state.serverCaCerts = [{ cert: cloudSqlServerCa(resourceName), commonName: `C=US,O=Google\\, Inc,CN=Google Cloud SQL Server CA,dnQualifier=${id}` }];
            state.connectionName = `${project}:${inputs.region}:${resourceName}`;
            break;
        case "gcp:monitoring/notificationChannel:NotificationChannel":
            state.name = `projects/${project}/notificationChannels/${id.slice(-8)}`;
            break;
    }
    return state;
}

/** A PEM-shaped stand-in for the per-instance CA certificate Cloud SQL reports in serverCaCerts. */
export function cloudSqlServerCa(instance: string): string {
    const body = Buffer.from(`offline-synth stand-in for the server CA of Cloud SQL instance ${instance}`).toString("base64");
    return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----`;
}

/** None: the GCP back-end calls no provider function, since none could wait for the project's APIs to be on. */
export const gcpInvokes: Invokes = {};
