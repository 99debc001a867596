// Shared test helpers: synthesize a back-end (or the whole program) under mocks and query what it declared.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as net from "net";
import { Backend, COMPONENT_TYPES, Cloud } from "../components/topology";
import { parseConfig } from "../stacks/config";
import { createBackend } from "../stacks/program";
import { SynthResource, SynthResult, synthesize } from "../tools/harness";
import { randomState } from "../tools/mocks";
import { baseConfig, esm } from "./fixtures";

export { baseConfig };

/** Runs `build` against a real back-end under mocks and returns every resource declared. */
export async function synthBackend(
    cloud: Cloud,
    build: (backend: Backend) => void | Promise<void>,
    overrides: Record<string, unknown> = {},
): Promise<SynthResult> {
    const raw = baseConfig(cloud, overrides);
    return synthesize({
        project: "web3-nodes",
        stack: "test",
        config: {},
        program: async () => {
            const backend = await createBackend(parseConfig(raw), "test");
            await build(backend);
            backend.finish();
            return {};
        },
    });
}

export function ofType(result: { resources: SynthResource[] }, type: string): SynthResource[] {
    return result.resources.filter(r => r.type === type);
}

export function oneOfType(result: SynthResult, type: string): SynthResource {
    const found = ofType(result, type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map(r => r.name).join(", ")}`);
    return found[0];
}

/** The resources under a component, at any depth. */
export function descendants(result: { resources: SynthResource[] }, urn: string): SynthResource[] {
    const children = result.resources.filter(r => r.parent === urn);
    return children.flatMap(c => [c, ...descendants(result, c.urn)]);
}

/** Anything holding synthesized resources: a SynthResult or the synth's report. */
type Resources = { resources: SynthResource[] };

export function named(result: Resources, type: string, name: string): SynthResource {
    const found = result.resources.filter(r => r.type === type && r.name === name);
    assert.strictEqual(found.length, 1, `expected one ${type} named ${name}, found ${result.resources.filter(r => r.type === type).map(r => r.name).join(", ")}`);
    return found[0];
}

/** The zonal services under the one component of `componentType` (a workload's peers or nodes). */
export function servicesUnder(result: Resources, componentType: string): SynthResource[] {
    const [component] = result.resources.filter(r => r.type === componentType);
    return descendants(result, component.urn).filter(r => r.type === COMPONENT_TYPES.service);
}

/** Where a service runs, read from the cloud resources that place it: a MIG's zone, or an ECS service's subnet. */
export function zoneOfService(result: Resources, service: SynthResource): string {
    const below = descendants(result, service.urn);
    const group = below.find(r => r.type === "gcp:compute/instanceGroupManager:InstanceGroupManager");
    if (group) return group.inputs.zone as string;
    const ecs = below.find(r => r.type === "aws:ecs/service:Service")!;
    const [subnetId] = (ecs.inputs.networkConfiguration as { subnets: string[] }).subnets;
    return result.resources.find(r => r.type === "aws:ec2/subnet:Subnet" && r.id === subnetId)!.inputs.availabilityZone as string;
}

/** The words bash reads from a command line, so tests see exactly what a generated script runs. */
export function bashWords(line: string): string[] {
    const run = spawnSync("bash", ["-c", `words() { printf '%s\\0' "$@"; }\nwords ${line}`], { encoding: "utf8" });
    assert.strictEqual(run.status, 0, run.stderr);
    return run.stdout.split("\0").slice(0, -1);
}

export function hasBinary(name: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

/** DER prefix of a PKCS#8 Ed25519 private key: Node's crypto derives the public key from the seed after it. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The reference libp2p implementation's private key for an Ed25519 seed. */
export async function referenceKey(seed: Buffer): Promise<any> {
    const { privateKeyFromRaw } = await esm("@libp2p/crypto/keys");
    const publicKey = crypto.createPublicKey(crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" }))
        .export({ format: "der", type: "spki" }).subarray(12);
    return privateKeyFromRaw(Buffer.concat([seed, publicKey]));
}

/** The peer ID and private key libp2p itself derives from the seed held (mocked) in a RandomBytes resource. */
export async function referencePeerId(seedResource: string): Promise<{ peerId: string; privateKey: string }> {
    const { privateKeyToProtobuf } = await esm("@libp2p/crypto/keys");
    const { peerIdFromPrivateKey } = await esm("@libp2p/peer-id");
    const seed = Buffer.from(randomState("random:index/randomBytes:RandomBytes", seedResource, { length: 32 }).base64 as string, "base64");
    const key = await referenceKey(seed);
    return { peerId: peerIdFromPrivateKey(key).toString(), privateKey: Buffer.from(privateKeyToProtobuf(key)).toString("base64") };
}

/** The `@pulumi/pulumi` runtime's marker of a secret value, as the engine view holds it (runtime/rpc.js specialSigKey). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** The base64 value a workload wrote to the secret store under `name` (its Secret component's name), decoded from the engine view. */
export function storedSecretFile(result: Resources, name: string): string {
    const version = result.resources.find(r => r.name === `${name}-version` && /secretVersion:SecretVersion$/.test(r.type));
    assert.ok(version, `no secret store entry ${name}`);
    const raw = version.engine!.inputs.secretString ?? version.engine!.inputs.secretData;
    const value = raw !== null && typeof raw === "object" && SECRET_SIG_KEY in raw ? (raw as { value?: unknown }).value : raw;
    return Buffer.from(value as string, "base64").toString("utf8");
}

/** Whether `address` is in the IPv4 or IPv6 block `cidr`. */
export function inBlock(cidr: string, address: string): boolean {
    const family = address.includes(":") ? "ipv6" : "ipv4";
    if (cidr.includes(":") !== (family === "ipv6")) return false;
    const list = new net.BlockList();
    const [base, prefix] = cidr.split("/");
    list.addSubnet(base, Number(prefix), family);
    return list.check(address, family);
}
