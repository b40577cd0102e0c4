package io.twingress.twin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.twingress.store.StoredTwin;

class RecentTwinsTest {

    private static StoredTwin twin(String id, String etag, int bodyLength) {
        return new StoredTwin(id, "dtmi:test:Room;1", etag, "x".repeat(bodyLength));
    }

    @Test
    void keepsEachTwinsLatestRowUpToItsBound() {
        RecentTwins recent = new RecentTwins();
        recent.keep(twin("a", "e1", 10));
        recent.keep(twin("a", "e2", 10));
        assertThat(recent.get("a").etag()).isEqualTo("e2");

        for (int i = 0; i < RecentTwins.MAX_TWINS * 2; i++) {
            recent.keep(twin("t" + i, "e", 10));
        }
        assertThat(recent.size()).isEqualTo(RecentTwins.MAX_TWINS);
        assertThat(recent.get("t" + (RecentTwins.MAX_TWINS * 2 - 1))).isNotNull();
        // a twin already kept is replaced in place, not at another's cost
        String kept = "t" + (RecentTwins.MAX_TWINS * 2 - 1);
        recent.keep(twin(kept, "e9", 10));
        assertThat(recent.size()).isEqualTo(RecentTwins.MAX_TWINS);
        assertThat(recent.get(kept).etag()).isEqualTo("e9");
    }

    @Test
    void aLargeTwinIsNotKeptAndItsEarlierRowIsDropped() {
        RecentTwins recent = new RecentTwins();
        recent.keep(twin("a", "e1", 10));
        recent.keep(twin("a", "e2", RecentTwins.MAX_BODY + 1));
        assertThat(recent.get("a")).isNull();

        recent.keep(twin("b", "e1", 10));
        recent.forget("b");
        assertThat(recent.get("b")).isNull();
    }
}
