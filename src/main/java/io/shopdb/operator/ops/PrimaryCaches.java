package io.shopdb.operator.ops;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.kube.SecretLookup;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.Controller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * The shopdb resources the operator already holds in its controllers' informer caches. Metrics read them here
 * instead of listing from the API server: no extra API calls (and no extra RBAC), and exactly the namespaces
 * the operator watches.
 */
@ApplicationScoped
@SuppressWarnings("unchecked")
public class PrimaryCaches {
    @Inject Operator operator;
    @Inject KubernetesClient client;

    /** Every cached primary resource of every controller; empty before the operator started. */
    public List<HasMetadata> all() {
        List<HasMetadata> out = new ArrayList<>();
        if (!operator.getRuntimeInfo().isStarted()) {
            return out;
        }
        for (RegisteredController<?> rc : operator.getRegisteredControllers()) {
            out.addAll(list(rc));
        }
        return out;
    }

    public <R extends HasMetadata> List<R> of(Class<R> type) {
        return all().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Secrets as the controllers' Secret informers hold them (the operator-made ones are in every such cache),
     * so the metrics task reads a cluster's credentials without a call; the API server when none has it.
     */
    public SecretLookup secrets() {
        return (namespace, name) -> {
            var id = new ResourceID(name, namespace);
            if (operator.getRuntimeInfo().isStarted()) {
                for (RegisteredController<?> rc : operator.getRegisteredControllers()) {
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

    private static List<? extends HasMetadata> list(RegisteredController<?> rc) {
        if (rc instanceof Controller<?> controller) {
            try {
                return controller.getEventSourceManager().getControllerEventSource().list(r -> true).toList();
            } catch (RuntimeException e) {
                return List.of(); // informer not started or stopping
            }
        }
        return List.of();
    }
}
