#!/usr/bin/env bash
# Runs webchat and the reference peers (bench/peers: the seed tutorial's
# design on FastAPI and on Node.js + ws) side by side under `webchat bench
# --dialect seed`, and writes a Markdown table: scenario x server.
#
# Method (docs/bench.md, "Reference peers"): release build; each server pinned
# to core 1 and the tool to core 0; a freshly started server (and for webchat a
# fresh data folder) for every run, so memory figures are not flattered by what
# an earlier run left in the allocator; every scenario run --runs times (3) and
# the median run, by the scenario's headline metric, reported. Loopback only.
#
# Usage: bench/run-peers.sh [--out FILE] [--runs N] [--servers LIST]
#                           [--port N] [--raw DIR] [--scenario "ARGS"]...
#   --scenario  replaces the default set (repeatable); ARGS are `webchat bench`
#               scenario arguments, e.g. "fanout --receivers 50 --senders 4 --rate 400".
#   --servers   comma-separated subset of webchat,fastapi,node-ws (default: all).
#   --raw       folder for the JSON lines of every run (default: a new temp folder).
# Sizes of the default set, by environment: RECEIVERS (100), SENDERS (4),
# RATE (400), BIG_RECEIVERS (1000), BIG_RATE (100), MESSAGES (500 per sender),
# IDLE_CONNECTIONS (1000), HOLD (5 s), RUN_TIMEOUT (180 s per run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=$ROOT/bench/peers

OUT=
RUNS=3
SERVERS=webchat,fastapi,node-ws
PORT=18080
RAW=
SCENARIOS=()

die() { echo "run-peers: $*" >&2; exit 2; }
log() { echo "run-peers: $*" >&2; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --out) OUT=${2:?--out needs a file}; shift 2 ;;
        --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
        --servers) SERVERS=${2:?--servers needs a list}; shift 2 ;;
        --port) PORT=${2:?--port needs a number}; shift 2 ;;
        --raw) RAW=${2:?--raw needs a folder}; shift 2 ;;
        --scenario) SCENARIOS+=("${2:?--scenario needs arguments}"); shift 2 ;;
        -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || die "--runs must be 1-99"
[[ $PORT =~ ^[0-9]+$ ]] && (( PORT > 1023 && PORT < 65536 )) || die "--port must be 1024-65535"

