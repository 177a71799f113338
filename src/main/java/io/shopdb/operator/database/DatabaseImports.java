package io.shopdb.operator.database;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.ShopdbConfig;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.api.v1alpha1.ImportSpec;
import io.shopdb.operator.api.v1alpha1.ImportStatus;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.backup.AgentJobAttempts;
import io.shopdb.operator.backup.AgentJobs;
import io.shopdb.operator.backup.AgentResults;
import io.shopdb.operator.status.Conditions;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static io.shopdb.operator.kube.AgentContainers.fromSecret;
import static io.shopdb.operator.kube.AgentContainers.plain;

/**
 * spec.import of a PostgresDatabase: once the (empty) database exists, an agent Job ({@code agent import}) copies the
 * source into it and compares every table's row count and checksum, through the same Job-attempt machine as backups
 * and restores (backup/AgentJobAttempts: informers, retries of retryable failures, pods that cannot start). Until it
 * succeeded the database's schemas, extensions and partitions wait (the dump brings its own schemas). The import runs
 * once: status.import.phase Succeeded is never run again; a mismatch (ImportMismatch) or a failure (the agent's reason)
 * is Stalled and stays so: the imported data is kept for inspection, nothing is retried over it. Removing spec.import
 * lets the database be managed without it. Events: ImportStarted/ImportRetrying (per Job), ImportSucceeded; a mismatch
 * or failure is the Stalled verdict's Warning Event (StatusWriter).
 */
@ApplicationScoped
public class DatabaseImports {
    static final String MISMATCH = "ImportMismatch";
    static final String ROLES = "roles";
    /** A larger import sets spec.import.timeoutMinutes. */
    static final int DEFAULT_MINUTES = 360;

    @Inject AgentJobAttempts attempts;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;

    /** The Job and Pod sources of import runs. The PostgresRoles are read from the reconciler's {@link #ROLES} source. */
    public static List<EventSource<?, PostgresDatabase>> eventSources(EventSourceContext<PostgresDatabase> context) {
        return new ArrayList<>(AgentJobAttempts.eventSources(PostgresDatabase.class, context));
    }

    /** Null when there is nothing (more) to import; else what to report: running, or Stalled. */
    public Outcome advance(PostgresDatabase db, Context<PostgresDatabase> context, PostgresCluster cluster, PostgresDatabaseStatus status) {
        ImportSpec spec = db.getSpec().getImportSpec();
        ImportStatus run = status.getImportStatus();
        if (spec == null || (run != null && ImportStatus.SUCCEEDED.equals(run.getPhase()))) {
            return null; // a finished import stays in status as history
        }
        if (run != null && (ImportStatus.MISMATCH.equals(run.getPhase()) || ImportStatus.FAILED.equals(run.getPhase()))) {
            var stalled = Conditions.find(status, Conditions.STALLED);
            String reason = ImportStatus.MISMATCH.equals(run.getPhase()) ? MISMATCH
                    : stalled != null && "True".equals(stalled.getStatus()) ? stalled.getReason() : "ImportFailed";
            return Outcome.stalled(reason, run.getMessage());
        }
        if (run == null) {
            run = new ImportStatus();
            run.setPhase(ImportStatus.RUNNING);
            run.setSource(source(spec));
            status.setImportStatus(run);
        }
        AgentJobAttempts.Step step = attempts.advance(db, context, run, plan(db, context, cluster, spec));
        if (step.running()) {
            run.setMessage(step.inProgress().message());
            return step.inProgress();
        }
        return finish(db, run, step);
    }

    private Outcome finish(PostgresDatabase db, ImportStatus run, AgentJobAttempts.Step step) {
        AgentSummary s = step.summary();
        run.setCompletionTime(step.finishedAt());
        run.setSnapshot(s.snapshot());
        run.setTablesChecked(s.tables());
        run.setMismatchCount(s.mismatchCount());
        run.setMismatches(s.mismatches() == null ? new ArrayList<>() : new ArrayList<>(s.mismatches()));
        run.setRolesNotCarriedOver(s.rolesNotCarriedOver() == null ? new ArrayList<>() : new ArrayList<>(s.rolesNotCarriedOver()));
        run.setDuration(AgentResults.duration(s.durationMillis()));
        String roles = run.getRolesNotCarriedOver().isEmpty() ? "" : "; roles of the source without a PostgresRole (not carried over): "
                + String.join(", ", run.getRolesNotCarriedOver());
        if (Boolean.FALSE.equals(s.ok())) {
            run.setPhase(ImportStatus.MISMATCH);
            run.setMessage(Objects.requireNonNullElse(s.mismatchCount(), run.getMismatches().size()) + " of " + s.tables()
                    + " table(s) differ between " + run.getSource() + " (snapshot " + s.snapshot() + ") and the copy: "
                    + String.join("; ", run.getMismatches()) + ". The copy is kept for inspection; drop it and re-create the PostgresDatabase to import again");
            return Outcome.stalled(MISMATCH, run.getMessage());
        }
        if (step.failed()) {
            run.setPhase(ImportStatus.FAILED);
            run.setMessage("Import from " + run.getSource() + " failed: " + step.failure().message());
            return Outcome.stalled(step.failure().reason(), run.getMessage());
        }
        run.setPhase(ImportStatus.SUCCEEDED);
        run.setMessage("Imported " + s.tables() + " table(s) from " + run.getSource() + " (snapshot " + s.snapshot()
                + "): row counts and checksums equal" + roles);
        events.normal(db, "ImportSucceeded", run.getMessage());
        return null;
    }

