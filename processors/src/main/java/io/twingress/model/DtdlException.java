package io.twingress.model;

/** A model that breaks a DTDL or ADT rule; the message names the element and the rule. */
public class DtdlException extends RuntimeException {

    public DtdlException(String message) {
        super(message);
    }

    /** A model written in a DTDL version this parser does not read ({@code dtmi:dtdl:context;4}, say). */
    public static final class UnsupportedVersion extends DtdlException {
        public UnsupportedVersion(String message) {
            super(message);
        }
    }
}
