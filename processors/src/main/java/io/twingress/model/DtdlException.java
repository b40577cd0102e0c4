package io.twingress.model;

/** A model that breaks a DTDL or ADT rule; the message names the element and the rule. */
public class DtdlException extends RuntimeException {

    public DtdlException(String message) {
        super(message);
    }
}
