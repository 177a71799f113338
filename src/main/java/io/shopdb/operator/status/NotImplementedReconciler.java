package io.shopdb.operator.status;

import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.shopdb.operator.api.v1alpha1.ShopdbStatus;
import jakarta.inject.Inject;

import java.util.function.Supplier;

/**
 * For kinds whose controller is not built yet: the resource is accepted by the API and then reported
 * Stalled/NotImplemented, so nobody mistakes silence for progress.
 */
public abstract class NotImplementedReconciler<S extends ShopdbStatus, R extends CustomResource<?, S>> implements Reconciler<R> {
    @Inject StatusWriter statusWriter;

    protected abstract Supplier<S> newStatus();

    @Override
    public UpdateControl<R> reconcile(R resource, Context<R> context) {
        return statusWriter.run(resource, newStatus(), status -> Outcome.stalled(Reasons.NOT_IMPLEMENTED,
                resource.getKind() + " is not reconciled by this version of shopdb-operator yet; the resource is kept as is"));
    }
}
