/**
 * PostgreSQL management with no Kubernetes import: plain JDBC and records.
 *
 * <p>Every managed concern follows the same shape, so a controller reads like
 * read → plan → apply → report:
 * <pre>
 *   ActualX actual = XCatalog.read(connection, name);       // catalog queries, named constants
 *   List&lt;SqlStep&gt; plan = XPlan.plan(desired, actual);      // pure; empty at steady state
 *   SqlSteps.apply(connection, plan);                        // one transaction (CREATE/DROP DATABASE alone)
 *   status: plan.stream().map(SqlStep::description)          // "GRANT SELECT ON TABLE shop.orders TO reporting"
 * </pre>
 * Databases: {@link io.shopdb.operator.sql.DatabasePlan#plan} on the admin connection, then
 * {@link io.shopdb.operator.sql.DatabasePlan#planContents} on a connection to the database.
 * Roles: {@link io.shopdb.operator.sql.RolePlan} on the admin connection, then
 * {@link io.shopdb.operator.sql.RoleCatalog#ensurePassword}. Grants: per (role, database), on a connection to
 * that database, after the role and the database exist; report {@link io.shopdb.operator.sql.GrantPlan#unresolved}.
 * Deleting a role (reclaimPolicy Delete): {@link io.shopdb.operator.sql.RoleCatalog#dropPrivileges} in each
 * managed database, then {@link io.shopdb.operator.sql.RoleCatalog#drop}.
 * Partitions: {@link io.shopdb.operator.sql.PartitionMaintenance#run} per declared table on a connection to its
 * database: {@link io.shopdb.operator.sql.PartitionCatalog#read}, the pure
 * {@link io.shopdb.operator.sql.PartitionPlan#plan} (the day is a parameter, so tests let months pass), two
 * transactions (partitions ahead and row moves; retention), then the report for status.
 *
 * <p>At scale: connections come from {@link io.shopdb.operator.sql.PgPools} (one small pool per cluster and
 * database, replaced when the endpoint changes); DDL that rewrites shared catalog rows (every GRANT, ALTER DEFAULT
 * PRIVILEGES) takes turns per (cluster, database) in {@link io.shopdb.operator.sql.CatalogLocks}, and a catalog
 * conflict from a writer outside the operator is re-run at once ({@link io.shopdb.operator.sql.SqlErrors}), whose
 * reasons name what happened: ServerUnreachable only when the server could not be reached.
 *
 * <p>Rules: identifiers only through {@link io.shopdb.operator.sql.Identifiers#quote}, the few literals DDL
 * needs only through {@link io.shopdb.operator.sql.Literals#quote} after a shape check, one statement per
 * step, and no password in a step, log line or exception message.
 */
package io.shopdb.operator.sql;
