package io.twingress.ingest;

/** What ingress reports per source; the application publishes it (Micrometer). */
public interface IngressMetrics {

    IngressMetrics NONE = new IngressMetrics() {
    };

    default void applied(String source, int messages) {
    }

    /** A message went to the ingress dead letters; {@code reason} is its kind (an ADT error code, or Unmatched). */
    default void deadLettered(String source, String reason) {
    }
}
