package io.shopdb.operator.sql;

import io.shopdb.operator.testing.PostgresExtension;
import io.shopdb.operator.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The catalog side of spec.memberOf: what a membership would reach, found through pg_auth_members. */
@ExtendWith(PostgresExtension.class)
class RoleMembershipsPgTest {
    private static final String NO_GAIN = ": a PostgresRole cannot gain that through a membership";

    @Test
    void membershipsReachingPowerfulRolesAreProblemsAndPlainOnesAreNot(TestPostgres pg) throws SQLException {
        String su = SqlTestNames.unique("su_like");
        String rep = SqlTestNames.unique("rep_like");
        String boss = SqlTestNames.unique("boss");
        String mid = SqlTestNames.unique("mid");
        String chain = SqlTestNames.unique("chain");
        String plain = SqlTestNames.unique("plain");
        String creator = SqlTestNames.unique("creator");
        String programs = SqlTestNames.unique("programs");
        pg.exec("postgres",
                "CREATE ROLE " + su + " NOLOGIN SUPERUSER",
                "CREATE ROLE " + rep + " NOLOGIN REPLICATION",
                "CREATE ROLE " + boss + " NOLOGIN SUPERUSER",
                "CREATE ROLE " + mid + " NOLOGIN",
                "CREATE ROLE " + chain + " NOLOGIN",
                "GRANT " + boss + " TO " + mid,
                "GRANT " + mid + " TO " + chain,
                "CREATE ROLE " + plain + " NOLOGIN",
                "CREATE ROLE " + creator + " NOLOGIN CREATEROLE",
                "CREATE ROLE " + programs + " NOLOGIN",
                "GRANT pg_execute_server_program TO " + programs);
        try (Connection c = pg.connect()) {
            assertEquals(List.of(
                            "spec.memberOf[0]: " + su + " has SUPERUSER" + NO_GAIN,
                            "spec.memberOf[1]: " + rep + " has REPLICATION" + NO_GAIN,
                            "spec.memberOf[2]: " + chain + " is a member of " + boss + ", which has SUPERUSER" + NO_GAIN),
                    RoleMemberships.problems(c, List.of(su, rep, chain, plain)));
            assertEquals(List.of(
                            "spec.memberOf[0]: " + creator + " has CREATEROLE" + NO_GAIN,
                            "spec.memberOf[1]: " + programs + " is a member of pg_execute_server_program, which cannot be joined:"
                                    + " runs programs on the database server (COPY ... PROGRAM)"),
                    RoleMemberships.problems(c, List.of(creator, programs, "pg_monitor", "no_such_role_here")));
            assertEquals(List.of(), RoleMemberships.problems(c, List.of(plain, mid + "_missing")));
            assertEquals(List.of(), RoleMemberships.problems(c, List.of()));
        } finally {
            pg.exec("postgres", "DROP ROLE " + chain, "DROP ROLE " + mid, "DROP ROLE " + boss, "DROP ROLE " + su,
                    "DROP ROLE " + rep, "DROP ROLE " + plain, "DROP ROLE " + creator, "DROP ROLE " + programs);
        }
    }
}
