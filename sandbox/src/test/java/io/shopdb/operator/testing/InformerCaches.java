package io.shopdb.operator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.runtime.RunningOperator;

import java.util.ArrayList;
import java.util.List;

/** What the running operator's informers hold, for tests that check what it keeps in memory (never an API call). */
public final class InformerCaches {
    private InformerCaches() {}

    /** The names of the event sources of {@code type}, over every controller, whose cache holds namespace/name. */
    public static List<String> holding(RunningOperator running, Class<? extends HasMetadata> type, String namespace, String name) {
        var id = new ResourceID(name, namespace);
        List<String> out = new ArrayList<>();
        for (RegisteredController<?> rc : running.current().getRegisteredControllers()) {
            if (rc instanceof Controller<?> controller) {
                for (var source : controller.getEventSourceManager().getEventSourcesFor(type)) {
                    if (source instanceof InformerEventSource<?, ?> informer && informer.get(id).isPresent()) {
                        out.add(controller.getConfiguration().getName() + "/" + source.name());
                    }
                }
            }
        }
        return out;
    }
}
