#!/usr/bin/env bash
# Comments on a pull request what each stack costs a month on each cloud, on the pull request and on its base
# branch, and the change: one comment, found again by its marker and edited on every run. Reads the reports
# price-stacks.sh wrote (tools/cost.ts's `--json` contract: monthlyUsd, unpriced, assumptions).
# Usage: comment-cost.sh <head-dir> <base-dir> <pull request number>   (GH_TOKEN set; GH_REPO outside a checkout)
set -euo pipefail
head_dir="${1:?usage: comment-cost.sh <head-dir> <base-dir> <pull request number>}"
base_dir="${2:?usage: comment-cost.sh <head-dir> <base-dir> <pull request number>}"
pull_request="${3:?usage: comment-cost.sh <head-dir> <base-dir> <pull request number>}"
marker="<!-- web3-nodes: monthly cost -->"
body="$(mktemp)"

# The monthly total of a report, with its cents, or nothing when there is none.
total() {
    if [ -f "$1" ]; then jq -r '.monthlyUsd' "$1" | awk '{ printf "%.2f", $1 }'; fi
}

# <stack>.<cloud> of every report or failure on either side.
keys="$( { find "${head_dir}" "${base_dir}" -maxdepth 1 \( -name '*.json' -o -name '*.error' \) -printf '%f\n' 2> /dev/null || true; } \
    | sed -E 's/\.(json|error)$//' | sort -u)"

{
    echo "${marker}"
    echo "#### Monthly cost at on-demand list prices"
    echo
    echo "| stack | cloud | base branch | this pull request | change |"
    echo "|---|---|---:|---:|---:|"
    for key in ${keys}; do
        stack="${key%.*}"
        cloud="${key##*.}"
        base="$(total "${base_dir}/${key}.json")"
        head="$(total "${head_dir}/${key}.json")"
        if [ -f "${head_dir}/${key}.error" ]; then
            change="could not be priced"
        elif [ -z "${head}" ]; then
            change="removed"
        elif [ -z "${base}" ] && [ -f "${base_dir}/${key}.error" ]; then
            change="the base could not be priced"
        elif [ -z "${base}" ]; then
            change="new"
        else
            change="$(awk -v b="${base}" -v h="${head}" 'BEGIN { d = h - b; sign = d < 0 ? "-" : "+"; if (d < 0) d = -d;
                pct = b > 0 ? sprintf(" (%s%.1f%%)", sign, 100 * d / b) : ""; printf "%s$%.2f%s", sign, d, pct }')"
        fi
        printf '| %s | %s | %s | %s | %s |\n' "${stack}" "${cloud}" "${base:+\$${base}}" "${head:+\$${head}}" "${change}"
    done
    echo
    unpriced="$(for report in "${head_dir}"/*.json; do
        [ -f "${report}" ] || continue
        jq -r '.unpriced[] | "- `\(.type)` \(.name): \(.item): \(.reason)"' "${report}"
    done | sort -u)"
    if [ -n "${unpriced}" ]; then
        echo "Not counted, having no price:"
        echo
        printf '%s\n' "${unpriced}"
        echo
    fi
    first="$(find "${head_dir}" -maxdepth 1 -name '*.json' | sort | head -n 1)"
    if [ -n "${first}" ]; then
        echo "<details><summary>Assumptions</summary>"
        echo
        jq -r '.assumptions[] | "- \(.text)"' "${head_dir}"/*.json | sort -u
        echo
        jq -r '"Not included: " + (.notIncluded | join("; ")) + "."' "${first}"
        echo "</details>"
        echo
    fi
    echo "The breakdown by component and resource type: \`npm run cost -- <stack> --cloud <cloud>\`."
} > "${body}"

bash "$(dirname "$0")/upsert-comment.sh" "${pull_request}" "${marker}" "${body}"
