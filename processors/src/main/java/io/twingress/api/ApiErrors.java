package io.twingress.api;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;

/** Turns a failed API exchange into ADT's error reply; unexpected failures are logged with an id the reply names. */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    public void reply(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        AdtException error = failure instanceof AdtException adt ? adt : unexpected(failure);
        Map<String, String> headers = new HashMap<>(error.headers());
        headers.put("x-ms-error-code", error.code());
        ApiSupport.reply(exchange, error.status(), json(error), headers);
    }

    /** ADT's error body, as text, for replies made outside a route (the HTTP layer's own). */
    public static String body(AdtException error) {
        return Json.write(json(error));
    }

    private static ObjectNode json(AdtException error) {
        ObjectNode body = Json.object();
        ObjectNode e = body.putObject("error");
        e.put("code", error.code());
        e.put("message", error.getMessage());
        e.putArray("details");
        e.putObject("innererror").put("code", error.code());
        return body;
    }

    private static AdtException unexpected(Throwable failure) {
        String incident = UUID.randomUUID().toString();
        LOG.error("Unexpected failure, incident {}", incident, failure);
        return AdtError.INTERNAL_SERVER_ERROR.with("The request failed on the server (incident "
                + incident + "); it was not applied unless a later read shows it.");
    }
}
