package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Backups in an S3-compatible bucket (AWS, MinIO, Ceph, GCS interop...). Files are streamed from the local
 * spool in parts of {@code partSize} bytes: memory use is one part, never a whole dump, and each part is a
 * byte array so the SDK can sign and retry it. Objects larger than one part use a multipart upload.
 *
 * Encryption at rest is the store's server-side encryption (SSE-S3 "AES256" or SSE-KMS "aws:kms" with a key
 * id), asked for on every PutObject/CreateMultipartUpload; client-side encryption is not implemented.
 * The SDK's default CRC trailers (2.30+) are switched to "when required" because many S3-compatible stores
 * reject them; integrity is ours anyway (SHA-256 per file in the manifest).
 */
public final class S3Storage implements BackupStorage {

    /**
     * @param prefix       key prefix inside the bucket ("" or e.g. "prod/shop"), without slashes at the ends
     * @param endpoint     null for AWS itself
     * @param accessKeyId  null: the SDK's default chain (env, web identity / IRSA, instance profile)
     * @param sse          null, "AES256" or "aws:kms"
     */
    public record Settings(String bucket, String prefix, URI endpoint, String region, boolean pathStyle,
                           String accessKeyId, char[] secretAccessKey, String sse, String kmsKeyId, int partSize) {
        public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;

        public Settings {
            if (bucket == null || bucket.isBlank()) {
                throw new AgentException(AgentException.Reason.INVALID, "S3 bucket is required");
            }
            prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
            if (sse != null && !sse.equals("AES256") && !sse.equals("aws:kms")) {
                throw new AgentException(AgentException.Reason.INVALID, "S3 server-side encryption must be AES256 or aws:kms");
            }
            if (partSize < 5 * 1024 * 1024 && partSize != 0) {
                // S3 rejects multipart parts under 5 MiB (except the last)
                throw new AgentException(AgentException.Reason.INVALID, "S3 part size must be at least 5 MiB");
            }
            partSize = partSize == 0 ? DEFAULT_PART_SIZE : partSize;
        }

        @Override
        public String toString() {
            return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
        }
    }

    private final Settings settings;
    private final S3Client s3;

    public S3Storage(Settings settings) {
        this.settings = settings;
        AwsCredentialsProvider credentials = settings.accessKeyId() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(), new String(settings.secretAccessKey())));
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .region(Region.of(settings.region() == null ? "us-east-1" : settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
    }

    /** What the manifest records about encryption at rest. */
    public String encryption() {
        return settings.sse() == null ? "none" : "sse:" + settings.sse();
    }

    private String fullKey(String key) {
        String k = BackupStorage.checkKey(key);
        return settings.prefix().isEmpty() ? k : settings.prefix() + "/" + k;
    }

    @Override
    public void put(String key, InputStream data, long length) throws IOException {
        String k = fullKey(key);
        try {
            if (length <= settings.partSize()) {
                putObject(k, readExactly(data, (int) length, key));
                return;
            }
            multipart(k, data, length);
        } catch (SdkException e) {
            throw new IOException("S3 put " + k + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long putStream(String key, InputStream data) throws IOException {
        String k = fullKey(key);
        try {
            byte[] first = data.readNBytes(settings.partSize());
            if (first.length < settings.partSize()) { // all of it fits one request
                putObject(k, first);
                return first.length;
            }
            return uploadParts(k, first, () -> data.readNBytes(settings.partSize()));
        } catch (SdkException e) {
            throw new IOException("S3 put " + k + " failed: " + e.getMessage(), e);
        }
    }

    /** One PutObject of a whole (small) object, with the bucket's server-side encryption when set. */
    private void putObject(String k, byte[] body) {
        s3.putObject(b -> {
            b.bucket(settings.bucket()).key(k).contentLength((long) body.length);
            if (settings.sse() != null) {
                b.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse())).ssekmsKeyId(settings.kmsKeyId());
            }
        }, RequestBody.fromBytes(body));
    }

    private void multipart(String k, InputStream data, long length) throws IOException {
        long[] remaining = {length};
        long stored = uploadParts(k, null, () -> {
            int size = (int) Math.min(settings.partSize(), remaining[0]);
            remaining[0] -= size;
            return size == 0 ? new byte[0] : readExactly(data, size, k);
        });
        if (stored != length) {
            throw new IOException("short read for " + k + ": expected " + length + " bytes, got " + stored);
        }
    }

    /** The next part's bytes; an empty array at the end. */
    private interface Parts {
        byte[] next() throws IOException;
    }

    /**
     * One multipart upload: {@code first} (when given) then every part {@code parts} yields, completed at the end and
     * aborted on any failure, so a half-sent object never appears. Returns the bytes stored.
     */
    private long uploadParts(String k, byte[] first, Parts parts) throws IOException {
        String uploadId = s3.createMultipartUpload(b -> {
            b.bucket(settings.bucket()).key(k);
            if (settings.sse() != null) {
                b.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse())).ssekmsKeyId(settings.kmsKeyId());
            }
        }).uploadId();
        try {
            List<CompletedPart> done = new ArrayList<>();
            long stored = 0;
            byte[] part = first != null ? first : parts.next();
            for (int n = 1; part.length > 0; n++) {
                int partNumber = n;
                byte[] body = part;
                String etag = s3.uploadPart(b -> b.bucket(settings.bucket()).key(k).uploadId(uploadId).partNumber(partNumber)
                        .contentLength((long) body.length), RequestBody.fromBytes(body)).eTag();
                done.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                stored += body.length;
                part = parts.next();
            }
            s3.completeMultipartUpload(b -> b.bucket(settings.bucket()).key(k).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(done)));
            return stored;
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(k).uploadId(uploadId));
            } catch (SdkException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private static byte[] readExactly(InputStream in, int size, String key) throws IOException {
        byte[] buf = in.readNBytes(size);
        if (buf.length != size) {
            throw new IOException("short read for " + key + ": expected " + size + " bytes, got " + buf.length);
        }
        return buf;
    }

    @Override
    public InputStream get(String key) throws IOException {
        String k = fullKey(key);
        try {
            return s3.getObject(b -> b.bucket(settings.bucket()).key(k));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(k);
        } catch (SdkException e) {
            throw new IOException("S3 get " + k + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        String root = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        try {
            List<StoredObject> out = new ArrayList<>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(root + keyPrefix)).contents()) {
                if (!o.key().endsWith("/")) { // "folder" markers (consoles, filesystem-backed stores) are not files
                    out.add(new StoredObject(o.key().substring(root.length()), o.size()));
                }
            }
            out.sort(Comparator.comparing(StoredObject::key));
            return out;
        } catch (SdkException e) {
            throw new IOException("S3 list " + root + keyPrefix + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        String k = fullKey(key);
        try {
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(k));
        } catch (SdkException e) {
            throw new IOException("S3 delete " + k + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return settings.toString();
    }

    @Override
    public void close() {
        s3.close();
    }
}
