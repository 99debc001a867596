// The Chainlink node's image. Release images run as the non-root user chainlink (see ports.ts); `-root` tags
// and `latest` are refused. Upgrading a node is changing `chainlink.version`: on start the node that takes
// the lease migrates the database (MigrateOnStartup), and the other waits for the lease on the new schema.
export const IMAGE_REPOSITORY = "smartcontract/chainlink";
/** The release a stack runs unless it names another. */
export const DEFAULT_VERSION = "2.28.0";
/** A 2.x release tag: 2.x reads the TOML configuration this component writes; 1.x read environment variables. */
export const VERSION = /^2\.\d{1,3}\.\d{1,3}$/;

export function chainlinkImage(version: string): string {
    return `${IMAGE_REPOSITORY}:${version}`;
}
