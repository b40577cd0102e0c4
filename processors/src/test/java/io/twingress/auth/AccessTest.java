package io.twingress.auth;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTest {

    @Test
    void eachRoleMayDoWhatItsNameSays() {
        assertThat(allowed(Role.DATA_OWNER)).containsExactlyInAnyOrder(Access.values());
        assertThat(allowed(Role.DATA_READER)).containsExactlyInAnyOrder(Access.READ, Access.OPERATE_READ);
        assertThat(allowed(Role.INGEST)).containsExactly(Access.TELEMETRY);
        assertThat(allowed(Role.OPERATOR)).containsExactlyInAnyOrder(Access.OPERATE_READ, Access.OPERATE);
        assertThat(Access.READ.allows(Set.of())).isFalse();
    }

    @Test
    void anOperationOutsideTheTableIsForDataOwnersOnly() {
        assertThat(OperationAccess.required("rest-api-something-new")).isEqualTo(Access.WRITE);
        assertThat(OperationAccess.required(null)).isEqualTo(Access.WRITE);
        assertThat(OperationAccess.required("rest-api-query")).isEqualTo(Access.READ);
    }

    @Test
    void rolesAreNamedAsInTokens() {
        assertThat(Role.named("DataOwner")).contains(Role.DATA_OWNER);
        assertThat(Role.named("dataowner")).isEmpty();
    }

    private static Set<Access> allowed(Role role) {
        Set<Access> allowed = new java.util.HashSet<>();
        for (Access access : Access.values()) {
            if (access.allows(Set.of(role))) {
                allowed.add(access);
            }
        }
        return allowed;
    }
}
