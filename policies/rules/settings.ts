// The thresholds operators may tune, as JSON-schema properties with their defaults. Each lives here once;
// a policy that needs one lists it in its configSchema. Operators set them per policy in a
// `--policy-pack-config` file: { "<policy name>": { "<key>": value } }.
//
// Defaults that restate a fact of the program (the swarm ports) are literals here, not imports: a published
// pack carries only this directory, and an operator may tune them like any other setting. A test binds each to
// the program's own constant (tests/policy-engine.test.ts).
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const backupRetentionDays: PolicyConfigJSONSchema = {
    type: "integer",
    minimum: 1,
    default: 7,
    description: "Fewest days of backups a database, or snapshots a disk, must keep.",
};

export const allowedPublicPorts: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "integer", minimum: 1, maximum: 65535 },
    // The libp2p swarm ports: kubo's TCP (4001) and QUIC (4002), the Ceramic IPFS daemon's websockets (4011, and
    // 4012 behind TLS), ceramic-one's TCP (4101) and QUIC (4102): components/ipfs-cluster/ports.ts PORTS,
    // components/ceramic/ipfs.ts GO_IPFS_PORTS and components/ceramic/ports.ts CERAMIC_ONE_PORTS; and Chainlink's
    // OCR P2P port (6690, the default of chainlink.p2p.port: components/chainlink/p2p.ts P2P_DEFAULTS).
    default: [4001, 4002, 4011, 4012, 4101, 4102, 6690],
    description:
        "Ports (tcp and udp) that may be open to 0.0.0.0/0 or ::/0 anywhere: the libp2p swarm ports and Chainlink's OCR P2P port " +
        "(add chainlink.p2p.port here when a stack moves it).",
};

export const allowedPublicWebPorts: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "integer", minimum: 1, maximum: 65535 },
    default: [80, 443],
    description:
        "Ports that may be open to the world only on a load balancer: an AWS security group attached to an application load " +
        "balancer, or a GCP external forwarding rule. GCP firewall rules never need them (Google's front ends reach the VMs).",
};

export const requireCustomerManagedKeys: PolicyConfigJSONSchema = {
    type: "boolean",
    default: false,
    description: "Require a customer-managed KMS key (AWS KMS / Cloud KMS) on every volume, bucket and database.",
};

export const statePaths: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string", pattern: "^/" },
    default: ["/data/ipfs", "/data/ipfs-cluster", "/data/ceramic", "/data/ceramic-one", "/home/chainlink"],
    description: "Container paths that hold state (IPFS repos, cluster state, the Ceramic state store, ceramic-one's store, the Chainlink home).",
};

export const stateEnvVars: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string" },
    default: ["IPFS_PATH", "IPFS_CLUSTER_PATH", "CERAMIC_ONE_STORE_DIR"],
    description: "Environment variables whose value is a container path that holds state.",
};

export const statefulImages: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string" },
    default: ["ipfs/kubo", "ipfs/ipfs-cluster", "ceramicnetwork/*", "3box/ceramic-one"],
    description: "Image repositories (registry host and tag ignored, * matches anything) that keep state even when nothing names a state path.",
};

export const persistentHostPaths: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string", pattern: "^/" },
    default: ["/mnt/disks/"],
    description: "Host directories under which a GCE VM mounts its persistent disks; a bind mount from elsewhere lives on the boot disk.",
};

export const profile: PolicyConfigJSONSchema = {
    type: "string",
    enum: ["dev", "prod", "local"],
    description: "The stack's profile; when unset, the stack tag `profile` decides, and without it the stack counts as prod.",
};
