package io.shopdb.operator.cluster;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numeric postgresql.conf values read the way PostgreSQL reads them (guc.c parse_int, parse_real and
 * convert_to_base_unit), so that a value PostgreSQL would refuse at start (a FATAL, and a pod that never
 * becomes ready) is refused before any rollout, naming the allowed range:
 * <ul>
 *   <li>a number without a unit is in the parameter's base unit (pg_settings.unit: shared_buffers counts
 *       8kB blocks, work_mem kB, statement_timeout ms);</li>
 *   <li>a unit is case-sensitive, may follow the number after spaces, and must be of the parameter's kind:
 *       B, kB, MB, GB, TB for memory; us, ms, s, min, h, d for time; none for a unitless parameter;</li>
 *   <li>integers may be written in hex (0x1F) or octal (017), as strtol reads them, or with a fraction or an
 *       exponent; a fractional value is rounded to the next smaller unit, then to a whole base unit;</li>
 *   <li>the result must lie within pg_settings' min_val and max_val.</li>
 * </ul>
 */
final class ParameterValues {

    /** Units in the order of guc.c's conversion tables (largest first), with their size in bytes or microseconds. */
    private static final List<Map.Entry<String, Double>> MEMORY = List.of(Map.entry("TB", 1099511627776.0),
            Map.entry("GB", 1073741824.0), Map.entry("MB", 1048576.0), Map.entry("kB", 1024.0), Map.entry("B", 1.0));
    private static final List<Map.Entry<String, Double>> TIME = List.of(Map.entry("d", 86_400_000_000.0),
            Map.entry("h", 3_600_000_000.0), Map.entry("min", 60_000_000.0), Map.entry("s", 1_000_000.0),
            Map.entry("ms", 1_000.0), Map.entry("us", 1.0));
    private static final String MEMORY_HINT = "valid units for this parameter are B, kB, MB, GB and TB";
    private static final String TIME_HINT = "valid units for this parameter are us, ms, s, min, h and d";

    private static final Pattern STRTOL = Pattern.compile("^\\s*[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)");
    private static final Pattern STRTOD = Pattern.compile("^\\s*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private ParameterValues() {}

    /** What is wrong with an integer parameter's value, or null when PostgreSQL accepts it. */
    static String integerProblem(String value, String unit, String min, String max) {
        Parsed parsed = parse(value, unit, true);
        if (parsed.problem() != null) {
            return parsed.problem();
        }
        double rounded = Math.rint(parsed.value());
        if (rounded > Integer.MAX_VALUE || rounded < Integer.MIN_VALUE) {
            return value + " exceeds the integer range of this parameter";
        }
        return outOfRange(value, rounded, unit, min, max);
    }

    /** What is wrong with a real (floating point) parameter's value, or null when PostgreSQL accepts it. */
    static String realProblem(String value, String unit, String min, String max) {
        Parsed parsed = parse(value, unit, false);
        return parsed.problem() != null ? parsed.problem() : outOfRange(value, parsed.value(), unit, min, max);
    }

    private record Parsed(double value, String problem) {}

    private static Parsed parse(String value, String unit, boolean integer) {
        String rest;
        double number;
        Matcher asLong = STRTOL.matcher(value);
        if (integer && asLong.find() && !startsFloat(value.substring(asLong.end())) && fitsLong(asLong.group())) {
            number = strtol(asLong.group().strip());
            rest = value.substring(asLong.end());
        } else {
            Matcher asDouble = STRTOD.matcher(value);
            if (!asDouble.find()) {
                return new Parsed(0, "\"" + value + "\" is not a number" + unitSuffix(unit));
            }
            number = Double.parseDouble(asDouble.group().strip());
            rest = value.substring(asDouble.end());
        }
        if (Double.isInfinite(number)) {
            return new Parsed(0, value + " is out of range");
        }
        String unitGiven = rest.strip();
        if (unitGiven.isEmpty()) {
            return new Parsed(number, null);
        }
        if (unit.isEmpty()) {
            return new Parsed(0, "\"" + value + "\" is not a number (this parameter takes no unit)");
        }
        List<Map.Entry<String, Double>> table = isMemory(unit) ? MEMORY : TIME;
        for (int i = 0; i < table.size(); i++) {
            if (table.get(i).getKey().equals(unitGiven)) {
                double perBase = size(unit);
                double converted = number * table.get(i).getValue() / perBase;
                if (i + 1 < table.size()) {
                    // guc.c: "30.1GB" is rounded to a whole number of the next smaller unit
                    double smaller = table.get(i + 1).getValue() / perBase;
                    converted = Math.rint(converted / smaller) * smaller;
                }
                return new Parsed(converted, null);
            }
        }
        return new Parsed(0, "invalid value \"" + value + "\": " + (isMemory(unit) ? MEMORY_HINT : TIME_HINT));
    }

    private static String outOfRange(String value, double base, String unit, String min, String max) {
        if (min.isEmpty() || max.isEmpty()) {
            return null;
        }
        double low = Double.parseDouble(min);
        double high = Double.parseDouble(max);
        if (base >= low && base <= high) {
            return null;
        }
        return value + " is outside the valid range " + withUnit(min, unit) + " .. " + withUnit(max, unit);
    }

    /** A bound in words: 8kB blocks are shown in kB, other base units as they are. */
    private static String withUnit(String bound, String unit) {
        if (unit.equals("8kB")) {
            return new BigDecimal(bound).multiply(BigDecimal.valueOf(8)).stripTrailingZeros().toPlainString() + "kB";
        }
        return bound + unit;
    }

    private static boolean isMemory(String unit) {
        return unit.endsWith("B");
    }

    /** Bytes (memory) or microseconds (time) in one base unit: 8kB, kB, MB, B, ms, s, min. */
    private static double size(String unit) {
        if (unit.equals("8kB")) {
            return 8192.0;
        }
        return (isMemory(unit) ? MEMORY : TIME).stream().filter(e -> e.getKey().equals(unit)).findFirst()
                .orElseThrow(() -> new IllegalStateException("unknown base unit " + unit)).getValue();
    }

    private static String unitSuffix(String unit) {
        return unit.isEmpty() ? "" : " (a number, optionally with a unit; the default unit is " + unit + ")";
    }

    private static boolean startsFloat(String rest) {
        return !rest.isEmpty() && (rest.charAt(0) == '.' || rest.charAt(0) == 'e' || rest.charAt(0) == 'E');
    }

    private static boolean fitsLong(String digits) {
        try {
            strtol(digits.strip());
            return true;
        } catch (NumberFormatException e) {
            return false; // strtol overflows (ERANGE): PostgreSQL re-reads it as a float
        }
    }

    private static long strtol(String text) {
        boolean negative = text.startsWith("-");
        String digits = text.replaceFirst("^[+-]", "");
        long magnitude;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            magnitude = Long.parseLong(digits.substring(2), 16);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            magnitude = Long.parseLong(digits.substring(1), 8);
        } else {
            magnitude = Long.parseLong(digits);
        }
        return negative ? -magnitude : magnitude;
    }
}
