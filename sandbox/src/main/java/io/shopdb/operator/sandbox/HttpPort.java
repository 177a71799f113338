package io.shopdb.operator.sandbox;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The port of the operator's HTTP endpoints (metrics, health) in the sandbox. A second sandbox on the same machine
 * would find 8080 taken and stop with Vert.x's stack trace; instead it takes a free port and says which, in one line.
 */
final class HttpPort {
    static final int DEFAULT = 8080;

    private HttpPort() {}

    /** Sets quarkus.http.port to a free port when the configured one (8080 unless set) is taken; says so on {@code out}. */
    static void chooseForSandbox(PrintStream out) {
        if (System.getProperty("quarkus.http.port") != null || System.getenv("QUARKUS_HTTP_PORT") != null) {
            return; // chosen by the person running it
        }
        int port = freeOr(DEFAULT);
        if (port != DEFAULT) {
            System.setProperty("quarkus.http.port", String.valueOf(port));
            out.println("sandbox: port " + DEFAULT + " is taken (another sandbox?); metrics and health are on port " + port
                    + " (/q/metrics, /q/health)");
        }
    }

    /** {@code wanted} when nothing listens on it, else a free port the system picks. */
    static int freeOr(int wanted) {
        try (ServerSocket s = new ServerSocket(wanted, 1, InetAddress.getByName("0.0.0.0"))) {
            return wanted;
        } catch (IOException taken) {
            try (ServerSocket any = new ServerSocket(0)) {
                return any.getLocalPort();
            } catch (IOException e) {
                return wanted; // nothing better to offer: Quarkus will say what is wrong
            }
        }
    }
}
