package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** JSON in and out of the request handlers. */
final class Responses {
    private Responses() {
    }

    static MockResponse json(int code, JsonNode body) {
        return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json").setBody(body.toString());
    }

    static JsonNode read(String text) {
        try {
            return Serialization.jsonMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "BadRequest", "the body of the request was in an unknown format: " + e.getOriginalMessage());
        }
    }

    static ObjectNode readObject(String text) {
        JsonNode node = read(text == null || text.isBlank() ? "{}" : text);
        if (!node.isObject()) {
            throw new ApiException(400, "BadRequest", "the body of the request must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** The body of a dispatcher response, or null when it has none. */
    static JsonNode body(MockResponse response) {
        if (response.getBody() == null || response.getBody().size() == 0) {
            return null;
        }
        return read(new String(response.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
}
