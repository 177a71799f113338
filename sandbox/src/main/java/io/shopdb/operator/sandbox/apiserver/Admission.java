package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.shopdb.operator.sandbox.admission.CrdCatalog;
import io.shopdb.operator.sandbox.admission.ManifestValidator;
import io.shopdb.operator.sandbox.admission.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * kube-apiserver's handling of a custom resource write, from the stored CRDs: schema defaults applied
 * (sandbox/admission's Defaulting, the same code that checks manifests), then the schema and CEL rules
 * checked (422 Invalid with one cause per violation). Unknown fields are refused only when the request asks
 * for strict field validation (kubectl's default); otherwise kube-apiserver drops them with a warning, and
 * the sandbox keeps them.
 */
final class Admission {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private final Supplier<List<String>> crds;
    private volatile ManifestValidator validator;

    /** @param crds the stored CRDs as JSON, read again after {@link #invalidate()} */
    Admission(Supplier<List<String>> crds) {
        this.crds = crds;
    }

    void invalidate() {
        validator = null;
    }

    /**
     * The object to store, defaulted; {@code current} is null for a create.
     *
     * @throws ApiException 422 when the schema or a rule refuses it
     */
    ObjectNode admit(ObjectNode object, JsonNode current, boolean strict) {
        ManifestValidator v = validator();
        Map<String, Object> manifest = Serialization.jsonMapper().convertValue(object, MAP);
        List<Violation> violations = current == null ? v.validateCreate(manifest)
                : v.validateUpdate(manifest, Serialization.jsonMapper().convertValue(current, MAP));
        List<String[]> causes = new ArrayList<>();
        for (Violation violation : violations) {
            if (strict || !violation.message().startsWith("unknown field")) {
                causes.add(new String[] {violation.path(), violation.message()});
            }
        }
        if (!causes.isEmpty()) {
            String what = object.path("kind").asText() + "." + object.path("apiVersion").asText().split("/")[0]
                    + " \"" + object.path("metadata").path("name").asText() + "\"";
            StringBuilder message = new StringBuilder(what).append(" is invalid: ");
            for (int i = 0; i < causes.size(); i++) {
                message.append(i == 0 ? "" : ", ").append(causes.get(i)[0].isEmpty() ? "" : causes.get(i)[0] + ": ").append(causes.get(i)[1]);
            }
            String apiVersion = object.path("apiVersion").asText();
            throw new ApiException(422, "Invalid", message.toString(), causes)
                    .about(apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "",
                            object.path("kind").asText(), object.path("metadata").path("name").asText());
        }
        ObjectNode defaulted = Serialization.jsonMapper().valueToTree(v.withDefaults(manifest));
        if (object.has("status")) {
            defaulted.set("status", object.get("status")); // withDefaults drops it; the caller decides what status to keep
        }
        return defaulted;
    }

    private ManifestValidator validator() {
        ManifestValidator v = validator;
        if (v == null) {
            v = new ManifestValidator(CrdCatalog.fromYaml(crds.get()));
            validator = v;
        }
        return v;
    }
}
