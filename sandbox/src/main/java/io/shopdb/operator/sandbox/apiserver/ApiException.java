package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

import java.util.List;

/** A request kube-apiserver would refuse, answered with its {@code Status} body (kubectl prints the message). */
final class ApiException extends RuntimeException {
    private final int code;
    private final String reason;
    private final List<String[]> causes;
    private String group;
    private String kind;
    private String name;

    ApiException(int code, String reason, String message) {
        this(code, reason, message, List.of());
    }

    /** @param causes pairs of field and message, as in {@code details.causes} */
    ApiException(int code, String reason, String message, List<String[]> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.causes = causes;
    }

    static ApiException notFound(ApiPath path) {
        String resource = path.group().isEmpty() ? path.plural() : path.plural() + "." + path.group();
        return new ApiException(404, "NotFound", resource + " \"" + path.name() + "\" not found");
    }

    static ApiException conflict(ApiPath path, String why) {
        String resource = path.group().isEmpty() ? path.plural() : path.plural() + "." + path.group();
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + resource + " \"" + path.name() + "\": " + why);
    }

    /** Names the object in {@code details}, so kubectl says {@code The PostgresCluster "x" is invalid}. */
    ApiException about(String group, String kind, String name) {
        this.group = group;
        this.kind = kind;
        this.name = name;
        return this;
    }

    int code() {
        return code;
    }

    MockResponse response() {
        ObjectNode status = JsonNodeFactory.instance.objectNode().put("kind", "Status").put("apiVersion", "v1")
                .put("status", "Failure").put("message", getMessage()).put("reason", reason).put("code", code);
        status.putObject("metadata");
        if (!causes.isEmpty() || kind != null) {
            ObjectNode details = status.putObject("details");
            if (kind != null) {
                details.put("name", name).put("group", group).put("kind", kind);
            }
            ArrayNode list = details.putArray("causes");
            causes.forEach(c -> list.addObject().put("reason", "FieldValueInvalid").put("field", c[0]).put("message", c[1]));
        }
        return Responses.json(code, status);
    }
}
