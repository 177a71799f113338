package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentException;

import io.shopdb.operator.agent.protocol.AgentRequest;
import io.shopdb.operator.agent.protocol.AgentSummary;
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
        var b = (AgentRequest.Backup) AgentRequest.parse("agent", "backup", "--dir", "/backups", "--host=db", "--port", "6432",
                "--database", "shop", "--database=inventory", "--format", "directory", "--jobs", "4", "--compression=gzip:9");
        assertEquals("backup", b.command());
        assertEquals(List.of("shop", "inventory"), b.databases());
        assertEquals(AgentRequest.Format.directory, b.format());
        assertEquals(4, b.jobs());
        assertEquals("6432", b.server().port());
        assertEquals("/backups", b.storage().dir());
        assertNull(((AgentRequest.Backup) AgentRequest.parse("backup", "--dir", "x", "--host", "h")).format(), "leading 'agent' is optional");
    }

    @Test
    void parsesFlagsAndRepeatableChecks() {
        var v = (AgentRequest.Verify) AgentRequest.parse("verify", "--s3-bucket", "b", "--s3-path-style", "--host", "h",
                "--backup-id", "b1", "--check", "SELECT true", "--check", "SELECT count(*) > 0 FROM orders");
        assertTrue(v.storage().s3().pathStyle());
        assertEquals(2, v.checks().size());
        var r = (AgentRequest.Restore) AgentRequest.parse("restore", "--dir", "d", "--host", "h", "--backup-id", "b1",
                "--target-database", "shop_copy", "--overwrite", "--no-owner");
        assertTrue(r.overwrite());
        assertTrue(r.noOwner());
        assertFalse(((AgentRequest.Restore) AgentRequest.parse("restore", "--dir", "d", "--host", "h", "--backup-id", "b1",
                "--target-database", "t")).overwrite());
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
                {"backup", "--dir", "d"},                                  // no server
                {"restore", "--dir", "d", "--host", "h", "--backup-id", "b1"}, // no target database
                {"backup", "--dir", "d", "--host", "h", "--method", "snapshot"},
                {"backup", "--dir", "d", "--host", "h", "--jobs", "many"},
        };
        for (String[] args : bad) {
            AgentException e = assertThrows(AgentException.class, () -> AgentRequest.parse(args), String.join(" ", args));
            assertEquals(AgentException.Reason.INVALID, e.reason());
            assertTrue(e.getMessage().startsWith("usage: "), e.getMessage());
        }
    }

    @Test
    void passwordComesFromTheEnvironmentOnly() {
        var b = (AgentRequest.Backup) AgentRequest.parse("backup", "--dir", "d", "--host", "db.svc", "--user", "backup");
        PgEndpoint e = AgentCommand.endpoint(b.server(), Map.of("PGPASSWORD", "s3cr3t-pw"));
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
