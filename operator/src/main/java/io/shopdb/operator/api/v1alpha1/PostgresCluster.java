package io.shopdb.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A PostgreSQL server: managed instances run by the operator, or an external server it adopts. */
@Group("shopdb.io")
@Version("v1alpha1")
@Categories(Columns.CATEGORY)
@ShortNames("pgc")
@AdditionalPrinterColumn(name = "Ready", jsonPath = Columns.READY, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = Columns.REASON, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Instances", jsonPath = ".status.instances", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Primary", jsonPath = ".status.primary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.serverVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".status.mode", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Storage", jsonPath = ".spec.storage.size", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = Columns.AGE, type = AdditionalPrinterColumn.Type.DATE)
public class PostgresCluster extends CustomResource<PostgresClusterSpec, PostgresClusterStatus> implements Namespaced {
}
