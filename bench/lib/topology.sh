# Writes the bench mesh: the same server and client pods twice, once in a namespace that is in the
# mesh ("mesh") and once in one that is not ("plain"); servers on node2, clients on node1, so every
# contender crosses pod -> node1 -> fabric -> node2 -> pod.
# usage: write_topology DIR WORKDIR
L7_VIP=10.96.200.10
write_topology() {
  local dir="$1" work="$2"
  mkdir -p "$dir"
  cat >"$dir/00-namespaces.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: mesh
  labels:
    istio.io/dataplane-mode: ambient
---
apiVersion: v1
kind: Namespace
metadata:
  name: plain
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: server
  namespace: mesh
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: client
  namespace: mesh
YAML
  local ns sa
  : >"$dir/10-pods.yaml"
  for ns in mesh plain; do
    cat >>"$dir/10-pods.yaml" <<YAML
---
apiVersion: v1
kind: Pod
metadata:
  name: server
  namespace: $ns
  labels:
    app: server
spec:
$( [[ $ns == mesh ]] && echo "  serviceAccountName: server" )
  nodeName: node2
  containers:
    - name: iperf3
      image: iperf3
      command: ["iperf3", "-s", "-p", "5201"]
    - name: nginx
      image: nginx
      command: ["nginx", "-c", "$work/nginx-$ns.conf", "-g", "daemon off;"]
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: $ns
  labels:
    app: client
spec:
$( [[ $ns == mesh ]] && echo "  serviceAccountName: client" )
  nodeName: node1
  containers:
    - name: sleep
      image: sleep
      command: ["sleep", "infinity"]
YAML
  done
  # l7-waypoint: a Service behind a waypoint (ambit), and a plain pod for the peers' L7 hop.
  # nginx serves HTTP/1.1 on 8080 and h2c (prior knowledge) on 8081.
  cat >"$dir/20-l7.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: mesh
  labels:
    app: web
spec:
  serviceAccountName: server
  nodeName: node2
  containers:
    - name: nginx
      image: nginx
      command: ["nginx", "-c", "$work/nginx-web.conf", "-g", "daemon off;"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: mesh
  labels:
    istio.io/use-waypoint: waypoint
spec:
  clusterIP: $L7_VIP
  selector:
    app: web
  ports:
    - name: http
      port: 8080
      targetPort: 8080
    - name: http2
      port: 8081
      targetPort: 8081
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: waypoint
  namespace: mesh
spec:
  gatewayClassName: istio-waypoint
  listeners:
    - name: mesh
      port: 15008
      protocol: HBONE
---
apiVersion: v1
kind: Pod
metadata:
  name: l7hop
  namespace: plain
spec:
  nodeName: node1
  containers:
    - name: sleep
      image: sleep
      command: ["sleep", "infinity"]
YAML
  for ns in mesh plain web; do
    mkdir -p "$work/nginx-$ns/www"
    head -c 1024 /dev/zero | tr '\0' 'x' >"$work/nginx-$ns/www/1k"
    cat >"$work/nginx-$ns.conf" <<NGINX
user root;
worker_processes 1;
pid $work/nginx-$ns/nginx.pid;
error_log $work/nginx-$ns/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-$ns/tmp;
  proxy_temp_path $work/nginx-$ns/tmp;
  fastcgi_temp_path $work/nginx-$ns/tmp;
  uwsgi_temp_path $work/nginx-$ns/tmp;
  scgi_temp_path $work/nginx-$ns/tmp;
  keepalive_requests 1000000;
  server {
    listen 8080 reuseport;
    listen 8081 http2 reuseport;
    root $work/nginx-$ns/www;
    location / { try_files /1k =404; default_type text/plain; }
  }
}
NGINX
  done
}
