package io.twingress.event;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits filter text into tokens. Keywords and function names stay identifiers; the parser matches them ignoring
 * case. A quote inside a string is written twice ({@code 'O''Brien'}); a backslash is an ordinary character.
 */
final class FilterLexer {

    private static final List<String> TWO_CHAR_SYMBOLS = List.of("!=", "<>", "<=", ">=");
    private static final String ONE_CHAR_SYMBOLS = "()[],.=<>";

    private final String text;
    private int index;

    private FilterLexer(String text) {
        this.text = text;
    }

    static List<FilterToken> tokenize(String text) {
        return new FilterLexer(text).run();
    }

    private List<FilterToken> run() {
        List<FilterToken> tokens = new ArrayList<>();
        while (true) {
            while (index < text.length() && Character.isWhitespace(text.charAt(index))) {
                index++;
            }
            if (index >= text.length()) {
                tokens.add(new FilterToken(FilterToken.Kind.END, "", text.length() + 1));
                return tokens;
            }
            tokens.add(next());
        }
    }

    private FilterToken next() {
        int start = index;
        char c = text.charAt(index);
        if (isIdentifierStart(c)) {
            while (index < text.length() && isIdentifierPart(text.charAt(index))) {
                index++;
            }
            return new FilterToken(FilterToken.Kind.IDENT, text.substring(start, index), start + 1);
        }
        // There is no arithmetic, so a minus sign directly before a digit can only start a negative number.
        if (isDigit(c) || (c == '-' && index + 1 < text.length() && isDigit(text.charAt(index + 1)))) {
            return number(start);
        }
        if (c == '\'' || c == '"') {
            return string(start, c);
        }
        for (String symbol : TWO_CHAR_SYMBOLS) {
            if (text.startsWith(symbol, index)) {
                index += 2;
                return new FilterToken(FilterToken.Kind.SYMBOL, symbol, start + 1);
            }
        }
        if (ONE_CHAR_SYMBOLS.indexOf(c) >= 0) {
            index++;
            return new FilterToken(FilterToken.Kind.SYMBOL, String.valueOf(c), start + 1);
        }
        if (c == '!') {
            throw FilterParser.invalid(start + 1, "expected '!=' but found '!'");
        }
        throw FilterParser.invalid(start + 1,
                "expected a field, value, operator or parenthesis but found " + character(start));
    }

    private FilterToken number(int start) {
        if (text.charAt(index) == '-') {
            index++;
        }
        skipDigits();
        if (index + 1 < text.length() && text.charAt(index) == '.' && isDigit(text.charAt(index + 1))) {
            index++;
            skipDigits();
        }
        if (index < text.length() && (text.charAt(index) == 'e' || text.charAt(index) == 'E')) {
            int mark = index++;
            if (index < text.length() && (text.charAt(index) == '+' || text.charAt(index) == '-')) {
                index++;
            }
            if (index < text.length() && isDigit(text.charAt(index))) {
                skipDigits();
            } else {
                index = mark;
            }
        }
        return new FilterToken(FilterToken.Kind.NUMBER, text.substring(start, index), start + 1);
    }

    private FilterToken string(int start, char quote) {
        StringBuilder value = new StringBuilder();
        index++;
        while (index < text.length()) {
            char c = text.charAt(index++);
            if (c != quote) {
                value.append(c);
            } else if (index < text.length() && text.charAt(index) == quote) {
                value.append(quote);
                index++;
            } else {
                return new FilterToken(FilterToken.Kind.STRING, value.toString(), start + 1);
            }
        }
        throw FilterParser.invalid(start + 1, "expected a closing " + quote + " for the string that starts here"
                + " but found end of filter (a quote inside a string is written twice)");
    }

    private String character(int at) {
        int codePoint = text.codePointAt(at);
        if (Character.isISOControl(codePoint) || Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)
                || !Character.isDefined(codePoint) || Character.getType(codePoint) == Character.SURROGATE
                || Character.getType(codePoint) == Character.FORMAT) {
            return String.format("character U+%04X", codePoint);
        }
        return "character '" + new String(Character.toChars(codePoint)) + "'";
    }

    private void skipDigits() {
        while (index < text.length() && isDigit(text.charAt(index))) {
            index++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c);
    }
}
