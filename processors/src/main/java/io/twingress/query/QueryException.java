package io.twingress.query;

/**
 * A query that cannot be run as written: bad syntax, an ADT restriction or limit, or a damaged continuation
 * token. The message names the 1-based character position and what was expected; it is shown to the client
 * as an ADT {@code SqlQueryError}.
 */
public class QueryException extends RuntimeException {

    private final int position;

    public QueryException(int position, String message) {
        super(message);
        this.position = position;
    }

    static QueryException syntax(Token found, String expected) {
        return new QueryException(found.position(),
                "Syntax error at position " + found.position() + ": expected " + expected + " but found " + found.describe());
    }

    static QueryException invalid(int position, String problem) {
        return new QueryException(position, "Invalid query at position " + position + ": " + problem);
    }

    /** A query refused because one request of it would do too much work; {@code limit} names the limit. */
    static QueryException limit(int position, String limit, String problem) {
        return new QueryException(position, "Query " + limit + " limit exceeded at position " + position + ": " + problem);
    }

    /** The 1-based character offset in the query text the message refers to. */
    public int position() {
        return position;
    }
}
