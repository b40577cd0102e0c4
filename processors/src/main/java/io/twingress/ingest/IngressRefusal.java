package io.twingress.ingest;

/**
 * A message that cannot be applied as it is (unparsable, an unknown twin, nothing matched): sending it again would
 * fail again, so it goes to the ingress dead letters with this reason.
 */
public final class IngressRefusal extends RuntimeException {

    public IngressRefusal(String reason) {
        super(reason);
    }
}
