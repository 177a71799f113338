package io.shopdb.operator.sandbox.admission;

/**
 * A {@link Violation} of one document of a multi-document YAML source.
 *
 * @param source   the file name (or whatever the caller named the text)
 * @param line     the line where the document starts, 1-based (for YAML syntax errors: the
 *                 line where parsing failed; 0 if unknown)
 * @param resource {@code Kind/name} of the document, or {@code ""} when it has none
 */
public record FileViolation(String source, int line, String resource, Violation violation) {

    /** {@code file:line: Kind/name: path: message}, compiler style, for the sandbox command. */
    @Override
    public String toString() {
        return source + ":" + line + ": " + (resource.isEmpty() ? "" : resource + ": ") + violation;
    }
}
