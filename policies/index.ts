// The policy pack. Constructing a PolicyPack starts the analyzer server the Pulumi CLI talks to, so this is the
// only module that does; tests and the offline synth run the same policies through evaluate.ts.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./rules/all";

new PolicyPack(PACK_NAME, {
    policies,
    // Each policy sets its own level; this covers none.
    enforcementLevel: "advisory",
});
