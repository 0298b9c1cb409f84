package dev.zerver.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A built request shares its builder's headers without a copy, and still never changes. */
class InboundRequestTest {
    @Test
    void headerNamesAreLowercaseAndRepeatedValuesKeepTheirOrder() {
        InboundRequest r = InboundRequest.builder().header("Accept", "a").header("X-Seen", "1").header("x-seen", "2")
                .header("X-SEEN", "3").build();
        assertThat(r.header("ACCEPT")).isEqualTo("a");
        assertThat(r.headers()).containsOnlyKeys("accept", "x-seen");
        assertThat(r.headers().get("x-seen")).containsExactly("1", "2", "3");
        assertThat(r.header("x-seen")).isEqualTo("1");
    }

    @Test
    void aBuiltRequestDoesNotChangeWhenItsBuilderGoesOn() {
        InboundRequest.Builder b = InboundRequest.builder().header("a", "1");
        InboundRequest first = b.build();
        InboundRequest second = b.header("a", "2").header("b", "3").build();
        assertThat(first.headers()).containsOnlyKeys("a");
        assertThat(first.headers().get("a")).containsExactly("1");
        assertThat(second.headers().get("a")).containsExactly("1", "2");
        assertThat(second.header("b")).isEqualTo("3");
    }

    @Test
    void headersCannotBeChangedThroughTheRequest() {
        InboundRequest r = InboundRequest.builder().header("a", "1").header("b", "1").header("b", "2").build();
        assertThatThrownBy(() -> r.headers().put("c", List.of("x"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.headers().get("a").add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.headers().get("b").add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
