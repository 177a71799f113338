package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kubelet's rules for the mode of projected Secret/ConfigMap files, which decide whether PostgreSQL accepts a key. */
class VolumeFilesTest {
    private static final Volume SECRET_0600 = new VolumeBuilder().withName("tls").withNewSecret().withSecretName("s").withDefaultMode(0600).endSecret().build();
    private static final Volume SECRET_DEFAULT = new VolumeBuilder().withName("tls").withNewSecret().withSecretName("s").endSecret().build();
    private static final Volume CONFIG_MAP = new VolumeBuilder().withName("c").withNewConfigMap().withName("c").endConfigMap().build();

    @Test
    void defaultModeIs0644AndTheItemModeWins() {
        assertEquals(0644, VolumeFiles.mode(SECRET_DEFAULT, null, null, true));
        assertEquals(0644, VolumeFiles.mode(CONFIG_MAP, null, null, true));
        assertEquals(0400, VolumeFiles.mode(SECRET_0600, 0400, null, true));
    }

    @Test
    void fsGroupAddsGroupReadToReadOnlyVolumes() {
        var security = new PodSecurityContextBuilder().withFsGroup(999L).build();
        assertEquals(0640, VolumeFiles.mode(SECRET_0600, null, security, true));
        assertEquals(0600, VolumeFiles.mode(SECRET_0600, null, null, true));
    }

    @Test
    void notAsRootTheFilesStayTheUsersAndPrivate() {
        var security = new PodSecurityContextBuilder().withFsGroup(999L).build();
        assertEquals(0600, VolumeFiles.mode(SECRET_0600, null, security, false));
    }

    @Test
    void modesTranslateToPermissions() {
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), VolumeFiles.permissions(0640));
        assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"), VolumeFiles.permissions(0755));
    }
}
