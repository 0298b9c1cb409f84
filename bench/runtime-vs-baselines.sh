#!/usr/bin/env bash
# Load run, tracing off: Zerver against what a Java user would write instead (bench/baselines, bare
# Netty on the same Netty version), side by side in one run, alternating configurations per round:
#   hello-zerver   examples/hello GET /hello (a before-step and a step)
#   hello-netty    bare Netty answering GET /hello on the event loop
#   api-zerver     the blog's GET /blogs/api/posts/1 (one db.get on SQLite, JSON out)
#   api-netty      bare Netty doing the same read (HikariCP + sqlite-jdbc on 4 blocking threads, Jackson)
#   page-zerver    the blog's post page GET /blogs/posts/1 (db, cache, an HTTP call to its own API, markdown)
#   api-before, page-before  as api-zerver and page-zerver with another build of the blog, BEFORE=path/to/zerver-blog.jar
#   hello-inline, api-inline, page-inline  as the -zerver ones with ZER_VER_FIRST_STEP_ON_EVENT_LOOP=1
# Per configuration and round: requests/s, p50 and p99 with wrk -t2 -c16 at saturation, the
# server's CPU per request over that run (schedstat, JIT compiler threads left out), how often its
# threads went to sleep per request (voluntary context switches: each is a wake-up to pay) and its thread
# count at the end of the run (and, for page-zerver, the most threads seen under -c64).
# Prints each round, then medians and the ratios the runtime issue sets targets for.
# Needs: mvn -B -q -Pbench package -DskipTests; wrk.
# Bounded: ROUNDS x 5 runs of about WARMUP + DURATION + 5 s each (page-zerver WARMUP_PAGE + 2 x DURATION).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-20s}
# The post page's code (HTTP client, markdown, two requests' worth of runtime) keeps C2 busy for
# about 90 s under load on 2 cores: measured earlier, it would be measuring the JIT.
WARMUP_PAGE=${WARMUP_PAGE:-90s}
CONFIGS=${CONFIGS:-hello-zerver hello-netty api-zerver api-netty page-zerver}
PORT=18081
BLOG=examples/blog/target/zerver-blog.jar
HELLO=examples/hello/target/zerver-hello.jar
BASE=bench/baselines/target/baselines.jar
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
off=(OTEL_TRACES_EXPORTER=none OTEL_METRICS_EXPORTER=none ZER_VER_VIEWER_PORT=off ZER_VER_PORT=$PORT)
inline=(ZER_VER_FIRST_STEP_ON_EVENT_LOOP=1)

start() { # config -> starts the server in the background, prints its pid and the URL path to load
  case $1 in
    hello-zerver) env "${off[@]}" java -jar "$HELLO" >"$work/server.log" 2>&1 & echo "$! /hello" ;;
    hello-netty) java -jar "$BASE" hello $PORT >"$work/server.log" 2>&1 & echo "$! /hello" ;;
    api-zerver) env "${off[@]}" ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" java -jar "$BLOG" >"$work/server.log" 2>&1 &
      echo "$! /blogs/api/posts/1" ;;
    api-netty) java -jar "$BASE" api $PORT "jdbc:sqlite:$work/blog.db" >"$work/server.log" 2>&1 & echo "$! /blogs/api/posts/1" ;;
    page-zerver) env "${off[@]}" ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" java -jar "$BLOG" >"$work/server.log" 2>&1 &
      echo "$! /blogs/posts/1" ;;
    api-before) env "${off[@]}" ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" java -jar "$BEFORE" >"$work/server.log" 2>&1 &
      echo "$! /blogs/api/posts/1" ;;
    page-before) env "${off[@]}" ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" java -jar "$BEFORE" >"$work/server.log" 2>&1 &
      echo "$! /blogs/posts/1" ;;
    hello-inline) env "${off[@]}" "${inline[@]}" java -jar "$HELLO" >"$work/server.log" 2>&1 & echo "$! /hello" ;;
    api-inline) env "${off[@]}" "${inline[@]}" ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" java -jar "$BLOG" \
      >"$work/server.log" 2>&1 & echo "$! /blogs/api/posts/1" ;;
    page-inline) env "${off[@]}" "${inline[@]}" ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" java -jar "$BLOG" \
      >"$work/server.log" 2>&1 & echo "$! /blogs/posts/1" ;;
    *) echo "unknown configuration $1" >&2; exit 2 ;;
  esac
}

