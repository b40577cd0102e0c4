package io.twingress.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook for the benchmark: the JDK's HTTP server on a small thread pool, answering every POST {@code 200} with no
 * body and counting it with its {@code ce-time} header. Unlike the tests' {@code HttpReceiver} it keeps no requests,
 * so it costs little per event. {@link #stop()} closes the port and its connections (an outage); {@link #start()}
 * listens again on the same port.
 */
final class WebhookReceiver implements AutoCloseable {

    private final DeliveryTally tally;
    private int port;
    private HttpServer server;
    private ExecutorService threads;

    WebhookReceiver(DeliveryTally tally) {
        this.tally = tally;
    }

    synchronized void start() throws IOException, InterruptedException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        HttpServer started = null;
        for (int attempt = 0; started == null; attempt++) {
            try {
                started = HttpServer.create(address, 128);
            } catch (BindException e) {
                // the closed socket can take a moment to let go of the port
                if (port == 0 || attempt > 100) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
        threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "webhook-receiver");
            t.setDaemon(true);
            return t;
        });
        started.setExecutor(threads);
        started.createContext("/", this::handle);
        started.start();
        server = started;
        port = started.getAddress().getPort();
    }

    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            threads.shutdownNow();
            server = null;
        }
    }

    synchronized String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null && contentType.startsWith("application/cloudevents-batch+json")) {
            // batched mode: each event of the array counts, with its own time
            for (com.fasterxml.jackson.databind.JsonNode event : io.twingress.Json.MAPPER.readTree(body)) {
                tally.arrived(event.path("time").asText(null));
            }
        } else {
            tally.arrived(exchange.getRequestHeaders().getFirst("ce-time"));
        }
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    @Override
    public void close() {
        stop();
    }
}
