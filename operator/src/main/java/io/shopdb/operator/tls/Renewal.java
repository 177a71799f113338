package io.shopdb.operator.tls;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;

/**
 * Whether a server certificate must be (re)issued: a pure function of the certificate, the CA, the names it
 * must carry and the time. Renewal starts when less than a third of the validity remains, so a year-long
 * certificate is renewed four months ahead, leaving time for the reload to reach every instance and for a
 * person to act on an alert if it does not.
 */
public final class Renewal {
    public enum Reason {
        /** The certificate is current. */
        NONE,
        /** There is no certificate (or it cannot be read). */
        MISSING,
        /** Less than a third of its validity remains, or it has expired. */
        EXPIRING,
        /** It does not cover every name the cluster answers to (e.g. a new Service). */
        NAMES_CHANGED,
        /** Another CA signed it (the CA was replaced, or the user brought one). */
        OTHER_CA
    }

    private Renewal() {}

    public static Reason decide(X509Certificate current, X509Certificate ca, List<String> wantedNames, Instant now) {
        if (current == null) {
            return Reason.MISSING;
        }
        if (!Certificates.signedBy(current, ca)) {
            return Reason.OTHER_CA;
        }
        if (!new HashSet<>(Certificates.dnsNames(current)).containsAll(wantedNames)) {
            return Reason.NAMES_CHANGED;
        }
        return renewAt(current).isAfter(now) ? Reason.NONE : Reason.EXPIRING;
    }

    /** The moment renewal starts: two thirds into the validity. */
    public static Instant renewAt(X509Certificate cert) {
        Instant from = cert.getNotBefore().toInstant();
        Instant to = cert.getNotAfter().toInstant();
        return to.minus(Duration.between(from, to).dividedBy(3));
    }
}
