package io.twingress.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.twin.Change;

/** The twins found by device id, and a device id a twin was just given. */
class DeviceTwinsTest {

    private final AtomicLong now = new AtomicLong();
    private final DeviceTwins twins = new DeviceTwins("label", now::get);

    @Test
    void aDeviceIdATwinWasJustGivenIsLookedUpAnewForAWhile() {
        twins.remember("dev-1", "r2");
        assertThat(twins.known("dev-1")).isEqualTo("r2");

        // r1 is given the device id: forgotten, and what a search that ran before r1's commit found is not kept
        twins.record(null, new Change(Change.Kind.TWIN_CREATE, "r1", null, "dtmi:x;1", null, null,
                Json.parse("{\"label\":\"dev-1\"}"), null));
        assertThat(twins.known("dev-1")).isNull();
        twins.remember("dev-1", "r2");
        assertThat(twins.known("dev-1")).isNull();

        now.addAndGet(DeviceTwins.CONTESTED);
        twins.remember("dev-1", "r1");
        assertThat(twins.known("dev-1")).isEqualTo("r1");
    }

    @Test
    void aChangeThatDoesNotSetTheIdLeavesWhatWasFound() {
        twins.remember("dev-1", "r1");
        twins.record(null, new Change(Change.Kind.TWIN_UPDATE, "r1", null, "dtmi:x;1",
                Json.MAPPER.createArrayNode().add(Json.object().put("op", "replace").put("path", "/count")
                        .put("value", 2)), null, Json.parse("{\"label\":\"dev-1\",\"count\":2}"), null));
        assertThat(twins.known("dev-1")).isEqualTo("r1");
    }
}
