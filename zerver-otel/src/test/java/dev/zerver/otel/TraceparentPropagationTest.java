package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.zerver.Decision;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.effects.http.Http;
import dev.zerver.effects.http.HttpEffects;
import dev.zerver.spi.InboundRequest;
import dev.zerver.testing.InProcess;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The head decision taken when a request starts travels in the flags of the {@code traceparent}
 * its HTTP effects send, so a downstream service can follow it (a real peer on loopback).
 */
class TraceparentPropagationTest {
    static final Slot<String> OUT = Slot.of("out", String.class);
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<String> baggageSeen = new CopyOnWriteArrayList<>();
    private final List<String> baggageInStep = new CopyOnWriteArrayList<>();
    private HttpServer peer;
    private Zerver app;

    private void start(String sampler) throws Exception {
        start(Map.of("OTEL_TRACES_EXPORTER", "none", "ZER_VER_SAMPLER", sampler));
    }

    private void start(Map<String, String> env) throws Exception {
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/", ex -> {
            seen.add(ex.getRequestHeaders().getFirst("traceparent"));
            String baggage = ex.getRequestHeaders().getFirst("baggage");
            baggageSeen.add(baggage == null ? "(none)" : baggage);
            byte[] body = "ok".getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        peer.start();
        String url = "http://127.0.0.1:" + peer.getAddress().getPort() + "/comments";
        ZerverOtel otel = ZerverOtel.builder().environment(env).build();
        app = Zerver.builder().environment(Map.of()).port(0).listener(otel).effectHandler(HttpEffects.builder().build())
                .get("/page", Step.named("page").writes(OUT).run(ctx -> {
                    String user = io.opentelemetry.api.baggage.Baggage.current().getEntryValue("user");
                    baggageInStep.add(user == null ? "(none)" : user);
                    return Need.of(Http.get(url, "comments").into(OUT))
                        .continueWith("show", k -> Decision.done(Response.text(k.require(OUT))));
                }))
                .build().start();
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop(Duration.ofSeconds(2));
        }
        if (peer != null) {
            peer.stop(0);
        }
    }

    /** The flags of the traceparent the peer received for one page request. */
    private String flagsSent(String incomingTraceparent) throws Exception {
        InboundRequest.Builder in = InboundRequest.builder().method("GET").uri("/page");
        if (incomingTraceparent != null) {
            in.header("traceparent", incomingTraceparent);
        }
        seen.clear();
        assertThat(InProcess.send(app, in.build()).await(10, TimeUnit.SECONDS).bodyText()).isEqualTo("ok");
        assertThat(seen).hasSize(1);
        return seen.get(0).substring(seen.get(0).length() - 2);
    }

    @Test
    void aHeadDroppedRequestTellsItsPeerNotSampled() throws Exception {
        start("head:0,tail:error");
        assertThat(flagsSent(null)).isEqualTo("00");
        assertThat(flagsSent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).as("a sampled caller is followed")
                .isEqualTo("01");
    }

    @Test
    void theCallersBaggageReachesTheStepsContextAndThePeer() throws Exception {
        start("head:1");
        InboundRequest.Builder in = InboundRequest.builder().method("GET").uri("/page")
                .header("baggage", "user=ana,tenant=blog");
        assertThat(InProcess.send(app, in.build()).await(10, TimeUnit.SECONDS).bodyText()).isEqualTo("ok");
        assertThat(baggageInStep).containsExactly("ana");
        assertThat(baggageSeen).containsExactly("user=ana,tenant=blog");
        flagsSent(null);
        assertThat(baggageInStep).last().isEqualTo("(none)");
        assertThat(baggageSeen).last().isEqualTo("(none)");
    }

    @Test
    void aSampledRequestTellsItsPeerSampled() throws Exception {
        start("head:1");
        assertThat(flagsSent(null)).isEqualTo("01");
        assertThat(flagsSent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).as("an unsampled caller is followed")
                .isEqualTo("00");
    }

    private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /** One page request with the caller's traceparent and baggage; returns the trace id the peer was told of, or null. */
    private String callWithCallerHeaders() throws Exception {
        seen.clear();
        InboundRequest in = InboundRequest.builder().method("GET").uri("/page").header("traceparent", CALLER)
                .header("baggage", "user=ana").build();
        assertThat(InProcess.send(app, in).await(10, TimeUnit.SECONDS).bodyText()).isEqualTo("ok");
        assertThat(seen).hasSize(1);
        return seen.get(0) == null ? null : seen.get(0).substring(3, 35);
    }

    @Test
    void withoutTraceContextRequestsStartTheirOwnTraceAndSendNone() throws Exception {
        start(Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_PROPAGATORS", "baggage"));
        assertThat(callWithCallerHeaders()).as("traceparent sent to the peer").isNull();
        assertThat(baggageInStep).containsExactly("ana");
        assertThat(baggageSeen).containsExactly("user=ana");
    }

    @Test
    void withoutBaggageTheCallersBaggageStops() throws Exception {
        start(Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_PROPAGATORS", "tracecontext"));
        assertThat(callWithCallerHeaders()).as("the caller's trace continues").isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(baggageInStep).containsExactly("(none)");
        assertThat(baggageSeen).containsExactly("(none)");
    }

    @Test
    void noneDropsBothAndOtherPropagatorsAreRefused() throws Exception {
        start(Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_PROPAGATORS", "none"));
        assertThat(callWithCallerHeaders()).isNull();
        assertThat(baggageSeen).containsExactly("(none)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ZerverOtel.builder()
                        .environment(Map.of("OTEL_PROPAGATORS", "tracecontext,b3")).build())
                .isInstanceOf(dev.zerver.config.ConfigException.class)
                .hasMessage("OTEL_PROPAGATORS=\"tracecontext,b3\" is not valid: expected tracecontext, baggage, both"
                        + " (tracecontext,baggage) or none; b3, jaeger, xray and ottrace are not supported");
    }
}
