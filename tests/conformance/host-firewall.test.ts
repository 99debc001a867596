// Container-Optimized OS's own firewall drops every inbound connection but SSH, and its containers share the
// host's network: a port is reachable only when the host opens it with iptables as well as the VPC firewall
// allowing it (cloud.google.com/container-optimized-os/docs/how-to/firewall). The host must open exactly
// what the service's VPC firewall rules let in: no port the VPC lets through may be dropped on the host, and
// no other port opened.
import * as assert from "assert";
import { parse } from "yaml";
import { COMPONENT_TYPES } from "../../components/topology";
import { descendants } from "../support";
import { graphCases, graphOf } from "./graphs";

const FIREWALL = "gcp:compute/firewall:Firewall";
const TEMPLATE = "gcp:compute/instanceTemplate:InstanceTemplate";

describe("GCE host firewall opens exactly what the VPC firewall lets in (COS drops all inbound but SSH)", () => {
    for (const c of graphCases().filter(c => c.cloud === "gcp")) {
        it(c.label, async () => {
            const report = await graphOf(c);
            const problems: string[] = [];
            for (const service of report.resources.filter(r => r.type === COMPONENT_TYPES.service)) {
                const below = descendants(report, service.urn);
                const template = below.find(r => r.type === TEMPLATE);
                if (!template) continue;
                // The service's own ingress rules; a pass-through load balancer's probe rule is a child of that
                // balancer and names a port the service's own rules already let in.
                const allowed = new Set(report.resources
                    .filter(r => r.type === FIREWALL && r.parent === service.urn)
                    .flatMap(r => (r.inputs.allows as { protocol: string; ports: string[] }[]).flatMap(a => a.ports.map(p => `${a.protocol}/${p}`))));
                const userData = parse((template.inputs.metadata as Record<string, string>)["user-data"]) as { runcmd: string[][] };
                for (const tool of ["iptables", "ip6tables"]) {
                    const opened = new Set(userData.runcmd.filter(cmd => cmd[0] === tool).map(cmd => `${cmd[cmd.indexOf("-p") + 1]}/${cmd[cmd.indexOf("--dport") + 1]}`));
                    const missing = [...allowed].filter(p => !opened.has(p));
                    const extra = [...opened].filter(p => !allowed.has(p));
                    if (missing.length > 0 || extra.length > 0) problems.push(`${service.name} (${tool}): not opened ${missing.join(", ") || "-"}; opened beyond the VPC rules ${extra.join(", ") || "-"}`);
                }
            }
            assert.deepStrictEqual(problems, []);
        });
    }
});
