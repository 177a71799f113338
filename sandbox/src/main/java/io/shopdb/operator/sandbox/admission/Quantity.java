package io.shopdb.operator.sandbox.admission;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes {@code resource.Quantity} ("10Gi", "500m", "1e3", "1.5"), as the {@code quantity(...)}
 * CEL function of kube-apiserver sees it: an exact decimal value, compared numerically, so that
 * {@code 1Gi > 1G} and {@code 1000m == 1}.
 *
 * <p>Grammar (from k8s.io/apimachinery/pkg/api/resource): a signed decimal number followed by
 * one optional suffix: binary SI ({@code Ki Mi Gi Ti Pi Ei}), decimal SI ({@code n u m k M G T P E})
 * or a decimal exponent ({@code e3}, {@code E-2}). No whitespace. The value is kept as a
 * {@link BigDecimal}, which is exact for every suffix, unlike Kubernetes' int64 scaled
 * representation; comparisons therefore agree with Kubernetes for all practical sizes.
 */
public final class Quantity implements Comparable<Quantity> {

    // Order matters: an exponent ("1E3") must win over the exa suffix ("1E").
    private static final Pattern SYNTAX = Pattern.compile(
            "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?[0-9]+)|(n|u|m|k|M|G|T|P|E))?");

    /** The message kube-apiserver's CEL library reports for an unparsable quantity. */
    static final String SYNTAX_ERROR =
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    private final String text;
    private final BigDecimal value;

    private Quantity(String text, BigDecimal value) {
        this.text = text;
        this.value = value;
    }

    /**
     * Parses a quantity string.
     *
     * @throws IllegalArgumentException with kube-apiserver's message when the string is not a quantity
     */
    public static Quantity parse(String text) {
        Matcher m = text == null ? null : SYNTAX.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(SYNTAX_ERROR);
        }
        BigDecimal number = new BigDecimal(m.group(1));
        BigDecimal value;
        if (m.group(2) != null) {
            int power = "KMGTPE".indexOf(m.group(2).charAt(0)) + 1;
            value = number.multiply(new BigDecimal(BigInteger.valueOf(1024).pow(power)));
        } else if (m.group(3) != null) {
            // Kubernetes bounds the exponent; a huge one is not a quantity anyone means.
            int exponent;
            try {
                exponent = Integer.parseInt(m.group(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(SYNTAX_ERROR);
            }
            if (Math.abs(exponent) > 1000) {
                throw new IllegalArgumentException(SYNTAX_ERROR);
            }
            value = number.scaleByPowerOfTen(exponent);
        } else if (m.group(4) != null) {
            int exponent = switch (m.group(4)) {
                case "n" -> -9;
                case "u" -> -6;
                case "m" -> -3;
                case "k" -> 3;
                case "M" -> 6;
                case "G" -> 9;
                case "T" -> 12;
                case "P" -> 15;
                default -> 18; // E
            };
            value = number.scaleByPowerOfTen(exponent);
        } else {
            value = number;
        }
        return new Quantity(text, value);
    }

    /** Whether {@link #parse} would accept the string (CEL {@code isQuantity}). */
    public static boolean isQuantity(String text) {
        return text != null && SYNTAX.matcher(text).matches();
    }

    /** The exact value in base units (bytes, cores, ...). */
    public BigDecimal value() {
        return value;
    }

    /** -1, 0 or 1 (CEL {@code sign()}). */
    public long sign() {
        return value.signum();
    }

    /** Whether the value is a whole number that fits in a CEL int (CEL {@code isInteger()}). */
    public boolean isInteger() {
        try {
            value.longValueExact();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    /** The value as a CEL int (CEL {@code asInteger()}); fails like Kubernetes when it is not one. */
    public long asInteger() {
        try {
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("cannot convert value to integer");
        }
    }

    /** CEL {@code asApproximateFloat()}. */
    public double asApproximateFloat() {
        return value.doubleValue();
    }

    public Quantity add(Quantity other) {
        BigDecimal sum = value.add(other.value);
        return new Quantity(sum.toPlainString(), sum);
    }

    public Quantity sub(Quantity other) {
        BigDecimal difference = value.subtract(other.value);
        return new Quantity(difference.toPlainString(), difference);
    }

    public boolean isLessThan(Quantity other) {
        return compareTo(other) < 0;
    }

    public boolean isGreaterThan(Quantity other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Quantity other) {
        return value.compareTo(other.value);
    }

    /** Numeric equality: {@code 1Ki} equals {@code 1024}, as CEL's {@code ==} on quantities. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(value.stripTrailingZeros());
    }

    /** The string this quantity was parsed from (or the plain value of a computed one). */
    @Override
    public String toString() {
        return text;
    }
}
