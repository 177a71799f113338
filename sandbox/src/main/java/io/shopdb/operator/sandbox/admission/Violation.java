package io.shopdb.operator.sandbox.admission;

/**
 * One reason kube-apiserver (or kubectl's strict field validation) would refuse a manifest.
 *
 * @param path    the field in dot form, {@code spec.storage.size}, {@code spec.users[0].name};
 *                empty for the object as a whole
 * @param message what is wrong, in kube-apiserver's words (e.g. {@code Required value},
 *                {@code should be greater than or equal to 1}) or the CRD rule's own message
 */
public record Violation(String path, String message) {

    /** {@code path: message}, as kubectl prints field errors. */
    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
