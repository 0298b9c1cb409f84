package dev.zerver.internal.runtime;

import dev.zerver.spi.InboundRequest;
import dev.zerver.Ctx;
import dev.zerver.FailException;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.internal.Json;
import dev.zerver.spi.Clock;
import dev.zerver.internal.record.MutableRequestRecord;
import dev.zerver.telemetry.SlotWrite;
import dev.zerver.internal.record.MutableStepRecord;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link Ctx} of one request; slot access is checked against the running step. */
final class RequestContext implements Ctx {
    private static final Set<String> RENDER_PHASES = Set.of("markdown", "template", "json_encode", "other");

    private final InboundRequest in;
    private final String path;
    private final String rawQuery;
    private final String requestId;
    private final MutableRequestRecord record;
    private final Clock clock;
    private final Map<String, Object> slots = new ConcurrentHashMap<>();
    private volatile String route;
    private volatile Map<String, String> params = Map.of();
    private volatile Map<String, List<String>> query;
    // Set and read by the thread running the current step; handed over with the job.
    private Step access;
    private MutableStepRecord writer;

    RequestContext(InboundRequest in, String requestId, MutableRequestRecord record, Clock clock) {
        this.in = in;
        int q = in.uri().indexOf('?');
        this.path = q < 0 ? in.uri() : in.uri().substring(0, q);
        this.rawQuery = q < 0 ? null : in.uri().substring(q + 1);
        this.requestId = requestId;
        this.record = record;
        this.clock = clock;
    }

    String rawPath() {
        return path;
    }

    String rawQuery() {
        return rawQuery;
    }

    void matched(String template, Map<String, String> values) {
        route = template;
        params = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The running step: its declarations govern slot access, and its record gets the slot writes. */
    void enter(Step step, MutableStepRecord stepRecord) {
        access = step;
        writer = stepRecord;
    }

    void leave() {
        access = null;
        writer = null;
    }

    /** An effect's result into its slot; the Need's step declared the write. */
    void putFromEffect(Slot<?> slot, Object value) {
        if (value == null) {
            slots.remove(slot.name());
        } else {
            slots.put(slot.name(), value);
        }
    }

    @Override
    public String method() {
        return in.method();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String route() {
        return route;
    }

    @Override
    public String param(String name) {
        return params.get(name);
    }

    @Override
    public Map<String, String> params() {
        return params;
    }

    @Override
    public String query(String name) {
        List<String> v = queryParams().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public Map<String, List<String>> queryParams() {
        Map<String, List<String>> q = query;
        if (q == null) {
            q = parseQuery(rawQuery);
            query = q;
        }
        return q;
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
            out.computeIfAbsent(k, x -> new ArrayList<>(1)).add(v);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(out);
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    @Override
    public String header(String name) {
        return in.header(name);
    }

    @Override
    public List<String> headers(String name) {
        return in.headers().getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public byte[] body() {
        return in.body();
    }

    @Override
    public String bodyText() {
        return new String(in.body(), StandardCharsets.UTF_8);
    }

    @Override
    public <T> T bodyJson(Class<T> type) {
        try {
            T value = Json.MAPPER.readValue(in.body(), type);
            if (value == null) {
                throw new FailException(400, "body", "invalid_json");
            }
            return value;
        } catch (IOException e) {
            throw new FailException(400, "body", "invalid_json");
        }
    }

    @Override
    public String clientAddress() {
        return in.clientAddress();
    }

    @Override
    public int clientPort() {
        return in.clientPort();
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public <T> void put(Slot<T> slot, T value) {
        Step step = access;
        if (step == null || !step.mayWrite(slot)) {
            throw new IllegalStateException(who(step) + " writes " + slot + " but does not declare it in writes(...)");
        }
        if (value != null && !slot.type().isInstance(value)) {
            throw new IllegalStateException(who(step) + " puts a " + value.getClass().getName() + " into " + slot
                    + " of type " + slot.type().getName());
        }
        putFromEffect(slot, value);
        long size = SlotValues.sizeOf(value);
        // An object's size is measured later, off the request path, from the value itself.
        writer.slotWrite(new SlotWrite(slot.name(), size, clock.nanoTime(), size < 0 ? value : null));
    }

    @Override
    public <T> T require(Slot<T> slot) {
        T value = read(slot);
        if (value == null) {
            throw new IllegalStateException(who(access) + " requires " + slot + " but it is empty");
        }
        return value;
    }

    @Override
    public <T> Optional<T> optional(Slot<T> slot) {
        return Optional.ofNullable(read(slot));
    }

    private <T> T read(Slot<T> slot) {
        Step step = access;
        if (step == null || !step.mayRead(slot)) {
            throw new IllegalStateException(who(step) + " reads " + slot + " but does not declare it in reads(...)");
        }
        return slot.type().cast(slots.get(slot.name()));
    }

    @Override
    public void sessionId(String id) {
        record.sessionId(id);
    }

    @Override
    public void rendered(String phase, long sizeBytes) {
        if (!RENDER_PHASES.contains(phase)) {
            throw new IllegalArgumentException("render phase must be one of " + RENDER_PHASES + ", got '" + phase + "'");
        }
        MutableStepRecord w = writer;
        if (w == null) {
            throw new IllegalStateException("rendered(...) called outside a step");
        }
        w.rendered(phase, sizeBytes);
    }

    private static String who(Step step) {
        return step == null ? "code outside a step" : step.toString();
    }
}
