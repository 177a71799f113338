package io.shopdb.operator.database;

import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.sql.ActualDatabase;
import io.shopdb.operator.sql.SystemDatabases;

/**
 * What deleting a PostgresDatabase does to its database, as a pure function. A database is dropped only when all of
 * these hold: reclaimPolicy Delete, this resource is the claim's owner, and this resource created it (status
 * createdByOperator, set when its CREATE DATABASE ran). A database that existed before (adopted: made by hand, by a
 * restore, by another resource since deleted with Retain) is kept with a Warning Event, and the server's own
 * databases (postgres, template0, template1) are never dropped, whatever the status says.
 */
public final class DatabaseReclaim {
    /** The Warning Event's reason when an adopted database is kept despite reclaimPolicy Delete. */
    public static final String ADOPTED_REASON = "AdoptedDatabaseKept";

    public enum Decision {
        /** reclaimPolicy Retain: kept, a Normal Event says so. */
        RETAIN,
        /** Another PostgresDatabase owns the claim: this one never managed the database; nothing to say. */
        NOT_OWNER,
        /** reclaimPolicy Delete on a database this resource did not create: kept, a Warning Event says so. */
        KEEP_ADOPTED,
        /** reclaimPolicy Delete on a database this resource created: dropped. */
        DROP
    }

    private DatabaseReclaim() {}

    public static Decision onDelete(ReclaimPolicy policy, boolean claimOwner, String database, PostgresDatabaseStatus status) {
        if (policy != ReclaimPolicy.Delete) {
            return Decision.RETAIN;
        }
        if (!claimOwner) {
            return Decision.NOT_OWNER;
        }
        boolean created = status != null && Boolean.TRUE.equals(status.getCreatedByOperator());
        return created && !SystemDatabases.is(database) ? Decision.DROP : Decision.KEEP_ADOPTED;
    }

    /**
     * Call after the database plan ran without error: {@code before} is what the plan was made from, and null there
     * means the plan was CREATE DATABASE (DatabasePlan.plan), so this resource created the database. Never clears
     * the mark: a later reconcile finds the database and must not forget who made it.
     */
    public static void recordCreated(PostgresDatabaseStatus status, ActualDatabase before) {
        if (before == null) {
            status.setCreatedByOperator(true);
        }
    }

    public static String adoptedMessage(String database) {
        return "Database " + database + " was not created by this PostgresDatabase (adopted): it is kept despite reclaimPolicy Delete";
    }
}
