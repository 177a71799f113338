package io.shopdb.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.CustomResource;
import io.shopdb.operator.api.v1alpha1.PostgresBackup;
import io.shopdb.operator.api.v1alpha1.PostgresBackupSchedule;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresMigration;
import io.shopdb.operator.api.v1alpha1.PostgresPooler;
import io.shopdb.operator.api.v1alpha1.PostgresMajorUpgrade;
import io.shopdb.operator.api.v1alpha1.PostgresImageCatalog;
import io.shopdb.operator.api.v1alpha1.PostgresRestore;
import io.shopdb.operator.api.v1alpha1.PostgresRole;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build-time post-processing of the generated CRDs (quarkus.operator-sdk.crd.post-processor, and
 * CrdsUpToDateTest): puts each kind's additionalPrinterColumns back in the order its annotations declare
 * them. fabric8's generator sorts columns by JSONPath, which would print Age (.metadata...) first; kubectl
 * prints them in the CRD's order, and users expect Ready and Reason first and Age last.
 */
public final class PrinterColumnOrder implements CRDPostProcessor {

    /** Every kind of the API, as generated into crds/. */
    public static final List<Class<? extends CustomResource<?, ?>>> KINDS = List.of(PostgresCluster.class,
            PostgresDatabase.class, PostgresRole.class, PostgresMigration.class, PostgresBackup.class,
            PostgresBackupSchedule.class, PostgresRestore.class, PostgresPooler.class, PostgresMajorUpgrade.class, PostgresImageCatalog.class);

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition definition) {
            String kind = definition.getSpec().getNames().getKind();
            KINDS.stream().filter(k -> k.getSimpleName().equals(kind)).findFirst().ifPresent(type -> {
                List<String> declared = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                        .map(AdditionalPrinterColumn::name).toList();
                for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
                    if (version.getAdditionalPrinterColumns() != null) {
                        version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(
                                (CustomResourceColumnDefinition c) -> declared.indexOf(c.getName())));
                    }
                }
            });
        }
        return crd;
    }
}
