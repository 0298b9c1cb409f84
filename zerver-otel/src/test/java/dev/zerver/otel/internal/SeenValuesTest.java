package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenValuesTest {

    @Test
    void aPairIsRememberedFirstKeptOnItsSecondSightingAndFoundByIdentityOnly() {
        SeenValues seen = new SeenValues();
        AttrKey key = AttrKey.of("zerver.step.layer");
        String value = new String("main");
        assertThat(seen.find(key, value)).isNull();
        assertThat(seen.find(key, value)).isSameAs(SeenValues.SEEN_ONCE);
        byte[] encoded = {1, 2, 3};
        assertThat(seen.keep(encoded)).isSameAs(encoded);
        assertThat(seen.find(key, value)).isSameAs(encoded);

        // An equal string made elsewhere is another value: never given the first one's bytes.
        assertThat(seen.find(key, new String("main"))).isNull();
        // Under another key, the same value is another pair.
        assertThat(seen.find(AttrKey.of("zerver.decision"), value)).isNull();
    }

    @Test
    void aSlotTakenByAnotherPairForgetsTheFormerOne() {
        SeenValues seen = new SeenValues();
        AttrKey key = AttrKey.of("url.path");
        String first = new String("/a");
        seen.find(key, first);
        seen.find(key, first);
        seen.keep(new byte[] {9});
        // Thousands of one-off values (paths, ids) pass through the bounded table: the kept pair is
        // either still there, with its bytes, or forgotten and remembered afresh; never wrong.
        for (int i = 0; i < 20_000; i++) {
            seen.find(key, "/p" + i);
        }
        byte[] found = seen.find(key, first);
        assertThat(found == null || found[0] == 9).isTrue();
    }
}
