package io.shopdb.operator.sandbox;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.*;

/** A second sandbox takes a free port instead of failing on a taken 8080. */
class HttpPortTest {
    @Test
    void aTakenPortIsReplacedByAFreeOneAndAFreePortIsKept() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = HttpPort.freeOr(taken.getLocalPort());
            assertNotEquals(taken.getLocalPort(), port);
            try (ServerSocket again = new ServerSocket(port)) {
                assertEquals(port, again.getLocalPort(), "the port offered is free");
            }
        }
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        assertEquals(free, HttpPort.freeOr(free));
    }
}
