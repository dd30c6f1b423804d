#!/usr/bin/env bash
# Runs webchat builds side by side under `webchat bench` and writes a
# Markdown table: scenario x build, the median of --runs runs each, runs of
# the builds interleaved so that a change in the machine's load hits both.
#
# Method (docs/benchmarks.md): each server pinned to core 1 (taskset), the
# tool to core 0, a fresh server and data folder for every run, limits raised
# so that they do not interfere (durability as the build's default, full).
# Loopback only; every run bounded by RUN_TIMEOUT.
#
# Usage: bench/compare.sh [--runs N] [--out FILE] NAME=BINARY... [-- "SCENARIO ARGS"...]
#   NAME=BINARY  a label and a `webchat` binary (e.g. before=/tmp/webchat-old now=target/release/webchat)
#   SCENARIO     `webchat bench` arguments; default: the set of docs/benchmarks.md
# The tool is the last binary given. SERVER_FLAGS adds flags to every server.
set -euo pipefail

RUNS=3
OUT=
BUILDS=()
SCENARIOS=()
die() { echo "compare: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) RUNS=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        --) shift; SCENARIOS=("$@"); break ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *=*) BUILDS+=("$1"); shift ;;
        *) die "unknown argument: $1" ;;
    esac
done
[[ ${#BUILDS[@]} -ge 1 ]] || die "give at least one NAME=BINARY"
for tool in jq taskset timeout curl; do command -v $tool >/dev/null || die "$tool is required"; done
if [[ ${#SCENARIOS[@]} -eq 0 ]]; then
    SCENARIOS=(
        "idle --connections 2000 --hold 1 --returning"
        "--dialect seed idle --connections 2000 --hold 1"
        "fanout --receivers 1000 --senders 1 --rate 100 --messages 300"
        "fanout --receivers 100 --senders 4 --rate 200 --messages 400"
        "fanout --receivers 100 --senders 4 --window 32 --messages 3000"
        "durable --senders 100 --window 32 --messages 300"
        "fanout --rooms 1000 --receivers 4000 --senders 50 --rate 1000 --messages 60"
    )
fi
TOOL=${BUILDS[-1]#*=}
RAW=$(mktemp -d /tmp/compare.XXXXXX)
RUN_TIMEOUT=${RUN_TIMEOUT:-240}
PORT=${PORT:-18090}

run_one() { # binary, scenario args -> JSON line on stdout
    local bin=$1; shift
    local data; data=$(mktemp -d "$RAW/data.XXXX")
    taskset -c 1 "$bin" serve --addr 127.0.0.1:$PORT --data-dir "$data" \
        --sign-ins-per-minute 1000000 --rate-per-s 1000000 --burst 1000000 \
        --max-sockets-per-address 1000000 --max-sockets-per-user 1000000 \
        --rooms-per-hour 1000000 ${SERVER_FLAGS:-} >"$data/server.log" 2>&1 &
    local server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    timeout "$RUN_TIMEOUT" taskset -c 0 "$TOOL" bench --quiet --url "http://127.0.0.1:$PORT" \
        --max-connections 20000 --server-pid "$server" "$@" 2>"$data/bench.err" || true
    kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true
    rm -rf "$data"
}

# One row per scenario: the median run by the scenario's headline metric.
summary() { # file of JSON lines
    jq -s -r 'map(select(.scenario != null)) | sort_by(
        if .scenario == "idle" then .server.setup_cpu_s
        elif .scenario == "durable" then -(.committed_per_s)
        else .latency_us.p99 end) | .[(length - 1) / 2 | floor] // empty |
      if .scenario == "idle" then
        "\(.connections) conns; connect p50/p99 \(.connect_us.p50/1000|floor)/\(.connect_us.p99/1000|floor) ms; ready p99 \(.ready_us.p99/1000|floor) ms; CPU \((.server.setup_cpu_s*1e6/.connections)|floor) µs/conn; \(.server.rss_per_connection_kib|.*10|floor/10) KiB/conn"
      elif .scenario == "durable" then
        "\(.committed_per_s|floor) acks/s; ack p50/p99 \(.ack_latency_us.p50/1000*10|floor/10)/\(.ack_latency_us.p99/1000*10|floor/10) ms; CPU \((.server.cpu_s*1e6/([.committed,1]|max))|floor) µs/ack; errors \(.errors|tostring)"
      else
        "\(.deliveries_per_s|floor) deliveries/s; p50/p99/max \(.latency_us.p50/1000*10|floor/10)/\(.latency_us.p99/1000*10|floor/10)/\(.latency_us.max/1000|floor) ms; loss \(.loss); CPU \((.server.cpu_s*1e9/([.deliveries,1]|max))|floor) ns/delivery"
      end' "$1"
}

for scenario in "${SCENARIOS[@]}"; do
    for run in $(seq "$RUNS"); do
        for build in "${BUILDS[@]}"; do
            name=${build%%=*}; bin=${build#*=}
            echo "compare: $name run $run: $scenario" >&2
            # shellcheck disable=SC2086
            run_one "$bin" $scenario >>"$RAW/$name.$(echo "$scenario" | tr -c 'a-z0-9' _).jsonl"
        done
    done
done

{
    echo "| scenario | $(for b in "${BUILDS[@]}"; do printf '%s | ' "${b%%=*}"; done)"
    echo "|---|$(for _ in "${BUILDS[@]}"; do printf -- '---|'; done)"
    for scenario in "${SCENARIOS[@]}"; do
        printf '| `%s` | ' "$scenario"
        for build in "${BUILDS[@]}"; do
            printf '%s | ' "$(summary "$RAW/${build%%=*}.$(echo "$scenario" | tr -c 'a-z0-9' _).jsonl")"
        done
        echo
    done
} | tee ${OUT:+"$OUT"}
echo "compare: raw JSON lines in $RAW" >&2
