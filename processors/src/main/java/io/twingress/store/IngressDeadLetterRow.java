package io.twingress.store;

/**
 * An ingress message that could not be applied: where it came from, its ids, when it arrived, why it failed, and the
 * message itself ({@code message}: its envelope as JSON, the body included). {@code id} is assigned by the store.
 */
public record IngressDeadLetterRow(long id, String source, String messageId, String deviceId, String received,
        String reason, String message) {
}
