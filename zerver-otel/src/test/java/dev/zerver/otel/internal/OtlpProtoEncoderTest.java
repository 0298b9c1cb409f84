package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.otel.ZerverOtel;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spans and events whose lengths take one, two or three bytes, in a batch that outgrows the buffer, decode whole. */
class OtlpProtoEncoderTest {

    @Test
    void spansWhoseLengthsTakeOneTwoOrThreeBytesDecodeWhole() throws Exception {
        Trace t = new Trace();
        t.reset("4bf92f3577b34da6a3ce929d0e0e4736", null, false);
        String[] queries = {"", "q=" + "a".repeat(1000), "q=" + "b".repeat(40_000)}; // < 128 B, < 16 KB, > 16 KB
        for (int i = 0; i < queries.length; i++) {
            TraceSpan s = t.add();
            s.reset(i + 1, i == 0 ? 0 : 1, "s" + i, SpanKind.INTERNAL, 1_000 + i, 2_000 + i);
            if (!queries[i].isEmpty()) {
                s.put(Keys.URL_QUERY, queries[i]);
                s.event(1_500 + i, "zerver.retry").eventAttr(Keys.RETRY_REASON, queries[i]);
            }
            s.finish();
        }
        OtlpProtoEncoder encoder = new OtlpProtoEncoder(Resource.empty(), ZerverOtel.SCOPE);
        encoder.begin();
        encoder.add(t);
        encoder.add(t);
        encoder.finish();
        ExportTraceServiceRequest decoded = ExportTraceServiceRequest.parseFrom(
                Arrays.copyOfRange(encoder.buffer(), encoder.offset(), encoder.offset() + encoder.length()));

        List<Span> spans = decoded.getResourceSpans(0).getScopeSpans(0).getSpansList();
        assertThat(spans).hasSize(6);
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            int k = i % 3;
            assertThat(s.getName()).isEqualTo("s" + k);
            assertThat(s.getStartTimeUnixNano()).isEqualTo(1_000 + k);
            assertThat(s.getEndTimeUnixNano()).isEqualTo(2_000 + k);
            assertThat(s.getAttributesList().stream().map(KeyValue::getKey).toList())
                    .isEqualTo(k == 0 ? List.of() : List.of("url.query"));
            if (k > 0) {
                assertThat(s.getAttributes(0).getValue().getStringValue()).isEqualTo(queries[k]);
                assertThat(s.getEvents(0).getAttributes(0).getValue().getStringValue()).isEqualTo(queries[k]);
            }
        }
        assertThat(spans.get(0).getSerializedSize()).isLessThan(128);
        assertThat(spans.get(1).getSerializedSize()).isBetween(128, 16_383);
        assertThat(spans.get(2).getSerializedSize()).isGreaterThan(16_383);
    }

    @Test
    void textThatIsNotAsciiKeepsItsCharactersAndItsLengths() throws Exception {
        Trace t = new Trace();
        t.reset("4bf92f3577b34da6a3ce929d0e0e4736", null, false);
        TraceSpan s = t.add();
        s.reset(1, 0, "step.crème", SpanKind.INTERNAL, 1_000, 2_000);
        s.put(Keys.URL_PATH, "/blogs/ünïcode/\u2603/" + "é".repeat(100)); // two-byte chars push the value past 127 bytes
        s.event(1_500, "zerver.slot.write").eventAttr(Keys.SLOT, "grüße");
        s.finish();
        OtlpProtoEncoder encoder = new OtlpProtoEncoder(Resource.empty(), ZerverOtel.SCOPE);
        for (int round = 0; round < 3; round++) { // the second and third meet kept names and values
            encoder.begin();
            encoder.add(t);
            encoder.finish();
            Span decoded = ExportTraceServiceRequest.parseFrom(Arrays.copyOfRange(encoder.buffer(), encoder.offset(),
                    encoder.offset() + encoder.length())).getResourceSpans(0).getScopeSpans(0).getSpans(0);
            assertThat(decoded.getName()).isEqualTo("step.crème");
            assertThat(decoded.getAttributes(0).getValue().getStringValue()).isEqualTo("/blogs/ünïcode/\u2603/" + "é".repeat(100));
            assertThat(decoded.getEvents(0).getName()).isEqualTo("zerver.slot.write");
            assertThat(decoded.getEvents(0).getAttributes(0).getValue().getStringValue()).isEqualTo("grüße");
        }
    }
}
