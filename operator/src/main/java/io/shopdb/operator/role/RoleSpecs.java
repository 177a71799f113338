package io.shopdb.operator.role;

import io.shopdb.operator.sql.InvalidFieldException;
import io.shopdb.operator.api.v1alpha1.GrantSpec;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.PostgresRoleSpec;
import io.shopdb.operator.access.ClusterNames;
import io.shopdb.operator.access.ClusterSecrets;
import io.shopdb.operator.sql.DesiredGrants;
import io.shopdb.operator.sql.DesiredRole;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.RoleMemberships;
import io.shopdb.operator.status.SpecValidator;
import io.shopdb.operator.sql.ObjectKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a PostgresRole into the sql/ package's desired state. Pure; bad input throws naming the field. */
public final class RoleSpecs {
    private RoleSpecs() {}

    /** The spec's validation, in the one style of status/SpecValidator (the builders below refuse the same input). */
    public static final SpecValidator<PostgresRole> VALIDATOR = SpecValidator.fromBuilder(role -> {
        desired(role);
        grants(role);
    });

    public static String roleName(PostgresRole role) {
        return role.getSpec().getName() != null ? role.getSpec().getName() : role.getMetadata().getName();
    }

    public static DesiredRole desired(PostgresRole role) {
        PostgresRoleSpec spec = role.getSpec();
        Identifiers.require("spec.name", roleName(role));
        if (roleName(role).equals(ClusterNames.SUPERUSER) || roleName(role).equals(ClusterNames.REPLICATION_USER)
                || roleName(role).equals(io.shopdb.operator.access.PoolerNames.AUTH_ROLE) || roleName(role).startsWith("shopdb_mig_")) {
            // the cluster, its poolers and migrations own these: managing them here would take their rights or hijack them
            throw new InvalidFieldException("spec.name", roleName(role) + " is managed by the PostgresCluster itself; choose another name");
        }
        for (int i = 0; i < spec.getMemberOf().size(); i++) {
            Identifiers.require("spec.memberOf[" + i + "]", spec.getMemberOf().get(i));
            // fixed names only; RoleMemberships.problems asks the catalog about superuser and replication roles
            String refusal = RoleMemberships.refusal(spec.getMemberOf().get(i));
            if (refusal != null) {
                throw new InvalidFieldException("spec.memberOf[" + i + "]", refusal);
            }
        }
        if (spec.getPasswordSecretRef() != null && !Boolean.TRUE.equals(spec.getLogin())) {
            throw new InvalidFieldException("spec.passwordSecretRef", "needs login: true");
        }
        if (spec.getPasswordSecretRef() != null && spec.getClusterRef() != null && spec.getClusterRef().getName() != null) {
            // the cluster's own credentials would become this role's password, and land in its connection Secret
            String what = ClusterSecrets.of(spec.getClusterRef().getName()).get(spec.getPasswordSecretRef().getName());
            if (what != null) {
                throw new InvalidFieldException("spec.passwordSecretRef", what + " cannot be a role's password");
            }
        }
        try {
            return new DesiredRole(roleName(role), Boolean.TRUE.equals(spec.getLogin()), !Boolean.FALSE.equals(spec.getInherit()),
                    spec.getConnectionLimit(), spec.getValidUntil(), spec.getMemberOf());
        } catch (IllegalArgumentException e) {
            throw InvalidFieldException.at("spec", e);
        }
    }

    /** One DesiredGrants per database, in declaration order; two entries for one database are an error. */
    public static Map<String, DesiredGrants> grants(PostgresRole role) {
        String name = roleName(role);
        Map<String, DesiredGrants> byDatabase = new LinkedHashMap<>();
        List<GrantSpec> grants = role.getSpec().getGrants();
        for (int i = 0; i < grants.size(); i++) {
            GrantSpec g = grants.get(i);
            String field = "spec.grants[" + i + "]";
            Identifiers.require(field + ".database", g.getDatabase());
            if (byDatabase.containsKey(g.getDatabase())) {
                throw new InvalidFieldException(field + ".database", g.getDatabase() + " is listed twice; merge the entries");
            }
            List<DesiredGrants.OnSchema> schemas = new ArrayList<>();
            List<DesiredGrants.AllInSchema> all = new ArrayList<>();
            List<DesiredGrants.Defaults> defaults = new ArrayList<>();
            for (int j = 0; j < g.getSchemas().size(); j++) {
                GrantSpec.SchemaGrant s = g.getSchemas().get(j);
                Identifiers.require(field + ".schemas[" + j + "].name", s.getName());
                if (s.getName().startsWith("pg_") || s.getName().equals("information_schema")) {
                    throw new InvalidFieldException(field + ".schemas[" + j + "].name", s.getName()
                            + " is a system schema: its catalogs hold every role's password hash and the server's own functions");
                }
                schemas.add(new DesiredGrants.OnSchema(s.getName(), names(s.getPrivileges())));
                addAll(all, ObjectKind.TABLE, s.getName(), names(s.getTables()));
                addAll(all, ObjectKind.SEQUENCE, s.getName(), names(s.getSequences()));
                addAll(all, ObjectKind.FUNCTION, s.getName(), names(s.getFunctions()));
                for (int k = 0; k < s.getDefaultPrivileges().size(); k++) {
                    GrantSpec.DefaultPrivileges d = s.getDefaultPrivileges().get(k);
                    Identifiers.require(field + ".schemas[" + j + "].defaultPrivileges[" + k + "].forRole", d.getForRole());
                    addDefaults(defaults, d.getForRole(), s.getName(), ObjectKind.TABLE, names(d.getTables()));
                    addDefaults(defaults, d.getForRole(), s.getName(), ObjectKind.SEQUENCE, names(d.getSequences()));
                    addDefaults(defaults, d.getForRole(), s.getName(), ObjectKind.FUNCTION, names(d.getFunctions()));
                }
            }
            List<DesiredGrants.OnTable> tables = new ArrayList<>();
            for (int j = 0; j < g.getTables().size(); j++) {
                GrantSpec.TableGrant t = g.getTables().get(j);
                Identifiers.require(field + ".tables[" + j + "].schema", t.getSchema());
                Identifiers.require(field + ".tables[" + j + "].name", t.getName());
                tables.add(new DesiredGrants.OnTable(t.getSchema(), t.getName(), names(t.getPrivileges())));
            }
            try {
                byDatabase.put(g.getDatabase(), new DesiredGrants(name, names(g.getPrivileges()), schemas, all, tables, defaults));
            } catch (IllegalArgumentException e) {
                throw InvalidFieldException.at(field, e);
            }
        }
        return byDatabase;
    }

    private static void addAll(List<DesiredGrants.AllInSchema> all, ObjectKind kind, String schema, Set<String> privileges) {
        if (!privileges.isEmpty()) {
            all.add(new DesiredGrants.AllInSchema(kind, schema, privileges));
        }
    }

    private static void addDefaults(List<DesiredGrants.Defaults> defaults, String creator, String schema, ObjectKind kind, Set<String> privileges) {
        if (!privileges.isEmpty()) {
            defaults.add(new DesiredGrants.Defaults(creator, schema, kind, privileges));
        }
    }

    private static Set<String> names(List<? extends Enum<?>> privileges) {
        Set<String> out = new LinkedHashSet<>();
        if (privileges != null) {
            privileges.forEach(p -> out.add(p.name()));
        }
        return out;
    }
}
