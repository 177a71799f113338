package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.Quantity;
import io.shopdb.operator.api.v1alpha1.AutoGrowSpec;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.StorageSpec;
import io.shopdb.operator.api.v1alpha1.StorageStatus;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * spec.storage.autoGrow: the primary's databases and WAL against the volume's size; at threshold percent the volumes
 * are asked for step more, up to maximum. The grown size lives in status.storage.size, never in the spec (a GitOps
 * tool would revert it); a larger spec.storage.size wins. The size PostgreSQL reports is a little below what the
 * filesystem holds (configuration, commit logs), which the threshold leaves room for.
 */
final class VolumeAutoGrow {
    static final String USED = """
            SELECT (SELECT sum(pg_database_size(oid)) FROM pg_database)::bigint
                 + (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::bigint""";

    /** What to do: grow to {@code size}, or nothing ({@code size} null), with the usage seen and why not when at the maximum. */
    record Verdict(long usedBytes, String size, String full) {}

    private VolumeAutoGrow() {}

    /** The size the volumes should be asked for: the spec's, or the grown one recorded in status when larger. */
    static String askedSize(PostgresCluster c) {
        StorageSpec spec = c.getSpec().getStorage() != null ? c.getSpec().getStorage() : new StorageSpec();
        StorageStatus recorded = c.getStatus() == null ? null : c.getStatus().getStorage();
        if (spec.getAutoGrow() == null || recorded == null || recorded.getSize() == null) {
            return spec.getSize();
        }
        return bytes(recorded.getSize()).compareTo(bytes(spec.getSize())) > 0 ? recorded.getSize() : spec.getSize();
    }

    static long used(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(USED); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The verdict for {@code usedBytes} on volumes of {@code size}. */
    static Verdict judge(AutoGrowSpec grow, String size, long usedBytes) {
        BigDecimal current = bytes(size);
        if (BigDecimal.valueOf(usedBytes).multiply(BigDecimal.valueOf(100)).compareTo(current.multiply(BigDecimal.valueOf(grow.getThreshold()))) < 0) {
            return new Verdict(usedBytes, null, null);
        }
        BigDecimal maximum = bytes(grow.getMaximum());
        if (current.compareTo(maximum) >= 0) {
            return new Verdict(usedBytes, null, "the volumes are " + percent(usedBytes, current) + "% used and at spec.storage.autoGrow.maximum "
                    + grow.getMaximum() + ": free space, or raise the maximum");
        }
        BigDecimal next = current.add(bytes(grow.getStep())).min(maximum);
        if (next.compareTo(current) <= 0) {
            return new Verdict(usedBytes, null, "the volumes are " + percent(usedBytes, current) + "% used and spec.storage.autoGrow.step "
                    + grow.getStep() + " adds nothing: give a step of at least 1Mi");
        }
        return new Verdict(usedBytes, format(next), null);
    }

    static long percent(long used, BigDecimal size) {
        return BigDecimal.valueOf(used).multiply(BigDecimal.valueOf(100)).divide(size, java.math.RoundingMode.DOWN).longValue();
    }

    static BigDecimal bytes(String quantity) {
        return Quantity.getAmountInBytes(new Quantity(quantity));
    }

    /** Bytes as a quantity a person reads: whole Gi or Mi when it is one. */
    static String format(BigDecimal bytes) {
        BigDecimal gi = BigDecimal.valueOf(1L << 30);
        BigDecimal mi = BigDecimal.valueOf(1L << 20);
        if (bytes.remainder(gi).signum() == 0) {
            return bytes.divide(gi).toBigInteger() + "Gi";
        }
        if (bytes.remainder(mi).signum() == 0) {
            return bytes.divide(mi).toBigInteger() + "Mi";
        }
        return bytes.toBigInteger().toString();
    }
}
