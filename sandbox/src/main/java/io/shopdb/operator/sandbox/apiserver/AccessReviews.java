package io.shopdb.operator.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;

import java.util.Set;

/**
 * authorization.k8s.io's self reviews ("may I ...?") as kube-apiserver answers them: a create that stores nothing
 * and needs no name, answered 201 with the request and its status filled in; any other verb is 405. The sandbox
 * enforces no RBAC, so the answer is that everything is allowed. JOSDK asks (SelfSubjectRulesReview) before it
 * campaigns for a Lease, so leader election needs this.
 */
final class AccessReviews {
    static final String GROUP = "authorization.k8s.io";
    private static final Set<String> SELF_REVIEWS = Set.of("selfsubjectrulesreviews", "selfsubjectaccessreviews");

    private AccessReviews() {
    }

    static boolean handles(ApiPath api) {
        return GROUP.equals(api.group()) && SELF_REVIEWS.contains(api.plural());
    }

    static MockResponse answer(HttpMethod method, ApiPath api, String body) {
        if (method != HttpMethod.POST || api.name() != null) {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
        ObjectNode review = Responses.readObject(body);
        ObjectNode status = review.putObject("status");
        if (api.plural().equals("selfsubjectaccessreviews")) {
            status.put("allowed", true);
            status.put("reason", "the sandbox enforces no RBAC");
        } else {
            ObjectNode rule = status.putArray("resourceRules").addObject();
            rule.putArray("verbs").add("*");
            rule.putArray("apiGroups").add("*");
            rule.putArray("resources").add("*");
            ObjectNode nonResource = status.putArray("nonResourceRules").addObject();
            nonResource.putArray("verbs").add("*");
            nonResource.putArray("nonResourceURLs").add("*");
            status.put("incomplete", false);
        }
        return Responses.json(201, review);
    }
}
