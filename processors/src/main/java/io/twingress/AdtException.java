package io.twingress;

import java.util.Map;

/**
 * A failure the caller must see as one of ADT's errors: an {@link AdtError} and a message that says what to fix.
 * The domain throws it; the API answers it with ADT's error body.
 */
public class AdtException extends RuntimeException {

    private final AdtError error;
    private final Map<String, String> headers;

    public AdtException(AdtError error, String message) {
        this(error, message, Map.of());
    }

    public AdtException(AdtError error, String message, Map<String, String> headers) {
        super(message);
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    /** Response headers that go with the error, besides {@code x-ms-error-code}. */
    public Map<String, String> headers() {
        return headers;
    }

    public AdtError error() {
        return error;
    }

    public int status() {
        return error.status();
    }

    public String code() {
        return error.code();
    }
}
