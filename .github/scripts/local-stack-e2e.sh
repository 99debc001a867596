#!/usr/bin/env bash
# The local stack end to end on this machine's Docker engine, as CI runs it (.github/workflows/local-stack.yml):
# `pulumi up` of stack `local` under the policy pack (with its local-profile config), then, each with a bounded
# wait and a message naming what is missing:
#   - the IPFS cluster sees all its peers (ipfs-cluster REST API GET /peers through https://cluster.localhost);
#   - a new pin reaches replicationFactorMin peers in different zones (POST /add, then GET /pins/<cid>);
#   - Ceramic's healthcheck answers (GET https://ceramic.localhost/api/v0/node/healthcheck);
#   - exactly one Chainlink node holds the database lease (its /readyz answers, nothing listens on the other);
#     after `docker kill` of the holder the other takes over within the bound the Chainlink settings give, and
#     the killed node, started again, waits as the standby;
# then tears the stack down, its volumes included: state unprotect, destroy, and the volumes that
# retainOnDelete keeps on the engine. KEEP=1 leaves the stack running, and says how to tear it down later.
#
# Needs: docker, the Pulumi CLI (.pulumi-version), curl, Node 20 with `npm ci && npm ci --prefix policies` done.
# Environment:
#   PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE  the passphrase of the stack's secrets (required).
#   PULUMI_BACKEND_URL  where the state lives. Unset: file://~, the backend `pulumi login --local` selects, for
#       this run only: the CLI's own login (~/.pulumi/credentials.json) is left as it is.
#   CHAINLINK_WS_URL, CHAINLINK_HTTP_URL  the chain's RPC endpoints: set as the stack's secrets when given
#       (prepare-stack.sh pipes them to `pulumi config set --secret`); else the stack must hold them already.
#   KEEP=1  leave the stack running.
# No secret reaches a command line or the output: the REST API password goes from `pulumi stack output
# --show-secrets` into a variable, and from there to curl as a config file read from a pipe (--config).
set -euo pipefail

stack=local
cd "$(dirname "$0")/../.."

# How long a service may take to answer once `pulumi up` has created its containers (images are pulled by
# then): kubo and ipfs-cluster start in seconds, and were created first; js-ceramic answers once its IPFS and
# its index database do.
CLUSTER_START_SECONDS=300
SERVICE_START_SECONDS=600
# How long a pin of a few bytes may take to be pinned on its allocations: /add has put its blocks there already.
PIN_SECONDS=300
# How long a Chainlink node started again may take to be running and waiting for the lease.
STANDBY_RETURN_SECONDS=120
API_POLL_SECONDS=20
LEASE_POLL_SECONDS=10

fail() {
    echo "local-stack-e2e: FAILED: $*" >&2
    exit 1
}
step() { echo "== $*"; }
now() { date +%s; }

# json EXPRESSION: the JavaScript expression (this script's own text, never a value) over `j`, the JSON document
# on stdin; prints a string as it is, anything else as JSON. Values reach it on stdin, never on a command line.
json() {
    node -e '
        const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const v = eval(process.argv[1]);
        process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));
    ' "$1"
}

for command in pulumi docker curl node; do
    command -v "${command}" >/dev/null 2>&1 || fail "${command} is not on PATH: the local stack needs docker, the Pulumi CLI, curl and Node"
done
[ -x node_modules/.bin/tsx ] || fail "node_modules/.bin/tsx is missing: run npm ci (and npm ci --prefix policies) first"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    fail "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): the passphrase the local stack's secrets are encrypted with"
fi
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://~}"

# What the program says of this stack: its settings with their defaults, container names, health paths, and
# the Chainlink failover bound (tools/local-stack-facts.ts).
facts="$(node_modules/.bin/tsx tools/local-stack-facts.ts "${stack}")" || fail "the facts of stack ${stack} could not be read (tools/local-stack-facts.ts)"
fact() {
    local value
    value="$(sed -n "s/^$1=//p" <<<"${facts}")"
    [ -n "${value}" ] || fail "tools/local-stack-facts.ts printed no $1"
    echo "${value}"
}
cluster_peers="$(fact cluster_peers)"
replication_factor_min="$(fact replication_factor_min)"
proxy_container="$(fact proxy_container)"
proxy_root_certificate="$(fact proxy_root_certificate)"
ceramic_health_path="$(fact ceramic_health_path)"
ceramic_health_status="$(fact ceramic_health_status)"
chainlink_container_suffix="$(fact chainlink_container_suffix)"
chainlink_port="$(fact chainlink_port)"
chainlink_ready_path="$(fact chainlink_ready_path)"
chainlink_ready_status="$(fact chainlink_ready_status)"
chainlink_startup_seconds="$(fact chainlink_startup_seconds)"
lease_duration="$(fact lease_duration)"
lease_seconds="$(fact lease_seconds)"
lease_retry_seconds="$(fact lease_retry_seconds)"
failover_bound_seconds="$(fact failover_bound_seconds)"
stack_prefix="$(fact stack_prefix)"
stack_label="$(fact stack_label)"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

