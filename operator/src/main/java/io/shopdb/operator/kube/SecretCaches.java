package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.runtime.RunningOperator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Secrets as the controllers' Secret informers already hold them (the role controller's two: the Secrets the
 * operator made and those a resource references, see {@link CachedObjects}), for code that reads a Secret but has
 * no informer of its own: a cluster's admin credentials and CA read by the database, migration, pooler and cluster
 * controllers and by the metrics task and the primary probe. One cache in the process instead of one per
 * controller; the API server only when no cache holds the Secret (none started yet, the Secret is missing or
 * just made, or a user's Secret read for the first time, which {@link CachedObjects#read} then labels so the
 * caches hold it from then on).
 */
@ApplicationScoped
public class SecretCaches {
    @Inject RunningOperator running;
    @Inject KubernetesClient client;

    @SuppressWarnings("unchecked")
    public SecretLookup lookup() {
        return (namespace, name) -> {
            var id = new ResourceID(name, namespace);
            Operator op = running.current();
            if (op.getRuntimeInfo().isStarted()) {
                for (RegisteredController<?> rc : op.getRegisteredControllers()) {
                    if (rc instanceof Controller<?> controller) {
                        for (var source : controller.getEventSourceManager().getEventSourcesFor(Secret.class)) {
                            if (source instanceof InformerEventSource<?, ?> informer) {
                                var found = ((InformerEventSource<Secret, ?>) informer).get(id);
                                if (found.isPresent()) {
                                    return found.get();
                                }
                            }
                        }
                    }
                }
            }
            return CachedObjects.read(client, Secret.class, namespace, name);
        };
    }
}
