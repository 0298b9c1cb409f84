# Shared by the load scripts: source it.

# The process's time on CPU in nanoseconds (schedstat: exact, not sampled at clock ticks), JIT
# compiler threads left out, whose late compilations would otherwise land on whichever
# configuration happens to run them.
cpu_nanos() {
  local total=0 t
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in "C1 Compiler"*|"C2 Compiler"*) continue ;; esac
    total=$((total + $(awk '{print $1}' "$t/schedstat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
