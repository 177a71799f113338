package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/**
 * Backups on a cron schedule. Runs also start at once with {@code immediate: true} (the first run) and
 * whenever the annotation {@code shopdb.io/run-now} gets a new value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresBackupScheduleSpec {
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.clusterRef is immutable")
    @JsonPropertyDescription("The PostgresCluster to back up.")
    private LocalReference clusterRef;

    @Required
    @Pattern("^\\S+( \\S+){4}$")
    @Size(max = 128)
    @JsonPropertyDescription("Unix cron expression, five fields (minute hour day-of-month month day-of-week), e.g. \"30 2 * * *\".")
    private String schedule;

    @Pattern("^[A-Za-z][A-Za-z0-9_+/-]{0,63}$")
    @Size(max = 64)
    @JsonPropertyDescription("IANA time zone of the schedule, e.g. Europe/Berlin. Default UTC.")
    private String timeZone;

    @JsonPropertyDescription("No new runs while true; running ones finish.")
    private Boolean suspend;

    @JsonPropertyDescription("Run once as soon as the schedule is created, not only at the first cron time.")
    private Boolean immediate;

    @Default("\"Forbid\"")
    @JsonPropertyDescription("Forbid: a run that is due while the previous one is still going is skipped.")
    private ConcurrencyPolicy concurrencyPolicy = ConcurrencyPolicy.Forbid;

    @Required
    @JsonPropertyDescription("The PostgresBackup spec of each run, without clusterRef.")
    private BackupTemplate template;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Keep at most this many successful backups of this schedule (older ones are deleted with their files).")
    private Integer keepLast;

    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$")
    @Size(max = 32)
    @JsonPropertyDescription("Delete backups older than this (e.g. 720h or 30d). The last successful backup is never deleted.")
    private String maxAge;

    @JsonPropertyDescription("Restore drill after each successful backup.")
    private Verify verify;

    public enum ConcurrencyPolicy { Forbid }

    /** The restore drill: the agent's verify command in a Job. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Verify {
        @Default("true")
        @JsonPropertyDescription("Run the drill.")
        private boolean enabled = true;

        @Pattern(Names.PG_IDENTIFIER)

        @Size(max = Names.IDENTIFIER_MAX)
        @JsonPropertyDescription("Database of the backup to restore (needed when the backup has several).")
        private String database;

        @JsonPropertyDescription("SQL checks run read-only in the restored scratch database; each returns one boolean that must be true, e.g. SELECT count(*) > 0 FROM sales.orders.")
        @Size(max = 32)
        private List<@Size(max = Names.SQL_MAX) String> checks = new ArrayList<>();

        @JsonPropertyDescription("Drill physical backups as a point-in-time recovery: a scratch PostgresCluster <schedule>-drill is bootstrapped from the newest physical backup plus the cluster's WAL archive up to its end (the latest recoverable point), the checks run there (in database, default postgres), and the scratch cluster is deleted.")
        private Boolean pointInTime;

        public Boolean getPointInTime() { return pointInTime; }
        public void setPointInTime(Boolean pointInTime) { this.pointInTime = pointInTime; }

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getDatabase() { return database; }
        public void setDatabase(String database) { this.database = database; }
        public List<String> getChecks() { return checks; }
        public void setChecks(List<String> checks) { this.checks = checks; }
    }

    public LocalReference getClusterRef() { return clusterRef; }
    public void setClusterRef(LocalReference clusterRef) { this.clusterRef = clusterRef; }
    public String getSchedule() { return schedule; }
    public void setSchedule(String schedule) { this.schedule = schedule; }
    public String getTimeZone() { return timeZone; }
    public void setTimeZone(String timeZone) { this.timeZone = timeZone; }
    public Boolean getSuspend() { return suspend; }
    public void setSuspend(Boolean suspend) { this.suspend = suspend; }
    public Boolean getImmediate() { return immediate; }
    public void setImmediate(Boolean immediate) { this.immediate = immediate; }
    public ConcurrencyPolicy getConcurrencyPolicy() { return concurrencyPolicy; }
    public void setConcurrencyPolicy(ConcurrencyPolicy concurrencyPolicy) { this.concurrencyPolicy = concurrencyPolicy; }
    public BackupTemplate getTemplate() { return template; }
    public void setTemplate(BackupTemplate template) { this.template = template; }
    public Integer getKeepLast() { return keepLast; }
    public void setKeepLast(Integer keepLast) { this.keepLast = keepLast; }
    public String getMaxAge() { return maxAge; }
    public void setMaxAge(String maxAge) { this.maxAge = maxAge; }
    public Verify getVerify() { return verify; }
    public void setVerify(Verify verify) { this.verify = verify; }
}
