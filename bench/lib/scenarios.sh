# Scenario runners. Each appends one JSON line per figure to $SAMPLES:
# {"scenario", "contender", "metric", "value", "unit", "better"}.
# Targets: for a contender C, target_host C PORT -> "host:port" as seen from its client pod.

CONTENDERS=(direct stunnel haproxy ambit)

client_netns() { [[ $1 == ambit ]] && echo "$MESH_CLIENT_NS" || echo "$PLAIN_CLIENT_NS"; }

# target CONTENDER APP(iperf|http) -> host port
target() {
  local c="$1" app="$2"
  case "$c:$app" in
    direct:iperf) echo "$PLAIN_SERVER_IP 5201" ;;
    direct:http) echo "$PLAIN_SERVER_IP 8080" ;;
    stunnel:iperf) echo "127.0.0.1 15201" ;;
    stunnel:http) echo "127.0.0.1 18080" ;;
    haproxy:iperf) echo "127.0.0.1 16201" ;;
    haproxy:http) echo "127.0.0.1 19080" ;;
    ambit:iperf) echo "$MESH_SERVER_IP 5201" ;;
    ambit:http) echo "$MESH_SERVER_IP 8080" ;;
    direct:l7) echo "$PLAIN_SERVER_IP 8080" ;;
    haproxy:l7) echo "127.0.0.1 17080" ;;
    ambit:l7) echo "$L7_VIP 8080" ;;
  esac
}

