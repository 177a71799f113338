package io.shopdb.operator.sandbox.admission;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.values.NullValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CEL types kube-apiserver derives from a structural schema, so that rules are type-checked
 * as in a cluster ({@code self.instnaces} does not compile; {@code self.size > 5} on a string does
 * not either): objects with properties are struct types, {@code additionalProperties} objects are
 * {@code map(string, T)}, arrays {@code list(T)}, int-or-string and free-form values {@code dyn}.
 *
 * <p>At runtime the values are plain Java trees ({@link #toCel}): struct values are Maps too,
 * which cel-java selects fields from. Property names that are not CEL identifiers are escaped the
 * Kubernetes way ({@code foo-bar} is {@code self.foo__dash__bar}, {@code namespace} is
 * {@code self.__namespace__}).
 *
 * <p>Differences from Kubernetes: strings with {@code format: date-time/duration/byte} stay
 * strings (Kubernetes makes them timestamp/duration/bytes), and list-type set/map lists compare
 * with {@code ==} in order (Kubernetes ignores order).
 */
final class CelTypes implements CelTypeProvider {

    private static final Set<String> RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const",
            "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace",
            "return", "var", "void", "while");
    private static final Pattern ESCAPABLE = Pattern.compile("[a-zA-Z_.\\-/][a-zA-Z0-9_.\\-/]*");

    private final Map<Map<String, Object>, CelType> bySchema = new IdentityHashMap<>();
    private final Map<String, CelType> structs = new LinkedHashMap<>();

    /** Derives the types of every node of {@code rootSchema}; {@code kind} names the struct types. */
    CelTypes(Map<String, Object> rootSchema, String kind) {
        derive(rootSchema, kind, true);
    }

    /** The CEL type of {@code self} at a node of the schema given to the constructor. */
    CelType typeOf(Map<String, Object> schema) {
        return bySchema.getOrDefault(schema, SimpleType.DYN);
    }

    @Override
    public ImmutableCollection<CelType> types() {
        return ImmutableList.copyOf(structs.values());
    }

    @Override
    public Optional<CelType> findType(String typeName) {
        return Optional.ofNullable(structs.get(typeName));
    }

    private CelType derive(Map<String, Object> schema, String name, boolean root) {
        CelType type = switch (Schemas.intOrString(schema) ? "" : String.valueOf(Schemas.type(schema))) {
            case "object" -> objectType(schema, name, root);
            case "array" -> Schemas.items(schema) == null ? ListType.create(SimpleType.DYN)
                    : ListType.create(derive(Schemas.items(schema), name + "[]", false));
            case "string" -> SimpleType.STRING;
            case "integer" -> SimpleType.INT;
            case "number" -> SimpleType.DOUBLE;
            case "boolean" -> SimpleType.BOOL;
            default -> SimpleType.DYN;
        };
        bySchema.put(schema, type);
        return type;
    }

    private CelType objectType(Map<String, Object> schema, String name, boolean root) {
        boolean embedded = Schemas.flag(schema, "x-kubernetes-embedded-resource");
        Map<String, Map<String, Object>> properties = Schemas.properties(schema);
        if (properties.isEmpty() && !root && !embedded) {
            Map<String, Object> values = Schemas.additionalProperties(schema);
            if (values != null) {
                return MapType.create(SimpleType.STRING, derive(values, name + "{}", false));
            }
            return Schemas.preserveUnknownFields(schema) ? SimpleType.DYN
                    : MapType.create(SimpleType.STRING, SimpleType.DYN);
        }
        Map<String, CelType> fields = new LinkedHashMap<>();
        if (root || embedded) {
            fields.put("apiVersion", SimpleType.STRING);
            fields.put("kind", SimpleType.STRING);
            // Kubernetes exposes only name and generateName of the metadata to rules.
            fields.put("metadata", struct(name + ".metadata",
                    Map.of("name", SimpleType.STRING, "generateName", SimpleType.STRING)));
        }
        properties.forEach((property, child) -> {
            CelType childType = derive(child, name + "." + property, false);
            if (!(root && property.equals("metadata"))) {
                escape(property).ifPresent(field -> fields.put(field, childType));
            }
        });
        return struct(name, fields);
    }

    private CelType struct(String name, Map<String, CelType> fields) {
        Map<String, CelType> copy = Map.copyOf(fields);
        StructType type = StructType.create(name, ImmutableSet.copyOf(fields.keySet()),
                field -> Optional.ofNullable(copy.get(field)));
        structs.put(name, type);
        return type;
    }

    /** The CEL field name of a property, or empty when Kubernetes makes it inaccessible. */
    static Optional<String> escape(String property) {
        if (RESERVED.contains(property)) {
            return Optional.of("__" + property + "__");
        }
        if (!ESCAPABLE.matcher(property).matches()) {
            return Optional.empty();
        }
        return Optional.of(property.replace("__", "__underscores__").replace(".", "__dot__")
                .replace("-", "__dash__").replace("/", "__slash__"));
    }

    /**
     * The runtime value of {@code value} for CEL: integers as Long, numbers as Double (by schema
     * type when known, so {@code 2} in a {@code number} field is {@code 2.0}), null as CEL null,
     * struct keys escaped, undeclared fields left out (Kubernetes prunes them before CEL runs).
     */
    static Object toCel(Object value, Map<String, Object> schema, boolean root) {
        String type = schema == null ? null : Schemas.type(schema);
        if (value == null) {
            return NullValue.NULL_VALUE;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            Map<String, Map<String, Object>> properties = schema == null ? Map.of() : Schemas.properties(schema);
            boolean resource = root || (schema != null && Schemas.flag(schema, "x-kubernetes-embedded-resource"));
            boolean struct = !properties.isEmpty() || resource;
            map.forEach((k, v) -> {
                String key = String.valueOf(k);
                if (!struct) {
                    out.put(key, toCel(v, schema == null ? null : Schemas.additionalProperties(schema), false));
                } else if (properties.containsKey(key) && !(root && key.equals("metadata"))) {
                    escape(key).ifPresent(field -> out.put(field, toCel(v, properties.get(key), false)));
                } else if (resource && Set.of("apiVersion", "kind", "metadata").contains(key)) {
                    out.put(key, toCel(v, null, false));
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(toCel(item, schema == null ? null : Schemas.items(schema), false)));
            return out;
        }
        if (value instanceof Number number) {
            if ("number".equals(type) || number instanceof Double || number instanceof Float
                    || number instanceof BigDecimal) {
                return number.doubleValue();
            }
            if (number instanceof BigInteger big && big.bitLength() > 63) {
                return big.doubleValue(); // beyond int64 Kubernetes could not store it as an integer either
            }
            return number.longValue();
        }
        return value;
    }
}
