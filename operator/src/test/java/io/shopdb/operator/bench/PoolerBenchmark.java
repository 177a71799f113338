package io.shopdb.operator.bench;

import io.shopdb.operator.api.v1alpha1.PostgresPoolerSpec;
import io.shopdb.operator.pooler.PgBouncerConfig;
import io.shopdb.operator.sql.PoolerAuth;
import io.shopdb.operator.testing.LocalPgBouncer;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark, not a test. Run:
 * {@code mvn -o test -Dtest=PoolerBenchmark -Dsurefire.failIfNoSpecifiedTests=false} (about 3 minutes; -Dbench.seconds=N).
 *
 * <p>The shop's order workload (place_order.sql as shop_app, pgbench -M extended: transaction pooling cannot carry
 * named prepared statements) at 8 and at 200 clients, straight to PostgreSQL and through PgBouncer 1.18 running
 * the configuration a PostgresPooler gets (transaction mode, default_pool_size 20, auth_query through the lookup
 * function; server TLS off on both paths, as the test server has none). Reports tps, latency percentiles and
 * the most server sessions of shop_app seen during the run (pg_stat_activity, sampled every 200 ms).
 * shop_app's connectionLimit (100 in the example) is lifted for the run, or 200 direct clients are refused.
 * Results: stdout and target/benchmarks/pooler.txt.
 */
class PoolerBenchmark {
    static final int SECONDS = Integer.getInteger("bench.seconds", 30);

    @Test
    void throughThePoolerAndDirect() throws Exception {
        Files.createDirectories(ShopWorkloadBenchmark.OUT);
        TestPostgres pg = TestPostgres.start();
        LocalPgBouncer bouncer = null;
        List<String> report = new ArrayList<>();
        try {
            ShopWorkload shop = ShopWorkload.create(pg, 250);
            char[] lookup = "bench-lookup-password".toCharArray();
            try (Connection c = pg.connect("shop"); Statement st = c.createStatement()) {
                PoolerAuth.ensureRole(c, "shopdb_pooler", lookup);
                PoolerAuth.ensureFunction(c, "shopdb_pooler");
                // the example gives shop_app connectionLimit 100: 200 direct clients would be refused
                // ("too many connections for role"), which is the point of a pooler; lifted here to measure them
                st.execute("ALTER ROLE shop_app CONNECTION LIMIT -1");
            }
            bouncer = LocalPgBouncer.start(pg, new PostgresPoolerSpec(),
                    new PgBouncerConfig.Credentials("shopdb_pooler", new String(lookup), "bench_admin", "unused-admin-pw"));
            int port = bouncer.port();
            report.add("== place_order as shop_app, " + SECONDS + " s per run, pgbench -M extended");
            for (int clients : List.of(8, 200)) {
                report.add(run(pg, shop, "direct, " + clients + " clients", pg.port(), clients));
                report.add(run(pg, shop, "pooler, " + clients + " clients", port, clients));
            }
        } finally {
            if (bouncer != null) {
                bouncer.close();
            }
            pg.stop();
            String text = String.join("\n", report) + "\n";
            System.out.println(text);
            Files.writeString(ShopWorkloadBenchmark.OUT.resolve("pooler.txt"), text);
        }
    }

    private String run(TestPostgres pg, ShopWorkload shop, String name, int port, int clients) throws Exception {
        ShopWorkloadBenchmark.Run run = new ShopWorkloadBenchmark.Run(name, "shop_app", clients, List.of("place_order.sql"));
        Path logs = ShopWorkloadBenchmark.OUT.resolve("pooler").resolve(name.replaceAll("[^A-Za-z0-9]+", "-"));
        Files.createDirectories(logs);
        try (Stream<Path> old = Files.list(logs)) {
            for (Path f : old.toList()) {
                Files.delete(f);
            }
        }
        List<String> cmd = List.of(ShopWorkloadBenchmark.PGBENCH.toString(), "-n", "-M", "extended", "-T", String.valueOf(SECONDS),
                "-c", String.valueOf(clients), "-j", "2", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "shop_app",
                "-D", "customers=" + ShopWorkload.CUSTOMERS, "-D", "variants=" + shop.variants(),
                "--log", "--log-prefix=" + logs.resolve("tx"), "-f", ShopWorkloadBenchmark.script("place_order.sql"), "shop");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logs.resolve("pgbench.out").toFile());
        pb.environment().put("PGPASSWORD", new String(shop.password("shop_app")));
        // prefer: the pooler serves TLS only (and gets it), the test server has no TLS (plain TCP direct)
        pb.environment().put("PGSSLMODE", "prefer");
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxSessions = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                while (sampling.get()) {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = 'shop_app'")) {
                        rs.next();
                        maxSessions.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                    Thread.sleep(200);
                }
            } catch (Exception e) {
                // the run's figures stand without the sample
            }
        });
        sampler.start();
        Process p = pb.start();
        p.waitFor();
        sampling.set(false);
        sampler.join();
        String out = Files.readString(logs.resolve("pgbench.out"));
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(out);
        assertTrue(tps.find(), "pgbench output:\n" + out);
        double[] lat = ShopWorkloadBenchmark.percentiles(logs, run).get("place_order");
        return String.format("%-22s tps %7.1f  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  failed %s  server sessions of shop_app (max) %d",
                name, Double.parseDouble(tps.group(1)), lat[0], lat[1], lat[2], failed.find() ? failed.group(1) : "0", maxSessions.get());
    }
}