sample() { # scenario contender metric value unit better
  if ! [[ $4 =~ ^[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
    echo "$1 $2 $3: no figure (got '$4'), sample dropped" >&2
    return 0
  fi
  printf '{"scenario":"%s","contender":"%s","metric":"%s","value":%s,"unit":"%s","better":"%s"}\n' \
    "$@" >>"$SAMPLES"
}

raw() { # name output: keeps every tool's output in the work directory (BENCH_KEEP=1 to look)
  mkdir -p "$WORK/raw"
  printf '%s\n' "$2" >>"$WORK/raw/$1.txt"
}

failure() { # scenario contender what error
  jq -nc --arg s "$1" --arg c "$2" --arg w "$3" --arg e "$4" \
    '{scenario: $s, contender: $c, what: $w, error: $e}' >>"$FAILURES"
  echo "FAILED $1 $2 $3: $4" >&2
}

# The contenders of round r, rotated so that none always runs first (load drifts).
# round_order R [CONTENDER...] (default: all)
round_order() {
  local r="$1" i
  shift
  local list=("$@")
  [[ ${#list[@]} -gt 0 ]] || list=("${CONTENDERS[@]}")
  local n=${#list[@]}
  for ((i = 0; i < n; i++)); do echo "${list[$(((i + r) % n))]}"; done
}

run_iperf() { # contender streams -> Gbit/s (receiver side)
  local c="$1" p="$2" hp out err
  read -r -a hp <<<"$(target "$c" iperf)"
  out=$(timeout $((IPERF_SECONDS + 30)) ip netns exec "$(client_netns "$c")" iperf3 -c "${hp[0]}" -p "${hp[1]}" -t "$IPERF_SECONDS" \
    -P "$p" -J 2>&1) || true
  raw "l4-throughput-$c-P$p" "$out"
  err=$(jq -r '.error // empty' <<<"$out" 2>/dev/null || echo "no JSON output: $(tail -c 300 <<<"$out")")
  if [[ -n $err ]]; then
    failure l4-throughput "$c" "iperf3 -P $p" "$err"
    return 1
  fi
  jq -r '.end.sum_received.bits_per_second / 1e9' <<<"$out"
}

scenario_l4_throughput() {
  local r c v
  for ((r = 0; r < ROUNDS; r++)); do
    for c in $(round_order "$r"); do
      v=$(run_iperf "$c" 1) && sample l4-throughput "$c" single_stream_gbps "$v" Gbit/s higher
      v=$(run_iperf "$c" 8) && sample l4-throughput "$c" p8_gbps "$v" Gbit/s higher
      log "l4-throughput round $((r + 1)) $c done"
    done
  done
}

# wrk prints latency percentiles with --latency; converts "123.45us|ms|s" to microseconds.
wrk_to_us() {
  python3 -c '
import sys, re
v = sys.argv[1]
m = re.match(r"([0-9.]+)(us|ms|s|m)$", v)
n, u = float(m.group(1)), m.group(2)
print(n * {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}[u])' "$1"
}

# wrk_run SCENARIO CONTENDER APP CONNS: latency percentiles and rate of kept-alive 1 KiB GETs
wrk_run() {
  local scenario="$1" c="$2" app="$3" conns="$4" hp out p50 p99 rps
  read -r -a hp <<<"$(target "$c" "$app")"
  out=$(timeout $((LOAD_SECONDS + 30)) ip netns exec "$(client_netns "$c")" wrk -t1 -c"$conns" -d"${LOAD_SECONDS}s" --latency \
    "http://${hp[0]}:${hp[1]}/" 2>&1) || { failure "$scenario" "$c" "wrk -c$conns" "$out"; return; }
  raw "$scenario-$c-c$conns" "$out"
  if ! grep -q '^ *99%' <<<"$out"; then failure "$scenario" "$c" "wrk -c$conns" "no percentiles: $out"; return; fi
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    failure "$scenario" "$c" "wrk -c$conns" "$(grep 'Non-2xx\|Socket errors' <<<"$out" | tr -s ' ')"
  fi
  p50=$(wrk_to_us "$(awk '$1=="50%"{print $2}' <<<"$out")")
  p99=$(wrk_to_us "$(awk '$1=="99%"{print $2}' <<<"$out")")
  rps=$(awk '$1=="Requests/sec:"{print $2}' <<<"$out")
  sample "$scenario" "$c" "c${conns}_p50_us" "$p50" us lower
  sample "$scenario" "$c" "c${conns}_p99_us" "$p99" us lower
  sample "$scenario" "$c" "c${conns}_rps" "$rps" req/s higher
}

scenario_l4_latency() {
  local r c conns
  for ((r = 0; r < ROUNDS; r++)); do
    for c in $(round_order "$r"); do
      for conns in 1 16; do wrk_run l4-latency "$c" http "$conns"; done
      log "l4-latency round $((r + 1)) $c done"
    done
  done
}

# HTTP/1.1 keep-alive through an L7 hop: ambit's waypoint (client -> ztunnel -> waypoint ->
# ztunnel -> server) against a chain of three HAProxy in HTTP mode with mutual TLS on each hop.
# -c1: round trip at one request in flight; -c64: rate at saturation.
scenario_l7_waypoint() {
  local r c conns
  for ((r = 0; r < ROUNDS; r++)); do
    for c in $(round_order "$r" direct haproxy ambit); do
      for conns in 1 64; do wrk_run l7-waypoint "$c" l7 "$conns"; done
      log "l7-waypoint round $((r + 1)) $c done"
    done
  done
}

scenario_l4_connect_rate() {
  local r c hp out rps p99
  for ((r = 0; r < ROUNDS; r++)); do
    for c in $(round_order "$r"); do
      read -r -a hp <<<"$(target "$c" http)"
      out=$(timeout $((LOAD_SECONDS + 30)) ip netns exec "$(client_netns "$c")" hey -disable-keepalive -c 8 -z "${LOAD_SECONDS}s" \
        "http://${hp[0]}:${hp[1]}/" 2>&1) || { failure l4-connect-rate "$c" hey "$out"; continue; }
      raw "l4-connect-rate-$c" "$out"
      rps=$(awk '$1=="Requests/sec:"{print $2}' <<<"$out")
      p99=$(awk '$1=="99%" && $2=="in"{print $3*1e6}' <<<"$out")
      if grep -q 'Error distribution' <<<"$out"; then
        failure l4-connect-rate "$c" "hey" "$(sed -n '/Error distribution/,$p' <<<"$out" | sed -n 2,4p | tr -s ' ')"
      fi
      sample l4-connect-rate "$c" conn_per_s "$rps" conn/s higher
      sample l4-connect-rate "$c" p99_us "$p99" us lower
      log "l4-connect-rate round $((r + 1)) $c done"
    done
  done
}

# The waypoint proxy's process: the java process inside the waypoint pod's netns.
waypoint_pid() {
  local p
  for p in $(ip netns pids "$WAYPOINT_NS" 2>/dev/null); do
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'waypoint-proxy'; then echo "$p"; return; fi
  done
}

rss_mib() { awk '/^VmRSS:/{print $2 / 1024}' "/proc/$1/status"; }

scenario_memory() {
  # RSS of each proxy process after the mesh and the peers have been up and idle (run it first).
  local r name pid side
  for ((r = 0; r < ROUNDS; r++)); do
    for name in $(jq -r '.components[] | select(.name | test("ztunnel")) | .name' "$AMBIT_HOME/mesh/state.json"); do
      pid=$(jq -r --arg n "$name" '.components[] | select(.name == $n) | .pid' "$AMBIT_HOME/mesh/state.json")
      # node1 holds the client pods, node2 the server pods
      side=client
      [[ $name == *node2* ]] && side=server
      [[ -d /proc/$pid ]] && sample memory ambit "${side}_rss_mib" "$(rss_mib "$pid")" MiB lower
    done
    pid=$(waypoint_pid)
    [[ -n $pid ]] && sample memory ambit waypoint_rss_mib "$(rss_mib "$pid")" MiB lower
    for name in "${!PEER_PID[@]}"; do
      pid=${PEER_PID[$name]}
      [[ -d /proc/$pid ]] && sample memory "${name%%-*}" "${name#*-}_rss_mib" "$(rss_mib "$pid")" MiB lower
    done
    sleep 1 # spacing between readings, not synchronisation
  done
}
