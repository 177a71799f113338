package io.shopdb.operator.database;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.jobs.AgentJobs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The import's Job, built from the PostgresDatabase (pure): the agent's request, and where its secrets come from. */
class DatabaseImportsTest {
    static final PostgresDatabase DB = Serialization.unmarshal("""
            apiVersion: shopdb.io/v1alpha1
            kind: PostgresDatabase
            metadata: {name: shop, namespace: prod, uid: 0f0e}
            spec:
              clusterRef: {name: shop-db}
              owner: shop_owner
              import:
                source: {host: legacy.example.com, port: 6432, database: legacy, secretRef: {name: legacy, usernameKey: user}, sslMode: require}
                jobs: 4
                excludeSchemas: [scratch]
            """, PostgresDatabase.class);
    static final AgentJobs.Server SERVER = new AgentJobs.Server("shop-db-rw.prod.svc", 5432, "postgres", "prefer", null, null, "postgres",
            "shop-db-superuser", "password");

    @Test
    void theRequestImportsAsTheOwnerWithTheSourceAddressFromEnv() {
        AgentRequest.Import r = DatabaseImports.request(DB, DB.getSpec().getImportSpec(), SERVER, List.of("shop_app"));
        assertEquals(new AgentRequest.Source("$(SOURCE_HOST)", "$(SOURCE_PORT)", "legacy", "require"), r.source());
        assertEquals("shop", r.targetDatabase());
        assertEquals("shop_owner", r.role(), "what the import creates belongs to the database owner");
        assertEquals(List.of("scratch"), r.excludeSchemas());
        assertEquals(List.of("shop_app"), r.declaredRoles());
        assertEquals(4, r.jobs());
        assertEquals(DatabaseImports.DEFAULT_MINUTES, r.timeoutMinutes());
        assertNull(r.storage().dir());
    }

    @Test
    void theJobHoldsNoSecretValueAndNoBackupVolume() {
        var spec = DB.getSpec().getImportSpec();
        Job job = DatabaseImports.job(DB, "shop-import-1", "img", SERVER, spec, DatabaseImports.request(DB, spec, SERVER, List.of()));
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("import", container.getArgs().get(1));
        List<EnvVar> env = container.getEnv();
        assertEquals("legacy.example.com", value(env, "SOURCE_HOST"));
        assertEquals("6432", value(env, "SOURCE_PORT"));
        for (String secret : List.of(AgentRequest.Source.SOURCE_USER_ENV, AgentRequest.Source.SOURCE_PASSWORD_ENV, "PGPASSWORD",
                AgentRequest.Import.RESTORE_USER_ENV, AgentRequest.Import.RESTORE_PASSWORD_ENV)) {
            EnvVar v = env.stream().filter(e -> e.getName().equals(secret)).findFirst().orElseThrow();
            assertNull(v.getValue(), secret);
            assertTrue(v.getValueFrom().getSecretKeyRef() != null, secret);
        }
        for (String login : List.of(AgentRequest.Import.RESTORE_USER_ENV, AgentRequest.Import.RESTORE_PASSWORD_ENV)) {
            assertEquals("shop-import-1-login", env.stream().filter(e -> e.getName().equals(login)).findFirst().orElseThrow()
                    .getValueFrom().getSecretKeyRef().getName(), "pg_restore's login is the attempt's own Secret, not the superuser's");
        }
        assertTrue(String.join(" ", container.getArgs()).indexOf("shopdb_mig_") < 0 && container.getArgs().stream().noneMatch(a -> a.contains("login")),
                "the login's name and password are not on the command line: " + container.getArgs());
        assertEquals("user", env.stream().filter(e -> e.getName().equals(AgentRequest.Source.SOURCE_USER_ENV)).findFirst().orElseThrow()
                .getValueFrom().getSecretKeyRef().getKey());
        assertTrue(job.getSpec().getTemplate().getSpec().getVolumes().stream().noneMatch(v -> v.getPersistentVolumeClaim() != null));
        assertEquals(DatabaseImports.DEFAULT_MINUTES * 60L + 300, job.getSpec().getActiveDeadlineSeconds());
        assertEquals("PostgresDatabase", job.getMetadata().getLabels().get(AgentJobs.OWNER_KIND_LABEL));
    }

