package io.shopdb.operator.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directory a GitOps tool syncs at once: a managed cluster, the database's owner, the database and N login
 * roles with grants on it (one file, documents in the order a person writes them: the roles before nothing else).
 */
final class ApplyAllManifests {
    private ApplyAllManifests() {}

    static void write(Path dir, int roles) throws IOException {
        Files.createDirectories(dir);
        try (Writer w = Files.newBufferedWriter(dir.resolve("all.yaml"))) {
            w.write("""
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresCluster
                    metadata: {name: bench-db}
                    spec: {instances: 1}
                    ---
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresRole
                    metadata: {name: shop-owner}
                    spec: {clusterRef: {name: bench-db}, name: shop_owner}
                    ---
                    apiVersion: shopdb.io/v1alpha1
                    kind: PostgresDatabase
                    metadata: {name: shop}
                    spec:
                      clusterRef: {name: bench-db}
                      owner: shop_owner
                      schemas: [{name: a, owner: shop_owner}, {name: b, owner: shop_owner}]
                    """);
            for (int i = 0; i < roles; i++) {
                w.write("---\n" + role(i));
            }
        }
    }

    /**
     * Login role {@code app_<i>} with CONNECT on {@code shop}, table privileges in schemas a and b and a default
     * privilege: what ScaleBenchmark's scenarios grant each role.
     */
    static String role(int i) {
        return """
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: app-%1$d}
                spec:
                  clusterRef: {name: bench-db}
                  name: app_%1$d
                  login: true
                  grants:
                    - database: shop
                      privileges: [CONNECT]
                      schemas:
                        - name: a
                          privileges: [USAGE]
                          tables: [SELECT, INSERT, UPDATE]
                          defaultPrivileges:
                            - forRole: shop_owner
                              tables: [SELECT]
                        - name: b
                          privileges: [USAGE]
                          tables: [SELECT]
                """.formatted(i);
    }
}
