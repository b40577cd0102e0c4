package io.twingress.model;

import java.util.List;
import java.util.Map;

/** A resolved DTDL schema: named schema references are already replaced by their definitions. */
public sealed interface Schema {

    /** DTDL's standard schemas: the primitive ones, and the geospatial ones (GeoJSON geometries, RFC 7946). */
    enum PrimitiveKind {
        BOOLEAN("boolean"), DATE("date"), DATE_TIME("dateTime"), DOUBLE("double"), DURATION("duration"),
        FLOAT("float"), INTEGER("integer"), LONG("long"), STRING("string"), TIME("time"),
        POINT("point", "Point"), MULTI_POINT("multiPoint", "MultiPoint"), LINE_STRING("lineString", "LineString"),
        MULTI_LINE_STRING("multiLineString", "MultiLineString"), POLYGON("polygon", "Polygon"),
        MULTI_POLYGON("multiPolygon", "MultiPolygon");

        private final String dtdlName;
        private final String geoJsonType;

        PrimitiveKind(String dtdlName) {
            this(dtdlName, null);
        }

        PrimitiveKind(String dtdlName, String geoJsonType) {
            this.dtdlName = dtdlName;
            this.geoJsonType = geoJsonType;
        }

        public String dtdlName() {
            return dtdlName;
        }

        /** The GeoJSON geometry type a value of a geospatial schema has, or null for a primitive schema. */
        public String geoJsonType() {
            return geoJsonType;
        }

        /** The DTMI DTDL gives this schema in a version's context, which a model may write instead of the term. */
        public String dtmi(int dtdlVersion) {
            return (geoJsonType == null ? "dtmi:dtdl:instance:Schema:" : "dtmi:standard:schema:geospatial:")
                    + dtdlName + ";" + dtdlVersion;
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
