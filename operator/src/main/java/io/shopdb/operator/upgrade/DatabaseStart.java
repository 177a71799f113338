package io.shopdb.operator.upgrade;

import io.shopdb.operator.sql.DatabaseCatalog;
import io.shopdb.operator.sql.LogicalCopy;
import io.shopdb.operator.sql.PgConnections;
import io.shopdb.operator.sql.PgEndpoint;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A database whose copy was cut short (the operator restarted before recording it) starts over: its subscription on
 * the target is dropped (without its slot, which is dropped on the source), then the database. Also the cleanup of an
 * upgrade deleted before its cutover, database by database.
 */
final class DatabaseStart {
    private DatabaseStart() {}

    static void over(Connection tgt, PgEndpoint sourceAdmin, PgEndpoint targetAdmin, LogicalCopy.SourceDatabase db) throws SQLException {
        if (DatabaseCatalog.exists(tgt, db.name())) {
            try (Connection tgtDb = PgConnections.open(targetAdmin.withDatabase(db.name()), 5, 60)) {
                LogicalCopy.dropSubscription(tgtDb, db.subscription());
            }
            LogicalCopy.dropDatabase(tgt, db.name());
        }
        try (Connection srcDb = PgConnections.open(sourceAdmin.withDatabase(db.name()), 5, 60)) {
            LogicalCopy.dropSlot(srcDb, db.subscription());
        }
    }
}
