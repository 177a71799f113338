package io.shopdb.operator.agent.protocol;

/**
 * A failure the agent can name. The reason lets the caller (the Job's exit code, then the operator) tell
 * a retryable problem from one a person must fix; the message is written by us and never carries a
 * password or a secret key.
 */
public class AgentException extends RuntimeException {
    public enum Reason {
        /** Bad options or a request that can never succeed as given. */
        INVALID(2),
        /** A stored file does not match the SHA-256 in its manifest (corruption or tampering). */
        CHECKSUM_MISMATCH(3),
        /** The restore target already holds data and overwrite was not asked for. */
        TARGET_NOT_EMPTY(4),
        /** The dump comes from a newer PostgreSQL major than the target server. */
        VERSION_TOO_NEW(5),
        /** A backup, manifest or database named in the request does not exist. */
        NOT_FOUND(6),
        /** pg_dump, pg_restore, pg_basebackup or tar failed (often retryable: server down). */
        TOOL_FAILED(7),
        /** Storage or database I/O failed (often retryable). */
        IO(8),
        /** A restore drill ran but its counts or checks did not match. */
        VERIFY_FAILED(9),
        /** The backup volume is full: a person must free space or grow it. */
        STORAGE_FULL(10),
        /** A WAL file is already archived with other content (two servers archiving into one place, or corruption). */
        WAL_CONFLICT(11),
        /** An encrypted file's key is missing from the key Secret, or is not the key it was encrypted with. */
        KEY(12);

        public final int exitCode;

        Reason(int exitCode) {
            this.exitCode = exitCode;
        }
    }

    private final Reason reason;

    public AgentException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AgentException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
