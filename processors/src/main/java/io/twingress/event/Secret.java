package io.twingress.event;

import java.util.Objects;

/**
 * A write-only value such as a connection string, key or password. It is kept so that Twingress can connect, but
 * {@link #toString()} masks it, so a record holding one can be logged or put in a message without leaking it; only
 * {@link #reveal()} gives the text, for the store and the client that connects.
 */
public final class Secret {

    static final String MASK = "***";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return MASK;
    }
}
