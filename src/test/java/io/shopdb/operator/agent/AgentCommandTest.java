package io.shopdb.operator.agent;

import io.shopdb.operator.sql.PgEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AgentCommandTest {

    @Test
    void parsesBackupOptionsInBothForms() {
        AgentCommand.Parsed p = AgentCommand.parse(new String[] {"agent", "backup", "--dir", "/backups", "--host=db", "--port", "6432",
                "--database", "shop", "--database=inventory", "--format", "directory", "--jobs", "4", "--compression=gzip:9"});
        assertEquals("backup", p.command());
        assertEquals(List.of("shop", "inventory"), p.all("database"));
        assertEquals("directory", p.get("format", null));
        assertEquals(4, p.integer("jobs", 1));
        assertEquals(6432, p.integer("port", 5432));
        assertEquals("custom", AgentCommand.parse(new String[] {"backup", "--dir", "x"}).get("format", "custom"), "leading 'agent' is optional");
    }

    @Test
    void parsesFlagsAndRepeatableChecks() {
        AgentCommand.Parsed p = AgentCommand.parse(new String[] {"verify", "--s3-bucket", "b", "--s3-path-style", "--host", "h",
                "--backup-id", "b1", "--check", "SELECT true", "--check", "SELECT count(*) > 0 FROM orders"});
        assertTrue(p.flag("s3-path-style"));
        assertEquals(2, p.all("check").size());
        AgentCommand.Parsed r = AgentCommand.parse(new String[] {"restore", "--dir", "d", "--host", "h", "--backup-id", "b1",
                "--target-database", "shop_copy", "--overwrite", "--no-owner"});
        assertTrue(r.flag("overwrite"));
        assertTrue(r.flag("no-owner"));
        assertFalse(AgentCommand.parse(new String[] {"restore", "--dir", "d", "--backup-id", "b1"}).flag("overwrite"));
    }

    @Test
    void rejectsBadCommandLines() {
        String[][] bad = {
                {}, {"agent"}, {"explode", "--dir", "d"},
                {"backup", "--host", "h"},                                  // no storage
                {"backup", "--dir", "d", "--s3-bucket", "b"},              // two storages
                {"backup", "--dir", "d", "--target-database", "x"},        // restore option on backup
                {"list", "--dir", "d", "--host", "h"},                     // list needs no server
                {"backup", "--dir", "d", "--format"},                      // missing value
                {"backup", "--dir", "d", "--host", "a", "--host", "b"},    // twice
                {"restore", "--dir", "d", "--overwrite=yes"},              // flag with value
                {"backup", "--dir", "d", "stray"},
                {"backup", "--dir", "d", "--password", "secret"},          // passwords never come from options
        };
        for (String[] args : bad) {
            AgentException e = assertThrows(AgentException.class, () -> AgentCommand.parse(args), String.join(" ", args));
            assertEquals(AgentException.Reason.INVALID, e.reason());
        }
    }

    @Test
    void passwordComesFromTheEnvironmentOnly() {
        AgentCommand.Parsed p = AgentCommand.parse(new String[] {"backup", "--dir", "d", "--host", "db.svc", "--user", "backup"});
        PgEndpoint e = AgentCommand.endpoint(p, Map.of("PGPASSWORD", "s3cr3t-pw"));
        assertArrayEquals("s3cr3t-pw".toCharArray(), e.password());
        assertEquals(5432, e.port());
        assertEquals("postgres", e.database());
        assertFalse(e.toString().contains("s3cr3t"));
    }

    @Test
    void usageErrorsAndFailuresBecomeExitCodesAndJson(@TempDir Path tmp) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        assertEquals(2, AgentCommand.run(new String[] {"backup"}, out, Map.of()));
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("\"error\":\"INVALID\""));

        buf.reset();
        assertEquals(0, AgentCommand.run(new String[] {"list", "--dir", tmp.toString()}, out, Map.of()));
        assertEquals("[]", buf.toString(StandardCharsets.UTF_8).trim());

        buf.reset();
        assertEquals(AgentException.Reason.NOT_FOUND.exitCode,
                AgentCommand.run(new String[] {"unpack", "--dir", tmp.toString(), "--backup-id", "nope", "--data-dir", tmp.resolve("pg").toString()}, out, Map.of()));
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("NOT_FOUND"));
    }
}
