package io.shopdb.operator.sql;

import java.util.concurrent.atomic.AtomicInteger;

/** Unique database and role names per test: the test server is shared by the whole JVM. */
final class SqlTestNames {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private SqlTestNames() {}

    static String unique(String prefix) {
        return prefix + "_" + NEXT.incrementAndGet();
    }
}
