package io.twingress.limit;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientRateLimiterTest {

    final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    final ClientRateLimiter limiter = new ClientRateLimiter(2, 3, 10, now::get);

    @Test
    void aClientGetsItsBurstThenItsRate() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("a")).isZero();
        }
        assertThat(limiter.acquire("a")).isEqualTo(1);
        now.addAndGet(500_000_000L);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(1);
        // another client has its own bucket
        assertThat(limiter.acquire("b")).isZero();
    }

    @Test
    void retryAfterIsTheWholeSecondsUntilATokenIsThere() {
        ClientRateLimiter slow = new ClientRateLimiter(0.1, 1, 10, now::get);
        assertThat(slow.acquire("a")).isZero();
        assertThat(slow.acquire("a")).isEqualTo(10);
        now.addAndGet(9_500_000_000L);
        assertThat(slow.acquire("a")).isEqualTo(1);
    }

    @Test
    void idleClientsAreForgottenAndTheTableIsCapped() {
        for (int i = 0; i < 50; i++) {
            limiter.acquire("client" + i);
        }
        assertThat(limiter.tracked()).isLessThanOrEqualTo(11);
        now.addAndGet(5_000_000_000L);
        limiter.acquire("fresh");
        assertThat(limiter.tracked()).isEqualTo(1);
    }
}
