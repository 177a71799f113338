package io.shopdb.operator.access;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.TlsStatus;
import io.shopdb.operator.kube.SecretLookup;
import io.shopdb.operator.sql.ServerTrust;
import io.shopdb.operator.tls.CertificateAuthority;
import io.shopdb.operator.tls.ClusterTlsSecrets;
import io.shopdb.operator.tls.Renewal;
import io.shopdb.operator.tls.ServerNames;
import io.shopdb.operator.tls.ServerTlsSettings;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * TLS of a managed cluster in the cluster's terms: which Secrets, which names, where the pods mount the
 * certificate, and how a client of the cluster verifies it. The certificate work itself is in tls/.
 */
public final class ClusterTls {
    /** Where instances mount the server Secret (tls.crt, tls.key, ca.crt). */
    public static final String MOUNT = "/etc/shopdb-tls";
    /**
     * Mode of the mounted files. With fsGroup the kubelet makes them root:postgres 0640, which PostgreSQL
     * accepts for a key owned by root ("u=rw,g=r or less"); 0600 would end up the same.
     */
    public static final int FILE_MODE = 0640;

    private ClusterTls() {}

    public static String caSecret(PostgresCluster c) {
        return c.getSpec().getTls() != null && c.getSpec().getTls().getCaSecretName() != null
                ? c.getSpec().getTls().getCaSecretName() : c.getMetadata().getName() + "-ca";
    }

    public static String serverSecret(PostgresCluster c) { return c.getMetadata().getName() + "-server-tls"; }

    /**
     * -rw, -ro and -r (a future any-instance Service) and every pod behind the headless Service; the target of a major
     * upgrade also the source's three Services, which lead to it after the cutover (status.upgradingFrom).
     */
    public static List<String> serverNames(PostgresCluster c) {
        String name = c.getMetadata().getName();
        List<String> services = new java.util.ArrayList<>(List.of(ClusterNames.writeService(c), ClusterNames.readService(c), name + "-r"));
        String from = c.getStatus() == null ? null : c.getStatus().getUpgradingFrom();
        if (from != null) {
            services.addAll(List.of(from + "-rw", from + "-ro", from + "-r"));
        }
        return ServerNames.of(c.getMetadata().getNamespace(), services, ClusterNames.headlessService(c));
    }

    public static ClusterTlsSecrets.Result ensure(KubernetesClient client, PostgresCluster c, Instant now) throws ClusterTlsSecrets.CaException {
        String userCa = c.getSpec().getTls() == null ? null : c.getSpec().getTls().getCaSecretName();
        return ClusterTlsSecrets.ensure(client, new ClusterTlsSecrets.Request(c, ClusterNames.labels(c), c.getMetadata().getName() + "-ca",
                userCa, serverSecret(c), serverNames(c)), now);
    }

    /**
     * The cluster's CA (its own or the user's) from {@code secrets}: what signs the cluster's other certificates
     * (a pooler's), so clients trust them through the same ca.crt. Never made here: the cluster makes its own.
     */
    public static CertificateAuthority ca(SecretLookup secrets, PostgresCluster c) throws ClusterTlsSecrets.CaException {
        boolean userProvided = c.getSpec().getTls() != null && c.getSpec().getTls().getCaSecretName() != null;
        return ClusterTlsSecrets.caOf(secrets.get(c.getMetadata().getNamespace(), caSecret(c)), caSecret(c), userProvided);
    }

    /**
     * The TLS settings of an instance, with the mount path as bootstrap.sh sees it ($SHOPDB_TLS_DIR). They are
     * passed on the postgres command line, not in postgresql.conf: the file is a ConfigMap that holds no pod
     * paths (the sandbox maps paths in the environment, not inside files). Command-line values win over a
     * user's spec.parameters, as owned parameters must.
     */
    public static Map<String, String> parameters() {
        return ServerTlsSettings.parameters("$SHOPDB_TLS_DIR");
    }

    public static String hba() {
        return ServerTlsSettings.hba(List.of(ClusterNames.REPLICATION_USER, ClusterNames.SUPERUSER));
    }

    /** What a client verifies: the CA in the server Secret, and the DNS name it asked for (a Service or a pod). */
    public static ServerTrust trust(String caPem, PostgresCluster c, String serviceHost) {
        return new ServerTrust(caPem, serviceHost + "." + c.getMetadata().getNamespace() + ".svc");
    }

    /** The CA clients trust, from the server Secret (the one the instances serve with); null when not there yet. */
    public static String caPem(KubernetesClient client, PostgresCluster c) {
        return ClusterTlsSecrets.value(client.secrets().inNamespace(c.getMetadata().getNamespace()).withName(serverSecret(c)).get(),
                ClusterTlsSecrets.CA_CERT);
    }

    public static TlsStatus status(PostgresCluster c, ClusterTlsSecrets.Result result, TlsStatus previous) {
        TlsStatus s = new TlsStatus();
        s.setServerSecret(serverSecret(c));
        s.setCaSecret(caSecret(c));
        s.setSerial(result.server().getSerialNumber().toString(16));
        s.setNotAfter(result.server().getNotAfter().toInstant().toString());
        s.setRenewAfter(Renewal.renewAt(result.server()).toString());
        s.setReloadedSerial(previous == null ? null : previous.getReloadedSerial());
        return s;
    }
}
