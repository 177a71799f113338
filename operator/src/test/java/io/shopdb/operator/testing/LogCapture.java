package io.shopdb.operator.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures every log record of the test JVM (JBoss LogManager implements JUL), to prove secrets never reach logs. */
public final class LogCapture extends Handler {
    private static final LogCapture INSTANCE = new LogCapture();
    private final List<String> lines = new ArrayList<>();

    public static synchronized LogCapture install() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            if (h == INSTANCE) {
                return INSTANCE;
            }
        }
        root.addHandler(INSTANCE);
        return INSTANCE;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        String message = record.getMessage();
        if (record.getParameters() != null && message != null) {
            try {
                message = String.format(message, record.getParameters()) + " " + java.util.Arrays.toString(record.getParameters());
            } catch (RuntimeException e) {
                message = message + " " + java.util.Arrays.toString(record.getParameters());
            }
        }
        lines.add(record.getLoggerName() + " " + message + (record.getThrown() == null ? "" : " " + record.getThrown()));
    }

    public synchronized List<String> linesContaining(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    public synchronized int size() {
        return lines.size();
    }

    @Override public void flush() {}
    @Override public void close() {}
}
