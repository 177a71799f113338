package io.shopdb.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Backups on a cron schedule, with retention and restore drills. */
@Group("shopdb.io")
@Version("v1alpha1")
@Categories(Columns.CATEGORY)
@ShortNames("pgbaksched")
@AdditionalPrinterColumn(name = "Ready", jsonPath = Columns.READY, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = Columns.REASON, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last Backup", jsonPath = ".status.lastSuccessfulBackup.time", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Next", jsonPath = ".status.nextScheduleTime", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.clusterRef.name", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Suspended", jsonPath = ".spec.suspend", type = AdditionalPrinterColumn.Type.BOOLEAN, priority = 1)
@AdditionalPrinterColumn(name = "Last Backup Name", jsonPath = ".status.lastSuccessfulBackup.name", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = Columns.AGE, type = AdditionalPrinterColumn.Type.DATE)
public class PostgresBackupSchedule extends CustomResource<PostgresBackupScheduleSpec, PostgresBackupScheduleStatus> implements Namespaced {
}
