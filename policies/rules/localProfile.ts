// The rules that only make sense in a cloud, and why, for the `local` profile: a whole stack on one Docker engine,
// to try it. A managed database that fails over, backups, a registry mirror: a laptop has none of them. The
// engine fixes a policy's enforcement level (a violation carries its policy's level: @pulumi/policy
// ReportViolation takes a message and a URN only), so the local stack runs the pack with these policies set to
// advisory in its policy config (policies/local-profile.json, `pulumi up --policy-pack policies
// --policy-pack-config policies/local-profile.json`; the offline synth does the same), and every message of
// theirs on the local profile says that it is advisory there, and why. Everything else stays as it is:
// non-root, no plaintext secrets, volumes protected, exposure.

/** The profile these apply to, as the stack tag `profile` (or a policy's `profile` setting) names it. */
export const LOCAL_PROFILE = "local";

/** Each cloud-only policy, with why it is advisory on the local profile. */
export const ADVISORY_ON_LOCAL: Readonly<Record<string, string>> = {
    "images-pulled-through-mirror": "a local Docker engine pulls each image straight from its registry, once, and keeps it; there is no mirror to pull through",
    "chainlink-survives-zone-loss": "the local profile's zones are labels on one machine, and its database is one Postgres container with no standby to fail over to",
    "stateful-resources-backup-attached": "a local Docker engine takes no backups; copy a volume yourself before you rely on what it holds",
};

/** The policy config the local stack runs the pack with: every cloud-only policy advisory. */
export function localProfilePolicyConfig(): Record<string, { enforcementLevel: "advisory" }> {
    return Object.fromEntries(Object.keys(ADVISORY_ON_LOCAL).map(name => [name, { enforcementLevel: "advisory" as const }]));
}

/** A violation's message on the local profile: the policy's own words, then why the local stack runs it as advisory. */
export function onLocalProfile(policy: string, profile: string | undefined, message: string): string {
    const why = ADVISORY_ON_LOCAL[policy];
    if (why === undefined || profile !== LOCAL_PROFILE) return message;
    return `${message} (Advisory on the local profile: ${why}.)`;
}
