package io.shopdb.operator.sql;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Pure plan for a role's attributes and memberships. Differences become one ALTER ROLE (so a status shows
 * one line per role change) and one GRANT/REVOKE per membership. Passwords are not part of a plan: they
 * are set by {@link RoleCatalog#ensurePassword} with client-side SCRAM and never appear in a statement.
 *
 * <p>Membership drift covers the roles this role is a member of. Who is a member of this role is the other
 * roles' business (their own declarations). On PostgreSQL 16+, where one membership can be granted by several
 * grantors, a plain REVOKE removes only the grant made as the operator's user; a membership granted by
 * another role with ADMIN OPTION would stay and be re-planned.
 */
public final class RolePlan {
    private RolePlan() {}

    /** {@code actual} null: the role does not exist yet. */
    public static List<SqlStep> plan(DesiredRole desired, ActualRole actual) {
        String name = desired.name();
        List<SqlStep> steps = new ArrayList<>();
        Instant validUntil = desired.validUntilInstant();
        if (actual == null) {
            List<String> options = new ArrayList<>();
            options.add(desired.login() ? "LOGIN" : "NOLOGIN");
            options.add(desired.inherit() ? "INHERIT" : "NOINHERIT");
            if (desired.connectionLimit() != -1) {
                options.add("CONNECTION LIMIT " + desired.connectionLimit());
            }
            steps.add(roleStep("CREATE ROLE ", name, options, validUntil == null ? null : validUntil.toString()));
            for (String parent : desired.memberOf()) {
                steps.add(grant(parent, name));
            }
            return List.copyOf(steps);
        }
        if (!actual.name().equals(name)) {
            throw new IllegalArgumentException("desired and actual are different roles");
        }
        if (actual.protectedRole()) {
            throw new IllegalStateException("role " + name
                    + " is the bootstrap superuser, a reserved pg_ role or the operator's own login; it is not managed");
        }
        List<String> options = new ArrayList<>();
        if (actual.login() != desired.login()) {
            options.add(desired.login() ? "LOGIN" : "NOLOGIN");
        }
        if (actual.inherit() != desired.inherit()) {
            options.add(desired.inherit() ? "INHERIT" : "NOINHERIT");
        }
        if (actual.connectionLimit() != desired.connectionLimit()) {
            options.add("CONNECTION LIMIT " + desired.connectionLimit());
        }
        // powers this API never gives are drift: take them back
        if (actual.superuser()) {
            options.add("NOSUPERUSER");
        }
        if (actual.createDb()) {
            options.add("NOCREATEDB");
        }
        if (actual.createRole()) {
            options.add("NOCREATEROLE");
        }
        if (actual.replication()) {
            options.add("NOREPLICATION");
        }
        if (actual.bypassRls()) {
            options.add("NOBYPASSRLS");
        }
        boolean validityDiffers = !Objects.equals(actual.validUntil(), validUntil);
        if (!options.isEmpty() || validityDiffers) {
            // 'infinity' is how PostgreSQL spells "never expires" once a date was set
            String validity = !validityDiffers ? null : validUntil == null ? "infinity" : validUntil.toString();
            steps.add(roleStep("ALTER ROLE ", name, options, validity));
        }
        for (String parent : new TreeSet<>(actual.memberOf())) {
            if (!desired.memberOf().contains(parent)) {
                steps.add(new SqlStep("REVOKE " + parent + " FROM " + name,
                        "REVOKE " + Identifiers.quote(parent) + " FROM " + Identifiers.quote(name)));
            }
        }
        for (String parent : desired.memberOf()) {
            if (!actual.memberOf().contains(parent)) {
                steps.add(grant(parent, name));
            }
        }
        return List.copyOf(steps);
    }

    /** {@code validUntil}: an Instant's ISO-8601 form or "infinity"; null leaves the clause out. */
    private static SqlStep roleStep(String verb, String name, List<String> options, String validUntil) {
        StringBuilder sql = new StringBuilder(verb).append(Identifiers.quote(name));
        StringBuilder text = new StringBuilder(verb).append(name);
        if (!options.isEmpty() || validUntil != null) {
            sql.append(" WITH");
            text.append(" WITH");
        }
        for (String option : options) {
            sql.append(' ').append(option);
            text.append(' ').append(option);
        }
        if (validUntil != null) {
            // Instant.toString is ISO-8601 in UTC (2030-01-01T00:00:00Z), which PostgreSQL reads as timestamptz
            // whatever the session's TimeZone is
            sql.append(" VALID UNTIL ").append(Literals.quote(validUntil));
            text.append(" VALID UNTIL '").append(validUntil).append('\'');
        }
        return new SqlStep(text.toString(), sql.toString());
    }

    private static SqlStep grant(String parent, String name) {
        return new SqlStep("GRANT " + parent + " TO " + name,
                "GRANT " + Identifiers.quote(parent) + " TO " + Identifiers.quote(name));
    }
}
