package io.twingress.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Files of the checkout the tests read: deploy/ and the settings in application.properties. */
final class Repo {

    static final Path ROOT = Path.of(System.getProperty("twingress.root", "..")).toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path BUILT_IN_ROUTES = ROOT.resolve("routes/src/main/resources/camel");

    private Repo() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** application.properties' keys by the environment variable that overrides each, as TwingressMain maps them. */
    static Map<String, String> settingsByEnvironmentVariable() {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve("routes/src/main/resources/application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> byVariable = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> byVariable.put(environmentVariable(key), key));
        return byVariable;
    }

    static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
