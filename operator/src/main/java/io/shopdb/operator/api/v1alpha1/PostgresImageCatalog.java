package io.shopdb.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The PostgreSQL image of each major, for the clusters that name the catalog (spec.imageCatalogRef): a platform team
 * pins and rolls images in one place; a new image for a major is a minor update of every cluster at that major.
 * The operator writes only its status (the majors it lists).
 */
@Group("shopdb.io")
@Version("v1alpha1")
@Categories(Columns.CATEGORY)
@ShortNames("pgimages")
@AdditionalPrinterColumn(name = "Ready", jsonPath = Columns.READY, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = Columns.REASON, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Majors", jsonPath = ".status.majors", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = Columns.AGE, type = AdditionalPrinterColumn.Type.DATE)
public class PostgresImageCatalog extends CustomResource<PostgresImageCatalogSpec, PostgresImageCatalogStatus> implements Namespaced {
}
