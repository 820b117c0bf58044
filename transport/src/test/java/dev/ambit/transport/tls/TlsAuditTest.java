package dev.ambit.transport.tls;

import static dev.ambit.transport.testing.TestPki.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.transport.hbone.HboneServer;
import dev.ambit.transport.hbone.ServerTlsSelector;
import dev.ambit.transport.identity.Pem;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.testing.TestPki;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audits the TLS of an HBONE listener on loopback from the outside, with the openssl command line
 * (always) and testssl.sh (tag {@code tls-audit}, run with {@code -Ptls-audit}; it takes about a
 * minute): TLS 1.3 only, no weak cipher, a client certificate required, no renegotiation, no
 * compression.
 */
class TlsAuditTest {

  private static final TestPki pki = new TestPki("audit root");
  private static final SpiffeId SERVER = id("shop", "cart");
  private static EventLoopGroup group;
  private static Channel listener;
  private static String hostPort;
  @TempDir static Path dir;
  private static Path cert;
  private static Path key;

  @BeforeAll
  static void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    listener =
        new HboneServer(
                ServerTlsSelector.fixed(MeshTls.server(pki.issue(SERVER))),
                stream -> stream.reject(503))
            .bind(group, group, NioServerSocketChannel::new, new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    InetSocketAddress a = (InetSocketAddress) listener.localAddress();
    hostPort = "127.0.0.1:" + a.getPort();
    WorkloadCertificate client = pki.issue(id("web", "frontend"));
    cert = Files.writeString(dir.resolve("client.pem"), Pem.encodeCertificates(client.chain()));
    key = Files.writeString(dir.resolve("client-key.pem"), Pem.encodePrivateKey(client.key()));
  }

  @AfterAll
  static void stop() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  record Run(int exit, String output) {}

  static Run run(List<String> command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static Run sClient(String... options) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", hostPort));
    cmd.addAll(List.of(options));
    return run(cmd);
  }

  @Test
  void tls13WithAClientCertificateNegotiatesH2() throws Exception {
    Run r = sClient("-tls1_3", "-alpn", "h2", "-cert", cert.toString(), "-key", key.toString());
    assertThat(r.output()).contains("TLSv1.3").contains("ALPN protocol: h2");
    assertThat(r.output()).doesNotContain("alert");
  }

  @Test
  void tls12IsRefused() throws Exception {
    Run r = sClient("-tls1_2", "-cert", cert.toString(), "-key", key.toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("alert protocol version");
  }

  @Test
  void tls11IsRefused() throws Exception {
    Run r = sClient("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("alert protocol version");
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    // -ign_eof: keep reading after the handshake, when a TLS 1.3 server judges the client's
    // certificate (or its absence) and answers with an alert
    Run r = sClient("-tls1_3", "-alpn", "h2", "-ign_eof");
    assertThat(r.output()).contains("alert certificate required");
  }

  @Test
  void clientWithAnUntrustedCertificateIsRefused() throws Exception {
    WorkloadCertificate stranger = new TestPki("stranger root").issue(id("web", "frontend"));
    Path c =
        Files.writeString(dir.resolve("stranger.pem"), Pem.encodeCertificates(stranger.chain()));
    Path k =
        Files.writeString(dir.resolve("stranger-key.pem"), Pem.encodePrivateKey(stranger.key()));
    Run r =
        sClient("-tls1_3", "-alpn", "h2", "-ign_eof", "-cert", c.toString(), "-key", k.toString());
    assertThat(r.output())
        .containsPattern("alert (unknown ca|certificate unknown|bad certificate)");
  }

  @Test
  @Tag("tls-audit")
  void testsslFindsTls13OnlyStrongCiphersNoRenegotiationNoCompression() throws Exception {
    assertThat(run(List.of("sh", "-c", "command -v testssl")).exit())
        .as("testssl (Debian package testssl.sh) is installed")
        .isZero();
    // testssl.sh 3.0 has no client-certificate option and stops at a server that requires one;
    // this wrapper makes its openssl present the mesh client certificate.
    Path wrapper = dir.resolve("openssl-with-client-cert");
    Files.writeString(
        wrapper,
        "#!/bin/sh\n"
            + "if [ \"$1\" = s_client ]; then shift; exec openssl s_client -cert '"
            + cert
            + "' -key '"
            + key
            + "' \"$@\"; fi\nexec openssl \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
    Path json = dir.resolve("testssl.json");
    Run r =
        run(
            List.of(
                "testssl",
                "--openssl",
                wrapper.toString(),
                "--quiet",
                "--color",
                "0",
                "--warnings",
                "batch",
                "--ip",
                "one",
                "-p",
                "-s",
                "-R",
                "-C",
                "--jsonfile",
                json.toString(),
                hostPort));
    Map<String, String> findings = new HashMap<>();
    for (JsonNode f : new ObjectMapper().readTree(json.toFile())) {
      findings.put(f.get("id").asText(), f.get("finding").asText());
    }
    assertThat(findings).as("testssl output:%n%s", r.output()).containsKey("TLS1_3");
    assertThat(findings.get("TLS1_3")).startsWith("offered");
    for (String old : List.of("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2")) {
      assertThat(findings.get(old)).as(old).isEqualTo("not offered");
    }
    for (String weak :
        List.of(
            "cipherlist_NULL",
            "cipherlist_aNULL",
            "cipherlist_EXPORT",
            "cipherlist_LOW",
            "cipherlist_3DES_IDEA",
            "cipherlist_AVERAGE")) {
      assertThat(findings.get(weak)).as(weak).isEqualTo("not offered");
    }
    assertThat(findings.get("cipherlist_STRONG")).isEqualTo("offered");
    assertThat(findings.get("secure_renego")).contains("TLS 1.3 only");
    assertThat(findings.get("secure_client_renego")).contains("TLS 1.3 only");
    assertThat(findings.get("CRIME_TLS")).contains("TLS 1.3 only");
  }
}
