package io.twingress.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/**
 * The README's first command runs {@code routes/target/twingress.jar} with the {@code lib/} its manifest names. The
 * route and integration tests start the application from their own class path, where a dependency that only tests
 * declare is present; this starts the packaged jar as a user does, so a runtime dependency missing from the
 * manifest's class path fails the build.
 */
class PackagedJarTest {

    private static final Path JAR = Repo.ROOT.resolve("routes/target/twingress.jar");

    @Test
    void thePackagedJarStartsAndServesTheApi() throws Exception {
        assumeTrue(Files.exists(JAR), "routes/target/twingress.jar is not built: run the reactor (mvn verify)");
        Path dir = Files.createTempDirectory("twingress-packaged");
        Path log = dir.resolve("app.log");
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("CAMEL_SERVER_PORT", Integer.toString(port));
        builder.environment().put("CAMEL_MANAGEMENT_PORT", Integer.toString(freePort()));
        Process process = builder.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest models = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/models?api-version=2023-10-31")).timeout(Duration.ofSeconds(10)).build();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            HttpResponse<String> answer = null;
            // the HTTP server may answer 404 before the routes are in place
            while ((answer == null || answer.statusCode() == 404) && Instant.now().isBefore(deadline)) {
                assertThat(process.isAlive()).as("java -jar twingress.jar stopped:%n%s", Files.readString(log))
                        .isTrue();
                try {
                    answer = http.send(models, HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYet) {
                    answer = null;
                }
                Thread.sleep(200);
            }
            assertThat(answer).as("no answer within 90 s:%n%s", Files.readString(log)).isNotNull();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).startsWith("{\"value\":[");
            assertThat(Files.readString(log)).contains("serving the Azure Digital Twins data-plane API at http://127.0.0.1:"
                    + port).doesNotContain("ClassNotFoundException").doesNotContain("NoClassDefFoundError");
        } finally {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
