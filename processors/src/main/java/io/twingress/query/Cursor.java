package io.twingress.query;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a paged query stopped: the query text, the key after which the next page resumes, and how many rows were
 * returned so far (for TOP) or, for COUNT(), counted so far. The key is the last row's, or where the scan budget
 * ran out; for a JOIN or MATCH it may be a prefix of a row's key, standing for every row that starts with it. Sent
 * to clients as an opaque continuation token. The checksum catches damaged or edited tokens; it is not a secret,
 * because a client could as well send the query itself.
 */
record Cursor(String query, List<String> after, long returned) {

    Cursor {
        after = after == null ? null : List.copyOf(after);
    }

    String encode(ObjectMapper mapper) {
        ObjectNode json = mapper.createObjectNode();
        json.put("q", query);
        after.forEach(json.putArray("k")::add);
        json.put("n", returned);
        json.put("c", checksum());
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mapper.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a cursor is plain JSON", e);
        }
    }

    static Cursor decode(ObjectMapper mapper, String token) {
        try {
            JsonNode json = mapper.readTree(Base64.getUrlDecoder().decode(token));
            if (json == null || !json.isObject()) {
                throw invalid();
            }
            JsonNode query = json.get("q");
            JsonNode keys = json.get("k");
            JsonNode returned = json.get("n");
            JsonNode checksum = json.get("c");
            if (query != null && query.isTextual() && keys != null && keys.isArray() && !keys.isEmpty()
                    && returned != null && returned.canConvertToLong() && returned.longValue() >= 0
                    && checksum != null && checksum.isIntegralNumber()) {
                List<String> after = new ArrayList<>();
                for (JsonNode key : keys) {
                    if (!key.isTextual()) {
                        throw invalid();
                    }
                    after.add(key.textValue());
                }
                Cursor cursor = new Cursor(query.textValue(), after, returned.longValue());
                if (cursor.checksum() == checksum.longValue()) {
                    return cursor;
                }
            }
        } catch (IllegalArgumentException | IOException e) {
            throw invalid();
        }
        throw invalid();
    }

    static QueryException invalid() {
        return new QueryException(1, "Invalid continuation token at position 1: expected a continuationToken"
                + " exactly as a previous page of the query returned it");
    }

    private long checksum() {
        CRC32 crc = new CRC32();
        crc.update(query.getBytes(StandardCharsets.UTF_8));
        for (String key : after) {
            crc.update(0);
            crc.update(key.getBytes(StandardCharsets.UTF_8));
        }
        crc.update(0);
        crc.update(Long.toString(returned).getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
