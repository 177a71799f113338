package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * kube-apiserver stores one kind of Event and serves it as both core/v1 and events.k8s.io/v1. The operator
 * writes events.k8s.io/v1 (regarding, note, reportingController); kubectl describe lists core/v1 Events by
 * {@code involvedObject}: this is the core/v1 view of an events.k8s.io/v1 Event, with the same field mapping.
 */
final class EventViews {
    private EventViews() {
    }

    static ObjectNode toCore(JsonNode event) {
        ObjectNode core = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("apiVersion", "v1").put("kind", "Event");
        core.set("metadata", event.path("metadata").deepCopy());
        copy(event, "regarding", core, "involvedObject");
        copy(event, "related", core, "related");
        copy(event, "reason", core, "reason");
        copy(event, "note", core, "message");
        copy(event, "type", core, "type");
        copy(event, "action", core, "action");
        copy(event, "eventTime", core, "eventTime");
        copy(event, "reportingController", core, "reportingComponent");
        copy(event, "reportingInstance", core, "reportingInstance");
        copy(event, "deprecatedFirstTimestamp", core, "firstTimestamp");
        copy(event, "deprecatedLastTimestamp", core, "lastTimestamp");
        copy(event, "deprecatedCount", core, "count");
        if (event.has("deprecatedSource")) {
            core.set("source", event.get("deprecatedSource").deepCopy());
        } else if (event.hasNonNull("reportingController")) {
            core.putObject("source").put("component", event.get("reportingController").asText());
        }
        if (event.has("series")) {
            core.put("count", event.path("series").path("count").asInt());
            copy(event.get("series"), "lastObservedTime", core, "lastTimestamp");
        }
        return core;
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        if (from.hasNonNull(field)) {
            to.set(as, from.get(field).deepCopy());
        }
    }
}
