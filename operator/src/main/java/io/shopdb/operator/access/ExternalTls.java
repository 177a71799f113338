package io.shopdb.operator.access;

import io.shopdb.operator.api.v1alpha1.ExternalServerSpec;

import java.util.Set;

/**
 * The sslmode for an external server. Omitted, it is verify-full when the user gives the server's CA and
 * require otherwise: always encrypted, never silently downgradable; prefer/allow/disable only when asked for.
 */
public final class ExternalTls {
    private static final Set<String> VERIFYING = Set.of("verify-ca", "verify-full");

    private ExternalTls() {}

    public static String sslMode(ExternalServerSpec ext) {
        return sslMode(ext.getSslMode() == null ? null : ext.getSslMode().name(), ext.getCaSecretName() != null);
    }

    /**
     * The rule for any server outside the operator's clusters (an external cluster, an import's source): {@code given},
     * a spec's sslMode enum name (verifyCa, verifyFull, require, ...) or null; {@code caGiven}: the user named its CA.
     */
    public static String sslMode(String given, boolean caGiven) {
        if (given == null) {
            return caGiven ? "verify-full" : "require";
        }
        return switch (given) {
            case "verifyCa" -> "verify-ca";
            case "verifyFull" -> "verify-full";
            default -> given;
        };
    }

    /** True when the mode checks the server's certificate; otherwise a man in the middle goes unnoticed. */
    public static boolean verifiesServer(String sslMode) {
        return VERIFYING.contains(sslMode);
    }

    /** The Warning a cluster gets when its server is not verified, naming what to do; null when it is. */
    public static String warning(ExternalServerSpec ext) {
        return warning(sslMode(ext), "spec.external.caSecretName");
    }

    /** The Warning for a server reached with {@code mode}, naming the field ({@code caField}) that fixes it; null when verified. */
    public static String warning(String mode, String caField) {
        if (verifiesServer(mode)) {
            return null;
        }
        String risk = "require".equals(mode) ? "encrypted, but the server's identity is not checked"
                : "a man in the middle can read or downgrade the connection to plain text";
        return "sslmode " + mode + ": " + risk + "; set " + caField + " (a Secret with the server's CA in ca.crt) to verify it";
    }
}
