package io.twingress.karaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.twingress.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Boots a stock Apache Karaf 4.4 (the distribution the build unpacked), installs the {@code twingress} feature from
 * its features file the way an operator's Karaf would (a features repository and a boot feature, the bundle resolved
 * from Karaf's Maven repository {@code system/}), configures it through {@code etc/io.twingress.cfg}, and drives the
 * API over HTTP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafFeatureIT {

    static final String V = "api-version=2023-10-31";
    static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static Path karaf;
    static Process process;
    static int apiPort;
    static int managementPort;

    @BeforeAll
    static void bootKaraf() throws Exception {
        karaf = copyOfStockKaraf();
        String version = System.getProperty("twingress.version");
        Path artifactDir = karaf.resolve("system/io/twingress/twingress-karaf").resolve(version);
        Files.createDirectories(artifactDir);
        Files.copy(Path.of(System.getProperty("twingress.bundle")),
                artifactDir.resolve("twingress-karaf-" + version + ".jar"));
        Files.copy(Path.of(System.getProperty("twingress.features")),
                artifactDir.resolve("twingress-karaf-" + version + "-features.xml"));

        Path etc = karaf.resolve("etc");
        editProperty(etc.resolve("org.apache.karaf.features.cfg"), "featuresRepositories",
                v -> v + ", mvn:io.twingress/twingress-karaf/" + version + "/xml/features");
        editProperty(etc.resolve("org.apache.karaf.features.cfg"), "featuresBoot", v -> v + ", twingress");
        // Karaf's own ports, moved so that another build's Karaf does not clash; no remote Maven repository
        editProperty(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort", v -> "" + freePort());
        editProperty(etc.resolve("org.apache.karaf.management.cfg"), "rmiServerPort", v -> "" + freePort());
        editProperty(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort", v -> "" + freePort());
        editProperty(etc.resolve("org.apache.karaf.shell.cfg"), "sshHost", v -> "127.0.0.1");
        editProperty(etc.resolve("org.ops4j.pax.url.mvn.cfg"), "org.ops4j.pax.url.mvn.repositories", v -> "");

        apiPort = freePort();
        managementPort = freePort();
        writeConfiguration();

        ProcessBuilder builder = new ProcessBuilder(karaf.resolve("bin/karaf").toString(), "server")
                .directory(karaf.toFile())
                .redirectErrorStream(true)
                .redirectOutput(karaf.resolve("console.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("TWINGRESS_") || k.startsWith("CAMEL_") || k.startsWith("KARAF_"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("EXTRA_JAVA_OPTS", "-Xmx768m");
        process = builder.start();
        awaitApi(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopKaraf() throws Exception {
        if (process == null) {
            return;
        }
        // the script runs Karaf's JVM as its child: SIGTERM to it runs Karaf's shutdown, which stops the bundles
        process.descendants().forEach(ProcessHandle::destroy);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("Karaf did not stop within 60 s\n" + logTail());
        }
        assertThat(Files.readString(karaf.resolve("data/log/karaf.log")))
                .as("Twingress stops with its bundle").contains("Twingress stopped");
    }

    @Test
    @Order(1)
    void theFeatureServesTheApiConfiguredByConfigAdmin() throws Exception {
        HttpResponse<String> upload = send("POST", "/models?" + V,
                "[" + resource("/models/space.json") + "]");
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);

        HttpResponse<String> created = send("PUT", "/digitaltwins/room-1?" + V, """
                {"$metadata": {"$model": "%s"}, "DisplayName": "Room 1", "Temperature": 21.5}""".formatted(SPACE));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);

        HttpResponse<String> read = send("GET", "/digitaltwins/room-1?" + V, null);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        JsonNode twin = Json.MAPPER.readTree(read.body());
        assertThat(twin.path("$dtId").asText()).isEqualTo("room-1");
        assertThat(twin.path("$metadata").path("$model").asText()).isEqualTo(SPACE);
        assertThat(twin.path("DisplayName").asText()).isEqualTo("Room 1");
        assertThat(twin.path("Temperature").asDouble()).isEqualTo(21.5);
        assertThat(read.headers().firstValue("ETag")).hasValue(twin.path("$etag").asText());

        // the store is where the feature's configuration puts it: under Karaf's data directory
        assertThat(karaf.resolve("data/twingress/twingress.db")).exists();
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(health.body()).path("status").asText()).isEqualTo("UP");
    }

    @Test
    @Order(2)
    void aChangedConfigurationRestartsTwingressWithIt() throws Exception {
        int oldPort = apiPort;
        apiPort = freePort();
        writeConfiguration();
        awaitApi(Duration.ofSeconds(60));

        HttpResponse<String> read = send("GET", "/digitaltwins/room-1?" + V, null);
        assertThat(read.statusCode()).as("the twin of the first test, from the same store: " + read.body())
                .isEqualTo(200);
        assertThat(Json.MAPPER.readTree(read.body()).path("DisplayName").asText()).isEqualTo("Room 1");
        try (Socket old = new Socket()) {
            assertThat(catchThrowable(() -> old.connect(new InetSocketAddress("127.0.0.1", oldPort), 1000)))
                    .as("the old API port is closed").isInstanceOf(IOException.class);
        }
    }

    /** etc/io.twingress.cfg, which Karaf's file install hands to configuration admin (at boot and on each change). */
    static void writeConfiguration() throws IOException {
        Files.writeString(karaf.resolve("etc/io.twingress.cfg"), String.join("\n",
                "# Twingress: the keys of application.properties",
                "camel.server.port = " + apiPort,
                "camel.management.port = " + managementPort,
                "twingress.events.source = karaf-it",
                ""));
    }

    /**
     * A fresh copy of the distribution, so that no state of an earlier run (data/, etc/) is booted again. The copy of
     * the last run is kept for its logs; older ones are deleted.
     */
    static Path copyOfStockKaraf() throws IOException {
        Path stock = Path.of(System.getProperty("karaf.home"));
        try (Stream<Path> earlier = Files.list(stock.getParent())) {
            for (Path dir : earlier.filter(d -> d.getFileName().toString().startsWith("it-")).toList()) {
                deleteTree(dir);
            }
        }
        Path copy = Files.createTempDirectory(stock.getParent(), "it-");
        try (Stream<Path> files = Files.walk(stock)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(stock.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return copy;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** Sets {@code key} of a Karaf .cfg file to what {@code edit} makes of its value, continuation lines included. */
    static void editProperty(Path file, String key, UnaryOperator<String> edit) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!found && line.matches("\\s*" + Pattern.quote(key) + "\\s*=.*")) {
                StringBuilder value = new StringBuilder(line.substring(line.indexOf('=') + 1));
                while (value.toString().endsWith("\\") && i + 1 < lines.size()) {
                    value.setLength(value.length() - 1);
                    value.append(lines.get(++i).strip());
                }
                out.append(key).append(" = ").append(edit.apply(value.toString().strip())).append('\n');
                found = true;
            } else {
                out.append(line).append('\n');
            }
        }
        assertThat(found).as(key + " in " + file).isTrue();
        Files.writeString(file, out);
    }

    static void awaitApi(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Karaf exited with " + process.exitValue() + "\n" + logTail());
            }
            Path log = karaf.resolve("data/log/karaf.log");
            if (Files.exists(log) && Files.readString(log).contains("Twingress did not start")) {
                throw new AssertionError("Twingress did not start in Karaf\n" + logTail());
            }
            try {
                if (send("GET", "/models?" + V, null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the Twingress API did not answer within " + timeout + "\n" + logTail());
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .timeout(Duration.ofSeconds(10));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String logTail() {
        StringBuilder tail = new StringBuilder();
        for (Path log : List.of(karaf.resolve("console.log"), karaf.resolve("data/log/karaf.log"))) {
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                tail.append("--- ").append(log).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())))
                        .append('\n');
            } catch (IOException e) {
                tail.append("cannot read ").append(log).append(": ").append(e).append('\n');
            }
        }
        return tail.toString();
    }

    static String resource(String name) throws IOException {
        try (var in = KarafFeatureIT.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
