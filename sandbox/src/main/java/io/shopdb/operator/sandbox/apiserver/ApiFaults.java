package io.shopdb.operator.sandbox.apiserver;

import io.fabric8.mockwebserver.http.MockResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * A switchable fault layer of the sandbox API server, off by default: while a {@link Plan} runs, a share of the
 * requests of the chosen clients is answered the way a struggling kube-apiserver answers them, so retries,
 * re-lists and conflict handling of the operator are exercised against the same rules as everything else.
 * <ul>
 *   <li>409 Conflict on update/patch, the answer to a stale {@code resourceVersion} ("the object has been
 *   modified"); never on create, where kube-apiserver's 409 means AlreadyExists and would lie;</li>
 *   <li>429 TooManyRequests with {@code Retry-After: 1}, as API Priority and Fairness rejects a request;</li>
 *   <li>500 InternalError before the request is applied (storage unavailable);</li>
 *   <li>504 Timeout after a write was applied ("may still be processing the request"): the client retries a
 *   write that already happened, which is how duplicates are made in real clusters;</li>
 *   <li>a delay before an answer;</li>
 *   <li>watches ended mid-stream, as kube-apiserver ends every watch after its request timeout: the client must
 *   watch again (and in the sandbox gets the current objects again, see the design notes).</li>
 * </ul>
 * Decisions come from one seeded {@link Random}, drawn in the order requests arrive: a seed replays the same
 * sequence of decisions, though concurrent clients may arrive in another order.
 */
public final class ApiFaults {
    /** What a chosen request gets. */
    public enum Fault {
        CONFLICT(409, "Conflict"), TOO_MANY_REQUESTS(429, "TooManyRequests"), INTERNAL_ERROR(500, "InternalError"),
        TIMEOUT_AFTER_WRITE(504, "Timeout"), DELAY(0, "");

        public final int code;
        public final String reason;

        Fault(int code, String reason) {
            this.code = code;
            this.reason = reason;
        }
    }

    /** One rule: of the requests with one of {@code verbs} (empty: all) on {@code resources} (empty: all), this share. */
    public record Rule(Fault fault, double probability, Set<String> verbs, Set<String> resources) {
        boolean matches(ApiRequests.Request r) {
            return (verbs.isEmpty() || verbs.contains(r.verb())) && (resources.isEmpty() || resources.contains(r.resource()));
        }

        boolean applies(ApiRequests.Request r) {
            return switch (fault) {
                case CONFLICT -> r.verb().equals("update") || r.verb().equals("patch");
                case TIMEOUT_AFTER_WRITE -> !r.verb().equals("get") && !r.verb().equals("list") && !r.verb().equals("watch");
                case TOO_MANY_REQUESTS, INTERNAL_ERROR, DELAY -> !r.verb().equals("watch");
            };
        }
    }

    /** A fault schedule; build one with {@link #plan(long)}. */
    public static final class Plan {
        private final long seed;
        private final List<Rule> rules = new ArrayList<>();
        private Duration delay = Duration.ofMillis(200);
        private Duration watchDropEvery;
        private Predicate<String> clients = agent -> true;

        private Plan(long seed) {
            this.seed = seed;
        }

        /** {@code fault} for this share (0..1) of every request it can apply to. */
        public Plan inject(Fault fault, double probability) {
            return inject(fault, probability, Set.of(), Set.of());
        }

        /** {@code fault} for this share of the requests with one of these verbs on one of these resources (e.g. "secrets", "postgresroles/status"). */
        public Plan inject(Fault fault, double probability, Set<String> verbs, Set<String> resources) {
            rules.add(new Rule(fault, probability, Set.copyOf(verbs), Set.copyOf(resources)));
            return this;
        }

        /** How long a {@link Fault#DELAY} holds an answer (default 200 ms). */
        public Plan delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        /** Ends one open watch of the chosen clients, at random, at about this interval. */
        public Plan dropWatchesEvery(Duration interval) {
            this.watchDropEvery = interval;
            return this;
        }

        /** Only requests whose User-Agent passes this test are touched (the sandbox's own are never). */
        public Plan clients(Predicate<String> userAgents) {
            this.clients = userAgents;
            return this;
        }
    }

    /** An open watch the fault layer may end. */
    interface OpenWatch {
        String userAgent();

        /** False once the watch ended by itself (the client went); the registry forgets it then. */
        boolean open();

        void end();
    }

    private final Set<OpenWatch> watches = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> injected = new ConcurrentHashMap<>();
    private final String exemptAgent;
    private volatile Plan plan;
    private Random random = new Random(0);
    private ScheduledExecutorService dropper;
    private ScheduledFuture<?> dropping;

    ApiFaults(String exemptAgent) {
        this.exemptAgent = exemptAgent;
    }

    public static Plan plan(long seed) {
        return new Plan(seed);
    }

    /** Starts injecting per {@code plan} (replacing a running one). */
    public synchronized void start(Plan plan) {
        stop();
        this.random = new Random(plan.seed);
        this.plan = plan;
        if (plan.watchDropEvery != null) {
            dropper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "api-faults-watch-drops");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, plan.watchDropEvery.toMillis());
            dropping = dropper.scheduleWithFixedDelay(this::dropOneWatch, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops injecting; requests are answered normally from now on. */
    public synchronized void stop() {
        plan = null;
        if (dropping != null) {
            dropping.cancel(false);
            dropper.shutdownNow();
            dropping = null;
            dropper = null;
        }
    }

    public boolean active() {
        return plan != null;
    }

    /** Faults injected so far (since the server started), by kind, including watch drops ("WATCH_DROP"). */
    public Map<String, Long> injected() {
        Map<String, Long> out = new TreeMap<>();
        injected.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Ends every open watch now (of the running plan's clients; of every client but the sandbox's without one); returns how many. */
    public int dropWatches() {
        Plan p = plan;
        Plan everyone = new Plan(0);
        int n = 0;
        for (OpenWatch w : List.copyOf(watches)) {
            if (w.open() && chosen(p == null ? everyone : p, w.userAgent())) {
                end(w);
                n++;
            }
        }
        return n;
    }

    /** The fault for this request, or null to answer it normally. */
    Fault decide(ApiRequests.Request request) {
        Plan p = plan;
        if (p == null || !chosen(p, request.userAgent())) {
            return null;
        }
        double roll;
        synchronized (this) {
            roll = random.nextDouble();
        }
        double upTo = 0;
        for (Rule rule : p.rules) {
            if (rule.matches(request) && rule.applies(request)) {
                upTo += rule.probability();
                if (roll < upTo) {
                    injected.computeIfAbsent(rule.fault().name(), k -> new LongAdder()).increment();
                    return rule.fault();
                }
            }
        }
        return null;
    }

    /** Holds the calling (worker) thread for the plan's delay. */
    void delay() {
        Plan p = plan;
        try {
            Thread.sleep(p == null ? 0 : p.delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** kube-apiserver's answer for {@code fault} on {@code path}. */
    static MockResponse answer(Fault fault, ApiPath path) {
        String resource = path == null ? "" : path.group().isEmpty() ? path.plural() : path.plural() + "." + path.group();
        return switch (fault) {
            case CONFLICT -> ApiException.conflict(path,
                    "the object has been modified; please apply your changes to the latest version and try again").response();
            case TOO_MANY_REQUESTS -> {
                // API Priority and Fairness: the wait both in the header and in details.retryAfterSeconds
                MockResponse r = new ApiException(429, "TooManyRequests", "Too many requests, please try again later.").response();
                com.fasterxml.jackson.databind.node.ObjectNode body = (com.fasterxml.jackson.databind.node.ObjectNode) Responses.body(r);
                body.putObject("details").put("retryAfterSeconds", 1);
                yield Responses.json(429, body).setHeader("Retry-After", "1");
            }
            case INTERNAL_ERROR -> new ApiException(500, "InternalError",
                    "Internal error occurred: etcdserver: request timed out").response();
            case TIMEOUT_AFTER_WRITE -> new ApiException(504, "Timeout",
                    "Timeout: request did not complete within requested timeout - context deadline exceeded"
                            + (resource.isEmpty() ? "" : " (" + resource + ")")).response();
            case DELAY -> throw new IllegalArgumentException("a delay has no answer of its own");
        };
    }

    void opened(OpenWatch watch) {
        watches.removeIf(w -> !w.open());
        watches.add(watch);
    }


    private boolean chosen(Plan p, String userAgent) {
        String agent = userAgent == null ? "" : userAgent;
        return p != null && !agent.equals(exemptAgent) && p.clients.test(agent);
    }

    private void dropOneWatch() {
        Plan p = plan;
        watches.removeIf(w -> !w.open());
        List<OpenWatch> candidates = watches.stream().filter(w -> chosen(p, w.userAgent())).toList();
        if (candidates.isEmpty()) {
            return;
        }
        int i;
        synchronized (this) {
            i = random.nextInt(candidates.size());
        }
        end(candidates.get(i));
    }

    private void end(OpenWatch w) {
        watches.remove(w);
        injected.computeIfAbsent("WATCH_DROP", k -> new LongAdder()).increment();
        w.end();
    }
}
