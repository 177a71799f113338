package io.shopdb.operator.database;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;

import io.shopdb.operator.status.Conditions;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The PostgresMigrations of a database as its query budgets see them: "name@version, ..." of the versions applied,
 * read from an informer, and a wake-up for the database when a migration's applied version or readiness changes, so
 * the budgets are checked right after each migration (and not while one is still running or waiting to run).
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
                .withOnUpdateFilter((now, before) -> !Objects.equals(version(now), version(before))
                        || settled(now) != settled(before))
                .build();
        return new InformerEventSource<>(config, context);
    }

    /**
     * The migrations of a database now: {@code applied} as "name@version, ..." sorted by name (null when none applied
     * any), and {@code settling}: those still at work (neither Ready nor Stalled), while which the schema is mid-change.
     */
    record State(String applied, List<String> settling) {}

    static State of(InformerEventSource<PostgresMigration, PostgresDatabase> migrations, PostgresDatabase db) {
        List<PostgresMigration> mine = migrations.list(db.getMetadata().getNamespace(), m -> db.getMetadata().getName().equals(database(m)))
                .sorted(Comparator.comparing(m -> m.getMetadata().getName())).toList();
        String applied = mine.stream().filter(m -> version(m) != null).map(m -> m.getMetadata().getName() + "@" + version(m))
                .collect(Collectors.joining(", "));
        // Reconciling: scripts pending, a backup or copy being made, Flyway running; a Stalled migration has stopped
        List<String> settling = mine.stream().filter(m -> !settled(m))
                .map(m -> m.getMetadata().getName()).toList();
        return new State(applied.isEmpty() ? null : applied, settling);
    }

    private static boolean settled(PostgresMigration m) {
        return Conditions.isReady(m.getStatus()) || Conditions.stalled(m.getStatus()) != null;
    }

    private static String database(PostgresMigration m) {
        return m.getSpec() == null || m.getSpec().getDatabaseRef() == null ? null : m.getSpec().getDatabaseRef().getName();
    }

    private static String version(PostgresMigration m) {
        return m.getStatus() == null ? null : m.getStatus().getCurrentVersion();
    }
}
