package io.shopdb.operator.bench;

import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark, not a test (its name does not end in Test, so `mvn test` skips it). Run:
 * {@code mvn -o test -Dtest=ShopWorkloadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (about 6 minutes; {@code -Dbench.seconds=60 -Dbench.orders=1200000} to change the run length or the year's size;
 * {@code -Dbench.plansOnly=true} builds the store and the year and checks the plans, without the pgbench runs).
 *
 * <p>The shop's workload through pgbench, as the application's roles (see {@link ShopWorkload} for how the store is
 * built: the example's manifests applied by the operator's own plan classes on a local server with durable
 * settings). Three runs on the fresh store, then the same three after one year of orders is generated into the
 * monthly partitions, with the plans of the hot queries checked at that size (before and after those runs; a join
 * the planner underestimated more than tenfold fails the check, see {@link io.shopdb.operator.testing.PlanEstimates}):
 * <ol>
 *   <li>orders only: place_order.sql as shop_app, 8 clients (the reference figure: about 1,000 tps);</li>
 *   <li>mixed: place_order + last_orders (half each) as shop_app, 8 clients, while one shop_reporting client
 *       runs reporting.sql at the same time;</li>
 * </ol>
 * Each run reports tps, latency percentiles from pgbench's per-transaction log, and failed transactions.
 * Results go to stdout and target/benchmarks/shop-workload.txt.
 */
class ShopWorkloadBenchmark {
    static final Path PGBENCH = Paths.get("/usr/lib/postgresql/15/bin/pgbench");
    static final int SECONDS = Integer.getInteger("bench.seconds", 30);
    static final int ORDERS = Integer.getInteger("bench.orders", 1_200_000);
    static final Path OUT = Paths.get("target/benchmarks");
    /** Only the store, the year of orders and the plan check, without the pgbench runs (a few minutes). */
    static final boolean PLANS_ONLY = Boolean.getBoolean("bench.plansOnly");

    /**
     * What each script may take at p95 (ms): a shop's checkout within 50 ms, a customer's order history within 20 ms,
     * the dashboard within 2 s beside the writers (issue 29). A report, not an assertion: a run beyond it says so.
     */
    static final Map<String, Double> BUDGET_P95_MS = Map.of("place_order", 50.0, "last_orders", 20.0, "reporting", 2000.0);

    record Run(String name, String user, int clients, List<String> scripts) {}

    /** "within budget p95 50 ms" or "OVER BUDGET: p95 61.2 ms > 50 ms (x1.22)"; empty without a budget. */
    static String budget(String script, double p95, String run) {
        Double limit = BUDGET_P95_MS.get(script);
        if (limit == null) {
            return "";
        }
        return p95 <= limit ? String.format("  within budget (p95 <= %.0f ms)", limit)
                : String.format("  OVER BUDGET: %s p95 %.1f ms > %.0f ms (x%.2f) in \"%s\"", script, p95, limit, p95 / limit, run);
    }

    record Result(String name, double tps, long transactions, long failed, Map<String, double[]> latencyMs, boolean aborted, String load) {
        String line() {
            StringBuilder sb = new StringBuilder(String.format("%-34s tps %8.1f  transactions %8d  failed %d%s  (load average after: %s)",
                    name, tps, transactions, failed, aborted ? " (clients aborted)" : "", load));
            latencyMs.forEach((script, p) -> sb.append(String.format("%n    %-16s p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  max %8.2f ms  (n=%d)%s",
                    script, p[0], p[1], p[2], p[3], (long) p[4], budget(script, p[1], name))));
            return sb.toString();
        }
    }

    @Test
    void shopWorkload() throws Exception {
        Files.createDirectories(OUT);
        TestPostgres pg = TestPostgres.start();
        List<String> report = new ArrayList<>();
        try {
            ShopWorkload shop = ShopWorkload.create(pg);
            report.add(shop.describe());
            if (!PLANS_ONLY) {
                report.addAll(runs(pg, shop, "fresh store"));
            }
            long t0 = System.nanoTime();
            String year = shop.generateYear(ORDERS);
            report.add(String.format("%s in %.0f s", year, (System.nanoTime() - t0) / 1e9));
            report.addAll(shop.checkPlans());
            if (!PLANS_ONLY) {
                report.addAll(runs(pg, shop, "one year of orders"));
                // again after the writers and autovacuum's ANALYZE of what they wrote: issue 29's slow plan showed only then
                shop.checkPlans().forEach(line -> report.add("after the runs, " + line));
            }
        } finally {
            pg.stop();
            List<String> over = report.stream().flatMap(String::lines).filter(l -> l.contains("OVER BUDGET")).map(l -> l.substring(l.indexOf("OVER BUDGET"))).toList();
            report.add(over.isEmpty() ? "every script within its p95 budget " + BUDGET_P95_MS
                    : over.size() + " run(s) over their p95 budget " + BUDGET_P95_MS + ":\n  " + String.join("\n  ", over));
            String text = String.join("\n", report) + "\n";
            System.out.println(text);
            Files.writeString(OUT.resolve("shop-workload.txt"), text);
        }
    }

    private List<String> runs(TestPostgres pg, ShopWorkload shop, String label) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("== " + label + " (" + shop.counts() + "), " + SECONDS + " s per run");
        Result orders = pgbench(pg, shop, new Run("place_order, 8 clients", "shop_app", 8, List.of("place_order.sql")), label);
        lines.add(orders.line());
        assertEquals(0, orders.failed(), orders.line());
        Run dashboard = new Run("reporting, 1 client, concurrently", "shop_reporting", 1, List.of("reporting.sql"));
        Process reporting = start(pg, shop, dashboard, label);
        Result mixed = pgbench(pg, shop, new Run("place_order+last_orders, 8 clients", "shop_app", 8, List.of("place_order.sql@5", "last_orders.sql@5")), label);
        Result report = finish(reporting, dashboard, label);
        lines.add(mixed.line());
        lines.add(report.line());
        assertEquals(0, mixed.failed() + report.failed(), mixed.line() + "\n" + report.line());
        return lines;
    }

    private Result pgbench(TestPostgres pg, ShopWorkload shop, Run run, String label) throws Exception {
        return finish(start(pg, shop, run, label), run, label);
    }

    private Process start(TestPostgres pg, ShopWorkload shop, Run run, String label) throws IOException {
        Path dir = logDir(run, label);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.toList()) {
                Files.delete(f); // logs of an earlier run would count again
            }
        }
        List<String> cmd = new ArrayList<>(List.of(PGBENCH.toString(), "-n", "-M", "prepared", "-T", String.valueOf(SECONDS),
                "-c", String.valueOf(run.clients()), "-j", String.valueOf(Math.min(2, run.clients())),
                "-h", "127.0.0.1", "-p", String.valueOf(pg.port()), "-U", run.user(),
                "-D", "customers=" + ShopWorkload.CUSTOMERS, "-D", "variants=" + shop.variants(),
                "--log", "--log-prefix=" + dir.resolve("tx")));
        for (String script : run.scripts()) {
            cmd.add("-f");
            cmd.add(script(script));
        }
        cmd.add("shop");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("pgbench.out").toFile());
        pb.environment().put("PGPASSWORD", new String(shop.password(run.user())));
        return pb.start();
    }

    private Result finish(Process p, Run run, String label) throws Exception {
        int exit = p.waitFor();
        Path dir = logDir(run, label);
        String out = Files.readString(dir.resolve("pgbench.out"));
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        Matcher tx = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(out);
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(out);
        assertTrue(tps.find() && tx.find(), "pgbench output:\n" + out);
        return new Result(run.name(), Double.parseDouble(tps.group(1)), Long.parseLong(tx.group(1)),
                failed.find() ? Long.parseLong(failed.group(1)) : 0, percentiles(dir, run), exit != 0 || out.contains("aborted"),
                ShopWorkload.loadAverage());
    }

    /** pgbench --log: one line per transaction, "client tx time_us script epoch epoch_us"; percentiles per script. */
    static Map<String, double[]> percentiles(Path dir, Run run) throws IOException {
        Map<Integer, List<Long>> byScript = new TreeMap<>();
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(f -> f.getFileName().toString().startsWith("tx.")).toList()) {
                try (Stream<String> lines = Files.lines(log)) {
                    lines.forEach(l -> {
                        String[] f = l.split(" ");
                        if (f.length >= 4 && !f[2].equals("failed") && !f[2].equals("skipped")) {
                            byScript.computeIfAbsent(Integer.parseInt(f[3]), k -> new ArrayList<>()).add(Long.parseLong(f[2]));
                        }
                    });
                }
            }
        }
        Map<String, double[]> out = new TreeMap<>();
        byScript.forEach((i, us) -> {
            us.sort(Long::compare);
            String name = run.scripts().get(i).replaceAll("\\.sql.*", "");
            out.put(name, new double[]{at(us, 0.50), at(us, 0.95), at(us, 0.99), us.get(us.size() - 1) / 1000.0, us.size()});
        });
        return out;
    }

    private static double at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size()))) / 1000.0;
    }

    private static Path logDir(Run run, String label) throws IOException {
        Path dir = OUT.resolve("shop-workload").resolve((label + "-" + run.name()).replaceAll("[^A-Za-z0-9]+", "-"));
        Files.createDirectories(dir);
        return dir;
    }

    /** A pgbench script from src/test/resources/bench, with an optional @weight. */
    static String script(String spec) {
        String[] parts = spec.split("@");
        String path = Paths.get("operator/src/test/resources/bench", parts[0]).toAbsolutePath().toString();
        return parts.length > 1 ? path + "@" + parts[1] : path;
    }
}
