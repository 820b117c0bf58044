package dev.ambit.ztunnel.admin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * {@code /logging}: GET lists the loggers with an explicit level; POST {@code ?level=L} sets the
 * root level and {@code ?NAME=L} the level of logger NAME (levels: trace, debug, info, warn, error,
 * off).
 */
final class LogLevels implements HttpEndpoint {

  @Override
  public HttpResponse handle(String method, Map<String, List<String>> query) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    if (method.equals("POST") || method.equals("PUT")) {
      for (Map.Entry<String, List<String>> e : query.entrySet()) {
        String name = e.getKey().equals("level") ? Logger.ROOT_LOGGER_NAME : e.getKey();
        String value = e.getValue().getLast().toUpperCase(Locale.ROOT);
        Level level = Level.toLevel(value, null);
        if (level == null) {
          return HttpResponse.text(400, "unknown level: " + e.getValue().getLast() + "\n");
        }
        context.getLogger(name).setLevel(level);
      }
    } else if (!method.equals("GET")) {
      return HttpResponse.text(405, "use GET or POST\n");
    }
    Map<String, String> levels = new TreeMap<>();
    for (Logger l : context.getLoggerList()) {
      if (l.getLevel() != null) {
        levels.put(l.getName(), l.getLevel().toString().toLowerCase(Locale.ROOT));
      }
    }
    StringBuilder out = new StringBuilder();
    levels.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
    return HttpResponse.text(200, out.toString());
  }
}
