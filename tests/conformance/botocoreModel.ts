// Reads botocore's service models (Debian's python3-botocore; .ci/run installs it) as data: the API's own
// definition of each operation's input, for rules the tests hold the program's tables to.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { SYSTEM_PYTHON } from "./botocore";

export interface ModelMember {
    /** Where it was read: `<service>/<api version>`, and botocore's version. */
    model: string;
    shape: string;
    min?: number;
    max?: number;
    /** The model's regular expression (Python syntax, unanchored). */
    pattern?: string;
    /** The member's documentation as plain text. */
    documentation: string;
}

let located: { dataDir: string; version: string } | undefined;

function botocore(): { dataDir: string; version: string } {
    if (!located) {
        const run = spawnSync(SYSTEM_PYTHON, ["-c", "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data')); print(botocore.__version__)"], { encoding: "utf8" });
        if (run.status !== 0) throw new Error(`botocore not found by ${SYSTEM_PYTHON}: ${run.stderr || run.error?.message}; install python3-botocore (.ci/run does)`);
        const [dataDir, version] = run.stdout.trim().split("\n");
        located = { dataDir, version };
    }
    return located;
}

const models = new Map<string, { file: string; json: any }>();

/** A service's newest model, as botocore itself would load it (plain or gzipped JSON). */
function serviceModel(service: string): { file: string; json: any } {
    let model = models.get(service);
    if (!model) {
        const dir = path.join(botocore().dataDir, service);
        const versions = fs.readdirSync(dir).filter(v => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort();
        const base = path.join(dir, versions[versions.length - 1], "service-2.json");
        const text = fs.existsSync(base) ? fs.readFileSync(base, "utf8") : zlib.gunzipSync(fs.readFileSync(`${base}.gz`)).toString("utf8");
        model = { file: `${service}/${versions[versions.length - 1]}`, json: JSON.parse(text) };
        models.set(service, model);
    }
    return model;
}

function plainText(html: string): string {
    return html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, "\"").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/\s+/g, " ").trim();
}

/** One member of an operation's input: its shape's limits and its documentation. */
export function inputMember(service: string, operation: string, member: string): ModelMember {
    const { file, json } = serviceModel(service);
    const op = json.operations[operation];
    if (!op) throw new Error(`botocore ${file} has no operation ${operation}`);
    const ref = json.shapes[op.input.shape].members[member];
    if (!ref) throw new Error(`botocore ${file} ${operation} has no input member ${member}`);
    const shape = json.shapes[ref.shape];
    return {
        model: `${file} (botocore ${botocore().version})`,
        shape: ref.shape,
        min: shape.min,
        max: shape.max,
        pattern: shape.pattern,
        documentation: plainText(ref.documentation ?? shape.documentation ?? ""),
    };
}
