package io.shopdb.operator.role;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.sql.ObjectKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RoleSpecsTest {

    static PostgresRole role(String yamlSpec) {
        return Serialization.unmarshal("""
                apiVersion: shopdb.io/v1alpha1
                kind: PostgresRole
                metadata: {name: app, namespace: shop}
                spec:
                """ + yamlSpec.indent(2), PostgresRole.class);
    }

    @Test
    void grantsBecomeOneDesiredStatePerDatabase() {
        var grants = RoleSpecs.grants(role("""
                clusterRef: {name: db}
                name: shop_app
                grants:
                  - database: shop
                    privileges: [CONNECT]
                    schemas:
                      - name: sales
                        privileges: [USAGE]
                        tables: [SELECT, INSERT]
                        defaultPrivileges: [{forRole: shop_owner, tables: [SELECT]}]
                    tables: [{schema: catalog, name: products, privileges: [SELECT]}]
                """));
        var shop = grants.get("shop");
        assertEquals(Set.of("CONNECT"), shop.database());
        assertEquals("sales", shop.schemas().get(0).schema());
        assertEquals(ObjectKind.TABLE, shop.allInSchema().get(0).kind());
        assertEquals(Set.of("SELECT", "INSERT"), shop.allInSchema().get(0).privileges());
        assertEquals("shop_owner", shop.defaults().get(0).creator());
        assertEquals("products", shop.tables().get(0).table());
        assertEquals(List.of("shop"), List.copyOf(grants.keySet()));
    }

    @Test
    void aDatabaseListedTwiceIsRefusedNamingTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> RoleSpecs.grants(role("""
                clusterRef: {name: db}
                grants: [{database: shop}, {database: shop}]
                """)));
        assertEquals("spec.grants[1].database: shop is listed twice; merge the entries", e.getMessage());
    }

    @Test
    void theClusterOwnRolesCannotBeManagedHere() {
        for (String name : List.of("postgres", "replicator")) {
            var e = assertThrows(IllegalArgumentException.class, () -> RoleSpecs.desired(role("clusterRef: {name: db}\nname: " + name + "\n")));
            assertEquals("spec.name: " + name + " is managed by the PostgresCluster itself; choose another name", e.getMessage());
        }
    }

    @Test
    void aTooLongNameIsRefusedWithItsLength() {
        var e = assertThrows(IllegalArgumentException.class, () -> RoleSpecs.desired(role("clusterRef: {name: db}\nname: " + "é".repeat(32) + "\n")));
        assertEquals("spec.name: is 64 bytes long; PostgreSQL identifiers are at most 63 bytes", e.getMessage());
    }
}
