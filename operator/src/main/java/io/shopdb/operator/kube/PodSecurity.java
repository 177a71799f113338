package io.shopdb.operator.kube;

import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/** The container security context of the Pod Security "restricted" profile, for every container we build. */
public final class PodSecurity {
    private PodSecurity() {}

    /** Non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root filesystem. */
    public static SecurityContext restrictedContainer() {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }
}
