package io.twingress.twin;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;

/** The preconditions every twin and relationship operation shares: existence, ids, ETags, body shape. */
public final class TwinChecks {

    private TwinChecks() {
    }

    public static StoredTwin existingTwin(StoredTwin twin, String id) {
        if (twin == null) {
            throw AdtError.DIGITAL_TWIN_NOT_FOUND.with("There is no digital twin with id " + id + ".");
        }
        return twin;
    }

    /** A missing relationship of a missing twin is the twin's 404 ({@code DigitalTwinNotFound}), as in ADT. */
    static StoredRelationship existingRelationship(StoreTx tx, StoredRelationship rel, String sourceId, String id) {
        if (rel == null) {
            existingTwin(tx.twin(sourceId), sourceId);
            throw AdtError.RELATIONSHIP_NOT_FOUND.with("Twin " + sourceId + " has no relationship with id " + id
                    + ".");
        }
        return rel;
    }

    static void checkIfMatch(String ifMatch, String etag, String what) {
        if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(etag)) {
            throw AdtError.PRECONDITION_FAILED.with(what + " has ETag " + etag + ", not " + ifMatch
                    + " (If-Match): it changed since it was read.");
        }
    }

    /** True when {@code If-None-Match: *} asks for create-only; ADT accepts no other value. */
    static boolean createOnly(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return false;
        }
        if (!ifNoneMatch.equals("*")) {
            throw AdtError.INVALID_ARGUMENT.with("If-None-Match accepts only '*' (create only).");
        }
        return true;
    }

    static void checkId(String id) {
        if (id == null || id.isBlank() || id.length() > 1024 || id.chars().anyMatch(Character::isISOControl)) {
            throw AdtError.INVALID_ARGUMENT.with("An id is 1 to 1,024 characters without control characters.");
        }
    }

    static ObjectNode requireObject(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw AdtError.VALIDATION_FAILED.with("The request body must be a JSON object describing the " + what
                    + ".");
        }
        return (ObjectNode) node;
    }

    static String newEtag() {
        return "W/\"" + UUID.randomUUID() + "\"";
    }
}
