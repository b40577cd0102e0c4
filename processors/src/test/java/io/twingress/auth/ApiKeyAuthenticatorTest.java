package io.twingress.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeyAuthenticatorTest {

    static final String GATEWAY_KEY = "gateway-key-0123456789abcdef";
    static final String OPS_KEY = "ops-key-0123456789abcdef-xyz";

    final ApiKeyAuthenticator keys = ApiKeyAuthenticator.parse("gateway:" + ApiKeyAuthenticator.hash(GATEWAY_KEY)
            + ":Ingest; ops:" + ApiKeyAuthenticator.hash(OPS_KEY).toUpperCase() + ":Operator, DataReader\n# comment\n");

    @Test
    void aKeyIsRecognisedAsBearerOrInTheHeaderWithItsRoles() {
        assertThat(keys.authenticate(new Credentials("Bearer " + GATEWAY_KEY, null)))
                .isEqualTo(new Principal("gateway", java.util.Set.of(Role.INGEST), "apikey"));
        assertThat(keys.authenticate(new Credentials("bearer  " + OPS_KEY, null)).roles())
                .containsExactlyInAnyOrder(Role.OPERATOR, Role.DATA_READER);
        assertThat(keys.authenticate(new Credentials(null, OPS_KEY)).name()).isEqualTo("ops");
    }

    @Test
    void anUnknownOrMissingKeyIsRefused() {
        assertThatThrownBy(() -> keys.authenticate(new Credentials("Bearer " + GATEWAY_KEY + "x", null)))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.missing()).isFalse();
                    assertThat(e.getMessage()).doesNotContain(GATEWAY_KEY);
                });
        assertThatThrownBy(() -> keys.authenticate(new Credentials(null, null)))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.missing()).isTrue());
        // the hash itself is not a key
        assertThatThrownBy(() -> keys.authenticate(new Credentials("Bearer " + ApiKeyAuthenticator.hash(GATEWAY_KEY),
                null))).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void aConfigurationMistakeIsNamed() {
        assertThatThrownBy(() -> ApiKeyAuthenticator.parse("gw:" + GATEWAY_KEY + ":Ingest"))
                .hasMessageContaining("'gw'").hasMessageContaining("SHA-256");
        assertThatThrownBy(() -> ApiKeyAuthenticator.parse("gw:" + ApiKeyAuthenticator.hash("k") + ":Admin"))
                .hasMessageContaining("unknown role 'Admin'");
        assertThatThrownBy(() -> ApiKeyAuthenticator.parse("gw:" + ApiKeyAuthenticator.hash("k") + ":"))
                .hasMessageContaining("no roles");
        String entry = "gw:" + ApiKeyAuthenticator.hash("k") + ":Ingest";
        assertThatThrownBy(() -> ApiKeyAuthenticator.parse(entry + ";" + entry)).hasMessageContaining("twice");
        assertThatThrownBy(() -> ApiKeyAuthenticator.parse(entry + ";owner:" + ApiKeyAuthenticator.hash("k")
                .toUpperCase(java.util.Locale.ROOT) + ":DataOwner")).hasMessageContaining("'gw' and 'owner' are the"
                + " same key");
        assertThatThrownBy(() -> ApiKeyAuthenticator.parse("gw-only-a-name")).hasMessageContaining("name:sha256-hex");
        assertThat(ApiKeyAuthenticator.parse(" ; \n").size()).isZero();
    }

    @Test
    void twoCredentialsInOneRequestAreRefusedNotOneTakenOverTheOther() {
        Authentication both = Authentication.of(null, keys);
        assertThatThrownBy(() -> both.authenticate(new Credentials("Bearer " + GATEWAY_KEY, OPS_KEY)))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.missing()).isFalse();
                    assertThat(e.getMessage()).contains("send one credential");
                });
        assertThat(both.authenticate(new Credentials(null, OPS_KEY)).name()).isEqualTo("ops");
    }

    @Test
    void credentialsNeverPrintTheirValues() {
        assertThat(new Credentials("Bearer secret", "secret2").toString()).doesNotContain("secret");
    }
}
