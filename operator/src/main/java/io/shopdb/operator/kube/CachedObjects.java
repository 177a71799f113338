package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Secrets and ConfigMaps the operator keeps in its informer caches: only those it made and those a resource
 * references, never every Secret of the watched namespaces (every team's credentials would sit in the operator's
 * heap, and each change of any of them would reach it).
 *
 * <p>Two labels, so two informers for a kind that needs both (the role controller's Secrets, shared by the others
 * through {@link SecretCaches}):
 * <ul>
 * <li>{@value #MANAGED_BY_LABEL}={@value #MANAGED_BY}: on everything the operator makes (the builders add it, see
 *     {@link #madeByOperator}). Objects made by earlier versions carry it already, so an upgrade finds them cached.
 * <li>{@value #REFERENCED_LABEL}=true: on a user's Secret or ConfigMap a resource names (a role's passwordSecretRef,
 *     an external cluster's admin and CA Secrets, a user CA, a migration's script ConfigMaps). The operator adds it,
 *     with a merge patch of that one label, the first time it reads the object and finds it only through a GET
 *     ({@link #read}); from then on the object is in the cache and its changes wake the resources that name it.
 * </ul>
 * Why not one label on both: managed-by means "made by the operator" to other code (RolePasswords refuses such a
 * Secret as a role's password) and to people, so a user's Secret may not carry it, and a label selector cannot OR
 * two keys. Why not a new key on the operator's own objects as well: those made before it existed would be missing
 * from the caches until rewritten. Why a label written on first read: an informer per referenced name (a field
 * selector) would not scale to a thousand roles, and the reference itself is all the operator knows of the object.
 *
 * <p>Costs, accepted: the label stays when no resource references the object any more (knowing that would take a
 * scan of every kind); an object created after the resource that names it sends no event (it carries no label yet),
 * so that wait is a backoff re-check. Removing the label by hand is harmless: the next read of a still-referenced
 * object puts it back. Secrets the operator never reads (a backup target's S3 credentials, an import source's
 * credentials: pods get them as secretKeyRefs) are neither labelled nor cached.
 */
public final class CachedObjects {
    private static final Logger LOG = Logger.getLogger(CachedObjects.class);

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "shopdb-operator";
    public static final String REFERENCED_LABEL = "shopdb.io/referenced";

    /** Label selector of the informers of what the operator made. */
    public static final String MADE_BY_OPERATOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;
    /** Label selector of the informers of what a resource references. */
    public static final String REFERENCED = REFERENCED_LABEL + "=true";

    private CachedObjects() {}

    /** {@code labels} plus the managed-by label: every Secret and ConfigMap the operator makes carries it. */
    public static Map<String, String> madeByOperator(Map<String, String> labels) {
        Map<String, String> out = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        out.put(MANAGED_BY_LABEL, MANAGED_BY);
        return out;
    }

    public static boolean isMadeByOperator(HasMetadata o) {
        return o != null && o.getMetadata().getLabels() != null && MANAGED_BY.equals(o.getMetadata().getLabels().get(MANAGED_BY_LABEL));
    }

    public static boolean isReferenced(HasMetadata o) {
        return o != null && o.getMetadata().getLabels() != null && "true".equals(o.getMetadata().getLabels().get(REFERENCED_LABEL));
    }

    /**
     * The object from the first of {@code caches} that holds it, else {@link #read}. What every reconcile uses to read
     * a Secret or ConfigMap by name: a steady state reads only caches.
     */
    public static <T extends HasMetadata> T get(List<? extends InformerEventSource<T, ?>> caches, KubernetesClient client,
                                               Class<T> type, String namespace, String name) {
        var id = new ResourceID(name, namespace);
        for (InformerEventSource<T, ?> cache : caches) {
            var found = cache.get(id);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return read(client, type, namespace, name);
    }

    /**
     * A GET, for an object no cache holds: one just made (the cache a moment behind), a missing one, or a user's
     * object a resource references and the operator has not read before. That last one gets the
     * {@value #REFERENCED_LABEL} label, so the informers cache it and its changes wake its resources from now on.
     * Null when there is no such object.
     */
    public static <T extends HasMetadata> T read(KubernetesClient client, Class<T> type, String namespace, String name) {
        T found = client.resources(type).inNamespace(namespace).withName(name).get();
        if (found == null || isMadeByOperator(found) || isReferenced(found)) {
            return found; // ours (its cache is merely behind), or labelled already
        }
        try {
            // only this label: a merge patch leaves the rest of the object (and other field managers' labels) alone
            T marked = client.resources(type).inNamespace(namespace).withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"" + REFERENCED_LABEL + "\":\"true\"}}}");
            return marked != null ? marked : found;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null; // deleted since the GET
            }
            // e.g. RBAC without patch (an older chart): still usable, read by GET until the label can be added
            LOG.warnf("%s %s/%s is referenced but could not be labelled %s, so it is read from the API server each time: %s",
                    type.getSimpleName(), namespace, name, REFERENCED_LABEL, e.getCode());
            return found;
        }
    }
}
