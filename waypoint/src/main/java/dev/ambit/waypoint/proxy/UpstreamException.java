package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.ResponseFlag;

/** An attempt that got no response: a connect failure or a reset before the response ended. */
class UpstreamException extends RuntimeException {

  private final ResponseFlag flag;

  UpstreamException(ResponseFlag flag, String message, Throwable cause) {
    super(message, cause);
    this.flag = flag;
  }

  ResponseFlag flag() {
    return flag;
  }
}
