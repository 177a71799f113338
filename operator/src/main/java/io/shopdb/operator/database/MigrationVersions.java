package io.shopdb.operator.database;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;

import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The PostgresMigrations of a database as its query budgets see them: "name@version, ..." of the versions applied,
 * read from an informer, and a wake-up for the database when a migration's applied version changes, so the budgets
 * are checked right after each migration.
 */
final class MigrationVersions {
    static final String NAME = "migrations";

    private MigrationVersions() {}

    static InformerEventSource<PostgresMigration, PostgresDatabase> source(EventSourceContext<PostgresDatabase> context) {
        var config = InformerEventSourceConfiguration.from(PostgresMigration.class, PostgresDatabase.class)
                .withName(NAME)
                .withSecondaryToPrimaryMapper(m -> database(m) == null ? Set.of()
                        : Set.of(new ResourceID(database(m), m.getMetadata().getNamespace())))
                .withPrimaryToSecondaryMapper((PostgresDatabase d) -> Set.of())
                .withOnUpdateFilter((now, before) -> !Objects.equals(version(now), version(before)))
                .build();
        return new InformerEventSource<>(config, context);
    }

    /** The applied versions of the migrations of {@code db}, sorted by migration name; null when none applied any. */
    static String of(InformerEventSource<PostgresMigration, PostgresDatabase> migrations, PostgresDatabase db) {
        String versions = migrations.list(db.getMetadata().getNamespace(), m -> db.getMetadata().getName().equals(database(m)) && version(m) != null)
                .map(m -> m.getMetadata().getName() + "@" + version(m))
                .sorted()
                .collect(Collectors.joining(", "));
        return versions.isEmpty() ? null : versions;
    }

    private static String database(PostgresMigration m) {
        return m.getSpec() == null || m.getSpec().getDatabaseRef() == null ? null : m.getSpec().getDatabaseRef().getName();
    }

    private static String version(PostgresMigration m) {
        return m.getStatus() == null ? null : m.getStatus().getCurrentVersion();
    }
}
