package io.shopdb.operator.sandbox;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Ownership and mode of the files the kubelet projects from a Secret or ConfigMap volume, as the real one
 * sets them: mode = the item's mode, else the volume's defaultMode, else 0644; owner root; with a pod
 * fsGroup, group fsGroup and the group read bit added (the kubelet ORs 0440 into read-only volumes). That is
 * why a key mounted with defaultMode 0600 or 0640 reaches PostgreSQL as root:postgres 0640, which it accepts
 * for a root-owned key, while a key owned by the server user must be 0600.
 * Not as root (a developer's machine), files cannot be root's: they stay the current user's, who is also
 * the server user then, so group and other bits are dropped to keep PostgreSQL's rule satisfied.
 */
final class VolumeFiles {
    static final int DEFAULT_MODE = 0644;

    private VolumeFiles() {}

    /** The mode the kubelet gives a file of {@code volume}; {@code itemMode} is the key's own mode, if any. */
    static int mode(Volume volume, Integer itemMode, PodSecurityContext security, boolean root) {
        Integer defaultMode = volume.getSecret() != null ? volume.getSecret().getDefaultMode()
                : volume.getConfigMap() != null ? volume.getConfigMap().getDefaultMode() : null;
        int mode = itemMode != null ? itemMode : defaultMode != null ? defaultMode : DEFAULT_MODE;
        if (!root) {
            return mode & 0700;
        }
        return security != null && security.getFsGroup() != null ? mode | 0440 : mode;
    }

    /**
     * Makes {@code target} hold {@code content} with the kubelet's owner and mode: rewrites it when the content
     * differs, else only corrects owner and mode (a recursive hand-over of the pod directory changes them).
     */
    static void ensure(Path target, String content, int mode, boolean root) throws IOException {
        if (!Files.exists(target) || !Files.readString(target).equals(content)) {
            write(target, content, mode, root);
            return;
        }
        if (root && !"root".equals(Files.getOwner(target).getName())) {
            chown(target, "root:postgres");
        }
        if (!Files.getPosixFilePermissions(target).equals(permissions(mode))) {
            Files.setPosixFilePermissions(target, permissions(mode));
        }
    }

    /** Writes {@code content} atomically (never readable by others on the way) with the kubelet's owner and mode. */
    static void write(Path target, String content, int mode, boolean root) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        Files.writeString(tmp, content);
        if (root) {
            chown(tmp, "root:postgres");
        }
        Files.setPosixFilePermissions(tmp, permissions(mode));
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwx";
        for (int shift = 6; shift >= 0; shift -= 3) {
            for (int bit = 0; bit < 3; bit++) {
                s.append((mode >> (shift + 2 - bit) & 1) == 1 ? rwx.charAt(bit) : '-');
            }
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    private static void chown(Path file, String owner) throws IOException {
        try {
            int exit = new ProcessBuilder("chown", owner, file.toString()).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IOException("chown " + owner + " " + file + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
