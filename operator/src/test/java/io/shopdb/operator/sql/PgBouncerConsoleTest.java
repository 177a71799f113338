package io.shopdb.operator.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How psql is pointed at a console: the name verified as host, the dialled address as hostaddr. */
class PgBouncerConsoleTest {
    @Test
    void theNameIsVerifiedAndTheAddressDialled() throws Exception {
        // in Kubernetes the address is the name itself
        assertArrayEquals(new String[]{"p-1.pool-pods.shop.svc", null}, PgBouncerConsole.hostAndAddress("p-1.pool-pods.shop.svc", "p-1.pool-pods.shop.svc"));
        // in the sandbox a local port on 127.0.0.1: still the pod's name is what the certificate must carry
        assertArrayEquals(new String[]{"p-1.pool-pods.shop.svc", "127.0.0.1"}, PgBouncerConsole.hostAndAddress("127.0.0.1", "p-1.pool-pods.shop.svc"));
        assertArrayEquals(new String[]{"p-1.pool-pods.shop.svc", "127.0.0.1"}, PgBouncerConsole.hostAndAddress("localhost", "p-1.pool-pods.shop.svc"));
    }

    @Test
    void noConsoleWithoutAServerToVerify() {
        assertThrows(NullPointerException.class, () -> new PgBouncerConsole("127.0.0.1", 6432, "admin", "pw".toCharArray(), 5, null));
    }
}
