package io.shopdb.operator.cluster;

import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import io.shopdb.operator.api.v1alpha1.PostgresImageCatalog;
import io.shopdb.operator.status.Outcome;

/**
 * spec.imageCatalogRef: the catalog's image for the cluster's major, recorded in status.catalogImage, which the
 * StatefulSet builder reads. A cluster whose image was never resolved waits for the catalog (no pod starts on a guess);
 * one that runs keeps the image it recorded while its catalog is missing or lacks its major, so a deleted catalog rolls
 * nothing.
 */
final class ImageCatalogs {
    static final String WAITING = "WaitingForImageCatalog";

    private ImageCatalogs() {}

    /** Null to go on; else what to report (the first resolution re-reconciles at once, built with the recorded image). */
    static Outcome resolve(PostgresCluster c, PostgresClusterStatus status, PostgresImageCatalog catalog) {
        var ref = c.getSpec().getImageCatalogRef();
        if (ref == null || c.getSpec().getImage() != null) {
            status.setCatalogImage(null); // spec.image wins: no catalog needed
            return null;
        }
        String major = c.getSpec().getPostgresVersion();
        String image = catalog == null || catalog.getSpec() == null ? null : catalog.getSpec().imageOf(major);
        String recorded = c.getStatus() == null ? null : c.getStatus().getCatalogImage();
        if (image == null) {
            String why = catalog == null ? "PostgresImageCatalog " + ref.getName() + " (spec.imageCatalogRef) does not exist"
                    : "PostgresImageCatalog " + ref.getName() + " has no image for PostgreSQL " + major;
            if (recorded == null && status.getCurrentPrimary() == null) {
                return Outcome.waitingForEvent(WAITING, why + "; no instance starts until it has");
            }
            return null; // a running cluster keeps the image it runs (status.catalogImage, or the default it started with)
        }
        status.setCatalogImage(image);
        if (!image.equals(recorded)) {
            // the StatefulSet is built from the recorded status: record it first, build with it in a moment
            return Outcome.reconciling(WAITING, "Resolved " + image + " from PostgresImageCatalog " + ref.getName() + " for PostgreSQL " + major);
        }
        return null;
    }
}
