#!/usr/bin/env bash
# The clouds a committed stack file runs on, as tools/stackfile.ts stackClouds reads them (stacks/config.ts
# cloudsOf): the local Docker engine alone for a stack of the local profile, AWS and GCP for every other.
# Usage: stack-clouds.sh Pulumi.<stack>.yaml   (prints the clouds on one line, space-separated)
set -euo pipefail
file="${1:?usage: stack-clouds.sh Pulumi.<stack>.yaml}"
if grep -Eq '^[[:space:]]+web3-nodes:profile:[[:space:]]+local[[:space:]]*$' "${file}"; then
    echo "docker"
else
    echo "aws gcp"
fi
