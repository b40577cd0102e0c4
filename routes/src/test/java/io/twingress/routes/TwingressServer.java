package io.twingress.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.camel.main.Main;

/** Runs the real Twingress application in the test JVM, on free ports and a private data directory. */
public final class TwingressServer implements AutoCloseable {

    private final Main main;
    private final int port;
    private final int managementPort;
    private final boolean tls;
    private final Path dataDir;

    private TwingressServer(Main main, int port, int managementPort, boolean tls, Path dataDir) {
        this.main = main;
        this.dataDir = dataDir;
        this.port = port;
        this.managementPort = managementPort;
        this.tls = tls;
    }

    /** Starts Twingress with its defaults plus {@code overrides}; the data and routes directories go under {@code dir}. */
    public static TwingressServer start(Path dir, Map<String, String> overrides) {
        return start(dir, overrides, main -> { });
    }

    /** As {@link #start(Path, Map)}, letting the test bind beans into the registry before the routes start. */
    public static TwingressServer start(Path dir, Map<String, String> overrides, Consumer<Main> beforeStart) {
        Map<String, String> props = new LinkedHashMap<>();
        int port = freePort();
        int managementPort = freePort();
        props.put("camel.server.port", Integer.toString(port));
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("twingress.data.dir", dir.resolve("data").toString());
        props.put("twingress.routes.dir", dir.resolve("routes").toString());
        props.putAll(overrides);
        Main main = TwingressMain.create();
        props.forEach(main::addOverrideProperty);
        beforeStart.accept(main);
        try {
            main.start();
        } catch (Exception e) {
            // what did start (the HTTP servers, the store) must not outlive the failed start
            main.stop();
            throw new IllegalStateException("Twingress did not start", e);
        }
        return new TwingressServer(main, port, managementPort, "true".equals(props.get("camel.ssl.enabled")),
                Path.of(props.get("twingress.data.dir")));
    }

    /** Where the embedded store's files are. */
    public Path dataDir() {
        return dataDir;
    }

    public String baseUrl() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Main main() {
        return main;
    }

    @Override
    public void close() {
        main.stop();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
