package io.twingress.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements of one long-lived connection, kept for reuse: preparing is a good part of a small write's cost
 * on SQLite, whose driver prepares anew every time. Only the thread holding the connection may use it; the least
 * recently used statements beyond {@link #MAX} are closed.
 */
final class StatementCache implements AutoCloseable {

    static final int MAX = 256;

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= MAX) {
                return false;
            }
            try {
                eldest.getValue().close();
            } catch (SQLException e) {
                // a statement that cannot be closed is dropped all the same
            }
            return true;
        }
    };

    StatementCache(Connection connection) {
        this.connection = connection;
    }

    boolean serves(Connection c) {
        return c == connection;
    }

    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    @Override
    public void close() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                // closing the connection closes it too
            }
        }
        statements.clear();
    }
}
