package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/**
 * A standby cluster (a PostgresCluster's spec.standby): a read-only copy of another cluster, for another region or
 * a planned move. Its primary instance streams from the source's primary; its other instances stream from it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandbySpec {
    @Default("true")
    @JsonPropertyDescription("true (default): the cluster replays its source and stays read-only. false: promote it: it replays what"
            + " it received from the source and becomes a writable cluster of its own (a demoted source that is still reachable is"
            + " replayed to its end first, so a planned move loses nothing). Keep the block after promoting: true again makes a"
            + " promoted cluster a standby of its source once more, rewinding its data instead of copying it anew.")
    private Boolean enabled = true;

    @Required
    @JsonPropertyDescription("The PostgresCluster of this namespace that this cluster replicates. It streams from the source's -rw"
            + " Service over TLS, trusting the source's CA (from Secret <source>-server-tls), as the replication user. A new standby"
            + " copies the source's superuser and replication Secrets: the data, so the passwords in it, are the source's.")
    private LocalReference source;

    @JsonPropertyDescription("The source's WAL archive (the target of its spec.walArchive, with its encryption key Secret if it"
            + " encrypts): the standby's primary also replays archived WAL (a wal-fetcher sidecar answers its restore_command), so"
            + " it keeps catching up while streaming is broken, from the archive the source still ships to, and after the source"
            + " dropped WAL the standby had not received. The folder in it is the source's status.walArchive.prefix, recorded in"
            + " status.standby.archivePrefix. Without it the standby only streams.")
    private BackupTarget archive;

    /** A standby of {@code source} (enabled). */
    public static StandbySpec of(String source) {
        StandbySpec s = new StandbySpec();
        s.setSource(new LocalReference(source));
        return s;
    }

    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public LocalReference getSource() { return source; }
    public BackupTarget getArchive() { return archive; }
    public void setArchive(BackupTarget archive) { this.archive = archive; }
    public void setSource(LocalReference source) { this.source = source; }

    /** Whether the cluster should replay its source now (enabled unless set to false). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isReplaying() { return !Boolean.FALSE.equals(enabled); }
}
