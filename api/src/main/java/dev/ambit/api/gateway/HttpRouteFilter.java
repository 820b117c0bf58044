package dev.ambit.api.gateway;

import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.SelfCheck;
import java.util.LinkedHashMap;
import java.util.Map;

/** A filter: {@code type} says which one of the other fields holds its settings. */
@NotImplemented({"extensionRef", "cors", "externalAuth"})
public record HttpRouteFilter(
    @Required @NotImplemented({"ExtensionRef", "CORS", "ExternalAuth"}) FilterType type,
    HttpHeaderFilter requestHeaderModifier,
    HttpHeaderFilter responseHeaderModifier,
    HttpRequestRedirectFilter requestRedirect,
    HttpUrlRewriteFilter urlRewrite,
    HttpRequestMirrorFilter requestMirror)
    implements SelfCheck {

  @Override
  public void check(Checks checks) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("requestHeaderModifier", requestHeaderModifier);
    settings.put("responseHeaderModifier", responseHeaderModifier);
    settings.put("requestRedirect", requestRedirect);
    settings.put("urlRewrite", urlRewrite);
    settings.put("requestMirror", requestMirror);
    String wanted = field(type);
    if (settings.get(wanted) == null) {
      checks.error(wanted, "required when type is " + type);
    }
    settings.forEach(
        (name, value) -> {
          if (!name.equals(wanted) && value != null) {
            checks.error(name, "not allowed when type is " + type);
          }
        });
  }

  /** The field holding the settings of a filter type. */
  static String field(FilterType type) {
    return switch (type) {
      case RequestHeaderModifier -> "requestHeaderModifier";
      case ResponseHeaderModifier -> "responseHeaderModifier";
      case RequestRedirect -> "requestRedirect";
      case URLRewrite -> "urlRewrite";
      case RequestMirror -> "requestMirror";
    };
  }
}
