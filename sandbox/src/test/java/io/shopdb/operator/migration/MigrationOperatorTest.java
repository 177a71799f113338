package io.shopdb.operator.migration;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A migration through the sandbox: applied, a failing script Stalled and then fixed, an edited applied script refused. */
@QuarkusTest
class MigrationOperatorTest extends OperatorTestBase {

    @Test
    void migratesReportsFailuresHonestlyAndRefusesEditedHistory() {
        clusterWithDatabase("mig", "schemas: [{name: app}]");
        scripts(Map.of("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);"));
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: mig-schema}
                spec:
                  databaseRef: {name: mig}
                  schemas: [app]
                  sources: [{configMap: mig-scripts}]
                """, PostgresMigration.class));
        PostgresMigration ready = awaitReady(PostgresMigration.class, "mig-schema");
        assertEquals("1", ready.getStatus().getCurrentVersion());
        assertEquals(0, ready.getStatus().getPendingCount());
        assertTrue(ready.getStatus().getApplied().stream().anyMatch(a -> "V1__customers.sql".equals(a.getScript()) && a.getChecksum() != null));

        // a broken V2: Stalled, naming the script, the line and PostgreSQL's error; V1 stays
        scripts(Map.of("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);",
                "V2__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customerz;\n"));
        PostgresMigration failed = awaitCondition(PostgresMigration.class, "mig-schema", Conditions.STALLED, "MigrationFailed");
        assertEquals("V2__orders.sql", failed.getStatus().getFailure().getScript());
        assertEquals(2, failed.getStatus().getFailure().getLine());
        assertEquals("42P01", failed.getStatus().getFailure().getSqlState());
        assertEquals("1", failed.getStatus().getCurrentVersion(), "the failed script left the schema at V1");
        assertEquals(1, failed.getStatus().getPendingCount());

        // fixing the ConfigMap is enough: the re-check notices the new content
        scripts(Map.of("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);",
                "V2__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers;\n"));
        PostgresMigration fixed = await(PostgresMigration.class, "mig-schema",
                m -> Conditions.isReady(m.getStatus()) && "2".equals(m.getStatus().getCurrentVersion()));
        assertEquals(null, fixed.getStatus().getFailure());

        // editing an applied script is refused with what to do
        scripts(Map.of("V1__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY, email text);",
                "V2__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers;\n"));
        PostgresMigration mismatch = awaitCondition(PostgresMigration.class, "mig-schema", Conditions.STALLED, "ChecksumMismatch");
        assertTrue(Conditions.find(mismatch.getStatus(), Conditions.STALLED).getMessage().contains("restore its original content"));
    }

    @Test
    void backupBeforeTakesABackupAndWaitsForItBeforeMigrating() {
        clusterWithDatabase("bb", "");
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("bb-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build());
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("bb-scripts").withNamespace(ns()).endMetadata()
                .withData(Map.of("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY);")).build()).create();
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: bb-schema}
                spec:
                  databaseRef: {name: bb}
                  sources: [{configMap: bb-scripts}]
                  backupBefore:
                    target: {pvc: {claimName: bb-store, subPath: pre-migration}}
                """, PostgresMigration.class));
        PostgresMigration ready = awaitReady(PostgresMigration.class, "bb-schema");
        assertEquals("1", ready.getStatus().getCurrentVersion());
        String backupName = ready.getStatus().getPreMigrationBackup();
        assertTrue(backupName != null && backupName.startsWith("bb-schema-pre-"), String.valueOf(backupName));
        PostgresBackup backup = client.resources(PostgresBackup.class).inNamespace(ns()).withName(backupName).get();
        assertTrue(Conditions.isReady(backup.getStatus()), "the backup is Ready");
        Instant backupDone = Instant.parse(Conditions.find(backup.getStatus(), Conditions.READY).getLastTransitionTime());
        Instant migrated = Instant.parse(ready.getStatus().getApplied().stream()
                .filter(a -> "V1__t.sql".equals(a.getScript())).findFirst().orElseThrow().getInstalledOn());
        assertTrue(!migrated.isBefore(backupDone.minusSeconds(1)), "migrated at " + migrated + ", after the backup at " + backupDone);
    }

    @Test
    void aSchemaFlywayRefusesIsStalledNotRetriedAsIfTheServerWereDown() throws Exception {
        clusterWithDatabase("nb", "schemas: [{name: app}]");
        awaitReady(PostgresDatabase.class, "nb");
        char[] password = io.shopdb.operator.cluster.ClusterCredentials.read(client, ns(), "nb-db-superuser", "password");
        try (var c = io.shopdb.operator.sql.PgConnections.open(endpoint("nb-db-rw", "nb", "postgres", password)); var st = c.createStatement()) {
            st.execute("CREATE TABLE app.legacy (id int)"); // a schema made before migrations were managed
        }
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("nb-scripts").withNamespace(ns()).endMetadata()
                .withData(Map.of("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY);")).build()).create();
        create(Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresMigration
                metadata: {name: nb-schema}
                spec:
                  databaseRef: {name: nb}
                  schemas: [app]
                  sources: [{configMap: nb-scripts}]
                """, PostgresMigration.class));
        PostgresMigration refused = awaitCondition(PostgresMigration.class, "nb-schema", Conditions.STALLED, "MigrationFailed");
        String message = Conditions.find(refused.getStatus(), Conditions.STALLED).getMessage();
        assertTrue(message.startsWith("Flyway refused to migrate: Found non-empty schema(s)") && message.contains("baselineOnMigrate"), message);
        // what the message asks: adopt the schema as it is
        client.resources(PostgresMigration.class).inNamespace(ns()).withName("nb-schema").edit(m -> {
            m.getSpec().setBaselineOnMigrate(true);
            m.getSpec().setBaselineVersion("0");
            return m;
        });
        PostgresMigration adopted = await(PostgresMigration.class, "nb-schema",
                m -> Conditions.isReady(m.getStatus()) && "1".equals(m.getStatus().getCurrentVersion()));
        assertEquals(null, adopted.getStatus().getFailure());
    }

    private void scripts(Map<String, String> data) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("mig-scripts").withNamespace(ns()).endMetadata()
                .withData(data).build()).createOr(existing -> existing.update());
    }
}
