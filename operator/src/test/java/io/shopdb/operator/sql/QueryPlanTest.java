package io.shopdb.operator.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The plan's shape: node and join types, an Append's partitions folded; the worst estimate; the time. */
class QueryPlanTest {
    static String explain(String plan) {
        return "[{\"Plan\": " + plan + ", \"Planning Time\": 0.4, \"Execution Time\": 12.2}]";
    }

    static String scan(String type, String relation, long planRows, long actualRows) {
        return "{\"Node Type\": \"" + type + "\", \"Relation Name\": \"" + relation + "\", \"Plan Rows\": " + planRows
                + ", \"Actual Rows\": " + actualRows + ", \"Actual Loops\": 1}";
    }

    static String ordersByMonth(int partitions) {
        StringBuilder children = new StringBuilder();
        for (int i = 0; i < partitions; i++) {
            children.append(i == 0 ? "" : ", ").append(scan("Seq Scan", "orders_2026_" + (i + 1), 1000, 1000));
        }
        return explain("{\"Node Type\": \"Hash Join\", \"Join Type\": \"Inner\", \"Plan Rows\": 10, \"Actual Rows\": 40000, \"Actual Loops\": 1, \"Plans\": ["
                + "{\"Node Type\": \"Append\", \"Plan Rows\": 3000, \"Actual Rows\": 3000, \"Actual Loops\": 1, \"Plans\": [" + children + "]},"
                + "{\"Node Type\": \"Hash\", \"Plan Rows\": 10, \"Actual Rows\": 10, \"Actual Loops\": 1, \"Plans\": ["
                + scan("Index Scan", "products", 10, 10) + "]}]}");
    }

    @Test
    void theShapeNamesNodesAndFoldsTheAppendsPartitions() {
        QueryPlan twelve = QueryPlan.parse(ordersByMonth(12));
        assertEquals("Hash Join(Append(Seq Scan), Hash(Index Scan))", twelve.shape());
        assertEquals(twelve.hash(), QueryPlan.parse(ordersByMonth(13)).hash(), "a new month's partition is the same plan");
        assertEquals(13, twelve.durationMillis(), "planning plus execution, rounded up");
    }

    @Test
    void anotherJoinOrScanIsAnotherHash() {
        String nested = ordersByMonth(3).replace("\"Hash Join\"", "\"Nested Loop\"");
        assertNotEquals(QueryPlan.parse(ordersByMonth(3)).hash(), QueryPlan.parse(nested).hash());
        String anti = ordersByMonth(3).replace("\"Join Type\": \"Inner\"", "\"Join Type\": \"Anti\"");
        assertEquals("Hash Join Anti(Append(Seq Scan), Hash(Index Scan))", QueryPlan.parse(anti).shape());
    }

    @Test
    void theWorstEstimateIsTheNodeFurthestOffEitherWay() {
        assertEquals("Hash Join: estimated 10, actual 40000 rows", QueryPlan.parse(ordersByMonth(2)).worstEstimate());
        String never = explain("{\"Node Type\": \"Result\", \"Plan Rows\": 1, \"Actual Rows\": 1, \"Actual Loops\": 1, \"Plans\": ["
                + "{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"t\", \"Plan Rows\": 1, \"Actual Rows\": 0, \"Actual Loops\": 0},"
                + scan("Seq Scan", "u", 5000, 2) + "]}");
        assertEquals("Seq Scan on u: estimated 5000, actual 2 rows", QueryPlan.parse(never).worstEstimate(), "a node that never ran is not judged");
    }

    @Test
    void somethingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> QueryPlan.parse("[{\"Query\": 1}]"));
        assertThrows(IllegalArgumentException.class, () -> QueryPlan.parse("not json"));
    }
}