step "stack ${stack} (backend ${PULUMI_BACKEND_URL})"
bash .github/scripts/prepare-stack.sh "${stack}"

# Volumes outlive a destroyed stack (retainOnDelete). A new stack would take them over as they are, with data
# keyed to the secrets the old one generated (the Postgres password, the peers' identities): refuse instead.
resources="$(pulumi stack export --stack "${stack}" | json '(j.deployment && j.deployment.resources || []).length')"
if [ "${resources}" = 0 ]; then
    leftover="$(docker volume ls --quiet --filter "label=${stack_label}" | paste -s -d ' ' -)"
    if [ -n "${leftover}" ]; then
        fail "stack ${stack} has no resources, but volumes of an earlier one remain: ${leftover}; they hold data keyed to that stack's secrets. Remove them to start from zero: docker volume rm \$(docker volume ls -q --filter ${stack_label})"
    fi
fi

teardown() {
    local status=$?
    set +e
    if [ "${status}" -ne 0 ]; then
        echo "containers of stack ${stack}:" >&2
        docker ps --all --filter "label=${stack_label}" --format '  {{.Names}}  {{.Status}}' >&2
    fi
    rm -rf "${work}"
    if [ "${KEEP:-}" = 1 ]; then
        echo "KEEP=1: stack ${stack} keeps running. Tear it down with:"
        echo "  pulumi state unprotect --all --stack ${stack} --yes && pulumi destroy --stack ${stack} --yes"
        echo "  docker volume rm \$(docker volume ls -q --filter ${stack_label})"
        exit "${status}"
    fi
    step "tearing down stack ${stack}: unprotect, destroy, then the volumes destroy retains"
    local ok=1 volumes
    pulumi state unprotect --all --stack "${stack}" --yes || ok=0
    pulumi destroy --stack "${stack}" --yes || ok=0
    volumes="$(docker volume ls --quiet --filter "label=${stack_label}")"
    if [ -n "${volumes}" ]; then
        # shellcheck disable=SC2086 # one volume name per word
        docker volume rm ${volumes} >/dev/null || ok=0
    fi
    if [ "${ok}" = 0 ]; then
        echo "local-stack-e2e: FAILED: tearing down stack ${stack}: see the messages above" >&2
        [ "${status}" -ne 0 ] || status=1
    fi
    exit "${status}"
}
trap teardown EXIT

# The policy pack as on the clouds, with the cloud-only policies advisory for the local profile.
step "pulumi up --stack ${stack}"
pulumi up --stack "${stack}" --yes --policy-pack policies --policy-pack-config policies/local-profile.json
# An unchanged stack changes nothing: what the engine reports back must be what the program sends, or the next
# `up` replaces containers for nothing.
step "pulumi preview --stack ${stack} --expect-no-changes"
pulumi preview --stack "${stack}" --expect-no-changes --policy-pack policies --policy-pack-config policies/local-profile.json

outputs="$(pulumi stack output --stack "${stack}" --json --show-secrets)"
cluster_url="$(json 'j.ipfsCluster.restApiUrl' <<<"${outputs}")"
cluster_user="$(json 'j.ipfsCluster.restApiUser' <<<"${outputs}")"
cluster_password="$(json 'j.ipfsCluster.restApiPassword' <<<"${outputs}")"
ceramic_url="$(json 'j.ceramic.url' <<<"${outputs}")"
# One line per peer: cluster peer ID, zone, name.
json 'j.ipfsCluster.peers.map(p => [p.peerId, p.zone, p.name].join(" ") + "\n").join("")' <<<"${outputs}" >"${work}/peers"
chainlink_names=()
while read -r name; do chainlink_names+=("${name}"); done < <(json 'j.chainlink.nodes.map(n => n.name + "\n").join("")' <<<"${outputs}")
if [ -z "${cluster_password}" ] || [ "${#chainlink_names[@]}" -lt 2 ]; then
    fail "stack output of ${stack}: no ipfsCluster.restApiPassword, or fewer than two chainlink.nodes"
