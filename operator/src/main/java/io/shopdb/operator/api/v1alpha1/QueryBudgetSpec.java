package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * One critical query of a database and the longest it may take (an item of PostgresDatabase spec.queryBudgets).
 * The operator runs it under EXPLAIN ANALYZE, logged in as a throwaway member of runAs, read-only, with a
 * statement timeout, after every migration of the database and on the schedule (spec.queryBudgetInterval).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QueryBudgetSpec {
    public enum RunOn { Replica, Primary }

    /** A read statement: SELECT, WITH, VALUES or TABLE first, no ';' anywhere (one statement, nothing after it). */
    public static final String READ_STATEMENT = "^\\s*([Ss][Ee][Ll][Ee][Cc][Tt]|[Ww][Ii][Tt][Hh]|[Vv][Aa][Ll][Uu][Ee][Ss]|[Tt][Aa][Bb][Ll][Ee])\\s[^;]*$";
    /** 250ms, 2s, 1m: what maxDuration and timeout accept. */
    public static final String DURATION = "^[1-9][0-9]{0,6}(ms|s|m)$";

    @Required
    @Pattern(Names.DNS_LABEL)
    @Size(max = Names.DNS_LABEL_MAX)
    @JsonPropertyDescription("Name of the budget: the query label of its metrics and the key of status.queryBudgets (e.g. top-products).")
    private String name;

    @Required
    @Size(max = Names.SQL_MAX)
    @Pattern(READ_STATEMENT)
    @JsonPropertyDescription("The query, one read statement starting with SELECT, WITH, VALUES or TABLE, without ';'. It runs under"
            + " EXPLAIN (ANALYZE) in a read-only transaction, so a data-modifying WITH fails instead of writing.")
    private String sql;

    @Required
    @Pattern(Names.PG_IDENTIFIER)
    @Size(max = Names.IDENTIFIER_MAX)
    @ValidationRule(value = "!(self in ['postgres', 'replicator', 'shopdb_pooler']) && !self.startsWith('pg_') && !self.startsWith('shopdb_mig_')",
            message = "spec.queryBudgets[].runAs may not name the superuser or the operator's roles (postgres, replicator, shopdb_pooler),"
                    + " a predefined pg_ role or a throwaway role (shopdb_mig_...): a budget runs as the application role that sends the query")
    @JsonPropertyDescription("The role the application runs the query as (e.g. reporting). The operator logs in as a throwaway member of it,"
            + " never as a superuser; a role that is, or reaches, SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS is refused.")
    private String runAs;

    @Required
    @Pattern(DURATION)
    @Size(max = 10)
    @JsonPropertyDescription("The longest acceptable time, planning plus execution as the server measures it: 250ms, 2s, 1m.")
    private String maxDuration;

    @Pattern(DURATION)
    @Size(max = 10)
    @JsonPropertyDescription("Statement timeout of the check (default: three times maxDuration, at least 1s). A query cancelled by it has exceeded its budget.")
    private String timeout;

    @Default("\"Replica\"")
    @JsonPropertyDescription("Where the check runs: Replica (default: the -ro Service, so the check does not load the primary) or Primary"
            + " (a cluster of one instance, or an external server).")
    private RunOn runOn = RunOn.Replica;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getSql() { return sql; }
    public void setSql(String sql) { this.sql = sql; }
    public String getRunAs() { return runAs; }
    public void setRunAs(String runAs) { this.runAs = runAs; }
    public String getMaxDuration() { return maxDuration; }
    public void setMaxDuration(String maxDuration) { this.maxDuration = maxDuration; }
    public String getTimeout() { return timeout; }
    public void setTimeout(String timeout) { this.timeout = timeout; }
    public RunOn getRunOn() { return runOn; }
    public void setRunOn(RunOn runOn) { this.runOn = runOn; }
}
