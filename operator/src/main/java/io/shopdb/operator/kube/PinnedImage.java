package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

import java.util.HashMap;
import java.util.function.Function;

/**
 * An image that is the operator's own (the agent, PgBouncer) inside a workload's pod template. The operator's image
 * changes with every operator upgrade; putting it into the template at once would roll every workload. So the
 * workload keeps the image its pods run (pinned) and moves to the operator's only when its pod template changes for
 * another reason anyway: that roll carries it. The workload object records the hash of the template it was built
 * with (an annotation of its own metadata: changing it rolls nothing), so "another reason" is a comparison. Pure.
 */
public final class PinnedImage {
    public static final String TEMPLATE_HASH = "shopdb.io/pod-template-hash";

    private PinnedImage() {}

    /** A workload built with the image chosen for its pods. */
    public record Built<T>(String image, T workload) {}

    /**
     * Builds the workload ({@code build}: stamped, for an image) with {@code pinned}, the image its pods run, while
     * that leaves {@code existing}'s pod template as it is; otherwise (nothing pinned, no workload yet, or a template
     * that changes anyway) with the operator's. In the steady state the workload is built once.
     */
    public static <T extends HasMetadata> Built<T> build(String pinned, T existing, String operatorImage, Function<String, T> build) {
        return build(pinned, existing, operatorImage, false, build);
    }

    /** As above; {@code moveNow}: take the operator's image even when nothing else changes (a maintenance window is open). */
    public static <T extends HasMetadata> Built<T> build(String pinned, T existing, String operatorImage, boolean moveNow, Function<String, T> build) {
        if (!moveNow && pinned != null && existing != null && !pinned.equals(operatorImage)) {
            T withPinned = build.apply(pinned);
            if (choose(pinned, operatorImage, rollsAnyway(existing, withPinned)).equals(pinned)) {
                return new Built<>(pinned, withPinned);
            }
        }
        return new Built<>(operatorImage, build.apply(operatorImage));
    }

    /** Stamps the hash of {@code template} on the workload {@code desired}; returns it. */
    public static <T extends HasMetadata> T stamp(T desired, PodTemplateSpec template) {
        if (desired.getMetadata().getAnnotations() == null) {
            desired.getMetadata().setAnnotations(new HashMap<>());
        }
        desired.getMetadata().getAnnotations().put(TEMPLATE_HASH, DesiredState.hashOf(template));
        return desired;
    }

    /** The template hash a workload was built with; null for one built before hashes were stamped. */
    public static String stamped(HasMetadata existing) {
        return existing == null || existing.getMetadata().getAnnotations() == null ? null
                : existing.getMetadata().getAnnotations().get(TEMPLATE_HASH);
    }

    /**
     * The image to build with. {@code pinned}: what the pods run (null: nothing yet, take the operator's).
     * {@code rollsAnyway}: the template built with {@code pinned} differs from the one the workload has.
     */
    public static String choose(String pinned, String operatorImage, boolean rollsAnyway) {
        if (pinned == null || pinned.equals(operatorImage) || rollsAnyway) {
            return operatorImage;
        }
        return pinned;
    }

    /**
     * Whether building with {@code pinned} would change {@code existing}'s template ({@code withPinned}: the workload
     * built with it and stamped). A workload stamped by no earlier apply (an operator from before pinning) keeps its pods.
     */
    public static boolean rollsAnyway(HasMetadata existing, HasMetadata withPinned) {
        String before = stamped(existing);
        return before != null && !before.equals(stamped(withPinned));
    }
}
