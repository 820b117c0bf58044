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

# The contenders of round r, rotated so that none always runs first (load drifts).
round_order() {
  local r="$1" n=${#CONTENDERS[@]} i
  for ((i = 0; i < n; i++)); do echo "${CONTENDERS[$(((i + r) % n))]}"; done
}

run_iperf() { # contender streams -> Gbit/s (receiver side)
  local c="$1" p="$2" hp out
  read -r -a hp <<<"$(target "$c" iperf)"
  out=$(ip netns exec "$(client_netns "$c")" iperf3 -c "${hp[0]}" -p "${hp[1]}" -t "$IPERF_SECONDS" \
    -P "$p" -J 2>&1) || { echo "iperf3 $c -P $p failed: $(echo "$out" | tail -3)" >&2; return 1; }
  echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
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

scenario_l4_latency() {
  local r c conns hp out p50 p99 p999 rps
  for ((r = 0; r < ROUNDS; r++)); do
    for c in $(round_order "$r"); do
      read -r -a hp <<<"$(target "$c" http)"
      for conns in 1 16; do
        out=$(ip netns exec "$(client_netns "$c")" wrk -t1 -c"$conns" -d"${LOAD_SECONDS}s" --latency \
          "http://${hp[0]}:${hp[1]}/" 2>&1) || { echo "wrk $c failed: $out" >&2; continue; }
        if ! grep -q '^ *99.000%\|^ *99%' <<<"$out"; then echo "wrk $c: no percentiles: $out" >&2; continue; fi
        if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then echo "wrk $c -c$conns: errors: $out" >&2; fi
        p50=$(wrk_to_us "$(awk '$1=="50%"{print $2}' <<<"$out")")
        p99=$(wrk_to_us "$(awk '$1=="99%"{print $2}' <<<"$out")")
        rps=$(awk '$1=="Requests/sec:"{print $2}' <<<"$out")
        sample l4-latency "$c" "c${conns}_p50_us" "$p50" us lower
        sample l4-latency "$c" "c${conns}_p99_us" "$p99" us lower
        sample l4-latency "$c" "c${conns}_rps" "$rps" req/s higher
      done
      log "l4-latency round $((r + 1)) $c done"
    done
  done
}

scenario_l4_connect_rate() {
  local r c hp out rps p99
  for ((r = 0; r < ROUNDS; r++)); do
    for c in $(round_order "$r"); do
      read -r -a hp <<<"$(target "$c" http)"
      out=$(ip netns exec "$(client_netns "$c")" hey -disable-keepalive -c 8 -z "${LOAD_SECONDS}s" \
        "http://${hp[0]}:${hp[1]}/" 2>&1) || { echo "hey $c failed: $out" >&2; continue; }
      rps=$(awk '$1=="Requests/sec:"{print $2}' <<<"$out")
      p99=$(awk '$1=="99%" && $2=="in"{print $3*1e6}' <<<"$out")
      if grep -q 'Error distribution' <<<"$out"; then
        echo "hey $c: errors: $(sed -n '/Error distribution/,$p' <<<"$out" | head -5)" >&2
      fi
      sample l4-connect-rate "$c" conn_per_s "$rps" conn/s higher
      sample l4-connect-rate "$c" p99_us "$p99" us lower
      log "l4-connect-rate round $((r + 1)) $c done"
    done
  done
}

rss_mib() { awk '/^VmRSS:/{print $2 / 1024}' "/proc/$1/status"; }

scenario_memory() {
  # RSS of each proxy process after the mesh and the peers have been up and idle (run it first).
  local r name pid
  for ((r = 0; r < ROUNDS; r++)); do
    for name in $(jq -r '.components[] | select(.name | test("ztunnel")) | .name' "$AMBIT_HOME/mesh/state.json"); do
      pid=$(jq -r --arg n "$name" '.components[] | select(.name == $n) | .pid' "$AMBIT_HOME/mesh/state.json")
      [[ -d /proc/$pid ]] && sample memory ambit "${name}_rss_mib" "$(rss_mib "$pid")" MiB lower
    done
    for name in "${!PEER_PID[@]}"; do
      pid=${PEER_PID[$name]}
      [[ -d /proc/$pid ]] && sample memory "${name%%-*}" "${name#*-}_rss_mib" "$(rss_mib "$pid")" MiB lower
    done
    sleep 1 # spacing between readings, not synchronisation
  done
}
