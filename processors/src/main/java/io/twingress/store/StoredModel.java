package io.twingress.store;

import java.time.Instant;

/** A model row: the DTDL definition as uploaded. */
public record StoredModel(String id, String definition, Instant uploadTime, boolean decommissioned) {
}
