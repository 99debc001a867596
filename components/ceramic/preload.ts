// A CommonJS file node loads (NODE_OPTIONS=--require) before js-ceramic starts, for two things js-ceramic's own
// settings cannot say. It holds no secret and reads its two values from the environment; the start script
// writes it into the container's memory scratch.
//
// 1. The state store's S3 endpoint for every S3 client. On mainnet the store first lists the bucket with a
//    default client, `new AWSSDK.S3()`, which ignores state-store.s3-endpoint (js-ceramic@6.11.0
//    packages/cli/src/s3-store.ts S3KVFactory.dirPath; cli@5.16.0 the same): on GCP that call goes to AWS and
//    the store never opens. aws-sdk v2 reads no endpoint from the environment, so the preload sets it in the
//    SDK's global config, which every S3 client of the process starts from. aws-sdk is CommonJS: js-ceramic's
//    `import AWSSDK from 'aws-sdk'` gets the instance this file configured, resolved from the same place.
// 2. libpq's verify-ca for the index database. js-ceramic's knex (2.5.1) parses the URL with pg-connection-
//    string 2.6.1, its pinned dependency, which leaves node's name check in place for verify-ca as for
//    verify-full, and Cloud SQL's certificate names the instance, not the address clients dial, so no name
//    check can pass. For that one host node checks the chain against the instance's own CAs (the URL's
//    sslrootcert, which sign nothing else) and skips the name; every other TLS connection keeps node's check.

export const PRELOAD_ENV = {
    /** The state store's endpoint, set when the store is in a bucket. */
    s3Endpoint: "CERAMIC_STATE_STORE_S3_ENDPOINT",
    /** The database host checked by CA only. */
    caOnlyHost: "CERAMIC_DATABASE_CA_ONLY_HOST",
} as const;

/**
 * js-ceramic's image, both lines (js-ceramic@cli@5.16.0 and 6.11.0 Dockerfile.daemon): WORKDIR /js-ceramic, the
 * packages' dependencies hoisted to its node_modules (lerna bootstrap --hoist), ENTRYPOINT
 * ./packages/cli/bin/ceramic.js daemon.
 */
export const JS_CERAMIC_IMAGE = { workdir: "/js-ceramic", cli: "./packages/cli/bin/ceramic.js", cliDirectory: "/js-ceramic/packages/cli" } as const;

/** The file's source. `cliDirectory`: where aws-sdk is resolved from, as js-ceramic's state store resolves it. */
export function preloadSource(cliDirectory: string = JS_CERAMIC_IMAGE.cliDirectory): string {
    return [
        "'use strict';",
        "// Loaded before js-ceramic starts (NODE_OPTIONS=--require); written by the node's start script.",
        `const s3Endpoint = process.env.${PRELOAD_ENV.s3Endpoint};`,
        "if (s3Endpoint) {",
        "  // Every S3 client, the state store's default one on mainnet included, goes to the store's endpoint.",
        `  const aws = require(require.resolve('aws-sdk', { paths: [${JSON.stringify(cliDirectory)}] }));`,
        "  aws.config.update({ s3: { endpoint: s3Endpoint } });",
        "}",
        `const caOnlyHost = process.env.${PRELOAD_ENV.caOnlyHost};`,
        "if (caOnlyHost) {",
        "  // The database's certificate is checked against its own CAs only (verify-ca); every other host by name too.",
        "  const tls = require('tls');",
        "  const checkServerIdentity = tls.checkServerIdentity;",
        "  tls.checkServerIdentity = (host, cert) => (host === caOnlyHost ? undefined : checkServerIdentity(host, cert));",
        "}",
        "",
    ].join("\n");
}
