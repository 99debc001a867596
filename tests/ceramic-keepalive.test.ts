// The keep-alive job leaves nothing pinned on the node. The stand-in answers POST /api/v0/streams as the
// deployed js-ceramic does and keeps a pin set the way it does:
//   - the daemon hands the body's `opts` to createStreamFromGenesis as they are
//     (ceramicnetwork/js-ceramic @ceramicnetwork/cli@5.16.0 packages/cli/src/ceramic-daemon.ts createStreamFromGenesis);
//   - Ceramic fills in anchor/publish defaults, never `pin` (packages/core/src/ceramic.ts DEFAULT_CREATE_FROM_GENESIS_OPTS);
//   - the repository pins on `pin: true`, on an undefined `pin` for a create (or an indexed stream), and
//     unpins on `pin: false` (packages/core/src/state-management/repository.ts _handlePinOpts);
//   - the genesis is imported into IPFS with `pinRoots: false` (packages/core/src/dispatcher.ts importCAR), so
//     nothing else pins it.
import * as assert from "assert";
import { spawn } from "child_process";
import * as http from "http";
import { KEEP_ALIVE_CREATE_OPTS, keepAliveScript } from "../components/ceramic/keepalive";
import { hasBinary } from "./support";

/**
 * Whether js-ceramic 5.16's repository leaves a newly created stream pinned, given the create's options: a
 * truthy `pin` pins, a missing one pins (it is a create), anything else does not (`pin: false` unpins).
 */
function pinnedOnCreate(opts: Record<string, unknown> | undefined): boolean {
    const pin = opts?.pin;
    return Boolean(pin) || pin === undefined;
}

interface StandIn {
    url: string;
    pinned: Set<string>;
    requests: { url?: string; opts: Record<string, unknown> | undefined }[];
    close(): Promise<void>;
}

async function ceramicStandIn(): Promise<StandIn> {
    const pinned = new Set<string>();
    const requests: StandIn["requests"] = [];
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", d => (raw += d));
        req.on("end", () => {
            if (req.method !== "POST" || req.url !== "/api/v0/streams") {
                res.statusCode = 404;
                res.end(JSON.stringify({ error: `no route ${req.method} ${req.url}` }));
                return;
            }
            const body = JSON.parse(raw) as { type: number; genesis: unknown; opts?: Record<string, unknown> };
            requests.push({ url: req.url, opts: body.opts });
            const streamId = `kjzl6cwe1jw14${requests.length}`;
            if (pinnedOnCreate(body.opts)) pinned.add(streamId);
            res.setHeader("Content-Type", "application/json");
            res.end(JSON.stringify({ streamId, state: {} }));
        });
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
        pinned,
        requests,
        close: () => new Promise<void>(resolve => server.close(() => resolve())),
    };
}

function runKeepAlive(script: string, url: string): Promise<{ code: number | null; stderr: string }> {
    return new Promise(resolve => {
        const child = spawn("sh", ["-c", script, "ceramic-keepalive"], { env: { PATH: process.env.PATH!, CERAMIC_URL: url } });
        let stderr = "";
        child.stderr.on("data", d => (stderr += d));
        child.on("exit", code => resolve({ code, stderr }));
    });
}

describe("the Ceramic keep-alive pins nothing (js-ceramic 5.16 repository.ts _handlePinOpts)", () => {
    it("models js-ceramic's rule: a create without `pin` is pinned, `pin: false` is not", () => {
        assert.strictEqual(pinnedOnCreate({ anchor: false, publish: true }), true);
        assert.strictEqual(pinnedOnCreate(undefined), true);
        assert.strictEqual(pinnedOnCreate({ pin: false }), false);
        assert.strictEqual(pinnedOnCreate({ pin: true }), true);
    });

    it("creates every keep-alive stream with pin: false, so the node's pin set stays empty run after run", async function () {
        if (!hasBinary("curl")) this.skip();
        const node = await ceramicStandIn();
        try {
            for (let run = 0; run < 3; run++) {
                const { code, stderr } = await runKeepAlive(keepAliveScript(), node.url);
                assert.strictEqual(code, 0, stderr);
            }
            assert.strictEqual(node.requests.length, 3);
            for (const r of node.requests) assert.deepStrictEqual(r.opts, { ...KEEP_ALIVE_CREATE_OPTS });
            assert.deepStrictEqual([...node.pinned], []);
        } finally {
            await node.close();
        }
    });

    it("would pin a stream per run if the request left `pin` out (the stand-in tells the difference)", async function () {
        if (!hasBinary("curl")) this.skip();
        const node = await ceramicStandIn();
        try {
            const withoutPin = keepAliveScript().replace(',"pin":false', "");
            assert.notStrictEqual(withoutPin, keepAliveScript());
            const { code, stderr } = await runKeepAlive(withoutPin, node.url);
            assert.strictEqual(code, 0, stderr);
            assert.strictEqual(node.pinned.size, 1);
        } finally {
            await node.close();
        }
    });
});
