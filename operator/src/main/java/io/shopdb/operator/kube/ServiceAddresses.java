package io.shopdb.operator.kube;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one seam between the operator and the network: turns a Service (or a pod behind a headless Service)
 * into an address to dial. In Kubernetes that is cluster DNS; the sandbox installs a resolver that maps
 * Services to the local ports of the processes it runs. Everything that connects goes through here.
 */
@ApplicationScoped
public class ServiceAddresses {

    /** host:port to dial for a Service port; the default is cluster DNS. */
    public interface Resolver {
        Address resolve(String namespace, String serviceHost, int port);
    }

    public record Address(String host, int port) {}

    /** The Service exists (or not) but no ready endpoint serves it now; retry later. */
    public static class NoEndpointException extends RuntimeException {
        public NoEndpointException(String message) { super(message); }
    }

    private volatile Resolver resolver = (namespace, host, port) -> new Address(host + "." + namespace + ".svc", port);

    /** {@code serviceHost} is a Service name, or pod.headless-service for one pod. */
    public Address resolve(String namespace, String serviceHost, int port) {
        return resolver.resolve(namespace, serviceHost, port);
    }

    /** Used by the sandbox (and tests) to route Services to local processes. */
    public void install(Resolver newResolver) {
        this.resolver = newResolver;
    }
}
