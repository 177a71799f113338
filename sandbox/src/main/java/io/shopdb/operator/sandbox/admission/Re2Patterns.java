package io.shopdb.operator.sandbox.admission;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code pattern} keyword as kube-apiserver reads it: compiled with Go's regexp (RE2, here its Java
 * port RE2J) and matched unanchored ({@code MatchString}, i.e. find). java.util.regex would admit
 * lookarounds and backreferences that RE2 refuses, so a CRD the sandbox accepts could be refused by a
 * real API server ("must be a valid regular expression").
 */
final class Re2Patterns implements RegularExpressionFactory {

    static final Re2Patterns FACTORY = new Re2Patterns();

    private Re2Patterns() {
    }

    /** Compiles like Go's {@code regexp.Compile}; throws {@link PatternSyntaxException} for what RE2 refuses. */
    static Pattern compile(String pattern) {
        return Pattern.compile(pattern);
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = compile(regex);
        return value -> pattern.matcher(value).find();
    }

    /**
     * The first {@code pattern} of a CRD version's schema that RE2 refuses, as kube-apiserver's CRD
     * validation words it, or null. Paths are in the dot notation of {@link Schemas}, e.g.
     * {@code spec.name}, {@code spec.schemas[*]}.
     */
    static Violation firstInvalid(Map<String, Object> schema) {
        List<Violation> invalid = new ArrayList<>();
        Schemas.walk(schema, "", (node, path) -> {
            if (node.get("pattern") instanceof String pattern) {
                try {
                    compile(pattern);
                } catch (PatternSyntaxException e) {
                    invalid.add(new Violation(path, "pattern: Invalid value: \"" + pattern
                            + "\": must be a valid regular expression, but isn't: " + e.getMessage()));
                }
            }
        });
        return invalid.isEmpty() ? null : invalid.get(0);
    }
}