    private AgentJobAttempts.Plan plan(PostgresDatabase db, Context<PostgresDatabase> context, PostgresCluster cluster, ImportSpec spec) {
        String database = DatabaseSpecs.databaseName(db);
        return new AgentJobAttempts.Plan("Import", db.getMetadata().getName(), "import", config.agent().retries(),
                "imports " + source(spec) + " into database " + database + " of cluster " + cluster.getMetadata().getName(),
                jobName -> {
                    AgentJobs.Server server = AgentJobs.server(cluster);
                    return AgentJobs.build(db, jobName, config.agent().image(), server, null,
                            request(db, spec, server, declaredRoles(db, context)), sourceEnv(spec));
                });
    }

    /** The agent's request (pure): the source through $(SOURCE_HOST)/$(SOURCE_PORT), as the database owner. */
    static AgentRequest.Import request(PostgresDatabase db, ImportSpec spec, AgentJobs.Server server, List<String> declaredRoles) {
        var source = new AgentRequest.Source("$(SOURCE_HOST)", "$(SOURCE_PORT)", spec.getSource().getDatabase(),
                spec.getSource().getSslMode() == null ? null : spec.getSource().getSslMode().name());
        return new AgentRequest.Import(new AgentRequest.Storage(null, null, "$(SPOOL_DIR)"), server.request(), source,
                DatabaseSpecs.databaseName(db), db.getSpec().getOwner(), spec.getSchemas(), spec.getExcludeSchemas(), declaredRoles,
                Boolean.TRUE.equals(spec.getReplaceExisting()), spec.getJobs(),
                spec.getTimeoutMinutes() != null ? spec.getTimeoutMinutes() : DEFAULT_MINUTES);
    }

    /** The source's address as plain env (the sandbox maps X_HOST/X_PORT pairs), its credentials as secretKeyRefs. */
    static List<EnvVar> sourceEnv(ImportSpec spec) {
        var ref = spec.getSource().getSecretRef();
        return List.of(plain("SOURCE_HOST", spec.getSource().getHost()),
                plain("SOURCE_PORT", String.valueOf(spec.getSource().getPort() == null ? 5432 : spec.getSource().getPort())),
                fromSecret(AgentRequest.Source.SOURCE_USER_ENV, ref.getName(), ref.getUsernameKey() == null ? "username" : ref.getUsernameKey()),
                fromSecret(AgentRequest.Source.SOURCE_PASSWORD_ENV, ref.getName(), ref.getPasswordKey() == null ? "password" : ref.getPasswordKey()));
    }

    /** Role names the PostgresRoles of this database's cluster declare, from the informer cache. */
    private static List<String> declaredRoles(PostgresDatabase db, Context<PostgresDatabase> context) {
        String cluster = db.getSpec().getClusterRef().getName();
        @SuppressWarnings("unchecked")
        var roles = (InformerEventSource<PostgresRole, PostgresDatabase>) context.eventSourceRetriever().getEventSourceFor(PostgresRole.class, ROLES);
        return roles.list(db.getMetadata().getNamespace(), r -> r.getSpec() != null && r.getSpec().getClusterRef() != null
                        && cluster.equals(r.getSpec().getClusterRef().getName()))
                .map(r -> r.getSpec().getName() != null ? r.getSpec().getName() : r.getMetadata().getName())
                .sorted().distinct().toList();
    }

    private static String source(ImportSpec spec) {
        var s = spec.getSource();
        return s.getHost() + ":" + (s.getPort() == null ? 5432 : s.getPort()) + "/" + s.getDatabase();
    }
}
