# The peers: a client-side and a server-side proxy per peer, the client side inside the plain
# client pod's netns, the server side inside the plain server pod's netns, both with mutual TLS 1.3
# (AES-128-GCM, ECDSA P-256 certificates, each side verifying the other against the bench CA).
#
#   app -> 127.0.0.1:<client port> -> [peer client] == TLS ==> server-ip:<tls port> -> [peer server]
#       -> 127.0.0.1:<app port>
#
# Ports: iperf3 5201, nginx 8080, idle-connection holder 9000; stunnel client 15201/18080/15900,
# server 25201/28080/25900; haproxy client 16201/19080/16900, server 26201/29080/26900.
# L7 chains (l7-waypoint): HAProxy 17080 (HTTP/1.1) and 17081 (h2c) in the client pod; nginx
# 17180 (HTTP/1.1) and 17181 (h2c).

PEER_PIDS=()
declare -A PEER_PID # name (stunnel-client, haproxy-server, ...) -> pid

make_certs() {
  local d="$1"
  mkdir -p "$d"
  (
    cd "$d"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -subj "/CN=bench-ca" -days 2 -out ca.pem 2>/dev/null
    local n
    for n in server client hop; do
      openssl ecparam -name prime256v1 -genkey -noout -out "$n.key" 2>/dev/null
      openssl req -new -key "$n.key" -subj "/CN=$n" -out "$n.csr" 2>/dev/null
      printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$n" >"$n.ext"
      openssl x509 -req -in "$n.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$n.ext" -out "$n.pem" 2>/dev/null
      cat "$n.pem" "$n.key" >"$n.bundle.pem"
    done
  )
}

# write_stunnel WORK SERVER_IP
write_stunnel() {
  local w="$1" ip="$2" c="$1/certs"
  cat >"$w/stunnel-client.conf" <<CONF
foreground = yes
pid =
debug = 3
output = $w/stunnel-client.log
[iperf]
client = yes
accept = 127.0.0.1:15201
connect = $ip:25201
cert = $c/client.pem
key = $c/client.key
CAfile = $c/ca.pem
verifyChain = yes
checkHost = server
sslVersionMin = TLSv1.3
ciphersuites = TLS_AES_128_GCM_SHA256
[http]
client = yes
accept = 127.0.0.1:18080
connect = $ip:28080
cert = $c/client.pem
key = $c/client.key
CAfile = $c/ca.pem
verifyChain = yes
checkHost = server
sslVersionMin = TLSv1.3
ciphersuites = TLS_AES_128_GCM_SHA256
[hold]
client = yes
accept = 127.0.0.1:15900
connect = $ip:25900
cert = $c/client.pem
key = $c/client.key
CAfile = $c/ca.pem
verifyChain = yes
checkHost = server
sslVersionMin = TLSv1.3
ciphersuites = TLS_AES_128_GCM_SHA256
CONF
  cat >"$w/stunnel-server.conf" <<CONF
foreground = yes
pid =
debug = 3
output = $w/stunnel-server.log
[iperf]
accept = 0.0.0.0:25201
connect = 127.0.0.1:5201
cert = $c/server.pem
key = $c/server.key
CAfile = $c/ca.pem
verifyChain = yes
checkHost = client
sslVersionMin = TLSv1.3
ciphersuites = TLS_AES_128_GCM_SHA256
[http]
accept = 0.0.0.0:28080
connect = 127.0.0.1:8080
cert = $c/server.pem
key = $c/server.key
CAfile = $c/ca.pem
verifyChain = yes
checkHost = client
sslVersionMin = TLSv1.3
ciphersuites = TLS_AES_128_GCM_SHA256
[hold]
accept = 0.0.0.0:25900
connect = 127.0.0.1:9000
cert = $c/server.pem
key = $c/server.key
CAfile = $c/ca.pem
verifyChain = yes
checkHost = client
sslVersionMin = TLSv1.3
ciphersuites = TLS_AES_128_GCM_SHA256
CONF
}

