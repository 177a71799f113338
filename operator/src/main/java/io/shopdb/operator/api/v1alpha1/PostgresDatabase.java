package io.shopdb.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A database on a PostgresCluster, with its owner, schemas and extensions. */
@Group("shopdb.io")
@Version("v1alpha1")
@Categories(Columns.CATEGORY)
@ShortNames("pgdb")
@AdditionalPrinterColumn(name = "Ready", jsonPath = Columns.READY, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = Columns.REASON, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Database", jsonPath = ".status.databaseName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.clusterRef.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Owner", jsonPath = ".status.owner", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Size", jsonPath = ".status.sizeBytes", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = Columns.AGE, type = AdditionalPrinterColumn.Type.DATE)
public class PostgresDatabase extends CustomResource<PostgresDatabaseSpec, PostgresDatabaseStatus> implements Namespaced {
}
