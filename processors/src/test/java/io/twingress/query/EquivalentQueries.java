package io.twingress.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Rewrites a query into another spelling of the same query: more or other whitespace between tokens, keywords and
 * function names in another case, parentheses around the whole condition. String literals, names and aliases are
 * left alone. Fuzz tests use it for mutations that must still succeed with the same result, so that a fuzzer that
 * only ever saw refusals cannot pass.
 */
public final class EquivalentQueries {

    private static final Set<String> KEYWORDS = Set.of("SELECT", "TOP", "COUNT", "FROM", "DIGITALTWINS",
            "RELATIONSHIPS", "WHERE", "AND", "OR", "NOT", "IN", "NIN", "JOIN", "RELATED", "MATCH", "AS", "EXACT",
            "IS_OF_MODEL", "IS_DEFINED", "IS_NULL", "IS_NUMBER", "STARTSWITH", "ARRAY_CONTAINS");
    private static final List<String> WHITESPACE = List.of(" ", "  ", "\t", "\n", "\r\n", " \t ");

    private EquivalentQueries() {
    }

    /** One to four meaning-preserving edits of {@code query}. */
    public static String rewrite(String query, Random random) {
        String rewritten = query;
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            rewritten = switch (random.nextInt(3)) {
                case 0 -> addWhitespace(rewritten, random);
                case 1 -> recaseKeyword(rewritten, random);
                default -> parenthesizeCondition(rewritten);
            };
        }
        return rewritten;
    }

    /** Whitespace where some already is, or inside brackets and after commas. */
    static String addWhitespace(String query, Random random) {
        boolean[] literal = literals(query);
        List<Integer> gaps = new ArrayList<>();
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (literal[i]) {
                continue;
            }
            if (Character.isWhitespace(c) || c == ')' || c == ']') {
                gaps.add(i);
            } else if (c == '(' || c == '[' || c == ',') {
                gaps.add(i + 1);
            }
        }
        if (gaps.isEmpty()) {
            return query;
        }
        int at = gaps.get(random.nextInt(gaps.size()));
        return query.substring(0, at) + WHITESPACE.get(random.nextInt(WHITESPACE.size())) + query.substring(at);
    }

    /** A keyword or function name (not a property, which follows a dot) in random case. */
    static String recaseKeyword(String query, Random random) {
        List<int[]> words = keywords(query);
        if (words.isEmpty()) {
            return query;
        }
        int[] word = words.get(random.nextInt(words.size()));
        StringBuilder recased = new StringBuilder(query);
        for (int i = word[0]; i < word[1]; i++) {
            char c = query.charAt(i);
            recased.setCharAt(i, random.nextBoolean() ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return recased.toString();
    }

    /** {@code WHERE c} becomes {@code WHERE (c)}; the condition is always the last clause. */
    static String parenthesizeCondition(String query) {
        for (int[] word : keywords(query)) {
            if (query.substring(word[0], word[1]).equalsIgnoreCase("WHERE")) {
                return query.substring(0, word[1]) + " (" + query.substring(word[1]) + ")";
            }
        }
        return query;
    }

    private static List<int[]> keywords(String query) {
        boolean[] literal = literals(query);
        List<int[]> words = new ArrayList<>();
        int i = 0;
        while (i < query.length()) {
            if (literal[i] || !isWordPart(query.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < query.length() && !literal[i] && isWordPart(query.charAt(i))) {
                i++;
            }
            boolean property = start > 0 && query.charAt(start - 1) == '.';
            if (!property && KEYWORDS.contains(query.substring(start, i).toUpperCase(Locale.ROOT))) {
                words.add(new int[] {start, i});
            }
        }
        return words;
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** Which characters belong to a string literal, quotes included; a backslash escapes the next character. */
    private static boolean[] literals(String query) {
        boolean[] literal = new boolean[query.length()];
        char quote = 0;
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (quote == 0) {
                if (c == '\'' || c == '"') {
                    quote = c;
                    literal[i] = true;
                }
                continue;
            }
            literal[i] = true;
            if (c == '\\' && i + 1 < query.length()) {
                literal[++i] = true;
            } else if (c == quote) {
                quote = 0;
            }
        }
        return literal;
    }
}
