package io.shopdb.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Moves a running cluster to a new PostgreSQL major with the shop open: a new cluster at that major fills by logical
 * replication, catches up, and takes over the old cluster's Services at a short cutover.
 */
@Group("shopdb.io")
@Version("v1alpha1")
@Categories(Columns.CATEGORY)
@ShortNames("pgupgrade")
@AdditionalPrinterColumn(name = "Ready", jsonPath = Columns.READY, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = Columns.REASON, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Source", jsonPath = ".spec.source.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Target", jsonPath = ".spec.target.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Lag", jsonPath = ".status.lagBytes", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Pause", jsonPath = ".status.writePause", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = Columns.AGE, type = AdditionalPrinterColumn.Type.DATE)
public class PostgresMajorUpgrade extends CustomResource<PostgresMajorUpgradeSpec, PostgresMajorUpgradeStatus> implements Namespaced {
}
