package io.twingress;

/**
 * A failure the caller must see as one of ADT's errors: an {@link AdtError} and a message that says what to fix.
 * The domain throws it; the API answers it with ADT's error body.
 */
public class AdtException extends RuntimeException {

    private final AdtError error;

    public AdtException(AdtError error, String message) {
        super(message);
        this.error = error;
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