    static PostgresDatabase db(String source) {
        return Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresDatabase
                metadata: {name: shop, namespace: prod, uid: 0f0e}
                spec:
                  clusterRef: {name: shop-db}
                  owner: shop_owner
                  import:
                    source: %s
                """.formatted(source), PostgresDatabase.class);
    }

    private static String arg(List<String> args, String name) {
        int i = args.indexOf(name);
        return i < 0 ? null : args.get(i + 1);
    }

    private static Job importJob(PostgresDatabase db, AgentJobs.Server server) {
        var spec = db.getSpec().getImportSpec();
        return DatabaseImports.job(db, "shop-import-1", "img", server, spec, DatabaseImports.request(db, spec, server, List.of()));
    }

    @Test
    void theImportVerifiesTheTargetClusterAgainstItsCa() {
        var cluster = Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresCluster
                metadata: {name: shop-db, namespace: prod}
                spec: {instances: 1}
                """, io.shopdb.operator.api.v1alpha1.PostgresCluster.class);
        Job job = importJob(DB, AgentJobs.server(cluster));
        var pod = job.getSpec().getTemplate().getSpec();
        List<String> args = pod.getContainers().get(0).getArgs();
        assertEquals("verify-full", arg(args, "--sslmode"));
        assertEquals("$(DB_CA_FILE)", arg(args, "--sslrootcert"));
        assertEquals("shop-db-rw.prod.svc", arg(args, "--server-name"));
        var ca = pod.getVolumes().stream().filter(v -> v.getName().equals("server-ca")).findFirst().orElseThrow().getSecret();
        assertEquals("shop-db-server-tls", ca.getSecretName());
        assertEquals(List.of("ca.crt"), ca.getItems().stream().map(i -> i.getKey()).toList());
    }

    @Test
    void theSourceIsVerifiedWithItsCaElseEncryptedWithAWarningAndDowngradedOnlyWhenAsked() {
        // a CA: verify-full against it, under the host name written in the spec (the sandbox may map SOURCE_HOST)
        var verified = db("{host: legacy.example.com, database: legacy, secretRef: {name: legacy}, caSecretName: legacy-ca}");
        var source = verified.getSpec().getImportSpec().getSource();
        assertEquals("verify-full", DatabaseImports.sourceSslMode(source));
        assertNull(DatabaseImports.sourceWarning(source));
        Job job = importJob(verified, SERVER);
        var pod = job.getSpec().getTemplate().getSpec();
        List<String> args = pod.getContainers().get(0).getArgs();
        assertEquals("verify-full", arg(args, "--source-sslmode"));
        assertEquals("$(SOURCE_CA_FILE)", arg(args, "--source-sslrootcert"));
        assertEquals("legacy.example.com", arg(args, "--source-server-name"));
        assertEquals(AgentJobs.MOUNT_SOURCE_CA + "/ca.crt", value(pod.getContainers().get(0).getEnv(), "SOURCE_CA_FILE"));
        var ca = pod.getVolumes().stream().filter(v -> v.getName().equals("source-ca")).findFirst().orElseThrow().getSecret();
        assertEquals("legacy-ca", ca.getSecretName());
        assertEquals(List.of("ca.crt"), ca.getItems().stream().map(i -> i.getKey()).toList());
        assertEquals(AgentRequest.parse(args.toArray(String[]::new)), DatabaseImports.request(verified, verified.getSpec().getImportSpec(), SERVER,
                List.of()), "the agent's parser accepts the source's TLS options");
        assertEquals("verify-ca", DatabaseImports.sourceSslMode(
                db("{host: h, database: d, secretRef: {name: s}, caSecretName: c, sslMode: verify-ca}").getSpec().getImportSpec().getSource()));

        // no CA: require, and a Warning that says what to do
        var unverified = db("{host: legacy.example.com, database: legacy, secretRef: {name: legacy}}").getSpec().getImportSpec().getSource();
        assertEquals("require", DatabaseImports.sourceSslMode(unverified));
        assertEquals("sslmode require: encrypted, but the server's identity is not checked; set spec.import.source.caSecretName "
                + "(a Secret with the server's CA in ca.crt) to verify it", DatabaseImports.sourceWarning(unverified));
        List<String> plain = importJob(db("{host: legacy.example.com, database: legacy, secretRef: {name: legacy}}"), SERVER)
                .getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        assertEquals("require", arg(plain, "--source-sslmode"));
        assertNull(arg(plain, "--source-sslrootcert"));

        // prefer/allow/disable only when set, and warned about
        for (String mode : List.of("prefer", "allow", "disable")) {
            var asked = db("{host: h, database: d, secretRef: {name: s}, sslMode: " + mode + "}").getSpec().getImportSpec().getSource();
            assertEquals(mode, DatabaseImports.sourceSslMode(asked));
            assertTrue(DatabaseImports.sourceWarning(asked).startsWith("sslmode " + mode + ": a man in the middle"), DatabaseImports.sourceWarning(asked));
        }
    }

    @Test
    void eachAttemptHasALoginOfItsOwnInASecretOwnedByTheDatabase() {
        String role = ImportLogins.roleName(DB, "shop-import-1");
        assertTrue(role.matches("shopdb_mig_[0-9a-f]{12}"), role);
        assertEquals(role, ImportLogins.roleName(DB, "shop-import-1"), "whoever ends the attempt finds it again");
        assertTrue(!role.equals(ImportLogins.roleName(DB, "shop-import-2")), "a retry's Job has another");
        var secret = ImportLogins.secret(DB, "shop-import-1", new io.shopdb.operator.sql.OwnerSession.Login(role, "pw".toCharArray()));
        assertEquals("shop-import-1-login", secret.getMetadata().getName());
        assertEquals("prod", secret.getMetadata().getNamespace());
        assertEquals(role, new String(java.util.Base64.getDecoder().decode(secret.getData().get("username"))));
        assertEquals("shop", secret.getMetadata().getOwnerReferences().get(0).getName(), "garbage-collected with the PostgresDatabase");
    }

    private static String value(List<EnvVar> env, String name) {
        return env.stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
    }
}
