package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares a rendered trace with its committed golden file under {@code src/test/resources/golden}.
 * Run with {@code -Dzerver.golden.update=true} to rewrite the files after an intended change,
 * then review the diff in version control.
 */
final class Golden {
    private Golden() {}

    static void assertMatches(String name, String actual) throws IOException {
        String file = "golden/" + name + ".txt";
        if (Boolean.getBoolean("zerver.golden.update")) {
            Path path = Path.of("src/test/resources", file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, actual);
            return;
        }
        try (InputStream in = Golden.class.getClassLoader().getResourceAsStream(file)) {
            assertThat(in).as("golden file %s is missing: run with -Dzerver.golden.update=true to create it", file)
                    .isNotNull();
            String expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(actual).as("trace differs from %s (rerun with -Dzerver.golden.update=true if intended)", file)
                    .isEqualTo(expected);
        }
    }
}
