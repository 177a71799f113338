package io.shopdb.operator.database;

import io.shopdb.operator.api.v1alpha1.PostgresDatabaseStatus;
import io.shopdb.operator.api.v1alpha1.ReclaimPolicy;
import io.shopdb.operator.database.DatabaseReclaim.Decision;
import io.shopdb.operator.sql.ActualDatabase;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deleting a PostgresDatabase drops its database only under Delete, as the claim's owner, and only one it created. */
class DatabaseReclaimTest {
    private static final ActualDatabase EXISTING = new ActualDatabase("shop", "shop_owner", "UTF8", "C", "C");

    @Test
    void onlyADatabaseThisResourceCreatedIsDropped() {
        assertEquals(Decision.DROP, DatabaseReclaim.onDelete(ReclaimPolicy.Delete, true, "shop", created(true)));
        assertEquals(Decision.KEEP_ADOPTED, DatabaseReclaim.onDelete(ReclaimPolicy.Delete, true, "shop", created(null)));
        assertEquals(Decision.KEEP_ADOPTED, DatabaseReclaim.onDelete(ReclaimPolicy.Delete, true, "shop", created(false)));
        assertEquals(Decision.KEEP_ADOPTED, DatabaseReclaim.onDelete(ReclaimPolicy.Delete, true, "shop", null), "never reconciled");
    }

    @Test
    void retainAndAConflictingClaimantNeverDrop() {
        assertEquals(Decision.RETAIN, DatabaseReclaim.onDelete(ReclaimPolicy.Retain, true, "shop", created(true)));
        assertEquals(Decision.RETAIN, DatabaseReclaim.onDelete(null, true, "shop", created(true)));
        assertEquals(Decision.NOT_OWNER, DatabaseReclaim.onDelete(ReclaimPolicy.Delete, false, "shop", created(true)));
    }

    @Test
    void theServersOwnDatabasesAreNeverDroppedWhateverTheStatusSays() {
        for (String system : new String[] {"postgres", "template0", "template1"}) {
            assertEquals(Decision.KEEP_ADOPTED, DatabaseReclaim.onDelete(ReclaimPolicy.Delete, true, system, created(true)), system);
        }
    }

    @Test
    void creationIsRecordedOnlyWhenThePlanWasCreateDatabaseAndNeverForgotten() {
        var status = new PostgresDatabaseStatus();
        DatabaseReclaim.recordCreated(status, EXISTING);
        assertNull(status.getCreatedByOperator(), "an existing database is adopted, not created");
        DatabaseReclaim.recordCreated(status, null);
        assertEquals(Boolean.TRUE, status.getCreatedByOperator());
        DatabaseReclaim.recordCreated(status, EXISTING);
        assertEquals(Boolean.TRUE, status.getCreatedByOperator(), "a later reconcile finds it and keeps the mark");
    }

    @Test
    void theWarningNamesTheDatabaseAndSaysItIsKept() {
        String m = DatabaseReclaim.adoptedMessage("legacy");
        assertTrue(m.startsWith("Database legacy was not created by this PostgresDatabase (adopted): it is kept"), m);
    }

    private static PostgresDatabaseStatus created(Boolean created) {
        var s = new PostgresDatabaseStatus();
        s.setCreatedByOperator(created);
        return s;
    }
}
