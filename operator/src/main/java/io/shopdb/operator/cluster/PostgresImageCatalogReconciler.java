package io.shopdb.operator.cluster;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.api.v1alpha1.PostgresImageCatalog;
import io.shopdb.operator.api.v1alpha1.PostgresImageCatalogSpec;
import io.shopdb.operator.api.v1alpha1.PostgresImageCatalogStatus;
import io.shopdb.operator.status.Outcome;
import io.shopdb.operator.status.Reasons;
import io.shopdb.operator.status.StatusWriter;
import jakarta.inject.Inject;

import java.util.stream.Collectors;

/**
 * PostgresImageCatalog: the status contract every kind keeps (Ready, observedGeneration) and the majors it lists. What
 * a catalog does happens in the clusters that name it (ImageCatalogs); its schema and CEL refuse a bad one.
 */
@ControllerConfiguration(name = "postgresimagecatalog")
public class PostgresImageCatalogReconciler implements Reconciler<PostgresImageCatalog> {
    @Inject StatusWriter statusWriter;

    @Override
    public UpdateControl<PostgresImageCatalog> reconcile(PostgresImageCatalog catalog, Context<PostgresImageCatalog> context) {
        return statusWriter.run(catalog, context, PostgresImageCatalogStatus::new, status -> {
            String majors = catalog.getSpec().getImages().stream().map(PostgresImageCatalogSpec.Entry::getMajor).sorted()
                    .collect(Collectors.joining(", "));
            status.setMajors(majors);
            return Outcome.ready(Reasons.READY, "Images for PostgreSQL " + majors);
        });
    }
}
