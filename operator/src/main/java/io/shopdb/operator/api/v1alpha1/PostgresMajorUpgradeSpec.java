package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Which cluster moves to which, and when the cutover may happen. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.source.name != self.target.name", message = "spec.source and spec.target must be two clusters")
@ValidationRule(value = "self.source == oldSelf.source && self.target == oldSelf.target",
        message = "spec.source and spec.target cannot change: make a new PostgresMajorUpgrade")
public class PostgresMajorUpgradeSpec {
    public enum Cutover { Automatic, Manual }

    @Required
    @JsonPropertyDescription("The running PostgresCluster at the old major. It keeps its name: after the cutover its -rw and -ro"
            + " Services lead to the target, and the databases, roles, migrations and poolers that name it act on the target."
            + " It stays read-only (default_transaction_read_only) with its data as it was at the cutover, for a rollback.")
    private LocalReference source;

    @Required
    @JsonPropertyDescription("A managed PostgresCluster at the new major (a higher spec.postgresVersion), declared for this upgrade"
            + " with spec.tls.caSecretName set to the source's CA Secret (<source>-ca), so clients keep verifying the server"
            + " they reach through the source's Services. It must hold no databases of its own.")
    private LocalReference target;

    @Default("\"Automatic\"")
    @JsonPropertyDescription("Automatic (default): cut over as soon as the target has caught up. Manual: wait in phase"
            + " ReadyForCutover, the target following the source, until this is set to Automatic.")
    private Cutover cutover = Cutover.Automatic;

    public LocalReference getSource() { return source; }
    public void setSource(LocalReference source) { this.source = source; }
    public LocalReference getTarget() { return target; }
    public void setTarget(LocalReference target) { this.target = target; }
    public Cutover getCutover() { return cutover; }
    public void setCutover(Cutover cutover) { this.cutover = cutover; }
}
