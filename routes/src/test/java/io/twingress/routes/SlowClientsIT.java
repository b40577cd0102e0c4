package io.twingress.routes;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that hold the server without finishing requests: one that never completes its request line, one that
 * sends its body too slowly, and one that opens more connections than it may. Limits are set low so the test runs
 * in seconds; the server keeps answering others throughout.
 */
class SlowClientsIT {

    static TwingressServer server;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        server = TwingressServer.start(Files.createTempDirectory("twingress-slow-it"), Map.of(
                "twingress.http.firstRequestTimeout", "3000", "twingress.http.requestTimeout", "1500",
                "twingress.http.maxConnectionsPerClient", "4"));
        base = URI.create(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aConnectionThatNeverFinishesItsRequestIsClosed() throws Exception {
        try (Socket socket = open()) {
            socket.getOutputStream().write("GET /models HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("closed by the server").isEqualTo(-1);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(2_000L, 10_000L);
        }
    }

    @Test
    void aBodySentTooSlowlyIsAnswered408() throws Exception {
        // a first request warms the PUT path up, so that the clock measures the slow body and not a cold start
        try (Socket socket = open()) {
            socket.getOutputStream().write(("GET /digitaltwins/t?api-version=2023-10-31 HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(readAll(socket.getInputStream())).startsWith("HTTP/1.1 404");
        }
        try (Socket socket = open()) {
            socket.getOutputStream().write(("PUT /digitaltwins/t?api-version=2023-10-31 HTTP/1.1\r\nHost: a\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            // the connection stays open for the next request, so read the reply, not to the end of the stream
            String reply = readReply(socket.getInputStream());
            assertThat(reply).startsWith("HTTP/1.1 408").contains("\"code\":\"RequestTimeout\"");
        }
    }

    /** Six connections at once, four allowed: four are answered, two closed unanswered, whichever they are. */
    @Test
    void aClientMayHoldOnlySoManyConnections() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            // from an address of its own (all of 127/8 is loopback), so that the other tests' connections, which the
            // server may not have counted out yet, do not share the budget
            InetAddress client = InetAddress.getByName("127.0.0.2");
            for (int i = 0; i < 6; i++) {
                Socket socket = new Socket(base.getHost(), base.getPort(), client, 0);
                socket.setSoTimeout(30_000);
                sockets.add(socket);
            }
            int answered = 0;
            int refused = 0;
            for (Socket socket : sockets) {
                String reply;
                try {
                    socket.getOutputStream().write(("GET /models?api-version=2023-10-31 HTTP/1.1\r\nHost: a\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    reply = readAll(socket.getInputStream());
                } catch (IOException reset) {
                    reply = "";
                }
                if (reply.startsWith("HTTP/1.1 200")) {
                    answered++;
                } else if (reply.isEmpty()) {
                    refused++;
                }
            }
            assertThat(answered).as("answered of 6, 4 allowed").isEqualTo(4);
            assertThat(refused).as("closed unanswered").isEqualTo(2);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static Socket open() throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Reads until a JSON body ends ("}}" closes ADT's error object). */
    private static String readReply(InputStream in) throws IOException {
        StringBuilder reply = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!reply.toString().endsWith("}}")) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            reply.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return reply.toString();
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
