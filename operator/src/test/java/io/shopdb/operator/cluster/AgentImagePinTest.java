package io.shopdb.operator.cluster;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.shopdb.operator.api.v1alpha1.PostgresCluster;
import io.shopdb.operator.api.v1alpha1.PostgresClusterStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An operator upgrade moves the instances' agent image only with a roll that happens anyway. */
class AgentImagePinTest {
    static final String OLD = "ghcr.io/shopdb/shopdb-operator:1.0.0";
    static final String NEW = "ghcr.io/shopdb/shopdb-operator:1.1.0";
    static final java.time.Instant SATURDAY_NOON = java.time.Instant.parse("2026-12-05T12:00:00Z");

    /** What the StatefulSet holds after an apply with {@code image} (the API server keeps our annotations). */
    static StatefulSet applied(PostgresCluster c, String image) {
        return AgentImagePin.stamp(InstanceSetBuilder.build(c, null, image));
    }

    static PostgresCluster pinnedTo(PostgresCluster c, String image) {
        c.setStatus(new PostgresClusterStatus());
        c.getStatus().setAgentImage(image);
        return c;
    }

    @Test
    void anUpgradedOperatorKeepsThePinnedImageWhileNothingElseChanges() {
        PostgresCluster c = pinnedTo(WalArchiveBuilderTest.archiving(2), OLD);
        StatefulSet existing = applied(c, OLD);
        assertEquals(OLD, AgentImagePin.forInstances(c, null, existing, NEW, SATURDAY_NOON).image(), "the same template: no roll for the operator's sake");
        assertEquals(io.shopdb.operator.kube.PinnedImage.stamped(existing), io.shopdb.operator.kube.PinnedImage.stamped(applied(c, AgentImagePin.forInstances(c, null, existing, NEW, SATURDAY_NOON).image())),
                "so the StatefulSet's pod template stays byte for byte");
    }

    @Test
    void theMaintenanceWindowMovesThePinnedImageAndOnlyWhileItIsOpen() {
        PostgresCluster c = pinnedTo(WalArchiveBuilderTest.archiving(2), OLD);
        StatefulSet existing = applied(c, OLD);
        var window = new io.shopdb.operator.api.v1alpha1.MaintenanceWindowSpec();
        window.setDays(java.util.List.of(io.shopdb.operator.api.v1alpha1.MaintenanceWindowSpec.Day.Sun));
        window.setStart("23:00");
        window.setDuration("2h");
        c.getSpec().setMaintenanceWindow(window);
        assertEquals(OLD, AgentImagePin.forInstances(c, null, existing, NEW, SATURDAY_NOON).image(), "Saturday: closed");
        assertEquals(NEW, AgentImagePin.forInstances(c, null, existing, NEW, java.time.Instant.parse("2026-12-06T23:30:00Z")).image(), "Sunday 23:30");
        assertEquals(NEW, AgentImagePin.forInstances(c, null, existing, NEW, java.time.Instant.parse("2026-12-07T00:59:00Z")).image(),
                "Monday 00:59: the Sunday window runs past midnight");
        assertEquals(OLD, AgentImagePin.forInstances(c, null, existing, NEW, java.time.Instant.parse("2026-12-07T01:00:00Z")).image(), "closed at 01:00");
        assertEquals(OLD, AgentImagePin.forInstances(c, null, existing, NEW, java.time.Instant.parse("2026-12-06T22:59:00Z")).image(), "not yet open");
        window.setDays(java.util.List.of());
        window.setStart("11:30");
        window.setDuration("45m");
        assertEquals(NEW, AgentImagePin.forInstances(c, null, existing, NEW, SATURDAY_NOON).image(), "no days: every day");
    }

    @Test
    void aRollThatHappensAnywayCarriesTheNewImage() {
        PostgresCluster c = pinnedTo(WalArchiveBuilderTest.archiving(2), OLD);
        StatefulSet existing = applied(c, OLD);
        c.getSpec().setParameters(new java.util.TreeMap<>(java.util.Map.of("shared_buffers", "256MB"))); // needs a restart: the pods roll
        assertEquals(NEW, AgentImagePin.forInstances(c, null, existing, NEW, SATURDAY_NOON).image());
    }

    @Test
    void aClusterMadeBeforePinningKeepsWhatItsPodsRunAndANewOneTakesTheOperators() {
        PostgresCluster c = WalArchiveBuilderTest.archiving(2);
        StatefulSet unstamped = InstanceSetBuilder.build(c, null, OLD); // no template hash, no status.agentImage
        assertEquals(OLD, AgentImagePin.running(unstamped));
        assertEquals(OLD, AgentImagePin.forInstances(c, null, unstamped, NEW, SATURDAY_NOON).image());
        assertEquals(NEW, AgentImagePin.forInstances(c, null, null, NEW, SATURDAY_NOON).image(), "a new cluster runs today's image");
        assertNull(AgentImagePin.running(InstanceSetBuilder.build(InstanceSetBuilderTest.cluster(1, java.util.Map.of()), null, OLD)),
                "no agent container without WAL archiving");
    }

    @Test
    void theChoiceItself() {
        assertEquals(NEW, io.shopdb.operator.kube.PinnedImage.choose(null, NEW, false));
        assertEquals(OLD, io.shopdb.operator.kube.PinnedImage.choose(OLD, NEW, false));
        assertEquals(NEW, io.shopdb.operator.kube.PinnedImage.choose(OLD, NEW, true));
        assertEquals(NEW, io.shopdb.operator.kube.PinnedImage.choose(NEW, NEW, false));
    }
}
