package io.twingress.store;

/**
 * An ingress message that could not be applied: where it came from, its ids, when it arrived, why it failed, and the
 * message itself ({@code message}: its envelope as JSON, the body included). {@code id} is assigned by the store.
 * {@code replays} counts the replays that were refused again, the last of them at {@code lastReplayed} (null if
 * none); {@code reason} is then that replay's.
 */
public record IngressDeadLetterRow(long id, String source, String messageId, String deviceId, String received,
        String reason, String message, int replays, String lastReplayed) {

    /** A new letter, not replayed yet. */
    public IngressDeadLetterRow(String source, String messageId, String deviceId, String received, String reason,
            String message) {
        this(0, source, messageId, deviceId, received, reason, message, 0, null);
    }
}
