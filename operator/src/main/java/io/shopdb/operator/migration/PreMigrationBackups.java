package io.shopdb.operator.migration;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSpec;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.access.DatabaseSpecs;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.status.Conditions;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * spec.backupBefore: one PostgresBackup per set of scripts about to run (named after their hash, so a retry
 * of the same migrate reuses it and a new set of scripts gets a new one). It is owned by the migration; the
 * backup's own reclaimPolicy (Retain) keeps its files when the migration is deleted.
 */
final class PreMigrationBackups {

    /** Where the pre-migration backup stands: done, still running, or failed with a message. */
    record State(String backupName, boolean ready, String failure) {}

    private PreMigrationBackups() {}

    static String name(PostgresMigration m, String inputsHash) {
        return childName(m, "pre", inputsHash);
    }

    /** A child resource's metadata: in the migration's namespace, labelled with it, owned by it (deleted with it). */
    static io.fabric8.kubernetes.api.model.ObjectMeta childMetadata(PostgresMigration m, String name) {
        return new ObjectMetaBuilder().withName(name).withNamespace(m.getMetadata().getNamespace())
                .addToLabels("shopdb.io/migration", m.getMetadata().getName())
                .withOwnerReferences(DesiredState.ownerReference(m)).build();
    }

    /** {@code <migration>-<word>-<8 hex of the inputs' hash>}, cut to 63 characters: a child resource per set of scripts. */
    static String childName(PostgresMigration m, String word, String inputsHash) {
        String base = m.getMetadata().getName();
        String suffix = "-" + word + "-" + inputsHash.substring(0, 8).toLowerCase(Locale.ROOT);
        return (base.length() + suffix.length() > 63 ? base.substring(0, 63 - suffix.length()) : base) + suffix;
    }

    /** {@code cached}: name → the migration's backups as the informer holds them. */
    static State ensure(KubernetesClient client, Function<String, PostgresBackup> cached, PostgresMigration m, PostgresDatabase db, String inputsHash) {
        String name = name(m, inputsHash);
        PostgresBackup backup = cached.apply(name);
        if (backup == null) {
            try {
                client.resource(build(m, db, name)).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // made by an earlier reconcile, not in the cache yet: its events will come
            }
            return new State(name, false, null);
        }
        if (Conditions.isReady(backup.getStatus())) {
            return new State(name, true, null);
        }
        var stalled = Conditions.stalled(backup.getStatus());
        if (stalled != null) {
            return new State(name, false, stalled.getReason() + ": " + stalled.getMessage());
        }
        return new State(name, false, null);
    }

    static PostgresBackup build(PostgresMigration m, PostgresDatabase db, String name) {
        var spec = new PostgresBackupSpec();
        spec.setClusterRef(new LocalReference(db.getSpec().getClusterRef().getName()));
        spec.setDatabases(List.of(DatabaseSpecs.databaseName(db)));
        spec.setTarget(m.getSpec().getBackupBefore().getTarget());
        if (m.getSpec().getBackupBefore().getCompression() != null) {
            spec.setCompression(m.getSpec().getBackupBefore().getCompression());
        }
        var backup = new PostgresBackup();
        backup.setMetadata(childMetadata(m, name));
        backup.setSpec(spec);
        return backup;
    }
}
