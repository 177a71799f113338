package io.shopdb.operator.access;

import io.shopdb.operator.access.DatabaseSpecs;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.shopdb.operator.api.v1alpha1.LocalReference;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseSpec;
import io.shopdb.operator.status.SpecValidator.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PostgresDatabase validator refuses the server's own databases, by spec.name or by the metadata.name default. */
class DatabaseSpecsTest {

    @Test
    void theServersOwnDatabasesAreRefused() {
        for (String system : List.of("postgres", "template0", "template1")) {
            List<Violation> byName = DatabaseSpecs.VALIDATOR.validate(db("shop", system));
            assertEquals(1, byName.size(), system);
            assertEquals("spec.name", byName.get(0).field());
            assertTrue(byName.get(0).message().contains("one of the server's own databases (postgres, template0, template1)"), byName.get(0).message());

            List<Violation> byDefault = DatabaseSpecs.VALIDATOR.validate(db(system, null));
            assertEquals(1, byDefault.size(), system);
            assertTrue(byDefault.get(0).message().contains("defaults to metadata.name"), byDefault.get(0).message());
        }
    }

    @Test
    void otherNamesIncludingLookAlikesAreAccepted() {
        assertEquals(List.of(), DatabaseSpecs.VALIDATOR.validate(db("shop", null)));
        assertEquals(List.of(), DatabaseSpecs.VALIDATOR.validate(db("shop", "Postgres")), "quoted identifiers: another database");
        assertEquals(List.of(), DatabaseSpecs.VALIDATOR.validate(db("shop", "postgres_restored")));
    }

    private static PostgresDatabase db(String metadataName, String specName) {
        var spec = new PostgresDatabaseSpec();
        spec.setClusterRef(new LocalReference("shop-db"));
        spec.setOwner("shop_owner");
        spec.setName(specName);
        var db = new PostgresDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(metadataName).withNamespace("ns").build());
        db.setSpec(spec);
        return db;
    }
}