fi

# https://<name> of an output URL, as curl reaches it: the name resolved to 127.0.0.1, where the proxy listens.
host_port() {
    local rest="${1#https://}"
    rest="${rest%%/*}"
    case "${rest}" in
        *:*) echo "${rest}" ;;
        *) echo "${rest}:443" ;;
    esac
}

# https_request URL METHOD OUTPUT [curl options...]: the HTTP status, 000 when nothing answered (why: curl.err).
https_request() {
    local url="${1%/}" method="$2" output="$3" target
    shift 3
    target="$(host_port "${url}")"
    curl --silent --show-error --max-time 30 --cacert "${work}/local-ca.pem" \
        --resolve "${target}:127.0.0.1" --request "${method}" --output "${output}" --write-out '%{http_code}' \
        "$@" "${url}" 2>"${work}/curl.err" || true
}

# curl's config file holding the REST API's basic auth: written by printf (a shell builtin) into a pipe, so the
# password is on no command line (curl --config; quoted as curl's config format reads it: \\ and \").
cluster_auth() {
    local credentials="${cluster_user}:${cluster_password}"
    credentials="${credentials//\\/\\\\}"
    credentials="${credentials//\"/\\\"}"
    printf 'user = "%s"\n' "${credentials}"
}

# cluster_request PATH METHOD OUTPUT [curl options...]
cluster_request() {
    local path="$1"
    shift
    https_request "${cluster_url%/}${path}" "$@" --config <(cluster_auth)
}

why=""
# wait_for SECONDS INTERVAL WHAT CHECK [ARGS...]: runs CHECK every INTERVAL seconds until it succeeds; fails
# after SECONDS with WHAT and the last reason CHECK left in $why.
wait_for() {
    local limit="$1" interval="$2" what="$3" start
    shift 3
    start="$(now)"
    why=""
    while true; do
        if "$@"; then return 0; fi
        if [ $(($(now) - start)) -ge "${limit}" ]; then
            fail "${what}: not within ${limit} s: ${why}"
        fi
        sleep "${interval}"
    done
}

# The local CA's root: Caddy writes it into its data directory when it first starts (tls internal).
local_ca() {
    if docker exec "${proxy_container}" cat "${proxy_root_certificate}" >"${work}/local-ca.pem" 2>"${work}/docker.err" \
        && grep -q -- "-----BEGIN CERTIFICATE-----" "${work}/local-ca.pem"; then
        return 0
    fi
    why="${proxy_container} has no ${proxy_root_certificate} yet ($(tail -n 1 "${work}/docker.err"))"
    return 1
}
step "the local CA's root certificate, from ${proxy_container}"
wait_for "${SERVICE_START_SECONDS}" "${API_POLL_SECONDS}" "the HTTPS entry point's local CA" local_ca

# ipfs-cluster v1.1.6 GET /peers streams one JSON object (api.ID) per line; a peer the answering one cannot
# reach is listed with `error` set (api/rest/restapi.go peerListHandler, api/common/api.go StreamResponse).
cluster_sees_peers() {
    local status
    status="$(cluster_request /peers GET "${work}/peers.json")"
    case "${status}" in
        200) ;;
        401) fail "GET ${cluster_url}/peers answers 401: the REST API refuses user ${cluster_user} with the stack output's ipfsCluster.restApiPassword" ;;
        000) why="nothing answers at ${cluster_url} ($(tail -n 1 "${work}/curl.err"))"; return 1 ;;
        *) why="GET /peers answers ${status}"; return 1 ;;
    esac
    why="$(node -e '
        const fs = require("fs");
        const [peersFile, expectedCount] = process.argv.slice(1);
        const listed = fs.readFileSync(0, "utf8").split("\n").filter(l => l.trim()).map(l => JSON.parse(l));
        const expected = fs.readFileSync(peersFile, "utf8").trim().split("\n").map(l => l.split(" "));
        const healthy = new Set(listed.filter(p => !p.error).map(p => p.id));
        const problems = expected.filter(([id]) => !healthy.has(id)).map(([id, zone, name]) => {
            const entry = listed.find(p => p.id === id);
            return name + " (" + zone + ", " + id + ") " + (entry ? "listed with error: " + entry.error : "not listed");
        });
        if (problems.length === 0 && healthy.size !== Number(expectedCount)) problems.push(healthy.size + " healthy peers listed, " + expectedCount + " expected");
        process.stdout.write(problems.length === 0 ? "ok" : "the cluster sees " + healthy.size + " of " + expectedCount + " peers: " + problems.join("; "));
    ' "${work}/peers" "${cluster_peers}" <"${work}/peers.json")"
    [ "${why}" = ok ]
}
step "the IPFS cluster sees its ${cluster_peers} peers"
wait_for "${CLUSTER_START_SECONDS}" "${API_POLL_SECONDS}" "GET ${cluster_url}/peers" cluster_sees_peers
echo "the cluster sees its ${cluster_peers} peers"

