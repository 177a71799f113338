package io.shopdb.operator.sql;

import java.util.Set;

/**
 * What {@link GrantCatalog#read} found in one database for one role.
 *
 * @param objects  every object in scope: the database, its non-system schemas and their tables, sequences
 *                 and functions (the inventory that "ALL TABLES IN SCHEMA" expands to)
 * @param owned    the subset the role owns: an owner holds everything implicitly, so nothing is granted or
 *                 revoked on these
 * @param held     privileges granted to the role (owner rights and PUBLIC grants excluded)
 * @param defaults default-ACL entries naming the role as grantee
 * @param roles    names of existing roles (to tell a missing default-privilege creator)
 */
public record ActualGrants(String role, String database, Set<ObjectRef> objects, Set<ObjectRef> owned,
                           Set<Held> held, Set<DefaultHeld> defaults, Set<String> roles) {

    public record Held(ObjectRef object, String privilege, boolean grantable) {}

    /** {@code schema} null is a database-wide entry (no IN SCHEMA). */
    public record DefaultHeld(String creator, String schema, ObjectKind kind, String privilege, boolean grantable) {}

    public ActualGrants {
        objects = Set.copyOf(objects);
        owned = Set.copyOf(owned);
        held = Set.copyOf(held);
        defaults = Set.copyOf(defaults);
        roles = Set.copyOf(roles);
    }
}
