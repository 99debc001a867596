// A change to the IPFS cluster rolls one peer at a time on both clouds, each step ending only once the new copy
// is healthy; adding a peer changes no existing peer. Judged on synthesized graphs as the Pulumi engine orders
// their steps, with each cloud's own rules for how a service or instance group replaces its copy:
// - the engine starts a resource's step once the steps of everything it depends on have ended: the Node SDK
//   registers a resource only once the URNs of its dependencies have resolved (@pulumi/pulumi 3.248.0
//   runtime/resource.js prepareResource, runtime/dependsOn.js), and a registration is answered with the
//   resource's outputs, which exist once its step has run;
// - the provider's wait: terraform-provider-aws internal/service/ecs/service.go statusServiceWaitForStable (with
//   waitForSteadyState, the new ECS deployment must be SUCCESSFUL; ROLLBACK_SUCCESSFUL, STOPPED and
//   ROLLBACK_FAILED fail the update) and terraform-provider-google
//   google/services/compute/resource_compute_instance_group_manager.go waitForInstancesRefreshFunc (status.isStable,
//   and with UPDATED versionTarget.isReached and stateful.perInstanceConfigs.allEffective);
// - the APIs' own rules: botocore's ecs 2014-11-13 model (its validator and DeploymentConfiguration's documented
//   rounding) and Compute Engine v1 (googleapis google/cloud/compute/v1/compute.proto as shipped in
//   @google-cloud/compute 7.8.0: InstanceGroupManagerUpdatePolicy, InstanceGroupManagerStatus.isStable,
//   ManagedInstance currentAction VERIFYING).
import * as assert from "assert";
import { isDeepStrictEqual } from "util";
import { INSTANCE_START_SECONDS } from "../components/gcp/service";
import { TASK_START_SECONDS } from "../components/aws/service";
import { IMAGES, PEER_LIVENESS, PEER_TYPE, bootstrapPeers, peersKnownAtStart, placePeers } from "../components/ipfs-cluster";
import { PublicCloud, Liveness, livenessDeadlineSeconds, rollingStepTimeout } from "../components/topology";
import { CLOUDS } from "../stacks/config";
import { SynthResource } from "../tools/harness";
import { SynthReport, synthStack } from "../tools/synth";
import { arnOf, createService } from "./conformance/awsRequests";
import { validateWithBotocore } from "./conformance/botocore";
import { graphCases, graphOf } from "./conformance/graphs";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Inputs = Record<string, any>;

const BACKEND_SERVICE = "gcp:compute/backendService:BackendService";
/** The resource that moves a peer onto its new definition, whose update is one step of the roll. */
const ROLLOUT: Record<PublicCloud, string> = { aws: "aws:ecs/service:Service", gcp: "gcp:compute/instanceGroupManager:InstanceGroupManager" };
/** What holds a peer's definition: its containers, images, environment. */
const DEFINITION: Record<PublicCloud, string> = { aws: "aws:ecs/taskDefinition:TaskDefinition", gcp: "gcp:compute/instanceTemplate:InstanceTemplate" };
/**
 * Types whose change hands what names them a new identifier. ECS task definitions (the ecs 2014-11-13 API
 * registers and deregisters revisions and updates none) and instance templates (compute v1 service
 * InstanceTemplates: Insert and Delete, no Update or Patch) are replaced; a new secret value is a new version
 * (Secrets Manager PutSecretValue gives a new VersionId; a Secret Manager version is immutable, so a new value
 * is a new version name).
 */
const RENAMED_ON_CHANGE = new Set([...Object.values(DEFINITION), "aws:secretsmanager/secretVersion:SecretVersion", "gcp:secretmanager/secretVersion:SecretVersion"]);

// ---------------------------------------------------------------- the engine's view of a change

const byUrn = (report: SynthReport) => new Map(report.resources.map(r => [r.urn, r]));

/**
 * The resources a `pulumi up` from `before` to `after` has a step for: new ones, those whose inputs or options
 * changed, and what follows from them (withConsequences).
 */
