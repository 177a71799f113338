package io.shopdb.operator.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Kubernetes Events (events.k8s.io/v1) for lifecycle steps and failures. Messages are built by the
 * controllers from names and server errors only, never from Secret values. A failed Event write is logged,
 * not fatal: Events are best effort in Kubernetes too.
 */
@ApplicationScoped
public class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    private static final String CONTROLLER = "shopdb-operator";

    @Inject KubernetesClient client;

    public void normal(HasMetadata regarding, String reason, String message) {
        record(regarding, "Normal", reason, message);
    }

    public void warning(HasMetadata regarding, String reason, String message) {
        record(regarding, "Warning", reason, message);
    }

    private void record(HasMetadata regarding, String type, String reason, String message) {
        String note = message.length() > 1000 ? message.substring(0, 1000) : message;
        try {
            client.resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(regarding.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace(regarding.getMetadata().getNamespace())
                    .endMetadata()
                    .withType(type)
                    .withReason(reason)
                    .withNote(note)
                    .withAction(reason)
                    .withReportingController(CONTROLLER)
                    .withReportingInstance(CONTROLLER)
                    .withNewEventTime(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")))
                    .withRegarding(new ObjectReferenceBuilder()
                            .withApiVersion(regarding.getApiVersion())
                            .withKind(regarding.getKind())
                            .withName(regarding.getMetadata().getName())
                            .withNamespace(regarding.getMetadata().getNamespace())
                            .withUid(regarding.getMetadata().getUid())
                            .build())
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.debugf("event %s not recorded: %s", reason, e.getMessage());
        }
    }
}
