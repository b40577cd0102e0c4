package io.twingress.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * How many pages one commit of random twin updates writes to SQLite's log, with the model named in {@code SET} (as
 * every update did before f4db04d) and without it (as it does now when the model is unchanged), on the twins table
 * and index of the store's schema. The two forms alternate, each updating the same number of random twins to new
 * values, after a checkpoint that empties the log.
 *
 * <p>Arguments: {@code --twins 10000} {@code --updates 500} {@code --rounds 3}.
 */
public final class UpdatePages {

    private static final String MODEL = "dtmi:twingress:bench:Thermostat;1";
    /** A WAL frame: its 24-byte header and one page; the file starts with a 32-byte header. */
    private static final int PAGE = 4096;

    public static void main(String[] args) throws Exception {
        int twins = Integer.parseInt(Args.value(args, "--twins", "10000"));
        int updates = Integer.parseInt(Args.value(args, "--updates", "500"));
        int rounds = Integer.parseInt(Args.value(args, "--rounds", "3"));
        Machine.describe("UpdatePages");
        Path dir = Files.createTempDirectory("twingress-update-pages");
        Path file = dir.resolve("twins.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA wal_autocheckpoint = 0");
                // as db/migration/sqlite/V1__twin_graph.sql
                s.execute("CREATE TABLE twins (id TEXT NOT NULL PRIMARY KEY, model_id TEXT NOT NULL,"
                        + " etag TEXT NOT NULL, body TEXT NOT NULL)");
                s.execute("CREATE INDEX twins_by_model ON twins (model_id, id)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO twins VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < twins; i++) {
                    insert.setString(1, PatchThroughput.twinId(i));
                    insert.setString(2, MODEL);
                    insert.setString(3, "W/\"0\"");
                    insert.setString(4, body(0, i));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
            System.out.printf("%d twins of one model, %d random updates per commit, body of about %d bytes%n", twins,
                    updates, body(0, 0).length());
            Random random = new Random(7);
            int round = 0;
            for (int r = 1; r <= rounds; r++) {
                long named = pages(c, file, ++round, twins, updates, random, true);
                long unnamed = pages(c, file, ++round, twins, updates, random, false);
                System.out.printf("round %d: model in SET: %d pages written; model not in SET: %d pages%n", r, named,
                        unnamed);
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static long pages(Connection c, Path file, int round, int twins, int updates, Random random,
            boolean modelInSet) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        c.commit();
        long before = Files.size(file.resolveSibling(file.getFileName() + "-wal"));
        String sql = modelInSet ? "UPDATE twins SET model_id = ?, etag = ?, body = ? WHERE id = ?"
                : "UPDATE twins SET etag = ?, body = ? WHERE id = ? AND model_id = ?";
        try (PreparedStatement update = c.prepareStatement(sql)) {
            for (int k = 0; k < updates; k++) {
                int twin = random.nextInt(twins);
                int p = 1;
                if (modelInSet) {
                    update.setString(p++, MODEL);
                }
                update.setString(p++, "W/\"" + round + "-" + k + "\"");
                update.setString(p++, body(round, twin));
                update.setString(p++, PatchThroughput.twinId(twin));
                if (!modelInSet) {
                    update.setString(p, MODEL);
                }
                if (update.executeUpdate() != 1) {
                    throw new SQLException("twin " + twin + " was not updated");
                }
            }
        }
        c.commit();
        long after = Files.size(file.resolveSibling(file.getFileName() + "-wal"));
        return (after - Math.max(before, 32)) / (PAGE + 24);
    }

    /** A twin's JSON much as the application stores it: a value, its metadata, the model. */
    private static String body(int round, int twin) {
        return "{\"$dtId\":\"" + PatchThroughput.twinId(twin) + "\",\"$etag\":\"W/\\\"" + round + "\\\"\","
                + "\"Temperature\":" + (round * 0.5 + twin) + ",\"Label\":\"t" + twin + "\",\"$metadata\":{\"$model\":\""
                + MODEL + "\",\"$lastUpdateTime\":\"2026-12-01T07:00:00.000000Z\",\"Temperature\":{\"lastUpdateTime\":"
                + "\"2026-12-01T07:00:00.000000Z\",\"sourceTime\":\"2026-12-01T06:59:59.000000Z\"},\"Label\":{"
                + "\"lastUpdateTime\":\"2026-12-01T07:00:00.000000Z\"}}}";
    }
}
