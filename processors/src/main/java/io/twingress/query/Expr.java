package io.twingress.query;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** WHERE-clause and projection expressions. Every node keeps the 1-based position it was parsed from. */
sealed interface Expr {

    int position();

    /** A string, number, boolean or null constant. */
    record Literal(JsonNode value, int position) implements Expr {
    }

    /**
     * A property path. The parser leaves {@code root} null and puts every name in {@code segments}; the analyzer
     * moves a leading alias into {@code root} ({@link Query#IMPLICIT} when the FROM collection has no alias).
     */
    record Path(String root, List<String> segments, int position) implements Expr {
        public Path {
            segments = List.copyOf(segments);
        }
    }

    record Compare(Op op, Expr left, Expr right, int position) implements Expr {
    }

    /** {@code value IN [items]}, or {@code NIN} when negated. */
    record In(Expr value, List<JsonNode> items, boolean negated, int position) implements Expr {
        public In {
            items = List.copyOf(items);
        }
    }

    record And(List<Expr> operands, int position) implements Expr {
        public And {
            operands = List.copyOf(operands);
        }
    }

    record Or(List<Expr> operands, int position) implements Expr {
        public Or {
            operands = List.copyOf(operands);
        }
    }

    record Not(Expr operand, int position) implements Expr {
    }

    record Call(Function function, List<Expr> args, int position) implements Expr {
        public Call {
            args = List.copyOf(args);
        }
    }

    /** IS_OF_MODEL after the analyzer has sorted out its optional alias and {@code exact} arguments. */
    record IsOfModel(String alias, String model, boolean exact, int position) implements Expr {
    }

    enum Op {
        EQ("="), NE("!="), LT("<"), GT(">"), LE("<="), GE(">=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    enum Function {
        IS_OF_MODEL(-1), IS_DEFINED(1), IS_NULL(1), IS_BOOL(1), IS_NUMBER(1), IS_STRING(1), IS_OBJECT(1),
        IS_PRIMITIVE(1), STARTSWITH(2), ENDSWITH(2), CONTAINS(2), ARRAY_CONTAINS(2);

        /** The fixed number of arguments; IS_OF_MODEL varies and is checked by the analyzer. */
        final int arity;

        Function(int arity) {
            this.arity = arity;
        }
    }
}
