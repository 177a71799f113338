package io.shopdb.operator.status;

/** Condition reasons shared by the controllers: CamelCase, stable, documented in the README. */
public final class Reasons {
    public static final String READY = "Ready";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String CONFLICT = "Conflict";
    public static final String NOT_IMPLEMENTED = "NotImplemented";
    public static final String CREATING = "Creating";
    public static final String WAITING_FOR_INSTANCES = "WaitingForInstances";
    public static final String WAITING_FOR_REPLICAS = "WaitingForReplicas";
    public static final String SERVER_UNREACHABLE = "ServerUnreachable";
    public static final String CREDENTIALS_MISSING = "CredentialsMissing";
    public static final String ROLLING_RESTART = "RollingRestart";
    public static final String APPLYING_PARAMETERS = "ApplyingParameters";
    public static final String INVALID_PARAMETER = "InvalidParameter";

    public static final String WAITING_FOR_BACKUP = "WaitingForBackup";
    // high availability (cluster/HighAvailability)
    public static final String FAILING_OVER = "FailingOver";
    public static final String FAILOVER_REFUSED = "FailoverRefused";
    public static final String SWITCHING_OVER = "SwitchingOver";
    public static final String INSTANCE_FAILING = "InstanceFailing";

    private Reasons() {}
}
