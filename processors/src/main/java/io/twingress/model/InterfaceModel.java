package io.twingress.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated, resolved DTDL Interface: its own definition plus everything it inherits.
 *
 * @param id          the interface DTMI
 * @param dtdlVersion 2 or 3, from its {@code @context}
 * @param definition  the model exactly as uploaded
 * @param extendsIds  the DTMIs named directly in {@code extends}
 * @param ancestors   every base interface, transitively (excluding this one)
 * @param contents    own and inherited contents by name, in declaration order (bases first)
 * @param references  the models this one cannot exist without: {@code extends} and component schemas
 */
public record InterfaceModel(
        String id,
        int dtdlVersion,
        JsonNode definition,
        List<String> extendsIds,
        Set<String> ancestors,
        Map<String, Content> contents,
        Set<String> references) {

    public Content content(String name) {
        return contents.get(name);
    }

    /** True if this interface is {@code modelId} or derives from it. */
    public boolean isA(String modelId) {
        return id.equals(modelId) || ancestors.contains(modelId);
    }
}
