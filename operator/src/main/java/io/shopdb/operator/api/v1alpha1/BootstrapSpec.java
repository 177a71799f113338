package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** How a new managed cluster gets its first data directory instead of initdb. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootstrapSpec {
    @Required
    @JsonPropertyDescription("Start from a physical PostgresBackup (same namespace) instead of an empty initdb: ordinal 0 unpacks it into its empty volume and starts on it.")
    private FromBackup fromBackup;

    public FromBackup getFromBackup() { return fromBackup; }
    public void setFromBackup(FromBackup fromBackup) { this.fromBackup = fromBackup; }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FromBackup {
        @Required
        @JsonPropertyDescription("The PostgresBackup to start from; it must be physical and Ready.")
        private LocalReference backupRef;

        @JsonPropertyDescription("Point-in-time recovery: after unpacking the backup, replay the source's archived WAL up to a target (or to the end of the archive), then promote.")
        private RecoverySpec recovery;

        public RecoverySpec getRecovery() { return recovery; }
        public void setRecovery(RecoverySpec recovery) { this.recovery = recovery; }

        public FromBackup() {}
        public FromBackup(LocalReference backupRef) { this.backupRef = backupRef; }
        public LocalReference getBackupRef() { return backupRef; }
        public void setBackupRef(LocalReference backupRef) { this.backupRef = backupRef; }
    }
}
