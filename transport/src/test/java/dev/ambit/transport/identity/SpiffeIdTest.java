package dev.ambit.transport.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {

  @Test
  void parsesAndFormatsTheCanonicalForm() {
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/default/sa/reviews-v1");
    assertThat(id).isEqualTo(new SpiffeId("cluster.local", "default", "reviews-v1"));
    assertThat(id.uri()).isEqualTo("spiffe://cluster.local/ns/default/sa/reviews-v1");
    assertThat(id.toString()).isEqualTo(id.uri());
  }

  @Test
  void rejectsMalformedIds() {
    for (String bad :
        new String[] {
          "http://cluster.local/ns/a/sa/b",
          "spiffe://cluster.local/ns/a",
          "spiffe://cluster.local/ns/a/sa/b/extra",
          "spiffe://cluster.local/namespace/a/sa/b",
          "spiffe://Cluster.Local/ns/a/sa/b",
          "spiffe:///ns/a/sa/b",
          "spiffe://td/ns//sa/b",
          "spiffe://td/ns/a/sa/..",
          "spiffe://td/ns/a b/sa/c"
        }) {
      assertThatThrownBy(() -> SpiffeId.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(SpiffeId.tryParse(bad)).as(bad).isEmpty();
    }
  }
}
