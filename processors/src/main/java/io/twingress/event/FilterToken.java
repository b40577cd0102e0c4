package io.twingress.event;

/** A lexeme of a filter; {@code position} is the 1-based character offset where it starts. */
record FilterToken(Kind kind, String text, int position) {

    enum Kind { IDENT, STRING, NUMBER, SYMBOL, END }

    /** Longest piece of user text an error message repeats, so a 4,000-character string does not become the message. */
    private static final int SHOWN = 40;

    boolean isKeyword(String keyword) {
        return kind == Kind.IDENT && text.equalsIgnoreCase(keyword);
    }

    boolean isSymbol(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    String describe() {
        return switch (kind) {
            case END -> "end of filter";
            case STRING -> "string '" + shown(text) + "'";
            default -> "'" + shown(text) + "'";
        };
    }

    /** User text as an error message can carry it: shortened, control characters spelled as escapes. */
    static String shown(String text) {
        String cut = text.length() > SHOWN ? text.substring(0, SHOWN - 3) + "..." : text;
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
