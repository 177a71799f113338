package io.shopdb.operator.status;

/** Condition reasons shared by the controllers: CamelCase, stable, documented in the README. */
public final class Reasons {
    public static final String READY = "Ready";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String CONFLICT = "Conflict";
    public static final String WAITING_FOR_INSTANCES = "WaitingForInstances";
    public static final String WAITING_FOR_REPLICAS = "WaitingForReplicas";
    public static final String SERVER_UNREACHABLE = "ServerUnreachable";
    public static final String CREDENTIALS_MISSING = "CredentialsMissing";
    public static final String ROLLING_RESTART = "RollingRestart";
    /** spec.hibernate: the instances are stopping; then Ready with reason Hibernated (phase Hibernated). */
    public static final String HIBERNATING = "Hibernating";
    public static final String HIBERNATED = "Hibernated";
    /** A dependent of a hibernated cluster: nothing runs to connect to until it wakes (an event ends the wait). */
    public static final String CLUSTER_HIBERNATED = "ClusterHibernated";
    /** spec.standby: Ready as a read-only copy of the source (phase Standby); Demoting/Promoting on the way. */
    public static final String STANDBY = "Standby";
    public static final String DEMOTING = "Demoting";
    public static final String PROMOTING = "Promoting";
    public static final String WAITING_FOR_SOURCE = "WaitingForSource";
    /** A dependent of a standby cluster: read-only until it is promoted (an event ends the wait). */
    public static final String CLUSTER_IS_STANDBY = "ClusterIsStandby";
    public static final String APPLYING_PARAMETERS = "ApplyingParameters";
    public static final String INVALID_PARAMETER = "InvalidParameter";

    public static final String WAITING_FOR_BACKUP = "WaitingForBackup";
    /** A point-in-time recovery target is later than the source's newest archived WAL (it arrives within archive_timeout). */
    public static final String WAITING_FOR_WAL = "WaitingForWal";
    /** A cluster bootstrapped to a point in time still replays archived WAL (read-only until it promotes). */
    public static final String RECOVERING = "Recovering";
    public static final String BACKUP_FAILED = "BackupFailed";
    public static final String BACKUP_NOT_FOUND = "BackupNotFound";
    public static final String NOT_SUPPORTED = "NotSupported";
    /** A schedule whose last restore drill failed (Ready=False until a later drill passes). */
    public static final String DRILL_FAILED = "DrillFailed";
    /** A suspended schedule: Ready, starting no runs. */
    public static final String SUSPENDED = "Suspended";
    /** A role whose deletion refuses to drop it (it still owns objects). */
    public static final String DROP_REFUSED = "DropRefused";
    /** An exception the reconcile did not expect; retried. */
    public static final String ERROR = "Error";
    /** A Kubernetes API request failed (conflict, throttling, server error, a closed connection); retried. */
    public static final String KUBERNETES_API_ERROR = "KubernetesApiError";
    // high availability (cluster/HighAvailability)
    public static final String FAILING_OVER = "FailingOver";
    public static final String FAILOVER_REFUSED = "FailoverRefused";
    public static final String SWITCHING_OVER = "SwitchingOver";
    public static final String INSTANCE_FAILING = "InstanceFailing";

    private Reasons() {}
}
