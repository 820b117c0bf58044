package dev.ambit.waypoint.proxy;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * How sending a response body downstream ended.
 *
 * @param bytes body bytes written downstream
 * @param trailers the trailers that ended the body (empty when none)
 * @param complete whether the whole body reached the downstream connection
 */
record BodyEnd(long bytes, HttpHeaders trailers, boolean complete) {

  static BodyEnd abandoned(long bytes) {
    return new BodyEnd(bytes, EmptyHttpHeaders.INSTANCE, false);
  }
}
