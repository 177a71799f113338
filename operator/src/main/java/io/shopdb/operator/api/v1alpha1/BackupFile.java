package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One stored file of a backup, as its manifest lists it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupFile {
    @JsonPropertyDescription("Path relative to the backup's folder.")
    private String path;
    @JsonPropertyDescription("Database the file belongs to (logical backups).")
    private String database;
    @JsonPropertyDescription("Size in bytes.")
    private Long size;
    @JsonPropertyDescription("SHA-256 of the stored bytes, hex.")
    private String sha256;

    public BackupFile() {}

    public BackupFile(String path, String database, Long size, String sha256) {
        this.path = path;
        this.database = database;
        this.size = size;
        this.sha256 = sha256;
    }

    public String getPath() { return path; }
    public void setPath(String path) { this.path = path; }
    public String getDatabase() { return database; }
    public void setDatabase(String database) { this.database = database; }
    public Long getSize() { return size; }
    public void setSize(Long size) { this.size = size; }
    public String getSha256() { return sha256; }
    public void setSha256(String sha256) { this.sha256 = sha256; }
}
