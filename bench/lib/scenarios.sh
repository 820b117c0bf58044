# Scenario runners. Each appends one JSON line per figure to $SAMPLES:
# {"scenario", "contender", "metric", "value", "unit", "better"}.
# Targets: for a contender C, target_host C PORT -> "host:port" as seen from its client pod.

CONTENDERS=(direct stunnel haproxy ambit)

client_netns() { [[ $1 == ambit ]] && echo "$MESH_CLIENT_NS" || echo "$PLAIN_CLIENT_NS"; }

# target CONTENDER APP(iperf|http|l7|l7h2|hold) -> host port
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
    nginx:l7) echo "127.0.0.1 17180" ;;
    ambit:l7) echo "$L7_VIP 8080" ;;
    direct:l7h2) echo "$PLAIN_SERVER_IP 8081" ;;
    haproxy:l7h2) echo "127.0.0.1 17081" ;;
    nginx:l7h2) echo "127.0.0.1 17181" ;;
    ambit:l7h2) echo "$L7_VIP 8081" ;;
    stunnel:hold) echo "127.0.0.1 15900" ;;
    haproxy:hold) echo "127.0.0.1 16900" ;;
    ambit:hold) echo "$MESH_SERVER_IP 9000" ;;
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

# hey_run SCENARIO CONTENDER APP CONNS RPS: latency percentiles at a fixed offered rate (hey -q
# paces each of the CONNS workers to RPS/CONNS requests per second on kept-alive connections).
hey_fixed_run() {
  local scenario="$1" c="$2" app="$3" conns="$4" rps="$5" hp out p50 p99 got
  read -r -a hp <<<"$(target "$c" "$app")"
  out=$(timeout $((LOAD_SECONDS + 30)) ip netns exec "$(client_netns "$c")" hey -c "$conns" -q $((rps / conns)) \
    -z "${LOAD_SECONDS}s" "http://${hp[0]}:${hp[1]}/" 2>&1) || { failure "$scenario" "$c" "hey -q" "$out"; return; }
  raw "$scenario-$c-fixed$rps" "$out"
  if grep -q 'Error distribution' <<<"$out"; then
    failure "$scenario" "$c" "hey -q" "$(sed -n '/Error distribution/,$p' <<<"$out" | sed -n 2,4p | tr -s ' ')"
  fi
  p50=$(awk '$1=="50%" && $2=="in"{print $3*1e6}' <<<"$out")
  p99=$(awk '$1=="99%" && $2=="in"{print $3*1e6}' <<<"$out")
  got=$(awk '$1=="Requests/sec:"{print $2}' <<<"$out")
  sample "$scenario" "$c" "fixed${rps}_p50_us" "$p50" us lower
  sample "$scenario" "$c" "fixed${rps}_p99_us" "$p99" us lower
  sample "$scenario" "$c" "fixed${rps}_achieved_rps" "$got" req/s higher
}

# h2load_run SCENARIO CONTENDER APP CONNS STREAMS: HTTP/2 (h2c, prior knowledge) at saturation,
# CONNS connections with STREAMS concurrent streams each. h2load reports no percentiles: the
# figures are requests per second and the mean request time.
h2load_run() {
  local scenario="$1" c="$2" app="$3" conns="$4" streams="$5" hp out rps mean ok
  read -r -a hp <<<"$(target "$c" "$app")"
  out=$(timeout $((LOAD_SECONDS + 30)) ip netns exec "$(client_netns "$c")" h2load -c "$conns" -m "$streams" \
    -D "$LOAD_SECONDS" "http://${hp[0]}:${hp[1]}/" 2>&1) || { failure "$scenario" "$c" "h2load" "$(tail -c 400 <<<"$out")"; return; }
  raw "$scenario-$c-h2" "$out"
  ok=$(awk '$1=="status" && $2=="codes:"{print $3}' <<<"$out")
  if ! grep -q '^requests:.* 0 failed, 0 errored' <<<"$out" || [[ ${ok:-0} == 0 ]]; then
    failure "$scenario" "$c" "h2load" "$(grep -E '^requests:|^status codes:' <<<"$out" | tr -s ' ' | tr '\n' ';')"
    [[ ${ok:-0} == 0 ]] && return
  fi
  rps=$(awk '$1=="finished" {for (i=1;i<=NF;i++) if ($i ~ /req\/s,?$/) print $(i-1)}' <<<"$out")
  mean=$(awk '$1=="time" && $3=="request:"{v=$6; if (v ~ /ms$/) {sub("ms","",v); v*=1000} else if (v ~ /us$/) {sub("us","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1e6}; print v}' <<<"$out")
  sample "$scenario" "$c" "h2_c${conns}m${streams}_rps" "$rps" req/s higher
  sample "$scenario" "$c" "h2_c${conns}m${streams}_mean_us" "$mean" us lower
}

