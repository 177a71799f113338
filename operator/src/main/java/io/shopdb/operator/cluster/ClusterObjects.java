package io.shopdb.operator.cluster;

import io.shopdb.operator.access.ClusterServices;
import io.shopdb.operator.access.ClusterTls;
import io.shopdb.operator.access.ClusterNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Pure builders of the small objects of a managed cluster: configuration, Services and the disruption
 * budget. Each is a function of the PostgresCluster alone; the reconciler decides whether to write them.
 */
public final class ClusterObjects {
    public static final String CONFIG_FILE = "postgresql.conf";
    public static final String HBA_FILE = "pg_hba.conf";

    private ClusterObjects() {}

    /** ConfigMap key naming the declared primary instance; bootstrap.sh reads it at every start. */
    public static final String PRIMARY_KEY = "primary";
    /** ConfigMap key "true" once the cluster has data: the declared primary never runs initdb on an empty volume then. */
    public static final String INITIALIZED_KEY = "initialized";
    /** An in-place restart of the primary under way ({@link PrimaryRestart}); read by the operator only. */
    public static final String PRIMARY_RESTART_KEY = "primaryRestart";

    /** ConfigMap key of archive_command's script (spec.walArchive), see archive-wal.sh. */
    public static final String ARCHIVE_SCRIPT = "archive-wal.sh";
    /** ConfigMap key: archived WAL before this segment may go (retention); empty while no backup says so. */
    public static final String WAL_KEEP_FROM_KEY = "wal-keep-from";
    static final String ARCHIVE_SCRIPT_TEXT = InstanceSetBuilder.readResource(ARCHIVE_SCRIPT);
    /** restore_command of a standby's primary with spec.standby.archive (bootstrap.sh passes it; restore-wal.sh asks the wal-fetcher). */
    public static final String RESTORE_SCRIPT = "restore-wal.sh";
    static final String RESTORE_SCRIPT_TEXT = InstanceSetBuilder.readResource(RESTORE_SCRIPT);
    /**
     * ConfigMap key: the primary guard's lease in milliseconds (guard.sh), "0" when it is off. On only with replicas:
     * a single instance has nothing to be promoted beside it, and fencing it would only stop the shop. A key, not an
     * env var, so scaling between one and more instances does not restart the primary.
     */
    public static final String GUARD_LEASE_KEY = "guard-lease-ms";
    /**
     * "true" while the cluster is a standby (spec.standby, not promoted): bootstrap.sh starts the declared primary as a
     * replica of the source (SOURCE_HOST), not as a primary. Read at start only, so neither PostgreSQL nor a reload needs it.
     */
    public static final String STANDBY_KEY = "standby";
    /**
     * The last demotion (status.standby.demotedAt; empty if none): an instance whose data directory carries another token
     * is rewound onto its upstream at start (bootstrap.sh), so a demoted cluster's replicas drop WAL the new source never had.
     */
    public static final String REWIND_TOKEN_KEY = "rewind-token";

    /**
     * Who is primary, as the operator declares it to the instances (see bootstrap.sh), and an in-place restart of
     * the primary's pod the operator began ({@code restart}, null when none).
     */
    public record Declared(String primary, boolean initialized, PrimaryRestart restart) {
        public Declared(String primary, boolean initialized) {
            this(primary, initialized, null);
        }
    }

    /**
     * The primary's pod {@code uid} was deleted to restart in place: no failover for it until {@code until}. Kept in
     * the ConfigMap (key {@link #PRIMARY_RESTART_KEY}), written before the pod is deleted, so an operator restarted
     * in the meantime knows it too and does not fail over a primary that is only restarting.
     */
    public record PrimaryRestart(String uid, Instant until) {
        String encode() {
            return uid + " " + until;
        }

