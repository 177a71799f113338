package io.shopdb.operator.testing;

import io.shopdb.operator.agent.PgTools;
import io.shopdb.operator.agent.Spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the tests need to run PostgreSQL's server programs here: where they are (the agent's own lookup: the
 * directory with pg_dump also holds initdb and pg_ctl) and, as root, the OS user {@code postgres} to run them as
 * (initdb refuses root). The sandbox module has its own for its pods; the operator module cannot depend on it.
 */
public final class LocalPostgres {
    private LocalPostgres() {}

    public static Path binDir() {
        return PgTools.locate().bin("initdb").getParent();
    }

    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command prefix that runs a program as the server's OS user. */
    public static List<String> asServerUser() {
        return runningAsRoot() ? List.of("runuser", "-u", "postgres", "--") : List.of();
    }

    /** Gives {@code dir} and everything in it to the server's OS user when we are root. */
    public static void handOver(Path dir) throws IOException {
        if (!runningAsRoot()) {
            return;
        }
        var lookup = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal postgres = lookup.lookupPrincipalByName("postgres");
        GroupPrincipal group = lookup.lookupPrincipalByGroupName("postgres");
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                view.setOwner(postgres);
                view.setGroup(group);
            }
        }
    }

    public static void deleteTree(Path dir) {
        Spool.deleteTree(dir);
    }
}
