package io.shopdb.operator.sql;

import io.shopdb.operator.sql.ActualGrants.DefaultHeld;
import io.shopdb.operator.sql.ActualGrants.Held;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Declared grants kept exactly: a pure function of (desired, actual) returning the GRANT/REVOKE statements
 * that make the role's privileges in one database equal the declaration.
 *
 * <p>Scope of drift (what the plan may revoke), inside the database being managed:
 * <ul>
 *   <li>the role's privileges on the database itself;</li>
 *   <li>on every non-system schema of the database (all but pg_* and information_schema), not only the
 *       schemas the declaration mentions: a role's privileges within a managed database are whatever it
 *       declares there, so a hand-made GRANT on a schema nobody declared is drift too;</li>
 *   <li>on the tables, views, sequences and functions in those schemas;</li>
 *   <li>default-ACL entries (tables, sequences, functions) naming the role as grantee, in any schema or
 *       database-wide.</li>
 * </ul>
 * Never touched: rights the role has as an object's owner (not grants; a declared grant on an owned object is
 * skipped too), grants to PUBLIC (they belong to every role; manage them on the database, not per role),
 * column-level privileges, privileges in other databases and on shared objects other than this database,
 * and default ACLs for types and schemas.
 *
 * <p>Declared objects that do not exist yet (a table a migration has not created, a creator role not made
 * yet) are left out of the plan and reported by {@link #unresolved}, so the rest still converges.
 */
public final class GrantPlan {
    private static final Comparator<ObjectRef> OBJECT_ORDER = Comparator.comparing(ObjectRef::sortKey);

    private GrantPlan() {}

    public static List<SqlStep> plan(DesiredGrants desired, ActualGrants actual) {
        requireSameRole(desired, actual);
        String role = desired.role();
        List<SqlStep> steps = new ArrayList<>();

        Map<ObjectRef, Set<String>> want = expand(desired, actual, null);
        Map<ObjectRef, Map<String, Boolean>> have = new TreeMap<>(OBJECT_ORDER);
        for (Held h : actual.held()) {
            have.computeIfAbsent(h.object(), k -> new HashMap<>()).merge(h.privilege(), h.grantable(), Boolean::logicalOr);
        }
        Set<ObjectRef> all = new TreeSet<>(OBJECT_ORDER);
        all.addAll(want.keySet());
        all.addAll(have.keySet());
        for (ObjectRef object : all) {
            Set<String> wanted = want.getOrDefault(object, Set.of());
            Map<String, Boolean> held = have.getOrDefault(object, Map.of());
            Diff d = Diff.of(wanted, held, object.kind().order());
            if (!d.revoke().isEmpty()) {
                steps.add(change("REVOKE ", d.revoke(), object.sql(), object.text(), " FROM ", role));
            }
            if (!d.revokeOption().isEmpty()) {
                steps.add(change("REVOKE GRANT OPTION FOR ", d.revokeOption(), object.sql(), object.text(), " FROM ", role));
            }
            if (!d.grant().isEmpty()) {
                steps.add(change("GRANT ", d.grant(), object.sql(), object.text(), " TO ", role));
            }
        }
        planDefaults(desired, actual, steps);
        return List.copyOf(steps);
    }

    /** Declared grants that cannot be planned now because their object or creator role does not exist. */
    public static List<String> unresolved(DesiredGrants desired, ActualGrants actual) {
        List<String> missing = new ArrayList<>();
        expand(desired, actual, missing);
        for (DesiredGrants.Defaults d : desired.defaults()) {
            if (!actual.roles().contains(d.creator())) {
                missing.add("role " + d.creator() + " (creator in default privileges) does not exist");
            }
        }
        return missing.stream().distinct().toList();
    }

    /** The declaration as concrete (object, privileges) pairs over the objects that exist now. */
    private static Map<ObjectRef, Set<String>> expand(DesiredGrants desired, ActualGrants actual, List<String> missing) {
        Map<ObjectRef, Set<String>> want = new HashMap<>();
        add(want, actual, ObjectRef.database(actual.database()), desired.database(), missing);
        for (DesiredGrants.OnSchema s : desired.schemas()) {
            add(want, actual, ObjectRef.schema(s.schema()), s.privileges(), missing);
        }
        for (DesiredGrants.AllInSchema a : desired.allInSchema()) {
            if (!actual.objects().contains(ObjectRef.schema(a.schema())) && missing != null) {
                missing.add("SCHEMA " + a.schema() + " does not exist");
            }
            for (ObjectRef o : actual.objects()) {
                if (o.kind() == a.kind() && a.schema().equals(o.schema())) {
                    add(want, actual, o, a.privileges(), missing);
                }
            }
        }
        for (DesiredGrants.OnTable t : desired.tables()) {
            add(want, actual, ObjectRef.table(t.schema(), t.table()), t.privileges(), missing);
        }
        return want;
    }

    private static void add(Map<ObjectRef, Set<String>> want, ActualGrants actual, ObjectRef object,
                            Set<String> privileges, List<String> missing) {
        if (privileges.isEmpty() || actual.owned().contains(object)) {
            return;
        }
        if (!actual.objects().contains(object)) {
            if (missing != null) {
                missing.add(object.text() + " does not exist");
            }
            return;
        }
        want.computeIfAbsent(object, k -> new TreeSet<>(object.kind().order())).addAll(privileges);
    }

    private record DefaultKey(String creator, String schema, ObjectKind kind) {
        String sortKey() { return creator + "\u0000" + (schema == null ? "" : schema) + "\u0000" + kind.ordinal(); }
    }

    private static void planDefaults(DesiredGrants desired, ActualGrants actual, List<SqlStep> steps) {
        String role = desired.role();
        Map<DefaultKey, Set<String>> want = new HashMap<>();
        for (DesiredGrants.Defaults d : desired.defaults()) {
            boolean schemaExists = d.schema() == null || actual.objects().contains(ObjectRef.schema(d.schema()));
            // objects a role creates are its own, so default grants from a role to itself are meaningless
            if (d.privileges().isEmpty() || d.creator().equals(role) || !actual.roles().contains(d.creator()) || !schemaExists) {
                continue;
            }
            want.computeIfAbsent(new DefaultKey(d.creator(), d.schema(), d.kind()), k -> new TreeSet<>()).addAll(d.privileges());
        }
        Map<DefaultKey, Map<String, Boolean>> have = new HashMap<>();
        for (DefaultHeld h : actual.defaults()) {
            have.computeIfAbsent(new DefaultKey(h.creator(), h.schema(), h.kind()), k -> new HashMap<>())
                    .merge(h.privilege(), h.grantable(), Boolean::logicalOr);
        }
        Set<DefaultKey> keys = new TreeSet<>(Comparator.comparing(DefaultKey::sortKey));
        keys.addAll(want.keySet());
        keys.addAll(have.keySet());
        for (DefaultKey k : keys) {
            Set<String> wanted = want.getOrDefault(k, Set.of());
            Map<String, Boolean> held = have.getOrDefault(k, Map.of());
            Diff d = Diff.of(wanted, held, k.kind().order());
            String sqlHead = "ALTER DEFAULT PRIVILEGES FOR ROLE " + Identifiers.quote(k.creator())
                    + (k.schema() == null ? "" : " IN SCHEMA " + Identifiers.quote(k.schema())) + " ";
            String textHead = "ALTER DEFAULT PRIVILEGES FOR ROLE " + k.creator()
                    + (k.schema() == null ? "" : " IN SCHEMA " + k.schema()) + " ";
            String target = k.kind().defaultsKeyword();
            if (!d.revoke().isEmpty()) {
                steps.add(prefixed(sqlHead, textHead, change("REVOKE ", d.revoke(), target, target, " FROM ", role)));
            }
            if (!d.revokeOption().isEmpty()) {
                steps.add(prefixed(sqlHead, textHead, change("REVOKE GRANT OPTION FOR ", d.revokeOption(), target, target, " FROM ", role)));
            }
            if (!d.grant().isEmpty()) {
                steps.add(prefixed(sqlHead, textHead, change("GRANT ", d.grant(), target, target, " TO ", role)));
            }
        }
    }

    /**
     * Declared versus held privileges on one object (or one default-ACL entry): what to revoke, what to keep
     * but without grant option (declared grants never carry WITH GRANT OPTION), and what to grant.
     */
    record Diff(Set<String> revoke, Set<String> revokeOption, Set<String> grant) {
        static Diff of(Set<String> wanted, Map<String, Boolean> held, Comparator<String> order) {
            Set<String> revoke = new TreeSet<>(order);
            Set<String> revokeOption = new TreeSet<>(order);
            Set<String> grant = new TreeSet<>(order);
            held.forEach((p, grantable) -> {
                if (!wanted.contains(p)) {
                    revoke.add(p);
                } else if (grantable) {
                    revokeOption.add(p);
                }
            });
            wanted.stream().filter(p -> !held.containsKey(p)).forEach(grant::add);
            return new Diff(revoke, revokeOption, grant);
        }
    }

    private static SqlStep change(String verb, Set<String> privileges, String objectSql, String objectText,
                                  String preposition, String role) {
        for (String p : privileges) {
            // privileges come from ObjectKind lists or the server's aclexplode keywords; keep it that way
            if (!p.matches("[A-Z]+")) {
                throw new IllegalArgumentException("not a privilege keyword");
            }
        }
        String list = String.join(", ", privileges);
        return new SqlStep(verb + list + " ON " + objectText + preposition + role,
                verb + list + " ON " + objectSql + preposition + Identifiers.quote(role));
    }

    private static SqlStep prefixed(String sqlHead, String textHead, SqlStep step) {
        return new SqlStep(textHead + step.description(), sqlHead + step.sql());
    }

    private static void requireSameRole(DesiredGrants desired, ActualGrants actual) {
        if (!Objects.equals(desired.role(), actual.role())) {
            throw new IllegalArgumentException("desired and actual grants are for different roles");
        }
    }
}
