package io.shopdb.operator.agent;

import io.shopdb.operator.agent.protocol.AgentSummary;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Process entry of the agent: {@code java -cp ... io.shopdb.operator.agent.AgentMain backup ...} (the sandbox
 * runs it like this when there is no packaged jar) and, through {@code ShopdbMain}, {@code java -jar
 * quarkus-run.jar agent ...} (what Job pods run). Runs {@link AgentCommand}, exits with its code, and also
 * writes the JSON result line to the file named by {@code SHOPDB_TERMINATION_LOG} (the Job sets it to the
 * container's terminationMessagePath): the operator reads results from the Pod's
 * {@code state.terminated.message}, because reading pod logs from a controller is neither cheap nor reliable.
 */
public final class AgentMain {

    private AgentMain() {}

    public static void main(String[] args) {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new Tee(System.out, copy), true, StandardCharsets.UTF_8);
        int code = AgentCommand.run(args, out);
        out.flush();
        String path = System.getenv(AgentSummary.TERMINATION_LOG_ENV);
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

    /** The result line as an {@link AgentSummary} made to fit the termination message (a list's array is cut plainly). */
    static String compact(String resultLine) {
        if (resultLine.startsWith("{")) {
            return AgentSummary.parse(resultLine).toTerminationMessage();
        }
        byte[] bytes = resultLine.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= AgentSummary.TERMINATION_LIMIT ? resultLine
                : new String(bytes, 0, AgentSummary.TERMINATION_LIMIT - 8, StandardCharsets.UTF_8);
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
