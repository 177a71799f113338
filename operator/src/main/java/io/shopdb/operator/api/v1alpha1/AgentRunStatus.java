package io.shopdb.operator.api.v1alpha1;

/**
 * The part of a status that tracks an agent Job through its attempts (backup/AgentJobAttempts writes it the same
 * way for backups, restores and restore drills): the attempt number is kept as a number, never parsed from a name.
 */
public interface AgentRunStatus {
    String getJobName();
    void setJobName(String jobName);
    Integer getAttempts();
    void setAttempts(Integer attempts);
    String getStartTime();
    void setStartTime(String startTime);
    String getLastFailure();
    void setLastFailure(String lastFailure);
}
