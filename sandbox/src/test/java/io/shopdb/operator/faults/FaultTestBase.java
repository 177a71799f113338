package io.shopdb.operator.faults;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.cluster.ClusterCredentials;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.OperatorTestBase;
import io.shopdb.operator.testing.StatusHistory;
import org.awaitility.Awaitility;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the fault tests share: a superuser connection to a {@code clusterWithDatabase} cluster, and waiting for
 * the moment a statement waits on a lock the test holds. That is how a window is made, not guessed: the test
 * takes a lock the work under test needs, sees the work's statement waiting in pg_stat_activity, then strikes.
 */
abstract class FaultTestBase extends OperatorTestBase {

    /** The cluster {prefix}-db's superuser, through its read-write Service, to {@code database}. */
    protected PgEndpoint superuser(String prefix, String database) {
        char[] password = ClusterCredentials.read(client, ns(), prefix + "-db-superuser", "password");
        return endpoint(prefix + "-db-rw", database, "postgres", password);
    }

    /** The superuser of cluster {prefix}-db on one of its pods (by the pod's DNS name), to database postgres. */
    protected PgEndpoint superuserOn(String prefix, String pod) {
        char[] password = ClusterCredentials.read(client, ns(), prefix + "-db-superuser", "password");
        return endpoint(pod + "." + prefix + "-db-headless", "postgres", "postgres", password);
    }

    /** The first column of the first row of {@code query}, as text. */
    protected static String query(PgEndpoint endpoint, String query) throws SQLException {
        try (Connection c = PgConnections.open(endpoint); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Waits until another session's statement like {@code pattern} waits for a lock; returns its text. */
    protected String awaitWaitingStatement(String prefix, String database, String pattern) {
        return Awaitility.await().atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            try (Connection c = PgConnections.open(superuser(prefix, database));
                 var ps = c.prepareStatement("SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ? AND pid <> pg_backend_pid()")) {
                ps.setString(1, pattern);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }, q -> q != null);
    }

    /** ConfigMap {prefix}-scripts holding these migration scripts (made, or replaced). */
    protected void scripts(String prefix, Map<String, String> scripts) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName(prefix + "-scripts").withNamespace(ns()).endMetadata()
                .withData(scripts).build()).createOr(existing -> existing.update());
    }

    /** PostgresMigration {prefix}-schema: schema app of database {prefix}, from ConfigMap {prefix}-scripts. */
    protected void migrateAppSchema(String prefix) {
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: %1$s-schema}
                spec:
                  databaseRef: {name: %1$s}
                  schemas: [app]
                  sources: [{configMap: %1$s-scripts}]
                """.formatted(prefix), PostgresMigration.class));
    }

    /** Statements as the superuser, in a connection of their own. */
    protected void sql(String prefix, String database, String... statements) throws SQLException {
        try (Connection c = PgConnections.open(superuser(prefix, database)); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** A connection holding an open transaction in which {@code statements} ran: the lock the test holds. */
    protected Connection holding(String prefix, String database, String... statements) throws SQLException {
        Connection c = PgConnections.open(superuser(prefix, database));
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
        return c;
    }

    /** Flyway's history of schema app: "version:success" in the order applied, or "none". */
    protected static String history(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT coalesce(string_agg(version || ':' || success, ',' ORDER BY installed_rank), 'none')"
                + " FROM app.flyway_schema_history WHERE version IS NOT NULL")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * After the interrupted-migration cases (V1 customers, V2 orders with one row): one successful history row per
     * version and V2's row once, so the interrupted V2 was rolled back and ran again whole.
     */
    protected void assertV2RanOnceWhole(String prefix) throws SQLException {
        try (Connection c = PgConnections.open(superuser(prefix, prefix)); Statement st = c.createStatement()) {
            assertEquals("1:true,2:true", history(st), "one history row per version, all successful");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM app.orders")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "V2's row, once");
            }
        }
    }

    protected static List<String> stalled(List<StatusHistory.Seen> seen) {
        List<String> out = new ArrayList<>();
        seen.stream().filter(StatusHistory.Seen::stalled).forEach(s -> out.add(s.reason() + " at " + s.resourceVersion()));
        return out;
    }

    protected static List<String> reasons(List<StatusHistory.Seen> seen) {
        return seen.stream().map(StatusHistory.Seen::reason).distinct().toList();
    }

    protected static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the server that held it was killed
        }
    }
}
