package io.twingress.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.Exchange;
import org.apache.camel.main.Main;

import io.twingress.ingest.TelemetryHeaders;

/**
 * A user route that replaces the built-in twin-telemetry route and records what reaches it, as
 * {@code "<message id> <body>"}: how tests see what the API handed on.
 */
public final class TelemetryProbe {

    private final List<String> received = new CopyOnWriteArrayList<>();

    /** Writes the replacing route into {@code <dir>/routes}, the routes directory {@link TwingressServer} uses. */
    public static TelemetryProbe install(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/telemetry-probe.camel.yaml"), """
                - route:
                    id: twin-telemetry
                    from:
                      uri: "direct:twin-telemetry"
                      steps:
                        - bean:
                            ref: telemetryProbe
                            method: record
                """);
        return new TelemetryProbe();
    }

    /** Binds this probe under the name the route calls; pass to {@link TwingressServer#start}. */
    public void bind(Main main) {
        main.bind("telemetryProbe", this);
    }

    public void record(Exchange exchange) {
        received.add(exchange.getMessage().getHeader(TelemetryHeaders.MESSAGE_ID, String.class) + " "
                + exchange.getMessage().getBody(String.class));
    }

    public List<String> received() {
        return received;
    }
}
