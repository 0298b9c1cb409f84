package dev.zerver.effects.http;

import dev.zerver.telemetry.Redaction;

/** URLs as they may appear in messages and telemetry. */
final class RedactedUrl {
    private RedactedUrl() {}

    static String of(String url) {
        try {
            return Redaction.url(url);
        } catch (RuntimeException e) {
            return "(unparseable URL)";
        }
    }
}
