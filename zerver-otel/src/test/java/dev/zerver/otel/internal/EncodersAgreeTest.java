package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.otel.OtlpReceiver;
import dev.zerver.otel.Scenario;
import dev.zerver.otel.ZerverOtel;
import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.EffectFailure;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ScriptedEffects.Script;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The direct OTLP encoders say exactly what the SDK's {@code SpanData} path says: each request's
 * trace is assembled once, then encoded to protobuf (decoded here with the official
 * {@code opentelemetry-proto} classes), to JSON (decoded with protobuf's JSON parser) and
 * converted to SpanData, and the three are compared field by field.
 */
class EncodersAgreeTest {

    private static List<RequestRecord> records(Map<String, String> env) throws Exception {
        List<RequestRecord> out = new ArrayList<>();
        Scenario s = new Scenario(env);
        s.send("/posts/7?token=abc&page=2");
        s.scheduler.runToCompletion();
        out.add(s.record());
        s.scripts.put("post", Scenario.db(Script.returning("post-7")
                .park(ParkCause.BACKPRESSURE, "db_pool", 1, 1, Duration.ofMillis(8))
                .park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(2))));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        out.add(s.record());
        s.scripts.put("post", Scenario.db(Script.failing(EffectFailure.infrastructure("io_error", "database is down \u00e9"))));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        out.add(s.record());
        InProcess.send(s.app, InboundRequest.builder().uri("/pages/9")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build());
        s.scheduler.runToCompletion();
        out.add(s.record());
        return out;
    }

    @Test
    void protobufJsonAndSpanDataCarryTheSameTraceByDefaultAndWithDebugJobs() throws Exception {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("ZER_VER_DEBUG_JOBS", "1"))) {
            ZerverOtel otel = ZerverOtel.builder().environment(env).settings(b -> b.serviceName("agree")).build();
            TraceAssembler assembler = new TraceAssembler(otel.settings());
            List<RequestRecord> records = records(env);
            Trace[] traces = new Trace[records.size()];
            for (int i = 0; i < traces.length; i++) {
                traces[i] = new Trace();
                assembler.assemble(records.get(i), "head", traces[i]);
            }
            List<SpanData> spanData = new ArrayList<>();
            SpanDataConverter converter = new SpanDataConverter(otel.resource(), ZerverOtel.SCOPE);
            for (Trace t : traces) {
                converter.convert(t, spanData);
            }
            List<String> expected = spanData.stream().map(EncodersAgreeTest::text).toList();

            OtlpProtoEncoder proto = new OtlpProtoEncoder(otel.resource(), ZerverOtel.SCOPE);
            byte[] first = encoded(proto, traces);
            ExportTraceServiceRequest fromProto = ExportTraceServiceRequest.parseFrom(first);
            for (int again = 0; again < 30; again++) { // the encoder's per-key value cache warm, then settled
                assertThat(encoded(proto, traces)).as("encoding %d", again).isEqualTo(first);
            }
            OtlpJsonEncoder json = new OtlpJsonEncoder(otel.resource(), ZerverOtel.SCOPE);
            ExportTraceServiceRequest fromJson = OtlpReceiver.decodeJson(
                    encoded(json, traces));

            for (ExportTraceServiceRequest decoded : List.of(fromProto, fromJson)) {
                assertThat(decoded.getResourceSpansCount()).isEqualTo(1);
                ResourceSpans rs = decoded.getResourceSpans(0);
                assertThat(rs.getResource().getAttributesList()).anySatisfy(a -> {
                    assertThat(a.getKey()).isEqualTo("service.name");
                    assertThat(a.getValue().getStringValue()).isEqualTo("agree");
                });
                assertThat(rs.getScopeSpans(0).getScope().getName()).isEqualTo("dev.zerver");
                List<String> actual = rs.getScopeSpans(0).getSpansList().stream().map(EncodersAgreeTest::text).toList();
                assertThat(actual).containsExactlyElementsOf(expected);
            }
            // The remote parent survives: the root of the fourth trace names it and says it is remote.
            Span root = fromProto.getResourceSpans(0).getScopeSpans(0).getSpansList().stream()
                    .filter(sp -> HexFormat.of().formatHex(sp.getTraceId().toByteArray()).equals("4bf92f3577b34da6a3ce929d0e0e4736")
                            && sp.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
            assertThat(HexFormat.of().formatHex(root.getParentSpanId().toByteArray())).isEqualTo("00f067aa0ba902b7");
            assertThat(root.getFlags() & 0x300).isEqualTo(0x300);
            // Numbers stay numbers.
            assertThat(fromProto.getResourceSpans(0).getScopeSpans(0).getSpansList()).anySatisfy(sp ->
                    assertThat(sp.getAttributesList()).anySatisfy(a -> {
                        assertThat(a.getKey()).isEqualTo("job.worker_id");
                        assertThat(a.getValue().getValueCase()).isEqualTo(AnyValue.ValueCase.INT_VALUE);
                    }));
            otel.close();
        }
    }

    /**
     * Traces are encoded one at a time as they are added: a batch that outgrows the buffer several
     * times over keeps every span in order, and the next batch on the same encoder holds only its own.
     */
    @Test
    void aLargeBatchEncodedTraceByTraceDecodesWhole() throws Exception {
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of()).build();
        TraceAssembler assembler = new TraceAssembler(otel.settings());
        List<RequestRecord> records = records(Map.of());
        Trace[] traces = new Trace[records.size()];
        for (int i = 0; i < traces.length; i++) {
            traces[i] = new Trace();
            assembler.assemble(records.get(i), "head", traces[i]);
        }
        List<String> names = new ArrayList<>();
        for (Trace t : traces) {
            for (int i = 0; i < t.spanCount; i++) {
                names.add(t.span(i).name);
            }
        }
        int rounds = 150;
        for (BatchEncoder encoder : List.of(new OtlpProtoEncoder(otel.resource(), ZerverOtel.SCOPE),
                new OtlpJsonEncoder(otel.resource(), ZerverOtel.SCOPE))) {
            encoder.begin();
            for (int r = 0; r < rounds; r++) {
                for (Trace t : traces) {
                    encoder.add(t);
                }
            }
            encoder.finish();
            byte[] bytes = java.util.Arrays.copyOfRange(encoder.buffer(), encoder.offset(), encoder.offset() + encoder.length());
            assertThat(bytes.length).isGreaterThan(64 * 1024);
            List<String> decoded = spanNames(encoder, bytes);
            assertThat(decoded).hasSize(rounds * names.size());
            assertThat(decoded.subList(decoded.size() - names.size(), decoded.size())).containsExactlyElementsOf(names);

            byte[] next = encoder.encode(new Trace[] {traces[1]}, 1);
            assertThat(spanNames(encoder, next)).hasSize(traces[1].spanCount);
        }
    }

    private static List<String> spanNames(BatchEncoder encoder, byte[] bytes) throws Exception {
        ExportTraceServiceRequest r = encoder instanceof OtlpJsonEncoder
                ? OtlpReceiver.decodeJson(bytes) : ExportTraceServiceRequest.parseFrom(bytes);
        return r.getResourceSpans(0).getScopeSpans(0).getSpansList().stream().map(Span::getName).toList();
    }

    private static byte[] encoded(BatchEncoder encoder, Trace[] traces) {
        return encoder.encode(traces, traces.length);
    }

    /** One span as comparable text: ids, names, times, typed attributes and events, status. */
    private static String text(SpanData s) {
        StringBuilder b = new StringBuilder();
        b.append(s.getTraceId()).append(' ').append(s.getSpanId()).append(' ')
                .append(s.getParentSpanContext().isValid() ? s.getParentSpanId() : "-").append(' ')
                .append(s.getName()).append(' ').append(s.getKind().name()).append(' ')
                .append(s.getStartEpochNanos()).append("..").append(s.getEndEpochNanos()).append(' ')
                .append(s.getStatus().getStatusCode()).append(':').append(s.getStatus().getDescription()).append('\n');
        Map<String, String> attrs = new TreeMap<>();
        s.getAttributes().forEach((AttributeKey<?> k, Object v) -> attrs.put(k.getKey(), typed(v)));
        b.append(attrs).append('\n');
        for (EventData e : s.getEvents()) {
            Map<String, String> ea = new TreeMap<>();
            e.getAttributes().forEach((AttributeKey<?> k, Object v) -> ea.put(k.getKey(), typed(v)));
            b.append(e.getEpochNanos()).append(' ').append(e.getName()).append(' ').append(ea).append('\n');
        }
        b.append("dropped events ").append(s.getTotalRecordedEvents() - s.getEvents().size());
        return b.toString();
    }

    private static String text(Span s) {
        HexFormat hex = HexFormat.of();
        StringBuilder b = new StringBuilder();
        b.append(hex.formatHex(s.getTraceId().toByteArray())).append(' ').append(hex.formatHex(s.getSpanId().toByteArray()))
                .append(' ').append(s.getParentSpanId().isEmpty() ? "-" : hex.formatHex(s.getParentSpanId().toByteArray()))
                .append(' ').append(s.getName()).append(' ').append(s.getKind().name().substring("SPAN_KIND_".length()))
                .append(' ').append(s.getStartTimeUnixNano()).append("..").append(s.getEndTimeUnixNano()).append(' ')
                .append(s.getStatus().getCode().name().substring("STATUS_CODE_".length())).append(':')
                .append(s.getStatus().getMessage()).append('\n');
        b.append(attributes(s.getAttributesList())).append('\n');
        for (Span.Event e : s.getEventsList()) {
            b.append(e.getTimeUnixNano()).append(' ').append(e.getName()).append(' ')
                    .append(attributes(e.getAttributesList())).append('\n');
        }
        b.append("dropped events ").append(s.getDroppedEventsCount());
        return b.toString();
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv : list) {
            out.put(kv.getKey(), typed(kv.getValue()));
        }
        return out;
    }

    private static String typed(Object v) {
        if (v instanceof String s) {
            return "s:" + s;
        }
        if (v instanceof Boolean bool) {
            return "b:" + bool;
        }
        if (v instanceof Long l) {
            return "i:" + l;
        }
        if (v instanceof Double d) {
            return "d:" + d;
        }
        return "a:" + v;
    }

    private static String typed(AnyValue v) {
        switch (v.getValueCase()) {
            case STRING_VALUE:
                return "s:" + v.getStringValue();
            case BOOL_VALUE:
                return "b:" + v.getBoolValue();
            case INT_VALUE:
                return "i:" + v.getIntValue();
            case DOUBLE_VALUE:
                return "d:" + v.getDoubleValue();
            default:
                List<String> items = new ArrayList<>();
                v.getArrayValue().getValuesList().forEach(x -> items.add(x.getStringValue()));
                return "a:" + items;
        }
    }
}
