package dev.ambit.control.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;

/**
 * One named xDS resource. The version is a hash of the serialized message, so an unchanged resource
 * keeps its version across snapshots and is never re-sent.
 */
public record XdsResource(String name, String version, Any body) {

  public static XdsResource of(String name, Message message) {
    Any any = Any.pack(message);
    return new XdsResource(name, hash(any.getValue().toByteArray()), any);
  }

  static String hash(byte[] bytes) {
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return Long.toHexString(h) + "-" + Integer.toHexString(bytes.length);
  }
}