function stepsOf(before: SynthReport, after: SynthReport): Set<string> {
    const old = byUrn(before);
    const changed = after.resources.filter(r => {
        const was = old.get(r.urn);
        return !was || !isDeepStrictEqual(was.inputs, r.inputs) || !isDeepStrictEqual(was.options, r.options);
    });
    return withConsequences(after, new Set(changed.map(r => r.urn)));
}

/** `changed`, and every resource with an input from a changed resource that hands it a new identifier. */
function withConsequences(report: SynthReport, changed: Set<string>): Set<string> {
    const resources = byUrn(report);
    const steps = new Set(changed);
    for (let grew = true; grew;) {
        grew = false;
        for (const r of report.resources) {
            if (steps.has(r.urn)) continue;
            const named = Object.values(r.engine?.propertyDependencies ?? {}).flat();
            if (named.some(urn => steps.has(urn) && RENAMED_ON_CHANGE.has(resources.get(urn)?.type ?? ""))) {
                steps.add(r.urn);
                grew = true;
            }
        }
    }
    return steps;
}

/**
 * When each step of an update ends, in units of one peer's wait for health: a step starts once every step it
 * depends on has ended, a rollout step that has a change takes one unit (the provider waits for the new copy),
 * every other step none.
 */
function timeline(report: SynthReport, steps: Set<string>, rolloutType: string): Map<string, { start: number; end: number }> {
    const resources = byUrn(report);
    const ends = new Map<string, number>();
    const endOf = (urn: string): number => {
        const known = ends.get(urn);
        if (known !== undefined) return known;
        const r = resources.get(urn);
        const start = Math.max(0, ...(r?.engine?.dependencies ?? []).map(endOf));
        const end = start + (r && r.type === rolloutType && steps.has(urn) ? 1 : 0);
        ends.set(urn, end);
        return end;
    };
    const out = new Map<string, { start: number; end: number }>();
    for (const r of report.resources.filter(x => x.type === rolloutType && steps.has(x.urn))) out.set(r.urn, { start: endOf(r.urn) - 1, end: endOf(r.urn) });
    return out;
}

/** Each peer's rollout resource, by peer index. */
function rollouts(report: SynthReport, cloud: PublicCloud): SynthResource[] {
    const peers = report.resources.filter(r => r.type === PEER_TYPE);
    return peers.map((_, i) => {
        const found = report.resources.filter(r => r.type === ROLLOUT[cloud] && r.urn.includes(`${PEER_TYPE}$`) && r.name === `ipfs-${i}-${cloud === "aws" ? "service" : "group"}`);
        assert.strictEqual(found.length, 1, `peer ipfs-${i} has ${found.length} rollout resources`);
        return found[0];
    });
}

