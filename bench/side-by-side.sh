#!/usr/bin/env bash
# Two configurations (or two builds) served at the same time: two blog servers on their own ports,
# each loaded at RATE req/s by its own wrk, both runs starting together, ROUNDS times. Prints per
# round the CPU time of each process per request (JIT compiler threads left out) and the difference
# by thread group. A drift of the shared machine (a neighbour's load, the host stealing time) falls
# on both servers alike, which configurations run one after the other cannot promise; the thread
# groups show where a difference lies (on 2026-11-28, what `otlp` adds: export thread 11-15 us,
# senders 3-5 us in every round, the event loop 5-26 us).
#   A=off B=otlp bench/side-by-side.sh          configurations of bench/lib.sh (settings)
#   JAR_A=/tmp/before.jar JAR_B=/tmp/after.jar A=otlp B=otlp bench/side-by-side.sh
#   OPTS_A=-Dsome.property=x bench/side-by-side.sh    JVM options of one side (OPTS_A, OPTS_B)
#   ENV_B="ZER_VER_STEP_WORKERS=4" bench/side-by-side.sh   more environment of one side (ENV_A, ENV_B)
# Needs the built blog jar, wrk and python3. Bounded: 2 x WARMUP (20 s) + 10 s + ROUNDS x DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
A=${A:-off}
B=${B:-otlp}
JAR_A=${JAR_A:-examples/blog/target/zerver-blog.jar}
JAR_B=${JAR_B:-$JAR_A}
ROUTE=${ROUTE:-/blogs/api/posts/1}
RATE=${RATE:-500}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-4}
SINK=18104
work=$(mktemp -d)
pid_a= pid_b=
# the servers are not this shell's jobs (each starts in a command substitution): named here
trap 'kill $(jobs -p) $pid_a $pid_b 2>/dev/null || true; rm -rf "$work"' EXIT
# wrk has no rate option: each of the 8 connections waits 8000/RATE ms before each request.
echo "function delay() return $((8000 / RATE)) end" >"$work/rate.lua"
python3 bench/otlp_sink.py "$SINK" >/dev/null 2>&1 &

start() { # name, port, jar, configuration, JVM options, more environment
  local line env_of
  line=$(settings "$4" "$SINK") || exit 2
  read -ra env_of <<<"$line $6"
  env ZER_VER_PORT="$2" ZER_VER_VIEWER_PORT=off ZER_VER_DB_URL="jdbc:sqlite:$work/$1.db" "${env_of[@]}" \
    java $5 -jar "$3" >"$work/$1.log" 2>&1 &
  echo $!
}
for port in 18101 18102; do
  if curl -sf -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is taken: stop what listens there" >&2; exit 2; fi
done
pid_a=$(start a 18101 "$JAR_A" "$A" "${OPTS_A:-}" "${ENV_A:-}")
pid_b=$(start b 18102 "$JAR_B" "$B" "${OPTS_B:-}" "${ENV_B:-}")
for port in 18101 18102; do
  await_up "http://127.0.0.1:$port$ROUTE"
  wrk -t1 -c8 -d"${WARMUP:-20s}" "http://127.0.0.1:$port$ROUTE" >/dev/null   # warm-up (JIT), one at a time
done
paced() { # port, output file: a run at RATE
  wrk -t1 -c8 -d"$1" -s "$work/rate.lua" "http://127.0.0.1:$2$ROUTE" >"$3"
}
paced 10s 18101 /dev/null & paced 10s 18102 /dev/null   # both at the rate once, the JIT settles
wait $! 2>/dev/null || true
sleep 1
echo "CPU us per request, A=$A ($JAR_A ${OPTS_A:-} ${ENV_A:-}) and B=$B ($JAR_B ${OPTS_B:-} ${ENV_B:-}), $ROUTE at $RATE req/s each, at the same time:"
for round in $(seq 1 "$ROUNDS"); do
  a0=$(cpu_nanos "$pid_a"); b0=$(cpu_nanos "$pid_b")
  thread_groups "$pid_a" >"$work/ga0"; thread_groups "$pid_b" >"$work/gb0"
  paced "$DURATION" 18101 "$work/wa" & load_a=$!
  paced "$DURATION" 18102 "$work/wb"
  wait "$load_a"
  a1=$(cpu_nanos "$pid_a"); b1=$(cpu_nanos "$pid_b")
  thread_groups "$pid_a" >"$work/ga1"; thread_groups "$pid_b" >"$work/gb1"
  qa=$(awk '/requests in/ {print $1}' "$work/wa"); qb=$(awk '/requests in/ {print $1}' "$work/wb")
  awk -v r="$round" -v a=$(((a1 - a0) / 1000)) -v b=$(((b1 - b0) / 1000)) -v qa="$qa" -v qb="$qb" \
    'BEGIN {printf "round %d: A %.1f (%d requests), B %.1f (%d requests), B - A %+.1f\n", r, a / qa, qa, b / qb, qb, b / qb - a / qa}'
  join -a1 -a2 -e0 -o 0,1.2,2.2 "$work/ga0" "$work/ga1" >"$work/ja"
  join -a1 -a2 -e0 -o 0,1.2,2.2 "$work/gb0" "$work/gb1" >"$work/jb"
  join -a1 -a2 -e0 -o 0,1.2,1.3,2.2,2.3 "$work/ja" "$work/jb" | awk -v qa="$qa" -v qb="$qb" '
    {a = ($3 - $2) / 1000 / qa; b = ($5 - $4) / 1000 / qb
     if (a >= 0.5 || b >= 0.5) printf "    %-18s A %6.1f  B %6.1f  %+6.1f\n", $1, a, b, b - a}'
done
