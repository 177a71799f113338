/**
 * TLS of managed clusters, with no dependency on controllers: a CA per cluster (or the user's) and server
 * certificates made with BouncyCastle ({@link io.shopdb.operator.tls.CertificateAuthority}), the names they
 * must carry ({@link io.shopdb.operator.tls.ServerNames}), the pure renewal decision
 * ({@link io.shopdb.operator.tls.Renewal}: a third of the validity left), the server's ssl settings and
 * hostssl-only pg_hba ({@link io.shopdb.operator.tls.ServerTlsSettings}), and the two Secrets behind it
 * ({@link io.shopdb.operator.tls.ClusterTlsSecrets}). cluster/ClusterTls says it in a cluster's terms.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li>Clients verify the name they asked for, not the address they dialled (sql/ServerTrust,
 *       sql/ServerNameVerifier): in Kubernetes they are equal; in the sandbox a Service is 127.0.0.1, and
 *       the certificate is still checked against the Service name (libpq's host + hostaddr). No IP SANs.</li>
 *   <li>Replicas use verify-ca: the CA is the cluster's own and signs only its instances (and its poolers'
 *       client-facing certificates, pooler/PoolerTls, issued through {@link io.shopdb.operator.tls.ClusterTlsSecrets#ensureIssued}),
 *       and the sandbox dials the primary by address.</li>
 *   <li>The key is mounted with defaultMode 0640 and fsGroup: the kubelet makes it root:postgres 0640,
 *       which PostgreSQL accepts for a root-owned key (sandbox/VolumeFiles mirrors the rule).</li>
 *   <li>A renewed certificate is reloaded only once every instance has the new file (ServedCertificate),
 *       since the kubelet projects Secret changes with a delay.</li>
 * </ul>
 */
package io.shopdb.operator.tls;
