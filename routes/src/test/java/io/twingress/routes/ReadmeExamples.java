package io.twingress.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user routes the README shows, so that tests run exactly what a reader copies: each is a {@code ```yaml} block
 * whose first line names the file, {@code # user-routes/<name>.camel.yaml}.
 */
final class ReadmeExamples {

    private static final Path README = Path.of("../README.md");
    private static final Pattern BLOCK = Pattern.compile("```yaml\\n# user-routes/([^\\n]+\\.camel\\.yaml)\\n(.*?)```",
            Pattern.DOTALL);

    private ReadmeExamples() {
    }

    /** Each example's file name and text, in the README's order. */
    static Map<String, String> all() {
        try {
            Matcher block = BLOCK.matcher(Files.readString(README));
            Map<String, String> examples = new LinkedHashMap<>();
            while (block.find()) {
                examples.put(block.group(1), block.group(2));
            }
            return examples;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the example {@code name} into {@code routesDir}, as a user would. */
    static void install(String name, Path routesDir) {
        String yaml = all().get(name);
        if (yaml == null) {
            throw new AssertionError("README.md has no example # user-routes/" + name + "; it has " + all().keySet());
        }
        try {
            Files.createDirectories(routesDir);
            Files.writeString(routesDir.resolve(name), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
