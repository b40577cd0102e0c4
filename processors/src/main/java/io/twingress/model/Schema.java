package io.twingress.model;

import java.util.List;
import java.util.Map;

/** A resolved DTDL schema: named schema references are already replaced by their definitions. */
public sealed interface Schema {

    enum PrimitiveKind {
        BOOLEAN("boolean"), DATE("date"), DATE_TIME("dateTime"), DOUBLE("double"), DURATION("duration"),
        FLOAT("float"), INTEGER("integer"), LONG("long"), STRING("string"), TIME("time");

        private final String dtdlName;

        PrimitiveKind(String dtdlName) {
            this.dtdlName = dtdlName;
        }

        public String dtdlName() {
            return dtdlName;
        }
    }

    record Primitive(PrimitiveKind kind) implements Schema {
    }

    /** @param fields field schemas by name, in declaration order */
    record ObjectSchema(Map<String, Schema> fields) implements Schema {
    }

    record MapSchema(String keyName, String valueName, Schema valueSchema) implements Schema {
    }

    /** @param valueKind INTEGER or STRING; values maps enumValue (Integer or String) to its name */
    record EnumSchema(PrimitiveKind valueKind, List<EnumValue> values) implements Schema {
    }

    record EnumValue(String name, Object value) {
    }

    record ArraySchema(Schema elementSchema) implements Schema {
    }
}
