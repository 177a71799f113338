package io.shopdb.operator.database;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.access.ClusterAccess;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.kube.DesiredState;
import io.shopdb.operator.kube.GeneratedSecrets;
import io.shopdb.operator.sql.OwnerSession;
import io.shopdb.operator.sql.SqlErrors;
import io.shopdb.operator.status.Messages;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.shopdb.operator.kube.AgentContainers.fromSecret;

/**
 * The login an import Job's pg_restore runs as: a throwaway role made by sql/OwnerSession (NOSUPERUSER, NOINHERIT,
 * member only of the database owner, CONNECT on the target only, a few connections, valid until the Job's deadline has
 * passed), never the cluster's superuser, so a dump's {@code RESET ROLE} gains nothing. One per Job attempt: its name
 * is derived from the PostgresDatabase's uid and the Job's name, so whoever ends the attempt can drop it without
 * reading anything back; its password reaches the pod only through the Secret {@code <job>-login} (secretKeyRef env,
 * never the command line). After the attempt (success, failure, or a retry's new Job) the role and the Secret go; a
 * role left by an operator that died meanwhile expires and is swept by the next owner session on that database, the
 * Secret goes with the PostgresDatabase (owner reference).
 */
final class ImportLogins {
    /** pg_restore's leader and its -j workers, the agent's own check of the login, and one backend still exiting. */
    static final int EXTRA_CONNECTIONS = 3;
    /** Past the agent's timeout: the Job's deadline margin (5 min) and time for the pod to start. */
    static final Duration VALIDITY_MARGIN = Duration.ofMinutes(15);
    static final String OWNER_FIELD = "spec.owner";

    /** Why a login could not be made, as the reconcile reports it (Stalled for an owner that may not import). */
    static final class LoginFailed extends RuntimeException {
        private final transient Outcome outcome;

        LoginFailed(Outcome outcome) {
            super(outcome.message());
            this.outcome = outcome;
        }

        Outcome outcome() { return outcome; }
    }

    private ImportLogins() {}

    static String secretName(String jobName) {
        return jobName + "-login";
    }

    /** shopdb_mig_ + 12 hex of SHA-256(uid/job): one per attempt of one PostgresDatabase, a name the operator reserves. */
    static String roleName(PostgresDatabase db, String jobName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((db.getMetadata().getUid() + "/" + jobName).getBytes(StandardCharsets.UTF_8));
            return OwnerSession.ROLE_PREFIX + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The agent's RESTORE_PGUSER and RESTORE_PGPASSWORD, from the attempt's Secret. */
    static List<EnvVar> env(String jobName) {
        return List.of(fromSecret(AgentRequest.Import.RESTORE_USER_ENV, secretName(jobName), "username"),
                fromSecret(AgentRequest.Import.RESTORE_PASSWORD_ENV, secretName(jobName), "password"));
    }

    /** The attempt's Secret (pure), owned by the PostgresDatabase. */
    static Secret secret(PostgresDatabase db, String jobName, OwnerSession.Login login) {
        return new SecretBuilder()
                .withNewMetadata().withName(secretName(jobName)).withNamespace(db.getMetadata().getNamespace())
                .withLabels(Map.of("app.kubernetes.io/managed-by", ClusterNames.MANAGED_BY, "shopdb.io/import-login", db.getMetadata().getName()))
                .withOwnerReferences(DesiredState.ownerReference(db)).endMetadata()
                .withType("kubernetes.io/basic-auth")
                .addToData("username", GeneratedSecrets.base64(login.role()))
                .addToData("password", GeneratedSecrets.base64(new String(login.password())))
                .build();
    }

    /**
     * Makes the attempt's role and Secret, unless its Job exists already (a reconcile whose cache had not seen it yet:
     * the running pod keeps the login it started with). The owner is checked first, as a migration's is.
     *
     * @throws LoginFailed the owner may not import (Stalled), is missing, or SQL failed (Reconciling)
     */
    static void create(KubernetesClient client, ClusterAccess.Target target, PostgresDatabase db, String jobName, String database,
                       String owner, int jobs, int timeoutMinutes) {
        String ns = db.getMetadata().getNamespace();
        if (client.batch().v1().jobs().inNamespace(ns).withName(jobName).get() != null) {
            return;
        }
        OwnerSession.Login login;
        try (Connection admin = target.open(database)) {
            login = OwnerSession.createLogin(admin, roleName(db, jobName), database, owner, OWNER_FIELD, jobs + EXTRA_CONNECTIONS,
                    Duration.ofMinutes(timeoutMinutes).plus(VALIDITY_MARGIN));
        } catch (OwnerSession.RefusedRoleException e) {
            throw new LoginFailed(e.missing() ? Outcome.reconciling("WaitingForOwner", e.getMessage())
                    : Outcome.stalledOnInputs(Reasons.INVALID_SPEC, e.getMessage()));
        } catch (SQLException e) {
            throw new LoginFailed(Outcome.reconciling(SqlErrors.reason(e), "Cannot make the import's login, will retry: " + Messages.firstLine(e)));
        }
        try {
            Secret secret = secret(db, jobName, login);
            try {
                client.resource(secret).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                client.resource(secret).update(); // left by an earlier try of this attempt: the role was made anew
            }
        } finally {
            Arrays.fill(login.password(), '\0');
        }
    }

    /** Drops the attempt's role (ending its sessions) and deletes its Secret; null, or what could not be cleaned up. */
    static String drop(KubernetesClient client, ClusterAccess.Target target, PostgresDatabase db, String jobName, String database, String owner) {
        String problem = null;
        try (Connection admin = target.open(database)) {
            OwnerSession.dropLogin(admin, roleName(db, jobName), owner);
        } catch (SQLException e) {
            problem = "cannot drop the import's login role " + roleName(db, jobName) + " (it expires and is swept later): " + Messages.firstLine(e);
        }
        try {
            client.secrets().inNamespace(db.getMetadata().getNamespace()).withName(secretName(jobName)).delete();
        } catch (KubernetesClientException e) {
            problem = (problem == null ? "" : problem + "; ") + "cannot delete Secret " + secretName(jobName) + ": " + e.getMessage();
        }
        return problem;
    }
}
