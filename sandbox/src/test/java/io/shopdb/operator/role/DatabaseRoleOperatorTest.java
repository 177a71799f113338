package io.shopdb.operator.role;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.kube.CachedObjects;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.testing.Scrapes;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.sandbox.apiserver.ApiRequests;
import io.shopdb.operator.testing.ApiRequestLog;
import io.shopdb.operator.testing.InformerCaches;
import io.shopdb.operator.testing.LogCapture;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.EmbeddedApiServerResource;
import io.shopdb.operator.sandbox.EmbeddedApiServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shop example's cluster, database and four roles applied as a user would (the manifests under
 * examples/shop/), then a login with each role proves what it may and may not do. The shop is applied once;
 * each test makes or measures its own rows and resources, so the tests run in any order.
 */
@QuarkusTest
class DatabaseRoleOperatorTest extends OperatorTestBase {
    private static boolean applied;

    @EmbeddedApiServerResource.ApiServer
    EmbeddedApiServer api;

    @BeforeEach
    void applyShopOnce() throws Exception {
        LogCapture.install();
        if (applied) {
            return;
        }
        io.shopdb.operator.sandbox.KustomizeGenerators.apply(client, Paths.get("examples/shop/kustomization.yaml"), System.out);
        for (String file : List.of("00-cluster.yaml", "10-database.yaml", "20-roles.yaml", "30-migration.yaml")) {
            for (var doc : io.shopdb.operator.sandbox.admission.YamlDocuments.parse(Files.readString(Paths.get("examples/shop", file)))) {
                HasMetadata o = Serialization.unmarshal(Serialization.asJson(doc.content()), GenericKubernetesResource.class);
                o.getMetadata().setNamespace(ns());
                client.resource(o).create();
            }
        }
        applied = true;
        awaitReady(PostgresCluster.class, "shop-db");
        awaitReady(PostgresDatabase.class, "shop");
        for (String role : List.of("shop-owner", "shop-app", "shop-reporting", "shop-etl")) {
            awaitReady(PostgresRole.class, role);
        }
        awaitReady(io.shopdb.operator.api.v1alpha1.PostgresMigration.class, "shop-schema");
    }

