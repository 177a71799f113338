package io.shopdb.operator.sandbox.admission;

import static dev.cel.common.CelFunctionDecl.newFunctionDeclaration;
import static dev.cel.common.CelOverloadDecl.newGlobalOverload;
import static dev.cel.common.CelOverloadDecl.newMemberOverload;

import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompilerLibrary;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntimeLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CEL environment kube-apiserver gives {@code x-kubernetes-validations} rules, rebuilt on
 * dev.cel (cel-java) as far as our CRDs need it.
 *
 * <p>Included: the standard library and macros ({@code has, all, exists, exists_one, map, filter}),
 * the strings and sets extensions Kubernetes enables, Kubernetes' quantity library and the regex
 * {@code find}/{@code findAll} functions. Options follow Kubernetes: numbers of different types
 * compare ({@code self.ratio > 1}), list/map literals must be homogeneous, and {@code matches}
 * searches (RE2 semantics) rather than matching the whole string.
 *
 * <p>Not included (rules using them fail to compile, which the validator reports): the Kubernetes
 * lists library ({@code isSorted, sum, min, max, indexOf}), URL, IP/CIDR, authz and format
 * libraries, and the optional-types syntax ({@code self.?x}).
 */
final class KubernetesCelLibrary {

    /** The CEL type of {@code quantity(...)} values; at runtime they are {@link Quantity} objects. */
    static final CelType QUANTITY = OpaqueType.create("kubernetes.Quantity");

    static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .enableHomogeneousLiterals(true)
            .enableRegexPartialMatch(true)
            .build();

    private KubernetesCelLibrary() {
    }

    /** A builder with the whole environment; callers add their {@code self}/{@code oldSelf} variables. */
    static CelBuilder newBuilder() {
        CelCompilerLibrary strings = CelExtensions.strings();
        CelCompilerLibrary sets = CelExtensions.sets(OPTIONS);
        return CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(strings, sets)
                .addRuntimeLibraries((CelRuntimeLibrary) strings, (CelRuntimeLibrary) sets)
                .addFunctionDeclarations(quantityDeclarations())
                .addFunctionBindings(quantityBindings())
                .addFunctionDeclarations(
                        newFunctionDeclaration("find", newMemberOverload("string_find_string",
                                SimpleType.STRING, SimpleType.STRING, SimpleType.STRING)),
                        newFunctionDeclaration("findAll",
                                newMemberOverload("string_find_all_string",
                                        ListType.create(SimpleType.STRING), SimpleType.STRING, SimpleType.STRING),
                                newMemberOverload("string_find_all_string_int",
                                        ListType.create(SimpleType.STRING), SimpleType.STRING, SimpleType.STRING,
                                        SimpleType.INT)))
                .addFunctionBindings(
                        CelFunctionBinding.from("string_find_string", String.class, String.class,
                                (s, regex) -> {
                                    Matcher m = Pattern.compile(regex).matcher(s);
                                    return m.find() ? m.group() : "";
                                }),
                        CelFunctionBinding.from("string_find_all_string", String.class, String.class,
                                (s, regex) -> findAll(s, regex, -1)),
                        CelFunctionBinding.from("string_find_all_string_int",
                                List.of(String.class, String.class, Long.class),
                                args -> findAll((String) args[0], (String) args[1], (Long) args[2])));
    }

    private static dev.cel.common.CelFunctionDecl[] quantityDeclarations() {
        CelType q = QUANTITY;
        return new dev.cel.common.CelFunctionDecl[] {
            newFunctionDeclaration("quantity", newGlobalOverload("string_to_quantity", q, SimpleType.STRING)),
            newFunctionDeclaration("isQuantity",
                    newGlobalOverload("is_quantity_string", SimpleType.BOOL, SimpleType.STRING)),
            newFunctionDeclaration("isLessThan",
                    newMemberOverload("quantity_is_less_than", SimpleType.BOOL, q, q)),
            newFunctionDeclaration("isGreaterThan",
                    newMemberOverload("quantity_is_greater_than", SimpleType.BOOL, q, q)),
            newFunctionDeclaration("compareTo",
                    newMemberOverload("quantity_compare_to", SimpleType.INT, q, q)),
            newFunctionDeclaration("sign", newMemberOverload("quantity_sign", SimpleType.INT, q)),
            newFunctionDeclaration("isInteger", newMemberOverload("quantity_is_integer", SimpleType.BOOL, q)),
            newFunctionDeclaration("asInteger", newMemberOverload("quantity_get_integer", SimpleType.INT, q)),
            newFunctionDeclaration("asApproximateFloat",
                    newMemberOverload("quantity_get_float", SimpleType.DOUBLE, q)),
            newFunctionDeclaration("add",
                    newMemberOverload("quantity_add", q, q, q),
                    newMemberOverload("quantity_add_int", q, q, SimpleType.INT)),
            newFunctionDeclaration("sub",
                    newMemberOverload("quantity_sub", q, q, q),
                    newMemberOverload("quantity_sub_int", q, q, SimpleType.INT)),
        };
    }

    private static CelFunctionBinding[] quantityBindings() {
        Class<Quantity> q = Quantity.class;
        return new CelFunctionBinding[] {
            CelFunctionBinding.from("string_to_quantity", String.class, Quantity::parse),
            CelFunctionBinding.from("is_quantity_string", String.class, Quantity::isQuantity),
            CelFunctionBinding.from("quantity_is_less_than", q, q, Quantity::isLessThan),
            CelFunctionBinding.from("quantity_is_greater_than", q, q, Quantity::isGreaterThan),
            CelFunctionBinding.from("quantity_compare_to", q, q, (a, b) -> (long) Integer.signum(a.compareTo(b))),
            CelFunctionBinding.from("quantity_sign", q, Quantity::sign),
            CelFunctionBinding.from("quantity_is_integer", q, Quantity::isInteger),
            CelFunctionBinding.from("quantity_get_integer", q, Quantity::asInteger),
            CelFunctionBinding.from("quantity_get_float", q, Quantity::asApproximateFloat),
            CelFunctionBinding.from("quantity_add", q, q, Quantity::add),
            CelFunctionBinding.from("quantity_add_int", q, Long.class,
                    (a, b) -> a.add(Quantity.parse(Long.toString(b)))),
            CelFunctionBinding.from("quantity_sub", q, q, Quantity::sub),
            CelFunctionBinding.from("quantity_sub_int", q, Long.class,
                    (a, b) -> a.sub(Quantity.parse(Long.toString(b)))),
        };
    }

    private static List<String> findAll(String s, String regex, long limit) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(s);
        while ((limit < 0 || found.size() < limit) && m.find()) {
            found.add(m.group());
        }
        return found;
    }
}
