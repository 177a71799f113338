package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import java.util.Set;

/**
 * The Secrets the operator made (label app.kubernetes.io/managed-by=shopdb-operator: clusters' superuser
 * and replication Secrets, roles' passwords) as a cache for controllers that only read a cluster's admin
 * credentials. Filtered by label so each of those controllers does not hold a copy of every Secret of the
 * namespace; a Secret outside it (an external cluster's admin Secret) is read from the API server
 * ({@link SecretLookup#cached}). Its events wake no one: the credentials are read at each reconcile.
 */
public final class OperatorSecrets {
    public static final String MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=shopdb-operator";

    private OperatorSecrets() {}

    public static <P extends HasMetadata> InformerEventSource<Secret, P> source(EventSourceContext<P> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, context.getPrimaryResourceClass())
                .withName("operator-secrets")
                .withLabelSelector(MANAGED_BY_SELECTOR)
                .withSecondaryToPrimaryMapper(s -> Set.of())
                .build(), context);
    }
}
