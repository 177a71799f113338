/**
 * The shopdb.io/v1alpha1 API: custom resources, their specs and statuses. Data only: no logic and no
 * dependency on the rest of the operator, so the generated CRDs depend on nothing but these classes.
 */
package io.shopdb.operator.api.v1alpha1;
