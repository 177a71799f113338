package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The objects deleted lately, so that a watch started from a resourceVersion hears of a deletion that happened
 * after the client's list and before its watch began. kube-apiserver replays every change after the watch's
 * resourceVersion from its watch cache; fabric8's store answers a new watch with an ADDED event per object that
 * exists (which covers changes to those) and has no history, so a deletion in that gap was lost: {@code kubectl
 * delete --wait} then waited its full timeout for an object that was already gone.
 */
final class RecentDeletions {
    /** Enough for the sandbox's bursts (a namespace of shop objects); a client further behind relists anyway. */
    private static final int KEPT = 4096;

    record Deletion(long resourceVersion, AttributeSet attributes, String object) { }

    private final Deque<Deletion> deletions = new ArrayDeque<>();

    synchronized void record(long resourceVersion, AttributeSet attributes, String object) {
        deletions.addLast(new Deletion(resourceVersion, attributes, object));
        if (deletions.size() > KEPT) {
            deletions.removeFirst();
        }
    }

    /**
     * The deletions after {@code resourceVersion} that a watch would have heard ({@code heard}: its selectors match,
     * and no object of that name exists again, else the watch's ADDED event speaks for it).
     */
    synchronized List<Deletion> since(long resourceVersion, Predicate<Deletion> heard) {
        List<Deletion> out = new ArrayList<>();
        for (Deletion d : deletions) {
            if (d.resourceVersion() > resourceVersion && heard.test(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Whether two stored objects' attributes name the same object (kind, namespace, name). */
    static boolean sameObject(AttributeSet a, AttributeSet b) {
        for (String key : new String[] {"plural", "namespace", "name", "version"}) {
            if (!Objects.equals(a.getAttribute(key), b.getAttribute(key))) {
                return false;
            }
        }
        return true;
    }

    /** The watch event a deletion is heard as: the object's last state, at the deletion's resourceVersion. */
    static String event(Deletion d) {
        ObjectNode object = (ObjectNode) Responses.read(d.object());
        ((ObjectNode) object.get("metadata")).put("resourceVersion", Long.toString(d.resourceVersion()));
        ObjectNode event = Responses.readObject("{}");
        event.put("type", "DELETED").set("object", object);
        return event.toString();
    }

    /** A watch's listener that, once the watch is open, sends the deletions it missed. */
    static WebSocketListener replaying(WebSocketListener watch, java.util.function.Supplier<List<Deletion>> missed) {
        return new WebSocketListener() {
            @Override
            public void onBeforeAccept(WebSocket ws, Response response) {
                watch.onBeforeAccept(ws, response);
            }

            @Override
            public void onOpen(WebSocket ws, Response response) {
                watch.onOpen(ws, response);
                for (Deletion d : missed.get()) {
                    ws.send(event(d));
                }
            }

            @Override
            public void onMessage(WebSocket ws, String text) {
                watch.onMessage(ws, text);
            }

            @Override
            public void onMessage(WebSocket ws, byte[] bytes) {
                watch.onMessage(ws, bytes);
            }

            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                watch.onClosing(ws, code, reason);
            }

            @Override
            public void onClosed(WebSocket ws, int code, String reason) {
                watch.onClosed(ws, code, reason);
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                watch.onFailure(ws, t, response);
            }
        };
    }
}
