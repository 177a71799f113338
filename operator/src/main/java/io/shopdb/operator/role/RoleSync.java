package io.shopdb.operator.role;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleStatus;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.sql.ActualGrants;
import io.shopdb.operator.sql.ActualRole;
import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.DesiredGrants;
import io.shopdb.operator.sql.DesiredRole;
import io.shopdb.operator.sql.GrantCatalog;
import io.shopdb.operator.sql.GrantPlan;
import io.shopdb.operator.sql.RoleCatalog;
import io.shopdb.operator.sql.RoleMemberships;
import io.shopdb.operator.sql.RolePlan;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.sql.SqlStep;
import io.shopdb.operator.sql.SqlSteps;
import io.shopdb.operator.status.EventRecorder;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** One reconcile of a role against its server, in the order the steps depend on each other. */
final class RoleSync {
    private final KubernetesClient client;
    private final RolePasswords passwords;
    private final EventRecorder events;
    private final SecretLookup secrets;
    private final List<ConnectionSecrets.Pooler> poolers;
    private final Dependencies dependencies;

    /**
     * For a database or role the role needs and the server lacks: true when a resource declares it and is not Ready
     * yet, so its next status change wakes this role (an event, no timer); false when nothing declares it.
     */
    record Dependencies(Predicate<String> databaseComing, Predicate<String> roleComing) {}

    RoleSync(KubernetesClient client, RolePasswords passwords, EventRecorder events, SecretLookup secrets,
             List<ConnectionSecrets.Pooler> poolers, Dependencies dependencies) {
        this.poolers = poolers;
        this.dependencies = dependencies;
        this.client = client;
        this.passwords = passwords;
        this.events = events;
        this.secrets = secrets;
    }

    /**
     * At steady state: one Secret read from the cache, the role's catalog rows (3 queries), and one grant
     * read per database (a fixed number of queries per database, see GrantCatalog), whatever the number of
     * grants; nothing is written. DDL that touches shared catalog rows runs in turn per database
     * ({@link ClusterAccess.Target#changingCatalog}).
     */
    Outcome sync(PostgresRole role, DesiredRole desired, Map<String, DesiredGrants> grants, ClusterAccess.Target target,
                 PostgresRoleStatus status) throws SQLException {
        char[] password = null;
        if (desired.login()) {
            RolePasswords.Result pw = passwords.resolve(role, status, secrets);
            if (pw.refused() != null) {
                return Outcome.stalled(Reasons.INVALID_SPEC, pw.refused());
            }
            if (pw.waiting() != null) {
                return Outcome.reconciling("WaitingForSecret", pw.waiting());
            }
            password = pw.password();
            status.setPasswordSecret(pw.secretName());
        }
        List<String> applied = new ArrayList<>();
        try (Connection c = target.open()) {
            List<String> missing = RoleCatalog.missing(c, desired.memberOf());
            if (!missing.isEmpty()) {
                return Outcome.waiting(dependencies.roleComing().test(missing.get(0)), "WaitingForRoles",
                        "Role " + missing.get(0) + " (spec.memberOf) does not exist yet");
            }
            // a membership may grant nothing the API refuses directly: superuser, replication, the server's files
            List<String> forbidden = RoleMemberships.problems(c, desired.memberOf());
            if (!forbidden.isEmpty()) {
                return Outcome.stalled(Reasons.INVALID_SPEC, String.join("; ", forbidden));
            }
            ActualRole actual = RoleCatalog.read(c, desired.name());
            List<SqlStep> plan = RolePlan.plan(desired, actual);
            if (!plan.isEmpty()) {
                applied.addAll(SqlErrors.retryingConflicts(() -> run(c, RolePlan.plan(desired, RoleCatalog.read(c, desired.name())))));
            }
            if (password != null && RoleCatalog.ensurePassword(c, desired.name(), password)) {
                applied.add("ALTER ROLE " + desired.name() + " PASSWORD (SCRAM, set from the Secret)");
            }
            // asked here, through the maintenance database: a pool for a database that does not exist would only fail
            // after its connection timeout, holding this reconcile thread while others wait behind it
            List<String> missingDatabases = DatabaseCatalog.missing(c, grants.keySet());
            if (!missingDatabases.isEmpty()) {
                String database = missingDatabases.get(0);
                if (!applied.isEmpty()) {
                    status.setLastAppliedPlan(applied);
                }
                return Outcome.waiting(dependencies.databaseComing().test(database), "WaitingForDatabase",
                        "Database " + database + " (spec.grants) does not exist yet");
            }
        }
        List<String> unresolved = new ArrayList<>();
        for (var entry : grants.entrySet()) {
            String database = entry.getKey();
            DesiredGrants want = entry.getValue();
            ActualGrants actual;
            try (Connection c = target.open(database)) {
                actual = GrantCatalog.read(c, desired.name(), want.defaults().stream().map(DesiredGrants.Defaults::creator).toList());
            }
            // Only this role's own ACL entries decide the plan, and other roles' grants do not change them (a reconcile
            // of one resource never runs twice at once), so the plan holds inside the turn; GRANT and REVOKE are
            // idempotent should a person have done the same meanwhile. The turn is taken before a connection (as
            // Flyway's is), so waiters never hold the pool; roles arriving together share one transaction.
            applied.addAll(target.applyGrouped(database, GrantPlan.plan(want, actual)));
            GrantPlan.unresolved(want, actual).forEach(u -> unresolved.add(database + ": " + u));
        }
        status.setUnresolvedGrants(unresolved);
        if (password != null) {
            writeConnectionSecret(role, desired, target, password);
            status.setConnectionSecret(ConnectionSecrets.name(role));
        }
        if (!applied.isEmpty()) {
            status.setLastAppliedPlan(applied);
            events.normal(role, "Applied", applied.size() + " SQL step(s): " + String.join("; ", applied));
        }
        if (!unresolved.isEmpty()) {
            return Outcome.reconciling("WaitingForObjects", "Grants wait for objects that do not exist yet: " + String.join(", ", unresolved));
        }
        return Outcome.ready(Reasons.READY, "Role " + desired.name() + " is as declared");
    }

    private void writeConnectionSecret(PostgresRole role, DesiredRole desired, ClusterAccess.Target target, char[] password) {
        String database = role.getSpec().getConnectionDatabase() != null ? role.getSpec().getConnectionDatabase()
                : role.getSpec().getGrants().isEmpty() ? "postgres" : role.getSpec().getGrants().get(0).getDatabase();
        String[] address = ClusterAccess.publicAddress(target.cluster());
        var labels = RoleSecretLabels.of(role);
        // the same verification the operator uses: sslmode, and the CA when the cluster has one
        String caPem = target.admin().trust() == null ? null : target.admin().trust().caPem();
        var secret = ConnectionSecrets.build(role, address[0], address[1], database, desired.name(), password, labels,
                target.admin().sslMode(), caPem, poolers);
        DesiredState.applyCached(client, role, secret, secrets.get(role.getMetadata().getNamespace(), ConnectionSecrets.name(role)));
    }

    private static List<String> run(Connection c, List<SqlStep> plan) throws SQLException {
        if (plan.isEmpty()) {
            return List.of();
        }
        SqlSteps.apply(c, plan);
        return plan.stream().map(SqlStep::description).toList();
    }
}
