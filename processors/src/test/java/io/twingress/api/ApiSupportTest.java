package io.twingress.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ApiSupportTest {

    private static final byte[] BODY = "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":21.5}]"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void readsAStreamThatSaysAllIsAvailable() throws IOException {
        assertThat(ApiSupport.readWhole(new ByteArrayInputStream(BODY))).isEqualTo(BODY);
    }

    @Test
    void readsAStreamThatSaysNothingIsAvailable() throws IOException {
        InputStream silent = new FilterInputStream(new ByteArrayInputStream(BODY)) {
            @Override
            public int available() {
                return 0;
            }
        };
        assertThat(ApiSupport.readWhole(silent)).isEqualTo(BODY);
    }

    @Test
    void readsPastWhatIsAvailableAtFirst() throws IOException {
        // a sequence says only its current part is available
        byte[] big = new byte[20_000];
        Arrays.fill(big, (byte) 'x');
        InputStream parts = new SequenceInputStream(new ByteArrayInputStream(BODY), new ByteArrayInputStream(big));
        byte[] read = ApiSupport.readWhole(parts);
        assertThat(read).hasSize(BODY.length + big.length);
        assertThat(Arrays.copyOf(read, BODY.length)).isEqualTo(BODY);
        assertThat(read[read.length - 1]).isEqualTo((byte) 'x');
    }

    @Test
    void readsAnEmptyStream() throws IOException {
        assertThat(ApiSupport.readWhole(new ByteArrayInputStream(new byte[0]))).isEmpty();
    }
}
