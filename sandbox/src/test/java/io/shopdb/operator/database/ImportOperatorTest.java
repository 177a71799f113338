package io.shopdb.operator.database;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.ImportStatus;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.TableChecksums;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * spec.import through the running operator: a second local PostgreSQL plays the shop's existing server (a VM or RDS;
 * to a sandbox pod 127.0.0.1 is outside the cluster, dialled as written), the agent Job copies it into a new database
 * of a sandbox cluster while the shop keeps writing orders on the source, and status.import reports equal counts and
 * checksums and the source's roles that no PostgresRole declares. A database that already holds tables is refused.
 */
@QuarkusTest
class ImportOperatorTest extends OperatorTestBase {
    static final String CLUSTER = "im-db";
    static TestPostgres source;

    @BeforeEach
    void existingServerAndCluster() throws Exception {
        if (source != null) {
            return;
        }
        source = TestPostgres.start();
        source.exec("postgres", "CREATE ROLE shop_app LOGIN", "CREATE ROLE legacy_reports LOGIN",
                // the import reads as a least-privilege role of the source, never its superuser
                "CREATE ROLE migrator LOGIN PASSWORD 'migrator-secret' IN ROLE pg_read_all_data", "CREATE DATABASE legacy");
        source.exec("legacy", "CREATE SCHEMA sales",
                "CREATE TABLE sales.customers (id int PRIMARY KEY, email text NOT NULL, created_at timestamptz)",
                "INSERT INTO sales.customers SELECT g, 'c' || g || '@example.com', timestamptz '2026-01-01' + g * interval '1 hour' FROM generate_series(1, 2000) g",
                "CREATE TABLE sales.orders (id int, customer_id int, total numeric(12,2), created_at timestamptz) PARTITION BY RANGE (created_at)",
                "CREATE TABLE sales.orders_2026 PARTITION OF sales.orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "CREATE TABLE sales.orders_default PARTITION OF sales.orders DEFAULT",
                "INSERT INTO sales.orders SELECT g, 1 + g % 2000, g % 300, timestamptz '2026-01-01' + g * interval '5 minutes' FROM generate_series(1, 10000) g",
                "CREATE TABLE public.audit_log (line text)",
                "INSERT INTO public.audit_log SELECT 'event ' || g FROM generate_series(1, 300) g",
                "GRANT SELECT ON ALL TABLES IN SCHEMA sales TO legacy_reports");
        create(new SecretBuilder().withNewMetadata().withName("legacy-source").endMetadata()
                .withStringData(Map.of("username", "migrator", "password", "migrator-secret")).build());
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: im-db}
                spec: {instances: 1}
                """, PostgresCluster.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: im-owner}
                spec: {clusterRef: {name: im-db}, name: im_owner}
                """, PostgresRole.class));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: shop-app}
                spec: {clusterRef: {name: im-db}, name: shop_app}
                """, PostgresRole.class));
        awaitReady(PostgresRole.class, "im-owner");
        awaitReady(PostgresRole.class, "shop-app");
    }

    @AfterAll
    static void stopSource() {
        if (source != null) {
            source.stop();
        }
    }

    @Test
    void theShopsDatabaseArrivesWholeWhileItKeepsSellingAndIsNeverImportedTwice() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        Thread shop = new Thread(() -> {
            try (Connection c = source.connect("legacy"); PreparedStatement ps = c.prepareStatement("INSERT INTO sales.orders VALUES (?, 1, 1.00, now())")) {
                for (int id = 100_000; !stop.get() || written.get() == 0; id++) {
                    ps.setInt(1, id);
                    ps.executeUpdate();
                    written.incrementAndGet();
                    Thread.sleep(5);
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        shop.start();
        PostgresDatabase db;
        try {
            create(database("shop", "shop", ""));
            db = awaitReady(PostgresDatabase.class, "shop");
        } finally {
            stop.set(true);
            shop.join();
        }
        ImportStatus report = db.getStatus().getImportStatus();
        assertEquals(ImportStatus.SUCCEEDED, report.getPhase(), report.getMessage());
        assertEquals(3, report.getTablesChecked(), "audit_log, customers, orders (its partitions count as the table)");
        assertEquals(0, report.getMismatchCount());
        assertEquals(List.of(), report.getMismatches());
        assertEquals(List.of("legacy_reports", "migrator"), report.getRolesNotCarriedOver(), "shop_app has a PostgresRole");
        assertEquals(1, report.getAttempts());
        assertTrue(report.getMessage().contains("row counts and checksums equal"), report.getMessage());
        assertTrue(report.getSnapshot() != null && !report.getSnapshot().isBlank());

        // the copy: owned by the database owner, no grants carried over, the orders of the snapshot
        Map<String, TableChecksums.TableSum> copied;
        try (Connection c = PgConnections.open(superuser("shop"))) {
            copied = TableChecksums.read(c);
            assertEquals(List.of("audit_log im_owner", "customers im_owner", "orders im_owner", "orders_2026 im_owner", "orders_default im_owner"),
                    rows(c, "SELECT c.relname || ' ' || pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            + "WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'sales') ORDER BY 1"));
            assertEquals(List.of(), rows(c, "SELECT grantee FROM information_schema.role_table_grants WHERE grantee = 'legacy_reports'"));
        }
        long sourceOrders;
        try (Connection c = source.connect("legacy")) {
            sourceOrders = TableChecksums.read(c).get("sales.orders").rows();
        }
        long copiedOrders = copied.get("sales.orders").rows();
        assertTrue(copiedOrders >= 10_000 && sourceOrders > copiedOrders,
                "orders kept coming after the snapshot: source " + sourceOrders + ", copy " + copiedOrders + ", written " + written.get());

        // a later reconcile of a new generation (a schema added) runs no second import
        client.resources(PostgresDatabase.class).inNamespace(ns()).withName("shop").edit(d -> {
            var schema = new PostgresDatabaseSpec.SchemaSpec();
            schema.setName("reporting");
            d.getSpec().getSchemas().add(schema);
            return d;
        });
        db = await(PostgresDatabase.class, "shop", d -> Conditions.isReady(d.getStatus()) && d.getStatus().getSchemas().contains("reporting"));
        assertEquals(1, db.getStatus().getImportStatus().getAttempts());
        assertEquals(ImportStatus.SUCCEEDED, db.getStatus().getImportStatus().getPhase());
        assertEquals(List.of("shop-import-1"), client.resources(Job.class).inNamespace(ns()).list().getItems().stream()
                .map(j -> j.getMetadata().getName()).filter(n -> n.startsWith("shop-import")).toList());
        assertTrue(client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> "ImportSucceeded".equals(e.getReason()) && "shop".equals(e.getRegarding().getName())));
        assertTrue(client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inNamespace(ns()).list().getItems().stream()
                .anyMatch(e -> "ImportSourceNotVerified".equals(e.getReason()) && "shop".equals(e.getRegarding().getName())
                        && e.getNote().contains("sslmode disable")), "sslMode disable is written, and warned about");

        // pg_restore ran logged in as the attempt's throwaway role (verify-full to the cluster), which is gone with its Secret
        var job = client.resources(Job.class).inNamespace(ns()).withName("shop-import-1").get();
        var args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        assertEquals("verify-full", args.get(args.indexOf("--sslmode") + 1));
        assertEquals(null, client.secrets().inNamespace(ns()).withName("shop-import-1-login").get(), "the login's Secret is deleted");
        try (Connection c = PgConnections.open(superuser("shop"))) {
            assertEquals(List.of(), rows(c, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'shopdb\\_mig\\_%'"), "the login role is dropped");
        }
    }

    @Test
    void anOwnerWithSuperuserPowersIsStalledBeforeAnyJob() throws Exception {
        awaitReady(PostgresCluster.class, CLUSTER);
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: super-owned}
                spec:
                  clusterRef: {name: im-db}
                  name: super_owned
                  owner: postgres
                  import:
                    source: {host: 127.0.0.1, port: %d, database: legacy, sslMode: disable, secretRef: {name: legacy-source}}
                """.formatted(source.port()), PostgresDatabase.class));
        PostgresDatabase db = awaitCondition(PostgresDatabase.class, "super-owned", Conditions.STALLED, "InvalidSpec");
        String message = Conditions.find(db.getStatus(), Conditions.STALLED).getMessage();
        assertTrue(message.startsWith("spec.owner: postgres has SUPERUSER"), message);
        assertEquals(List.of(), client.resources(Job.class).inNamespace(ns()).list().getItems().stream()
                .map(j -> j.getMetadata().getName()).filter(n -> n.startsWith("super-owned-import")).toList(), "no Job, nothing imported");
    }

    @Test
    void aDatabaseThatAlreadyHoldsTablesIsRefusedWithTheAgentsReason() throws Exception {
        awaitReady(PostgresCluster.class, CLUSTER);
        try (Connection c = PgConnections.open(superuser("postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE kept OWNER im_owner");
        }
        try (Connection c = PgConnections.open(superuser("kept")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE precious (id int)");
        }
        create(database("kept", "kept", ""));
        PostgresDatabase db = awaitCondition(PostgresDatabase.class, "kept", Conditions.STALLED, "TargetNotEmpty");
        String message = Conditions.find(db.getStatus(), Conditions.STALLED).getMessage();
        assertTrue(message.contains("already holds 1 relation(s)"), message);
        assertEquals(ImportStatus.FAILED, db.getStatus().getImportStatus().getPhase());
        try (Connection c = PgConnections.open(superuser("kept"))) {
            assertEquals(List.of("precious"), rows(c, "SELECT relname FROM pg_class WHERE relname IN ('precious', 'customers', 'audit_log')"),
                    "nothing was imported over it");
        }
    }

    private static PostgresDatabase database(String name, String databaseName, String moreImport) {
        return Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: %s}
                spec:
                  clusterRef: {name: im-db}
                  name: %s
                  owner: im_owner
                  import:
                    source: {host: 127.0.0.1, port: %d, database: legacy, sslMode: disable, secretRef: {name: legacy-source}}
                    %s
                """.formatted(name, databaseName, source.port(), moreImport), PostgresDatabase.class);
    }

    private PgEndpoint superuser(String database) {
        char[] password = ClusterCredentials.read(client, ns(), CLUSTER + "-superuser", "password");
        return endpoint(CLUSTER + "-rw", database, "postgres", password);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