# write_haproxy WORK SERVER_IP
write_haproxy() {
  local w="$1" ip="$2" c="$1/certs"
  # as many connections as the descriptor limit allows (two descriptors each)
  local maxconn=$((($(ulimit -n) - 100) / 2))
  local tls="ssl verify required ca-file $c/ca.pem ssl-min-ver TLSv1.3 ciphersuites TLS_AES_128_GCM_SHA256"
  cat >"$w/haproxy-client.cfg" <<CONF
global
  ssl-server-verify required
  maxconn $maxconn
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen iperf
  bind 127.0.0.1:16201
  server s $ip:26201 $tls crt $c/client.bundle.pem verifyhost server
listen http
  bind 127.0.0.1:19080
  server s $ip:29080 $tls crt $c/client.bundle.pem verifyhost server
listen hold
  bind 127.0.0.1:16900
  maxconn $maxconn
  server s $ip:26900 $tls crt $c/client.bundle.pem verifyhost server
CONF
  cat >"$w/haproxy-server.cfg" <<CONF
global
  maxconn $maxconn
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen iperf
  bind 0.0.0.0:26201 ssl crt $c/server.bundle.pem ca-file $c/ca.pem verify required ssl-min-ver TLSv1.3 ciphersuites TLS_AES_128_GCM_SHA256
  server s 127.0.0.1:5201
listen http
  bind 0.0.0.0:29080 ssl crt $c/server.bundle.pem ca-file $c/ca.pem verify required ssl-min-ver TLSv1.3 ciphersuites TLS_AES_128_GCM_SHA256
  server s 127.0.0.1:8080
listen hold
  bind 0.0.0.0:26900 ssl crt $c/server.bundle.pem ca-file $c/ca.pem verify required ssl-min-ver TLSv1.3 ciphersuites TLS_AES_128_GCM_SHA256
  maxconn $maxconn
  server s 127.0.0.1:9000
CONF
}

# write_haproxy_l7 WORK HOP_IP SERVER_IP: the L7 chain of l7-waypoint, TLS on every hop:
# client pod 127.0.0.1:17080 -> [haproxy http] == mTLS ==> hop pod :27080 [haproxy http]
#   == mTLS ==> server pod :29180 [haproxy http] -> nginx 127.0.0.1:8080
write_haproxy_l7() {
  local w="$1" hop="$2" ip="$3" c="$1/certs"
  local tls="ssl-min-ver TLSv1.3 ciphersuites TLS_AES_128_GCM_SHA256 ca-file $c/ca.pem verify required"
  local defaults="defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s"
  printf '%s\nlisten web\n  bind 127.0.0.1:17080\n  bind 127.0.0.1:17081 proto h2\n  server s %s:27080 ssl %s crt %s verifyhost hop\n' \
    "$defaults" "$hop" "$tls" "$c/client.bundle.pem" >"$w/haproxy-l7-client.cfg"
  printf '%s\nlisten web\n  bind 0.0.0.0:27080 ssl crt %s %s\n  server s %s:29180 ssl %s crt %s verifyhost server\n' \
    "$defaults" "$c/hop.bundle.pem" "$tls" "$ip" "$tls" "$c/hop.bundle.pem" >"$w/haproxy-l7-hop.cfg"
  printf '%s\nlisten web\n  bind 0.0.0.0:29180 ssl crt %s %s\n  server s 127.0.0.1:8080\n' \
    "$defaults" "$c/server.bundle.pem" "$tls" >"$w/haproxy-l7-server.cfg"
}

# nginx_l7_conf DIR NAME SERVER_BLOCK: an nginx configuration of one hop of the nginx L7 chain
nginx_l7_conf() {
  local d="$1/nginx-l7-$2"
  mkdir -p "$d/tmp"
  cat >"$d.conf" <<NGINX
user root;
worker_processes auto;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/tmp;
  proxy_temp_path $d/tmp;
  fastcgi_temp_path $d/tmp;
  uwsgi_temp_path $d/tmp;
  scgi_temp_path $d/tmp;
  keepalive_requests 1000000;
$3
}
NGINX
}

