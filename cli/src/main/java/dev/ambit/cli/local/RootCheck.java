package dev.ambit.cli.local;

/** The local mesh needs root: it creates network namespaces, links and iptables rules. */
public final class RootCheck {
  private RootCheck() {}

  public static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /** The message shown to a non-root user of {@code verb}. */
  public static String message(String verb) {
    return "ambit "
        + verb
        + ": needs root. A local mesh creates network namespaces (one per node and per pod),"
        + " virtual ethernet links and iptables rules inside them, which only root may do."
        + " Run it with sudo (sudo -E keeps AMBIT_HOME).";
  }
}
