#!/usr/bin/env bash
# After a failed `pulumi preview` (a policy violation, a configuration error, a cloud error): runs the preview
# again to capture what it printed, and comments it on the pull request (one comment per stack, edited on
# every failed run), its "Policies:" and "Diagnostics:" sections first (the CLI's section headlines,
# pulumi/pulumi pkg/backend/display/progress.go).
# pulumi/actions comments only when a preview succeeds. The CLI masks secret values in its output.
# Usage: comment-failed-preview.sh <stack> <pull request number>   (GH_TOKEN set)
set -uo pipefail
stack="${1:?usage: comment-failed-preview.sh <stack> <pull request number>}"
pull_request="${2:?usage: comment-failed-preview.sh <stack> <pull request number>}"
log="$(mktemp)"
body="$(mktemp)"
marker="<!-- web3-nodes: failed preview of ${stack} -->"

pulumi preview --stack "${stack}" --policy-pack policies --non-interactive --color never > "${log}" 2>&1
status=$?

{
    echo "${marker}"
    echo "#### \`pulumi preview\` of stack \`${stack}\` failed (exit ${status})"
    echo
    # A section runs from its headline (a line at column 0 ending in ":") to the next headline.
    sections="$(awk '/^[A-Z][A-Za-z ]*:$/ { keep = ($0 == "Policies:" || $0 == "Diagnostics:") } keep' "${log}")"
    if [ -n "${sections}" ]; then
        echo '```'
        printf '%s\n' "${sections}" | head -c 30000
        echo '```'
    fi
    echo "<details><summary>The preview's output</summary>"
    echo
    echo '```'
    tail -c 30000 "${log}"
    echo '```'
    echo "</details>"
} > "${body}"

bash "$(dirname "$0")/upsert-comment.sh" "${pull_request}" "${marker}" "${body}"