# Through an L7 hop: ambit's waypoint (client -> ztunnel -> waypoint -> ztunnel -> server) against
# a chain of three HAProxy in HTTP mode and a chain of three nginx, mutual TLS on each hop.
# HTTP/1.1 keep-alive: -c1 (round trip at one request in flight), -c64 (rate at saturation), a
# fixed offered rate (FIXED_RPS, latency without saturation); HTTP/2: h2load at saturation.
scenario_l7_waypoint() {
  local r c conns
  for ((r = 0; r < ROUNDS; r++)); do
    for c in $(round_order "$r" direct haproxy nginx ambit); do
      for conns in 1 64; do wrk_run l7-waypoint "$c" l7 "$conns"; done
      hey_fixed_run l7-waypoint "$c" l7 10 "$FIXED_RPS"
      h2load_run l7-waypoint "$c" l7h2 4 16
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

# The pid of a contender's proxy on one side (client|server) of the L4 path.
proxy_pid() {
  local c="$1" side="$2" node=node1
  [[ $side == server ]] && node=node2
  case "$c" in
    ambit) jq -r --arg n "ztunnel-$node" '.components[] | select(.name == $n) | .pid' "$AMBIT_HOME/mesh/state.json" ;;
    *) echo "${PEER_PID[$c-$side]}" ;;
  esac
}

