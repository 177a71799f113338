package io.shopdb.operator.sql;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A role as declared. Attributes that give power over the server (SUPERUSER, CREATEDB, CREATEROLE,
 * REPLICATION, BYPASSRLS) cannot be declared at all; a role found with any of them is reset by the plan.
 *
 * @param connectionLimit null or -1: unlimited
 * @param validUntil      ISO-8601 timestamp with offset (e.g. 2030-01-01T00:00:00Z); null or "infinity": never expires
 * @param memberOf        roles this role is a member of; memberships not listed are revoked
 */
public record DesiredRole(String name, boolean login, boolean inherit, Integer connectionLimit, String validUntil,
                          List<String> memberOf) {

    public DesiredRole {
        requireName(name);
        if (name.startsWith("pg_")) {
            throw new IllegalArgumentException("role names starting with pg_ are reserved by PostgreSQL");
        }
        connectionLimit = connectionLimit == null ? -1 : connectionLimit;
        if (connectionLimit < -1) {
            throw new IllegalArgumentException("connectionLimit must be -1 (unlimited) or more");
        }
        if (validUntil != null && validUntil.strip().toLowerCase(Locale.ROOT).equals("infinity")) {
            validUntil = null;
        }
        if (validUntil != null) {
            parse(validUntil);
        }
        TreeSet<String> parents = new TreeSet<>();
        for (String parent : memberOf == null ? List.<String>of() : memberOf) {
            requireName(parent);
            if (parent.equals(name)) {
                throw new IllegalArgumentException("a role cannot be a member of itself");
            }
            parents.add(parent);
        }
        memberOf = List.copyOf(parents);
    }

    /** The expiry as the server stores it (microseconds), or null for never. */
    public Instant validUntilInstant() {
        return validUntil == null ? null : parse(validUntil);
    }

    private static Instant parse(String timestamp) {
        try {
            return OffsetDateTime.parse(timestamp.strip()).toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("validUntil must be an ISO-8601 timestamp with an offset, e.g. 2030-01-01T00:00:00Z");
        }
    }

    private static void requireName(String name) {
        String problem = Identifiers.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid role name: " + problem);
        }
    }
}
