package dev.ambit.node.redirect;

import dev.ambit.node.net.Commands;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-pod traffic redirection, programmed inside a pod's network namespace.
 *
 * <p>Outbound TCP (except ztunnel's own sockets, marked {@value #ZTUNNEL_MARK}, and loopback) is
 * redirected to ztunnel's port {@value #OUTBOUND_PORT}; inbound TCP to port {@value #HBONE_PORT} is
 * delivered by TPROXY to ztunnel's HBONE listener and all other inbound TCP to port {@value
 * #INBOUND_PORT}. TPROXY'd packets and ztunnel's connections to the application carry connmark
 * {@value #CONN_MARK}; a policy rule sends that mark to a local route table so replies reach the
 * transparent sockets. The TPROXY target keeps the packet's destination address ({@code --on-ip}
 * unset), so wildcard and pod-address listeners both receive it. All rules live in chains of their
 * own, so applying is idempotent and releasing leaves the namespace's other rules alone.
 */
public final class RedirectionRules {
  private static final Logger log = LoggerFactory.getLogger(RedirectionRules.class);

  public static final int OUTBOUND_PORT = 15001;
  public static final int INBOUND_PORT = 15006;
  public static final int HBONE_PORT = 15008;
  public static final String ZTUNNEL_MARK = "0x539";
  public static final String CONN_MARK = "0x111";
  public static final String MARK_MASK = "0xfff";
  public static final String ROUTE_TABLE = "100";
  public static final String RULE_PRIORITY = "32764";

  static final String NAT_CHAIN = "AMBIT_OUTPUT";
  static final String MANGLE_PREROUTING_CHAIN = "AMBIT_PRERT";
  static final String MANGLE_OUTPUT_CHAIN = "AMBIT_MANGLE_OUT";

  /** (table, built-in chain, our chain) jumps. */
  private static final List<String[]> JUMPS =
      List.of(
          new String[] {"nat", "OUTPUT", NAT_CHAIN},
          new String[] {"mangle", "PREROUTING", MANGLE_PREROUTING_CHAIN},
          new String[] {"mangle", "OUTPUT", MANGLE_OUTPUT_CHAIN});

  private final Path netns;

  /** Rules for the namespace at {@code netns} (/var/run/netns/NAME or /proc/PID/ns/net). */
  public RedirectionRules(Path netns) {
    this.netns = netns;
  }

  static String restoreScript() {
    String mark = ZTUNNEL_MARK + "/" + MARK_MASK;
    String connmark = CONN_MARK + "/" + MARK_MASK;
    return String.join(
        "\n",
        "*nat",
        ":" + NAT_CHAIN + " - [0:0]",
        "-A " + NAT_CHAIN + " -m mark --mark " + mark + " -j RETURN",
        "-A " + NAT_CHAIN + " -o lo -j RETURN",
        "-A " + NAT_CHAIN + " -d 127.0.0.1/32 -j RETURN",
        "-A " + NAT_CHAIN + " -p tcp -j REDIRECT --to-ports " + OUTBOUND_PORT,
        "COMMIT",
        "*mangle",
        ":" + MANGLE_PREROUTING_CHAIN + " - [0:0]",
        ":" + MANGLE_OUTPUT_CHAIN + " - [0:0]",
        "-A "
            + MANGLE_PREROUTING_CHAIN
            + " -m mark --mark "
            + mark
            + " -j CONNMARK --set-xmark "
            + connmark,
        "-A " + MANGLE_PREROUTING_CHAIN + " -i lo -j RETURN",
        "-A "
            + MANGLE_PREROUTING_CHAIN
            + " -p tcp -m tcp --dport "
            + HBONE_PORT
            + " -m mark ! --mark "
            + mark
            + " -j TPROXY --on-port "
            + HBONE_PORT
            + " --tproxy-mark "
            + connmark,
        "-A "
            + MANGLE_PREROUTING_CHAIN
            + " -p tcp -m conntrack --ctstate RELATED,ESTABLISHED"
            + " -j RETURN",
        "-A "
            + MANGLE_PREROUTING_CHAIN
            + " ! -d 127.0.0.1/32 -p tcp -m mark ! --mark "
            + mark
            + " -j TPROXY --on-port "
            + INBOUND_PORT
            + " --tproxy-mark "
            + connmark,
        "-A "
            + MANGLE_OUTPUT_CHAIN
            + " -m connmark --mark "
            + connmark
            + " -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff",
        "COMMIT",
        "");
  }

  /** Installs the rules; running it again leaves exactly one copy. */
  public void apply() {
    Commands.run(in("iptables-restore", "--noflush"), restoreScript());
    for (String[] j : JUMPS) {
      if (!jumpPresent(j)) {
        Commands.run(in("iptables", "-t", j[0], "-A", j[1], "-j", j[2]));
      }
    }
    if (!policyRulePresent()) {
      Commands.run(
          in(
              "ip",
              "rule",
              "add",
              "fwmark",
              CONN_MARK + "/" + MARK_MASK,
              "pref",
              RULE_PRIORITY,
              "lookup",
              ROUTE_TABLE));
    }
    Commands.run(
        in("ip", "route", "replace", "local", "0.0.0.0/0", "dev", "lo", "table", ROUTE_TABLE));
    log.debug("redirection rules applied in {}", netns);
  }

  /** Removes the rules, chains, policy rule and route table; a no-op when not applied. */
  public void remove() {
    for (String[] j : JUMPS) {
      while (jumpPresent(j)) {
        Commands.run(in("iptables", "-t", j[0], "-D", j[1], "-j", j[2]));
      }
    }
    for (String[] j : JUMPS) {
      if (chainPresent(j[0], j[2])) {
        Commands.run(in("iptables", "-t", j[0], "-F", j[2]));
        Commands.run(in("iptables", "-t", j[0], "-X", j[2]));
      }
    }
    while (policyRulePresent()) {
      Commands.run(in("ip", "rule", "del", "pref", RULE_PRIORITY));
    }
    Commands.Result table = Commands.exec(in("ip", "route", "show", "table", ROUTE_TABLE), null);
    if (table.exitCode() == 0 && !table.stdout().isBlank()) {
      Commands.run(in("ip", "route", "flush", "table", ROUTE_TABLE));
    }
    log.debug("redirection rules removed from {}", netns);
  }

  /** Whether the rules are installed (the outbound jump is the marker). */
  public boolean applied() {
    return jumpPresent(JUMPS.getFirst());
  }

  private boolean jumpPresent(String[] j) {
    return succeeds(in("iptables", "-t", j[0], "-C", j[1], "-j", j[2]));
  }

  private boolean chainPresent(String table, String chain) {
    return succeeds(in("iptables", "-t", table, "-S", chain));
  }

  private boolean policyRulePresent() {
    String out = Commands.run(in("ip", "rule", "show", "pref", RULE_PRIORITY));
    return !out.isBlank();
  }

  private static boolean succeeds(List<String> cmd) {
    return Commands.exec(cmd, null).exitCode() == 0;
  }

  private List<String> in(String... command) {
    List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + netns, "--"));
    full.addAll(List.of(command));
    return full;
  }
}
