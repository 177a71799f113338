package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresImageCatalogSpec {
    @Required
    @Size(min = 1, max = 8)
    @ValidationRule(value = "self.all(i, self.exists_one(j, j.major == i.major))", message = "spec.images names a major twice")
    @JsonPropertyDescription("One image per PostgreSQL major. A cluster at a major the catalog lacks waits (WaitingForImageCatalog).")
    private List<Entry> images = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Entry {
        @Required
        @Pattern("^(15|16|17|18)$")
        @Size(max = 2)
        @JsonPropertyDescription("The major, as in PostgresCluster spec.postgresVersion.")
        private String major;

        @Required
        @Size(min = 1, max = 1024)
        @JsonPropertyDescription("The image of that major (a digest pins it): it must hold initdb, postgres and pg_basebackup on PATH and run as uid 999.")
        private String image;

        public Entry() {}
        public Entry(String major, String image) { this.major = major; this.image = image; }
        public String getMajor() { return major; }
        public void setMajor(String major) { this.major = major; }
        public String getImage() { return image; }
        public void setImage(String image) { this.image = image; }
    }

    public List<Entry> getImages() { return images; }
    public void setImages(List<Entry> images) { this.images = images; }

    /** The image of {@code major}, or null. */
    public String imageOf(String major) {
        return images == null ? null : images.stream().filter(e -> e.getMajor().equals(major)).map(Entry::getImage).findFirst().orElse(null);
    }
}
