package io.shopdb.operator.migration;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.shopdb.operator.api.v1alpha1.PostgresMigrationSpec;
import io.shopdb.operator.sql.Identifiers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The scripts and settings of a PostgresMigration, read from its ConfigMaps, checked, and hashed. The hash
 * is what decides whether Flyway runs: same inputs, no migrate (see the controller).
 */
public final class MigrationInputs {

    public record Inputs(List<Script> scripts, FlywayRunner.Settings settings, String hash) {}

    /** A source that is missing is something to wait for (Reconciling), not an error. */
    public static class MissingSourceException extends Exception {
        public MissingSourceException(String message) { super(message); }
    }

    private MigrationInputs() {}

    /** {@code configMaps}: name → ConfigMap of the migration's namespace, or null (the controller's informer cache). */
    public static Inputs read(Function<String, ConfigMap> configMaps, PostgresMigrationSpec spec, String defaultRunAs)
            throws MissingSourceException {
        Map<String, String> byName = new TreeMap<>();
        for (int i = 0; i < spec.getSources().size(); i++) {
            var source = spec.getSources().get(i);
            ConfigMap cm = configMaps.apply(source.getConfigMap());
            if (cm == null) {
                throw new MissingSourceException("ConfigMap " + source.getConfigMap() + " (spec.sources[" + i + "]) was not found");
            }
            Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
            List<String> keys = source.getKeys().isEmpty() ? data.keySet().stream().filter(k -> k.endsWith(".sql")).sorted().toList() : source.getKeys();
            for (String key : keys) {
                String field = "spec.sources[" + i + "] (ConfigMap " + source.getConfigMap() + ", key " + key + ")";
                if (!data.containsKey(key)) {
                    throw new MissingSourceException(field + " was not found");
                }
                if (!Script.isMigrationName(key)) {
                    throw new IllegalArgumentException(field + ": not a Flyway script name; use V<version>__<description>.sql or R__<description>.sql");
                }
                if (byName.put(key, data.get(key)) != null) {
                    throw new IllegalArgumentException(field + ": a script of this name is already in another source");
                }
            }
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("spec.sources: no .sql script found in the ConfigMaps");
        }
        return build(spec, byName, defaultRunAs);
    }

    static Inputs build(PostgresMigrationSpec spec, Map<String, String> byName, String defaultRunAs) {
        for (int i = 0; i < spec.getSchemas().size(); i++) {
            Identifiers.require("spec.schemas[" + i + "]", spec.getSchemas().get(i));
        }
        String runAs = spec.getRunAs() != null ? spec.getRunAs() : defaultRunAs;
        if (runAs != null) {
            Identifiers.require("spec.runAs", runAs);
        }
        List<Script> scripts = new ArrayList<>();
        byName.forEach((name, content) -> scripts.add(new Script(name, content)));
        var settings = new FlywayRunner.Settings(List.copyOf(spec.getSchemas()), runAs, new TreeMap<>(spec.getPlaceholders()),
                spec.getBaselineVersion(), Boolean.TRUE.equals(spec.getBaselineOnMigrate()), Boolean.TRUE.equals(spec.getOutOfOrder()),
                !Boolean.FALSE.equals(spec.getValidateOnMigrate()), Boolean.TRUE.equals(spec.getMixed()), spec.getLockRetryCount());
        return new Inputs(scripts, settings, hash(byName, settings));
    }

    private static String hash(Map<String, String> byName, FlywayRunner.Settings settings) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byName.forEach((k, v) -> {
                d.update(k.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(v.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            });
            d.update(settings.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
