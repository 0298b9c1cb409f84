package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ManualScheduler;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Code Zerver runs sees its span as the current OpenTelemetry context and in the logging MDC:
 * spans the application makes with the real SDK nest under the right Zerver span, and log lines
 * written inside a request (a real logback appender) carry its trace and span ids; nothing is left
 * on the thread afterwards.
 */
class ContextBridgeTest {
    static final Slot<String> OUT = Slot.of("out", String.class);

    private final List<SpanData> zerverSpans = new CopyOnWriteArrayList<>();
    private final List<SpanData> appSpans = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider appTracing = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(TraceFeaturesTest.collectingInto(appSpans))).build();
    private final Tracer tracer = appTracing.get("app");
    private final org.slf4j.Logger log = LoggerFactory.getLogger("app");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private ZerverOtel otel;

    /** An effect whose handler makes a span and logs, as an instrumented client library would. */
    private final EffectHandler<String> instrumented = new EffectHandler<>() {
        @Override
        public Class<String> requestType() {
            return String.class;
        }

        @Override
        public CompletionStage<EffectResult> execute(String request, Effect effect, EffectContext context) {
            tracer.spanBuilder("app.in_effect").startSpan().end();
            log.info("in the effect");
            return CompletableFuture.completedFuture(EffectResult.of("done"));
        }
    };

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("app")).detachAppender(appender);
        appTracing.close();
        if (otel != null) {
            otel.close();
        }
    }

    @Test
    void applicationSpansAndLogLinesJoinTheZerverSpanTheyRunIn() {
        appender.start();
        ((Logger) LoggerFactory.getLogger("app")).addAppender(appender);
        otel = ZerverOtel.builder().environment(Map.of()).exporter(TraceFeaturesTest.collectingInto(zerverSpans)).build();
        ManualScheduler scheduler = new ManualScheduler();
        Step work = Step.named("work").writes(OUT).run(ctx -> {
            tracer.spanBuilder("app.in_step").startSpan().end();
            log.info("in the step");
            return Need.of(Effect.of(EffectKind.OTHER, "call", "library", "x").into(OUT))
                    .continueWith("show", k -> Decision.done(Response.text(k.require(OUT))));
        });
        Zerver app = Zerver.builder().environment(Map.of()).scheduling(scheduler).effectHandler(instrumented)
                .listener(otel).get("/work", work).build();

        InProcess.Exchange ex = InProcess.send(app, InboundRequest.builder().method("GET").uri("/work").build());
        scheduler.runToCompletion();
        assertThat(ex.response().bodyText()).isEqualTo("done");
        assertThat(otel.flush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();

        SpanData step = named(zerverSpans, "step.work");
        SpanData effect = named(zerverSpans, "other.call library");
        SpanData inStep = named(appSpans, "app.in_step");
        SpanData inEffect = named(appSpans, "app.in_effect");
        assertThat(inStep.getTraceId()).isEqualTo(step.getTraceId());
        assertThat(inStep.getParentSpanId()).isEqualTo(step.getSpanId());
        assertThat(inEffect.getTraceId()).isEqualTo(step.getTraceId());
        assertThat(inEffect.getParentSpanId()).isEqualTo(effect.getSpanId());

        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("in the step", "in the effect");
        assertThat(appender.list.get(0).getMDCPropertyMap())
                .containsEntry("trace_id", step.getTraceId()).containsEntry("span_id", step.getSpanId());
        assertThat(appender.list.get(1).getMDCPropertyMap()).containsEntry("span_id", effect.getSpanId());

        // The jobs ran on this thread (the manual scheduler): nothing of the request is left on it.
        assertThat(MDC.get("trace_id")).isNull();
        assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().isValid()).isFalse();
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " among " + spans.stream().map(SpanData::getName).toList()));
    }
}
