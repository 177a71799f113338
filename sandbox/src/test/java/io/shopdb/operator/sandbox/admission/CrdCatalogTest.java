package io.shopdb.operator.sandbox.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrdCatalogTest {

    static Path crdDirectory() throws Exception {
        return Path.of(CrdCatalogTest.class.getResource("/admission/crds").toURI());
    }

    @Test
    void loadsCrdFilesOfADirectoryAndFindsByApiVersionAndKind() throws Exception {
        CrdCatalog catalog = CrdCatalog.fromDirectory(crdDirectory());

        CrdCatalog.CrdVersion found = catalog.find("test.shopdb.io/v1alpha1", "TestCluster").orElseThrow();
        assertEquals("testclusters.test.shopdb.io", found.crdName());
        assertEquals("test.shopdb.io/v1alpha1", found.apiVersion());
        assertTrue(found.statusSubresource());
        assertEquals("object", found.schema().get("type"));
        assertEquals(1, catalog.versions().size());

        assertTrue(catalog.find("test.shopdb.io/v1", "TestCluster").isEmpty());
        assertTrue(catalog.find("test.shopdb.io/v1alpha1", "Testcluster").isEmpty());
        assertTrue(catalog.find("v1", "ConfigMap").isEmpty());
        assertTrue(catalog.knowsKind("test.shopdb.io", "TestCluster"));
        assertFalse(catalog.knowsKind("shopdb.io", "TestCluster"));
    }

    @Test
    void skipsVersionsThatAreNotServed() {
        CrdCatalog catalog = CrdCatalog.fromYaml(crd("v1", false) + "\n---\n" + crd("v2", true));
        assertEquals(List.of("v2"), catalog.versions().stream().map(CrdCatalog.CrdVersion::version).toList());
        assertFalse(catalog.versions().get(0).statusSubresource());
    }

    @Test
    void refusesWhatIsNotAV1Crd(@TempDir Path dir) throws Exception {
        IllegalArgumentException notCrd = assertThrows(IllegalArgumentException.class,
                () -> CrdCatalog.fromYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"));
        assertEquals("document at line 1 is not an apiextensions.k8s.io/v1 CustomResourceDefinition",
                notCrd.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CrdCatalog.fromYaml(
                crd("v1", true).replace("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1")));
        IllegalArgumentException noSchema = assertThrows(IllegalArgumentException.class,
                () -> CrdCatalog.fromYaml(crd("v1", true).replace("openAPIV3Schema", "other")));
        assertEquals("CRD things.example.com version v1 has no schema.openAPIV3Schema", noSchema.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> CrdCatalog.fromDirectory(dir));
        assertEquals("no CRD files (*.yml, *.yaml) in " + dir, empty.getMessage());
    }

    private static String crd(String version, boolean served) {
        return """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: things.example.com}
                spec:
                  group: example.com
                  names: {kind: Thing, plural: things}
                  scope: Namespaced
                  versions:
                    - name: %s
                      served: %s
                      storage: true
                      schema:
                        openAPIV3Schema: {type: object}
                """.formatted(version, served);
    }
}
