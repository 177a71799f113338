package io.shopdb.operator.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * The DNS names a cluster's server certificate must carry: each Service in its four spellings (short, with
 * namespace, .svc, .svc.cluster.local) and every pod behind the headless Service as a wildcard, so scaling
 * does not need a new certificate (libpq and pgjdbc both match a wildcard in the leftmost label).
 */
public final class ServerNames {
    private ServerNames() {}

    public static List<String> of(String namespace, List<String> services, String headlessService) {
        List<String> names = new ArrayList<>();
        for (String service : services) {
            names.addAll(spellings(service, namespace));
        }
        for (String headless : spellings(headlessService, namespace)) {
            names.add("*." + headless);
        }
        return names;
    }

    private static List<String> spellings(String service, String namespace) {
        return List.of(service, service + "." + namespace, service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local");
    }
}
