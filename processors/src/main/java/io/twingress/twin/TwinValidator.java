package io.twingress.twin;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.twingress.AdtError;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;
import io.twingress.model.SchemaValidator;

/**
 * Checks twin, component and relationship values against their model, with ADT's limits. Failures are
 * {@code ValidationFailed} and name the property and what is wrong with it.
 */
public final class TwinValidator {

    static final int MAX_TWIN_BYTES = 32 * 1024;
    static final int MAX_STRING_BYTES = 4 * 1024;

    private TwinValidator() {
    }

    /**
     * @param content    the twin's properties and components (no {@code $dtId}, {@code $etag} or {@code $metadata})
     * @param components resolves a component's interface
     */
    static void validateTwin(InterfaceModel model, JsonNode content,
            Function<Content.Component, InterfaceModel> components) {
        for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            Content declared = model.content(name);
            if (declared instanceof Content.Component component) {
                validateComponent(model, component, field.getValue(), components.apply(component));
            } else {
                validateProperty(model, declared, name, field.getValue(), "");
            }
        }
        for (Content declared : model.contents().values()) {
            if (declared instanceof Content.Component && !content.has(declared.name())) {
                throw AdtError.VALIDATION_FAILED.with("Component '" + declared.name() + "' of model " + model.id()
                        + " is missing: every component must be present (an empty object {} is enough).");
            }
        }
    }

    private static void validateComponent(InterfaceModel owner, Content.Component component, JsonNode value,
            InterfaceModel componentModel) {
        if (!value.isObject()) {
            throw AdtError.VALIDATION_FAILED.with("Component '" + component.name() + "' must be a JSON object.");
        }
        if (componentModel == null) {
            throw AdtError.VALIDATION_FAILED.with("Component '" + component.name() + "' of model " + owner.id()
                    + " uses model " + component.schema() + ", which is not stored.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("$metadata")) {
                validateProperty(componentModel, componentModel.content(field.getKey()), field.getKey(),
                        field.getValue(), component.name() + "/");
            }
        }
    }

    private static void validateProperty(InterfaceModel model, Content declared, String name, JsonNode value,
            String prefix) {
        if (name.startsWith("$")) {
            throw AdtError.VALIDATION_FAILED.with("'" + prefix + name + "' is not allowed: names starting with '$' are"
                    + " reserved for system properties.");
        }
        if (declared == null) {
            throw AdtError.VALIDATION_FAILED.with("'" + prefix + name + "' is not a property of model " + model.id() + ".");
        }
        if (!(declared instanceof Content.Property property)) {
            throw AdtError.VALIDATION_FAILED.with("'" + prefix + name + "' is a " + kind(declared) + " of model "
                    + model.id() + ", not a property: only properties are stored on a twin.");
        }
        checkValue(property, value, prefix + name);
    }

    /** Validates one relationship's properties against its definition. */
    static void validateRelationshipProperties(Content.Relationship relationship, JsonNode properties) {
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            Content.Property property = relationship.properties().get(field.getKey());
            if (property == null) {
                throw AdtError.VALIDATION_FAILED.with("'" + field.getKey() + "' is not a property of relationship '"
                        + relationship.name() + "'.");
            }
            checkValue(property, field.getValue(), field.getKey());
        }
    }

    /** Validates a telemetry message against the telemetry the model declares. */
    public static void validateTelemetry(InterfaceModel model, JsonNode message) {
        if (message == null || !message.isObject()) {
            throw AdtError.VALIDATION_FAILED.with("Telemetry must be a JSON object of telemetry names and values.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = message.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            Content declared = model.content(field.getKey());
            if (!(declared instanceof Content.Telemetry telemetry)) {
                throw AdtError.VALIDATION_FAILED.with("'" + field.getKey() + "' is not a telemetry of model " + model.id()
                        + (declared == null ? "." : " (it is a " + kind(declared) + ")."));
            }
            String problem = SchemaValidator.validate(telemetry.schema(), field.getValue());
            if (problem != null) {
                throw AdtError.VALIDATION_FAILED.with("Telemetry '" + field.getKey() + "': " + problem);
            }
        }
    }

    static void checkSize(String twinJson) {
        int bytes = twinJson.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TWIN_BYTES) {
            throw AdtError.VALIDATION_FAILED.with("The twin would be " + bytes + " bytes; a twin is at most "
                    + MAX_TWIN_BYTES + " bytes.");
        }
    }

    private static void checkValue(Content.Property property, JsonNode value, String label) {
        String problem = SchemaValidator.validate(property.schema(), value);
        if (problem != null) {
            throw AdtError.VALIDATION_FAILED.with("Property '" + label + "': " + problem);
        }
        checkStrings(value, label);
    }

    private static void checkStrings(JsonNode value, String label) {
        if (value.isTextual() && value.textValue().getBytes(StandardCharsets.UTF_8).length > MAX_STRING_BYTES) {
            throw AdtError.VALIDATION_FAILED.with("Property '" + label + "': a string value is at most " + MAX_STRING_BYTES
                    + " bytes.");
        }
        if (value.isContainerNode()) {
            value.forEach(v -> checkStrings(v, label));
        }
    }

    private static String kind(Content content) {
        return content.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
}
