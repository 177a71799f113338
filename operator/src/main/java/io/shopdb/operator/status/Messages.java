package io.shopdb.operator.status;

/** Turning errors into one-line condition and Event messages. */
public final class Messages {
    private Messages() {}

    /**
     * The first line of an error's message. Server errors carry details and hints on later lines; a
     * condition message should stay one readable line. (No password is ever in these: passwords are sent
     * only as SCRAM proofs or set with client-side hashing.)
     */
    public static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl > 0 ? message.substring(0, nl) : message;
    }

    public static String firstLine(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
    }

    /** {@code text} cut to at most {@code max} characters, ending in "..." when cut: what a bounded status field can hold. Null stays null. */
    public static String bounded(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