# wait_count FILE N SECONDS: until the holder reports N open connections (0 or 1 when it does)
wait_count() {
  local deadline=$((SECONDS + $3))
  until [[ $(cat "$1" 2>/dev/null) == "$2" ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# hold_run CONTENDER N IDLE_CLIENT IDLE_SERVER FIRST: RSS of both proxies while N idle connections
# are open end to end (every one accepted by the holder behind the server-side proxy); in the first
# round (FIRST=1) also the cost per connection against the idle RSS measured before any was held.
# Later rounds cannot give it: no process returns all the memory of 10,000 closed connections
# (a JVM keeps its grown heap, malloc its arenas), so their "idle" is no longer idle.
hold_run() {
  local c="$1" n="$2" idle_c="$3" idle_s="$4" first="$5" hp count client pid side rss idle
  read -r -a hp <<<"$(target "$c" hold)"
  count="$WORK/hold-$c.count"
  ip netns exec "$(client_netns "$c")" python3 "$BENCH_DIR/lib/hold.py" connect "${hp[0]}" "${hp[1]}" "$n" \
    >"$WORK/hold-$c-client.out" 2>&1 &
  client=$!
  if ! wait_count "$count" "$n" $((30 + n / 40)); then
    failure memory "$c" "hold $n connections" "$(cat "$count" 2>/dev/null || echo 0) reached the server; $(tail -c 300 "$WORK/hold-$c-client.out")"
  else
    sleep 2 # let the proxies settle after the burst (no synchronisation: figures are read after)
    for side in client server; do
      pid=$(proxy_pid "$c" "$side")
      rss=$(rss_mib "$pid")
      idle=$idle_c
      [[ $side == server ]] && idle=$idle_s
      sample memory "$c" "held${n}_${side}_rss_mib" "$rss" MiB lower
      if ((first)); then
        sample memory "$c" "per_conn${n}_${side}_kib" "$(python3 -c "print(round(($rss - $idle) * 1024 / $n, 3))")" KiB lower
      fi
    done
  fi
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  wait_count "$count" 0 60 || failure memory "$c" "release $n connections" "$(cat "$count") still open"
}

scenario_memory() {
  # RSS of each proxy process after the mesh and the peers have been up and idle (run it first).
  local r name pid side c n
  declare -A idle
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
      [[ $name == nginxl7-* ]] && continue # master process only; the workers hold the memory
      pid=${PEER_PID[$name]}
      [[ -d /proc/$pid ]] && sample memory "${name%%-*}" "${name#*-}_rss_mib" "$(rss_mib "$pid")" MiB lower
    done
    sleep 1 # spacing between readings, not synchronisation
  done
  control_plane_rss

  # Idle proxied connections: a holder behind each server-side proxy (port 9000 of the server
  # pods), N connections opened through each contender and kept idle.
  start_bg holder-plain "$PLAIN_SERVER_NS" "$WORK/holder-plain.out" python3 "$BENCH_DIR/lib/hold.py" serve 9000 "$WORK/hold-stunnel.count"
  start_bg holder-mesh "$MESH_SERVER_NS" "$WORK/holder-mesh.out" python3 "$BENCH_DIR/lib/hold.py" serve 9000 "$WORK/hold-ambit.count"
  wait_count "$WORK/hold-stunnel.count" 0 10 && wait_count "$WORK/hold-ambit.count" 0 10 ||
    { failure memory all "holder" "the connection holders did not start"; return; }
  for c in stunnel haproxy ambit; do
    idle[$c-client]=$(rss_mib "$(proxy_pid "$c" client)")
    idle[$c-server]=$(rss_mib "$(proxy_pid "$c" server)")
  done
  for ((r = 0; r < ROUNDS; r++)); do
    for n in $HOLD_COUNTS; do
      for c in $(round_order "$r" stunnel haproxy ambit); do
        # both peers share the plain server pod's holder
        [[ $c == haproxy ]] && ln -sf "$WORK/hold-stunnel.count" "$WORK/hold-haproxy.count"
        # A peer's proxy holds two descriptors per connection, in one process with this shell's limit.
        if [[ $c != ambit ]] && ((2 * n + 100 > $(ulimit -n))); then
          ((r == 0)) && failure memory "$c" "hold $n connections" "needs $((2 * n + 100)) descriptors, the limit is $(ulimit -n)"
          continue
        fi
        hold_run "$c" "$n" "${idle[$c-client]}" "${idle[$c-server]}" $((r == 0))
        log "memory round $((r + 1)) $c: $n idle connections done"
      done
    done
  done
}

# The control plane's RSS before and after `ambit apply` of CONTROL_PODS pods (an enrolled
# namespace, one Service selecting them), then the pods are deleted again. The pods name a node
# that does not exist, so no node agent starts them: the control plane stores, schedules and
# indexes them, but they get no pod IP (so they are not workloads in xDS).
control_plane_rss() {
  local pid dir="$WORK/scale" i f
  pid=$(jq -r '.components[] | select(.name == "control") | .pid' "$AMBIT_HOME/mesh/state.json")
  [[ -d /proc/$pid ]] || { failure memory ambit "control plane" "no control plane process"; return; }
  mkdir -p "$dir"
  {
    printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scale\n  labels:\n    istio.io/dataplane-mode: ambient\n'
    printf -- '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app\n  namespace: scale\nspec:\n  selector:\n    app: app\n  ports:\n    - port: 8080\n'
  } >"$dir/00-namespace.yaml"
  # In files of 500 pods: one apply of all of them outlasts the CLI's call deadline on a busy machine.
  for ((i = 0; i < CONTROL_PODS; i++)); do
    printf -- '---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app-%d\n  namespace: scale\n  labels:\n    app: app\nspec:\n  nodeName: parked\n  containers:\n    - name: app\n      image: sleep\n' "$i" \
      >>"$dir/pods-$(printf %03d $((i / 500))).yaml"
  done
  sample memory ambit control_idle_rss_mib "$(rss_mib "$pid")" MiB lower
  for f in "$dir"/*.yaml; do
    if ! "$ROOT/ambit" apply -f "$f" >"$dir/apply.out" 2>&1; then
      failure memory ambit "apply $CONTROL_PODS pods" "$(basename "$f"): $(tail -c 300 "$dir/apply.out")"
      return
    fi
  done
  sleep 5 # the state rebuild is debounced; read RSS once it has run (a reading, not synchronisation)
  sample memory ambit "control_${CONTROL_PODS}pods_rss_mib" "$(rss_mib "$pid")" MiB lower
  for f in $(ls -r "$dir"/*.yaml); do
    "$ROOT/ambit" delete -f "$f" >"$dir/delete.out" 2>&1 ||
      failure memory ambit "delete $CONTROL_PODS pods" "$(basename "$f"): $(tail -c 300 "$dir/delete.out")"
  done
}
