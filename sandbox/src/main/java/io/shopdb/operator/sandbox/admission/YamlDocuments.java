package io.shopdb.operator.sandbox.admission;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads multi-document YAML ({@code ---} separated) into plain Java trees: objects become
 * {@code Map<String, Object>}, arrays {@code List<Object>}, scalars String/Integer/Long/Double/
 * Boolean/null. Empty documents (nothing, or only comments) are skipped, as kubectl does.
 * Duplicate keys are an error, as with kubectl's strict decoding.
 */
public final class YamlDocuments {

    /** One non-empty document and the line (1-based) where it starts, for error messages. */
    public record Document(int line, Object content) {
    }

    /** Invalid YAML; {@link #line()} is where the parser gave up (1-based, 0 if unknown). */
    public static final class InvalidYamlException extends IllegalArgumentException {
        private final int line;

        InvalidYamlException(int line, String message, Throwable cause) {
            super(message, cause);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private YamlDocuments() {
    }

    /** Parses every document of {@code yaml}, in order. */
    public static List<Document> parse(String yaml) {
        List<Document> documents = new ArrayList<>();
        try (JsonParser parser = MAPPER.getFactory().createParser(yaml)) {
            while (parser.nextToken() != null) {
                int line = parser.currentTokenLocation().getLineNr();
                Object content = MAPPER.readValue(parser, Object.class);
                if (content != null) {
                    documents.add(new Document(line, content));
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidYamlException(at == null ? 0 : at.getLineNr(),
                    "invalid YAML: " + oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source does no real I/O
        }
        return documents;
    }

    /**
     * SnakeYAML's messages quote the offending source with a caret under it over several lines;
     * keep the sentences only ("while parsing a flow sequence, expected ',' or ']', ...").
     */
    private static String oneLine(String message) {
        List<String> kept = new ArrayList<>();
        String[] lines = message.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(" in '")) {
                i += 2; // the quoted source line and the caret line
            } else if (!lines[i].isBlank()) {
                kept.add(lines[i].strip());
            }
        }
        return String.join(", ", kept);
    }
}
