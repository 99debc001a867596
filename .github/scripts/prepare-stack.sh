#!/usr/bin/env bash
# Makes a stack ready for `pulumi preview` or `pulumi up` in CI, with the CLI installed and logged in:
# selects it (creating it in the backend when it is new), tags it with its profile (the policy pack reads the
# stack tag `profile`; a backend of one's own keeps only tags set this way), and sets the stack's secrets from
# the environment when given. A secret is piped to `pulumi config set`, never put on a command line (the CLI
# reads the value from stdin when stdin is not a terminal: pulumi/pulumi pkg/cmd/pulumi/config/config.go).
# Usage: prepare-stack.sh <stack>
set -euo pipefail
stack="${1:?usage: prepare-stack.sh <stack>}"

pulumi stack select --create "${stack}" --non-interactive
# Unset, the profile is dev, as the program reads it (stacks/config.ts).
profile="$(pulumi config get web3-nodes:profile --stack "${stack}" 2>/dev/null || echo dev)"
pulumi stack tag set profile "${profile}" --stack "${stack}"

# Environment variable -> the config key (as `pulumi config set --path` spells it) it sets as a secret.
secret_keys=(
    "DOCKER_HUB_ACCESS_TOKEN=web3-nodes:registryMirror.dockerHubAccessToken"
    "CHAINLINK_WS_URL=web3-nodes:chainlink.nodes[0].wsUrl"
    "CHAINLINK_HTTP_URL=web3-nodes:chainlink.nodes[0].httpUrl"
    "CERAMIC_ETHEREUM_RPC_URL=web3-nodes:ceramic.ethereumRpcUrl"
)
for entry in "${secret_keys[@]}"; do
    variable="${entry%%=*}"
    key="${entry#*=}"
    if [ -n "${!variable:-}" ]; then
        printf '%s' "${!variable}" | pulumi config set --secret --path "${key}" --stack "${stack}"
        echo "set ${key} from ${variable}"
    fi
done
