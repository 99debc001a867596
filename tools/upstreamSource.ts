// The command line of the tools that extract test data from upstream files at a release tag.

/** `<path>... --tag <tag> --commit <commit>`: the upstream files or folder, and the release they are at, recorded with the data. */
export function upstreamSourceArgs(argv: string[]): { paths: string[]; tag: string; commit: string } {
    const flag = (name: string) => {
        const i = argv.indexOf(name);
        if (i < 0 || !argv[i + 1]) throw new Error(`give ${name} <value> after the upstream files`);
        return argv[i + 1];
    };
    const firstFlag = argv.findIndex(a => a.startsWith("--"));
    return { paths: argv.slice(0, firstFlag < 0 ? argv.length : firstFlag), tag: flag("--tag"), commit: flag("--commit") };
}
