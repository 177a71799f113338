package io.shopdb.operator.bench;

import io.shopdb.operator.agent.AgentCommand;
import io.shopdb.operator.agent.EncryptionKeys;
import io.shopdb.operator.agent.Checksums;
import io.shopdb.operator.testing.LocalPostgres;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test (its name does not end in Test, so `mvn test` skips it). Run:
 * {@code mvn test -Dtest=BackupBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 *
 * <p>Builds a shop-like database of about 1M rows once (customers, products, orders partitioned by month,
 * order items; ANALYZEd), then for each case runs the backup agent (its CLI, {@link AgentCommand}, in this
 * JVM, storing to a directory) and the raw pg_dump / pg_restore doing the same work, alternating which goes
 * first, ROUNDS times, on the same server, and prints the medians and the throughput ratio raw/agent
 * (1.0 = as fast as raw; the goal is at least 0.9). Results also go to target/benchmarks/backup.txt.
 */
class BackupBenchmark {
    static final int ROUNDS = 5;
    static final String DB = "bench_shop";
    static final Path WORK = Paths.get("target/bench-work").toAbsolutePath();

    private TestPostgres pg;
    private String password;
    private final List<String> lines = new ArrayList<>();

    @Test
    void agentAgainstRawTools() throws Exception {
        pg = TestPostgres.shared();
        password = new String(pg.superuser().password());
        LocalPostgres.deleteTree(WORK);
        Files.createDirectories(WORK.resolve("spool"));
        Path store = WORK.resolve("agent-store");
        Files.createDirectories(store);

        long t = System.nanoTime();
        build();
        long rows = scalar("SELECT (SELECT count(*) FROM sales.customers) + (SELECT count(*) FROM catalog.products)"
                + " + (SELECT count(*) FROM sales.orders) + (SELECT count(*) FROM sales.order_items)");
        long bytes = scalar("SELECT pg_database_size('" + DB + "')");
        report(String.format("database %s: %,d rows, %.0f MB on disk, built in %.1f s; %s; load before: %s",
                DB, rows, bytes / 1048576.0, (System.nanoTime() - t) / 1e9, LocalPostgres.binDir(), loadavg()));

        // (1) custom format, gzip level 6
        compare("backup custom gzip:6", round -> {
            String id = "gz-" + round;
            long a = agent("backup", "--database", DB, "--format", "custom", "--compression", "gzip:6", "--backup-id", id);
            deleteTree(store.resolve(id));
            return a;
        }, round -> {
            Path f = WORK.resolve("raw.dump");
            long r = raw(tool("pg_dump"), "-Fc", "-Z6", "-f", f.toString(), "-d", DB);
            Files.deleteIfExists(f);
            return r;
        });

        // (2) custom format, uncompressed
        compare("backup custom none", round -> {
            String id = "none-" + round;
            long a = agent("backup", "--database", DB, "--format", "custom", "--compression", "none", "--backup-id", id);
            if (round < ROUNDS - 1) {
                deleteTree(store.resolve(id)); // the last one stays for the cost breakdown below
            }
            return a;
        }, this::rawCustomNone);

        // (2b) the same, encrypted (AES-256-GCM, client side): the cost of encryption against raw pg_dump
        compare("backup custom none, encrypted", round -> {
            String id = "enc-" + round;
            long a = agent(encrypted(), "backup", "--database", DB, "--format", "custom", "--compression", "none", "--backup-id", id);
            if (round < ROUNDS - 1) {
                deleteTree(store.resolve(id)); // the last one stays for the encrypted restore below
            }
            return a;
        }, this::rawCustomNone);

        // (3) directory format, 2 parallel jobs, gzip level 6
        compare("backup directory -j2 gzip:6", round -> {
            String id = "dir-" + round;
            long a = agent("backup", "--database", DB, "--format", "directory", "--jobs", "2", "--compression", "gzip:6", "--backup-id", id);
            deleteTree(store.resolve(id));
            return a;
        }, round -> {
            Path d = WORK.resolve("raw.dir");
            long r = raw(tool("pg_dump"), "-Fd", "-j2", "-Z6", "-f", d.toString(), "-d", DB);
            deleteTree(d);
            return r;
        });

        // (4) restore of a custom gzip:6 dump into a new database, 2 parallel jobs
        agent("backup", "--database", DB, "--format", "custom", "--compression", "gzip:6", "--backup-id", "restore-src");
        Path rawDump = WORK.resolve("restore-src.dump");
        raw(tool("pg_dump"), "-Fc", "-Z6", "-f", rawDump.toString(), "-d", DB);
        compare("restore custom gzip:6 -j2 into a new database", round -> {
            pg.exec("postgres", "DROP DATABASE IF EXISTS bench_restore_agent WITH (FORCE)");
            long a = agent("restore", "--backup-id", "restore-src", "--target-database", "bench_restore_agent", "--jobs", "2");
            return a;
        }, round -> {
            pg.exec("postgres", "DROP DATABASE IF EXISTS bench_restore_raw WITH (FORCE)");
            long t0 = System.nanoTime();
            raw(tool("createdb"), "-T", "template0", "bench_restore_raw");
            raw(tool("pg_restore"), "-j2", "-d", "bench_restore_raw", rawDump.toString());
            return System.nanoTime() - t0;
        });
        // (4b) restore of the encrypted uncompressed dump against raw pg_restore of the same, unencrypted
        Path rawPlain = WORK.resolve("restore-plain.dump");
        raw(tool("pg_dump"), "-Fc", "-Z0", "-f", rawPlain.toString(), "-d", DB);
        compare("restore custom none, encrypted, -j2 into a new database", round -> {
            pg.exec("postgres", "DROP DATABASE IF EXISTS bench_restore_agent WITH (FORCE)");
            return agent(encrypted(), "restore", "--backup-id", "enc-" + (ROUNDS - 1), "--target-database", "bench_restore_agent", "--jobs", "2");
        }, round -> {
            pg.exec("postgres", "DROP DATABASE IF EXISTS bench_restore_raw WITH (FORCE)");
            long t0 = System.nanoTime();
            raw(tool("createdb"), "-T", "template0", "bench_restore_raw");
            raw(tool("pg_restore"), "-j2", "-d", "bench_restore_raw", rawPlain.toString());
            return System.nanoTime() - t0;
        });
        Files.deleteIfExists(rawPlain);

        // the first read of a freshly restored database: what the agent's post-restore row counts cost
        long f0 = System.nanoTime();
        assertEquals(rows, scalarIn("bench_restore_raw", "SELECT (SELECT count(*) FROM sales.orders) + (SELECT count(*) FROM sales.order_items)"
                + " + (SELECT count(*) FROM sales.customers) + (SELECT count(*) FROM catalog.products)"));
        long freshCountNanos = System.nanoTime() - f0;

        // where the agent's extra time goes, measured once each on the same data
        long c0 = System.nanoTime();
        try (Connection c = pg.connect(DB); Statement st = c.createStatement()) {
            st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                }
            }
            st.execute("ROLLBACK");
        }
        long countNanos = System.nanoTime() - c0;
        StringBuilder extras = new StringBuilder(String.format("agent extras, measured once each: exact row counts of every table in one snapshot %.2f s"
                        + " (source, vacuumed), %.2f s (first read of a just-restored copy)", countNanos / 1e9, freshCountNanos / 1e9));
        for (String id : List.of("restore-src", "none-" + (ROUNDS - 1))) {
            Path agentDump = store.resolve(id).resolve(DB + ".dump");
            long h0 = System.nanoTime();
            Checksums.of(agentDump);
            long hashNanos = System.nanoTime() - h0;
            Path copy = WORK.resolve("copy.dump");
            long k0 = System.nanoTime();
            try (var in = Files.newInputStream(agentDump); var out = Files.newOutputStream(copy)) {
                Checksums.copy(in, out);
            }
            long copyNanos = System.nanoTime() - k0;
            Files.delete(copy);
            extras.append(String.format("; %s dump %.1f MB: SHA-256 %.2f s, copy+SHA-256 (spool -> storage, or storage -> spool on restore) %.2f s",
                    id.startsWith("none") ? "uncompressed" : "gzip:6", Files.size(agentDump) / 1048576.0, hashNanos / 1e9, copyNanos / 1e9));
        }
        long v0 = System.nanoTime();
        new ProcessBuilder(tool("pg_dump"), "--version").redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(); // the agent asks once per backup
        extras.append(String.format("; pg_dump --version %.2f s; load after: %s", (System.nanoTime() - v0) / 1e9, loadavg()));
        report(extras.toString());

        pg.exec("postgres", "DROP DATABASE IF EXISTS bench_restore_agent WITH (FORCE)", "DROP DATABASE IF EXISTS bench_restore_raw WITH (FORCE)");
        deleteTree(WORK);
        Files.createDirectories(Paths.get("target/benchmarks"));
        Files.writeString(Paths.get("target/benchmarks/backup.txt"), String.join("\n", lines) + "\n");
    }

    /** Shop-like schema and data: ~100k customers, 20k products, 300k orders in 12 monthly partitions, ~600k order items. */
    private void build() throws Exception {
        pg.exec("postgres", "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)", "CREATE DATABASE " + DB);
        pg.exec(DB,
                "CREATE SCHEMA sales", "CREATE SCHEMA catalog",
                """
                CREATE TABLE catalog.products (id bigint PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL, description text,
                  category text NOT NULL, price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL)""",
                """
                CREATE TABLE sales.customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, full_name text NOT NULL,
                  city text, country char(2) NOT NULL, created_at timestamptz NOT NULL)""",
                """
                CREATE TABLE sales.orders (id bigint NOT NULL, customer_id bigint NOT NULL REFERENCES sales.customers,
                  ordered_at timestamptz NOT NULL, status text NOT NULL, total numeric(12,2) NOT NULL, shipping_address text,
                  PRIMARY KEY (id, ordered_at)) PARTITION BY RANGE (ordered_at)""",
                """
                DO $$ BEGIN FOR m IN 0..11 LOOP
                  EXECUTE format('CREATE TABLE sales.orders_%s PARTITION OF sales.orders FOR VALUES FROM (%L) TO (%L)',
                    to_char(date '2025-01-01' + make_interval(months => m), 'YYYY_MM'),
                    date '2025-01-01' + make_interval(months => m), date '2025-01-01' + make_interval(months => m + 1));
                END LOOP; END $$""",
                """
                CREATE TABLE sales.order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL, ordered_at timestamptz NOT NULL,
                  product_id bigint NOT NULL REFERENCES catalog.products, quantity int NOT NULL, unit_price numeric(10,2) NOT NULL,
                  FOREIGN KEY (order_id, ordered_at) REFERENCES sales.orders)""",
                """
                INSERT INTO catalog.products SELECT g, 'SKU-' || lpad(g::text, 8, '0'), 'Product ' || g || ' ' || md5(g::text),
                  repeat(md5((g * 7)::text) || ' ', 2), (ARRAY['books','garden','toys','kitchen','sports','tools'])[1 + g % 6],
                  round((5 + random() * 495)::numeric, 2), timestamptz '2024-01-01' + g * interval '20 minutes'
                FROM generate_series(1, 20000) g""",
                """
                INSERT INTO sales.customers SELECT g, 'customer' || g || '@example.com', 'Customer ' || md5(g::text),
                  (ARRAY['Berlin','Paris','Madrid','Rome','Vienna','Lisbon','Warsaw'])[1 + g % 7],
                  (ARRAY['DE','FR','ES','IT','AT','PT','PL'])[1 + g % 7], timestamptz '2023-01-01' + g * interval '5 minutes'
                FROM generate_series(1, 100000) g""",
                """
                INSERT INTO sales.orders SELECT g, 1 + (g::bigint * 7919) % 100000,
                  timestamptz '2025-01-01' + (g::double precision / 300000) * interval '364 days',
                  (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + g % 5], 0,
                  g || ' Main Street, ' || (1000 + g % 9000) || ' Springfield'
                FROM generate_series(1, 300000) g""",
                """
                INSERT INTO sales.order_items SELECT o.id * 2 + i, o.id, o.ordered_at, 1 + (o.id * 31 + i * 17) % 20000,
                  1 + (o.id + i) % 4, round((5 + ((o.id * 13 + i) % 49500) / 100.0)::numeric, 2)
                FROM sales.orders o, generate_series(0, 1) i""",
                "UPDATE sales.orders o SET total = s.t FROM (SELECT order_id, ordered_at, sum(quantity * unit_price) t FROM sales.order_items GROUP BY 1, 2) s"
                        + " WHERE s.order_id = o.id AND s.ordered_at = o.ordered_at",
                "CREATE INDEX ON sales.orders (customer_id)",
                "CREATE INDEX ON sales.order_items (order_id, ordered_at)",
                "CREATE INDEX ON sales.order_items (product_id)",
                "VACUUM ANALYZE");
    }

    /** Raw pg_dump -Fc -Z0 to a file, removed afterwards: the baseline of the uncompressed cases. */
    private long rawCustomNone(int round) throws Exception {
        Path f = WORK.resolve("raw-z0.dump");
        long r = raw(tool("pg_dump"), "-Fc", "-Z0", "-f", f.toString(), "-d", DB);
        Files.deleteIfExists(f);
        return r;
    }

    interface Contender {
        long run(int round) throws Exception;
    }

    /** ROUNDS rounds, the first contender first in even rounds and second in odd ones; medians and ratio raw/agent. */
    private void compare(String name, Contender agent, Contender raw) throws Exception {
        String load = loadavg();
        List<Long> a = new ArrayList<>();
        List<Long> r = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            if (round % 2 == 0) {
                a.add(agent.run(round));
                r.add(raw.run(round));
            } else {
                r.add(raw.run(round));
                a.add(agent.run(round));
            }
        }
        long ma = median(a);
        long mr = median(r);
        report(String.format("%s, median of %d: agent %.2f s, raw %.2f s, throughput ratio raw/agent %.2f (agent runs %s s; raw runs %s s; load before %s)",
                name, ROUNDS, ma / 1e9, mr / 1e9, (double) mr / ma, secs(a), secs(r), load));
    }

    /** The environment of an agent that encrypts with a fresh key (the key folder is made once). */
    private Map<String, String> encrypted() throws IOException {
        Path keys = WORK.resolve("keys");
        if (!Files.exists(keys.resolve("bench"))) {
            Files.createDirectories(keys);
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            Files.writeString(keys.resolve("bench"), java.util.Base64.getEncoder().encodeToString(key));
        }
        return Map.of("PGPASSWORD", password, EncryptionKeys.KEYS_DIR_ENV, keys.toString(), EncryptionKeys.KEY_ID_ENV, "bench");
    }

    /** Runs the agent CLI in this JVM against a directory storage; returns the wall-clock nanoseconds. */
    private long agent(String command, String... args) {
        return agent(Map.of("PGPASSWORD", password), command, args);
    }

    private long agent(Map<String, String> env, String command, String... args) {
        List<String> argv = new ArrayList<>(List.of(command, "--dir", WORK.resolve("agent-store").toString(),
                "--spool-dir", WORK.resolve("spool").toString(), "--host", "127.0.0.1", "--port", String.valueOf(pg.port()), "--user", "postgres"));
        argv.addAll(List.of(args));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int rc = AgentCommand.run(argv.toArray(String[]::new), new PrintStream(buf, true, StandardCharsets.UTF_8), env);
        long elapsed = System.nanoTime() - t0;
        if (rc != 0) {
            throw new IllegalStateException("agent " + command + " failed (" + rc + "): " + buf.toString(StandardCharsets.UTF_8));
        }
        return elapsed;
    }

    /** Runs a PostgreSQL client tool against the test server (password through PGPASSWORD); returns the wall-clock nanoseconds. */
    private long raw(String... cmd) throws Exception {
        List<String> argv = new ArrayList<>(List.of(cmd));
        argv.addAll(1, List.of("-h", "127.0.0.1", "-p", String.valueOf(pg.port()), "-U", "postgres", "-w"));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", password);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        long elapsed = System.nanoTime() - t0;
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + rc + "): " + out);
        }
        return elapsed;
    }

    private static String tool(String name) {
        return LocalPostgres.binDir().resolve(name).toString();
    }

    private long scalar(String sql) throws Exception {
        return scalarIn(DB, sql);
    }

    private long scalarIn(String db, String sql) throws Exception {
        try (Connection c = pg.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void report(String line) {
        System.out.println(line);
        lines.add(line);
    }

    private static String loadavg() {
        try {
            return Files.readString(Paths.get("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }

    private static void deleteTree(Path dir) {
        LocalPostgres.deleteTree(dir);
    }

    private static String secs(List<Long> xs) {
        return String.join("/", xs.stream().map(x -> String.format("%.2f", x / 1e9)).toList());
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(Long::compare);
        return s.get(s.size() / 2);
    }
}
