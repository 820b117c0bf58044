package dev.ambit.proto.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * Call credentials {@code authorization: Bearer <token>}, the token read from a file at each call
 * (so a rotated token is used from the next call on). Refuses to send it over a channel without
 * privacy and integrity.
 */
final class BearerTokenFile extends CallCredentials {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Path file;

  BearerTokenFile(Path file) {
    this.file = file;
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo info, Executor appExecutor, MetadataApplier applier) {
    if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(
          Status.UNAUTHENTICATED.withDescription(
              "refusing to send the token of " + file + " over a channel without TLS"));
      return;
    }
    appExecutor.execute(() -> apply(applier));
  }

  private void apply(MetadataApplier applier) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      applier.fail(
          Status.UNAUTHENTICATED
              .withDescription("cannot read token file " + file + ": " + e)
              .withCause(e));
      return;
    }
    if (token.isEmpty()) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("token file " + file + " is empty"));
      return;
    }
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    applier.apply(headers);
  }
}
