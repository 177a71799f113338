package io.shopdb.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The planner's row estimates against what ran, from an {@code EXPLAIN (ANALYZE, FORMAT JSON)} plan. An
 * underestimated join is what turns a hash join into a nested loop that rescans its inner side once per outer row
 * (issue 29: a join of 170,000 rows estimated at 1 made the shop's dashboard query take 94 s), so the joins are
 * what is checked; overestimates cost a little memory, not minutes.
 */
public final class PlanEstimates {
    /**
     * A join producing more than this many times the rows the planner expected was planned for a different size. Ten
     * leaves room for the usual error of independent estimates; the misestimate of issue 29 was 155,000 times.
     */
    public static final double MAX_UNDERESTIMATE = 10;

    private PlanEstimates() {}

    /** One join node: the rows the planner expected per loop, the rows it produced per loop. */
    public record Join(String nodeType, double estimatedRows, double actualRows, String condition) {
        /** How many times more rows came out than the planner expected (1 when it expected at least as many). */
        public double underestimate() {
            return actualRows / Math.max(1.0, estimatedRows);
        }

        public String describe() {
            return String.format("%s estimated %,.0f rows, actual %,.0f (x%,.0f)%s", nodeType, estimatedRows, actualRows, underestimate(),
                    condition == null ? "" : " on " + condition);
        }
    }

    /** Every join node of the plan that ran at least once. */
    public static List<Join> joins(JsonNode plan) {
        List<Join> out = new ArrayList<>();
        collect(plan, out);
        return out;
    }

    /** The join whose output the planner underestimated most, if the plan has a join that ran. */
    public static Optional<Join> worstJoin(JsonNode plan) {
        return joins(plan).stream().max(Comparator.comparingDouble(Join::underestimate));
    }

    private static void collect(JsonNode node, List<Join> out) {
        String type = node.path("Node Type").asText();
        boolean join = type.equals("Hash Join") || type.equals("Merge Join") || type.equals("Nested Loop");
        if (join && node.path("Actual Loops").asDouble() > 0) {
            String condition = node.has("Hash Cond") ? node.get("Hash Cond").asText()
                    : node.has("Merge Cond") ? node.get("Merge Cond").asText()
                    : node.has("Join Filter") ? node.get("Join Filter").asText() : null;
            out.add(new Join(type, node.path("Plan Rows").asDouble(), node.path("Actual Rows").asDouble(), condition));
        }
        node.path("Plans").forEach(child -> collect(child, out));
    }
}
