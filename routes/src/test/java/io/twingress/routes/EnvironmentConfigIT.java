package io.twingress.routes;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.twingress.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The README's promise: every setting of application.properties can be given as an environment variable. A child
 * JVM gets every documented key as one (its default, or a value the test then observes) and must start and obey.
 */
class EnvironmentConfigIT {

    static final String V = "api-version=2023-10-31";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void everyDocumentedSettingCanBeGivenAsAnEnvironmentVariable() throws Exception {
        Path dir = Files.createTempDirectory("twingress-env-it");
        int port = TwingressServer.freePort();
        int managementPort = TwingressServer.freePort();
        Properties documented = new Properties();
        try (InputStream in = TwingressMain.class.getResourceAsStream("/application.properties")) {
            documented.load(in);
        }
        Map<String, String> observed = Map.of(
                "camel.server.port", Integer.toString(port),
                "camel.management.port", Integer.toString(managementPort),
                "twingress.data.dir", dir.resolve("from-env").toString(),
                "twingress.routes.dir", dir.resolve("routes").toString(),
                "twingress.api.publicBaseUrl", "https://twins.example.com",
                "twingress.telemetry.strict", "true");
        Map<String, String> environment = new HashMap<>();
        for (String key : documented.stringPropertyNames()) {
            String value = observed.getOrDefault(key, documented.getProperty(key));
            environment.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), value);
        }
        assertThat(environment).containsKeys("CAMEL_SERVER_PORT", "TWINGRESS_STORE_TYPE", "TWINGRESS_QUERY_TIMEOUT",
                "TWINGRESS_HTTP_MAXCONNECTIONSPERCLIENT");

        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TwingressMain.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitServing(base, process, dir.resolve("out.log"));

            assertThat(Files.exists(dir.resolve("from-env/twingress.db"))).as("the store under TWINGRESS_DATA_DIR")
                    .isTrue();
            assertThat(Files.exists(dir.resolve("from-env/twingress-history.db"))).as("its history file").isTrue();
            assertThat(get("http://127.0.0.1:" + managementPort + "/observe/health").body()).contains("UP");
            String space = new String(EnvironmentConfigIT.class.getResourceAsStream("/models/space.json")
                    .readAllBytes());
            String twoModels = "[" + space + ",{\"@id\":\"dtmi:env:Other;1\",\"@type\":\"Interface\","
                    + "\"@context\":\"dtmi:dtdl:context;3\"}]";
            assertThat(send(base + "/models?" + V, "POST", twoModels, Map.of()).statusCode()).isEqualTo(201);
            HttpResponse<String> page = send(base + "/models?" + V, "GET", null, Map.of("max-items-per-page", "1"));
            assertThat(Json.parse(page.body()).get("nextLink").asText())
                    .startsWith("https://twins.example.com/models?");
            assertThat(send(base + "/digitaltwins/t1?" + V, "PUT", "{\"$metadata\":{\"$model\":"
                    + "\"dtmi:contosocom:DigitalTwins:Space;1\"}}", Map.of()).statusCode()).isEqualTo(200);
            HttpResponse<String> strict = send(base + "/digitaltwins/t1/telemetry?" + V, "POST", "{\"bogus\":1}",
                    Map.of("Message-Id", "e1"));
            assertThat(strict.statusCode()).as("TWINGRESS_TELEMETRY_STRICT=true").isEqualTo(400);
            assertThat(Json.parse(strict.body()).at("/error/code").asText()).isEqualTo("ValidationFailed");
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    /**
     * An environment variable and a system property that disagree stop the start: CAMEL_SERVER_HOST=127.0.0.1 passed
     * the check against serving a network address without authentication while the server bound
     * -Dcamel.server.host=0.0.0.0.
     */
    /** HTTPS, whose keystore settings are not in application.properties (Camel refuses them empty), from variables. */
    @Test
    void httpsCanBeGivenAsEnvironmentVariables() throws Exception {
        Path dir = Files.createTempDirectory("twingress-env-https-it");
        TestTls tls = TestTls.create(dir);
        int port = TwingressServer.freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TwingressMain.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.put("CAMEL_SERVER_PORT", Integer.toString(port));
        environment.put("CAMEL_MANAGEMENT_PORT", Integer.toString(TwingressServer.freePort()));
        environment.put("TWINGRESS_DATA_DIR", dir.resolve("data").toString());
        environment.put("CAMEL_SSL_ENABLED", "true");
        environment.put("CAMEL_SERVER_USEGLOBALSSLCONTEXTPARAMETERS", "true");
        environment.put("CAMEL_SSL_KEYSTORE", "file:" + tls.keyStore());
        environment.put("CAMEL_SSL_KEYSTOREPASSWORD", TestTls.PASSWORD);
        Process process = builder.start();
        try {
            HttpClient https = HttpClient.newBuilder().sslContext(tls.clientContext()).build();
            awaitServing(https, "https://127.0.0.1:" + port, process, dir.resolve("out.log"));
            assertThatThrownBy(() -> get("http://127.0.0.1:" + port + "/models?" + V)).as("no plain HTTP")
                    .isInstanceOf(IOException.class);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void anEnvironmentVariableAndASystemPropertyThatDisagreeAreRefused() throws Exception {
        Path dir = Files.createTempDirectory("twingress-env-host-it");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.host=0.0.0.0", "-Dcamel.server.port=" + TwingressServer.freePort(),
                "-Dcamel.management.port=" + TwingressServer.freePort(), "-Dtwingress.data.dir=" + dir.resolve("data"),
                "-cp", System.getProperty("java.class.path"), TwingressMain.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        builder.environment().put("CAMEL_SERVER_HOST", "127.0.0.1");
        Process process = builder.start();
        try {
            assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("it refuses to start").isTrue();
            assertThat(process.exitValue()).isNotZero();
            assertThat(Files.readString(dir.resolve("out.log"))).contains("The environment variable CAMEL_SERVER_HOST"
                    + " and the system property -Dcamel.server.host give different values");
        } finally {
            process.destroyForcibly();
        }
    }

    private static void awaitServing(String base, Process process, Path log) throws Exception {
        awaitServing(HTTP, base, process, log);
    }

    private static void awaitServing(HttpClient client, String base, Process process, Path log) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("the child JVM stopped:%n%s", Files.readString(log)).isTrue();
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/models?" + V)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Twingress did not serve " + base + " within 60 s:\n" + Files.readString(log));
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return send(url, "GET", null, Map.of());
    }

    private static HttpResponse<String> send(String url, String method, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
