package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.auth.Access;
import io.twingress.auth.OperationAccess;
import io.twingress.auth.Role;
import io.twingress.routes.testing.TestIssuer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The role table, driven by the real application over HTTP with real tokens: every REST operation the application
 * serves × each role (and no token, and a token without a role) → allowed, 401 or 403 with ADT's error body.
 * An operation missing from {@link OperationAccess}, or a table entry for an operation that no longer exists,
 * fails the test.
 */
class AuthRolesIT {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    record Operation(String id, String method, String path) {
    }

    static TestIssuer issuer;
    static TwingressServer server;
    static List<Operation> operations;

    @BeforeAll
    static void start() throws Exception {
        issuer = TestIssuer.start();
        server = TwingressServer.start(Files.createTempDirectory("twingress-auth-roles-it"), issuer.serverProperties());
        Model model = server.main().getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        operations = new ArrayList<>();
        for (RestDefinition rest : model.getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = (rest.getPath() == null ? "" : rest.getPath()) + verb.getPath();
                operations.add(new Operation(verb.getId(), verb.asVerb().toUpperCase(Locale.ROOT), path));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    @Test
    void theTableNamesEveryOperationAndNoOther() {
        Set<String> served = new TreeSet<>();
        operations.forEach(o -> served.add(o.id()));
        assertThat(served).hasSizeGreaterThanOrEqualTo(30);
        assertThat(new TreeSet<>(OperationAccess.operations())).isEqualTo(served);
        // the table, restated as the rule it follows: a change to either shows here
        for (Operation operation : operations) {
            assertThat(OperationAccess.required(operation.id())).as(operation.toString()).isEqualTo(rule(operation));
        }
    }

    /** Readers read, owners write, devices send telemetry and messages, operators run egress and dead letters. */
    private static Access rule(Operation operation) {
        boolean read = operation.method().equals("GET");
        if (operation.path().endsWith("/telemetry") || operation.path().startsWith("/devices/")
                || operation.path().startsWith("/ingress/webhooks/")) {
            return Access.TELEMETRY;
        }
        if (operation.path().startsWith("/eventroutes") || operation.path().startsWith("/endpoints")
                || operation.path().startsWith("/ingress/") || operation.path().startsWith("/historyconnections")) {
            return read ? Access.OPERATE_READ : Access.OPERATE;
        }
        return read || operation.path().equals("/query") || operation.path().equals("/history/query") ? Access.READ
                : Access.WRITE;
    }

    @Test
    void eachRoleMayDoExactlyWhatTheTableSays() throws Exception {
        List<String> mismatches = new ArrayList<>();
        for (Operation operation : operations) {
            Access access = OperationAccess.required(operation.id());
            for (Role role : Role.values()) {
                HttpResponse<String> response = send(operation, "Bearer " + issuer.token(role.wireName()));
                boolean allowed = access.roles().contains(role);
                if (allowed) {
                    if (response.statusCode() == 401 || response.statusCode() == 403 || response.statusCode() >= 500) {
                        mismatches.add(operation.id() + " as " + role + ": " + response.statusCode() + " "
                                + response.body());
                    }
                } else if (!isError(response, 403, "Forbidden")) {
                    mismatches.add(operation.id() + " as " + role + ": expected 403, got " + response.statusCode());
                }
            }
            HttpResponse<String> noRole = send(operation, "Bearer " + issuer.token());
            if (!isError(noRole, 403, "Forbidden")) {
                mismatches.add(operation.id() + " with no role: expected 403, got " + noRole.statusCode());
            }
            HttpResponse<String> anonymous = send(operation, null);
            if (!isError(anonymous, 401, "Unauthorized")
                    || !anonymous.headers().firstValue("WWW-Authenticate").orElse("").equals("Bearer")) {
                mismatches.add(operation.id() + " without a token: expected 401, got " + anonymous.statusCode());
            }
        }
        assertThat(mismatches).isEmpty();
    }

    private static boolean isError(HttpResponse<String> response, int status, String code) {
        if (response.statusCode() != status
                || !response.headers().firstValue("x-ms-error-code").orElse("").equals(code)) {
            return false;
        }
        JsonNode body = Json.parse(response.body());
        return body.at("/error/code").asText().equals(code) && !body.at("/error/message").asText().isBlank();
    }

    /** The operation on made-up names: allowed calls answer 2xx, 400 or 404, which is all this test needs. */
    private static HttpResponse<String> send(Operation operation, String authorization) throws Exception {
        String path = operation.path().replace("{action}", "deadletters:purge").replaceAll("\\{[^}]+}", "x");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path
                + "?api-version=2023-10-31"));
        boolean body = Set.of("PUT", "POST", "PATCH").contains(operation.method());
        request.method(operation.method(), body ? HttpRequest.BodyPublishers.ofString("{}")
                : HttpRequest.BodyPublishers.noBody()).header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
