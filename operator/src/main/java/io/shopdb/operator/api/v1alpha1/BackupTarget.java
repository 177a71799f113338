package io.shopdb.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where backups are stored: a PersistentVolumeClaim or an S3-compatible bucket. Exactly one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.pvc) != has(self.s3)", message = "give exactly one of target.pvc or target.s3")
public class BackupTarget {
    @JsonPropertyDescription("A PersistentVolumeClaim (ReadWriteOnce is enough: one backup Job at a time writes to it).")
    private Pvc pvc;

    @JsonPropertyDescription("An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...).")
    private S3 s3;

    @JsonPropertyDescription("Client-side encryption (AES-256-GCM) of everything stored here, before it leaves the agent: backup files,"
            + " manifests, archived WAL. Restores, drills and recovery decrypt with any key of the Secret.")
    private Encryption encryption;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Encryption {
        @Required
        @Pattern(Names.DNS_SUBDOMAIN)
        @Size(max = Names.DNS_SUBDOMAIN_MAX)
        @JsonPropertyDescription("Secret (same namespace) holding the keys: each Secret key is a key id, its value 256 bits as base64"
                + " (openssl rand -base64 32), 64 hex digits or 32 raw bytes. Keep old keys in it while files encrypted with them exist.")
        private String keySecret;

        @Required
        @Pattern("^[A-Za-z0-9._-]{1,64}$")
        @Size(max = 64)
        @JsonPropertyDescription("The key new files are encrypted with (a key of keySecret); each file records the id of its key.")
        private String keyId;

        @JsonPropertyDescription("Still read files stored here before encryption was turned on (default false: a file without encryption"
                + " is refused, so nobody with write access to the storage can slip one in). Set it while such files are needed.")
        private Boolean readUnencrypted;

        public Boolean getReadUnencrypted() { return readUnencrypted; }
        public void setReadUnencrypted(Boolean readUnencrypted) { this.readUnencrypted = readUnencrypted; }
        public String getKeySecret() { return keySecret; }
        public void setKeySecret(String keySecret) { this.keySecret = keySecret; }
        public String getKeyId() { return keyId; }
        public void setKeyId(String keyId) { this.keyId = keyId; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Pvc {
        @Required
        @Pattern(Names.DNS_SUBDOMAIN)
        @Size(max = Names.DNS_SUBDOMAIN_MAX)
        @JsonPropertyDescription("Name of the PersistentVolumeClaim, in the same namespace. The operator does not create it.")
        private String claimName;

        @Pattern("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
        @Size(max = 1024)
        @ValidationRule(value = "!self.split('/').exists(p, p == '..')", message = "subPath may not contain '..'")
        @JsonPropertyDescription("Folder inside the volume; backups go to <subPath>/<backupId>/. Default: the volume's root.")
        private String subPath;

        public String getClaimName() { return claimName; }
        public void setClaimName(String claimName) { this.claimName = claimName; }
        public String getSubPath() { return subPath; }
        public void setSubPath(String subPath) { this.subPath = subPath; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class S3 {
        @Required
        @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
        @Size(max = 63)
        @JsonPropertyDescription("Bucket name. It must exist.")
        private String bucket;

        @Pattern("^[^\\x00-\\x1f]{0,512}$")
        @Size(max = 512)
        @JsonPropertyDescription("Key prefix; backups go to <prefix>/<backupId>/.")
        private String prefix;

        @Pattern("^https?://.+$")
        @Size(max = 2048)
        @JsonPropertyDescription("Endpoint URL of an S3-compatible service (e.g. http://minio.storage.svc:9000). Default: AWS.")
        private String endpoint;

        @Size(max = 63)
        @JsonPropertyDescription("Region (default us-east-1).")
        private String region;

        @JsonPropertyDescription("Path-style addressing (bucket in the path, not the host name); MinIO usually needs it.")
        private Boolean pathStyle;

        @JsonPropertyDescription("Secret with the access key id and secret access key. Omitted: the pod's ambient credentials (IRSA, instance profile).")
        private S3Credentials credentialsSecret;

        @Pattern("^(AES256|aws:kms)$")
        @Size(max = 7)
        @JsonPropertyDescription("Encryption at rest: server-side encryption asked on every upload (AES256 or aws:kms) and recorded in the manifest.")
        private String sse;

        @Size(max = 2048)
        @JsonPropertyDescription("KMS key id for sse: aws:kms (default: the bucket's key).")
        private String kmsKeyId;

        public String getBucket() { return bucket; }
        public void setBucket(String bucket) { this.bucket = bucket; }
        public String getPrefix() { return prefix; }
        public void setPrefix(String prefix) { this.prefix = prefix; }
        public String getEndpoint() { return endpoint; }
        public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
        public String getRegion() { return region; }
        public void setRegion(String region) { this.region = region; }
        public Boolean getPathStyle() { return pathStyle; }
        public void setPathStyle(Boolean pathStyle) { this.pathStyle = pathStyle; }
        public S3Credentials getCredentialsSecret() { return credentialsSecret; }
        public void setCredentialsSecret(S3Credentials credentialsSecret) { this.credentialsSecret = credentialsSecret; }
        public String getSse() { return sse; }
        public void setSse(String sse) { this.sse = sse; }
        public String getKmsKeyId() { return kmsKeyId; }
        public void setKmsKeyId(String kmsKeyId) { this.kmsKeyId = kmsKeyId; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class S3Credentials {
        @Required
        @Pattern(Names.DNS_SUBDOMAIN)
        @Size(max = Names.DNS_SUBDOMAIN_MAX)
        @JsonPropertyDescription("Name of the Secret, in the same namespace.")
        private String name;

        @Pattern("^[-._a-zA-Z0-9]+$")

        @Size(max = Names.KEY_MAX)
        @JsonPropertyDescription("Key of the access key id (default: AWS_ACCESS_KEY_ID).")
        private String accessKeyIdKey;

        @Pattern("^[-._a-zA-Z0-9]+$")

        @Size(max = Names.KEY_MAX)
        @JsonPropertyDescription("Key of the secret access key (default: AWS_SECRET_ACCESS_KEY).")
        private String secretAccessKeyKey;

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getAccessKeyIdKey() { return accessKeyIdKey; }
        public void setAccessKeyIdKey(String accessKeyIdKey) { this.accessKeyIdKey = accessKeyIdKey; }
        public String getSecretAccessKeyKey() { return secretAccessKeyKey; }
        public void setSecretAccessKeyKey(String secretAccessKeyKey) { this.secretAccessKeyKey = secretAccessKeyKey; }
    }

    public Pvc getPvc() { return pvc; }
    public void setPvc(Pvc pvc) { this.pvc = pvc; }
    public S3 getS3() { return s3; }
    public void setS3(S3 s3) { this.s3 = s3; }
    public Encryption getEncryption() { return encryption; }
    public void setEncryption(Encryption encryption) { this.encryption = encryption; }
}
