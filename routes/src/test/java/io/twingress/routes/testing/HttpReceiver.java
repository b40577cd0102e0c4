package io.twingress.routes.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server standing in for an egress endpoint (webhook, REST receiver): records every request and answers
 * 200 with no body, or what the test commands — a failure status until {@link #recover()}, slow answers, or no answer
 * at all ({@link #stop()}, then {@link #start()} on the same port). Listens on 127.0.0.1; thread-safe.
 *
 * <pre>{@code
 * try (HttpReceiver receiver = HttpReceiver.open()) {
 *     receiver.failWith(503);            // the route retries...
 *     receiver.recover();                // ...and gets through
 *     receiver.awaitRequests(3, Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class HttpReceiver implements AutoCloseable {

    /** One request as received, with the status it was answered with. Headers are keyed case-insensitively. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body,
            Instant receivedAt, int status) {

        public String bodyAsString() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private final Object lock = new Object();
    private final List<Request> requests = new ArrayList<>();
    private int port;
    private HttpServer server;
    private ExecutorService handlers;
    private int status = 200;
    private int failStatus;
    /** Failures left before recovering by itself; negative: until {@link #recover()}. */
    private int failuresLeft = -1;
    private Duration delay = Duration.ZERO;

    private HttpReceiver() {
    }

    /** A receiver listening on a free port of 127.0.0.1. */
    public static HttpReceiver open() {
        HttpReceiver receiver = new HttpReceiver();
        receiver.start();
        return receiver;
    }

    /** Listens again, on the port of the first start: an endpoint that comes back after an outage. */
    public void start() {
        synchronized (lock) {
            if (server != null) {
                throw new IllegalStateException("already listening on port " + port);
            }
            HttpServer started = bind();
            handlers = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "http-receiver-" + started.getAddress().getPort());
                thread.setDaemon(true);
                return thread;
            });
            started.setExecutor(handlers);
            started.createContext("/", this::handle);
            started.start();
            server = started;
            port = started.getAddress().getPort();
        }
    }

    /** Closes the port and every open connection: clients get "connection refused" until {@link #start()}. */
    public void stop() {
        HttpServer stopping;
        ExecutorService stoppingHandlers;
        synchronized (lock) {
            stopping = server;
            stoppingHandlers = handlers;
            server = null;
            handlers = null;
        }
        if (stopping != null) {
            stopping.stop(0);
            stoppingHandlers.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }

    public int port() {
        synchronized (lock) {
            return port;
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** The URL of {@code path} ("/hooks/twin") on this receiver. */
    public String url(String path) {
        return url() + path;
    }

    /** The status of a successful answer (200 unless told otherwise, e.g. 204 or 202). */
    public HttpReceiver answerWith(int status) {
        synchronized (lock) {
            this.status = status;
        }
        return this;
    }

    /** Answers every request from now on with {@code status} (4xx/5xx) until {@link #recover()}. */
    public HttpReceiver failWith(int status) {
        synchronized (lock) {
            failStatus = status;
            failuresLeft = -1;
        }
        return this;
    }

    /** Answers the next {@code count} requests with {@code status}, then recovers by itself. */
    public HttpReceiver failNext(int count, int status) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        synchronized (lock) {
            failStatus = status;
            failuresLeft = count;
        }
        return this;
    }

    /** Answers successfully again. */
    public HttpReceiver recover() {
        synchronized (lock) {
            failStatus = 0;
            failuresLeft = -1;
        }
        return this;
    }

    /** Waits {@code delay} before answering each request from now on ({@link Duration#ZERO} to stop). */
    public HttpReceiver delay(Duration delay) {
        synchronized (lock) {
            this.delay = delay;
        }
        return this;
    }

    /** The requests received so far, oldest first. */
    public List<Request> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** Forgets the requests received so far. */
    public void clear() {
        synchronized (lock) {
            requests.clear();
        }
    }

    /**
     * Waits until at least {@code count} requests have arrived and returns all received so far; fails, listing what
     * did arrive, after {@code timeout}.
     */
    public List<Request> awaitRequests(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (requests.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " requests on " + url() + " within " + timeout
                            + ", got " + requests.size() + ": " + requests.stream()
                            .map(r -> r.method() + " " + r.path() + " -> " + r.status()).toList());
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return List.copyOf(requests);
        }
    }

    private HttpServer bind() {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                return HttpServer.create(address, 50);
            } catch (BindException e) {
                // the closed socket can take a moment to release the port
                if (port == 0 || System.nanoTime() > deadline) {
                    throw new UncheckedIOException("cannot listen on " + address, e);
                }
                sleep(50);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + address, e);
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            int answer;
            Duration wait;
            synchronized (lock) {
                answer = nextStatus();
                wait = delay;
                Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestURI().getRawQuery(), headers, body, Instant.now(), answer));
                lock.notifyAll();
            }
            if (!wait.isZero()) {
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException e) {
                    // stopped while waiting: the connection is closed without an answer
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (answer >= 400) {
                byte[] error = ("{\"error\":{\"code\":\"InjectedFailure\",\"message\":\"HttpReceiver answers " + answer
                        + " until recover()\"}}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer, error.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(error);
                }
            } else {
                exchange.sendResponseHeaders(answer, -1);
            }
        } finally {
            exchange.close();
        }
    }

    /** Called with the lock held. */
    private int nextStatus() {
        if (failStatus == 0) {
            return status;
        }
        int answer = failStatus;
        if (failuresLeft > 0 && --failuresLeft == 0) {
            failStatus = 0;
            failuresLeft = -1;
        }
        return answer;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