function dependsOnTransitively(report: SynthReport, from: SynthResource, to: SynthResource): boolean {
    const resources = byUrn(report);
    const seen = new Set<string>();
    const stack = [...(from.engine?.dependencies ?? [])];
    while (stack.length > 0) {
        const urn = stack.pop()!;
        if (urn === to.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        stack.push(...(resources.get(urn)?.engine?.dependencies ?? []));
    }
    return false;
}

function minutes(timeout: string | undefined): number {
    const m = /^(\d+)m$/.exec(timeout ?? "");
    assert.ok(m, `a custom timeout in minutes, not ${timeout}`);
    return Number(m[1]);
}

// ---------------------------------------------------------------- the clouds' rules for one copy at a time

/**
 * ECS: at most one task of a service that writes its volumes, the old one stopped first, a failed deployment
 * rolled back. botocore ecs 2014-11-13 DeploymentConfiguration.maximumPercent: an upper limit on RUNNING and
 * PENDING tasks "as a percentage of the desiredCount (rounded down to the nearest integer)";
 * minimumHealthyPercent: a lower limit on RUNNING tasks "(rounded up to the nearest integer)";
 * DeploymentCircuitBreaker.rollback: "the service is rolled back to the last deployment that completed successfully".
 */
function ecsDeploymentProblems(request: Inputs): string[] {
    const problems: string[] = [];
    const desired = request.desiredCount ?? 1;
    const deployment = request.deploymentConfiguration ?? {};
    const most = Math.floor((desired * (deployment.maximumPercent ?? 200)) / 100);
    const fewest = Math.ceil((desired * (deployment.minimumHealthyPercent ?? 100)) / 100);
    if (most > 1) problems.push(`${request.serviceName}: up to ${most} tasks at once during a deployment; its volumes take one writer`);
    if (fewest >= most) problems.push(`${request.serviceName}: keeps ${fewest} of ${most} tasks running during a deployment, so none can be replaced`);
    const breaker = deployment.deploymentCircuitBreaker;
    if (!breaker?.enable || !breaker?.rollback) problems.push(`${request.serviceName}: a failed deployment is not rolled back (deploymentCircuitBreaker)`);
    return problems;
}

const ACTIONS = ["NONE", "REFRESH", "RESTART", "REPLACE"];

/**
 * Compute Engine: the group replaces its instance with a new template by itself, one at a time, the old one
 * gone first. compute.proto InstanceGroupManagerUpdatePolicy: type OPPORTUNISTIC applies a new template only
 * when instances are targeted one by one; "at least one of either maxSurge or maxUnavailable must be greater than
 * 0"; an update needing more than mostDisruptiveAllowedAction is not performed at all. RECREATE keeps the
 * instance's name, and needs maxUnavailable above 0 (pulumi-gcp 9.37.0 InstanceGroupManagerUpdatePolicy.replacementMethod).
 * A group with stateful disks replaces by recreation with no surge (gcloud compute instance-groups managed
 * rolling-action replace: both are the defaults with stateful configuration): a surge instance would want the
 * disks the old one holds read-write. With waitForInstancesStatus, the provider waits only when waitForInstances is set.
 */
function gceUpdateProblems(group: Inputs, statefulDisks: boolean): string[] {
    const problems: string[] = [];
    const p = group.updatePolicy ?? {};
    const surge = p.maxSurgeFixed ?? 1;
    const unavailable = p.maxUnavailableFixed ?? 1;
    if (p.type !== "PROACTIVE") problems.push(`${group.name}: update type ${p.type}: a new template never reaches the instance by itself`);
    if (surge <= 0 && unavailable <= 0) problems.push(`${group.name}: maxSurge and maxUnavailable are both 0`);
    if (p.replacementMethod === "RECREATE" && unavailable <= 0) problems.push(`${group.name}: RECREATE needs maxUnavailable above 0`);
    if (statefulDisks && (p.replacementMethod !== "RECREATE" || surge !== 0)) problems.push(`${group.name}: stateful disks need RECREATE and maxSurge 0, not ${p.replacementMethod} and ${surge}`);
    if (ACTIONS.indexOf(p.mostDisruptiveAllowedAction ?? "REPLACE") < ACTIONS.indexOf(p.minimalAction)) problems.push(`${group.name}: minimal action ${p.minimalAction} is more than the ${p.mostDisruptiveAllowedAction} allowed`);
    if (group.waitForInstancesStatus !== undefined && group.waitForInstances !== true) problems.push(`${group.name}: waitForInstancesStatus without waitForInstances waits for nothing`);
    return problems;
}

// ---------------------------------------------------------------- the tests

/** Runs `run` with another kubo image, as an upgrade changes it in components/ipfs-cluster/images.ts. */
async function withNextKuboImage<T>(run: () => Promise<T>): Promise<T> {
    const images = IMAGES as { kubo: string };
    const current = images.kubo;
    // A digest moves by a character; a tag gets a suffix.
    images.kubo = current.includes("@") ? current.replace(/.$/, c => (c === "0" ? "1" : "0")) : `${current}-next`;
    try {
        return await run();
    } finally {
        images.kubo = current;
    }
}

describe("rolling changes of the IPFS cluster", function () {
    this.timeout(120_000);

    for (const cloud of CLOUDS) {
        describe(`prod on ${cloud}`, () => {
            let base: SynthReport;
            let grown: SynthReport;
            let upgraded: SynthReport;
            let peers: number;

            before(async () => {
                base = await graphOf(graphCases().find(c => c.label === `prod on ${cloud}`)!);
                peers = base.resources.filter(r => r.type === PEER_TYPE).length;
                grown = await synthStack({ stack: "prod", cloud, set: { "ipfsCluster.peers": peers + 1 } });
                upgraded = await withNextKuboImage(() => synthStack({ stack: "prod", cloud }));
            });

            it("makes each peer's rollout wait on the previous peer's, and no earlier peer's on a later one's", () => {
                const chain = rollouts(base, cloud);
                assert.ok(chain.length >= 3);
                for (const [i, r] of chain.entries()) {
                    for (const [j, other] of chain.entries()) {
                        if (j === i) continue;
                        assert.strictEqual(dependsOnTransitively(base, r, other), j < i, `${r.name} ${j < i ? "does not wait on" : "waits on"} ${other.name}`);
                    }
                }
            });

            if (cloud === "aws") {
                it("ends each peer's update only once ECS's deployment completed, one task at a time, rolled back when it fails (botocore ecs model, terraform-provider-aws)", () => {
                    const chain = rollouts(base, cloud);
                    const requests = chain.map(r => createService(r).request);
                    const verdict = validateWithBotocore(requests);
                    assert.deepStrictEqual(verdict.problems, requests.map(() => []), `botocore ${verdict.version} refuses a CreateService request`);
                    for (const [i, r] of chain.entries()) {
                        assert.deepStrictEqual(ecsDeploymentProblems(requests[i].params), []);
                        assert.strictEqual(r.inputs.waitForSteadyState, true, `${r.name}: the update ends before the deployment does`);
                        // Completed means healthy in every target group the task serves: the gateway and the REST API.
                        const groups = (r.inputs.loadBalancers as Inputs[]).map(lb => lb.targetGroupArn);
                        const https = base.resources.filter(t => t.type === "aws:lb/targetGroup:TargetGroup" && /^ipfs-(gateway|api)-targets$/.test(t.name));
                        assert.strictEqual(https.length, 2);
                        for (const t of https) assert.ok(groups.includes(arnOf(t)), `${r.name} is not checked by ${t.name}`);
                    }
                });
            } else {
                it("ends each peer's update only once its group is stable on the new template, the new instance verified healthy (compute v1, terraform-provider-google)", () => {
                    const chain = rollouts(base, cloud);
                    for (const group of chain) {
                        const config = base.resources.find(r => r.type === "gcp:compute/perInstanceConfig:PerInstanceConfig" && r.parent === group.parent)!;
                        const statefulDisks = ((config.inputs.preservedState as Inputs).disks as Inputs[]).length > 0;
                        assert.ok(statefulDisks);
                        assert.deepStrictEqual(gceUpdateProblems(group.inputs, statefulDisks), []);
                        assert.strictEqual(group.inputs.waitForInstances, true);
                        assert.strictEqual(group.inputs.waitForInstancesStatus, "UPDATED");
                        // A new instance stays VERIFYING, so the group unstable, until this check reports HEALTHY.
                        const healing = group.inputs.autoHealingPolicies as Inputs;
                        const check = base.resources.find(r => r.id === healing.healthCheck)!;
                        const liveness = PEER_LIVENESS as Extract<Liveness, { kind: "http" }>;
                        assert.deepStrictEqual(check.inputs.httpHealthCheck, { port: liveness.port, requestPath: liveness.path });
                    }
                });
            }

            it("gives each step of the roll as long as a start that the liveness accepts, twice, before it stops the roll", () => {
                const start = cloud === "aws" ? TASK_START_SECONDS : INSTANCE_START_SECONDS;
                const longestHealthyStart = start + livenessDeadlineSeconds(PEER_LIVENESS);
                for (const r of rollouts(base, cloud)) {
                    const timeouts = r.options.customTimeouts ?? {};
                    // The instance group's provider waits with the create timeout on update too.
                    for (const which of ["create", "update"] as const) {
                        assert.ok(minutes(timeouts[which]) * 60 >= 2 * longestHealthyStart, `${r.name}: ${which} timeout ${timeouts[which]} is shorter than two starts of ${longestHealthyStart} s`);
                    }
                    assert.strictEqual(timeouts.update, rollingStepTimeout(PEER_LIVENESS, start));
                }
            });

            it("leaves every service outside the roll ending its update once the cloud accepts it: a standby that is never ready would hold it for ever", () => {
                const rolling = new Set(rollouts(base, cloud).map(r => r.urn));
                const others = base.resources.filter(r => r.type === ROLLOUT[cloud] && !rolling.has(r.urn));
                assert.ok(others.length > 0);
                for (const r of others) {
                    assert.strictEqual(r.inputs.waitForSteadyState ?? r.inputs.waitForInstances, undefined, `${r.name} waits for its new copy`);
                    assert.strictEqual(r.options.customTimeouts, undefined);
                }
            });

            it("adds a peer without changing any existing peer: every earlier resource keeps its inputs, options and dependencies", () => {
                const old = byUrn(base);
                const added = grown.resources.filter(r => !old.has(r.urn));
                assert.ok(added.length > 0);
                // On AWS the new peer's public ports may be new listeners of the stack's NLB (a second peer of a
                // zone gets ports of its own), each to a target group only the new peer registers in.
                const newPeerGroups = new Set(grown.resources.filter(r => r.type === "aws:ecs/service:Service" && r.name === `ipfs-${peers}-service`)
                    .flatMap(r => ((r.inputs.loadBalancers ?? []) as Inputs[]).map(lb => lb.targetGroupArn as string)));
                const servesNewPeer = (r: SynthResource) =>
                    (r.type === "aws:lb/targetGroup:TargetGroup" && newPeerGroups.has(arnOf(r))) ||
                    (r.type === "aws:lb/listener:Listener" && newPeerGroups.has((r.inputs.defaultActions as Inputs[])[0].targetGroupArn));
                for (const r of added) assert.ok(r.name.startsWith(`ipfs-${peers}`) || servesNewPeer(r), `${r.name} is new although it is not the new peer's`);
                const changed = grown.resources.filter(r => old.has(r.urn)).filter(r => {
                    const was = old.get(r.urn)!;
                    return !isDeepStrictEqual(was.inputs, r.inputs) || !isDeepStrictEqual(was.options, r.options) || !isDeepStrictEqual(was.engine?.dependencies, r.engine?.dependencies);
                });
                // GCP's HTTPS load balancers name every peer's instance group as a backend; AWS's take tasks as they register.
                const expected = cloud === "gcp" ? ["ipfs-api-backend", "ipfs-gateway-backend"] : [];
                assert.deepStrictEqual(changed.map(r => r.name).sort(), expected);
                for (const r of changed) {
                    assert.strictEqual(r.type, BACKEND_SERVICE);
                    const was = old.get(r.urn)!;
                    assert.deepStrictEqual((r.inputs.backends as Inputs[]).slice(0, peers), was.inputs.backends, `${r.name}: an existing backend changed`);
                }
                const steps = stepsOf(base, grown);
                for (const r of rollouts(base, cloud)) assert.ok(!steps.has(r.urn), `${r.name} would restart`);
                const [newPeer] = rollouts(grown, cloud).slice(-1);
                assert.ok(steps.has(newPeer.urn));
            });

            it("rolls an image change through every peer, one at a time, in peer order", () => {
                const steps = stepsOf(base, upgraded);
                const definitions = upgraded.resources.filter(r => r.type === DEFINITION[cloud] && steps.has(r.urn));
                assert.strictEqual(definitions.length, peers, `changed definitions: ${definitions.map(d => d.name).join(", ")}`);
                const chain = rollouts(upgraded, cloud);
                for (const r of chain) assert.ok(steps.has(r.urn), `${r.name} never gets the new image`);
                const times = timeline(upgraded, steps, ROLLOUT[cloud]);
                const spans = chain.map(r => times.get(r.urn)!);
                // One unit each, back to back: never two peers waiting for health at once.
                assert.deepStrictEqual(spans, chain.map((_, i) => ({ start: i, end: i + 1 })));
            });

            it("rolls a new value of the cluster secret through every peer, one at a time, in peer order", () => {
                const [version] = base.resources.filter(r => /SecretVersion$/.test(r.type) && r.urn.includes("::ipfs-cluster-secret"));
                assert.ok(version, "the cluster secret's version");
                const steps = withConsequences(base, new Set([version.urn]));
                const chain = rollouts(base, cloud);
                for (const r of chain) assert.ok(steps.has(r.urn), `${r.name} keeps the old value until it happens to restart`);
                if (cloud === "aws") {
                    for (const r of chain) assert.strictEqual(r.inputs.forceNewDeployment, true, `${r.name}: a new trigger value redeploys only with forceNewDeployment`);
                }
                const times = timeline(base, steps, ROLLOUT[cloud]);
                assert.deepStrictEqual(chain.map(r => times.get(r.urn)!), chain.map((_, i) => ({ start: i, end: i + 1 })));
            });
        });
    }

    describe("who a peer knows at start", () => {
        const zones = ["a", "b", "c"];

        it("depends on the peer alone, never on how many peers follow it", () => {
            const largest = placePeers("ipfs", 60, zones);
            for (let count = 1; count <= 60; count++) {
                const placed = largest.slice(0, count);
                for (const self of [0, 1, 2, 5, 6, count - 1].filter(s => s >= 0 && s < count)) {
                    assert.deepStrictEqual(bootstrapPeers(placed, self), bootstrapPeers(largest, self));
                    assert.deepStrictEqual(peersKnownAtStart(placed, self), largest.slice(0, self));
                }
            }
        });

        it("names only earlier peers, at most two of a zone, six once the first two rounds are placed", () => {
            const placed = placePeers("ipfs", 300, zones);
            assert.deepStrictEqual(bootstrapPeers(placed, 0), []);
            assert.deepStrictEqual(bootstrapPeers(placed, 1).map(p => p.index), [0]);
            for (const self of [6, 7, 150, 299]) assert.deepStrictEqual(bootstrapPeers(placed, self).map(p => p.index), [0, 1, 2, 3, 4, 5]);
            for (let self = 0; self < 300; self++) {
                const known = bootstrapPeers(placed, self);
                assert.ok(known.every(p => p.index < self));
                for (const z of zones) assert.ok(known.filter(p => p.zone === z).length <= 2);
            }
        });

        it("keeps the peers of any two zones connected when the third is lost, whatever the count", () => {
            for (let count = 3; count <= 40; count++) {
                const placed = placePeers("ipfs", count, zones);
                for (const lost of zones) {
                    const alive = placed.filter(p => p.zone !== lost);
                    // A later peer redials the earlier ones it names, so each named pair is joined while both run.
                    const joined = new Map(alive.map(p => [p.index, new Set<number>()]));
                    for (const p of alive) {
                        for (const q of bootstrapPeers(placed, p.index).filter(q => q.zone !== lost)) {
                            joined.get(p.index)!.add(q.index);
                            joined.get(q.index)!.add(p.index);
                        }
                    }
                    const reached = new Set([alive[0].index]);
                    for (const queue = [alive[0].index]; queue.length > 0;) {
                        for (const next of joined.get(queue.pop()!)!) if (!reached.has(next)) { reached.add(next); queue.push(next); }
                    }
                    assert.strictEqual(reached.size, alive.length, `${count} peers without zone ${lost}: ${alive.length - reached.size} cut off`);
                }
            }
        });
    });

    describe("the rules themselves", () => {
        it("refuse two tasks at once, a deployment that can replace nothing, and no rollback (ecs DeploymentConfiguration)", () => {
            const ok = { serviceName: "s", desiredCount: 1, deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0, deploymentCircuitBreaker: { enable: true, rollback: true } } };
            assert.deepStrictEqual(ecsDeploymentProblems(ok), []);
            assert.match(ecsDeploymentProblems({ ...ok, deploymentConfiguration: { ...ok.deploymentConfiguration, maximumPercent: 200 } }).join(), /up to 2 tasks/);
            assert.match(ecsDeploymentProblems({ ...ok, deploymentConfiguration: { ...ok.deploymentConfiguration, minimumHealthyPercent: 100 } }).join(), /none can be replaced/);
            assert.match(ecsDeploymentProblems({ ...ok, deploymentConfiguration: { ...ok.deploymentConfiguration, deploymentCircuitBreaker: { enable: true, rollback: false } } }).join(), /not rolled back/);
            // ECS's defaults (200 % and 100 %) run two tasks at once.
            assert.match(ecsDeploymentProblems({ serviceName: "s", desiredCount: 1 }).join(), /up to 2 tasks/);
        });

        it("refuse a group that never rolls, surges onto stateful disks, recreates with nothing unavailable or waits for nothing (compute v1)", () => {
            const ok = {
                name: "g", waitForInstances: true, waitForInstancesStatus: "UPDATED",
                updatePolicy: { type: "PROACTIVE", minimalAction: "REPLACE", mostDisruptiveAllowedAction: "REPLACE", replacementMethod: "RECREATE", maxSurgeFixed: 0, maxUnavailableFixed: 1 },
            };
            const With = (policy: Inputs, group: Inputs = {}) => ({ ...ok, ...group, updatePolicy: { ...ok.updatePolicy, ...policy } });
            assert.deepStrictEqual(gceUpdateProblems(ok, true), []);
            assert.match(gceUpdateProblems(With({ type: "OPPORTUNISTIC" }), true).join(), /never reaches/);
            assert.match(gceUpdateProblems(With({ maxSurgeFixed: 1 }), true).join(), /stateful disks/);
            assert.match(gceUpdateProblems(With({ replacementMethod: "SUBSTITUTE" }), true).join(), /stateful disks/);
            assert.match(gceUpdateProblems(With({ maxUnavailableFixed: 0 }), true).join(), /both 0/);
            assert.match(gceUpdateProblems(With({ maxUnavailableFixed: 0, maxSurgeFixed: 1, replacementMethod: "RECREATE" }), false).join(), /RECREATE needs/);
            assert.match(gceUpdateProblems(With({ mostDisruptiveAllowedAction: "RESTART" }), true).join(), /more than/);
            assert.match(gceUpdateProblems(With({}, { waitForInstances: false }), true).join(), /waits for nothing/);
        });

        it("order steps as the engine does: a step waits for its dependencies, and only a changed rollout takes time", () => {
            const r = (name: string, type: string, deps: string[]): SynthResource => ({ urn: name, type, name, id: null, parent: null, custom: true, inputs: {}, options: { protect: false, retainOnDelete: false, dependsOn: [] }, engine: { inputs: {}, dependencies: deps, propertyDependencies: {} } });
            const report = { resources: [r("a", "roll", []), r("b", "roll", []), r("c", "roll", ["a"]), r("d", "other", ["c"]), r("e", "roll", ["d"])] } as unknown as SynthReport;
            const times = timeline(report, new Set(["a", "b", "c", "e"]), "roll");
            assert.deepStrictEqual([...times.entries()], [["a", { start: 0, end: 1 }], ["b", { start: 0, end: 1 }], ["c", { start: 1, end: 2 }], ["e", { start: 2, end: 3 }]]);
            // Without a change, a rollout takes no time and the next one starts at once.
            assert.deepStrictEqual(timeline(report, new Set(["e"]), "roll").get("e"), { start: 0, end: 1 });
        });
    });
});