# write_nginx_l7 WORK HOP_IP SERVER_IP: the same chain as HAProxy's with nginx on every hop:
# client pod 127.0.0.1:17180 (HTTP/1.1), :17181 (h2c) -> [nginx] == mTLS ==> hop pod :27180
#   [nginx] == mTLS ==> server pod :29280 [nginx] -> nginx 127.0.0.1:8080
# Upstream connections are HTTP/1.1, kept alive and pooled (nginx proxies HTTP/1.x only).
write_nginx_l7() {
  local w="$1" hop="$2" ip="$3" c="$1/certs"
  local up="proxy_http_version 1.1; proxy_set_header Connection \"\";"
  local tls_to="proxy_ssl_certificate %s; proxy_ssl_certificate_key %s; proxy_ssl_trusted_certificate $c/ca.pem;
      proxy_ssl_verify on; proxy_ssl_name %s; proxy_ssl_protocols TLSv1.3; proxy_ssl_session_reuse on;
      proxy_ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;"
  local tls_from="ssl_certificate %s; ssl_certificate_key %s; ssl_client_certificate $c/ca.pem;
    ssl_verify_client on; ssl_protocols TLSv1.3; ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;"
  nginx_l7_conf "$w" client "  upstream next { server $hop:27180; keepalive 64; }
  server {
    listen 127.0.0.1:17180;
    listen 127.0.0.1:17181 http2;
    location / { proxy_pass https://next; $up
      $(printf "$tls_to" "$c/client.pem" "$c/client.key" hop) }
  }"
  nginx_l7_conf "$w" hop "  upstream next { server $ip:29280; keepalive 64; }
  server {
    listen 27180 ssl;
    $(printf "$tls_from" "$c/hop.pem" "$c/hop.key")
    location / { proxy_pass https://next; $up
      $(printf "$tls_to" "$c/hop.pem" "$c/hop.key" server) }
  }"
  nginx_l7_conf "$w" server "  upstream next { server 127.0.0.1:8080; keepalive 64; }
  server {
    listen 29280 ssl;
    $(printf "$tls_from" "$c/server.pem" "$c/server.key")
    location / { proxy_pass http://next; $up }
  }"
}

# start_bg NETNS LOG CMD... : starts a peer process inside a netns and remembers its pid
start_bg() {
  local name="$1" ns="$2" log="$3"
  shift 3
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  PEER_PIDS+=("$!")
  PEER_PID[$name]=$!
}

# start_peers WORK CLIENT_NETNS SERVER_NETNS SERVER_IP HOP_NETNS HOP_IP
start_peers() {
  local w="$1" cns="$2" sns="$3" ip="$4" hns="$5" hip="$6"
  make_certs "$w/certs"
  write_stunnel "$w" "$ip"
  write_haproxy "$w" "$ip"
  write_haproxy_l7 "$w" "$hip" "$ip"
  write_nginx_l7 "$w" "$hip" "$ip"
  start_bg nginxl7-server "$sns" "$w/nginx-l7-server.out" nginx -c "$w/nginx-l7-server.conf" -g "daemon off;"
  start_bg nginxl7-hop "$hns" "$w/nginx-l7-hop.out" nginx -c "$w/nginx-l7-hop.conf" -g "daemon off;"
  start_bg nginxl7-client "$cns" "$w/nginx-l7-client.out" nginx -c "$w/nginx-l7-client.conf" -g "daemon off;"
  start_bg haproxyl7-server "$sns" "$w/haproxy-l7-server.out" haproxy -db -f "$w/haproxy-l7-server.cfg"
  start_bg haproxyl7-hop "$hns" "$w/haproxy-l7-hop.out" haproxy -db -f "$w/haproxy-l7-hop.cfg"
  start_bg haproxyl7-client "$cns" "$w/haproxy-l7-client.out" haproxy -db -f "$w/haproxy-l7-client.cfg"
  start_bg stunnel-server "$sns" "$w/stunnel-server.out" stunnel "$w/stunnel-server.conf"
  start_bg stunnel-client "$cns" "$w/stunnel-client.out" stunnel "$w/stunnel-client.conf"
  start_bg haproxy-server "$sns" "$w/haproxy-server.out" haproxy -db -f "$w/haproxy-server.cfg"
  start_bg haproxy-client "$cns" "$w/haproxy-client.out" haproxy -db -f "$w/haproxy-client.cfg"
}

stop_peers() {
  local p
  for p in "${PEER_PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${PEER_PIDS[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  PEER_PIDS=()
  PEER_PID=()
}