# The blog creates and seeds the database the baseline reads.
env "${off[@]}" ZER_VER_DB_URL="jdbc:sqlite:$work/blog.db" java -jar "$BLOG" >"$work/seed.log" 2>&1 &
seed=$!
await_up "http://127.0.0.1:$PORT/blogs/api/posts/1"
kill $seed; wait $seed 2>/dev/null || true

run() { # config round
  local pid path out cpu0 cpu1 sl0 sl1 reqs threads most=0
  read -r pid path < <(start "$1")
  await_up "http://127.0.0.1:$PORT$path"
  local warm=$WARMUP
  [ "${1#page-}" != "$1" ] && warm=$WARMUP_PAGE
  wrk -t2 -c16 -d"$warm" "http://127.0.0.1:$PORT$path" >/dev/null
  sleep 1
  cpu0=$(cpu_nanos "$pid"); sl0=$(sleeps "$pid")
  out=$(wrk -t2 -c16 -d"$DURATION" --latency "http://127.0.0.1:$PORT$path")
  cpu1=$(cpu_nanos "$pid"); sl1=$(sleeps "$pid")
  threads=$(ls /proc/"$pid"/task | wc -l)
  if [ "${1#page-}" != "$1" ]; then # the thread count under 64 connections, sampled each second
    wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$PORT$path" >/dev/null &
    local w=$!
    while kill -0 $w 2>/dev/null; do
      n=$(ls /proc/"$pid"/task | wc -l); [ "$n" -gt "$most" ] && most=$n; sleep 1
    done
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$out" | awk -v n="$1" -v r="$2" -v c0="$cpu0" -v c1="$cpu1" -v q="$reqs" -v t="$threads" -v m="$most" \
    -v s0="$sl0" -v s1="$sl1" '
    /Requests\/sec/ {rps = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
    END {printf "round %s: %s %s %s %s %.1f %.2f %s %s\n", r, n, rps, p50, p99, (c1 - c0) / 1000 / q, (s1 - s0) / q, t, m}'
}

for round in $(seq 1 "$ROUNDS"); do
  for c in $CONFIGS; do run "$c" "$round" | tee -a "$work/results"; done
done

echo
printf '%-14s %10s %9s %9s %12s %11s %8s %12s\n' config req/s p50 p99 cpu_us/req sleeps/req threads threads@c64
awk '{print $3, $4, $5, $6, $7, $8, $9, $10}' "$work/results" | sort -k1,1 -k2,2n | awk '
  function ms(v) { return v ~ /us$/ ? v / 1000 : (v ~ /ms$/ ? v + 0 : v * 1000) }
  {n[$1]++; rps[$1, n[$1]] = $2; p50[$1, n[$1]] = ms($3); p99[$1, n[$1]] = ms($4); cpu[$1, n[$1]] = $5; sl[$1, n[$1]] = $6
   th[$1] = $7; if ($8 > most[$1]) most[$1] = $8}
  function med(a, k, c,   i, j, v, tmp) { for (i = 1; i <= c; i++) v[i] = a[k, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) {tmp = v[i]; v[i] = v[j]; v[j] = tmp}
    return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2 }
  END {
    for (k in n) { R[k] = med(rps, k, n[k]); printf "%-14s %10.0f %7.2fms %7.2fms %12.1f %11.2f %8s %12s\n", k, R[k], med(p50, k, n[k]), med(p99, k, n[k]), med(cpu, k, n[k]), med(sl, k, n[k]), th[k], most[k] ? most[k] : "" }
    if (R["hello-netty"]) printf "hello: Zerver %.2f x bare Netty (target >= 0.75)\n", R["hello-zerver"] / R["hello-netty"]
    if (R["api-netty"]) printf "API route: Zerver %.2f x bare Netty + JDBC (target >= 1.0)\n", R["api-zerver"] / R["api-netty"]
    if (R["api-zerver"]) printf "post page: %.2f x the API route (target >= 0.3, or 6 x 2k req/s)\n", R["page-zerver"] / R["api-zerver"]
    if (R["hello-netty"] && R["hello-inline"]) printf "hello, first step on the event loop: %.2f x bare Netty\n", R["hello-inline"] / R["hello-netty"]
    if (R["api-netty"] && R["api-inline"]) printf "API route, first step on the event loop: %.2f x bare Netty + JDBC\n", R["api-inline"] / R["api-netty"]
    if (R["api-inline"] && R["page-inline"]) printf "post page, first step on the event loop: %.2f x its API route\n", R["page-inline"] / R["api-inline"]
  }'
