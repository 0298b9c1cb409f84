# Shared by the load scripts: source it.

# Sums one number over a process's threads (pid, file under /proc/PID/task/TID, awk program that
# prints the number), JIT compiler threads left out, whose late compilations would otherwise land
# on whichever configuration happens to run them.
per_thread_sum() {
  local total=0 t
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in "C1 Compiler"*|"C2 Compiler"*) continue ;; esac
    total=$((total + $(awk "$3" "$t/$2" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# The process's time on CPU in nanoseconds (schedstat: exact, not sampled at clock ticks).
cpu_nanos() { per_thread_sum "$1" schedstat '{print $1}'; }

# Voluntary context switches of the process's threads: how often they went to sleep, each time to
# be woken again.
sleeps() { per_thread_sum "$1" status '/^voluntary_ctxt_switches/ {print $2}'; }

# Waits until $1 (a URL) answers, at most 20 s; says so and fails if it never does.
await_up() {
  local _
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "$1 did not answer within 20 s" >&2
  return 1
}

# The environment of a named configuration, one VAR=value per word; $2 is the OTLP sink's port.
#   off      OTEL_TRACES_EXPORTER=none (the runtime still keeps its per-request record)
#   otlp     every trace over OTLP http/protobuf to the sink, and metrics too (the endpoint turns them on)
#   otlp-traces  as otlp, without metrics (OTEL_METRICS_EXPORTER=none)
#   sampled  as otlp, with ZER_VER_SAMPLER=head:0.1,tail:error|promoted
#   console  the embedded default: a waterfall per request on standard output
#   debug    as otlp, with ZER_VER_DEBUG_JOBS=1
#   viewer / otlp-viewer  as off / otlp, with the trace viewer capturing every request
#   off-inline / otlp-inline  as off / otlp, with ZER_VER_FIRST_STEP_ON_EVENT_LOOP=1
# Metrics every 10 s, not 60: the first export loads classes that deoptimise hot code; it must fall in
# the warm-up, and its recurring cost in every measured run.
settings() {
  local otlp="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$2 OTEL_BSP_SCHEDULE_DELAY=200 OTEL_BSP_MAX_QUEUE_SIZE=65536 OTEL_METRIC_EXPORT_INTERVAL=10000"
  case $1 in
    off) echo OTEL_TRACES_EXPORTER=none ;;
    otlp) echo "$otlp" ;;
    otlp-traces) echo "$otlp" OTEL_METRICS_EXPORTER=none ;;
    sampled) echo "$otlp" "ZER_VER_SAMPLER=head:0.1,tail:error|promoted" ;;
    console) echo OTEL_TRACES_EXPORTER=console ;;
    debug) echo "$otlp" ZER_VER_DEBUG_JOBS=1 ;;
    viewer) echo OTEL_TRACES_EXPORTER=none ZER_VER_VIEWER_PORT=0 ;;
    otlp-viewer) echo "$otlp" ZER_VER_VIEWER_PORT=0 ;;
    off-inline) echo OTEL_TRACES_EXPORTER=none ZER_VER_FIRST_STEP_ON_EVENT_LOOP=1 ;;
    otlp-inline) echo "$otlp" ZER_VER_FIRST_STEP_ON_EVENT_LOOP=1 ;;
    *) echo "unknown configuration $1 (off, otlp, otlp-traces, sampled, console, debug, viewer, otlp-viewer," \
      "off-inline, otlp-inline)" >&2; exit 2 ;;
  esac
}

# CPU nanoseconds by thread group ("group nanoseconds" lines, sorted; numbers dropped from thread
# names, spaces made underscores), from schedstat.
thread_groups() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "$(sed 's/[-#0-9]*$//; s/ /_/g' "$t/comm" 2>/dev/null) $(awk '{print $1}' "$t/schedstat" 2>/dev/null || echo 0)"
  done | awk 'NF == 2 {s[$1] += $2} END {for (k in s) print k, s[k]}' | sort
}
