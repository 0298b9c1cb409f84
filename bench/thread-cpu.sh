#!/usr/bin/env bash
# Where a configuration's CPU goes, per thread group, in microseconds per request: serves ROUTE at
# a fixed rate below saturation (RATE req/s, wrk on loopback) after a warm-up, three runs of
# DURATION, and prints the median CPU time of each thread group (threads named alike, numbers
# dropped) divided by the requests served. Less noisy than the process total: JIT compiler
# threads and the exporter's own threads are separate lines.
#   JAR=examples/blog/target/zerver-blog.jar CONFIG=otlp bench/thread-cpu.sh
# PROFILE=zerver-trace (a thread name prefix, as in /proc/<pid>/task/*/comm) also samples those threads
# with perf during the first run and prints the top methods, JIT-compiled ones by name.
# CONFIG: a configuration of bench/lib.sh (off, otlp, otlp-traces, sampled, console, debug, viewer,
# otlp-viewer; OTLP goes to bench/otlp_sink.py, the console to a file here). Bounded: about
# WARMUP + PACED_WARMUP (10 s, at RATE) + 3 x (DURATION + 2 s).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
JAR=${JAR:-examples/blog/target/zerver-blog.jar}
CONFIG=${CONFIG:-otlp}
ROUTE=${ROUTE:-/blogs/api/posts/1}
RATE=${RATE:-2000}
DURATION=${DURATION:-10s}
PORT=18093
SINK=18094
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
echo "function delay() return $((16000 / RATE)) end" >"$work/rate.lua"
python3 bench/otlp_sink.py "$SINK" &
config_line=$(settings "$CONFIG" "$SINK") || exit 2
read -ra config_env <<<"$config_line"
env ZER_VER_PORT=$PORT ZER_VER_VIEWER_PORT=off ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" "${config_env[@]}" java -jar "$JAR" >"$work/server.log" 2>&1 &
pid=$!
await_up "http://127.0.0.1:$PORT$ROUTE"
wrk -t2 -c16 -d"${WARMUP:-20s}" "http://127.0.0.1:$PORT$ROUTE" >/dev/null
# then at the measured rate: the JIT recompiles the event loop's paths when the load changes
wrk -t2 -c16 -d"${PACED_WARMUP:-10s}" -s "$work/rate.lua" "http://127.0.0.1:$PORT$ROUTE" >/dev/null
for run in 1 2 3; do
  thread_groups "$pid" >"$work/a"
  if [ -n "${PROFILE:-}" ] && [ "$run" = 1 ]; then # sample the named threads with perf during the first run
    tids=$(grep -l "^$PROFILE" /proc/"$pid"/task/*/comm | cut -d/ -f5 | paste -sd,)
    perf record -g -t "$tids" -o "$work/perf.data" -- sleep "${DURATION%s}" >/dev/null 2>&1 &
  fi
  reqs=$(wrk -t2 -c16 -d"$DURATION" -s "$work/rate.lua" "http://127.0.0.1:$PORT$ROUTE" | awk '/requests in/ {print $1}')
  thread_groups "$pid" >"$work/b"
  awk -v q="$reqs" -v r="$run" 'NR == FNR {a[$1] = $2; next}
    {d = $2 - a[$1]; if (d > 0) printf "%s\t%s\t%.1f\n", r, $1, d / 1000 / q}' "$work/a" "$work/b" >>"$work/runs"
done
if [ -n "${PROFILE:-}" ]; then
  jcmd "$pid" Compiler.perfmap >/dev/null # names the JIT-compiled methods for perf (JDK 17+)
  echo "Where the '$PROFILE' threads spend their time (perf, first run):"
  perf report -i "$work/perf.data" --no-children --sort sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25 | cut -c1-140
fi
echo "CPU us per request by thread group ($CONFIG, $RATE req/s, median of 3 runs):"
sort -t$'\t' -k2,2 -k3,3n "$work/runs" | awk -F'\t' '{v[$2] = v[$2] " " $3; n[$2]++}
  END {for (k in v) {split(substr(v[k], 2), x, " "); m = n[k] == 3 ? x[2] : (n[k] == 2 ? (x[1] + x[2]) / 2 : x[1]); total += m
       printf "%8.1f  %s\n", m, k}; printf "%8.1f  %s\n", total, "(total)"}' | sort -rn
