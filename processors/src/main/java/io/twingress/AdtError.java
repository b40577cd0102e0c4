package io.twingress;

import java.util.Map;

/**
 * The error codes Twingress answers with, as Azure Digital Twins names them, each with the HTTP status ADT pairs it
 * with. The domain throws them through {@link AdtException}; only the API turns them into replies.
 */
public enum AdtError {

    INVALID_ARGUMENT(400, "InvalidArgument"),
    VALIDATION_FAILED(400, "ValidationFailed"),
    JSON_PATCH_INVALID(400, "JsonPatchInvalid"),
    DTDL_PARSER_ERROR(400, "DTDLParserError"),
    MODEL_VERSION_NOT_SUPPORTED(400, "ModelVersionNotSupported"),
    EVENT_ROUTE_FILTER_INVALID(400, "EventRouteFilterInvalid"),
    EVENT_ROUTE_ENDPOINT_INVALID(400, "EventRouteEndpointInvalid"),
    SQL_QUERY_ERROR(400, "SqlQueryError"),
    MISSING_API_VERSION(400, "MissingApiVersionParameter"),
    INVALID_API_VERSION(400, "InvalidApiVersionParameter"),
    LIMIT_EXCEEDED(400, "LimitExceeded"),
    OPERATION_NOT_ALLOWED(400, "OperationNotAllowed"),
    INVALID_RELATIONSHIP(400, "InvalidRelationship"),
    RELATIONSHIPS_NOT_DELETED(400, "RelationshipsNotDeleted"),
    MODEL_DECOMMISSIONED(400, "ModelDecommissioned"),
    BAD_REQUEST(400, "BadRequest"),
    DIGITAL_TWIN_NOT_FOUND(404, "DigitalTwinNotFound"),
    TARGET_TWIN_NOT_FOUND(404, "TargetTwinNotFound"),
    RELATIONSHIP_NOT_FOUND(404, "RelationshipNotFound"),
    COMPONENT_NOT_FOUND(404, "ComponentNotFound"),
    MODEL_NOT_FOUND(404, "ModelNotFound"),
    EVENT_ROUTE_NOT_FOUND(404, "EventRouteNotFound"),
    ENDPOINT_NOT_FOUND(404, "EndpointNotFound"),
    HISTORY_CONNECTION_NOT_FOUND(404, "HistoryConnectionNotFound"),
    DEAD_LETTER_NOT_FOUND(404, "DeadLetterNotFound"),
    WEBHOOK_NOT_FOUND(404, "WebhookNotFound"),
    NOT_FOUND(404, "NotFound"),
    UNAUTHORIZED(401, "Unauthorized"),
    FORBIDDEN(403, "Forbidden"),
    METHOD_NOT_ALLOWED(405, "MethodNotAllowed"),
    REQUEST_TIMEOUT(408, "RequestTimeout"),
    CONFLICT(409, "Conflict"),
    UNSUPPORTED_MEDIA_TYPE(415, "UnsupportedMediaType"),
    MODEL_ALREADY_EXISTS(409, "ModelAlreadyExists"),
    MODEL_REFERENCES_NOT_DELETED(409, "ModelReferencesNotDeleted"),
    PRECONDITION_FAILED(412, "PreconditionFailed"),
    PAYLOAD_TOO_LARGE(413, "PayloadTooLarge"),
    URI_TOO_LONG(414, "UriTooLong"),
    TOO_MANY_REQUESTS(429, "TooManyRequests"),
    HEADERS_TOO_LARGE(431, "RequestHeaderFieldsTooLarge"),
    INTERNAL_SERVER_ERROR(500, "InternalServerError"),
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable");

    private final int status;
    private final String code;

    AdtError(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** This error with a message that says what to fix. */
    public AdtException with(String message) {
        return new AdtException(this, message);
    }

    /** This error with a message and response headers the client needs to act on it (Retry-After, WWW-Authenticate). */
    public AdtException with(String message, Map<String, String> headers) {
        return new AdtException(this, message, headers);
    }
}
