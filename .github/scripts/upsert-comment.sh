#!/usr/bin/env bash
# Posts a comment on a pull request, or edits the last one that starts with the same marker, so that each
# kind of comment stays one comment however often the workflow runs. The body file must start with the marker.
# Usage: upsert-comment.sh <pull request number> <marker> <body file>   (GH_TOKEN set; GH_REPO outside a checkout)
set -euo pipefail
pull_request="${1:?usage: upsert-comment.sh <pull request number> <marker> <body file>}"
marker="${2:?usage: upsert-comment.sh <pull request number> <marker> <body file>}"
body="${3:?usage: upsert-comment.sh <pull request number> <marker> <body file>}"

previous="$(gh api "repos/{owner}/{repo}/issues/${pull_request}/comments" --paginate \
    --jq "[.[] | select(.body | startswith(\"${marker}\"))] | last | .id // empty")"
if [ -n "${previous}" ]; then
    gh api --method PATCH "repos/{owner}/{repo}/issues/comments/${previous}" -F "body=@${body}" > /dev/null
else
    gh pr comment "${pull_request}" --body-file "${body}"
fi
