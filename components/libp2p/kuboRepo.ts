// The part of a kubo start script that makes a repo hold the peer's injected identity: on a blank volume,
// on a volume restored from a backup or another peer's snapshot.
// Every kubo-based daemon here (ipfs-cluster's kubo, Ceramic's IPFS) starts with these lines, then applies its
// own settings and becomes the daemon. POSIX sh: the images are busybox.

/**
 * The locks a killed kubo leaves in its repo, relative to it: the repo lock (kubo@v0.39.0
 * repo/fsrepo/fsrepo.go LockFile) and LevelDB's in the `datastore` directory of the default flatfs spec
 * (kubo@v0.39.0 config/init.go flatfsSpec; goleveldb names it LOCK). On a network file system the dead
 * client's lock outlives it; the volume fence removes them once it has proved that writer gone.
 */
export const KUBO_REPO_LOCKS = ["repo.lock", "datastore/LOCK"];

export interface KuboIdentityEnv {
    /** The variable holding the peer ID (public). */
    peerId: string;
    /** The variable holding the base64 protobuf private key, read from the secret store. */
    privateKey: string;
}

/**
 * Lines that initialise the repo at $IPFS_PATH with the identity in the environment when it holds none,
 * migrate it when an older kubo left it, write that identity into its config on every start, check it, and
 * drop the private key from the environment before anything else runs. `required` names further variables the script must be given.
 */
export function kuboIdentityLines(env: KuboIdentityEnv, initProfile: string, required: string[] = []): string[] {
    return [
        `repo="\${IPFS_PATH:?IPFS_PATH names the repo}"`,
        `: ${[env.peerId, env.privateKey, ...required].map(v => `"\${${v}:?}"`).join(" ")}`,
        "",
        "# write_identity CONFIG: puts the identity of the peer into a kubo config file. awk reads the key from the",
        "# environment, so it never appears on a command line.",
        "write_identity() {",
        '  tmp="$1.identity"',
        "  (umask 077 && awk '",
        `    /"PeerID":/ { sub(/"PeerID":[ \\t]*"[^"]*"/, "\\"PeerID\\": \\"" ENVIRON["${env.peerId}"] "\\"") }`,
        `    /"PrivKey":/ { sub(/"PrivKey":[ \\t]*"[^"]*"/, "\\"PrivKey\\": \\"" ENVIRON["${env.privateKey}"] "\\"") }`,
        "    { print }",
        `  ' "$1" > "$tmp")`,
        '  mv -f "$tmp" "$1"',
        "}",
        "",
        'if [ ! -f "$repo/config" ]; then',
        "  # kubo takes a whole config file at init, not a key: make a default one, put the identity in, and",
        "  # initialise the repo from it, so the repo never holds another key.",
        "  # The template holds the private key: it is made on the volume the key goes to anyway, never in the",
        "  # container's writable layer, which lives on a disk of its own.",
        '  rm -rf "$repo"/.identity-init.*',
        '  template="$(mktemp -d "$repo/.identity-init.XXXXXX")"',
        '  IPFS_PATH="$template" ipfs init --empty-repo > /dev/null',
        '  write_identity "$template/config"',
        `  ipfs init --profile=${initProfile} --empty-repo "$template/config"`,
        '  rm -rf "$template"',
        "fi",
        "",
        "# A repo an older kubo left is migrated before anything reads it: `ipfs config` refuses a repo that needs",
        "# migration (kubo@v0.42.0 repo/fsrepo/fsrepo.go ErrNeedMigration), and the daemon's --migrate comes too late.",
        "# `repo migrate` opens no repo; from repo version 16 on its migrations are built in, so it runs offline",
        "# (core/commands/repo.go repoMigrateCmd, repo/fsrepo/migrations RunHybridMigrations).",
        "ipfs repo migrate",
        "",
        "# Also on a volume restored from a backup or a snapshot of another peer: the identity is the one in the secret store.",
        'write_identity "$repo/config"',
        `if [ "$(ipfs config Identity.PeerID)" != "$${env.peerId}" ]; then`,
        `  echo "the config in $repo does not hold peer ID $${env.peerId}" >&2`,
        "  exit 1",
        "fi",
        `unset ${env.privateKey}`,
    ];
}

/** A word for a POSIX script: bare when safe, double-quoted when it expands a variable, single-quoted otherwise. */
export function shellWord(word: string): string {
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
    if (!word.includes("${")) return `'${word.replace(/'/g, `'\\''`)}'`;
    return `"${word.replace(/["\\`]/g, c => `\\${c}`)}"`;
}
