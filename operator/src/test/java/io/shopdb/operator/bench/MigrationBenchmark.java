package io.shopdb.operator.bench;

import io.shopdb.operator.migration.FlywayRunner;
import io.shopdb.operator.migration.Script;
import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Benchmark, not a test (its name does not end in Test, so `mvn test` skips it). Run:
 * {@code mvn test -Dtest=MigrationBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 *
 * <p>Applies the shop's migrations to a fresh database N times with the operator's Flyway runner and N times
 * with psql (the same scripts, placeholders substituted, each in one transaction, in version order),
 * alternating, on the same server, and prints the median of each and their ratio.
 */
class MigrationBenchmark {
    static final int ROUNDS = 7;

    @Test
    void flywayAgainstPsql() throws Exception {
        TestPostgres pg = TestPostgres.shared();
        List<Script> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.list(Paths.get("examples/shop/migrations"))) {
            files.sorted((a, b) -> order(a).compareTo(order(b))).forEach(f -> {
                try {
                    scripts.add(new Script(f.getFileName().toString(), Files.readString(f)));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        Map<String, String> placeholders = Map.of("first_month", "2026-01-01", "months_ahead", "3");
        List<Long> flyway = new ArrayList<>();
        List<Long> psql = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            fresh(pg, "bench_flyway");
            long t0 = System.nanoTime();
            var report = FlywayRunner.migrate(pg.superuser().withDatabase("bench_flyway"), scripts,
                    new FlywayRunner.Settings(List.of("sales", "catalog", "reporting"), null, placeholders, null, false, false, true, false, 10));
            flyway.add(System.nanoTime() - t0);
            assertNull(report.failure());

            fresh(pg, "bench_psql");
            long t1 = System.nanoTime();
            for (Script s : scripts) {
                String sql = s.content();
                for (var p : placeholders.entrySet()) {
                    sql = sql.replace("${" + p.getKey() + "}", p.getValue());
                }
                psql(pg, "bench_psql", "SET search_path = sales, public;\n" + sql);
            }
            psql.add(System.nanoTime() - t1);
        }
        long f = median(flyway);
        long p = median(psql);
        String line = String.format("migration of the shop schema (%d scripts), median of %d: flyway %.1f ms, psql %.1f ms, ratio flyway/psql %.2f",
                scripts.size(), ROUNDS, f / 1e6, p / 1e6, (double) f / p);
        System.out.println(line);
        Files.createDirectories(Paths.get("target/benchmarks"));
        Files.writeString(Paths.get("target/benchmarks/migration.txt"), line + "\n");
    }

    private static String order(Path f) {
        String n = f.getFileName().toString();
        return n.startsWith("R__") ? "~" + n : String.format("%05d", Integer.parseInt(n.substring(1, n.indexOf("__"))));
    }

    private static void fresh(TestPostgres pg, String db) throws Exception {
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        pg.exec(db, "CREATE SCHEMA sales", "CREATE SCHEMA catalog", "CREATE SCHEMA reporting",
                "CREATE EXTENSION citext", "CREATE EXTENSION pg_trgm", "CREATE EXTENSION pgcrypto");
    }

    private static void psql(TestPostgres pg, String db, String sql) throws Exception {
        Path file = Files.createTempFile("bench", ".sql");
        Files.writeString(file, sql);
        ProcessBuilder pb = new ProcessBuilder(LocalPostgres.binDir() + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                "-h", "127.0.0.1", "-p", String.valueOf(pg.port()), "-U", "postgres", "-d", db, "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PGPASSWORD", new String(pg.superuser().password()));
        Process p = pb.start();
        p.getOutputStream().close();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed on " + db);
        }
        Files.delete(file);
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(Long::compare);
        return s.get(s.size() / 2);
    }
}
