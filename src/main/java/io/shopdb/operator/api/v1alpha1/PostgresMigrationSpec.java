package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresMigrationSpec {
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.databaseRef is immutable")
    @JsonPropertyDescription("The PostgresDatabase to migrate.")
    private LocalReference databaseRef;

    public LocalReference getDatabaseRef() { return databaseRef; }
    public void setDatabaseRef(LocalReference databaseRef) { this.databaseRef = databaseRef; }
}
