package io.twingress.query;

/** A lexeme of the query text; {@code position} is the 1-based character offset where it starts. */
record Token(Kind kind, String text, int position) {

    enum Kind { IDENT, STRING, NUMBER, SYMBOL, END }

    boolean isKeyword(String keyword) {
        return kind == Kind.IDENT && text.equalsIgnoreCase(keyword);
    }

    boolean isSymbol(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    String describe() {
        return switch (kind) {
            case END -> "end of query";
            case STRING -> "string literal '" + text + "'";
            default -> "'" + text + "'";
        };
    }
}
