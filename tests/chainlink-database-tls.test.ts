// Chainlink verifies its database: the URL in secrets.toml asks for the server's certificate to be checked
// against the database's own CAs (sslmode and sslrootcert as jackc/pgconn v1.14.3 config.go configTLS reads
// them, the driver of the pinned Chainlink 2.29.0), and the start script puts that CA file in the node's
// memory-only run directory before the node starts: from the secret store on GCP (the Cloud SQL instance's
// serverCaCerts), downloaded over https on AWS (the RDS regional bundle, which no API returns). The script runs
// for real against a stand-in https server; the URL and the delivered CA are read from the synthesized graphs.
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parse } from "smol-toml";
import * as YAML from "yaml";
import { DATABASE_CA, NODE_FILES, PORTS, RUN_DIR, startScript } from "../components/chainlink";
import { DatabaseCaSource } from "../components/chainlink/node";
import { CLOUD_SQL_SSL_MODE, rdsCaBundleUrl, verifiedPostgresUrl } from "../components/topology/postgres";
import { cloudSqlServerCa } from "../tools/mocks/gcp";
import { SynthResource } from "../tools/harness";
import { SynthReport } from "../tools/synth";
import { graphCases, graphOf } from "./conformance/graphs";
import { storedSecretFile } from "./support";

/** The sslmode values pgconn v1.14.3 accepts (configTLS: anything else is "sslmode is invalid"). */
const PGCONN_SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise(resolve => {
        execFile(command, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
        });
    });
}

/** A stand-in chainlink that records the CA file's content and mode, then exits 3 (a node that lost its lease). */
function standIn(dir: string, runDir: string): string {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "chainlink"), [
        "#!/bin/bash",
        `cat '${runDir}/${DATABASE_CA.file}' > '${dir}/ca'`,
        `stat -c '%a' '${runDir}/${DATABASE_CA.file}' > '${dir}/ca-mode'`,
        "exit 3",
    ].join("\n"), { mode: 0o755 });
    return bin;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const FILES = {
    [NODE_FILES.config.env]: b64("[Log]\nLevel = 'info'\n"),
    [NODE_FILES.secrets.env]: b64("[Password]\nKeystore = 'k'\n"),
    [NODE_FILES.apiCredentials.env]: b64("operator@nodes.example.com\npw\n"),
};

