package io.twingress.api;

/**
 * A failure the caller must see in ADT's shape: an HTTP status and {@code {"error":{"code","message"}}}.
 * The message says what to fix.
 */
public class AdtException extends RuntimeException {

    private final int status;
    private final String code;

    public AdtException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static AdtException badRequest(String code, String message) {
        return new AdtException(400, code, message);
    }

    public static AdtException notFound(String code, String message) {
        return new AdtException(404, code, message);
    }

    public static AdtException conflict(String code, String message) {
        return new AdtException(409, code, message);
    }

    public static AdtException preconditionFailed(String message) {
        return new AdtException(412, "PreconditionFailed", message);
    }

    public static AdtException validation(String message) {
        return new AdtException(400, "ValidationFailed", message);
    }
}
