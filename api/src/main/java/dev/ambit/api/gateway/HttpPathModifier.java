package dev.ambit.api.gateway;

import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;

/** A path change: the field named by {@code type} holds the new path or prefix. */
public record HttpPathModifier(
    @Required PathModifierType type, String replaceFullPath, String replacePrefixMatch)
    implements SelfCheck {

  @Override
  public void check(Checks checks) {
    String wanted =
        type == PathModifierType.ReplaceFullPath ? "replaceFullPath" : "replacePrefixMatch";
    String other =
        type == PathModifierType.ReplaceFullPath ? "replacePrefixMatch" : "replaceFullPath";
    String value = type == PathModifierType.ReplaceFullPath ? replaceFullPath : replacePrefixMatch;
    String otherValue =
        type == PathModifierType.ReplaceFullPath ? replacePrefixMatch : replaceFullPath;
    if (value == null) {
      checks.error(wanted, "required when type is " + type);
    } else if (Rule.HTTP_PATH.check(value) != null) {
      checks.error(wanted, Rule.HTTP_PATH.check(value));
    }
    if (otherValue != null) {
      checks.error(other, "not allowed when type is " + type);
    }
  }
}
