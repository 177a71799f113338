package io.shopdb.operator.access;

import io.shopdb.operator.sql.InvalidFieldException;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresDatabaseSpec;
import io.shopdb.operator.sql.DesiredDatabase;
import io.shopdb.operator.sql.Identifiers;
import io.shopdb.operator.sql.SystemDatabases;
import io.shopdb.operator.status.SpecValidator;

import java.util.ArrayList;
import java.util.List;

/** Turns a PostgresDatabase into the sql/ package's desired state. Pure; throws with a field name on bad input. */
public final class DatabaseSpecs {
    private DatabaseSpecs() {}

    /** The spec's validation, in the one style of status/SpecValidator (desired() refuses the same input). */
    public static final SpecValidator<PostgresDatabase> VALIDATOR = SpecValidator.fromBuilder(DatabaseSpecs::desired);

    public static String databaseName(PostgresDatabase db) {
        return db.getSpec().getName() != null ? db.getSpec().getName() : db.getMetadata().getName();
    }

    public static DesiredDatabase desired(PostgresDatabase db) {
        PostgresDatabaseSpec spec = db.getSpec();
        Identifiers.require("spec.name", databaseName(db));
        String system = SystemDatabases.problem(databaseName(db));
        if (system != null) {
            // metadata.name is the default: a PostgresDatabase called postgres would adopt (and could drop) the server's own
            throw new InvalidFieldException("spec.name", system + (db.getSpec().getName() == null ? " (spec.name defaults to metadata.name)" : ""));
        }
        Identifiers.require("spec.owner", spec.getOwner());
        List<DesiredDatabase.DesiredSchema> schemas = new ArrayList<>();
        for (int i = 0; i < spec.getSchemas().size(); i++) {
            var s = spec.getSchemas().get(i);
            Identifiers.require("spec.schemas[" + i + "].name", s.getName());
            schemas.add(new DesiredDatabase.DesiredSchema(s.getName(), s.getOwner(), s.getEnsure() == PostgresDatabaseSpec.Ensure.absent));
        }
        List<DesiredDatabase.DesiredExtension> extensions = new ArrayList<>();
        for (int i = 0; i < spec.getExtensions().size(); i++) {
            var e = spec.getExtensions().get(i);
            Identifiers.require("spec.extensions[" + i + "].name", e.getName());
            extensions.add(new DesiredDatabase.DesiredExtension(e.getName(), e.getVersion(), e.getSchema(),
                    e.getEnsure() == PostgresDatabaseSpec.Ensure.absent));
        }
        try {
            return new DesiredDatabase(databaseName(db), spec.getOwner(), spec.getEncoding(), spec.getLocale(), spec.getTemplate(), schemas, extensions);
        } catch (IllegalArgumentException e) {
            throw InvalidFieldException.at("spec", e);
        }
    }
}
