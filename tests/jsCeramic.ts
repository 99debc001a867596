// js-ceramic's own code, from the npm packages of the release the node deploys (@ceramicnetwork/cli 6.11.0, a
// devDependency pinned exactly, with the @ceramicnetwork/indexing it depends on): its config parser, its
// ComposeDB index check and its S3 state store. ESM only, so loaded with import(); once per test run, shared
// by every test file (mocha runs them in one process).
import * as path from "path";
import { pathToFileURL } from "url";
import { esm } from "./fixtures";

/** The version in package.json; the node's image tag says the same (components/ceramic/images.ts). */
export const UPSTREAM_CLI_VERSION = "6.11.0";

/** Where the package is installed: what aws-sdk is resolved from, as the state store resolves it. */
export const CLI_DIRECTORY = path.dirname(require.resolve("@ceramicnetwork/cli/package.json"));

/** js-ceramic@6.11.0 packages/cli/src/daemon-config.ts, as much as the tests use. */
export interface DaemonConfigClass {
    fromObject(json: unknown): DaemonConfigInstance;
}
export interface DaemonConfigInstance {
    network: { name: string };
    indexing: { db?: string; disableComposedb?: boolean; enableHistoricalSync?: boolean; allowQueriesBeforeHistoricalSync?: boolean };
    node: { privateSeedUrl?: string; sensitive_privateSeedUrl(): string | undefined };
    stateStore?: { mode: string; s3Bucket?: string; s3Endpoint?: string };
    metrics: { metricsPublisherEnabled?: boolean };
    httpApi: { adminDids?: string[] };
}

export interface Logger {
    imp(m: string): void;
    warn(m: string): void;
    err(m: unknown): void;
    verbose(m: string): void;
    debug(m: string): void;
}

export interface IndexApi {
    constructor: { name: string };
    /** knex, as build-indexing.ts made it. */
    dbConnection: { raw(sql: string): Promise<unknown>; destroy(): Promise<void> };
}

export interface KvStore {
    put(key: string, value: unknown): Promise<void>;
    get(key: string): Promise<unknown>;
    find(): Promise<{ key: string; value: unknown }[]>;
}

export interface Upstream {
    DaemonConfig: DaemonConfigClass;
    validateConfig(config: DaemonConfigInstance): void;
    /** js-ceramic@6.11.0 packages/indexing/src/make-index-api.ts. */
    makeIndexApi(config: DaemonConfigInstance["indexing"], network: string, logger: Logger): IndexApi | undefined;
    UnsupportedIndexingDatabaseError: new () => Error;
    /** js-ceramic@6.11.0 packages/cli/src/s3-store.ts. */
    S3KVFactory: new (bucket: string, network: string, logger: Logger, customEndpoint?: string) => { open(name?: string): Promise<KvStore>; close(): Promise<void> };
    /** The SDK the state store imports, the same instance. */
    awsSdk: { config: { s3?: Record<string, unknown>; update(options: Record<string, unknown>): void } };
}

export const QUIET_LOGGER: Logger = { imp() {}, warn() {}, err() {}, verbose() {}, debug() {} };

let upstream: Promise<Upstream> | undefined;

/** The upstream modules, loaded on first use. */
export function jsCeramic(): Promise<Upstream> {
    upstream ??= (async () => {
        // aws-sdk v2 prints its end-of-support notice on load unless told not to.
        const quiet = process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE;
        process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
        try {
            const config = await esm("@ceramicnetwork/cli/lib/daemon-config.js");
            const s3 = await esm("@ceramicnetwork/cli/lib/s3-store.js");
            // The package's exports name only its index, which does not export makeIndexApi: by file.
            const indexingDir = path.dirname(require.resolve("@ceramicnetwork/indexing", { paths: [CLI_DIRECTORY] }));
            const index = await esm(pathToFileURL(path.join(indexingDir, "make-index-api.js")).href);
            const awsSdk = require(require.resolve("aws-sdk", { paths: [CLI_DIRECTORY] }));
            return {
                DaemonConfig: config.DaemonConfig,
                validateConfig: config.validateConfig,
                makeIndexApi: index.makeIndexApi,
                UnsupportedIndexingDatabaseError: index.UnsupportedIndexingDatabaseError,
                S3KVFactory: s3.S3KVFactory,
                awsSdk,
            };
        } finally {
            if (quiet === undefined) delete process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE;
            else process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = quiet;
        }
    })();
    return upstream;
}

/**
 * What js-ceramic does with the environment before it validates the config (js-ceramic@6.11.0
 * packages/cli/src/ceramic-cli-utils.ts createDaemon, the same lines in 5.16.0): the two variables the node sets.
 */
export function applyDaemonEnv(config: DaemonConfigInstance, env: { CERAMIC_INDEXING_DB_URI?: string; CERAMIC_NODE_PRIVATE_SEED_URL?: string }): void {
    if (env.CERAMIC_INDEXING_DB_URI) config.indexing.db = env.CERAMIC_INDEXING_DB_URI;
    if (env.CERAMIC_NODE_PRIVATE_SEED_URL) config.node.privateSeedUrl = env.CERAMIC_NODE_PRIVATE_SEED_URL;
}