# ipfs-cluster v1.1.6 POST /add (multipart) streams one api.AddedOutput per line, the root last
# (adder/adderutils/adderutils.go AddMultipartHTTPHandler); GET /pins/<cid> answers api.GlobalPinInfo, whose
# peer_map holds each peer's status by cluster peer ID, `pinned` once its IPFS holds the pin (api/types.go).
step "a new pin reaches replicationFactorMin (${replication_factor_min}) peers in different zones"
printf 'web3-nodes local stack end-to-end check, %s, %s\n' "$(now)" "${RANDOM}" >"${work}/pin.txt"
status="$(cluster_request "/add?name=local-stack-e2e" POST "${work}/added.json" --form "file=@${work}/pin.txt;filename=local-stack-e2e.txt")"
[ "${status}" = 200 ] || fail "POST ${cluster_url}/add answers ${status}: $(head -c 300 "${work}/added.json" 2>/dev/null)$(tail -n 1 "${work}/curl.err")"
cid="$(node -e '
    const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(l => l.trim()).map(l => JSON.parse(l));
    const root = lines.filter(l => l.cid).pop();
    process.stdout.write(root ? String(root.cid) : "");
' <"${work}/added.json")"
[ -n "${cid}" ] || fail "POST ${cluster_url}/add answered no CID: $(head -c 300 "${work}/added.json")"
pin_in_zones() {
    local status
    status="$(cluster_request "/pins/${cid}" GET "${work}/pin.json")"
    if [ "${status}" != 200 ]; then
        why="GET /pins/${cid} answers ${status}$(tail -n 1 "${work}/curl.err")"
        return 1
    fi
    why="$(node -e '
        const fs = require("fs");
        const [peersFile, needed] = process.argv.slice(1);
        const info = JSON.parse(fs.readFileSync(0, "utf8"));
        const peers = new Map(fs.readFileSync(peersFile, "utf8").trim().split("\n").map(l => l.split(" ")).map(([id, zone, name]) => [id, { zone, name }]));
        const map = info.peer_map || {};
        const zones = new Set(Object.entries(map).filter(([id, p]) => p.status === "pinned" && peers.has(id)).map(([id]) => peers.get(id).zone));
        const known = id => peers.get(id) || { name: id, zone: "no zone known" };
        const states = Object.entries(map).map(([id, p]) => known(id).name + " (" + known(id).zone + ") " + p.status);
        process.stdout.write(zones.size >= Number(needed) ? "ok" : "pinned in " + zones.size + " zone(s), " + needed + " needed: " + (states.join(", ") || "no peer lists it"));
    ' "${work}/peers" "${replication_factor_min}" <"${work}/pin.json")"
    [ "${why}" = ok ]
}
wait_for "${PIN_SECONDS}" "${API_POLL_SECONDS}" "pin ${cid} on ${replication_factor_min} peers in different zones" pin_in_zones
echo "pin ${cid} is pinned in at least ${replication_factor_min} zones"

step "Ceramic's healthcheck answers ${ceramic_health_status}"
ceramic_healthy() {
    local status
    status="$(https_request "${ceramic_url%/}${ceramic_health_path}" GET "${work}/ceramic.txt")"
    why="GET ${ceramic_url%/}${ceramic_health_path} answers ${status}$(tail -n 1 "${work}/curl.err")"
    [ "${status}" = "${ceramic_health_status}" ]
}
wait_for "${SERVICE_START_SECONDS}" "${API_POLL_SECONDS}" "Ceramic's healthcheck" ceramic_healthy
echo "Ceramic answers ${ceramic_health_status} at ${ceramic_health_path}"

