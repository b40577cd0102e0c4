package io.twingress.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.MovableClock;

/** Keys in a file are read again when it changes, so that a key is added or revoked without a restart. */
class ApiKeyFileTest {

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock();

    @Test
    void aKeyAddedOrRevokedInTheFileCountsFromTheNextCheck() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "reader:" + ApiKeyAuthenticator.hash("reader-key") + ":DataReader\n");
        ApiKeyFile keys = new ApiKeyFile("ops:" + ApiKeyAuthenticator.hash("ops-key") + ":Operator", file, clock);
        assertThat(keys.authenticate(new Credentials("Bearer reader-key", null)).name()).isEqualTo("reader");
        assertThat(keys.authenticate(new Credentials("Bearer ops-key", null)).name()).isEqualTo("ops");

        // the reader's key is revoked and another added: not read before the next check
        Files.writeString(file, "owner:" + ApiKeyAuthenticator.hash("owner-key") + ":DataOwner\n");
        assertThat(keys.authenticate(new Credentials("Bearer reader-key", null)).name()).isEqualTo("reader");
        clock.move(ApiKeyFile.CHECK_PERIOD);
        assertThatThrownBy(() -> keys.authenticate(new Credentials("Bearer reader-key", null)))
                .isInstanceOf(AuthenticationException.class);
        assertThat(keys.authenticate(new Credentials("Bearer owner-key", null)).name()).isEqualTo("owner");
        assertThat(keys.authenticate(new Credentials("Bearer ops-key", null)).name()).isEqualTo("ops");
    }

    @Test
    void aBrokenFileKeepsTheKeysBefore() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "reader:" + ApiKeyAuthenticator.hash("reader-key") + ":DataReader\n");
        ApiKeyFile keys = new ApiKeyFile("", file, clock);
        Files.writeString(file, "reader:not-a-hash:DataReader\n");
        assertThat(keys.reloadIfChanged()).isFalse();
        Files.writeString(file, "");
        assertThat(keys.reloadIfChanged()).as("no key at all").isFalse();
        Files.delete(file);
        assertThat(keys.reloadIfChanged()).isFalse();
        assertThat(keys.authenticate(new Credentials("Bearer reader-key", null)).name()).isEqualTo("reader");

        assertThatThrownBy(() -> new ApiKeyFile("", dir.resolve("missing"), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read");
    }
}