if [[ ${#SCENARIOS[@]} -eq 0 ]]; then
    MESSAGES=${MESSAGES:-500}
    SCENARIOS=(
        "fanout --receivers ${RECEIVERS:-100} --senders ${SENDERS:-4} --rate ${RATE:-400} --messages $MESSAGES"
        "fanout --receivers ${BIG_RECEIVERS:-1000} --senders 1 --rate ${BIG_RATE:-100} --messages $MESSAGES"
        "idle --connections ${IDLE_CONNECTIONS:-1000} --hold ${HOLD:-5}"
    )
fi
RUN_TIMEOUT=${RUN_TIMEOUT:-180}
IFS=, read -ra SERVER_LIST <<<"$SERVERS"
# Checked before the build, not after it.
for server in "${SERVER_LIST[@]}"; do
    [[ $server =~ ^(webchat|fastapi|node-ws)$ ]] || die "unknown server $server (webchat, fastapi, node-ws)"
done

for tool in jq taskset timeout python3 node npm; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
(( $(nproc) >= 2 )) || die "needs 2 cores: the server on core 1, the tool on core 0"

# --- build and install -------------------------------------------------------

# Reuse the main checkout's target folder when there is one: a second full
# release build on this machine costs more than the whole benchmark.
if [[ -d /work/main/target ]]; then
    export CARGO_TARGET_DIR=/work/main/target
fi
SERVER_PID=
# The build or the tool run, in the background and waited for, so that a
# TERM to this script runs the trap at once rather than after it.
CHILD_PID=
WORK=$(mktemp -d /tmp/run-peers.XXXXXX)

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        # Up to 5 s to exit (webchat closes its sockets and the store), then KILL.
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
cleanup() {
    if [[ -n $CHILD_PID ]]; then
        # cargo stops its rustc jobs; timeout(1) passes the TERM on to the tool.
        kill -TERM "$CHILD_PID" 2>/dev/null || true
        wait "$CHILD_PID" 2>/dev/null || true
    fi
    stop_server
    # The raw JSON lines and server logs stay (a quoted number must cite its
    # lines); the data folder and the binary's copy, which are large, go.
    rm -rf "$WORK/data" "$WORK/webchat"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building webchat (release)"
(cd "$ROOT" && exec cargo build --release --locked -p webchat) &
CHILD_PID=$!
wait "$CHILD_PID"
CHILD_PID=
# A copy: another checkout building into the same target folder would
# replace target/release/webchat in the middle of the series.
cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/webchat" "$WORK/webchat"
BIN=$WORK/webchat

if [[ ,$SERVERS, == *,fastapi,* && ! -x $PEERS/fastapi/.venv/bin/uvicorn ]]; then
    log "installing the FastAPI peer into bench/peers/fastapi/.venv"
    python3 -m venv "$PEERS/fastapi/.venv"
    "$PEERS/fastapi/.venv/bin/pip" install --quiet -r "$PEERS/fastapi/requirements.txt"
fi
if [[ ,$SERVERS, == *,node-ws,* && ! -d $PEERS/node-ws/node_modules/ws ]]; then
    log "installing the node-ws peer (npm ci)"
    (cd "$PEERS/node-ws" && npm ci --no-audit --no-fund --silent)
fi

if [[ -z $RAW ]]; then RAW=$WORK/raw; fi
mkdir -p "$RAW"

# --- servers -----------------------------------------------------------------

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

# Starts server $1 pinned to core 1; sets SERVER_PID to the server process
# itself (taskset execs it), which is what --server-pid must measure.
start_server() {
    local name=$1 logfile=$WORK/$1.log
    port_free || die "port $PORT is in use: pass --port"
    case $name in
        webchat)
            rm -rf "$WORK/data"
            # Limits raised: they are meant for people, not a load generator
            # signing in hundreds of clients from one address (docs/bench.md).
            RUST_LOG=warn taskset -c 1 "$BIN" serve --addr "127.0.0.1:$PORT" --data-dir "$WORK/data" \
                --sign-ins-per-minute 1000000 --rate-per-s 1000000 --burst 1000000 \
                --max-sockets-per-address 100000 --max-sockets-per-user 100000 \
                >>"$logfile" 2>&1 &
            ;;
        fastapi)
            # One worker, as the tutorial's `uvicorn main:app`; warnings only,
            # like the others (a log line per connection would be measured too).
            (cd "$PEERS/fastapi" && exec taskset -c 1 .venv/bin/uvicorn main:app \
                --host 127.0.0.1 --port "$PORT" --log-level warning --no-access-log) \
                >>"$logfile" 2>&1 &
            ;;
        node-ws)
            taskset -c 1 node "$PEERS/node-ws/server.js" --host 127.0.0.1 --port "$PORT" \
                >>"$logfile" 2>&1 &
            ;;
        *) die "unknown server $name (webchat, fastapi, node-ws)" ;;
    esac
    SERVER_PID=$!
    # Ready when it accepts TCP; 30 s at most (uvicorn imports take a while).
    for _ in $(seq 300); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 20 "$logfile" >&2
            die "$name exited at start"
        fi
        port_free || return 0
        sleep 0.1
    done
    die "$name did not listen on $PORT within 30 s"
}

# --- runs --------------------------------------------------------------------

# The metric a scenario's median is taken by (higher or lower, only the middle
# of the sorted runs matters).
headline() {
    case $1 in
        fanout) echo '.deliveries_per_s' ;;
        idle) echo '.server.rss_per_connection_kib' ;;
        churn) echo '.connect_us.p50' ;;
        *) echo '.committed_per_s' ;;
    esac
}

MEDIANS=$WORK/medians.jsonl
: >"$MEDIANS"

