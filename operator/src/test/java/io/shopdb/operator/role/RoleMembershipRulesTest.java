package io.shopdb.operator.role;

import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.access.PoolerNames;
import io.shopdb.operator.sql.RoleMemberships;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.shopdb.operator.role.RoleSpecsTest.role;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** spec.memberOf and spec.passwordSecretRef grant nothing the API refuses directly (the catalog side: RoleMembershipsPgTest). */
class RoleMembershipRulesTest {

    private static List<String> violations(String yamlSpec) {
        return RoleSpecs.VALIDATOR.validate(role(yamlSpec)).stream().map(Object::toString).toList();
    }

    @Test
    void forbiddenRolesAreRefusedByName() {
        assertEquals(List.of("spec.memberOf[0]: postgres cannot be joined: the superuser the operator connects as"),
                violations("clusterRef: {name: db}\nmemberOf: [postgres]\n"));
        assertEquals(List.of("spec.memberOf[1]: pg_execute_server_program cannot be joined: runs programs on the database server (COPY ... PROGRAM)"),
                violations("clusterRef: {name: db}\nmemberOf: [readers, pg_execute_server_program]\n"));
        for (String name : RoleMemberships.FORBIDDEN.keySet()) {
            assertEquals(1, violations("clusterRef: {name: db}\nmemberOf: [" + name + "]\n").size(), name);
        }
    }

    @Test
    void monitoringRolesAndOtherSpellingsAreLeftToTheCatalogCheck() {
        // role names are case-sensitive once quoted: "Postgres" is another role, which the catalog check examines
        assertEquals(List.of(), violations("clusterRef: {name: db}\nmemberOf: [pg_monitor, pg_read_all_stats, Postgres, readers]\n"));
    }

    @Test
    void theOperatorsOwnRolesAreForbidden() {
        for (String name : List.of(ClusterNames.SUPERUSER, ClusterNames.REPLICATION_USER, PoolerNames.AUTH_ROLE)) {
            assertTrue(RoleMemberships.FORBIDDEN.containsKey(name), name);
        }
    }

    @Test
    void theClustersSecretsCannotBeARolesPassword() {
        assertEquals(List.of("spec.passwordSecretRef: the cluster's superuser Secret cannot be a role's password"),
                violations("clusterRef: {name: db}\npasswordSecretRef: {name: db-superuser}\n"));
        assertEquals(List.of("spec.passwordSecretRef: the cluster's replication Secret cannot be a role's password"),
                violations("clusterRef: {name: db}\npasswordSecretRef: {name: db-replication}\n"));
        for (String secret : List.of("db-superuser-applied", "db-pooler-auth", "db-ca", "db-server-tls")) {
            assertEquals(1, violations("clusterRef: {name: db}\npasswordSecretRef: {name: " + secret + ", passwordKey: tls.key}\n").size(), secret);
        }
        assertEquals(List.of(), violations("clusterRef: {name: db}\npasswordSecretRef: {name: other-superuser}\n"));
        assertEquals(List.of(), violations("clusterRef: {name: db}\npasswordSecretRef: {name: app-password}\n"));
    }

    @Test
    void theCrdCelRuleListsExactlyTheForbiddenRoles() throws Exception {
        String crd = Files.readString(Paths.get("crds/postgresroles.shopdb.io-v1.yml")).replace("\\\n", "").replaceAll("\n\\s+", " ");
        Matcher m = Pattern.compile("self.all\\(r, !\\(r in \\[([^\\]]+)\\]").matcher(crd);
        assertTrue(m.find(), "the CEL rule on spec.memberOf is in the CRD");
        var inCel = new TreeSet<String>();
        for (String part : m.group(1).split(",")) {
            inCel.add(part.trim().replace("'", "").replace("\\ ", "").trim());
        }
        assertEquals(new TreeSet<>(RoleMemberships.FORBIDDEN.keySet()), inCel);
    }
}
