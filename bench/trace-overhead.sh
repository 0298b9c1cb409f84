#!/usr/bin/env bash
# Load run: what tracing costs the blog. Serves one route with wrk on loopback, side by side in one
# run, alternating five configurations per round:
#   off      OTEL_TRACES_EXPORTER=none (the runtime still keeps its per-request record)
#   otlp     every trace exported over OTLP http/protobuf to a local sink (otlp_sink.py)
#   sampled  ZER_VER_SAMPLER=head:0.1,tail:error|promoted, exported the same way
#   console  the embedded default: a waterfall per request on standard output (to a file here)
#   debug    as otlp, with ZER_VER_DEBUG_JOBS=1
#   viewer   as off, with the trace viewer capturing every request (ZER_VER_VIEWER_PORT=0; not in
#            the default CONFIGS: CONFIGS="off viewer otlp otlp-viewer" measures what capture costs)
#   otlp-viewer  as otlp, with the trace viewer
# Every other configuration runs with the viewer off (the blog program turns it on by default).
# Per configuration and round: requests/s, p50 and p99 latency at saturation (wrk -t2 -c16), then
# the server process's own CPU time (JIT compiler threads excluded) per request at a fixed rate below saturation (RATE, default
# 2000 req/s: utime+stime from /proc over that run divided by the requests wrk completed, so neither
# the load generator's share nor spinning at saturation counts), and OTLP bytes per request at the sink.
# Prints each round, then medians and ratios to "off".
# Needs: the built blog jar (mvn -B -q package -DskipTests), wrk, python3. Bounded: ROUNDS x 5 runs
# of about 2 x DURATION + WARMUP + PACED_WARMUP (10 s) + 8 s each.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
# VARIANTS="name=jar ..." runs builds side by side (e.g. before=/tmp/before/examples/blog/target/zerver-blog.jar).
VARIANTS=${VARIANTS:-now=examples/blog/target/zerver-blog.jar}
PORT=18091
SINK=18092
DURATION=${DURATION:-10s}
ROUTE=${ROUTE:-/blogs/api/posts/1}
ROUNDS=${ROUNDS:-3}
CONFIGS=${CONFIGS:-off otlp sampled console debug}
RATE=${RATE:-2000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# wrk has no rate option: each of the 16 connections waits 16000/RATE ms before each request.
cat >"$work/rate.lua" <<LUA
function delay() return $((16000 / RATE)) end
LUA
python3 bench/otlp_sink.py "$SINK" &
sleep 1
sink_bytes() { curl -sf "http://127.0.0.1:$SINK/bytes"; }

round() { # config name, variant name, jar
  local name=$1 variant=$2 jar=$3
  # shellcheck disable=SC2046
  env ZER_VER_PORT=$PORT ZER_VER_VIEWER_PORT=off ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" $(settings "$name" "$SINK") \
    java -jar "$jar" >"$work/$name.log" 2>&1 &
  local pid=$!
  await_up "http://127.0.0.1:$PORT$ROUTE"
  wrk -t2 -c16 -d"${WARMUP:-20s}" "http://127.0.0.1:$PORT$ROUTE" >/dev/null   # warm-up (JIT)
  sleep 1
  local bytes0 cpu0 out fixed rps p50 p99 reqs cpu1 bytes1
  out=$(wrk -t2 -c16 -d"$DURATION" --latency "http://127.0.0.1:$PORT$ROUTE")
  # The paced run's own warm-up: the JIT recompiles the event loop's paths when the load changes
  # from saturation to a fixed rate (160 C2 compilations in the first 24 s seen on 2026-11-28).
  wrk -t2 -c16 -d"${PACED_WARMUP:-10s}" -s "$work/rate.lua" "http://127.0.0.1:$PORT$ROUTE" >/dev/null
  bytes0=$(sink_bytes); cpu0=$(cpu_nanos "$pid")
  fixed=$(wrk -t2 -c16 -d"$DURATION" -s "$work/rate.lua" "http://127.0.0.1:$PORT$ROUTE")
  cpu1=$(cpu_nanos "$pid")
  sleep 1
  bytes1=$(sink_bytes)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  reqs=$(echo "$fixed" | awk '/requests in/ {print $1}')
  [ "$variant" = now ] || name="$variant/$name"
  awk -v n="$name" -v r="$rps" -v a="$p50" -v b="$p99" -v c0="$cpu0" -v c1="$cpu1" -v q="$reqs" \
      -v b0="$bytes0" -v b1="$bytes1" 'BEGIN {
    printf "%s %s %s %s %.1f %.0f\n", n, r, a, b, (c1 - c0) / 1000 / q, (b1 - b0) / q }'
}

for c in $CONFIGS; do settings "$c" "$SINK" >/dev/null; done   # an unknown name stops here, not mid-run
results=()
for i in $(seq 1 "$ROUNDS"); do
  for v in $VARIANTS; do
    for c in $CONFIGS; do
      line=$(round "$c" "${v%%=*}" "${v#*=}"); results+=("$line"); echo "round $i: $line" >&2
    done
  done
done
printf '\n%-8s %10s %9s %9s %12s %10s\n' config req/s p50 p99 cpu_us/req bytes/req
printf '%s\n' "${results[@]}" | sort -s -k1,1 | awk '
  { n[$1]++; rps[$1, n[$1]] = $2; cpu[$1, n[$1]] = $5; by[$1, n[$1]] = $6; p50[$1, n[$1]] = ms($3); p99[$1, n[$1]] = ms($4) }
  function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000 }   # wrk prints us, ms or s
  function median(a, k, c,   i, j, v, t) { for (i = 1; i <= c; i++) v[i] = a[k, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((c + 1) / 2)] }
  END { for (k in n) { R[k] = median(rps, k, n[k]); C[k] = median(cpu, k, n[k]); B[k] = median(by, k, n[k])
          printf "%-8s %10.0f %7.2fms %7.2fms %12.1f %10.0f   (median of %d)\n", k, R[k], median(p50, k, n[k]), median(p99, k, n[k]), C[k], B[k], n[k] }
        for (k in n) { base = k; sub(/[^\/]*$/, "off", base); if (k != base && (base in R))
          printf "%-16s throughput %.2f x %s, CPU %+.1f us/request\n", k, R[k] / R[base], base, C[k] - C[base] } }'
