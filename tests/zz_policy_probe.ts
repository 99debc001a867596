import { Backend, ContainerSpec } from "../components/topology";
import { synthBackend } from "./support";
import { evaluatePolicies } from "../policies/evaluate";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
const IPFS_USER = { uid: 1000, gid: 100 };
async function build(backend: Backend) {
    const zones = backend.context.zones;
    const secret = backend.secret("ipfs-identity", { value: "correct-horse-battery-staple" });
    const volume = backend.volume("ipfs-0-repo", { zone: zones[0], sizeGiB: 100, owner: IPFS_USER });
    backend.bucket("ceramic-state");
    const target = backend.loadBalancerTarget("gateway", { port: 8080, healthCheck: { path: "/ipfs/bafkqaaa", status: "200" } });
    const containers: ContainerSpec[] = [{
        name: "kubo", image: "ipfs/kubo:v0.32.1", cpu: 0.5, memoryMiB: 1536, user: IPFS_USER,
        env: { IPFS_PATH: "/data/ipfs" }, secrets: { IPFS_IDENTITY: secret },
        ports: [
            { port: 4001, protocol: "tcp", exposure: { kind: "public" } },
            { port: 4001, protocol: "udp", exposure: { kind: "public" } },
            { port: 8080, exposure: { kind: "loadBalancer", target } },
            { port: 9096, exposure: { kind: "services", groups: ["cluster-peers"] } },
            { port: 5001, exposure: { kind: "local" } },
        ],
        healthCheck: { command: ["ipfs", "diag", "healthy"] },
        mounts: [{ volume, path: "/data/ipfs" }],
    }];
    backend.service("ipfs-0", { zone: zones[0], containers, accessGroup: "cluster-peers", healthCheck: { port: 8080, path: "/", gracePeriodSeconds: 300 } });
    backend.httpsLoadBalancer("gateway", { hostname: "gateway", target });
    await waitForRPCs();
}
(async () => { if (process.env.SKIPMAIN) return;
    for (const cloud of ["aws", "gcp"] as const) {
        for (const profile of ["prod", "dev"]) {
            const result = await synthBackend(cloud, build, { profile });
            const v = evaluatePolicies(result.resources);
            console.log(`== ${cloud} ${profile}: ${result.resources.length} resources, ${v.length} violations`);
            for (const x of v) console.log(`  [${x.enforcementLevel}] ${x.policy}: ${x.message}`);
            if (process.env.DUMP === cloud && profile === "prod") require("fs").writeFileSync(`/tmp/probe-${cloud}.json`, JSON.stringify(result.resources, null, 1));
        }
    }
})().catch(e => { console.error(e); process.exit(1); });
// mutation checks
import { SynthResource } from "../tools/harness";
(async () => {
    await new Promise(r => setTimeout(r, 100));
    const clone = (rs: SynthResource[]) => JSON.parse(JSON.stringify(rs)) as SynthResource[];
    const check = (label: string, rs: SynthResource[], policy: string) => {
        const v = evaluatePolicies(rs).filter(x => x.policy === policy);
        console.log(`${v.length > 0 ? "CAUGHT" : "MISSED"} ${label}${v.length ? ": " + v[0].message.slice(0, 160) : ""}`);
    };
    for (const cloud of ["aws", "gcp"] as const) {
        const base = (await synthBackend(cloud, build, { profile: "prod" })).resources;
        const mutate = (label: string, policy: string, f: (rs: SynthResource[]) => void) => { const rs = clone(base); f(rs); check(`${cloud}: ${label}`, rs, policy); };
        mutate("unprotected stateful", "stateful-resources-protected", rs => rs.forEach(r => { r.options.protect = false; r.options.retainOnDelete = false; }));
        if (cloud === "aws") {
            const defs = (rs: SynthResource[], f: (c: any) => void) => rs.filter(r => r.type === "aws:ecs/taskDefinition:TaskDefinition").forEach(r => { const d = JSON.parse(r.inputs.containerDefinitions as string); d.forEach(f); r.inputs.containerDefinitions = JSON.stringify(d); });
            mutate("no user", "containers-run-as-non-root", rs => defs(rs, c => delete c.user));
            mutate("no mounts", "state-on-persistent-volumes", rs => defs(rs, c => { c.mountPoints = []; }));
            mutate("literal secret env", "no-plaintext-secrets", rs => defs(rs, c => { c.environment = [...(c.environment ?? []), { name: "CLUSTER_SECRET", value: "abc123" }]; }));
            mutate("latest image", "images-pinned", rs => defs(rs, c => { c.image = "ipfs/kubo:latest"; }));
            mutate("no backup policy", "stateful-resources-backup-attached", rs => rs.splice(0, rs.length, ...rs.filter(r => r.type !== "aws:efs/backupPolicy:BackupPolicy")));
            mutate("no versioning", "stateful-resources-backup-attached", rs => rs.splice(0, rs.length, ...rs.filter(r => r.type !== "aws:s3/bucketVersioning:BucketVersioning")));
            mutate("no sse", "s3-encryption-configured", rs => rs.splice(0, rs.length, ...rs.filter(r => r.type !== "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")));
            mutate("efs unencrypted", "storage-encrypted", rs => rs.filter(r => r.type === "aws:efs/fileSystem:FileSystem").forEach(r => { r.inputs.encrypted = false; }));
            mutate("5001 public", "public-ingress-only-swarm-ports", rs => rs.filter(r => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.cidrIpv4 === "0.0.0.0/0").forEach(r => { r.inputs.fromPort = 5001; r.inputs.toPort = 5001; }));
            mutate("443 on task sg", "public-web-ports-only-on-load-balancers", rs => rs.filter(r => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.fromPort === 4001).forEach(r => { r.inputs.fromPort = 443; r.inputs.toPort = 443; r.inputs.ipProtocol = "tcp"; }));
            mutate("http forwards", "http-listeners-redirect-to-https", rs => rs.filter(r => r.type === "aws:lb/listener:Listener" && r.inputs.protocol === "HTTP").forEach(r => { r.inputs.defaultActions = [{ type: "forward", targetGroupArn: "x" }]; }));
            mutate("log retention", "log-retention-set", rs => rs.filter(r => r.type === "aws:cloudwatch/logGroup:LogGroup").forEach(r => { delete r.inputs.retentionInDays; }));
        } else {
            const ud = (rs: SynthResource[], f: (s: string) => string) => rs.filter(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate").forEach(r => { const m = r.inputs.metadata as any; m["user-data"] = f(m["user-data"]); });
            mutate("no user", "containers-run-as-non-root", rs => ud(rs, s => s.replace("--user 1000:100 \\", "\\")));
            mutate("privileged", "containers-run-as-non-root", rs => ud(rs, s => s.replace("--user 1000:100", "--user 1000:100 --privileged")));
            mutate("no volume", "state-on-persistent-volumes", rs => ud(rs, s => s.replace("--volume /mnt/disks/ipfs-0-repo:/data/ipfs", "--volume kubo:/data/ipfs")));
            mutate("literal -e secret", "no-plaintext-secrets", rs => ud(rs, s => s.replace("--env IPFS_PATH=/data/ipfs", "--env IPFS_PATH=/data/ipfs --env CLUSTER_SECRET=abc123")));
            mutate("latest", "images-pinned", rs => ud(rs, s => s.replace("ipfs/kubo:v0.32.1", "ipfs/kubo:latest")));
            mutate("no snapshot", "stateful-resources-backup-attached", rs => { rs.splice(0, rs.length, ...rs.filter(r => !/ResourcePolicyAttachment|resourcePolicy:ResourcePolicy/.test(r.type))); rs.forEach(r => { if (r.type === "gcp:compute/disk:Disk") delete r.inputs.resourcePolicies; }); });
            mutate("5001 public", "public-ingress-only-swarm-ports", rs => rs.filter(r => r.type === "gcp:compute/firewall:Firewall" && JSON.stringify(r.inputs.sourceRanges) === '["0.0.0.0/0"]').forEach(r => { r.inputs.allows = [{ protocol: "tcp", ports: ["5001"] }]; }));
            mutate("url map serves", "http-proxies-redirect-to-https", rs => rs.filter(r => r.type === "gcp:compute/uRLMap:URLMap" && r.inputs.defaultUrlRedirect).forEach(r => { delete r.inputs.defaultUrlRedirect; r.inputs.defaultService = "x"; }));
            mutate("bucket unversioned", "stateful-resources-backed-up", rs => rs.filter(r => r.type === "gcp:storage/bucket:Bucket").forEach(r => { delete r.inputs.versioning; }));
            mutate("disk autodelete", "state-on-persistent-volumes", rs => rs.filter(r => r.type === "gcp:compute/instanceTemplate:InstanceTemplate").forEach(r => { (r.inputs.disks as any[]).forEach(d => { if (!d.boot) d.autoDelete = true; }); }));
            mutate("mig delete rule", "state-on-persistent-volumes", rs => rs.filter(r => /perInstanceConfig/.test(r.type)).forEach(r => { ((r.inputs.preservedState as any).disks as any[]).forEach(d => { d.deleteRule = "ON_PERMANENT_INSTANCE_DELETION"; }); }));
        }
    }
})();
