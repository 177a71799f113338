package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.quarkus.test.junit.QuarkusTest;
import io.shopdb.operator.api.v1alpha1.BackupTarget;
import io.shopdb.operator.api.v1alpha1.BackupTemplate;
import io.shopdb.operator.api.v1alpha1.BootstrapSpec;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRestoreSpec;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.testing.OperatorTestBase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new cluster bootstrapped from a physical backup of another: the sandbox kubelet runs the restore init
 * container (agent unpack) before bootstrap.sh, which then starts postgres on the restored data.
 */
@QuarkusTest
class BootstrapFromBackupOperatorTest extends OperatorTestBase {

    static PostgresCluster cluster(String name, BootstrapSpec bootstrap) {
        var c = new PostgresCluster();
        c.setMetadata(new ObjectMetaBuilder().withName(name).build());
        var spec = new PostgresClusterSpec();
        spec.setInstances(1);
        spec.setBootstrap(bootstrap);
        c.setSpec(spec);
        return c;
    }

    static BootstrapSpec fromBackup(String backup) {
        var b = new BootstrapSpec();
        b.setFromBackup(new BootstrapSpec.FromBackup(new LocalReference(backup)));
        return b;
    }

    PgEndpoint superuser(String cluster, String database) {
        char[] password = ClusterCredentials.read(client, ns(), cluster + "-superuser", "password");
        return endpoint(cluster + "-rw", database, "postgres", password);
    }

    @Test
    void aNewClusterFromAPhysicalBackupHasTheSourceRows() throws Exception {
        create(cluster("phys-src", null));
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("phys-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .build());
        awaitReady(PostgresCluster.class, "phys-src");
        try (Connection su = PgConnections.open(superuser("phys-src", "postgres")); Statement st = su.createStatement()) {
            st.execute("CREATE DATABASE phys_shop");
        }
        try (Connection db = PgConnections.open(superuser("phys-src", "phys_shop")); Statement st = db.createStatement()) {
            st.execute("CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL)");
            st.execute("INSERT INTO orders VALUES (42, 'restored customer')");
        }

        var backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName("phys-backup").build());
        var bspec = new PostgresBackupSpec();
        bspec.setClusterRef(new LocalReference("phys-src"));
        bspec.setMethod(BackupTemplate.BackupMethod.physical);
        var target = new BackupTarget();
        var pvc = new BackupTarget.Pvc();
        pvc.setClaimName("phys-store");
        pvc.setSubPath("phys");
        target.setPvc(pvc);
        bspec.setTarget(target);
        backup.setSpec(bspec);
        create(backup);
        awaitReady(PostgresBackup.class, "phys-backup");

        // a row written after the backup must not be in the copy
        try (Connection db = PgConnections.open(superuser("phys-src", "phys_shop")); Statement st = db.createStatement()) {
            st.execute("INSERT INTO orders VALUES (43, 'after the backup')");
        }

        create(cluster("phys-copy", fromBackup("phys-backup")));
        awaitReady(PostgresCluster.class, "phys-copy");
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns()).withName("phys-copy").get();
        assertEquals("restore", sts.getSpec().getTemplate().getSpec().getInitContainers().get(0).getName());
        try (Connection db = PgConnections.open(superuser("phys-copy", "phys_shop")); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), max(customer) FROM orders")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
            assertEquals("restored customer", rs.getString(2));
        }
        // the copy is a primary of its own: it takes writes
        try (Connection db = PgConnections.open(superuser("phys-copy", "phys_shop")); Statement st = db.createStatement()) {
            st.execute("INSERT INTO orders VALUES (44, 'written in the copy')");
        }

        // a PostgresRestore of a physical backup points to spec.bootstrap.fromBackup
        var restore = new PostgresRestore();
        restore.setMetadata(new ObjectMetaBuilder().withName("phys-restore").build());
        var rspec = new PostgresRestoreSpec();
        rspec.setBackupRef(new LocalReference("phys-backup"));
        rspec.setClusterRef(new LocalReference("phys-src"));
        rspec.setTargetDatabase("phys_again");
        restore.setSpec(rspec);
        create(restore);
        PostgresRestore stalled = awaitCondition(PostgresRestore.class, "phys-restore", "Stalled", "NotSupported");
        String message = io.shopdb.operator.status.Conditions.find(stalled.getStatus(), "Stalled").getMessage();
        assertTrue(message.contains("spec.bootstrap.fromBackup"), message);
    }

    @Test
    void aLogicalBackupCannotBootstrapACluster() {
        create(cluster("phys-logical-src", null));
        create(new PersistentVolumeClaimBuilder().withNewMetadata().withName("phys-logical-store").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .build());
        var backup = new PostgresBackup();
        backup.setMetadata(new ObjectMetaBuilder().withName("phys-logical").build());
        var bspec = new PostgresBackupSpec();
        bspec.setClusterRef(new LocalReference("phys-logical-src"));
        bspec.setDatabases(java.util.List.of("postgres"));
        var target = new BackupTarget();
        var pvc = new BackupTarget.Pvc();
        pvc.setClaimName("phys-logical-store");
        target.setPvc(pvc);
        bspec.setTarget(target);
        backup.setSpec(bspec);
        create(backup);
        create(cluster("phys-from-logical", fromBackup("phys-logical")));
        PostgresCluster stalled = awaitCondition(PostgresCluster.class, "phys-from-logical", "Stalled", "InvalidSpec");
        String message = io.shopdb.operator.status.Conditions.find(stalled.getStatus(), "Stalled").getMessage();
        assertTrue(message.contains("physical"), message);
        assertEquals(null, client.apps().statefulSets().inNamespace(ns()).withName("phys-from-logical").get());
    }
}