describe("Chainlink verifies its database's certificate", function () {
    this.timeout(120_000);

    it("names the verification and the CA file in the URL, keeping every other part", () => {
        const url = "postgresql://chainlink:p%40ss-~.word@db.cluster-abc.us-east-1.rds.amazonaws.com:5432/chainlink?sslmode=require";
        const verified = new URL(verifiedPostgresUrl(url, "verify-full", `${RUN_DIR}/${DATABASE_CA.file}`));
        assert.deepStrictEqual([verified.username, verified.password, verified.host, verified.pathname], ["chainlink", "p%40ss-~.word", "db.cluster-abc.us-east-1.rds.amazonaws.com:5432", "/chainlink"]);
        assert.deepStrictEqual([...verified.searchParams], [["sslmode", "verify-full"], ["sslrootcert", "/tmp/chainlink/database-ca.pem"]]);
        assert.throws(() => verifiedPostgresUrl(url, "verify-full", "database-ca.pem"), /absolute path/);
        // docs.aws.amazon.com AuroraUserGuide UsingWithRDS.SSL: regional bundles at truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem
        assert.strictEqual(rdsCaBundleUrl("eu-west-1"), "https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem");
        assert.throws(() => rdsCaBundleUrl("eu-west-1/../x"), /not an AWS region/);
    });

    describe("the start script puts the CA file in place (run for real)", () => {
        let dir: string;
        let server: https.Server;
        let served: { status: number; body: string };
        let base: string;
        let caBundle: string;
        const pem = () => fs.readFileSync(path.join(dir, "server.pem"), "utf8");

        before(async () => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainlink-ca-"));
            // A real certificate for the stand-in server, which curl trusts through CURL_CA_BUNDLE as it would
            // trust the RDS truststore's public certificate through the image's CA store.
            execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "server.key"), "-out", path.join(dir, "server.pem")], { stdio: "ignore" });
            caBundle = path.join(dir, "server.pem");
            server = https.createServer({ key: fs.readFileSync(path.join(dir, "server.key")), cert: pem() }, (_req, res) => {
                res.writeHead(served.status, { "content-type": "application/x-pem-file" });
                res.end(served.body);
            });
            await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
            base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
        });
        after(() => {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        });

        const start = async (source: DatabaseCaSource, env: Record<string, string> = {}) => {
            const work = fs.mkdtempSync(path.join(dir, "node-"));
            const runDir = path.join(work, "run");
            const bin = standIn(work, runDir);
            const result = await run("bash", ["-c", startScript({ port: PORTS.http, runDir, databaseCa: source }), "chainlink-node"],
                { PATH: `${bin}:${process.env.PATH}`, CURL_CA_BUNDLE: caBundle, ...FILES, ...env });
            const read = (f: string) => (fs.existsSync(path.join(work, f)) ? fs.readFileSync(path.join(work, f), "utf8") : undefined);
            return { ...result, ca: read("ca"), mode: read("ca-mode")?.trim() };
        };

        it("downloads the bundle over https into the run directory, readable by the node's user only, before the node starts", async () => {
            served = { status: 200, body: pem() };
            const result = await start({ kind: "download", url: `${base}/us-east-1/us-east-1-bundle.pem` });
            assert.strictEqual(result.code, 3, result.stderr);
            assert.strictEqual(result.ca, pem());
            assert.strictEqual(result.mode, "600");
        });

        it("does not start the node when the download fails, or brings no certificate", async () => {
            served = { status: 404, body: "no such bundle" };
            let result = await start({ kind: "download", url: `${base}/missing.pem`, retries: 0 }, {});
            assert.strictEqual(result.code, 1);
            assert.match(result.stderr, /could not download the database's CA bundle from https:\/\/127\.0\.0\.1:\d+\/missing\.pem/);
            assert.strictEqual(result.ca, undefined, "the node never ran");
            served = { status: 200, body: "<html>captive portal</html>" };
            result = await start({ kind: "download", url: `${base}/bundle.pem`, retries: 0 });
            assert.strictEqual(result.code, 1);
            assert.match(result.stderr, /the database's CA bundle holds no PEM certificate/);
        });

        it("refuses a bundle from a server it cannot verify, and over plain http", async () => {
            served = { status: 200, body: pem() };
            let result = await start({ kind: "download", url: `${base}/bundle.pem`, retries: 0 }, { CURL_CA_BUNDLE: "/etc/ssl/certs/ca-certificates.crt" });
            assert.strictEqual(result.code, 1, "a certificate the CA store does not know is refused");
            result = await start({ kind: "download", url: `http://127.0.0.1:9/bundle.pem`, retries: 0 });
            assert.strictEqual(result.code, 1);
            assert.match(result.stderr, /could not download/);
        });

        it("writes the bundle from the secret store when the deployment knows it", async () => {
            const result = await start({ kind: "secret" }, { [DATABASE_CA.env]: b64(pem()) });
            assert.strictEqual(result.code, 3, result.stderr);
            assert.strictEqual(result.ca, pem());
            const missing = await start({ kind: "secret" });
            assert.strictEqual(missing.code, 1);
            assert.match(missing.stderr, /NODE_DATABASE_CA_BASE64 is not set/);
        });
    });

    for (const c of graphCases().filter(g => g.request.stack === "prod" && g.request.set === undefined && g.request.stackName === undefined)) {
        describe(c.label, () => {
            let report: SynthReport;
            let url: URL;
            before(async () => {
                report = await graphOf(c);
                const secrets = parse(storedSecretFile(report, "chainlink-secrets")) as { Database: { URL: string } };
                url = new URL(secrets.Database.URL);
            });

            it("connects with the server verified against the CA file in the node's memory-only run directory", () => {
                const mode = url.searchParams.get("sslmode")!;
                assert.ok(PGCONN_SSL_MODES.includes(mode), `${mode} is an sslmode the driver knows`);
                assert.strictEqual(mode, c.cloud === "aws" ? "verify-full" : CLOUD_SQL_SSL_MODE);
                assert.strictEqual(url.searchParams.get("sslrootcert"), `${RUN_DIR}/${DATABASE_CA.file}`);
                assert.ok(url.searchParams.get("sslrootcert")!.startsWith(`${RUN_DIR}/`), "the CA file is in the memory scratch");
                if (c.cloud === "aws") assert.match(url.hostname, /\.cluster-[0-9a-f]+\.us-east-1\.rds\.amazonaws\.com$/, "the name the certificate carries");
            });

            it("delivers the CA bundle the URL names", () => {
                if (c.cloud === "aws") {
                    const task = report.resources.find((r: SynthResource) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name.startsWith("chainlink-0"))!;
                    const [def] = JSON.parse(task.inputs.containerDefinitions as string);
                    const script = def.entryPoint.join("\n") as string;
                    assert.ok(script.includes(`--proto '=https'`) && script.includes(`'${rdsCaBundleUrl("us-east-1")}'`), "the start script downloads the region's RDS bundle");
                    assert.ok(!def.secrets.some((s: { name: string }) => s.name === DATABASE_CA.env));
                } else {
                    const [sql] = report.resources.filter((r: SynthResource) => r.type === "gcp:sql/databaseInstance:DatabaseInstance");
                    assert.strictEqual(storedSecretFile(report, "chainlink-database-ca"), `${cloudSqlServerCa(sql.inputs.name as string)}\n`, "the instance's serverCaCerts");
                    // verify-ca proves the instance only while its CA signs nothing else: the per-instance CA, not a
                    // shared CAS pool (Cloud SQL "Configure SSL/TLS certificates", server CA modes).
                    const ip = (sql.inputs.settings as { ipConfiguration: { serverCaMode?: string } }).ipConfiguration;
                    assert.strictEqual(ip.serverCaMode, "GOOGLE_MANAGED_INTERNAL_CA");
                    const template = report.resources.find((r: SynthResource) => r.type === "gcp:compute/instanceTemplate:InstanceTemplate" && r.name.startsWith("chainlink-0"))!;
                    const files = (YAML.parse((template.inputs.metadata as Record<string, string>)["user-data"]) as { write_files: { path: string; content: string }[] }).write_files;
                    assert.ok(files.some(f => f.content.includes(` ${DATABASE_CA.env} `)), "the secret reaches the node's environment through the secret fetch");
                    assert.ok(files.some(f => f.content.includes(`decode ${DATABASE_CA.env} ${DATABASE_CA.file}`)), "the start script decodes it");
                }
            });
        });
    }
});