    @Test
    void eachRoleCanDoExactlyWhatItIsGranted() throws Exception {
        PostgresDatabase db = awaitReady(PostgresDatabase.class, "shop");
        assertEquals("shop_owner", db.getStatus().getOwner());
        assertEquals(List.of("catalog", "sales", "reporting"), db.getStatus().getSchemas());
        assertTrue(db.getStatus().getExtensions().stream().anyMatch(e -> e.startsWith("pgcrypto@")), db.getStatus().getExtensions().toString());

        // The tables were created by the migration (as shop_owner). Roles and migration start together once the
        // database is Ready: tables created before a role's default privileges get its grants at the role's
        // next re-check (ALL TABLES IN SCHEMA), so wait for convergence rather than assume an order.
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> hasPrivilege("shop_app", "catalog.products", "INSERT")
                && hasPrivilege("shop_app", "sales.customers", "INSERT") && hasPrivilege("shop_reporting", "sales.customers", "SELECT")
                && hasPrivilege("shop_reporting", "reporting.daily_revenue", "SELECT") && hasPrivilege("shop_etl", "sales.customers", "INSERT"));
        long customers;
        try (Connection su = superuser(); Statement st = su.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sales.customers")) {
            rs.next();
            customers = rs.getLong(1);
        }
        try (Connection app = login("shop-app"); Statement st = app.createStatement()) {
            st.execute("INSERT INTO sales.customers (email, full_name) VALUES ('ada@example.com', 'Ada')");
            st.execute("INSERT INTO catalog.products (slug, name, category_id) VALUES ('tea', 'Tea', 1)");
        }
        try (Connection reporting = login("shop-reporting"); Statement st = reporting.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sales.customers")) {
                rs.next();
                assertEquals(customers + 1, rs.getLong(1), "reporting sees the row the app inserted");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM reporting.daily_revenue")) {
                assertTrue(rs.next(), "reporting reads the reporting views");
            }
            SQLException denied = assertThrows(SQLException.class, () -> st.execute("INSERT INTO sales.customers (email, full_name) VALUES ('eve@example.com', 'Eve')"));
            assertEquals("42501", denied.getSQLState(), "reporting cannot INSERT");
        }
        try (Connection etl = login("shop-etl")) {
            long copied = new CopyManager(etl.unwrap(BaseConnection.class))
                    .copyIn("COPY sales.customers (email, full_name) FROM STDIN", new StringReader("bob@example.com\tBob\ncyd@example.com\tCyd\n"));
            assertEquals(2, copied, "etl bulk-loads with COPY");
            try (Statement st = etl.createStatement()) {
                assertEquals("42501", assertThrows(SQLException.class, () -> st.execute("DELETE FROM sales.customers")).getSQLState(),
                        "etl cannot DELETE");
            }
        }
    }

    @Test
    void aPrivilegeGrantedByHandIsRevokedAndTheStatusShowsIt() throws Exception {
        try (Connection su = superuser(); Statement st = su.createStatement()) {
            st.execute("GRANT DELETE ON ALL TABLES IN SCHEMA sales TO shop_reporting");
        }
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> !hasPrivilege("shop_reporting", "sales.customers", "DELETE"));
        PostgresRole role = await(PostgresRole.class, "shop-reporting",
                r -> r.getStatus().getLastAppliedPlan().stream().anyMatch(s -> s.startsWith("REVOKE DELETE")));
        assertTrue(role.getStatus().getLastAppliedPlan().toString().contains("sales"), role.getStatus().getLastAppliedPlan().toString());
    }

    @Test
    void aSteadyStateIssuesNoDdlAndNoKubernetesWrite() throws Exception {
        // let in-flight reconciles (and the drift fix above) settle, then watch several re-check periods
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> writesDuring(3_000) == 0);
        assertTheCountersSeeAWriteAndADdl();
        // the extension goes into the maintenance database: statistics are server-wide, and the shop's catalog stays as declared
        try (Connection su = superuser("postgres"); Statement st = su.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            st.execute("SELECT pg_stat_statements_reset()");
        }
        List<ApiRequests.Request> requests = requestsDuring(8_000); // four re-check intervals of the test profile (2 s)
        int writes = (int) requests.stream().filter(r -> !r.verb().equals("get") && !r.verb().equals("list") && !r.verb().equals("watch")).count();
        // Reconciles of databases, roles and migrations read their own kinds, Secrets and ConfigMaps from informer
        // caches: none of those reads reaches the API server. (The cluster reconciler's reads of its StatefulSet,
        // Services, Pods and superuser Secret are its own business; the sandbox runner's calls are set apart.)
        List<String> reads = requests.stream().filter(ApiRequests.Request::isRead)
                .filter(r -> r.resource().startsWith("postgres") && !r.resource().startsWith("postgresclusters")
                        || r.resource().equals("secrets") && r.name() != null && (r.name().endsWith("-password") || r.name().endsWith("-connection"))
                        || r.resource().equals("configmaps") && r.name() != null && !r.name().endsWith("-config"))
                .map(r -> r.verb() + " " + r.path()).toList();
        assertEquals(List.of(), ddlStatements(), "no DDL at steady state");
        assertEquals(0, writes, "no Kubernetes write at steady state");
        assertEquals(List.of(), reads, "no get or list by the dependents' reconciles at steady state");
    }

    @Test
    void rotatingAGeneratedPasswordRefusesTheOldOneAndAcceptsTheNew() throws Exception {
        char[] old = GeneratedSecrets.read(client, ns(), "shop-app-password", "password");
        client.resources(PostgresRole.class).inNamespace(ns()).withName("shop-app")
                .edit(r -> { r.getSpec().setPasswordRotation("2026-11-25"); return r; });
        Awaitility.await().atMost(READY_TIMEOUT).until(() ->
                !new String(old).equals(new String(GeneratedSecrets.read(client, ns(), "shop-app-password", "password"))));
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> {
            try (Connection c = login("shop-app")) {
                return true;
            } catch (SQLException e) {
                return false;
            }
        });
        SQLException refused = assertThrows(SQLException.class, () -> PgConnections.open(endpoint("shop-db-rw", "shop", "shop_app", old)).close());
        assertEquals("28P01", refused.getSQLState(), "the old password is refused");
        char[] current = GeneratedSecrets.read(client, ns(), "shop-app-password", "password");
        // the capture holds the operator's own lines (this role's reconciles among them), so finding no password means something
        assertTrue(!LogCapture.install().linesContaining("io.shopdb.operator.status.StatusWriter").isEmpty(), "the capture sees operator log lines");
        assertEquals(List.of(), LogCapture.install().linesContaining(new String(current)), "the password never reaches a log line");
        assertEquals(List.of(), LogCapture.install().linesContaining(new String(old)), "nor the old one");
        // the connection Secret is rewritten by the same reconcile, just after the password is set in the server
        Awaitility.await().atMost(READY_TIMEOUT).until(() ->
                new String(GeneratedSecrets.read(client, ns(), "shop-app-connection", "uri")).contains(new String(current)));
        String connectionUri = new String(GeneratedSecrets.read(client, ns(), "shop-app-connection", "uri"));
        assertTrue(connectionUri.startsWith("postgresql://shop_app:"), "the app Secret follows");
    }

    /**
     * The operator keeps in memory only the Secrets and ConfigMaps it made or a resource names: an unrelated Secret and
     * ConfigMap never reach its informers, a role's given password Secret does (labelled on its first read), the
     * cluster's own Secrets that kube/SecretCaches serves are there, and a new value in the given Secret still
     * rotates the role's password.
     */
    @Test
    void onlyTheSecretsAndConfigMapsTheOperatorMadeOrAResourceNamesAreCachedAndAGivenPasswordStillRotates() throws Exception {
        // Made first: each watch then shows a later object (the given password Secret, the role's connection Secret,
        // a ConfigMap labelled by hand), so an informer without a label selector would hold these by then.
        create(new SecretBuilder().withNewMetadata().withName("unrelated-credentials").endMetadata()
                .addToStringData("password", "not-for-the-operator").build());
        create(new ConfigMapBuilder().withNewMetadata().withName("unrelated-settings").endMetadata().addToData("k", "v").build());
        create(new SecretBuilder().withNewMetadata().withName("shop-audit-given-password").endMetadata()
                .addToStringData("password", "first-Audit-pw-1").build());
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: shop-audit}
                spec:
                  clusterRef: {name: shop-db}
                  name: shop_audit
                  login: true
                  connectionDatabase: shop
                  passwordSecretRef: {name: shop-audit-given-password}
                """, PostgresRole.class));
        awaitReady(PostgresRole.class, "shop-audit");
        assertEquals("true", client.secrets().inNamespace(ns()).withName("shop-audit-given-password").get()
                .getMetadata().getLabels().get(CachedObjects.REFERENCED_LABEL), "the role's first read labels its Secret");
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> InformerCaches.holding(operator, Secret.class, ns(), "shop-audit-given-password"),
                List.of("postgresrole/referenced-secrets")::equals);
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> InformerCaches.holding(operator, Secret.class, ns(), "shop-audit-connection"),
                List.of("postgresrole/secrets")::equals);
        // what kube/SecretCaches serves to every controller: the cluster's own Secrets, from the operator-made informer
        for (String own : List.of("shop-db-superuser", "shop-db-server-tls", "shop-app-password")) {
            assertEquals(List.of("postgresrole/secrets"), InformerCaches.holding(operator, Secret.class, ns(), own), own);
        }
        // the shop migration's ConfigMap, labelled when first read
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> InformerCaches.holding(operator, ConfigMap.class, ns(), "shop-migrations"),
                List.of("postgresmigration/configmaps")::equals);
        create(new ConfigMapBuilder().withNewMetadata().withName("labelled-by-hand").addToLabels(CachedObjects.REFERENCED_LABEL, "true")
                .endMetadata().build());
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> !InformerCaches.holding(operator, ConfigMap.class, ns(), "labelled-by-hand").isEmpty());
        assertEquals(List.of(), InformerCaches.holding(operator, Secret.class, ns(), "unrelated-credentials"), "an unrelated Secret is not cached");
        assertEquals(List.of(), InformerCaches.holding(operator, ConfigMap.class, ns(), "unrelated-settings"), "an unrelated ConfigMap is not cached");
        var unrelatedLabels = client.secrets().inNamespace(ns()).withName("unrelated-credentials").get().getMetadata().getLabels();
        assertTrue(unrelatedLabels == null || !unrelatedLabels.containsKey(CachedObjects.REFERENCED_LABEL), "nor labelled: " + unrelatedLabels);

        PgEndpoint first = endpoint("shop-db-rw", "shop", "shop_audit", "first-Audit-pw-1".toCharArray());
        PgConnections.open(first).close();
        client.secrets().inNamespace(ns()).withName("shop-audit-given-password").edit(s -> {
            s.setData(new java.util.HashMap<>(java.util.Map.of("password", GeneratedSecrets.base64("second-Audit-pw-2"))));
            return s;
        });
        PgEndpoint second = endpoint("shop-db-rw", "shop", "shop_audit", "second-Audit-pw-2".toCharArray());
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> {
            try (Connection c = PgConnections.open(second)) {
                return true;
            } catch (SQLException e) {
                return false;
            }
        });
        SQLException refused = assertThrows(SQLException.class, () -> PgConnections.open(first).close());
        assertEquals("28P01", refused.getSQLState(), "the old password is refused");
        Awaitility.await().atMost(READY_TIMEOUT).until(() ->
                new String(GeneratedSecrets.read(client, ns(), "shop-audit-connection", "password")).equals("second-Audit-pw-2"));
    }

    @Test
    void aSecondResourceClaimingTheSameRoleIsStalledAndTouchesNothing() throws Exception {
        PostgresRole copy = Serialization.unmarshal(Serialization.asJson(client.resources(PostgresRole.class).inNamespace(ns()).withName("shop-etl").get()), PostgresRole.class);
        copy.getMetadata().setName("shop-etl-again");
        copy.getMetadata().setResourceVersion(null);
        copy.getMetadata().setUid(null);
        copy.getMetadata().setCreationTimestamp(null);
        copy.setStatus(null);
        copy.getSpec().getGrants().get(0).getSchemas().get(0).getTables().add(io.shopdb.operator.api.v1alpha1.GrantSpec.TablePrivilege.DELETE);
        client.resource(copy).create();
        PostgresRole stalled = awaitCondition(PostgresRole.class, "shop-etl-again", Conditions.STALLED, Reasons.CONFLICT);
        assertTrue(Conditions.find(stalled.getStatus(), Conditions.STALLED).getMessage().contains("shop-etl already manages role shop_etl"));
        assertTrue(!hasPrivilege("shop_etl", "sales.customers", "DELETE"), "the conflicting resource issued no GRANT");
    }

    @Test
    void hostileNamesAreCreatedExactlyNeverExecuted() throws Exception {
        String hostile = "we\"ird; DROP TABLE sales.customers; --é";
        PostgresRole role = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: hostile}
                spec:
                  clusterRef: {name: shop-db}
                  login: false
                """, PostgresRole.class);
        role.getSpec().setName(hostile);
        create(role);
        awaitReady(PostgresRole.class, "hostile");
        try (Connection su = superuser(); var ps = su.prepareStatement("SELECT count(*) FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, hostile);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the role exists with exactly that name");
            }
        }
        try (Connection su = superuser(); Statement st = su.createStatement(); ResultSet rs = st.executeQuery("SELECT to_regclass('sales.customers') IS NOT NULL")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "nothing was dropped");
        }
        PostgresRole tooLong = Serialization.unmarshal(Serialization.asJson(role), PostgresRole.class);
        tooLong.getMetadata().setName("too-long");
        tooLong.getMetadata().setResourceVersion(null);
        tooLong.getSpec().setName("é".repeat(32)); // 64 bytes
        create(tooLong);
        PostgresRole stalled = awaitCondition(PostgresRole.class, "too-long", Conditions.STALLED, Reasons.INVALID_SPEC);
        assertTrue(Conditions.find(stalled.getStatus(), Conditions.STALLED).getMessage().contains("spec.name: is 64 bytes long"));
    }

    @Test
    void deletingKeepsDataUnlessReclaimPolicyIsDeleteAndARoleOwningObjectsIsNotDropped() throws Exception {
        PostgresDatabase scratch = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: scratch}
                spec: {clusterRef: {name: shop-db}, owner: shop_owner, reclaimPolicy: Delete}
                """, PostgresDatabase.class);
        PostgresDatabase kept = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: kept}
                spec: {clusterRef: {name: shop-db}, owner: shop_owner}
                """, PostgresDatabase.class);
        PostgresRole owning = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: owning}
                spec: {clusterRef: {name: shop-db}, login: false, reclaimPolicy: Delete}
                """, PostgresRole.class);
        create(scratch);
        create(kept);
        create(owning);
        awaitReady(PostgresDatabase.class, "scratch");
        awaitReady(PostgresDatabase.class, "kept");
        awaitReady(PostgresRole.class, "owning");
        try (Connection su = superuser("kept"); Statement st = su.createStatement()) {
            st.execute("CREATE TABLE owned_by_role (id int)");
            st.execute("ALTER TABLE owned_by_role OWNER TO owning");
        }
        client.resources(PostgresDatabase.class).inNamespace(ns()).withName("scratch").delete();
        client.resources(PostgresDatabase.class).inNamespace(ns()).withName("kept").delete();
        client.resources(PostgresRole.class).inNamespace(ns()).withName("owning").delete();
        Awaitility.await().atMost(READY_TIMEOUT).until(() ->
                client.resources(PostgresDatabase.class).inNamespace(ns()).withName("scratch").get() == null
                        && client.resources(PostgresDatabase.class).inNamespace(ns()).withName("kept").get() == null);
        assertTrue(!exists("SELECT 1 FROM pg_database WHERE datname = 'scratch'"), "Delete drops the database");
        assertTrue(exists("SELECT 1 FROM pg_database WHERE datname = 'kept'"), "Retain keeps it");
        PostgresRole refused = awaitCondition(PostgresRole.class, "owning", Conditions.STALLED, "DropRefused");
        assertTrue(Conditions.find(refused.getStatus(), Conditions.STALLED).getMessage().contains("kept"),
                "the message names where the role owns objects: " + Conditions.find(refused.getStatus(), Conditions.STALLED).getMessage());
        assertTrue(exists("SELECT 1 FROM pg_roles WHERE rolname = 'owning'"), "no half-done drop");
        try (Connection su = superuser("kept"); Statement st = su.createStatement()) {
            st.execute("DROP TABLE owned_by_role");
        }
        Awaitility.await().atMost(READY_TIMEOUT).until(() -> client.resources(PostgresRole.class).inNamespace(ns()).withName("owning").get() == null);
        assertTrue(!exists("SELECT 1 FROM pg_roles WHERE rolname = 'owning'"), "dropped once it owns nothing");
    }

    @Test
    void theScrapeShowsTheShopAsItIsAndANewOrderMovesTheCommitCounter() throws Exception {
        String cluster = "cluster=\"shop-db\"";
        String shop = "database=\"shop\"";
        String body = Awaitility.await().atMost(READY_TIMEOUT)
                .until(Scrapes::scrape, b -> Double.valueOf(1.0).equals(Scrapes.sample(b, "shopdb_pg_up", cluster))
                        && Scrapes.sample(b, "shopdb_pg_xact_commit_total", cluster, shop) != null);
        assertEquals(1.0, Scrapes.sample(body, "shopdb_migration_version_info", "migration=\"shop-schema\"", "version=\"8\""), "version_info");
        assertEquals(0.0, Scrapes.sample(body, "shopdb_migration_failed", "migration=\"shop-schema\""), "migration_failed");
        Double replicaLag = Scrapes.sample(body, "shopdb_pg_replication_lag_bytes", cluster, "replica=\"shop-db-1\"");
        assertTrue(replicaLag != null && replicaLag >= 0, "the shop's replica is reported: " + replicaLag);
        double before = Scrapes.sample(body, "shopdb_pg_xact_commit_total", cluster, shop);
        try (Connection app = login("shop-app"); Statement st = app.createStatement()) {
            st.execute("INSERT INTO sales.customers (email, full_name) VALUES ('metrics@example.com', 'Metric') ");
            st.execute("INSERT INTO sales.orders (customer_id, currency, total) SELECT id, 'EUR', 12.50 FROM sales.customers WHERE email = 'metrics@example.com'");
        }
        Awaitility.await().atMost(READY_TIMEOUT).until(() ->
                Scrapes.sample(Scrapes.scrape(), "shopdb_pg_xact_commit_total", cluster, shop) >= before + 2);
    }

    private boolean exists(String sql) throws SQLException {
        try (Connection su = superuser("postgres"); Statement st = su.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }

    private Connection login(String roleResource) throws SQLException {
        String user = new String(GeneratedSecrets.read(client, ns(), roleResource + "-connection", "user"));
        char[] password = GeneratedSecrets.read(client, ns(), roleResource + "-password", "password");
        return PgConnections.open(endpoint("shop-db-rw", "shop", user, password));
    }

    private Connection superuser() throws SQLException {
        return superuser("shop");
    }

    private Connection superuser(String database) throws SQLException {
        return PgConnections.open(endpoint("shop-db-rw", database, "postgres", GeneratedSecrets.read(client, ns(), "shop-db-superuser", "password")));
    }

    private boolean hasPrivilege(String role, String table, String privilege) throws SQLException {
        try (Connection su = superuser(); var ps = su.prepareStatement("SELECT has_table_privilege(?, ?, ?)")) {
            ps.setString(1, role);
            ps.setString(2, table);
            ps.setString(3, privilege);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The positive control of the steady-state test: the two counters see what that test says does not happen, one
     * Kubernetes write and one DDL statement, made here on purpose (so a counter that sees nothing cannot pass it).
     */
    private void assertTheCountersSeeAWriteAndADdl() throws Exception {
        List<String> writes = requestsDuring(1_000, () -> client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("steady-state-probe").withNamespace(ns()).endMetadata().build()).create())
                .stream().filter(r -> !r.isRead() && !r.verb().equals("watch")).map(r -> r.verb() + " " + r.resource()).toList();
        assertTrue(writes.contains("create configmaps"), "the write counter sees a write: " + writes);
        try (Connection su = superuser("postgres"); Statement st = su.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            st.execute("SELECT pg_stat_statements_reset()");
            st.execute("COMMENT ON DATABASE postgres IS 'steady-state probe'");
        }
        assertTrue(ddlStatements().stream().anyMatch(q -> q.startsWith("COMMENT ON DATABASE")), "the DDL counter sees a DDL statement");
    }

    /** DDL statements the server ran since pg_stat_statements was last reset. */
    private List<String> ddlStatements() throws SQLException {
        List<String> ddl = new ArrayList<>();
        try (Connection su = superuser("postgres"); Statement st = su.createStatement();
             ResultSet rs = st.executeQuery("SELECT query FROM pg_stat_statements WHERE query ~* '^\\s*(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT)'")) {
            while (rs.next()) {
                ddl.add(rs.getString(1));
            }
        }
        return ddl;
    }

    private List<ApiRequests.Request> requestsDuring(long millis) throws InterruptedException {
        return requestsDuring(millis, () -> { });
    }

    /** The requests the API server receives within the window (the sandbox runner's set apart); {@code atStart} runs once it is open. */
    private List<ApiRequests.Request> requestsDuring(long millis, Runnable atStart) throws InterruptedException {
        ApiRequestLog log = new ApiRequestLog(api).reset();
        atStart.run();
        List<ApiRequests.Request> out = new ArrayList<>();
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            out.addAll(log.read());
            Thread.sleep(100); // the length of the observation window, not a wait for a state
        }
        out.addAll(log.read());
        out.stream().filter(r -> !r.verb().equals("watch")).forEach(r -> System.out.println("at steady state: " + r.verb() + " " + r.path()));
        return out;
    }

    private int writesDuring(long millis) throws InterruptedException {
        return (int) requestsDuring(millis).stream().filter(r -> !r.isRead() && !r.verb().equals("watch")).count();
    }
}
