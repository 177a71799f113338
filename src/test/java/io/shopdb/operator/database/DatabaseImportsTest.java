package io.shopdb.operator.database;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.backup.AgentJobs;
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
        Job job = AgentJobs.build(DB, "shop-import-1", "img", SERVER, null, DatabaseImports.request(DB, spec, SERVER, List.of()),
                DatabaseImports.sourceEnv(spec));
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("import", container.getArgs().get(1));
        List<EnvVar> env = container.getEnv();
        assertEquals("legacy.example.com", value(env, "SOURCE_HOST"));
        assertEquals("6432", value(env, "SOURCE_PORT"));
        for (String secret : List.of(AgentRequest.Source.SOURCE_USER_ENV, AgentRequest.Source.SOURCE_PASSWORD_ENV, "PGPASSWORD")) {
            EnvVar v = env.stream().filter(e -> e.getName().equals(secret)).findFirst().orElseThrow();
            assertNull(v.getValue(), secret);
            assertTrue(v.getValueFrom().getSecretKeyRef() != null, secret);
        }
        assertEquals("user", env.stream().filter(e -> e.getName().equals(AgentRequest.Source.SOURCE_USER_ENV)).findFirst().orElseThrow()
                .getValueFrom().getSecretKeyRef().getKey());
        assertTrue(job.getSpec().getTemplate().getSpec().getVolumes().stream().noneMatch(v -> v.getPersistentVolumeClaim() != null));
        assertEquals(DatabaseImports.DEFAULT_MINUTES * 60L + 300, job.getSpec().getActiveDeadlineSeconds());
        assertEquals("PostgresDatabase", job.getMetadata().getLabels().get(AgentJobs.OWNER_KIND_LABEL));
    }

    private static String value(List<EnvVar> env, String name) {
        return env.stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
    }
}
