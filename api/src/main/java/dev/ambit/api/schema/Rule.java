package dev.ambit.api.schema;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.regex.Pattern;

/** Reusable value rules, named by {@link Check} and {@link CheckKeys}. */
public enum Rule {
  /** An integer port 1-65535. */
  PORT {
    @Override
    String problem(Object value) {
      int port = (Integer) value;
      return port >= 1 && port <= 65535 ? null : port + " is not a valid port (1-65535)";
    }
  },
  /** A port number written as a string, as Istio's policy APIs do. */
  PORT_STRING {
    @Override
    String problem(Object value) {
      String text = (String) value;
      if (!text.matches("[0-9]{1,5}")
          || Integer.parseInt(text) < 1
          || Integer.parseInt(text) > 65535) {
        return quote(text) + " is not a valid port (1-65535)";
      }
      return null;
    }
  },
  /** An HTTP request method in upper case. */
  HTTP_METHOD {
    private static final Set<String> METHODS =
        Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    @Override
    String problem(Object value) {
      return METHODS.contains(value) ? null : quote((String) value) + " is not an HTTP method";
    }
  },
  /** An IPv4/IPv6 address or CIDR block. */
  CIDR {
    @Override
    String problem(Object value) {
      return Addresses.isCidrOrIp((String) value)
          ? null
          : quote((String) value) + " is not an IP address or CIDR block";
    }
  },
  /** An IPv4/IPv6 address. */
  IP {
    @Override
    String problem(Object value) {
      return Addresses.isIp((String) value)
          ? null
          : quote((String) value) + " is not an IP address";
    }
  },
  /** A Service cluster IP: an address or {@code None} (headless). */
  CLUSTER_IP {
    @Override
    String problem(Object value) {
      return "None".equals(value) || Addresses.isIp((String) value)
          ? null
          : quote((String) value) + " is not an IP address or \"None\"";
    }
  },
  /** An RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters. */
  DNS_LABEL {
    @Override
    String problem(Object value) {
      String text = (String) value;
      return text.length() <= 63 && LABEL.matcher(text).matches()
          ? null
          : quote(text)
              + " is not a valid name (lower-case letters, digits and '-', at most 63, starting"
              + " and ending with a letter or digit)";
    }
  },
  /** An RFC 1123 subdomain: dot-separated labels, at most 253 characters. */
  DNS_SUBDOMAIN {
    @Override
    String problem(Object value) {
      String text = (String) value;
      return text.length() <= 253 && SUBDOMAIN.matcher(text).matches()
          ? null
          : quote(text)
              + " is not a valid name (lower-case letters, digits, '-' and '.', at most 253)";
    }
  },
  /** A Gateway API hostname: a DNS name, optionally with a leading {@code *.} wildcard label. */
  HOSTNAME {
    @Override
    String problem(Object value) {
      String text = (String) value;
      String rest = text.startsWith("*.") ? text.substring(2) : text;
      return text.length() <= 253 && SUBDOMAIN.matcher(rest).matches()
          ? null
          : quote(text) + " is not a valid hostname";
    }
  },
  /** A Kubernetes label or annotation key: optional DNS prefix and '/', then a name. */
  LABEL_KEY {
    @Override
    String problem(Object value) {
      String text = (String) value;
      int slash = text.indexOf('/');
      String prefix = slash < 0 ? null : text.substring(0, slash);
      String name = slash < 0 ? text : text.substring(slash + 1);
      boolean ok =
          (prefix == null || (prefix.length() <= 253 && SUBDOMAIN.matcher(prefix).matches()))
              && name.length() <= 63
              && QUALIFIED_NAME.matcher(name).matches();
      return ok ? null : quote(text) + " is not a valid label key";
    }
  },
  /** A Kubernetes label value: empty or a name of at most 63 characters. */
  LABEL_VALUE {
    @Override
    String problem(Object value) {
      String text = (String) value;
      return text.isEmpty() || (text.length() <= 63 && QUALIFIED_NAME.matcher(text).matches())
          ? null
          : quote(text)
              + " is not a valid label value (letters, digits, '-', '_', '.', at most 63)";
    }
  },
  /** An HTTP header name (RFC 9110 token). */
  HEADER_NAME {
    @Override
    String problem(Object value) {
      String text = (String) value;
      return TOKEN.matcher(text).matches() ? null : quote(text) + " is not a valid header name";
    }
  },
  /** An absolute HTTP path. */
  HTTP_PATH {
    @Override
    String problem(Object value) {
      String text = (String) value;
      return text.startsWith("/") && text.chars().noneMatch(Character::isWhitespace)
          ? null
          : quote(text) + " is not an absolute path (must start with '/', no spaces)";
    }
  },
  /** An HTTP status code that may be retried (400-599). */
  RETRY_CODE {
    @Override
    String problem(Object value) {
      int code = (Integer) value;
      return code >= 400 && code <= 599 ? null : code + " is not an HTTP error status (400-599)";
    }
  },
  /** A Gateway API backend weight, 0-1000000. */
  WEIGHT {
    @Override
    String problem(Object value) {
      int weight = (Integer) value;
      return weight >= 0 && weight <= 1_000_000
          ? null
          : weight + " is not a valid weight (0-1000000)";
    }
  },
  /** A count that cannot be negative. */
  NON_NEGATIVE {
    @Override
    String problem(Object value) {
      return (Integer) value >= 0 ? null : value + " must not be negative";
    }
  },
  /** A percentage 0-100. */
  PERCENT {
    @Override
    String problem(Object value) {
      int percent = (Integer) value;
      return percent >= 0 && percent <= 100 ? null : percent + " is not a percentage (0-100)";
    }
  },
  /** A redirect status code Gateway API allows (301 or 302). */
  REDIRECT_CODE {
    @Override
    String problem(Object value) {
      int code = (Integer) value;
      return code == 301 || code == 302 ? null : code + " is not a redirect status (301, 302)";
    }
  },
  /** A non-empty string. */
  NOT_EMPTY {
    @Override
    String problem(Object value) {
      return ((String) value).isEmpty() ? "must not be empty" : null;
    }
  };

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

  /** The problem with {@code value}, or {@code null} when it satisfies the rule. */
  abstract String problem(Object value);

  /** Public entry for cross-field checks in model records. */
  public String check(Object value) {
    return problem(value);
  }

  static String quote(String text) {
    return Texts.quote(text);
  }

  /** Address parsing without DNS lookups. */
  static final class Addresses {
    private static final Pattern IPV4 =
        Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
                + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

    private Addresses() {}

    static boolean isIp(String text) {
      if (IPV4.matcher(text).matches()) {
        return true;
      }
      if (!text.contains(":") || !IPV6.matcher(text).matches()) {
        return false;
      }
      try {
        return InetAddress.getByName(text) != null; // a literal: no lookup happens
      } catch (UnknownHostException e) {
        return false;
      }
    }

    static boolean isCidrOrIp(String text) {
      int slash = text.indexOf('/');
      if (slash < 0) {
        return isIp(text);
      }
      String address = text.substring(0, slash);
      String bits = text.substring(slash + 1);
      if (!isIp(address) || !bits.matches("[0-9]{1,3}")) {
        return false;
      }
      int max = address.contains(":") ? 128 : 32;
      return Integer.parseInt(bits) <= max;
    }
  }
}
