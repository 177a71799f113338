package io.shopdb.operator.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PgBouncer's admin console (the virtual database {@code pgbouncer}): PAUSE, RESUME, RECONNECT and the SHOW
 * commands, through {@code psql}. pgjdbc cannot be used: the console reports server_version "1.18.0/bouncer",
 * which pgjdbc reads as a pre-9.0 server and answers with {@code SET extra_float_digits}, a SET the console
 * refuses ("SET failed"). psql sends no such thing; it is in the operator image with the other client tools.
 * The password reaches psql as PGPASSWORD in its environment, never on its command line. TLS with verify-full,
 * as PgBouncer refuses plaintext clients: psql is given the CA as a file (sslrootcert, a private temporary file)
 * and the name to verify as its host, with the address dialled as hostaddr when it differs (the sandbox's
 * 127.0.0.1), the libpq form of {@link ServerTrust}.
 */
public final class PgBouncerConsole {
    public static final String DATABASE = "pgbouncer";
    private final String host;
    private final int port;
    private final String user;
    private final char[] password;
    private final int timeoutSeconds;
    private final ServerTrust trust;

    /** {@code host}:{@code port} is the address to dial; {@code trust} the CA and the name the certificate must carry. */
    public PgBouncerConsole(String host, int port, String user, char[] password, int timeoutSeconds, ServerTrust trust) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password.clone();
        this.timeoutSeconds = timeoutSeconds;
        this.trust = java.util.Objects.requireNonNull(trust, "the console is reached over verified TLS only");
    }

    /** Waits until every server connection is released and closes them; clients' new queries wait meanwhile. */
    public void pause() throws SQLException {
        run("PAUSE");
    }

    public void resume() throws SQLException {
        run("RESUME");
    }

    /** Server connections are closed once released and reopened through the (possibly re-pointed) address. */
    public void reconnect() throws SQLException {
        run("RECONNECT");
    }

    /** The rows of a SHOW command (POOLS, STATS, ...), each as column → text. */
    public List<Map<String, String>> show(String what) throws SQLException {
        if (!what.matches("[A-Z_]+")) {
            throw new IllegalArgumentException("not a SHOW subject: " + what);
        }
        return parseCsv(run("SHOW " + what));
    }

    static List<Map<String, String>> parseCsv(String csv) {
        List<Map<String, String>> rows = new ArrayList<>();
        String[] lines = csv.strip().split("\n");
        if (lines.length < 1 || lines[0].isEmpty()) {
            return rows;
        }
        String[] header = lines[0].split(",", -1);
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",", -1); // the console's SHOW values hold no commas or quotes
            Map<String, String> row = new LinkedHashMap<>();
            for (int j = 0; j < header.length; j++) {
                row.put(header[j], j < cells.length ? cells[j] : null);
            }
            rows.add(row);
        }
        return rows;
    }

    /** libpq's host (the name verified) and hostaddr (the address dialled, null when it is that name). */
    static String[] hostAndAddress(String dialled, String serverName) throws java.net.UnknownHostException {
        if (dialled.equals(serverName)) {
            return new String[]{serverName, null};
        }
        // hostaddr must be numeric: an IP literal stays as it is, a DNS name is resolved here
        return new String[]{serverName, java.net.InetAddress.getByName(dialled).getHostAddress()};
    }

    private String run(String command) throws SQLException {
        java.nio.file.Path caFile = null;
        try {
            String[] target = hostAndAddress(host, trust.serverName());
            caFile = java.nio.file.Files.createTempFile("shopdb-pgbouncer-ca-", ".crt"); // 0600: the operator's alone
            java.nio.file.Files.writeString(caFile, trust.caPem());
            ProcessBuilder pb = new ProcessBuilder("psql", "--no-psqlrc", "--csv", "-v", "ON_ERROR_STOP=1",
                    "-h", target[0], "-p", String.valueOf(port), "-U", user, "-d", DATABASE, "-c", command);
            if (target[1] != null) {
                pb.environment().put("PGHOSTADDR", target[1]);
            }
            pb.environment().put("PGPASSWORD", new String(password));
            pb.environment().put("PGCONNECT_TIMEOUT", String.valueOf(Math.min(timeoutSeconds, 10)));
            pb.environment().put("PGSSLMODE", "verify-full");
            pb.environment().put("PGSSLROOTCERT", caFile.toString());
            pb.environment().put("PGAPPNAME", "shopdb-operator");
            pb.redirectErrorStream(false);
            return execute(pb, command);
        } catch (IOException e) {
            throw new SQLException("cannot run psql for the PgBouncer console: " + e.getMessage(), "08001", e);
        } finally {
            if (caFile != null) {
                try {
                    java.nio.file.Files.deleteIfExists(caFile);
                } catch (IOException e) {
                    // a CA certificate is public; nothing secret is left behind
                }
            }
        }
    }

    private String execute(ProcessBuilder pb, String command) throws SQLException, IOException {
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            Thread drainErr = new Thread(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (IOException e) {
                    // process gone
                }
            });
            drainErr.start();
            p.getInputStream().transferTo(out);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SQLException("PgBouncer console: " + command + " did not finish in " + timeoutSeconds + " s", "57014");
            }
            drainErr.join(1000);
            if (p.exitValue() != 0) {
                String message = err.toString(StandardCharsets.UTF_8).strip();
                throw new SQLException("PgBouncer console " + host + ":" + port + ": " + command + " failed: " + message,
                        message.contains("Connection refused") || message.contains("could not connect") ? "08001" : "XX000");
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", "57014", e);
        }
    }

    @Override
    public String toString() {
        return "PgBouncerConsole[" + host + ":" + port + ", " + user + ", " + trust + "]" + (Arrays.equals(password, new char[0]) ? "" : "");
    }
}
