package io.twingress.query;

import java.util.List;
import java.util.Set;

/**
 * A parsed query. JOINs and MATCH are both held as a {@link Pattern} of twin aliases joined by relationship
 * edges, so one traversal runs both.
 */
record Query(String text, Selection selection, int top, boolean relationships, String fromAlias, Pattern pattern,
             Expr where) {

    /** The alias of a FROM collection that was not given one; it cannot be written in a query. */
    static final String IMPLICIT = "";

    sealed interface Selection {
        record All(int position) implements Selection {
        }

        record Count(int position) implements Selection {
        }

        record Columns(List<Column> columns) implements Selection {
            public Columns {
                columns = List.copyOf(columns);
            }
        }
    }

    /** A projection; {@code name} is the row key, null until the analyzer derives it from the path. */
    record Column(Expr.Path path, String name, int position) {
    }

    /**
     * Twin aliases ({@code nodes}, in the order they were declared) and the edges between them. {@code match}
     * tells a MATCH clause from JOINs; {@code position} is where the first of them starts.
     */
    record Pattern(boolean match, List<String> nodes, List<Edge> edges, int position) {
        Pattern {
            nodes = List.copyOf(nodes);
            edges = List.copyOf(edges);
        }
    }

    /**
     * Relationships from the twin bound to {@code from} to the twin bound to {@code to}, {@code minHops} to
     * {@code maxHops} long. {@code names} null means any relationship name; {@code variable} names the
     * relationship itself (single hop only) or is null.
     */
    record Edge(String from, String to, Set<String> names, Direction direction, int minHops, int maxHops,
                String variable, int position) {
    }

    enum Direction {
        OUT, IN, BOTH;

        Direction reversed() {
            return switch (this) {
                case OUT -> IN;
                case IN -> OUT;
                case BOTH -> BOTH;
            };
        }
    }
}
