package dev.ambit.ztunnel.authz;

import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Clause;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import java.util.HashSet;
import java.util.Set;

/**
 * An {@link Authorization} ready for evaluation: rules are OR-ed, the clauses of a rule AND-ed and
 * the matches of a clause OR-ed. A policy without rules matches nothing (an ALLOW without rules
 * allows nothing); a rule without clauses matches everything; a clause without matches matches
 * nothing.
 */
public final class CompiledPolicy {

  private final Authorization proto;
  private final String key;
  private final CompiledMatch[][][] rules;
  private final Decision decision;

  public CompiledPolicy(Authorization proto) {
    this.proto = proto;
    this.key = key(proto);
    this.rules = new CompiledMatch[proto.getRulesCount()][][];
    for (int r = 0; r < rules.length; r++) {
      Rule rule = proto.getRules(r);
      rules[r] = new CompiledMatch[rule.getClausesCount()][];
      for (int c = 0; c < rules[r].length; c++) {
        Clause clause = rule.getClauses(c);
        rules[r][c] =
            clause.getMatchesList().stream().map(CompiledMatch::new).toArray(CompiledMatch[]::new);
      }
    }
    boolean deny = proto.getAction() == Action.DENY;
    this.decision = new Decision(!deny, key, (deny ? "denied by " : "allowed by ") + key);
  }

  /** The resource name of a policy: "namespace/name". */
  public static String key(Authorization proto) {
    return proto.getNamespace() + "/" + proto.getName();
  }

  public String key() {
    return key;
  }

  public Authorization proto() {
    return proto;
  }

  public Scope scope() {
    return proto.getScope();
  }

  public String namespace() {
    return proto.getNamespace();
  }

  public boolean deny() {
    return proto.getAction() == Action.DENY;
  }

  /** The decision this policy gives when it matches. */
  Decision decision() {
    return decision;
  }

  /**
   * The values of {@code field} a connection must carry for this policy to match, or null when the
   * policy may match other values too. Used to index policies: a rule requires the union over the
   * matches of its first clause whose every match requires values of the field; the policy requires
   * the union over its rules. A policy without rules requires an empty set (it matches nothing).
   */
  Set<Object> required(IndexedField field) {
    Set<Object> all = new HashSet<>();
    for (CompiledMatch[][] rule : rules) {
      Set<Object> forRule = null;
      for (CompiledMatch[] clause : rule) {
        Set<Object> forClause = clause.length == 0 ? null : new HashSet<>();
        for (CompiledMatch m : clause) {
          Set<Object> required = m.required(field);
          if (required == null) {
            forClause = null;
            break;
          }
          forClause.addAll(required);
        }
        if (forClause != null) {
          forRule = forClause;
          break;
        }
      }
      if (forRule == null) {
        return null;
      }
      all.addAll(forRule);
    }
    return all;
  }

  /** True when any rule matches {@code c}. */
  public boolean matches(ConnectionAttributes c) {
    for (CompiledMatch[][] rule : rules) {
      if (ruleMatches(rule, c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean ruleMatches(CompiledMatch[][] clauses, ConnectionAttributes c) {
    for (CompiledMatch[] clause : clauses) {
      if (!clauseMatches(clause, c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean clauseMatches(CompiledMatch[] matches, ConnectionAttributes c) {
    for (CompiledMatch m : matches) {
      if (m.matches(c)) {
        return true;
      }
    }
    return false;
  }
}
