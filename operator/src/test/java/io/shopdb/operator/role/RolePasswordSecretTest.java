package io.shopdb.operator.role;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** passwordSecretRef may name a Secret of the user's, never credentials the operator made for something else. */
class RolePasswordSecretTest {

    @Test
    void anotherClustersOrRolesSecretIsRefusedAUsersOwnIsNot() {
        PostgresRole role = new PostgresRole();
        role.getMetadata().setName("app");
        Secret users = secret(Map.of("team", "shop"));
        Secret otherCluster = secret(Map.of("app.kubernetes.io/managed-by", "shopdb-operator", "shopdb.io/cluster", "billing"));
        Secret otherRole = secret(Map.of("app.kubernetes.io/managed-by", "shopdb-operator", "shopdb.io/role", "admin"));
        Secret own = secret(Map.of("app.kubernetes.io/managed-by", "shopdb-operator", "shopdb.io/postgresrole", "app"));
        Secret ownFromBefore = secret(Map.of("app.kubernetes.io/managed-by", "shopdb-operator", "shopdb.io/role", "app"));
        Secret otherRoleNow = secret(Map.of("app.kubernetes.io/managed-by", "shopdb-operator", "shopdb.io/postgresrole", "admin"));
        assertNull(RolePasswords.operatorsOwn(users, role));
        assertNull(RolePasswords.operatorsOwn(null, role), "a missing Secret is a wait, not a refusal");
        assertNotNull(RolePasswords.operatorsOwn(otherCluster, role));
        assertNotNull(RolePasswords.operatorsOwn(otherRole, role));
        assertNotNull(RolePasswords.operatorsOwn(otherRoleNow, role));
        assertNull(RolePasswords.operatorsOwn(own, role));
        assertNull(RolePasswords.operatorsOwn(ownFromBefore, role), "a Secret labelled before the owner label had its own name");
        assertEquals("app", RoleSecretLabels.of(role).get(RoleSecretLabels.OWNER));
        assertFalse(RoleSecretLabels.of(role).containsKey("shopdb.io/role"), "shopdb.io/role is the pods' primary/replica label");
    }

    private static Secret secret(Map<String, String> labels) {
        return new SecretBuilder().withNewMetadata().withName("s").withLabels(labels).endMetadata().build();
    }
}
