package io.shopdb.operator.agent;

import java.io.IOException;

/**
 * The backup volume has no room left (ENOSPC, or EDQUOT on a quota). Not worth another attempt as it is: a person
 * must free space (older backups, a lower keepLast) or grow the volume, so the agent names the volume and its size.
 */
public final class StorageFullException extends IOException {
    public StorageFullException(String message, IOException cause) {
        super(message, cause);
    }

    /** Whether {@code e} is the kernel's "no space" (or "quota exceeded") error, by its strerror text. */
    static boolean isNoSpace(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
