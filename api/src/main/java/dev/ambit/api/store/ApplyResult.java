package dev.ambit.api.store;

import dev.ambit.api.Resource;
import java.util.Locale;

/** What happened to one object of an apply or delete, with the object as stored (or as deleted). */
public record ApplyResult(Outcome outcome, Resource<?> object) {

  /** The outcome, worded like kubectl. */
  public enum Outcome {
    CREATED,
    CONFIGURED,
    UNCHANGED,
    DELETED;

    /** {@code created}, {@code configured}, ... */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** kubectl-style line, e.g. {@code httproute.gateway.networking.k8s.io/reviews configured}. */
  @Override
  public String toString() {
    return object.kind().qualifiedName() + "/" + object.name() + " " + outcome.word();
  }
}
