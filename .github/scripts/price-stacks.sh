#!/usr/bin/env bash
# Prices every stack file of the checkout it runs in on the clouds it runs on (stack-clouds.sh: a local-profile
# stack runs on the operator's own Docker engine and is not priced): `npm run cost -- <stack> --cloud <cloud>
# --json` into <out-dir>/<stack>.<cloud>.json (tools/cost.ts's CostReport), or, when the checkout cannot price it
# (a base branch without the cost tool, a stack that does not synthesize), what it printed into
# <out-dir>/<stack>.<cloud>.error. Always exits 0: the comment says which figures are missing.
# Usage: price-stacks.sh <out-dir>   (run from the checkout's root, its dependencies installed)
set -uo pipefail
out="${1:?usage: price-stacks.sh <out-dir>}"
mkdir -p "${out}"

for stack_file in Pulumi.*.yaml; do
    [ -e "${stack_file}" ] || continue
    stack="${stack_file#Pulumi.}"
    stack="${stack%.yaml}"
    clouds="$("$(dirname "$0")/stack-clouds.sh" "${stack_file}")"
    for cloud in ${clouds}; do
        [ "${cloud}" = docker ] && continue
        if npm run --silent cost -- "${stack}" --cloud "${cloud}" --json > "${out}/${stack}.${cloud}.json" 2> "${out}/${stack}.${cloud}.stderr"; then
            rm -f "${out}/${stack}.${cloud}.stderr"
        else
            rm -f "${out}/${stack}.${cloud}.json"
            mv "${out}/${stack}.${cloud}.stderr" "${out}/${stack}.${cloud}.error"
            echo "could not price ${stack} on ${cloud}: $(tail -n 1 "${out}/${stack}.${cloud}.error")" >&2
        fi
    done
done
