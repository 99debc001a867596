// The Chainlink start script's lease question, asked of a real PostgreSQL: the database as a node pair leaves
// it (smartcontractkit/chainlink v2.28.0 and v2.29.0): core/services/pg/lease_lock.go keeps one row in
// lease_lock (client_id uuid, expires_at timestamptz), renewed by the holder; core/services/pg/locked_db.go
// openDB names every connection "Chainlink <version> |App|<application ID>" (core/static/static.go
// SetConsumerName), the application ID being the lease's client_id. The server runs on loopback, as a user
// PostgreSQL accepts (it refuses root); .ci/run installs it.
import * as assert from "assert";
import { ChildProcess, execFile, spawn, spawnSync } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { NODE_FILES, leaseHeldFunction, renderSecretsToml } from "../../components/chainlink";

/** The newest PostgreSQL server installed from Debian's packages. */
function serverBin(): string {
    const root = "/usr/lib/postgresql";
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter(v => fs.existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
    assert.ok(versions.length > 0, "a PostgreSQL server is needed: apt-get install postgresql (.ci/run installs it)");
    return path.join(root, versions[0], "bin");
}

/** Runs a server command as its data directory's owner: PostgreSQL refuses to run as root. */
function asOwner(command: string, args: string[]): string[] {
    return process.getuid?.() === 0 ? ["runuser", "-u", "nobody", "--", command, ...args] : [command, ...args];
}

function freePort(): Promise<number> {
    return new Promise(resolve => {
        const probe = net.createServer();
        probe.listen(0, "127.0.0.1", () => {
            const port = (probe.address() as net.AddressInfo).port;
            probe.close(() => resolve(port));
        });
    });
}

function sh(command: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
    const [cmd, ...args] = command;
    const result = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8", timeout: 30_000 });
    return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

describe("conformance: the Chainlink watch's lease question against a real PostgreSQL", function () {
    this.timeout(60_000);
    const PASSWORD = "Pa%^*+=!~ss-0123456789ab";
    let dir = "";
    let port = 0;
    let bin = "";
    let holder: ChildProcess | undefined;
    const admin = (sql: string) => {
        const result = sh(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", sql]);
        assert.strictEqual(result.status, 0, result.stderr);
    };
    const asNode = (sql: string) => {
        const result = sh(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port), "-U", "postgres", "-d", "chainlink", "-c", sql]);
        assert.strictEqual(result.status, 0, result.stderr);
    };

    before(async () => {
        bin = serverBin();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainlink-lease-"));
        fs.chmodSync(dir, 0o777);
        port = await freePort();
        const data = path.join(dir, "data");
        let r = sh(asOwner(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8"]));
        assert.strictEqual(r.status, 0, r.stderr);
        r = sh(asOwner(path.join(bin, "pg_ctl"), ["-D", data, "-w", "-l", path.join(dir, "log"), "-o", `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]));
        assert.strictEqual(r.status, 0, r.stderr + r.stdout);
        admin(`CREATE ROLE chainlink LOGIN PASSWORD '${PASSWORD}'`);
        admin("CREATE DATABASE chainlink OWNER chainlink");
        // The table as the lease lock creates it before any migration.
        asNode("CREATE TABLE lease_lock (client_id uuid NOT NULL, expires_at timestamptz NOT NULL); CREATE UNIQUE INDEX only_one_lease_lock ON lease_lock ((client_id IS NOT NULL)); ALTER TABLE lease_lock OWNER TO chainlink");
    });

    after(() => {
        holder?.kill("SIGKILL");
        if (dir && bin) sh(asOwner(path.join(bin, "pg_ctl"), ["-D", path.join(dir, "data"), "-m", "immediate", "stop"]));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A node's connection, open until the test ends, over TCP from 127.0.0.1 and named as Chainlink names it. */
    async function openNodeSession(appId: string): Promise<void> {
        holder?.kill("SIGKILL");
        const url = `postgresql://chainlink:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/chainlink?sslmode=disable&application_name=${encodeURIComponent(`Chainlink 2.28.0 |App|${appId}`)}`;
        holder = spawn("psql", ["-X", url], { stdio: ["pipe", "ignore", "ignore"] });
        for (let i = 0; i < 50; i++) {
            const seen = sh(["psql", "-XAt", "-h", dir, "-p", String(port), "-U", "postgres", "-d", "chainlink", "-c",
                `SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '%${appId}'`]);
            if (seen.stdout.trim() === "1") return;
            await new Promise(resolve => setTimeout(resolve, 100));
        }
        assert.fail("the node's session never showed up");
    }

    /** Leases the database to `clientId` for `seconds` (negative: expired). */
    function lease(clientId: string, seconds: number): void {
        asNode(`DELETE FROM lease_lock; INSERT INTO lease_lock VALUES ('${clientId}', now() + interval '${seconds} seconds')`);
    }

    /** The start script's lease_held, with secrets.toml as the program renders it. */
    function leaseHeld(): Promise<{ code: number; stdout: string }> {
        const runDir = path.join(dir, "run");
        fs.mkdirSync(runDir, { recursive: true });
        fs.writeFileSync(path.join(runDir, NODE_FILES.secrets.file), renderSecretsToml({
            databaseUrl: `postgresql://chainlink:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/chainlink?sslmode=disable`,
            keystorePassword: "k".repeat(20),
            prometheusToken: "t".repeat(20),
        }));
        const script = [...leaseHeldFunction({ port: 1, runDir }), "lease_held"].join("\n");
        return new Promise(resolve => execFile("bash", ["-c", script], { timeout: 20_000 }, (error, stdout) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: stdout.trim() })));
    }

    it("says t when a session from this node's address carries the unexpired lease's client ID", async () => {
        const appId = randomUUID();
        await openNodeSession(appId);
        lease(appId, 600);
        assert.deepStrictEqual(await leaseHeld(), { code: 0, stdout: "t" });
    });

    it("says f when the lease belongs to a client ID no session of this address carries: the other node's", async () => {
        await openNodeSession(randomUUID());
        lease(randomUUID(), 600);
        assert.deepStrictEqual(await leaseHeld(), { code: 0, stdout: "f" });
    });

    it("says f when this node's lease has expired: it no longer holds it", async () => {
        const appId = randomUUID();
        await openNodeSession(appId);
        lease(appId, -5);
        assert.deepStrictEqual(await leaseHeld(), { code: 0, stdout: "f" });
    });

    it("fails, telling nothing, when the database cannot answer", async () => {
        asNode("ALTER TABLE lease_lock RENAME TO lease_lock_gone");
        try {
            const result = await leaseHeld();
            assert.notStrictEqual(result.code, 0);
            assert.strictEqual(result.stdout, "");
        } finally {
            asNode("ALTER TABLE lease_lock_gone RENAME TO lease_lock");
        }
    });
});
