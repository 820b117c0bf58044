package dev.ambit.api.schema;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a record: fields of the upstream API that Ambit knows but does not implement; on an enum
 * field: upstream values Ambit does not implement. Either is rejected with a message saying so,
 * because silently ignoring (say) a security field could open access.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.RECORD_COMPONENT})
public @interface NotImplemented {
  String[] value();
}
