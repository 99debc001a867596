// The Chainlink node's image. Release images run as the non-root user chainlink (see ports.ts); `-root` tags
// and `latest` are refused. Upgrading a node is changing `chainlink.version`: on start the node that takes
// the lease migrates the database (MigrateOnStartup), and the other waits for the lease on the new schema.
export const IMAGE_REPOSITORY = "smartcontract/chainlink";
/**
 * The release a stack runs unless it names another: smartcontractkit/chainlink tag v2.29.0 (signed tag of
 * commit 10bd946f63887e15b6aafb63c0ba5aedd6b1e73f). The configuration this program renders is checked key by
 * key against that tag's docs/CONFIG.md and docs/SECRETS.md (tests/data/chainlink-config-keys.json): moving
 * the pin means extracting that data anew from the new tag (tools/chainlink-config-keys.ts).
 */
export const DEFAULT_VERSION = "2.29.0";
/** A 2.x release tag: 2.x reads the TOML configuration this component writes; 1.x read environment variables. */
export const VERSION = /^2\.\d{1,3}\.\d{1,3}$/;

export function chainlinkImage(version: string): string {
    return `${IMAGE_REPOSITORY}:${version}`;
}
