package io.shopdb.operator.sql;

import java.time.Instant;
import java.util.Set;

/**
 * A role as pg_roles and pg_auth_members show it.
 *
 * @param validUntil null when the role never expires
 * @param memberOf   roles it is a direct member of
 * @param protectedRole the bootstrap superuser, a pg_ role or the operator's own login: never managed
 */
public record ActualRole(String name, boolean login, boolean inherit, int connectionLimit, Instant validUntil,
                         Set<String> memberOf, boolean superuser, boolean createDb, boolean createRole,
                         boolean replication, boolean bypassRls, boolean protectedRole) {

    public ActualRole {
        memberOf = Set.copyOf(memberOf);
    }
}
