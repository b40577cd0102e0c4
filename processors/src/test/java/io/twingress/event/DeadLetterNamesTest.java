package io.twingress.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** File names of Files dead letters, failure reasons, and the pause after a batch that failed as a whole. */
class DeadLetterNamesTest {

    @Test
    void anEventIdBecomesOneFileNameOfAtMost200Characters() {
        assertThat(DeadLetters.safeName("evt-1_a.b")).isEqualTo("evt-1_a.b");
        assertThat(DeadLetters.safeName("a/b")).isEqualTo("a%002Fb");
        assertThat(DeadLetters.safeName("..")).isEqualTo("%002E%002E");
        String longId = "M".repeat(300);
        String name = DeadLetters.safeName(longId);
        assertThat(name).hasSize(DeadLetters.MAX_NAME).startsWith("M".repeat(135) + "~");
        assertThat(DeadLetters.safeName(longId + "x")).hasSize(DeadLetters.MAX_NAME).isNotEqualTo(name);
        // escaping can make a short id long: it is cut the same way
        assertThat(DeadLetters.safeName("/".repeat(60))).hasSize(DeadLetters.MAX_NAME);
    }

    @Test
    void aReceiversLongReplyIsCutInTheReason() {
        String reply = "refused with HTTP 400: " + "x".repeat(5_000_000);
        String cut = new PermanentDeliveryFailure(reply).getMessage();
        assertThat(cut).startsWith("refused with HTTP 400: xxx").endsWith("xxx... (4998023 more characters)");
        assertThat(cut).hasSize(DeadLetters.MAX_REASON + "... (4998023 more characters)".length());
        assertThat(new PermanentDeliveryFailure("short").getMessage()).isEqualTo("short");
        assertThat(new PermanentDeliveryFailure("refused with HTTP 400: ").getMessage()).as("an empty reply")
                .isEqualTo("refused with HTTP 400");
    }

    @Test
    void aFailedBatchWaitsASecondDoublingToAMinute() {
        assertThat(OutboxRelay.batchRetryDelay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(OutboxRelay.batchRetryDelay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(OutboxRelay.batchRetryDelay(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(OutboxRelay.batchRetryDelay(7)).isEqualTo(Duration.ofMinutes(1));
        assertThat(OutboxRelay.batchRetryDelay(1000)).isEqualTo(Duration.ofMinutes(1));
    }
}
