package io.shopdb.operator.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sandbox's stand-in for pulling a PostgreSQL image of another major. */
class OtherMajorsTest {

    @Test
    void aPostgresImageTagNamesItsMajorOtherImagesNone() {
        assertEquals(16, OtherMajors.majorOf("postgres:16"));
        assertEquals(17, OtherMajors.majorOf("registry.example.com:5000/team/postgresql:17.2-bookworm"));
        assertEquals(16, OtherMajors.majorOf("postgres:16@sha256:abc"));
        assertNull(OtherMajors.majorOf("postgres"), "no tag");
        assertNull(OtherMajors.majorOf("postgres:latest"));
        assertNull(OtherMajors.majorOf("ghcr.io/shopdb/shopdb-operator:0.1.0"), "the agent's image is no PostgreSQL");
        assertNull(OtherMajors.majorOf("bitnami/pgbouncer:1.23"));
        assertNull(OtherMajors.majorOf("localhost:5000/postgres"), "a registry port is no tag");
    }

    @Test
    void postgres16RunsTheUnpackedSixteenFirstAndAMajorItLacksCannotStart() throws Exception {
        String path = OtherMajors.path("postgres:16");
        String first = path.split(":")[0];
        Process p = new ProcessBuilder(Path.of(first, "postgres").toString(), "--version").redirectErrorStream(true).start();
        String version = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertTrue(version.contains("(PostgreSQL) 16."), version);
        assertTrue(path.endsWith(LocalPostgres.binDir().toString()), "the machine's clients (psql, pg_dump) after it: " + path);
        assertEquals(LocalPostgres.binDir().toString(), OtherMajors.path("postgres:15"));
        var e = assertThrows(PodEnvironment.ConfigException.class, () -> OtherMajors.path("postgres:11"));
        assertTrue(e.getMessage().contains("the sandbox has no PostgreSQL 11 binaries"), e.getMessage());
    }
}
