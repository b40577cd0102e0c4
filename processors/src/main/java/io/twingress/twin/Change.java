package io.twingress.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * A change to the twin graph, as its write unit hands it to the {@link ChangeLog} before committing. The states are
 * given as they are at hand, so that a log that needs neither pays for neither: {@code before} is the stored JSON
 * text (null for a create), {@code after} the new body (null for a delete).
 *
 * @param patch for an update, the JSON Patch of what changed, in ADT's form ({@code value}, {@code path},
 *              {@code op}); null otherwise
 * @param modelId the twin's model, or for a relationship the source twin's model
 * @param traceparent the W3C trace context of the request that made the change, or null
 */
public record Change(Kind kind, String twinId, String relationshipId, String modelId, ArrayNode patch, String before,
        JsonNode after, String traceparent) {

    public enum Kind {
        TWIN_CREATE, TWIN_UPDATE, TWIN_DELETE, RELATIONSHIP_CREATE, RELATIONSHIP_UPDATE, RELATIONSHIP_DELETE
    }

    public boolean isRelationship() {
        return relationshipId != null;
    }
}
