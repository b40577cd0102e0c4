package io.twingress.auth;

import java.util.EnumSet;
import java.util.Set;

/** A kind of operation, and the roles that may perform it. {@code DataOwner} may perform every kind. */
public enum Access {

    /** Reads models, twins, relationships and event routes, and queries. */
    READ(Role.DATA_OWNER, Role.DATA_READER),
    /** Changes models, twins and relationships. */
    WRITE(Role.DATA_OWNER),
    /** Sends telemetry. */
    TELEMETRY(Role.DATA_OWNER, Role.INGEST),
    /** Reads the egress's configuration and dead letters: operators, and readers (as ADT lets readers read routes). */
    OPERATE_READ(Role.DATA_OWNER, Role.DATA_READER, Role.OPERATOR),
    /** Changes the egress: endpoints, event routes, dead-letter replay and purge. */
    OPERATE(Role.DATA_OWNER, Role.OPERATOR);

    private final Set<Role> roles;

    Access(Role first, Role... rest) {
        this.roles = Set.copyOf(EnumSet.of(first, rest));
    }

    /** The roles that may perform this kind of operation. */
    public Set<Role> roles() {
        return roles;
    }

    /** Whether a caller with these roles may perform this kind of operation. */
    public boolean allows(Set<Role> callerRoles) {
        return callerRoles.stream().anyMatch(roles::contains);
    }
}
