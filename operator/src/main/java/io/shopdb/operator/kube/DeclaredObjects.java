package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.PostgresRole;
import io.shopdb.operator.api.v1alpha1.ShopdbStatus;
import io.shopdb.operator.status.Conditions;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * PostgreSQL objects that other custom resources declare: a database's owner role (a PostgresRole), the
 * databases a role's grants name (PostgresDatabases), the roles in its memberOf. These refer to each other by
 * their name in PostgreSQL on one cluster, not by metadata.name, so {@link References} cannot map them.
 *
 * <p>A reconcile that finds such an object missing in the catalog asks {@link #find} whether a resource declares
 * it. If one does and is not Ready yet, that resource's next status change wakes the waiter through the event
 * source built by {@link #source}: the waiter reports Waiting at once and costs nothing meanwhile. If none does
 * (the object is made by hand or by a migration), only a timer can notice it.
 *
 * @param <S> the declaring kind
 */
public final class DeclaredObjects<S extends CustomResource<?, ? extends ShopdbStatus>> {
    /** Databases by PostgreSQL name, on the cluster their clusterRef names. */
    public static final DeclaredObjects<PostgresDatabase> DATABASES = new DeclaredObjects<>(PostgresDatabase.class,
            d -> d.getSpec() == null || d.getSpec().getClusterRef() == null ? null : d.getSpec().getClusterRef().getName(),
            DeclaredObjects::databaseName);
    /** Roles by PostgreSQL name, on the cluster their clusterRef names. */
    public static final DeclaredObjects<PostgresRole> ROLES = new DeclaredObjects<>(PostgresRole.class,
            r -> r.getSpec() == null || r.getSpec().getClusterRef() == null ? null : r.getSpec().getClusterRef().getName(),
            DeclaredObjects::roleName);

    private final Class<S> type;
    private final Function<S, String> cluster;
    private final Function<S, String> sqlName;

    private DeclaredObjects(Class<S> type, Function<S, String> cluster, Function<S, String> sqlName) {
        this.type = type;
        this.cluster = cluster;
        this.sqlName = sqlName;
    }

    /** The role's name in PostgreSQL: spec.name, else metadata.name. */
    public static String roleName(PostgresRole r) {
        return r.getSpec() == null || r.getSpec().getName() == null ? r.getMetadata().getName() : r.getSpec().getName();
    }

    /** The database's name in PostgreSQL: spec.name, else metadata.name. */
    public static String databaseName(PostgresDatabase d) {
        return d.getSpec() == null || d.getSpec().getName() == null ? d.getMetadata().getName() : d.getSpec().getName();
    }

    /**
     * An informer of the declaring kind whose events wake the primaries that wait for what it declares: those whose
     * {@code wanted} names (on the cluster {@code clusterOf} gives) hold its name. Found through an index of the
     * primary cache, never a scan. Adds and deletes always wake; an update only when {@link #statusMoved} says so.
     */
    public <P extends HasMetadata> InformerEventSource<S, P> source(EventSourceContext<P> context, String name,
                                                                    Function<P, String> clusterOf, Function<P, Collection<String>> wanted) {
        String index = "declared-" + name;
        context.getPrimaryCache().addIndexer(index, p -> keys(p, clusterOf, wanted));
        OnUpdateFilter<S> onUpdate = DeclaredObjects::statusMoved;
        var config = InformerEventSourceConfiguration.from(type, context.getPrimaryResourceClass())
                .withName(name)
                .withSecondaryToPrimaryMapper(s -> context.getPrimaryCache()
                        .byIndex(index, key(s.getMetadata().getNamespace(), cluster.apply(s), sqlName.apply(s))).stream()
                        .filter(p -> !sameObject(p, s)) // a role is never woken by its own status
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withOnUpdateFilter(onUpdate);
        return new InformerEventSource<>(config.build(), context);
    }

    /** The resource that declares {@code sqlName} on {@code clusterName} in {@code namespace}, from the informer's cache. */
    public Optional<S> find(InformerEventSource<S, ?> source, String namespace, String clusterName, String sqlName) {
        return source.list(namespace, s -> clusterName.equals(cluster.apply(s)) && sqlName.equals(this.sqlName.apply(s)))
                .findFirst();
    }

    /**
     * A change a waiter can act on: Ready turned, or the reason changed (a role that now exists in PostgreSQL goes
     * from WaitingForCluster to WaitingForDatabase), or the last applied plan changed (the role re-created). Status
     * refreshes that change nothing of that (sizes, lag) wake no one.
     */
    static <S extends CustomResource<?, ? extends ShopdbStatus>> boolean statusMoved(S now, S before) {
        return !Objects.equals(summary(now.getStatus()), summary(before.getStatus()))
                || !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration());
    }

    private static List<String> summary(ShopdbStatus status) {
        if (status == null || status.getConditions() == null) {
            return List.of();
        }
        var parts = status.getConditions().stream().map(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
                .collect(Collectors.toList());
        if (status instanceof io.shopdb.operator.api.v1alpha1.PostgresRoleStatus role) {
            parts.add(String.valueOf(role.getLastAppliedPlan()));
        }
        return parts;
    }

    /** True when {@code declarer} exists and is not Ready: its next status change will come as an event. */
    public static boolean willChange(Optional<? extends CustomResource<?, ? extends ShopdbStatus>> declarer) {
        return declarer.isPresent() && !Conditions.isReady(declarer.get().getStatus());
    }

    private static <P extends HasMetadata> List<String> keys(P p, Function<P, String> clusterOf, Function<P, Collection<String>> wanted) {
        try {
            String c = clusterOf.apply(p);
            Collection<String> names = wanted.apply(p);
            if (c == null || names == null) {
                return List.of();
            }
            return names.stream().filter(Objects::nonNull).distinct().map(n -> key(p.getMetadata().getNamespace(), c, n)).toList();
        } catch (RuntimeException e) {
            return List.of(); // an incomplete spec waits for nothing; validation reports it
        }
    }

    private static boolean sameObject(HasMetadata a, HasMetadata b) {
        return a.getClass() == b.getClass() && a.getMetadata().getName().equals(b.getMetadata().getName())
                && Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
    }

    static String key(String namespace, String cluster, String sqlName) {
        return namespace + "/" + cluster + "/" + sqlName;
    }
}
