package io.twingress.query;

import java.util.ArrayList;
import java.util.List;

/** Splits query text into tokens. Keywords are plain identifiers here; the parser matches them ignoring case. */
final class Lexer {

    private static final List<String> TWO_CHAR_SYMBOLS = List.of("!=", "<=", ">=", "..");
    private static final String ONE_CHAR_SYMBOLS = "()[],.*=<>-:|";

    private final String text;
    private int index;

    private Lexer(String text) {
        this.text = text;
    }

    static List<Token> tokenize(String text) {
        return new Lexer(text).run();
    }

    private List<Token> run() {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            while (index < text.length() && Character.isWhitespace(text.charAt(index))) {
                index++;
            }
            if (index >= text.length()) {
                tokens.add(new Token(Token.Kind.END, "", text.length() + 1));
                return tokens;
            }
            tokens.add(next());
        }
    }

    private Token next() {
        int start = index;
        char c = text.charAt(index);
        if (isIdentifierStart(c)) {
            while (index < text.length() && isIdentifierPart(text.charAt(index))) {
                index++;
            }
            return new Token(Token.Kind.IDENT, text.substring(start, index), start + 1);
        }
        if (c >= '0' && c <= '9') {
            return number(start);
        }
        if (c == '\'' || c == '"') {
            return string(start, c);
        }
        for (String symbol : TWO_CHAR_SYMBOLS) {
            if (text.startsWith(symbol, index)) {
                index += 2;
                return new Token(Token.Kind.SYMBOL, symbol, start + 1);
            }
        }
        if (ONE_CHAR_SYMBOLS.indexOf(c) >= 0) {
            index++;
            return new Token(Token.Kind.SYMBOL, String.valueOf(c), start + 1);
        }
        throw new QueryException(start + 1, "Syntax error at position " + (start + 1)
                + ": expected a name, literal, operator or punctuation but found character '" + c + "'");
    }

    private Token number(int start) {
        skipDigits();
        // "1..3" is a hop range, so a dot only starts a fraction when a digit follows it.
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
        return new Token(Token.Kind.NUMBER, text.substring(start, index), start + 1);
    }

    private Token string(int start, char quote) {
        StringBuilder value = new StringBuilder();
        index++;
        while (index < text.length()) {
            char c = text.charAt(index++);
            if (c == quote) {
                return new Token(Token.Kind.STRING, value.toString(), start + 1);
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (index >= text.length()) {
                break;
            }
            char escaped = text.charAt(index++);
            switch (escaped) {
                case '\'', '"', '\\', '/' -> value.append(escaped);
                case 'n' -> value.append('\n');
                case 't' -> value.append('\t');
                case 'r' -> value.append('\r');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'u' -> value.append(unicodeEscape());
                default -> throw new QueryException(index - 1, "Syntax error at position " + (index - 1)
                        + ": expected an escape sequence such as \\' or \\\" but found '\\" + escaped + "'");
            }
        }
        throw new QueryException(start + 1, "Syntax error at position " + (start + 1)
                + ": expected a closing " + quote + " for the string literal but found end of query");
    }

    private char unicodeEscape() {
        if (index + 4 <= text.length()) {
            String hex = text.substring(index, index + 4);
            if (hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                index += 4;
                return (char) Integer.parseInt(hex, 16);
            }
        }
        throw new QueryException(index + 1, "Syntax error at position " + (index + 1)
                + ": expected four hex digits after \\u");
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
