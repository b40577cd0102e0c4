package io.twingress.auth;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of who may call what: every REST operation, by its id in {@code api.camel.yaml}, and the kind of
 * access it needs. A new operation adds one line here; an operation missing from the table is allowed to
 * {@code DataOwner} only, and the table test fails until it is added.
 */
public final class OperationAccess {

    private static final Map<String, Access> TABLE = Map.ofEntries(
            // models
            Map.entry("rest-api-models-list", Access.READ),
            Map.entry("rest-api-model-get", Access.READ),
            Map.entry("rest-api-models-create", Access.WRITE),
            Map.entry("rest-api-model-update", Access.WRITE),
            Map.entry("rest-api-model-delete", Access.WRITE),
            // twins and components
            Map.entry("rest-api-twin-get", Access.READ),
            Map.entry("rest-api-twin-put", Access.WRITE),
            Map.entry("rest-api-twin-patch", Access.WRITE),
            Map.entry("rest-api-twin-delete", Access.WRITE),
            Map.entry("rest-api-component-get", Access.READ),
            Map.entry("rest-api-component-patch", Access.WRITE),
            // relationships
            Map.entry("rest-api-relationships-list", Access.READ),
            Map.entry("rest-api-incoming-relationships-list", Access.READ),
            Map.entry("rest-api-relationship-get", Access.READ),
            Map.entry("rest-api-relationship-put", Access.WRITE),
            Map.entry("rest-api-relationship-patch", Access.WRITE),
            Map.entry("rest-api-relationship-delete", Access.WRITE),
            // telemetry and query
            Map.entry("rest-api-telemetry", Access.TELEMETRY),
            Map.entry("rest-api-component-telemetry", Access.TELEMETRY),
            Map.entry("rest-api-query", Access.READ),
            // egress: event routes, endpoints, dead letters
            Map.entry("rest-api-event-routes-list", Access.OPERATE_READ),
            Map.entry("rest-api-event-route-get", Access.OPERATE_READ),
            Map.entry("rest-api-event-route-put", Access.OPERATE),
            Map.entry("rest-api-event-route-delete", Access.OPERATE),
            Map.entry("rest-api-endpoints-list", Access.OPERATE_READ),
            Map.entry("rest-api-endpoint-get", Access.OPERATE_READ),
            Map.entry("rest-api-endpoint-put", Access.OPERATE),
            Map.entry("rest-api-endpoint-delete", Access.OPERATE),
            Map.entry("rest-api-dead-letters-list", Access.OPERATE_READ),
            Map.entry("rest-api-dead-letter-get", Access.OPERATE_READ),
            Map.entry("rest-api-dead-letters-action", Access.OPERATE),

            Map.entry("rest-api-ingress-dead-letters-list", Access.OPERATE_READ),
            Map.entry("rest-api-ingress-dead-letter-get", Access.OPERATE_READ),
            Map.entry("rest-api-ingress-dead-letters-action", Access.OPERATE),
            Map.entry("rest-ingress-device-events", Access.TELEMETRY),
            Map.entry("rest-ingress-webhook", Access.TELEMETRY),

            Map.entry("rest-api-history-connections-list", Access.OPERATE_READ),
            Map.entry("rest-api-history-connection-get", Access.OPERATE_READ),
            Map.entry("rest-api-history-connection-put", Access.OPERATE),
            Map.entry("rest-api-history-connection-delete", Access.OPERATE),
            Map.entry("rest-api-history-query", Access.READ));

    private OperationAccess() {
    }

    /** The access an operation needs, if the table names it. */
    public static Optional<Access> of(String operationId) {
        return Optional.ofNullable(operationId == null ? null : TABLE.get(operationId));
    }

    /** The access an operation needs; one the table does not name needs {@link Access#WRITE} (DataOwner only). */
    public static Access required(String operationId) {
        return of(operationId).orElse(Access.WRITE);
    }

    /** Every operation the table names. */
    public static Set<String> operations() {
        return TABLE.keySet();
    }
}
