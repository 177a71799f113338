package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.ops.RunningOperator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Secrets as the controllers' Secret informers already hold them (the role controller watches every Secret
 * of its namespaces), for code that reads a Secret but has no reason to keep a copy of them all: a cluster's
 * admin credentials read by the database, migration and cluster controllers and by the metrics task. One
 * cache in the process instead of one per controller; the API server only when no cache holds the Secret
 * (none started yet, or the Secret is missing).
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
            return client.secrets().inNamespace(namespace).withName(name).get();
        };
    }
}
