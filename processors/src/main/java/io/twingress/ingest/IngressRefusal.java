package io.twingress.ingest;

import io.twingress.AdtError;

/**
 * A message that cannot be applied as it is (unparsable, an unknown twin, nothing matched): sending it again would
 * fail again, so it goes to the ingress dead letters with this reason. {@link #error()} is what an HTTP sender is
 * answered: {@code DigitalTwinNotFound} for a twin that does not exist, {@code InvalidArgument} for the rest.
 */
public final class IngressRefusal extends RuntimeException {

    private final AdtError error;

    public IngressRefusal(String reason) {
        this(AdtError.INVALID_ARGUMENT, reason);
    }

    public IngressRefusal(AdtError error, String reason) {
        super(reason);
        this.error = error;
    }

    public AdtError error() {
        return error;
    }
}
