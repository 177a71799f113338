package io.shopdb.operator.database;

import io.shopdb.operator.access.DatabaseSpecs;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.runtime.ShopdbConfig;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.agent.protocol.AgentSummary;
import io.shopdb.operator.api.v1alpha1.ImportSpec;
import io.shopdb.operator.api.v1alpha1.ImportStatus;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.jobs.AgentJobAttempts;
import io.shopdb.operator.jobs.AgentJobs;
import io.shopdb.operator.jobs.AgentResults;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.access.ExternalTls;
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
 * or failure is the Stalled verdict's Warning Event (StatusWriter); ImportSourceNotVerified (Warning) when the source
 * is reached without verifying its certificate (no spec.import.source.caSecretName).
 *
 * <p>pg_restore runs the dump's statements logged in as a throwaway member of the owner ({@link ImportLogins}), one per
 * Job attempt, dropped with its Secret when the attempt ends; an owner that is or reaches a superuser (or CREATEROLE,
 * REPLICATION, BYPASSRLS, or an operator's role) is Stalled before any Job, as a migration's runAs is.
 */
@ApplicationScoped
public class DatabaseImports {
    static final String MISMATCH = "ImportMismatch";
    static final String ROLES = "roles";
    static final String SOURCE_NOT_VERIFIED = "ImportSourceNotVerified";
    static final String SOURCE_CA_ENV = "SOURCE_CA_FILE";
    /** A larger import sets spec.import.timeoutMinutes. */
    static final int DEFAULT_MINUTES = 360;

    @Inject AgentJobAttempts attempts;
    @Inject EventRecorder events;
    @Inject ShopdbConfig config;
    @Inject KubernetesClient client;

    /** The Job and Pod sources of import runs. The PostgresRoles are read from the reconciler's {@link #ROLES} source. */
    public static List<EventSource<?, PostgresDatabase>> eventSources(EventSourceContext<PostgresDatabase> context) {
        return new ArrayList<>(AgentJobAttempts.eventSources(PostgresDatabase.class, context));
    }

    /** Null when there is nothing (more) to import; else what to report: running, or Stalled. */
    public Outcome advance(PostgresDatabase db, Context<PostgresDatabase> context, ClusterAccess.Target target, PostgresDatabaseStatus status) {
        ImportSpec spec = db.getSpec().getImportSpec();
        ImportStatus run = status.getImportStatus();
        if (spec == null || (run != null && ImportStatus.SUCCEEDED.equals(run.getPhase()))) {
            return null; // a finished import stays in status as history
        }
        if (run != null && (ImportStatus.MISMATCH.equals(run.getPhase()) || ImportStatus.FAILED.equals(run.getPhase()))) {
            var stalled = Conditions.stalled(status);
            String reason = ImportStatus.MISMATCH.equals(run.getPhase()) ? MISMATCH
                    : stalled != null ? stalled.getReason() : "ImportFailed";
            return Outcome.stalled(reason, run.getMessage());
        }
        if (run == null) {
            run = new ImportStatus();
            run.setPhase(ImportStatus.RUNNING);
            run.setSource(source(spec));
            status.setImportStatus(run);
            String unverified = sourceWarning(spec.getSource());
            if (unverified != null) {
                events.warning(db, SOURCE_NOT_VERIFIED, "Import from " + source(spec) + ": " + unverified);
            }
        }
        String before = run.getJobName();
        AgentJobAttempts.Step step;
        try {
            step = attempts.advance(db, context, run, plan(db, context, target, spec));
        } catch (ImportLogins.LoginFailed e) {
            return e.outcome(); // before any Job: an owner that may not import is Stalled, nothing ran
        }
        if (!step.running()) {
            dropLogin(db, target, run.getJobName());
        } else if (before != null && !before.equals(run.getJobName())) {
            dropLogin(db, target, before); // a retry's new Job has a login of its own
        }
        if (step.running()) {
            run.setMessage(step.inProgress().message());
            return step.inProgress();
        }
        return finish(db, run, step);
    }

    /** The ended attempt's login goes; a failure to drop is reported, never blocks the import's verdict (the role expires). */
    private void dropLogin(PostgresDatabase db, ClusterAccess.Target target, String jobName) {
        if (jobName == null) {
            return;
        }
        String problem = ImportLogins.drop(client, target, db, jobName, DatabaseSpecs.databaseName(db), db.getSpec().getOwner());
        if (problem != null) {
            events.warning(db, "ImportLoginCleanupFailed", problem);
        }
    }

    /**
     * libpq sslmode towards the source: as set, else verify-full with a CA Secret, else require (the rule of
     * cluster/ExternalTls for every server outside the operator's clusters).
     */
    static String sourceSslMode(ImportSpec.ImportSource source) {
        return ExternalTls.sslMode(source.getSslMode() == null ? null : source.getSslMode().name(), source.getCaSecretName() != null);
    }

    /** The Warning an import gets when its source is not verified; null when it is. */
    static String sourceWarning(ImportSpec.ImportSource source) {
        return ExternalTls.warning(sourceSslMode(source), "spec.import.source.caSecretName");
    }

    /** The source's CA as the Job mounts it (SOURCE_CA_FILE), or none. */
    static List<AgentJobs.CaMount> sourceCa(ImportSpec.ImportSource source) {
        return source.getCaSecretName() == null ? List.of()
                : List.of(new AgentJobs.CaMount("source-ca", source.getCaSecretName(), "ca.crt", AgentJobs.MOUNT_SOURCE_CA, SOURCE_CA_ENV));
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

    private AgentJobAttempts.Plan plan(PostgresDatabase db, Context<PostgresDatabase> context, ClusterAccess.Target target, ImportSpec spec) {
        String database = DatabaseSpecs.databaseName(db);
        PostgresCluster cluster = target.cluster();
        return new AgentJobAttempts.Plan("Import", db.getMetadata().getName(), "import", config.agent().retries(),
                "imports " + source(spec) + " into database " + database + " of cluster " + cluster.getMetadata().getName(),
                jobName -> {
                    AgentJobs.Server server = AgentJobs.server(cluster);
                    AgentRequest.Import request = request(db, spec, server, declaredRoles(db, context));
                    // the login exists before the Job that reads it: a pod never starts without its Secret
                    ImportLogins.create(client, target, db, jobName, database, db.getSpec().getOwner(), request.jobs() == null ? 1 : request.jobs(),
                            request.timeoutMinutes());
                    return job(db, jobName, config.agent().image(), server, spec, request);
                });
    }

    /** The import's Job (pure): the source's address, credentials and CA, and the attempt's restore login, all from env. */
    static Job job(PostgresDatabase db, String jobName, String image, AgentJobs.Server server, ImportSpec spec, AgentRequest.Import request) {
        List<EnvVar> env = new ArrayList<>(sourceEnv(spec));
        env.addAll(ImportLogins.env(jobName));
        return AgentJobs.build(db, jobName, image, server, null, request, env, sourceCa(spec.getSource()));
    }

    /**
     * The agent's request (pure): the source through $(SOURCE_HOST)/$(SOURCE_PORT) with its sslmode (and CA and name to
     * verify), pg_restore as the database owner.
     */
    static AgentRequest.Import request(PostgresDatabase db, ImportSpec spec, AgentJobs.Server server, List<String> declaredRoles) {
        var from = spec.getSource();
        var source = new AgentRequest.Source("$(SOURCE_HOST)", "$(SOURCE_PORT)", from.getDatabase(), sourceSslMode(from),
                from.getCaSecretName() == null ? null : "$(" + SOURCE_CA_ENV + ")", from.getCaSecretName() == null ? null : from.getHost());
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
