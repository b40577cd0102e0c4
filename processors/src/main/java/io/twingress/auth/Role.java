package io.twingress.auth;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a caller may do. {@code DataOwner} and {@code DataReader} are Azure Digital Twins' data-plane roles under
 * their role names; {@code Ingest} and {@code Operator} are narrower roles for devices and for the people who run
 * the egress. A token's roles claim or an API key's configuration names them exactly as {@link #wireName()}.
 */
public enum Role {

    /** Everything. */
    DATA_OWNER("DataOwner"),
    /** Reads and queries, nothing that changes anything. */
    DATA_READER("DataReader"),
    /** Sends telemetry (and, later, ingestion messages), nothing else. */
    INGEST("Ingest"),
    /** Endpoints, event routes and dead letters (later history connections): the egress, not the twins. */
    OPERATOR("Operator");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The name in tokens, key configuration and messages. */
    public String wireName() {
        return wireName;
    }

    /** The role with this wire name (case-sensitive, as role names are in tokens), if any. */
    public static Optional<Role> named(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
