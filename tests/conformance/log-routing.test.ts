// Where a GCP stack's logs are stored: its sink routes the containers' logs to the stack's own bucket, and an
// exclusion keeps exactly those out of the _Default bucket, so each line is stored (and billed) once and every
// other log still reaches _Default. A project exclusion is an exclusion of the _Default sink ("Creates a new
// exclusion in the _Default sink in a specified parent resource",
// https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.exclusions/create); the stack's own sink
// is not affected by it. The log entries below are shaped as Docker's gcplogs driver writes them (moby/moby
// daemon/logger/gcplogs/gcplogging.go: log "gcplogs-docker-driver", resource gce_instance, jsonPayload
// {instance: {zone, name, id}, container: {...}, message}), under the instance names Compute Engine gives a
// group's VMs (the base name, a hyphen and four characters).
import * as assert from "assert";
import { SynthResource } from "../../tools/harness";
import { graphCases, graphOf } from "./graphs";

const T = {
    sink: "gcp:logging/projectSink:ProjectSink",
    exclusion: "gcp:logging/projectExclusion:ProjectExclusion",
    group: "gcp:compute/instanceGroupManager:InstanceGroupManager",
};

type LogEntry = Record<string, unknown>;

/**
 * The part of the Logging query language the stack's filters are written in: comparisons joined by AND, each
 * `field = "text"` or `field =~ "regular expression"` (RE2, matched anywhere in the value unless anchored). Any
 * other construct is refused, so a filter that outgrows this evaluator fails the test instead of passing it.
 * https://cloud.google.com/logging/docs/view/logging-query-language
 */
function matchesFilter(filter: string, entry: LogEntry): boolean {
    const comparisons = filter.split(/ AND (?=(?:[^"]*"[^"]*")*[^"]*$)/);
    return comparisons.every(comparison => {
        const m = /^([A-Za-z_][\w.]*)\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"$/.exec(comparison.trim());
        if (!m) throw new Error(`the filter evaluator does not understand ${JSON.stringify(comparison)}`);
        const [, field, op, literal] = m;
        const value = field.split(".").reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), entry);
        if (typeof value !== "string") return false;
        const text = literal.replace(/\\(.)/g, "$1");
        return op === "=" ? value === text : new RegExp(text).test(value);
    });
}

function containerEntry(project: string, instance: string, container: string): LogEntry {
    return {
        logName: `projects/${project}/logs/gcplogs-docker-driver`,
        resource: { type: "gce_instance", labels: { instance_id: "1234567890", zone: "us-central1-a" } },
        jsonPayload: { instance: { zone: "us-central1-a", name: instance, id: "1234567890" }, container: { name: container }, message: "line" },
    };
}

describe("conformance: GCP container logs are stored once", () => {
    for (const c of graphCases().filter(x => x.cloud === "gcp")) {
        it(`${c.label}: one _Default exclusion with the sink's filter, made after the sink, in the sink's project`, async () => {
            const report = await graphOf(c);
            const sinks = report.resources.filter(r => r.type === T.sink);
            const exclusions = report.resources.filter(r => r.type === T.exclusion);
            assert.strictEqual(sinks.length, 1);
            assert.strictEqual(exclusions.length, 1);
            const [sink, exclusion] = [sinks[0], exclusions[0]];
            assert.strictEqual(exclusion.inputs.filter, sink.inputs.filter);
            assert.notStrictEqual(exclusion.inputs.disabled, true);
            const project = /^logging\.googleapis\.com\/projects\/([^/]+)\//.exec(String(sink.inputs.destination))?.[1];
            assert.strictEqual(exclusion.inputs.project, project);
            assert.ok(exclusion.options.dependsOn.includes(sink.urn), "excluded before the sink routes the lines: they would be stored nowhere");
        });

        it(`${c.label}: every container line the sink takes is excluded from _Default, and no other log is`, async () => {
            const report = await graphOf(c);
            const sink = report.resources.find(r => r.type === T.sink)!;
            const exclusion = report.resources.find(r => r.type === T.exclusion)!;
            const project = /projects\/([^/]+)\//.exec(String(sink.inputs.destination))![1];
            const instances = report.resources.filter((r: SynthResource) => r.type === T.group).map(g => `${String(g.inputs.baseInstanceName)}-x7k2`);
            assert.ok(instances.length > 0);
            const prefix = instances[0].split("-").slice(0, 2).join("-");
            const stackLines = instances.flatMap(i => [containerEntry(project, i, "kubo"), containerEntry(project, i, "cluster")]);
            const otherLogs: LogEntry[] = [
                // The stack's VMs' own logs, another stack's containers in the same project, audit and flow logs.
                ...instances.map(i => ({ logName: `projects/${project}/logs/cos_system`, resource: { type: "gce_instance" }, jsonPayload: { instance: { name: i } } })),
                containerEntry(project, `${prefix}x-ipfs-0-a1b2`, "kubo"),
                containerEntry(project, `other-${instances[0]}`, "kubo"),
                containerEntry(`${project}-other`, instances[0], "kubo"),
                { logName: `projects/${project}/logs/cloudaudit.googleapis.com%2Factivity`, resource: { type: "gce_instance" } },
                { logName: `projects/${project}/logs/compute.googleapis.com%2Fvpc_flows`, resource: { type: "gce_subnetwork" } },
            ];
            const sinkTakes = (e: LogEntry) => matchesFilter(String(sink.inputs.filter), e);
            const excluded = (e: LogEntry) => matchesFilter(String(exclusion.inputs.filter), e);
            for (const e of stackLines) {
                assert.ok(sinkTakes(e), `the sink misses ${JSON.stringify(e)}`);
                assert.ok(excluded(e), `stored twice: ${JSON.stringify(e)}`);
            }
            for (const e of otherLogs) {
                assert.ok(!sinkTakes(e), `the sink takes ${JSON.stringify(e)}`);
                assert.ok(!excluded(e), `excluded from _Default, stored nowhere: ${JSON.stringify(e)}`);
            }
        });
    }

    it("the filter evaluator refuses what it does not understand, and tells = from =~", () => {
        assert.throws(() => matchesFilter('severity>=ERROR', {}), /does not understand/);
        assert.throws(() => matchesFilter('a="x" OR b="y"', {}), /does not understand/);
        assert.ok(matchesFilter('a.b="x y" AND c=~"^we"', { a: { b: "x y" }, c: "web3" }));
        assert.ok(!matchesFilter('a="x"', { a: "xx" }));
        assert.ok(matchesFilter('a=~"x"', { a: "axa" }));
        assert.ok(!matchesFilter('a=~"^x"', { a: "ax" }));
    });
});