# The Chainlink pair: a standby waits for the database lease and listens on nothing; the holder's /readyz
# answers 200 once it has started (components/chainlink/node.ts and ports.ts, smartcontractkit/chainlink v2.29.0
# core/cmd/shell_local.go runNode, core/web/health_controller.go Readyz). Asked inside each node's container,
# whose image carries curl: 000 when nothing listens; nothing at all when the container is not running.
readiness() {
    local code
    code="$(docker exec "${stack_prefix}-$1-${chainlink_container_suffix}" curl --silent --output /dev/null --write-out '%{http_code}' \
        --max-time 5 "http://127.0.0.1:${chainlink_port}${chainlink_ready_path}" 2>/dev/null)" || true
    echo "${code:-down}"
}
described() {
    case "$1" in
        000) echo "nothing listens on ${chainlink_port}" ;;
        down) echo "its container is not running" ;;
        *) echo "${chainlink_ready_path} answers $1" ;;
    esac
}
holder=""
# One node answers ready, every other listens on nothing. Two that answer hold the lease at once: fails at once.
one_lease_holder() {
    local name code serving=() waiting=0
    why=""
    for name in "${chainlink_names[@]}"; do
        code="$(readiness "${name}")"
        why="${why}${why:+, }${name}: $(described "${code}")"
        if [ "${code}" = "${chainlink_ready_status}" ]; then
            serving+=("${name}")
        elif [ "${code}" = 000 ]; then
            waiting=$((waiting + 1))
        fi
    done
    [ "${#serving[@]}" -le 1 ] || fail "more than one Chainlink node answers ${chainlink_ready_path}, so more than one runs as the lease holder: ${why}"
    holder="${serving[0]:-}"
    [ -n "${holder}" ] && [ "${waiting}" -eq $((${#chainlink_names[@]} - 1)) ]
}
initial_bound=$((chainlink_startup_seconds + lease_seconds + lease_retry_seconds))
step "exactly one Chainlink node holds the lease (the other listens on nothing)"
wait_for "${initial_bound}" "${LEASE_POLL_SECONDS}" "one Chainlink lease holder (${chainlink_ready_path} ${chainlink_ready_status} on one node, nothing listening on the other)" one_lease_holder
first_holder="${holder}"
echo "${first_holder} holds the lease (${why})"

echo "failover bound: ${failover_bound_seconds} s = lease ${lease_duration} (${lease_seconds} s, the longest the dead holder's lease lasts)" \
    "+ ${lease_retry_seconds} s (the standby's next try: LeaseRefreshInterval with 10 % jitter)" \
    "+ ${chainlink_startup_seconds} s (the start a new holder is allowed before its watch stops it)"
killed="${stack_prefix}-${first_holder}-${chainlink_container_suffix}"
step "docker kill ${killed}: another node takes the lease within ${failover_bound_seconds} s"
killed_at="$(now)"
docker kill "${killed}" >/dev/null
# The killed node is down rather than waiting: another node serving is what counts.
took_over() {
    one_lease_holder || true
    [ -n "${holder}" ] && [ "${holder}" != "${first_holder}" ]
}
wait_for "${failover_bound_seconds}" "${LEASE_POLL_SECONDS}" "the standby taking the lease after ${first_holder} was killed (bound: lease ${lease_seconds} s + retry ${lease_retry_seconds} s + start ${chainlink_startup_seconds} s, components/chainlink)" took_over
echo "${holder} took the lease $(($(now) - killed_at)) s after the kill (bound ${failover_bound_seconds} s)"

# docker kill leaves a restart policy off until the container is started again (docker/cli docs, docker kill).
step "docker start ${killed}: it waits as the standby"
second_holder="${holder}"
docker start "${killed}" >/dev/null
back_as_standby() { one_lease_holder && [ "${holder}" = "${second_holder}" ]; }
wait_for "${STANDBY_RETURN_SECONDS}" "${LEASE_POLL_SECONDS}" "${first_holder} back as the standby while ${second_holder} keeps the lease" back_as_standby
echo "${first_holder} waits as the standby; ${second_holder} holds the lease"

step "every check passed"
