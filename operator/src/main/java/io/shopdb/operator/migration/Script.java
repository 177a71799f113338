package io.shopdb.operator.migration;

import org.flywaydb.core.api.resource.LoadableResource;

import java.io.Reader;
import java.io.StringReader;
import java.util.regex.Pattern;

/**
 * One migration script held in memory (from a ConfigMap key), presented to Flyway as a resource so no file
 * ever touches the operator's disk.
 */
public final class Script extends LoadableResource {
    /** Flyway's default naming: V&lt;version&gt;__&lt;description&gt;.sql or R__&lt;description&gt;.sql. */
    static final Pattern NAME = Pattern.compile("^(V[0-9]+([._][0-9]+)*__[A-Za-z0-9_.-]+|R__[A-Za-z0-9_.-]+)\\.sql$");

    private final String name;
    private final String content;

    public Script(String name, String content) {
        this.name = name;
        this.content = content;
    }

    public static boolean isMigrationName(String name) {
        return NAME.matcher(name).matches();
    }

    public String name() { return name; }
    public String content() { return content; }

    @Override public Reader read() { return new StringReader(content); }
    @Override public String getAbsolutePath() { return name; }
    @Override public String getAbsolutePathOnDisk() { return name; }
    @Override public String getFilename() { return name; }
    @Override public String getRelativePath() { return name; }
}