        /** The recorded restart, or null when there is none or it is not ours to read. */
        static PrimaryRestart decode(String text) {
            String[] parts = text == null ? new String[0] : text.trim().split(" ");
            if (parts.length != 2) {
                return null;
            }
            try {
                return new PrimaryRestart(parts[0], Instant.parse(parts[1]));
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
    }

    /** For a new cluster: ordinal 0 starts as the primary. */
    public static ConfigMap config(PostgresCluster c) {
        return config(c, new Declared(ClusterNames.pod(c, 0), false));
    }

    /** postgresql.conf, pg_hba.conf and the declared primary, mounted at /etc/shopdb in every instance. */
    public static ConfigMap config(PostgresCluster c, Declared declared) {
        String conf = PostgresParameters.render(PostgresParameters.forCluster(c));
        var builder = new ConfigMapBuilder()
                .withMetadata(meta(c, ClusterNames.configMap(c)))
                .addToData(CONFIG_FILE, conf)
                .addToData(HBA_FILE, hba())
                .addToData(PRIMARY_KEY, declared.primary())
                .addToData(INITIALIZED_KEY, String.valueOf(declared.initialized()))
                .addToData(GUARD_LEASE_KEY, String.valueOf(PrimaryLease.guardMillis(c)))
                .addToData(STANDBY_KEY, String.valueOf(c.getSpec().followsSource()))
                .addToData(REWIND_TOKEN_KEY, c.getStatus() == null || c.getStatus().getStandby() == null
                        || c.getStatus().getStandby().getDemotedAt() == null ? "" : c.getStatus().getStandby().getDemotedAt());
        if (declared.restart() != null) {
            builder.addToData(PRIMARY_RESTART_KEY, declared.restart().encode());
        }
        if (c.getSpec().getStandby() != null && c.getSpec().getStandby().getArchive() != null) {
            builder.addToData(RESTORE_SCRIPT, RESTORE_SCRIPT_TEXT);
        }
        if (c.getSpec().getWalArchive() != null) {
            // the retention boundary comes from the status the reconciler computed from the cluster's backups
            var wal = c.getStatus() == null ? null : c.getStatus().getWalArchive();
            builder.addToData(ARCHIVE_SCRIPT, ARCHIVE_SCRIPT_TEXT)
                    .addToData(WAL_KEEP_FROM_KEY, wal == null || wal.getKeepFrom() == null ? "" : wal.getKeepFrom());
        }
        return builder.build();
    }

    /** Identifies a configuration content (not who is primary), so each new content is reloaded once. */
    public static String configHash(PostgresCluster c) {
        var data = new java.util.TreeMap<>(config(c).getData());
        data.remove(PRIMARY_KEY);
        data.remove(INITIALIZED_KEY);
        data.remove(WAL_KEEP_FROM_KEY); // read by the archiver sidecar, not by PostgreSQL: no reload
        data.remove(GUARD_LEASE_KEY);   // read by the guard sidecar
        data.remove(STANDBY_KEY);       // read by bootstrap.sh when an instance starts
        data.remove(REWIND_TOKEN_KEY);  // likewise
        return InstanceSetBuilder.sha256(data.toString());
    }

    /** SCRAM over TLS only, for every role and replication (see ClusterTls and tls/ServerTlsSettings). */
    static String hba() {
        return ClusterTls.hba();
    }

    /** The stable network identity of each pod (required by the StatefulSet), ready or not. */
    public static Service headless(PostgresCluster c) {
        return new ServiceBuilder()
                .withMetadata(meta(c, ClusterNames.headlessService(c)))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(ClusterNames.selector(c))
                .addNewPort().withName("postgres").withPort(ClusterNames.PORT).withTargetPort(new IntOrString(ClusterNames.PORT)).endPort()
                .endSpec()
                .build();
    }

    /** Applications write through -rw (the primary) and may read from -ro (the replicas): see {@link ClusterServices}. */
    public static Service roleService(PostgresCluster c, String name, String role) {
        return ClusterServices.role(c, name, role, null);
    }

    /**
     * At most one instance down at a time during voluntary disruptions (node drains). A single instance
     * gets no budget: one that allows no disruption would block drains forever.
     */
    public static PodDisruptionBudget disruptionBudget(PostgresCluster c) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(meta(c, ClusterNames.disruptionBudget(c)))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(ClusterNames.selector(c)).endSelector()
                .endSpec()
                .build();
    }

    /**
     * The primary may not be evicted (minAvailable 1 of the pod labelled primary): a drain of its node waits, and the
     * operator switches over to a replica on another node when it sees the node cordoned (NodeDrains); the former
     * primary, a replica then, is evicted under the budget above. Only with replicas, for the same reason as above.
     */
    public static PodDisruptionBudget primaryDisruptionBudget(PostgresCluster c) {
        Map<String, String> selector = new HashMap<>(ClusterNames.selector(c));
        selector.put(ClusterNames.ROLE_LABEL, ClusterNames.ROLE_PRIMARY);
        return new PodDisruptionBudgetBuilder()
                .withMetadata(meta(c, ClusterNames.disruptionBudget(c) + "-primary"))
                .withNewSpec()
                .withMinAvailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(selector).endSelector()
                .endSpec()
                .build();
    }

    static ObjectMeta meta(PostgresCluster c, String name) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(c.getMetadata().getNamespace())
                .withLabels(new HashMap<>(ClusterNames.labels(c)))
                .build();
    }
}