for s in "${!SCENARIOS[@]}"; do
    read -ra args <<<"${SCENARIOS[$s]}"
    for server in "${SERVER_LIST[@]}"; do
        runs=$RAW/s$s-$server.jsonl
        : >"$runs"
        for run in $(seq "$RUNS"); do
            log "[${SCENARIOS[$s]}] $server run $run/$RUNS"
            start_server "$server"
            # Bounded twice: by the tool's own --duration/--drain/--step-timeout
            # and, should it hang anyway, by timeout(1).
            timeout --kill-after=10 "$RUN_TIMEOUT" taskset -c 0 "$BIN" bench \
                --url "http://127.0.0.1:$PORT" --dialect seed --server-pid "$SERVER_PID" --quiet \
                "${args[@]}" >"$WORK/line" 2>"$WORK/summary" &
            CHILD_PID=$!
            if wait "$CHILD_PID"; then
                CHILD_PID=
                tail -n 1 "$WORK/line" | jq -c --arg server "$server" --argjson run "$run" \
                    '. + {peer: $server, run: $run}' >>"$runs"
            else
                CHILD_PID=
                log "$server run $run failed: $(tail -n 3 "$WORK/summary" | tr '\n' ' ')"
            fi
            stop_server
        done
        scenario_name=${args[0]}
        jq -sc --arg scen "${SCENARIOS[$s]}" --arg server "$server" --argjson order "$s" \
            --argjson runs "$RUNS" "
            sort_by($(headline "$scenario_name") // 0) as \$sorted
            | {label: \$scen, server: \$server, order: \$order, ok: (\$sorted | length), runs: \$runs,
               median: (if (\$sorted | length) > 0 then \$sorted[(\$sorted | length) / 2 | floor] else null end)}
            " "$runs" >>"$MEDIANS"
    done
done

# --- table -------------------------------------------------------------------

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //' || echo unknown)
TABLE=$WORK/table.md
{
    echo "webchat bench --dialect seed, median of $RUNS runs (by deliveries/s for fanout, RSS per connection for idle)."
    echo "Commit $COMMIT, $(date -u +%Y-%m-%dT%H:%MZ), $CPU, $(nproc) cores, kernel $(uname -r);" \
        "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Server on core 1, tool on core 0, a fresh server for every run. Raw JSON lines: $RAW"
    echo
    echo "| scenario | server | deliveries/s | latency p50 / p99 ms | loss | server CPU s (run / set-up) | RSS/conn KiB | notes |"
    echo "|---|---|---:|---:|---:|---:|---:|---|"
    jq -rs '
        def ms: . / 1000 | (. * 100 | round) / 100;
        def r1: (. * 10 | round) / 10;
        def r2: (. * 100 | round) / 100;
        sort_by(.order)[]
        | .label as $scen | .server as $server
        | if .median == null then "| `\($scen)` | \($server) | failed | | | | | 0 of \(.runs) runs gave a result |"
          else .median as $m
          | (if $m.latency_us.count > 0
             then "\($m.latency_us.p50 | ms) / \($m.latency_us.p99 | ms)"
             else "connect \($m.connect_us.p50 | ms) / \($m.connect_us.p99 | ms)" end) as $lat
          | ([ (if .ok < .runs then "\(.ok) of \(.runs) runs" else empty end),
               (if $m.connect_failures > 0 then "\($m.connect_failures) connect failures" else empty end),
               ($m.errors | to_entries[] | "error \(.key): \(.value)"),
               ($m.closes | to_entries[] | "closed \(.key): \(.value)"),
               (if $m.duplicates > 0 then "\($m.duplicates) duplicates" else empty end),
               (if $m.reordered > 0 then "\($m.reordered) reordered" else empty end)
             ] | join(", ")) as $notes
          | "| `\($scen)` | \($server) | \($m.deliveries_per_s | round) | \($lat) | \($m.loss) of \($m.expected_deliveries) | \($m.server.cpu_s // 0 | r2) / \($m.server.setup_cpu_s // 0 | r2) | \($m.server.rss_per_connection_kib // 0 | r1) | \($notes) |"
          end
    ' "$MEDIANS"
} >"$TABLE"

cat "$TABLE"
if [[ -n $OUT ]]; then
    cp "$TABLE" "$OUT"
    log "table written to $OUT"
fi
