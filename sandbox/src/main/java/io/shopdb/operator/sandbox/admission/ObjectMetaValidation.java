package io.shopdb.operator.sandbox.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The part of ObjectMeta validation a manifest author can get wrong: kube-apiserver checks
 * metadata itself, not through the CRD schema (whose root {@code metadata} is a bare object).
 * Covered: name or generateName present, name a DNS-1123 subdomain, namespace a DNS-1123 label,
 * label and annotation values strings. Not covered: label key/value syntax, finalizers, owners.
 */
final class ObjectMetaValidation {

    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final String SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
            + "(e.g. 'example.com', regex used for validation is '" + SUBDOMAIN.pattern() + "')";
    private static final String LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case "
            + "alphanumeric characters or '-', and must start and end with an alphanumeric character "
            + "(e.g. 'my-name',  or '123-abc', regex used for validation is '" + LABEL.pattern() + "')";

    private ObjectMetaValidation() {
    }

    static List<Violation> validate(Map<String, Object> object) {
        List<Violation> violations = new ArrayList<>();
        Object raw = object.get("metadata");
        if (!(raw instanceof Map<?, ?> metadata)) {
            violations.add(raw == null
                    ? new Violation("metadata.name", "Required value: name or generateName is required")
                    : new Violation("metadata", "must be of type object"));
            return violations;
        }
        Object name = metadata.get("name");
        if (name == null && metadata.get("generateName") == null) {
            violations.add(new Violation("metadata.name", "Required value: name or generateName is required"));
        } else if (name != null) {
            checkName(violations, "metadata.name", name, SUBDOMAIN, 253, SUBDOMAIN_MESSAGE);
        }
        if (metadata.get("namespace") != null) {
            checkName(violations, "metadata.namespace", metadata.get("namespace"), LABEL, 63, LABEL_MESSAGE);
        }
        for (String field : List.of("labels", "annotations")) {
            Object values = metadata.get(field);
            if (values instanceof Map<?, ?> map) {
                map.forEach((k, v) -> {
                    if (!(v instanceof String)) {
                        violations.add(new Violation("metadata." + field + "." + k, "must be of type string"));
                    }
                });
            } else if (values != null) {
                violations.add(new Violation("metadata." + field, "must be of type object"));
            }
        }
        return violations;
    }

    private static void checkName(List<Violation> out, String path, Object value, Pattern pattern, int max,
                                  String message) {
        if (!(value instanceof String s)) {
            out.add(new Violation(path, "must be of type string"));
        } else if (s.length() > max) {
            out.add(new Violation(path, "must be no more than " + max + " characters"));
        } else if (!pattern.matcher(s).matches()) {
            out.add(new Violation(path, message));
        }
    }
}
