package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresRoleStatus extends ShopdbStatus {
    @JsonPropertyDescription("The role name in PostgreSQL.")
    private String roleName;
    @JsonPropertyDescription("Secret holding the password.")
    private String passwordSecret;
    @JsonPropertyDescription("Secret with host, port, database, user, password, uri and jdbc-uri for applications.")
    private String connectionSecret;
    @JsonPropertyDescription("The passwordRotation value last carried out.")
    private String passwordRotation;
    @JsonPropertyDescription("SQL steps of the last reconcile that changed something (drift reverted shows here).")
    private List<String> lastAppliedPlan = new ArrayList<>();
    @JsonPropertyDescription("Declared grants on objects that do not exist yet (e.g. a table a migration has not created).")
    private List<String> unresolvedGrants = new ArrayList<>();

    public String getRoleName() { return roleName; }
    public void setRoleName(String roleName) { this.roleName = roleName; }
    public String getPasswordSecret() { return passwordSecret; }
    public void setPasswordSecret(String passwordSecret) { this.passwordSecret = passwordSecret; }
    public String getConnectionSecret() { return connectionSecret; }
    public void setConnectionSecret(String connectionSecret) { this.connectionSecret = connectionSecret; }
    public String getPasswordRotation() { return passwordRotation; }
    public void setPasswordRotation(String passwordRotation) { this.passwordRotation = passwordRotation; }
    public List<String> getLastAppliedPlan() { return lastAppliedPlan; }
    public void setLastAppliedPlan(List<String> lastAppliedPlan) { this.lastAppliedPlan = lastAppliedPlan; }
    public List<String> getUnresolvedGrants() { return unresolvedGrants; }
    public void setUnresolvedGrants(List<String> unresolvedGrants) { this.unresolvedGrants = unresolvedGrants; }
}
