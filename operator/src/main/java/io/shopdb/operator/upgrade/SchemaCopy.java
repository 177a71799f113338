package io.shopdb.operator.upgrade;

import io.shopdb.operator.agent.PgTools;
import io.shopdb.operator.sql.PgEndpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One database's schema from the source to the target: pg_dump --schema-only (the machine's client, of the source's
 * major or newer) and pg_restore into the new, empty database. Publications and subscriptions stay behind; owners and
 * grants come along (the roles were copied first). The files are the operator's temp files, removed at once.
 */
final class SchemaCopy {
    static final Duration TIMEOUT = Duration.ofMinutes(30);

    private SchemaCopy() {}

    static void copy(PgEndpoint source, PgEndpoint target, String database) {
        PgTools tools = PgTools.locate();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("shopdb-upgrade-");
            Path dump = dir.resolve("schema.dump");
            tools.run(source, "pg_dump", List.of("--schema-only", "--no-publications", "--no-subscriptions", "--format=custom",
                    "--file=" + dump, PgTools.dbname(database)), dir.resolve("pg_dump.log"), TIMEOUT);
            tools.run(target, "pg_restore", List.of("--exit-on-error", "--single-transaction", "--dbname=" + PgTools.dbname(database),
                    dump.toString()), dir.resolve("pg_restore.log"), TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the schema of " + database + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a leftover temp folder holds a schema, no data
                }
            }
        }
    }
}
