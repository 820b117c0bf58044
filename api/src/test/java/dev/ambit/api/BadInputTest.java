package dev.ambit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each bad input is rejected with exactly the expected {@code file:line: field: message}. */
class BadInputTest {

  private static final String POLICY_HEAD =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata:
        name: p
        namespace: foo
      """;

  private static final String ROUTE_HEAD =
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: r
      """;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "policy attached to an unsupported kind",
            POLICY_HEAD
                + """
                spec:
                  targetRefs:
                  - group: apps
                    kind: Deployment
                    name: web
                """,
            List.of(
                "policy.yaml:9: spec.targetRefs[0].kind: a policy attached to apps/Deployment is not"
                    + " implemented by Ambit (supported: Service with group \"\", Gateway with group"
                    + " gateway.networking.k8s.io)")),
        Arguments.of(
            "backend that is not a Service",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - backendRefs:
                    - group: networking.istio.io
                      kind: ServiceEntry
                      name: external
                      port: 443
                """,
            List.of(
                "policy.yaml:9: spec.rules[0].backendRefs[0].kind: only Service backends (group \"\","
                    + " kind Service) are implemented by Ambit")),
        Arguments.of(
            "mis-indented key",
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
                labels: {}
            """,
            List.of("policy.yaml:5: YAML syntax error: mapping values are not allowed here")),
        Arguments.of(
            "tab indentation",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: a\n",
            List.of(
                "policy.yaml:4: YAML syntax error: found character '\\t(TAB)' that cannot start any"
                    + " token. (Do not use \\t(TAB) for indentation) (while scanning for the next token)")),
        Arguments.of(
            "http method",
            POLICY_HEAD
                + """
                spec:
                  rules:
                  - to:
                    - operation:
                        methods: ["GET", "GTE"]
                """,
            List.of(
                "policy.yaml:10: spec.rules[0].to[0].operation.methods[1]: \"GTE\" is not an HTTP method")),
        Arguments.of(
            "yaml syntax",
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: [a, b
            labels: {}
            """,
            List.of(
                "policy.yaml:5: YAML syntax error: expected ',' or ']', but got : (while parsing a flow sequence)")),
        Arguments.of(
            "unknown field",
            POLICY_HEAD
                + """
                spec:
                  action: DENY
                  rulez: []
                """,
            List.of(
                "policy.yaml:8: spec.rulez: unknown field (known: selector, targetRef, targetRefs, action, rules)")),
        Arguments.of(
            "field not implemented",
            POLICY_HEAD
                + """
                spec:
                  rules:
                  - from:
                    - source:
                        remoteIpBlocks: ["1.2.3.4"]
                """,
            List.of(
                "policy.yaml:10: spec.rules[0].from[0].source.remoteIpBlocks: not implemented by Ambit")),
        Arguments.of(
            "unknown kind",
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: v
            """,
            List.of(
                "policy.yaml:2: kind: unknown kind \"VirtualService\" (known: Namespace, Service, Pod, ServiceAccount, AuthorizationPolicy, PeerAuthentication, Gateway, HTTPRoute)")),
        Arguments.of(
            "apiVersion not served",
            """
            apiVersion: security.istio.io/v1alpha1
            kind: AuthorizationPolicy
            metadata:
              name: p
            """,
            List.of(
                "policy.yaml:1: apiVersion: \"security.istio.io/v1alpha1\" is not a served version of AuthorizationPolicy (served: security.istio.io/v1, security.istio.io/v1beta1)")),
        Arguments.of(
            "invalid enum value",
            POLICY_HEAD
                + """
                spec:
                  action: ALOW
                """,
            List.of("policy.yaml:7: spec.action: \"ALOW\" is not one of ALLOW, DENY")),
        Arguments.of(
            "enum value not implemented",
            POLICY_HEAD
                + """
                spec:
                  action: CUSTOM
                """,
            List.of(
                "policy.yaml:7: spec.action: CUSTOM is not implemented by Ambit (supported: ALLOW, DENY)")),
        Arguments.of(
            "string for integer",
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              ports:
              - port: http
            """,
            List.of("policy.yaml:7: spec.ports[0].port: expected an integer, got string \"http\"")),
        Arguments.of(
            "scalar for list",
            POLICY_HEAD
                + """
                spec:
                  rules:
                  - to:
                    - operation:
                        methods: GET
                """,
            List.of(
                "policy.yaml:10: spec.rules[0].to[0].operation.methods: expected a list, got string \"GET\"")),
        Arguments.of(
            "integer for string",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              labels:
                version: 1
            spec:
              containers:
              - name: app
            """,
            List.of("policy.yaml:6: metadata.labels.version: expected a string, got integer 1")),
        Arguments.of(
            "port out of range",
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              ports:
              - port: 70000
            """,
            List.of("policy.yaml:7: spec.ports[0].port: 70000 is not a valid port (1-65535)")),
        Arguments.of(
            "policy port not a port",
            POLICY_HEAD
                + """
                spec:
                  rules:
                  - to:
                    - operation:
                        ports: ["8080", "0"]
                """,
            List.of(
                "policy.yaml:10: spec.rules[0].to[0].operation.ports[1]: \"0\" is not a valid port (1-65535)")),
        Arguments.of(
            "bad cidr",
            POLICY_HEAD
                + """
                spec:
                  rules:
                  - from:
                    - source:
                        ipBlocks:
                        - 10.0.0.0/8
                        - 10.0.0.0/33
                """,
            List.of(
                "policy.yaml:12: spec.rules[0].from[0].source.ipBlocks[1]: \"10.0.0.0/33\" is not an IP address or CIDR block")),
        Arguments.of(
            "bad duration",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - timeouts:
                      request: 5min
                """,
            List.of(
                "policy.yaml:8: spec.rules[0].timeouts.request: \"5min\" is not a valid duration (e.g. 10s, 1m30s, 500ms)")),
        Arguments.of(
            "missing name",
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              namespace: foo
            """,
            List.of("policy.yaml:3: metadata.name: required field is missing")),
        Arguments.of(
            "missing backend name",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - backendRefs:
                    - port: 8080
                """,
            List.of("policy.yaml:8: spec.rules[0].backendRefs[0].name: required field is missing")),
        Arguments.of(
            "duplicate object in one apply",
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: p
              namespace: foo
            ---
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata:
              name: p
              namespace: foo
            """,
            List.of(
                "policy.yaml:7: metadata.name: duplicate AuthorizationPolicy foo/p (first defined at policy.yaml:1)")),
        Arguments.of(
            "duplicate key",
            POLICY_HEAD
                + """
                spec:
                  action: DENY
                  action: ALLOW
                """,
            List.of("policy.yaml:8: duplicate key \"action\" (first at line 7)")),
        Arguments.of(
            "filter settings do not match type",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - filters:
                    - type: RequestRedirect
                      requestHeaderModifier:
                        remove: ["x-a"]
                """,
            List.of(
                "policy.yaml:8: spec.rules[0].filters[0].requestRedirect: required when type is RequestRedirect",
                "policy.yaml:9: spec.rules[0].filters[0].requestHeaderModifier: not allowed when type is RequestRedirect")),
        Arguments.of(
            "namespace on cluster-scoped kind",
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-a
              namespace: default
            """,
            List.of(
                "policy.yaml:5: metadata.namespace: Namespace is cluster-scoped and has no namespace")),
        Arguments.of(
            "invalid label value",
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-a
              labels:
                istio.io/dataplane-mode: "ambient mode"
            """,
            List.of(
                "policy.yaml:6: metadata.labels[\"istio.io/dataplane-mode\"]: \"ambient mode\" is not a valid label value (letters, digits, '-', '_', '.', at most 63)")),
        Arguments.of(
            "backend timeout longer than request timeout",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - timeouts:
                      request: 1s
                      backendRequest: 2s
                """,
            List.of(
                "policy.yaml:9: spec.rules[0].timeouts.backendRequest: must not be longer than request")),
        Arguments.of(
            "service backend without port",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - backendRefs:
                    - name: web
                """,
            List.of(
                "policy.yaml:8: spec.rules[0].backendRefs[0].port: required for a Service backend")),
        Arguments.of(
            "retry code not an error",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - retry:
                      attempts: 2
                      codes: [503, 200]
                """,
            List.of(
                "policy.yaml:9: spec.rules[0].retry.codes[1]: 200 is not an HTTP error status (400-599)")),
        Arguments.of(
            "unknown top-level field",
            """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: sa
            spec: {}
            """,
            List.of(
                "policy.yaml:5: spec: unknown field (a ServiceAccount has apiVersion, kind, metadata)")),
        Arguments.of(
            "document is not a mapping",
            """
            - apiVersion: v1
              kind: Namespace
            """,
            List.of("policy.yaml:1: expected a mapping with apiVersion and kind, got a list")),
        Arguments.of(
            "condition key not implemented",
            POLICY_HEAD
                + """
                spec:
                  rules:
                  - when:
                    - key: request.auth.claims[iss]
                      values: ["https://accounts.example.com"]
                """,
            List.of(
                "policy.yaml:9: spec.rules[0].when[0].key: \"request.auth.claims[iss]\" is not a condition key Ambit implements (known: source.ip, source.namespace, source.principal, destination.ip, destination.port, connection.sni, request.headers[NAME])")),
        Arguments.of(
            "selector and targetRefs together",
            POLICY_HEAD
                + """
                spec:
                  selector:
                    matchLabels:
                      app: web
                  targetRefs:
                  - kind: Service
                    name: web
                """,
            List.of("policy.yaml:7: spec.selector: set either selector or targetRef(s), not both")),
        Arguments.of(
            "invalid regular expression",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - matches:
                    - path:
                        type: RegularExpression
                        value: "/api/(v1"
                """,
            List.of(
                "policy.yaml:10: spec.rules[0].matches[0].path.value: invalid regular expression: Unclosed group")),
        Arguments.of(
            "exact path not absolute",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - matches:
                    - path:
                        type: Exact
                        value: login
                """,
            List.of(
                "policy.yaml:10: spec.rules[0].matches[0].path.value: \"login\" is not an absolute path (must start with '/', no spaces)")),
        Arguments.of(
            "all errors of a document",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: Web_1
            spec:
              containers:
              - name: app
                imagePullPolicy: Always
            status:
              phase: Started
            """,
            List.of(
                "policy.yaml:4: metadata.name: \"Web_1\" is not a valid name (lower-case letters, digits, '-' and '.', at most 253)",
                "policy.yaml:8: spec.containers[0].imagePullPolicy: not implemented by Ambit",
                "policy.yaml:10: status.phase: \"Started\" is not one of Pending, Running, Succeeded, Failed, Unknown")),
        Arguments.of(
            "status on a kind without one",
            ROUTE_HEAD
                + """
                status:
                  parents: []
                """,
            List.of("policy.yaml:5: status: a HTTPRoute has no status Ambit reads")),
        Arguments.of(
            "service type not implemented",
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              type: LoadBalancer
              ports:
              - port: 80
            """,
            List.of(
                "policy.yaml:6: spec.type: LoadBalancer is not implemented by Ambit (supported: ClusterIP)")),
        Arguments.of(
            "mtls mode invalid",
            """
            apiVersion: security.istio.io/v1beta1
            kind: PeerAuthentication
            metadata:
              name: default
            spec:
              mtls:
                mode: strict
            """,
            List.of(
                "policy.yaml:7: spec.mtls.mode: \"strict\" is not one of UNSET, DISABLE, PERMISSIVE, STRICT")),
        Arguments.of(
            "bad weight",
            ROUTE_HEAD
                + """
                spec:
                  rules:
                  - backendRefs:
                    - name: web
                      port: 80
                      weight: -1
                """,
            List.of(
                "policy.yaml:10: spec.rules[0].backendRefs[0].weight: -1 is not a valid weight (0-1000000)")),
        Arguments.of(
            "listener without port",
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: waypoint
            spec:
              gatewayClassName: istio-waypoint
              listeners:
              - name: mesh
                protocol: HBONE
            """,
            List.of("policy.yaml:8: spec.listeners[0].port: required field is missing")),
        Arguments.of(
            "missing kind",
            """
            apiVersion: v1
            metadata:
              name: x
            """,
            List.of("policy.yaml:1: kind: required field is missing")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejectsWithFileLineFieldAndMessage(String name, String yaml, List<String> expected) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigReader.read("policy.yaml", yaml));
    List<String> actual =
        e == null ? List.of() : e.errors().stream().map(ConfigError::toString).toList();
    assertThat(actual).containsExactlyElementsOf(expected);
  }
}
