package dev.zerver.internal.runtime;

/**
 * A parsed W3C {@code traceparent} header ({@code 00-<trace-id>-<parent-id>-<flags>}).
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param parentSpanId 16 lowercase hex digits, not all zero
 * @param sampled the sampled flag
 */
record TraceParent(String traceId, String parentSpanId, boolean sampled) {

    /** The parsed header, or null when it is absent or malformed (then it is ignored). */
    static TraceParent parse(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() < 55 || h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
            return null;
        }
        String version = h.substring(0, 2);
        String traceId = h.substring(3, 35);
        String spanId = h.substring(36, 52);
        String flags = h.substring(53, 55);
        if (!isHex(version) || version.equals("ff") || (version.equals("00") && h.length() != 55)
                || !isHex(traceId) || !isHex(spanId) || !isHex(flags)
                || traceId.equals("00000000000000000000000000000000") || spanId.equals("0000000000000000")) {
            return null;
        }
        return new TraceParent(traceId, spanId, (Integer.parseInt(flags, 16) & 1) == 1);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
