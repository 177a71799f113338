package io.shopdb.operator.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Process entry of the agent: {@code java -cp ... io.shopdb.operator.agent.AgentMain backup ...} (the sandbox
 * runs it like this when there is no packaged jar) and, through {@code ShopdbMain}, {@code java -jar
 * quarkus-run.jar agent ...} (what Job pods run). Runs {@link AgentCommand}, exits with its code, and also
 * writes the JSON result line to the file named by {@value #TERMINATION_LOG_ENV} (the Job sets it to the
 * container's terminationMessagePath): the operator reads results from the Pod's
 * {@code state.terminated.message}, because reading pod logs from a controller is neither cheap nor reliable.
 */
public final class AgentMain {
    public static final String TERMINATION_LOG_ENV = "SHOPDB_TERMINATION_LOG";
    /** The kubelet keeps at most 4096 bytes of a termination message. */
    public static final int TERMINATION_LIMIT = 4096;
    /** Dropped, in this order, until the result fits the termination message (the manifest has them all). */
    private static final List<String> DROPPABLE = List.of("fileList", "rowCounts", "mismatches", "databases");

    private AgentMain() {}

    public static void main(String[] args) {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new Tee(System.out, copy), true, StandardCharsets.UTF_8);
        int code = AgentCommand.run(args, out);
        out.flush();
        String path = System.getenv(TERMINATION_LOG_ENV);
        if (path != null && !path.isBlank()) {
            writeTerminationMessage(Paths.get(path), copy.toString(StandardCharsets.UTF_8));
        }
        System.exit(code);
    }

    static void writeTerminationMessage(Path file, String output) {
        String first = output.lines().findFirst().orElse("");
        try {
            Files.writeString(file, compact(first));
        } catch (IOException e) {
            System.err.println("agent: cannot write the termination message: " + e.getMessage());
        }
    }

    /** The result line, made to fit {@link #TERMINATION_LIMIT} bytes by dropping bulky fields. */
    public static String compact(String resultLine) {
        if (resultLine.getBytes(StandardCharsets.UTF_8).length <= TERMINATION_LIMIT) {
            return resultLine;
        }
        try {
            var mapper = BackupManifest.json().copy().disable(SerializationFeature.INDENT_OUTPUT);
            Map<String, Object> map = new LinkedHashMap<>(mapper.readValue(resultLine, new TypeReference<Map<String, Object>>() {}));
            for (String key : DROPPABLE) {
                if (map.remove(key) != null) {
                    map.put("truncated", true);
                    String s = mapper.writeValueAsString(map);
                    if (s.getBytes(StandardCharsets.UTF_8).length <= TERMINATION_LIMIT) {
                        return s;
                    }
                }
            }
            if (map.get("message") instanceof String m && m.length() > 2000) {
                map.put("message", m.substring(0, 2000));
                return mapper.writeValueAsString(map);
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: fall through to a plain cut
        }
        return new String(resultLine.getBytes(StandardCharsets.UTF_8), 0, TERMINATION_LIMIT - 8, StandardCharsets.UTF_8);
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
