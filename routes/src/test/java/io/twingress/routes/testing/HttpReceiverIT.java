package io.twingress.routes.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpReceiverIT {

    private final HttpReceiver receiver = HttpReceiver.open();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void close() {
        receiver.close();
    }

    @Test
    void recordsRequestsAndFailsRecoversOnCommand() throws Exception {
        assertThat(post("/hooks/twin?x=1", "{\"id\":\"r1\"}")).isEqualTo(200);
        receiver.failWith(503);
        assertThat(post("/hooks/twin", "a")).isEqualTo(503);
        assertThat(post("/hooks/twin", "b")).isEqualTo(503);
        receiver.recover();
        assertThat(post("/hooks/twin", "c")).isEqualTo(200);
        receiver.failNext(1, 500).answerWith(204);
        assertThat(post("/hooks/twin", "d")).isEqualTo(500);
        assertThat(post("/hooks/twin", "e")).isEqualTo(204);

        List<HttpReceiver.Request> requests = receiver.awaitRequests(6, Duration.ofSeconds(2));
        assertThat(requests).extracting(HttpReceiver.Request::status).containsExactly(200, 503, 503, 200, 500, 204);
        HttpReceiver.Request first = requests.get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo("/hooks/twin");
        assertThat(first.query()).isEqualTo("x=1");
        assertThat(first.header("content-type")).isEqualTo("application/json");
        assertThat(first.header("X-Twin-Id")).isEqualTo("r1");
        assertThat(first.bodyAsString()).isEqualTo("{\"id\":\"r1\"}");
        assertThat(first.receivedAt()).isBeforeOrEqualTo(requests.get(5).receivedAt());
    }

    @Test
    void slowAnswersTimeTheClientOut() throws Exception {
        receiver.delay(Duration.ofMillis(1500));
        HttpRequest slow = request("/slow", "x").timeout(Duration.ofMillis(200)).build();

        assertThatThrownBy(() -> client.send(slow, HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(HttpTimeoutException.class);

        receiver.delay(Duration.ZERO);
        assertThat(post("/slow", "y")).isEqualTo(200);
    }

    @Test
    void stoppedReceiverRefusesConnectionsUntilStartedOnTheSamePort() throws Exception {
        String url = receiver.url();
        assertThat(post("/up", "1")).isEqualTo(200);

        receiver.stop();
        assertThatThrownBy(() -> post("/down", "2")).isInstanceOf(ConnectException.class);

        receiver.start();
        assertThat(receiver.url()).isEqualTo(url);
        assertThat(post("/up-again", "3")).isEqualTo(200);
        assertThat(receiver.requests()).extracting(HttpReceiver.Request::path).containsExactly("/up", "/up-again");
    }

    private int post(String path, String body) throws IOException, InterruptedException {
        return client.send(request(path, body).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest.Builder request(String path, String body) {
        return HttpRequest.newBuilder(URI.create(receiver.url(path)))
                .header("Content-Type", "application/json")
                .header("X-Twin-Id", "r1")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}
