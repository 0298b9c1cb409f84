#!/usr/bin/env bash
# Load run: what tracing costs the blog. Serves GET /blogs/api/posts/1 with wrk on loopback, side by
# side in one run, alternating: tracing off (OTEL_TRACES_EXPORTER=none), spans built but dropped by
# the sampler (ZER_VER_SAMPLER=head:0,tail:promoted), and OTLP http/protobuf export to a local sink. Prints requests/s and latency per round and the ratio.
# Needs: the built blog jar (mvn -B -q package -DskipTests), wrk, python3. Bounded: 6 rounds of about 15 s.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=examples/blog/target/zerver-blog.jar
PORT=18091
SINK=18092
DURATION=${DURATION:-10s}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

python3 bench/otlp_sink.py "$SINK" &
sleep 1

round() { # name, then extra environment assignments
  local name=$1; shift
  env ZER_VER_PORT=$PORT ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" "$@" java -jar "$JAR" >"$work/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/blogs/api/posts/1" && break; sleep 0.2; done
  wrk -t2 -c16 -d3s "http://127.0.0.1:$PORT/blogs/api/posts/1" >/dev/null            # warm-up
  local out rps p50
  out=$(wrk -t2 -c16 -d"$DURATION" --latency "http://127.0.0.1:$PORT/blogs/api/posts/1")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$name $rps $p50"
}

results=()
for i in $(seq 1 "${ROUNDS:-2}"); do
  results+=("$(round off OTEL_TRACES_EXPORTER=none)")
  results+=("$(round sampled OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK ZER_VER_SAMPLER=head:0,tail:promoted)")
  results+=("$(round otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK OTEL_BSP_MAX_QUEUE_SIZE=65536)")
done
printf '%-8s %12s %10s\n' config req/s p50
for r in "${results[@]}"; do printf '%-8s %12s %10s\n' $r; done
printf '%s\n' "${results[@]}" | awk '{sum[$1]+=$2; n[$1]++} END {
  printf "throughput relative to tracing off: head:0,tail:promoted %.2f, every trace exported %.2f\n",
    (sum["sampled"]/n["sampled"])/(sum["off"]/n["off"]), (sum["otlp"]/n["otlp"])/(sum["off"]/n["off"]) }'
