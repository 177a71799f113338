package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresImageCatalogStatus extends ShopdbStatus {
    @JsonPropertyDescription("The majors the catalog has an image for, e.g. 15, 16.")
    private String majors;

    public String getMajors() { return majors; }
    public void setMajors(String majors) { this.majors = majors; }
}
