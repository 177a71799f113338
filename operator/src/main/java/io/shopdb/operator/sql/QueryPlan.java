package io.shopdb.operator.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * What a query budget keeps of one {@code EXPLAIN (ANALYZE, FORMAT JSON)}: the time the server measured, the plan's
 * shape and a hash of it, and the node whose row estimate was furthest off (the usual cause of a plan gone wrong).
 *
 * <p>The shape is node types and join types, nested as the plan is, without relation names, costs or row counts, so
 * the hash changes when the planner chooses another plan (an index scan becomes a sequential scan, a hash join a
 * nested loop) and not when the data grows. The children of an Append are folded to their distinct shapes, so a
 * month's new partition of the orders does not count as a new plan.
 */
public record QueryPlan(long durationMillis, String shape, String hash, String worstEstimate) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses the single value EXPLAIN (FORMAT JSON) returns: a one-element array of {Plan, Planning Time, Execution Time}. */
    public static QueryPlan parse(String explainJson) {
        JsonNode root;
        try {
            root = JSON.readTree(explainJson);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not EXPLAIN's JSON: " + e.getMessage(), e);
        }
        JsonNode top = root.isArray() ? root.get(0) : root;
        if (top == null || !top.has("Plan")) {
            throw new IllegalArgumentException("not EXPLAIN's JSON: no Plan");
        }
        double millis = top.path("Planning Time").asDouble(0) + top.path("Execution Time").asDouble(0);
        String shape = shape(top.get("Plan"));
        Worst worst = worst(top.get("Plan"), null);
        return new QueryPlan(Math.round(Math.ceil(millis)), shape, hash(shape), worst == null ? null : worst.describe());
    }

    static String shape(JsonNode node) {
        StringBuilder out = new StringBuilder(label(node));
        JsonNode children = node.path("Plans");
        if (children.isArray() && !children.isEmpty()) {
            boolean fold = node.path("Node Type").asText().endsWith("Append");
            // partitions of one Append differ only in number: keep each distinct child shape once, in order
            List<String> parts = new ArrayList<>(fold ? new LinkedHashSet<>(childShapes(children)) : childShapes(children));
            out.append('(').append(String.join(", ", parts)).append(')');
        }
        return out.toString();
    }

    private static List<String> childShapes(JsonNode children) {
        List<String> shapes = new ArrayList<>();
        children.forEach(c -> shapes.add(shape(c)));
        return shapes;
    }

    private static String label(JsonNode node) {
        String type = node.path("Node Type").asText("?");
        String join = node.path("Join Type").asText("");
        // an inner join is the usual case; name the others (Left, Anti, Semi...) since they change what runs
        return join.isEmpty() || join.equals("Inner") ? type : type + " " + join;
    }

    static String hash(String shape) {
        return Hashes.sha256Hex(shape, 6);
    }

    private record Worst(String node, long estimated, long actual, double ratio) {
        String describe() {
            return node + ": estimated " + estimated + ", actual " + actual + " rows";
        }
    }

    /** The executed node with the largest ratio between estimated and actual rows per loop; null when none ran. */
    private static Worst worst(JsonNode node, Worst sofar) {
        Worst best = sofar;
        if (node.path("Actual Loops").asLong(0) > 0) {
            long estimated = node.path("Plan Rows").asLong(0);
            long actual = node.path("Actual Rows").asLong(0);
            double ratio = (double) Math.max(Math.max(estimated, actual), 1) / Math.max(Math.min(estimated, actual), 1);
            if (best == null || ratio > best.ratio()) {
                String relation = node.path("Relation Name").asText("");
                best = new Worst(label(node) + (relation.isEmpty() ? "" : " on " + relation), estimated, actual, ratio);
            }
        }
        for (JsonNode child : node.path("Plans")) {
            best = worst(child, best);
        }
        return best;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "QueryPlan[%d ms, %s, %s]", durationMillis, hash, shape);
    }
}
