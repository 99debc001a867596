// Computed outputs and invoke answers of the AWS provider, as the offline synth fakes them.
import type { Invokes } from "../mocks";

const ACCOUNT = "123456789012";

export function awsState(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, unknown> {
    const region = "us-east-1";
    const service = type.split(":")[1].split("/")[0];
    return {
        arn: `arn:aws:${service}:${region}:${ACCOUNT}:${name}`,
        ...(inputs.name === undefined ? { name: id } : {}),
    };
}

export const awsInvokes: Invokes = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
        names: ["a", "b", "c", "d"].map(z => `us-east-1${z}`),
        zoneIds: ["use1-az1", "use1-az2", "use1-az4", "use1-az6"],
        state: "available",
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/mock`, userId: "mock" }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
};
