package io.twingress.store;

import java.sql.SQLException;

/** A database failure; carries the SQL state so the store can tell retryable conflicts apart. */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public String sqlState() {
        return getCause() instanceof SQLException sql ? sql.getSQLState() : null;
    }
}
