package dev.ambit.waypoint.proxy;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * A response on its way back through the filter chain: its head now, its body later. Either the
 * waypoint holds the whole response (a local reply: the head is a {@link FullHttpResponse}) or the
 * body streams from an upstream stream ({@link UpstreamBody}). Whoever ends up with it either
 * writes it downstream or {@link #discard() discards} it; {@link #end()} completes either way.
 */
final class ProxyResponse {

  private final HttpResponse head;
  private final UpstreamBody body;
  private final boolean local;
  private final CompletableFuture<BodyEnd> end = new CompletableFuture<>();

  private ProxyResponse(HttpResponse head, UpstreamBody body, boolean local) {
    this.head = head;
    this.body = body;
    this.local = local;
  }

  /** A response the waypoint answers by itself (denial, timeout, no upstream, redirect). */
  static ProxyResponse local(FullHttpResponse res) {
    return new ProxyResponse(res, null, true);
  }

  /** A whole upstream response (one HTTP/2 HEADERS frame ending the stream). */
  static ProxyResponse whole(FullHttpResponse res) {
    return new ProxyResponse(res, null, false);
  }

  /** A response whose body streams from upstream. */
  static ProxyResponse streamed(HttpResponse head, UpstreamBody body) {
    return new ProxyResponse(head, body, false);
  }

  HttpResponse head() {
    return head;
  }

  int status() {
    return head.status().code();
  }

  boolean isLocal() {
    return local;
  }

  /** The whole response when the waypoint holds it, else null. */
  FullHttpResponse full() {
    return body == null ? (FullHttpResponse) head : null;
  }

  /** The streamed body, or null for a whole response. */
  UpstreamBody body() {
    return body;
  }

  /** Completes once the response was written downstream, or failed to be, or was discarded. */
  CompletableFuture<BodyEnd> end() {
    return end;
  }

  /**
   * Stops a body that is still streaming (its deadline passed): the upstream stream is abandoned
   * and the downstream response ends incomplete. Nothing to do for a whole response.
   */
  void cutOff() {
    if (body != null) {
      body.abort();
    }
  }

  /** Drops a response that will not be written: releases its bytes or abandons its stream. */
  void discard() {
    if (body == null) {
      ReferenceCountUtil.release(head);
    } else {
      body.abort();
    }
    end.complete(BodyEnd.abandoned(0));
  }
}
