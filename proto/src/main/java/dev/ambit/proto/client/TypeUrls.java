package dev.ambit.proto.client;

import com.google.protobuf.Message;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Address;
import java.util.Map;

/** The xDS type URLs the control plane serves, and the message class of each. */
public final class TypeUrls {

  public static final String ADDRESS = "type.googleapis.com/istio.workload.Address";
  public static final String AUTHORIZATION = "type.googleapis.com/istio.security.Authorization";
  public static final String HTTP_ROUTE = "type.googleapis.com/ambit.waypoint.v1.HttpRoute";
  public static final String L7_AUTHORIZATION =
      "type.googleapis.com/ambit.waypoint.v1.L7Authorization";

  public static final Map<String, Class<? extends Message>> TYPES =
      Map.of(
          ADDRESS, Address.class,
          AUTHORIZATION, Authorization.class,
          HTTP_ROUTE, HttpRoute.class,
          L7_AUTHORIZATION, L7Authorization.class);

  private TypeUrls() {}

  /** A short label for metrics and logs, e.g. "Address". */
  public static String shortName(String typeUrl) {
    int dot = typeUrl.lastIndexOf('.');
    return dot < 0 ? typeUrl : typeUrl.substring(dot + 1);
  }
}
