package io.twingress.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IllformedLocaleException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Validates and resolves a batch of DTDL v2/v3 Interfaces the way ADT's {@code POST /models} does: the DTDL
 * language rules plus ADT's own restrictions (Interfaces only at top level, one level of components). DTDL is
 * JSON-LD, so every form JSON-LD gives a value is read the same way: a set of one may be written without its array,
 * a one-valued member as an array of one ({@link JsonLdForms}), an element may be written inline where it could be
 * named (an Interface in extends or as a component's schema is part of the model it is written in), and a
 * localizable string may be a string, a language map or an array of language-tagged values. The parser is
 * stateless; each {@link #parse} call works on its own {@link Batch}.
 */
public final class DtdlParser {

    static final String CONTEXT_V2 = "dtmi:dtdl:context;2";
    static final String CONTEXT_V3 = "dtmi:dtdl:context;3";
    /** Any DTDL version's context: one that is neither of the two above is a version not supported. */
    private static final Pattern DTDL_CONTEXT = Pattern.compile("dtmi:dtdl:context;[0-9]+");
    static final String QUANTITATIVE_TYPES = "dtmi:dtdl:extension:quantitativeTypes;1";
    static final String HISTORIZATION = "dtmi:dtdl:extension:historization;1";
    static final String ANNOTATION = "dtmi:dtdl:extension:annotation;1";
    static final String OVERRIDING = "dtmi:dtdl:extension:overriding;1";

    private static final Set<String> EXTENSIONS = Set.of(QUANTITATIVE_TYPES, HISTORIZATION, ANNOTATION, OVERRIDING);
    /** Co-types that come from an extension other than quantitativeTypes, and the key each one adds. */
    private static final Map<String, String> EXTENSION_CO_TYPES =
            Map.of("Historized", HISTORIZATION, "ValueAnnotation", ANNOTATION, "Override", OVERRIDING);
    private static final Map<String, String> EXTENSION_CO_TYPE_KEYS =
            Map.of("ValueAnnotation", "annotates", "Override", "overrides");

    private static final Pattern DTMI = Pattern.compile(
            "^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*"
                    + "(?:;[1-9][0-9]{0,8}(?:\\.[1-9][0-9]{0,5})?)?$");
    private static final Pattern NAME = Pattern.compile("^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$");

    /** True if the text is a DTMI as DTDL defines its syntax. */
    public static boolean isDtmi(String text) {
        return DTMI.matcher(text).matches();
    }

    private static final Set<String> DESCRIPTIVE_KEYS = Set.of("@id", "@type", "displayName", "description", "comment");
    private static final Set<String> INTERFACE_KEYS =
            union(DESCRIPTIVE_KEYS, "@context", "contents", "extends", "schemas");
    private static final Set<String> NAMED_KEYS = union(DESCRIPTIVE_KEYS, "name");
    private static final Set<String> VALUE_KEYS = Set.of("@value", "@type");
    private static final Set<String> LANGUAGE_TAGGED_KEYS = Set.of("@value", "@language");
    private static final Set<String> XSD_STRING = Set.of("xsd:string", "http://www.w3.org/2001/XMLSchema#string");
    private static final Set<String> COMPLEX_SCHEMAS = Set.of("Array", "Enum", "Map", "Object");

    private static final int MAX_DTMI_LENGTH = 2048;
    private static final int MAX_INTERFACE_ID_LENGTH = 128;
    private static final int MAX_NAME_LENGTH = 64;
    /** DTDL v3 names and display names: 512 characters (its normative specification). */
    private static final int MAX_V3_TEXT_LENGTH = 512;
    private static final int MAX_COMMENT_LENGTH = 512;
    private static final int MAX_DISPLAY_NAME_LENGTH = 64;
    private static final int MAX_DESCRIPTION_LENGTH = 512;
    /**
     * Languages per displayName or description. DTDL sets no number; this is more than any localisation we know of
     * and keeps one element's text small.
     */
    private static final int MAX_LANGUAGES = 100;
    private static final int MAX_MODEL_BYTES = 1024 * 1024;
    private static final int MAX_SCHEMA_DEPTH = 5;
    private static final int MAX_EXTENDS_DEPTH = 10;
    private static final int MAX_V2_EXTENDS = 2;
    private static final int MAX_V2_CONTENTS = 300;
    private static final int MAX_V2_RELATIONSHIP_PROPERTIES = 300;
    private static final int MAX_V2_MULTIPLICITY = 500;
    private static final int MAX_V2_ENUM_VALUES = 100;
    private static final int MAX_V2_OBJECT_FIELDS = 30;
    private static final int MAX_V3_ELEMENTS = 100_000;
    private static final int MAX_V3_EXTENDS_TREE = 1024;

    /**
     * Parses and validates a batch as uploaded with {@code POST /models}; only the ids of stored models themselves
     * are known to be taken.
     *
     * @param batch  interface documents; they may reference each other in any order
     * @param stored looks up an already stored model by id, returning null when unknown
     * @return one resolved model per batch element, in batch order
     * @throws DtdlException naming the element and the broken rule
     */
    public List<InterfaceModel> parse(List<JsonNode> batch, Function<String, InterfaceModel> stored) {
        return parse(batch, stored, id -> stored.apply(id) == null ? null : id);
    }

    /**
     * As {@link #parse(List, Function)}, knowing every @id the stored models declare.
     *
     * @param storedIds the stored model that declares an @id (as its own id or an element's), or null when none
     *                  does; the batch may not declare any of those ids again
     */
    public List<InterfaceModel> parse(List<JsonNode> batch, Function<String, InterfaceModel> stored,
            Function<String, String> storedIds) {
        return parse(batch, stored, storedIds, true);
    }

    /**
     * Resolves models read back from the store. They passed the rules when they were uploaded; rules added since
     * (those {@link Doc#strict} guards) are not applied to them again, so a model stored by an earlier release keeps
     * loading.
     */
    public List<InterfaceModel> reload(List<JsonNode> storedModels, Function<String, InterfaceModel> stored) {
        return parse(storedModels, stored, id -> null, false);
    }

    private List<InterfaceModel> parse(List<JsonNode> batch, Function<String, InterfaceModel> stored,
            Function<String, String> storedIds, boolean strict) {
        Batch run = new Batch(stored);
        List<Doc> topLevel = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Doc doc = header(batch.get(i), i, strict);
            topLevel.add(doc);
            if (run.docs.putIfAbsent(doc.id, doc) != null) {
                throw new DtdlException(doc.id + ": @id appears more than once in the batch");
            }
            String owner = strict ? storedIds.apply(doc.id) : null;
            if (owner != null) {
                throw new DtdlException(doc.id + ": @id " + (owner.equals(doc.id) ? "is already a stored model"
                        : "is already the @id of an element of stored model " + owner));
            }
        }
        // inline interfaces are elements of their top-level model: checked with its @ids, stored with its definition
        Set<String> elementIds = new HashSet<>(run.docs.keySet());
        topLevel.forEach(doc -> run.addInline(doc, true));
        topLevel.forEach(doc -> checkElementIds(doc, doc.json, "", elementIds, storedIds));
        List<InterfaceModel> result = new ArrayList<>(batch.size());
        for (Doc doc : topLevel) {
            result.add(run.model(doc.id));
        }
        return result;
    }

    /** The @ids a stored definition declares below its interface: contents, schemas, fields and so on. */
    static Set<String> elementIds(JsonNode definition) {
        Set<String> ids = new LinkedHashSet<>();
        collectElementIds(definition, true, ids);
        return ids;
    }

    private static void collectElementIds(JsonNode node, boolean root, Set<String> ids) {
        if (node.isObject() && !root && node.path("@id").isTextual()) {
            ids.add(node.get("@id").asText());
        }
        if (node.isContainerNode()) {
            node.forEach(child -> collectElementIds(child, false, ids));
        }
    }

    /**
     * One uploaded interface with the facts its @context gives.
     *
     * @param json   the interface with JSON-LD's other spellings read as their plain form ({@link JsonLdForms}),
     *               which is what every rule reads
     * @param source the interface as it was written, which is what is stored and served
     * @param strict false for a model read back from the store: the rules added after models were first stored
     *               (language tags, the v3 text limits, units of semantic types, @ids unique across models, the
     *               descriptive keys of schema elements) are skipped
     */
    private record Doc(String id, int version, Set<String> extensions, JsonNode json, JsonNode source,
            boolean strict) {
    }

    /** Checks the parts of a document every later rule depends on: @context, @type, @id, size, keys. */
    private static Doc header(JsonNode json, int index, boolean strict) {
        String where = "model at index " + index;
        if (json == null || !json.isObject()) {
            throw new DtdlException(where + ": a model must be a JSON object");
        }
        JsonNode idNode = json.get("@id");
        if (idNode == null || !idNode.isTextual()) {
            throw new DtdlException(where + ": @id is required and must be a string");
        }
        String id = idNode.asText();
        if (json.toString().getBytes(StandardCharsets.UTF_8).length > MAX_MODEL_BYTES) {
            throw new DtdlException(id + ": the model is larger than 1 MiB");
        }
        Set<String> extensions = new LinkedHashSet<>();
        int version = contextVersion(json.get("@context"), id, extensions);
        String problem = dtmiProblem(id, version, MAX_INTERFACE_ID_LENGTH);
        if (problem == null && strict) {
            problem = reserved(id);
        }
        if (problem != null) {
            throw new DtdlException(id + ": @id '" + id + "' " + problem);
        }
        JsonNode plain = JsonLdForms.plain(json, version);
        Boolean open = interfaceType(plain.get("@type"), version);
        if (open == null) {
            throw new DtdlException(id + ": @type must be 'Interface' (ADT accepts only Interfaces at the top level)");
        }
        Doc doc = new Doc(id, version, Set.copyOf(extensions), plain, json, strict);
        checkKeys(doc, plain, INTERFACE_KEYS, "interface", open);
        checkDescriptive(doc, plain, "interface");
        return doc;
    }

    /**
     * An Interface written inside {@code extends}. DTDL makes every Interface its own element with its own @id, so
     * it needs one here too; it inherits the @context of the element it is written in unless it gives its own.
     */
    private static Doc inlineInterface(Doc owner, JsonNode json, String where) {
        JsonNode idNode = json.get("@id");
        if (idNode == null || !idNode.isTextual()) {
            throw fail(owner, where, "an inline interface needs its own @id, a DTMI, like every Interface");
        }
        String id = idNode.asText();
        int version = owner.version;
        Set<String> extensions = owner.extensions;
        if (json.has("@context")) {
            Set<String> own = new LinkedHashSet<>();
            version = contextVersion(json.get("@context"), id, own);
            extensions = Set.copyOf(own);
        }
        String problem = dtmiProblem(id, version, MAX_INTERFACE_ID_LENGTH);
        if (problem == null && owner.strict) {
            problem = reserved(id);
        }
        if (problem != null) {
            throw fail(owner, where, "inline interface @id '" + id + "' " + problem);
        }
        Boolean open = interfaceType(json.get("@type"), version);
        if (open == null) {
            throw fail(owner, where, "inline element '" + id + "' must have @type 'Interface'");
        }
        Doc doc = new Doc(id, version, extensions, json, json, owner.strict);
        checkKeys(doc, json, INTERFACE_KEYS, "interface", open);
        checkDescriptive(doc, json, "interface");
        return doc;
    }

    /** The one type an @type names, written as a string or as an array of one string; else null. */
    private static String singleType(JsonNode type) {
        if (type != null && type.isArray() && type.size() == 1) {
            type = type.get(0);
        }
        return type != null && type.isTextual() ? type.asText() : null;
    }

    private static int contextVersion(JsonNode context, String id, Set<String> extensions) {
        if (context == null) {
            throw new DtdlException(id + ": @context is required");
        }
        List<JsonNode> entries = new ArrayList<>();
        if (context.isArray() && !context.isEmpty()) {
            context.forEach(entries::add);
        } else {
            entries.add(context);
        }
        String dtdl = entries.get(0).isTextual() ? entries.get(0).asText() : entries.get(0).toString();
        int version = switch (dtdl) {
            case CONTEXT_V2 -> 2;
            case CONTEXT_V3 -> 3;
            default -> throw DTDL_CONTEXT.matcher(dtdl).matches()
                    ? new DtdlException.UnsupportedVersion(id + ": @context '" + dtdl + "' is a DTDL version this"
                            + " service does not support; use " + CONTEXT_V2 + " or " + CONTEXT_V3)
                    : new DtdlException(id + ": @context '" + dtdl + "' is neither " + CONTEXT_V2 + " nor "
                            + CONTEXT_V3 + " (a DTDL context must come first)");
        };
        for (JsonNode entry : entries.subList(1, entries.size())) {
            String extension = entry.isTextual() ? entry.asText() : entry.toString();
            if (version == 2) {
                throw new DtdlException(id + ": @context '" + extension + "': DTDL v2 does not support extensions");
            }
            if (!EXTENSIONS.contains(extension)) {
                throw new DtdlException(id + ": @context '" + extension + "' is not a supported extension "
                        + new TreeSet<>(EXTENSIONS));
            }
            extensions.add(extension);
        }
        return version;
    }

    /**
     * Element @ids must be valid DTMIs and unique across the whole batch, interface ids included, and may not be
     * taken by a stored model or one of its elements.
     */
    private static void checkElementIds(Doc doc, JsonNode node, String path, Set<String> seen,
            Function<String, String> storedIds) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkElementIds(doc, node.get(i), path + "[" + i + "]", seen, storedIds);
            }
        } else if (node.isObject()) {
            JsonNode id = node.get("@id");
            if (id != null && !path.isEmpty()) {
                String where = path + ".@id";
                if (!id.isTextual()) {
                    throw fail(doc, where, "@id must be a string");
                }
                String problem = dtmiProblem(id.asText(), doc.version, MAX_DTMI_LENGTH);
                if (problem == null && doc.strict) {
                    problem = reserved(id.asText());
                }
                if (problem != null) {
                    throw fail(doc, where, "'" + id.asText() + "' " + problem);
                }
                // stored models were checked when they were uploaded, each against those before it
                if (doc.strict && !seen.add(id.asText())) {
                    throw fail(doc, where, "'" + id.asText() + "' is used by more than one element in the batch");
                }
                String owner = doc.strict ? storedIds.apply(id.asText()) : null;
                if (owner != null) {
                    throw fail(doc, where, "'" + id.asText() + "' is already the @id of "
                            + (owner.equals(id.asText()) ? "a stored model" : "an element of stored model " + owner)
                            + "; every @id must be unique");
                }
            }
            node.properties().forEach(e -> checkElementIds(doc, e.getValue(), path + "." + e.getKey(), seen,
                    storedIds));
        }
    }

    /** @return null when {@code value} is a DTMI the document's DTDL version accepts, else what is wrong */
    private static String dtmiProblem(String value, int version, int maxLength) {
        if (value.length() > maxLength) {
            return "is longer than " + maxLength + " characters";
        }
        String[] segments = value.split("[:;]");
        for (int i = 1; i < segments.length; i++) {
            if (segments[i].startsWith("_")) {
                return "uses segment '" + segments[i] + "'; segments starting with '_' are reserved for the system";
            }
        }
        if (!DTMI.matcher(value).matches()) {
            return "is not a valid DTMI";
        }
        int semicolon = value.indexOf(';');
        if (version == 2 && semicolon < 0) {
            return "needs a version suffix ';N' in DTDL v2";
        }
        if (version == 2 && value.indexOf('.', semicolon) >= 0) {
            return "has a minor version, which DTDL v2 does not allow";
        }
        return null;
    }

    /** DTMIs under these prefixes name DTDL's own terms and standard schemas and units: no element may take one. */
    private static String reserved(String id) {
        return id.startsWith("dtmi:dtdl:") || id.startsWith("dtmi:standard:")
                ? "starts with a prefix DTDL reserves (dtmi:dtdl: or dtmi:standard:)" : null;
    }

    private static DtdlException fail(Doc doc, String where, String rule) {
        return new DtdlException(doc.id + ": " + where + ": " + rule);
    }

    private static void checkKeys(Doc doc, JsonNode node, Set<String> allowed, String where) {
        checkKeys(doc, node, allowed, where, false);
    }

    /**
     * @param open true for an element with a DTDL v2 undefined co-type, which may have undefined members too (JSON-LD
     *             keywords other than the allowed ones stay refused)
     */
    private static void checkKeys(Doc doc, JsonNode node, Set<String> allowed, String where, boolean open) {
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = entry.getKey();
            if (!allowed.contains(key) && (!open || key.startsWith("@"))) {
                throw fail(doc, where, "unknown key '" + key + "'");
            }
        }
    }

    /** DTDL v2 terms that name its element classes: a co-type that is one of them is not an undefined one. */
    private static final Set<String> V2_CLASS_TERMS = Set.of("Interface", "Telemetry", "Property", "Command",
            "Relationship", "Component", "Array", "Enum", "EnumValue", "Map", "MapKey", "MapValue", "Object", "Field",
            "CommandPayload", "CommandType", "Schema", "Unit", "SemanticType");

    /**
     * A co-type DTDL v2 leaves undefined, which it allows on any element together with undefined members ("open
     * world"): a term DTDL v2 does not define, or a name with a colon that is not a DTMI. A DTMI, a class term or a
     * semantic type is not one.
     */
    private static boolean undefinedV2CoType(String coType) {
        return !coType.isEmpty() && !coType.startsWith("dtmi:") && !V2_CLASS_TERMS.contains(coType)
                && SemanticTypes.unitType(2, coType) == null;
    }

    /**
     * Whether an Interface's @type is "Interface" alone (false), or "Interface" with DTDL v2 undefined co-types
     * (true); null when it is neither.
     */
    private static Boolean interfaceType(JsonNode type, int version) {
        if ("Interface".equals(singleType(type))) {
            return false;
        }
        if (version != 2 || type == null || !type.isArray()) {
            return null;
        }
        boolean found = false;
        for (JsonNode t : type) {
            if (!t.isTextual() || !t.asText().equals("Interface") && !undefinedV2CoType(t.asText())) {
                return null;
            }
            found |= t.asText().equals("Interface");
        }
        return found ? Boolean.TRUE : null;
    }

    /**
     * displayName and description are strings or language maps keyed by BCP 47 language tags, at most 64 and 512
     * characters in DTDL v2, 512 each in v3; comment is at most 512.
     */
    private static void checkDescriptive(Doc doc, JsonNode node, String where) {
        // the v3 limits were not enforced before, so a v3 model stored then may exceed them
        boolean limited = doc.version == 2 || doc.strict;
        checkLocalizable(doc, node.get("displayName"), "displayName",
                !limited ? Integer.MAX_VALUE : doc.version == 2 ? MAX_DISPLAY_NAME_LENGTH : MAX_V3_TEXT_LENGTH, where);
        checkLocalizable(doc, node.get("description"), "description",
                limited ? MAX_DESCRIPTION_LENGTH : Integer.MAX_VALUE, where);
        JsonNode comment = node.get("comment");
        if (comment != null && !isComment(comment)) {
            throw fail(doc, where, "comment must be a string of at most " + MAX_COMMENT_LENGTH + " characters");
        }
    }

    /**
     * A comment is one representational string: a string, or {@code {"@value": ...}} typed as xsd:string if at all,
     * possibly in an array of at most one, which is how JSON-LD writes a value it does not know to be single.
     */
    private static boolean isComment(JsonNode comment) {
        if (comment.isArray()) {
            return comment.size() <= 1 && (comment.isEmpty() || isComment(comment.get(0)) && !comment.get(0).isArray());
        }
        JsonNode text = comment;
        if (comment.isObject()) {
            JsonNode type = comment.get("@type");
            boolean typeOk = type == null || type.isTextual() && XSD_STRING.contains(type.asText());
            if (!typeOk || !VALUE_KEYS.containsAll(toSet(comment.fieldNames()))) {
                return false;
            }
            text = comment.get("@value");
        }
        return text != null && text.isTextual() && text.asText().length() <= MAX_COMMENT_LENGTH;
    }

    private static Set<String> toSet(Iterator<String> names) {
        Set<String> set = new HashSet<>();
        names.forEachRemaining(set::add);
        return set;
    }

    private static void checkLocalizable(Doc doc, JsonNode value, String key, int maxLength, String where) {
        if (value == null) {
            return;
        }
        String form = key + " must be a string or a map from language code to string, or an array of strings and"
                + " {\"@value\", \"@language\"} objects";
        List<JsonNode> texts = new ArrayList<>();
        if (value.isObject()) {
            if (doc.strict) {
                checkLanguages(doc, value, key, where);
            }
            value.forEach(texts::add);
        } else if (value.isArray()) {
            taggedValues(doc, value, key, where, form).forEach(texts::add);
        } else {
            texts.add(value);
        }
        for (JsonNode text : texts) {
            if (!text.isTextual()) {
                throw fail(doc, where, form);
            }
            if (text.asText().length() > maxLength) {
                throw fail(doc, where, key + " is longer than " + maxLength + " characters");
            }
        }
    }

    /**
     * The texts of JSON-LD's array form of a localizable string: plain strings and language-tagged value objects.
     * As in a language map a language appears once; a plain string, an untagged value and an "en" value all mean
     * the default text, so at most one of them may be given.
     */
    private static List<JsonNode> taggedValues(Doc doc, JsonNode array, String key, String where, String form) {
        List<JsonNode> texts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int defaults = 0;
        for (JsonNode entry : array) {
            String language = null;
            if (entry.isObject()) {
                if (!LANGUAGE_TAGGED_KEYS.containsAll(toSet(entry.fieldNames())) || !entry.has("@value")) {
                    throw fail(doc, where, form);
                }
                JsonNode tag = entry.get("@language");
                if (tag != null && (!tag.isTextual() || !isLanguageTag(tag.asText()))) {
                    throw fail(doc, where, key + " language " + tag
                            + " is not a BCP 47 language tag such as 'en', 'de-CH' or 'zh-Hant'");
                }
                language = tag == null ? null : tag.asText();
                entry = entry.get("@value");
            }
            if (language != null && !seen.add(language.toLowerCase(Locale.ROOT))) {
                throw fail(doc, where, key + " gives language '" + language
                        + "' more than once (language tags do not distinguish case)");
            }
            if ((language == null || language.equalsIgnoreCase("en")) && ++defaults > 1) {
                throw fail(doc, where, key + " gives more than one default text (a plain string, an untagged value"
                        + " or an 'en' value)");
            }
            texts.add(entry);
        }
        if (texts.size() > MAX_LANGUAGES) {
            throw fail(doc, where, key + " has " + texts.size() + " languages; at most " + MAX_LANGUAGES
                    + " are allowed");
        }
        return texts;
    }

    /**
     * A validated displayName or description as a language map, the form ADT returns: a plain string or untagged
     * value is the "en" text.
     *
     * @return language tag to text, in declaration order; empty for null
     */
    public static Map<String, String> languageMap(JsonNode value) {
        Map<String, String> map = new LinkedHashMap<>();
        if (value == null) {
            return map;
        }
        if (value.isTextual()) {
            map.put("en", value.asText());
        } else if (value.isObject()) {
            value.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        } else {
            for (JsonNode entry : value) {
                boolean tagged = entry.isObject() && entry.path("@language").isTextual();
                map.put(tagged ? entry.get("@language").asText() : "en",
                        entry.isObject() ? entry.path("@value").asText() : entry.asText());
            }
        }
        return map;
    }

    private static void checkLanguages(Doc doc, JsonNode map, String key, String where) {
        if (map.size() > MAX_LANGUAGES) {
            throw fail(doc, where, key + " has " + map.size() + " languages; at most " + MAX_LANGUAGES
                    + " are allowed");
        }
        Set<String> seen = new HashSet<>();
        for (Iterator<String> tags = map.fieldNames(); tags.hasNext(); ) {
            String tag = tags.next();
            if (!isLanguageTag(tag)) {
                throw fail(doc, where, key + " language '" + tag
                        + "' is not a BCP 47 language tag such as 'en', 'de-CH' or 'zh-Hant'");
            }
            if (!seen.add(tag.toLowerCase(Locale.ROOT))) {
                throw fail(doc, where, key + " gives language '" + tag
                        + "' more than once (language tags do not distinguish case)");
            }
        }
    }

    /**
     * True for a well-formed BCP 47 tag whose language is a 2–3 letter code (or private use, {@code x-...}).
     * BCP 47 reserves 4-letter languages and registers none of 5–8 letters, so a key such as {@code english} is a
     * mistake even though its form parses.
     */
    private static boolean isLanguageTag(String tag) {
        if (tag.isEmpty()) {
            return false;
        }
        try {
            new Locale.Builder().setLanguageTag(tag);
        } catch (IllformedLocaleException e) {
            return false;
        }
        int end = tag.indexOf('-');
        return (end < 0 ? tag.length() : end) <= 3;
    }

    /**
     * The values of a member DTDL defines as a set. JSON-LD compaction writes a set of one as the bare value, and
     * published ontologies do the same, so a single value means an array of one.
     */
    private static List<JsonNode> values(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            return List.of(node);
        }
        List<JsonNode> all = new ArrayList<>(node.size());
        node.forEach(all::add);
        return all;
    }

    /** Where the element of a set is: by index when the set was written as an array, by the member when not. */
    private static String at(String key, JsonNode set, int index) {
        return set.isArray() ? key + "[" + index + "]" : key;
    }

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> all = new HashSet<>(base);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    /** Resolution state of one parse call: batch documents, finished models, the chain being resolved. */
    private static final class Batch {
        final Map<String, Doc> docs = new LinkedHashMap<>();
        /** Interfaces written inside another's extends: resolved like the others, but not models of their own. */
        final Set<String> inline = new HashSet<>();
        final Map<String, InterfaceModel> resolved = new HashMap<>();
        final Map<String, InterfaceModel> storedCache = new HashMap<>();
        final Map<String, Integer> depths = new HashMap<>();
        final List<String> resolving = new ArrayList<>();
        final Function<String, InterfaceModel> stored;

        Batch(Function<String, InterfaceModel> stored) {
            this.stored = stored;
        }

        /** The model with this id, resolving batch members on first use; null when it is nowhere. */
        InterfaceModel model(String id) {
            InterfaceModel done = resolved.get(id);
            if (done != null) {
                return done;
            }
            Doc doc = docs.get(id);
            if (doc == null) {
                if (storedCache.containsKey(id)) {
                    return storedCache.get(id);
                }
                InterfaceModel model = stored.apply(id);
                storedCache.put(id, model);
                if (model != null) {
                    // its inline bases were stored inside its definition; later lookups by their @id find them here
                    Set<String> extensions = new LinkedHashSet<>();
                    contextVersion(model.definition().get("@context"), id, extensions);
                    addInline(new Doc(id, model.dtdlVersion(), Set.copyOf(extensions),
                            JsonLdForms.plain(model.definition(), model.dtdlVersion()), model.definition(), false),
                            false);
                }
                return model;
            }
            int start = resolving.indexOf(id);
            if (start >= 0) {
                List<String> cycle = new ArrayList<>(resolving.subList(start, resolving.size()));
                cycle.add(id);
                throw new DtdlException(resolving.get(resolving.size() - 1) + ": reference cycle "
                        + String.join(" -> ", cycle) + " (extends and components may not form cycles)");
            }
            resolving.add(id);
            InterfaceModel model = new InterfaceReader(this, doc).read();
            resolving.remove(resolving.size() - 1);
            resolved.put(id, model);
            return model;
        }

        /**
         * Registers the Interfaces written inside {@code owner}'s extends and as its components' schemas, and theirs,
         * as documents to resolve.
         */
        void addInline(Doc owner, boolean refuseDuplicates) {
            List<Map.Entry<String, JsonNode>> written = new ArrayList<>();
            values(owner.json.get("extends")).forEach(e -> written.add(Map.entry("extends", e)));
            for (JsonNode content : values(owner.json.get("contents"))) {
                JsonNode schema = content.get("schema");
                if (schema != null && schema.isArray() && schema.size() == 1) {
                    schema = schema.get(0);
                }
                if (schema != null && content.isObject() && "Component".equals(singleType(content.get("@type")))) {
                    written.add(Map.entry("content '" + content.path("name").asText() + "': schema", schema));
                }
            }
            for (Map.Entry<String, JsonNode> place : written) {
                JsonNode entry = place.getValue();
                if (!entry.isObject()) {
                    continue;
                }
                Doc doc = inlineInterface(owner, entry, place.getKey());
                if (docs.putIfAbsent(doc.id, doc) != null) {
                    if (refuseDuplicates) {
                        throw new DtdlException(doc.id + ": @id appears more than once in the batch");
                    }
                    continue;
                }
                inline.add(doc.id);
                addInline(doc, refuseDuplicates);
            }
        }

        /** A base that must exist because a model already resolved against it names it. */
        InterfaceModel known(String id, String namedBy) {
            InterfaceModel model = model(id);
            if (model == null) {
                throw new DtdlException(namedBy + ": base '" + id + "' is no longer an uploaded model");
            }
            return model;
        }

        /** Levels of extends below the model: 0 for an interface that extends nothing. */
        int depth(InterfaceModel model) {
            Integer known = depths.get(model.id());
            if (known != null) {
                return known;
            }
            int depth = 0;
            for (String parentId : model.extendsIds()) {
                depth = Math.max(depth, 1 + depth(known(parentId, model.id())));
            }
            depths.put(model.id(), depth);
            return depth;
        }
    }

    /** Validates one document and builds its model; bases and component schemas are resolved through the batch. */
    private static final class InterfaceReader {
        private final Batch batch;
        private final Doc doc;
        private final Map<String, JsonNode> namedSchemas = new LinkedHashMap<>();
        private final List<String> schemasInProgress = new ArrayList<>();

        InterfaceReader(Batch batch, Doc doc) {
            this.batch = batch;
            this.doc = doc;
        }

        InterfaceModel read() {
            List<String> extendsIds = extendsIds();
            List<InterfaceModel> parents = new ArrayList<>();
            Set<String> ancestors = new LinkedHashSet<>();
            for (String parentId : extendsIds) {
                InterfaceModel parent = batch.model(parentId);
                if (parent == null) {
                    throw fail(doc, "extends", "'" + parentId + "' is neither in the batch nor an uploaded model");
                }
                if (doc.version == 2 && parent.dtdlVersion() == 3) {
                    throw fail(doc, "extends", "a DTDL v2 interface may not extend DTDL v3 interface '" + parentId + "'");
                }
                parents.add(parent);
                ancestors.add(parentId);
                ancestors.addAll(parent.ancestors());
            }
            int depth = parents.stream().mapToInt(p -> 1 + batch.depth(p)).max().orElse(0);
            if (depth > MAX_EXTENDS_DEPTH) {
                throw fail(doc, "extends", "the extends hierarchy is " + depth + " levels deep, more than "
                        + MAX_EXTENDS_DEPTH);
            }
            if (doc.version == 3 && doc.strict) {
                // every value of every extends in the tree, as DTDL v3 counts them
                int values = extendsIds.size();
                for (String ancestorId : ancestors) {
                    values += batch.known(ancestorId, doc.id).extendsIds().size();
                }
                if (values > MAX_V3_EXTENDS_TREE) {
                    throw fail(doc, "extends", "the extends tree has " + values + " values, more than "
                            + MAX_V3_EXTENDS_TREE);
                }
            }

            Map<String, Content> contents = new LinkedHashMap<>();
            Map<String, String> declaredBy = new HashMap<>();
            Set<String> visited = new HashSet<>();
            parents.forEach(parent -> inherit(parent, contents, declaredBy, visited));

            // a base's schemas are its own (DTDL's partitions: "an inheriting Interface cannot reuse schemas defined
            // in the Interface it extends"); a model stored before that was checked may name them, and still reads
            if (!doc.strict) {
                for (String ancestorId : ancestors) {
                    InterfaceModel ancestor = batch.known(ancestorId, doc.id);
                    collectNamedSchemas(JsonLdForms.plain(ancestor.definition(), ancestor.dtdlVersion()), false);
                }
            }
            collectNamedSchemas(doc.json, true);

            // an inline base is part of this model, so what it needs is what this model needs
            Set<String> references = new LinkedHashSet<>();
            for (InterfaceModel parent : parents) {
                if (batch.inline.contains(parent.id())) {
                    references.addAll(parent.references());
                } else {
                    references.add(parent.id());
                }
            }
            readContents(contents, declaredBy, references);
            checkSize(contents, ancestors);
            return new InterfaceModel(doc.id, doc.version, doc.source, List.copyOf(extendsIds),
                    Collections.unmodifiableSet(ancestors), Collections.unmodifiableMap(contents),
                    Collections.unmodifiableSet(references));
        }

        private List<String> extendsIds() {
            List<JsonNode> entries = values(doc.json.get("extends"));
            List<String> ids = new ArrayList<>();
            if (doc.version == 2 && entries.size() > MAX_V2_EXTENDS) {
                throw fail(doc, "extends", "DTDL v2 allows at most " + MAX_V2_EXTENDS + " interfaces in extends");
            }
            for (JsonNode entry : entries) {
                String id;
                if (entry.isObject()) {
                    // registered and checked by Batch.addInline before any model is read
                    id = entry.get("@id").asText();
                } else {
                    id = dtmi(entry, "extends");
                    notInline(id, "extends");
                }
                if (ids.contains(id)) {
                    throw fail(doc, "extends", "'" + id + "' is listed twice");
                }
                ids.add(id);
            }
            return ids;
        }

        /**
         * Only top-level Interfaces are stored as models, so only they may be named: a model naming another's inline
         * interface could not be resolved once stored on its own.
         */
        private void notInline(String id, String where) {
            if (batch.inline.contains(id)) {
                throw fail(doc, where, "'" + id + "' is an interface written inline in another interface's extends;"
                        + " only top-level interfaces can be named, so write it at the top level");
            }
        }

        /** Adds a base's contents depth-first, so a diamond's shared base contributes its contents once. */
        private void inherit(InterfaceModel model, Map<String, Content> contents, Map<String, String> declaredBy,
                Set<String> visited) {
            if (!visited.add(model.id())) {
                return;
            }
            Set<String> inheritedByModel = new HashSet<>();
            for (String parentId : model.extendsIds()) {
                InterfaceModel parent = batch.known(parentId, model.id());
                inherit(parent, contents, declaredBy, visited);
                inheritedByModel.addAll(parent.contents().keySet());
            }
            for (Content content : model.contents().values()) {
                if (inheritedByModel.contains(content.name())) {
                    continue;
                }
                String other = declaredBy.putIfAbsent(content.name(), model.id());
                if (other != null) {
                    throw fail(doc, "extends", "content '" + content.name() + "' is inherited from both '" + other
                            + "' and '" + model.id() + "'");
                }
                contents.put(content.name(), content);
            }
        }

        private void collectNamedSchemas(JsonNode definition, boolean own) {
            List<JsonNode> schemas = values(definition.get("schemas"));
            for (JsonNode schema : schemas) {
                JsonNode id = schema.get("@id");
                if (own && (!schema.isObject() || id == null)) {
                    throw fail(doc, "schemas", "each schema needs an @id so that contents can refer to it");
                }
                if (id != null) {
                    namedSchemas.put(id.asText(), schema);
                }
            }
            if (own) {
                // a complex schema written inline with an @id may be named elsewhere in its interface too
                collectInlineSchemas(definition.get("contents"));
                // Validate every declared schema, including ones no content uses yet.
                for (JsonNode schema : schemas) {
                    namedSchema(schema.get("@id").asText(), "schemas", 1, false);
                }
            }
        }

        /**
         * Complex schemas with an @id anywhere below the contents. They stay in their interface (DTDL's partition):
         * an inline interface is a partition of its own and is not entered.
         */
        private void collectInlineSchemas(JsonNode node) {
            if (node == null) {
                return;
            }
            if (node.isObject()) {
                if (node.path("@id").isTextual() && COMPLEX_SCHEMAS.contains(String.valueOf(singleType(node.get("@type"))))) {
                    namedSchemas.putIfAbsent(node.get("@id").asText(), node);
                }
                if ("Interface".equals(singleType(node.get("@type")))) {
                    return;
                }
            }
            if (node.isContainerNode()) {
                node.forEach(this::collectInlineSchemas);
            }
        }

        private void readContents(Map<String, Content> contents, Map<String, String> declaredBy,
                Set<String> references) {
            JsonNode set = doc.json.get("contents");
            List<JsonNode> nodes = values(set);
            for (int i = 0; i < nodes.size(); i++) {
                JsonNode node = nodes.get(i);
                if (!node.isObject()) {
                    throw fail(doc, at("contents", set, i), "must be an object");
                }
                String name = name(node, at("contents", set, i));
                String where = "content '" + name + "'";
                String base = declaredBy.get(name);
                if (base != null) {
                    throw fail(doc, where, "redeclares content '" + name + "' inherited from '" + base + "'");
                }
                if (contents.containsKey(name)) {
                    throw fail(doc, where, "the name is used by more than one content");
                }
                Content content = content(node, where);
                if (content instanceof Content.Component component) {
                    // an inline component interface is part of this model, so what it needs is what this needs
                    if (component.inline() != null) {
                        references.addAll(component.inline().references());
                    } else {
                        references.add(component.schema());
                    }
                }
                contents.put(name, content);
            }
        }

        private void checkSize(Map<String, Content> contents, Set<String> ancestors) {
            if (doc.version == 2 && contents.size() > MAX_V2_CONTENTS) {
                throw fail(doc, "contents", "DTDL v2 allows at most " + MAX_V2_CONTENTS
                        + " contents including inherited ones, found " + contents.size());
            }
            if (doc.version == 3) {
                long elements = countObjects(doc.json);
                for (String ancestorId : ancestors) {
                    elements += countObjects(batch.known(ancestorId, doc.id).definition());
                }
                if (elements > MAX_V3_ELEMENTS) {
                    throw fail(doc, "interface", "DTDL v3 allows at most " + MAX_V3_ELEMENTS
                            + " elements including inherited ones, found " + elements);
                }
            }
        }

        private static long countObjects(JsonNode node) {
            long count = node.isObject() ? 1 : 0;
            for (JsonNode child : node) {
                count += countObjects(child);
            }
            return count;
        }

        private String name(JsonNode node, String where) {
            JsonNode name = node.get("name");
            if (name == null || !name.isTextual()) {
                throw fail(doc, where, "name is required and must be a string");
            }
            String value = name.asText();
            int max = doc.version == 2 ? MAX_NAME_LENGTH : MAX_V3_TEXT_LENGTH;
            if (value.length() > max) {
                throw fail(doc, where, "name '" + value + "' is longer than " + max + " characters");
            }
            if (!NAME.matcher(value).matches()) {
                throw fail(doc, where, "name '" + value + "' must start with a letter, contain only letters, digits"
                        + " and '_', and not end with '_'");
            }
            return value;
        }

        private String dtmi(JsonNode node, String where) {
            if (node == null || !node.isTextual()) {
                throw fail(doc, where, "must be a DTMI string");
            }
            String problem = dtmiProblem(node.asText(), doc.version, MAX_DTMI_LENGTH);
            if (problem != null) {
                throw fail(doc, where, "'" + node.asText() + "' " + problem);
            }
            return node.asText();
        }

        /** The element kind and its co-types, from an @type that is a string or an array of strings. */
        private record Types(String kind, List<String> coTypes) {
        }

        private Types types(JsonNode type, String where) {
            List<String> all = new ArrayList<>();
            if (type != null && type.isTextual()) {
                all.add(type.asText());
            } else if (type != null && type.isArray()) {
                for (JsonNode entry : type) {
                    if (!entry.isTextual()) {
                        throw fail(doc, where, "@type entries must be strings");
                    }
                    all.add(entry.asText());
                }
            }
            List<String> kinds = all.stream()
                    .filter(t -> List.of("Property", "Telemetry", "Command", "Relationship", "Component").contains(t))
                    .toList();
            if (kinds.size() != 1) {
                throw fail(doc, where, "@type must name exactly one of Property, Telemetry, Command, Relationship or"
                        + " Component");
            }
            List<String> coTypes = new ArrayList<>(all);
            coTypes.remove(kinds.get(0));
            return new Types(kinds.get(0), coTypes);
        }

        private Content content(JsonNode node, String where) {
            Types types = types(node.get("@type"), where);
            return switch (types.kind) {
                case "Property" -> property(node, types, where);
                case "Telemetry" -> telemetry(node, types, where);
                case "Relationship" -> relationship(node, types, where);
                case "Command" -> command(node, types, where);
                default -> component(node, types, where);
            };
        }

        private Content.Property property(JsonNode node, Types types, String where) {
            boolean semantic = checkCoTypes(node, types, where, "schema", "writable");
            JsonNode writable = node.get("writable");
            if (writable != null && !writable.isBoolean()) {
                throw fail(doc, where, "writable must be true or false");
            }
            Schema schema = contentSchema(node, where, doc.version == 2, semantic);
            return new Content.Property(node.get("name").asText(), schema, writable != null && writable.asBoolean());
        }

        private Content.Telemetry telemetry(JsonNode node, Types types, String where) {
            boolean semantic = checkCoTypes(node, types, where, "schema");
            return new Content.Telemetry(node.get("name").asText(), contentSchema(node, where, false, semantic));
        }

        private Content.Relationship relationship(JsonNode node, Types types, String where) {
            checkCoTypes(node, types, where, "target", "maxMultiplicity", "minMultiplicity", "properties", "writable");
            String target = node.has("target") ? dtmi(node.get("target"), where + ": target") : null;
            Integer min = integer(node, "minMultiplicity", where);
            if (min != null && min != 0) {
                throw fail(doc, where, "minMultiplicity must be 0");
            }
            Integer max = integer(node, "maxMultiplicity", where);
            if (max != null && max < 1) {
                throw fail(doc, where, "maxMultiplicity must be an integer of at least 1");
            }
            if (max != null && doc.version == 2 && max > MAX_V2_MULTIPLICITY) {
                throw fail(doc, where, "DTDL v2 allows a maxMultiplicity of at most " + MAX_V2_MULTIPLICITY);
            }
            JsonNode writable = node.get("writable");
            if (writable != null && !writable.isBoolean()) {
                throw fail(doc, where, "writable must be true or false");
            }
            Map<String, Content.Property> properties = new LinkedHashMap<>();
            JsonNode set = node.get("properties");
            List<JsonNode> propertyNodes = values(set);
            if (set != null) {
                if (doc.version == 2 && propertyNodes.size() > MAX_V2_RELATIONSHIP_PROPERTIES) {
                    throw fail(doc, where, "DTDL v2 allows at most " + MAX_V2_RELATIONSHIP_PROPERTIES
                            + " relationship properties");
                }
                for (int i = 0; i < propertyNodes.size(); i++) {
                    JsonNode propertyNode = propertyNodes.get(i);
                    if (!propertyNode.isObject()) {
                        throw fail(doc, where + ": " + at("properties", set, i), "must be an object");
                    }
                    String name = name(propertyNode, where + ": " + at("properties", set, i));
                    String propertyWhere = where + ": property '" + name + "'";
                    Types propertyTypes = types(propertyNode.get("@type"), propertyWhere);
                    if (!propertyTypes.kind.equals("Property")) {
                        throw fail(doc, propertyWhere, "relationship properties must have @type Property");
                    }
                    if (properties.put(name, property(propertyNode, propertyTypes, propertyWhere)) != null) {
                        throw fail(doc, propertyWhere, "the name is used by more than one property of the relationship");
                    }
                }
            }
            return new Content.Relationship(node.get("name").asText(), target, max,
                    Collections.unmodifiableMap(properties));
        }

        /** An integer-valued key, or null. DTDL integers are 32-bit: a larger number is refused, not wrapped. */
        private Integer integer(JsonNode node, String key, String where) {
            JsonNode value = node.get(key);
            if (value == null) {
                return null;
            }
            if (!value.isIntegralNumber()) {
                throw fail(doc, where, key + " must be an integer");
            }
            if (!value.canConvertToInt()) {
                throw fail(doc, where, key + " " + value + " is outside the 32-bit integer range ("
                        + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ")");
            }
            return value.intValue();
        }

        private Content.Component component(JsonNode node, Types types, String where) {
            checkCoTypes(node, types, where, "schema");
            JsonNode schemaNode = node.get("schema");
            if (schemaNode != null && schemaNode.isArray() && schemaNode.size() == 1) {
                schemaNode = schemaNode.get(0);
            }
            String schemaId;
            boolean inline = schemaNode != null && schemaNode.isObject();
            if (inline) {
                // an Interface written here: registered by Batch.addInline, part of this model
                schemaId = schemaNode.get("@id").asText();
            } else {
                schemaId = dtmi(schemaNode, where + ": schema");
                notInline(schemaId, where + ": schema");
            }
            InterfaceModel target = batch.model(schemaId);
            if (target == null) {
                throw fail(doc, where, "schema '" + schemaId + "' is neither in the batch nor an uploaded model");
            }
            if (doc.version == 2 && target.dtdlVersion() == 3 && doc.strict) {
                throw fail(doc, where, "a DTDL v2 interface may not use DTDL v3 interface '" + schemaId
                        + "' as a component schema");
            }
            if (target.contents().values().stream().anyMatch(Content.Component.class::isInstance)) {
                throw fail(doc, where, "interface '" + schemaId + "' has components itself; ADT allows only one level"
                        + " of components");
            }
            return new Content.Component(node.get("name").asText(), schemaId, inline ? target : null);
        }

        /**
         * A Command is kept with its payloads so the model reads back whole; twins never use it. DTDL v2 calls both
         * payloads CommandPayload; commandType is deprecated in both versions and still valid.
         */
        private Content.Command command(JsonNode node, Types types, String where) {
            checkCoTypes(node, types, where, "request", "response", "commandType");
            JsonNode commandType = node.get("commandType");
            String type = commandType == null || !commandType.isTextual() ? null : commandType.asText()
                    .replaceFirst("^dtmi:dtdl:instance:CommandType:([a-z]+);" + doc.version + "$", "$1");
            if (commandType != null && !List.of("synchronous", "asynchronous").contains(type)) {
                throw fail(doc, where, "commandType must be 'synchronous' or 'asynchronous'");
            }
            return new Content.Command(node.get("name").asText(), type,
                    payload(node, "request", doc.version == 2 ? "CommandPayload" : "CommandRequest", where),
                    payload(node, "response", doc.version == 2 ? "CommandPayload" : "CommandResponse", where));
        }

        private Content.Command.Payload payload(JsonNode command, String key, String type, String where) {
            List<JsonNode> entries = values(command.get(key));
            if (entries.isEmpty()) {
                return null;
            }
            if (entries.size() > 1 || !entries.get(0).isObject()) {
                throw fail(doc, where, key + " must be one " + type + " object with a name and a schema");
            }
            JsonNode payload = entries.get(0);
            String payloadWhere = where + ": " + key;
            boolean semantic = checkPart(payload, type, payloadWhere);
            String name = name(payload, payloadWhere);
            JsonNode schema = payload.get("schema");
            if (schema == null) {
                throw fail(doc, payloadWhere, "schema is required");
            }
            Schema resolved = schema(schema, payloadWhere, 1, false);
            if (semantic) {
                requireNumeric(resolved, payloadWhere);
            }
            return new Content.Command.Payload(name, resolved);
        }

        /**
         * Checks keys and co-types of a content element.
         *
         * @return true when a co-type is a semantic type, which requires a unit and a numeric schema
         */
        private boolean checkCoTypes(JsonNode node, Types types, String where, String... kindKeys) {
            boolean semanticAllowed = types.kind.equals("Property") || types.kind.equals("Telemetry");
            return checkTyped(node, types.kind, types.coTypes, semanticAllowed, union(NAMED_KEYS, kindKeys), where);
        }

        /**
         * The co-types of an element, its keys and its descriptive texts: extension co-types with the keys they add,
         * semantic types (each needs a unit, which then must be of its unit type), and DTDL v2's undefined co-types.
         *
         * @param semanticAllowed whether this kind of element takes semantic types: Properties and Telemetry, and in
         *                        DTDL v3 also Fields, MapValues and a Command's request and response
         * @return true when a co-type is a semantic type, which requires a numeric schema
         */
        private boolean checkTyped(JsonNode node, String kind, List<String> coTypes, boolean semanticAllowed,
                Set<String> allowed, String where) {
            boolean quantitative = doc.version == 2 || doc.extensions.contains(QUANTITATIVE_TYPES);
            List<String> semanticTypes = new ArrayList<>();
            boolean undefined = false;
            for (String coType : coTypes) {
                String extension = EXTENSION_CO_TYPES.get(coType);
                if (extension != null) {
                    if (!doc.extensions.contains(extension)) {
                        throw fail(doc, where, "co-type '" + coType + "' needs the extension context " + extension);
                    }
                    if (EXTENSION_CO_TYPE_KEYS.containsKey(coType)) {
                        allowed = union(allowed, EXTENSION_CO_TYPE_KEYS.get(coType));
                    }
                } else if (quantitative && SemanticTypes.unitType(doc.version, coType) != null) {
                    semanticTypes.add(coType);
                } else if (doc.version == 3 && quantitative) {
                    if (doc.strict) {
                        throw fail(doc, where, "'" + coType + "' is not a semantic type of " + QUANTITATIVE_TYPES);
                    }
                    semanticTypes.add(coType);
                } else if (doc.version == 2 && undefinedV2CoType(coType)) {
                    undefined = true;
                } else if (doc.version == 2) {
                    throw fail(doc, where, "'" + coType + "' is not a DTDL v2 semantic type");
                } else {
                    throw fail(doc, where, "semantic type '" + coType + "' needs the extension context "
                            + QUANTITATIVE_TYPES);
                }
            }
            boolean semantic = !semanticTypes.isEmpty();
            if (semantic) {
                if (!semanticAllowed) {
                    throw fail(doc, where, "semantic types apply only to Properties and Telemetry"
                            + (doc.version == 3 ? ", Fields, MapValues and a Command's request and response" : ""));
                }
                JsonNode unit = node.get("unit");
                if (unit == null || !unit.isTextual()) {
                    throw fail(doc, where, "a semantic type needs a 'unit'");
                }
                if (doc.strict) {
                    checkUnit(unit.asText(), semanticTypes, where);
                }
                allowed = union(allowed, "unit");
            } else if (node.has("unit") && !undefined) {
                throw fail(doc, where, "'unit' is only allowed with a semantic type such as [\""
                        + kind + "\", \"Temperature\"]");
            }
            checkKeys(doc, node, allowed, where, undefined);
            checkDescriptive(doc, node, where);
            return semantic;
        }

        /**
         * A Field, MapValue, or a Command's request or response: its @type, if given, names its kind, and may add
         * co-types as a content's does.
         *
         * @return true when it has a semantic type, which requires a numeric schema
         */
        private boolean checkPart(JsonNode node, String kind, String where) {
            JsonNode type = node.get("@type");
            List<String> coTypes = new ArrayList<>();
            if (type != null) {
                for (JsonNode t : values(type)) {
                    if (!t.isTextual()) {
                        throw fail(doc, where, "@type entries must be strings");
                    }
                    coTypes.add(t.asText());
                }
                if (!coTypes.remove(kind) && doc.strict) {
                    throw fail(doc, where, "@type must be '" + kind + "' or include it");
                }
            }
            return checkTyped(node, kind, coTypes, doc.version == 3, union(NAMED_KEYS, "schema"), where);
        }

        private void requireNumeric(Schema schema, String where) {
            if (!(schema instanceof Schema.Primitive p && switch (p.kind()) {
                case DOUBLE, FLOAT, INTEGER, LONG -> true;
                default -> false;
            })) {
                throw fail(doc, where, "a semantic type needs a numeric schema (double, float, integer or long)");
            }
        }

        /** A semantic type takes only the units of its unit type: a Temperature is not measured in metres. */
        private void checkUnit(String unit, List<String> semanticTypes, String where) {
            for (String semanticType : semanticTypes) {
                String unitType = SemanticTypes.unitType(doc.version, semanticType);
                Set<String> units = SemanticTypes.units(doc.version, unitType);
                if (!units.contains(unit)) {
                    throw fail(doc, where, "unit '" + unit + "' is not a " + unitType + ", which " + semanticType
                            + " takes: " + String.join(", ", new TreeSet<>(units)));
                }
            }
        }

        private Schema contentSchema(JsonNode node, String where, boolean noArrays, boolean numeric) {
            JsonNode schemaNode = node.get("schema");
            if (schemaNode == null) {
                throw fail(doc, where, "schema is required");
            }
            Schema schema = schema(schemaNode, where, 1, noArrays);
            if (numeric) {
                requireNumeric(schema, where);
            }
            return schema;
        }

        /**
         * @param depth    nesting level a complex schema here would have (1 = directly under a content)
         * @param noArrays true inside a DTDL v2 Property, where Array may not appear at any level
         */
        private Schema schema(JsonNode node, String where, int depth, boolean noArrays) {
            // DTDL allows a schema to be written as an array of exactly one
            if (node.isArray() && node.size() == 1) {
                node = node.get(0);
            }
            if (node.isTextual()) {
                String name = node.asText();
                for (Schema.PrimitiveKind kind : Schema.PrimitiveKind.values()) {
                    if (kind.dtdlName().equals(name) || kind.dtmi(doc.version).equals(name)) {
                        return new Schema.Primitive(kind);
                    }
                }
                if (namedSchemas.containsKey(name)) {
                    return namedSchema(name, where, depth, noArrays);
                }
                throw fail(doc, where, "schema '" + name
                        + "' is not a primitive schema, a complex schema object or a known schema DTMI");
            }
            if (node.isObject()) {
                return complexSchema(node, where, depth, noArrays);
            }
            throw fail(doc, where, "schema must be a string or a complex schema object");
        }

        private Schema namedSchema(String id, String where, int depth, boolean noArrays) {
            if (schemasInProgress.contains(id)) {
                throw fail(doc, where, "schema '" + id + "' refers to itself");
            }
            schemasInProgress.add(id);
            Schema schema = complexSchema(namedSchemas.get(id), where + ": schema '" + id + "'", depth, noArrays);
            schemasInProgress.remove(schemasInProgress.size() - 1);
            return schema;
        }

        private Schema complexSchema(JsonNode node, String where, int depth, boolean noArrays) {
            if (depth > MAX_SCHEMA_DEPTH) {
                throw fail(doc, where, "complex schemas may nest at most " + MAX_SCHEMA_DEPTH + " levels deep");
            }
            if (doc.strict) {
                checkDescriptive(doc, node, where);
            }
            JsonNode type = node.get("@type");
            String kind = singleType(type) != null ? singleType(type) : String.valueOf(type);
            return switch (kind) {
                case "Array" -> {
                    if (noArrays) {
                        throw fail(doc, where, "DTDL v2 does not allow Array schemas in a Property (at any depth)");
                    }
                    checkKeys(doc, node, union(DESCRIPTIVE_KEYS, "elementSchema"), where);
                    yield new Schema.ArraySchema(required(node, "elementSchema", where, depth, noArrays));
                }
                case "Enum" -> enumSchema(node, where);
                case "Map" -> mapSchema(node, where, depth, noArrays);
                case "Object" -> objectSchema(node, where, depth, noArrays);
                case "Interface" -> throw fail(doc, where, "an Interface is the schema of a Component only");
                default -> throw fail(doc, where, "@type " + kind + " is not a complex schema (Array, Enum, Map or Object)");
            };
        }

        private Schema required(JsonNode node, String key, String where, int depth, boolean noArrays) {
            JsonNode schema = node.get(key);
            if (schema == null) {
                throw fail(doc, where, key + " is required");
            }
            return schema(schema, where + ": " + key, depth + 1, noArrays);
        }

        private Schema enumSchema(JsonNode node, String where) {
            checkKeys(doc, node, union(DESCRIPTIVE_KEYS, "valueSchema", "enumValues"), where);
            JsonNode valueSchema = node.get("valueSchema");
            Schema.PrimitiveKind valueKind = valueSchema == null ? null : switch (valueSchema.asText()) {
                case "integer" -> Schema.PrimitiveKind.INTEGER;
                case "string" -> Schema.PrimitiveKind.STRING;
                default -> null;
            };
            if (valueKind == null || !valueSchema.isTextual()) {
                throw fail(doc, where, "Enum valueSchema must be 'integer' or 'string'");
            }
            JsonNode set = node.get("enumValues");
            if (set == null) {
                throw fail(doc, where, "Enum needs enumValues");
            }
            List<JsonNode> array = values(set);
            if (doc.version == 2 && array.size() > MAX_V2_ENUM_VALUES) {
                throw fail(doc, where, "DTDL v2 allows at most " + MAX_V2_ENUM_VALUES + " enum values");
            }
            List<Schema.EnumValue> values = new ArrayList<>();
            Set<String> names = new HashSet<>();
            Set<Object> seen = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                JsonNode entry = array.get(i);
                String entryWhere = where + ": " + at("enumValues", set, i);
                if (!entry.isObject()) {
                    throw fail(doc, entryWhere, "must be an object");
                }
                checkKeys(doc, entry, union(NAMED_KEYS, "enumValue"), entryWhere);
                String name = name(entry, entryWhere);
                entryWhere = where + ": enum value '" + name + "'";
                if (doc.strict) {
                    checkDescriptive(doc, entry, entryWhere);
                }
                JsonNode raw = entry.get("enumValue");
                Object value;
                if (valueKind == Schema.PrimitiveKind.INTEGER && raw != null && raw.isIntegralNumber()) {
                    value = integer(entry, "enumValue", entryWhere);
                } else if (valueKind == Schema.PrimitiveKind.STRING && raw != null && raw.isTextual()) {
                    value = raw.asText();
                } else {
                    throw fail(doc, entryWhere, "enumValue " + raw + " is not a valid " + valueKind.dtdlName());
                }
                if (!names.add(name)) {
                    throw fail(doc, entryWhere, "the name is used by more than one enum value");
                }
                if (!seen.add(value)) {
                    throw fail(doc, entryWhere, "enumValue " + raw + " is used by more than one enum value");
                }
                values.add(new Schema.EnumValue(name, value));
            }
            return new Schema.EnumSchema(valueKind, List.copyOf(values));
        }

        private Schema mapSchema(JsonNode node, String where, int depth, boolean noArrays) {
            checkKeys(doc, node, union(DESCRIPTIVE_KEYS, "mapKey", "mapValue"), where);
            JsonNode key = node.get("mapKey");
            JsonNode value = node.get("mapValue");
            if (key == null || !key.isObject() || value == null || !value.isObject()) {
                throw fail(doc, where, "Map needs mapKey and mapValue objects");
            }
            checkKeys(doc, key, union(NAMED_KEYS, "schema"), where + ": mapKey");
            if (doc.strict) {
                checkDescriptive(doc, key, where + ": mapKey");
            }
            boolean semantic = checkPart(value, "MapValue", where + ": mapValue");
            String keyName = name(key, where + ": mapKey");
            String valueName = name(value, where + ": mapValue");
            JsonNode keySchema = key.get("schema");
            if (keySchema == null || !"string".equals(keySchema.asText()) || !keySchema.isTextual()) {
                throw fail(doc, where + ": mapKey", "schema must be 'string'");
            }
            Schema valueSchema = required(value, "schema", where + ": mapValue", depth, noArrays);
            if (semantic) {
                requireNumeric(valueSchema, where + ": mapValue");
            }
            return new Schema.MapSchema(keyName, valueName, valueSchema);
        }

        private Schema objectSchema(JsonNode node, String where, int depth, boolean noArrays) {
            checkKeys(doc, node, union(DESCRIPTIVE_KEYS, "fields"), where);
            JsonNode set = node.get("fields");
            if (set == null) {
                throw fail(doc, where, "Object needs fields");
            }
            List<JsonNode> array = values(set);
            if (doc.version == 2 && array.size() > MAX_V2_OBJECT_FIELDS) {
                throw fail(doc, where, "DTDL v2 allows at most " + MAX_V2_OBJECT_FIELDS + " fields in an Object");
            }
            Map<String, Schema> fields = new LinkedHashMap<>();
            for (int i = 0; i < array.size(); i++) {
                JsonNode field = array.get(i);
                if (!field.isObject()) {
                    throw fail(doc, where + ": " + at("fields", set, i), "must be an object");
                }
                String name = name(field, where + ": " + at("fields", set, i));
                String fieldWhere = where + ": field '" + name + "'";
                boolean semantic = checkPart(field, "Field", fieldWhere);
                if (fields.containsKey(name)) {
                    throw fail(doc, fieldWhere, "the name is used by more than one field");
                }
                JsonNode schema = field.get("schema");
                if (schema == null) {
                    throw fail(doc, fieldWhere, "schema is required");
                }
                Schema fieldSchema = schema(schema, fieldWhere, depth + 1, noArrays);
                if (semantic) {
                    requireNumeric(fieldSchema, fieldWhere);
                }
                fields.put(name, fieldSchema);
            }
            return new Schema.ObjectSchema(Collections.unmodifiableMap(fields));
        }
    }
}
