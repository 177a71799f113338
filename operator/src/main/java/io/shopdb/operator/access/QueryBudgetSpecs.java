package io.shopdb.operator.access;

import io.shopdb.operator.api.v1alpha1.Names;
import io.shopdb.operator.api.v1alpha1.PostgresDatabase;
import io.shopdb.operator.api.v1alpha1.QueryBudgetSpec;
import io.shopdb.operator.sql.DrillChecks;
import io.shopdb.operator.sql.Hashes;
import io.shopdb.operator.sql.OwnerSession;
import io.shopdb.operator.sql.PgEndpoint;
import io.shopdb.operator.sql.QueryBudgetChecks;
import io.shopdb.operator.sql.QueryBudgetChecks.Budget;
import io.shopdb.operator.sql.QueryBudgetChecks.Result;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgresDatabase's spec.queryBudgets as the sql package's budgets, and their check on one server: what the
 * database's own schedule and a migration's check on a copy both run.
 */
public final class QueryBudgetSpecs {
    /** One declared budget with what its check needs beside the query: the role, where it runs, and its declaration's hash. */
    public record Declared(String name, String runAs, QueryBudgetSpec.RunOn runOn, Budget budget, String specHash, String field) {}

    private QueryBudgetSpecs() {}

    public static List<Declared> declared(PostgresDatabase db) {
        List<QueryBudgetSpec> specs = db.getSpec().getQueryBudgets() == null ? List.of() : db.getSpec().getQueryBudgets();
        List<Declared> out = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            QueryBudgetSpec s = specs.get(i);
            Duration budget = Names.duration(s.getMaxDuration());
            Duration timeout = s.getTimeout() != null ? Names.duration(s.getTimeout())
                    : budget.multipliedBy(3).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : budget.multipliedBy(3);
            QueryBudgetSpec.RunOn runOn = s.getRunOn() == null ? QueryBudgetSpec.RunOn.Replica : s.getRunOn();
            String hash = Hashes.sha256Hex(s.getSql() + "\n" + s.getRunAs() + "\n" + budget + "\n" + timeout + "\n" + runOn, 8);
            out.add(new Declared(s.getName(), s.getRunAs(), runOn, new Budget(s.getName(), s.getSql().strip(), budget, timeout), hash,
                    "spec.queryBudgets[" + i + "].runAs"));
        }
        return out;
    }

    /**
     * Checks {@code budgets} on {@code where}, one login per role. Never throws for a role that is refused or a login
     * that fails: those budgets are FAILED with the reason. Results in the order of {@code budgets}.
     *
     * @param admin a superuser connection to the database on the primary (makes and drops the throwaway logins)
     */
    public static List<Result> check(Connection admin, PgEndpoint where, List<Declared> budgets) {
        Map<String, List<Declared>> byRole = new LinkedHashMap<>();
        budgets.forEach(b -> byRole.computeIfAbsent(b.runAs(), r -> new ArrayList<>()).add(b));
        Map<String, Result> results = new LinkedHashMap<>();
        byRole.forEach((role, group) -> {
            List<Budget> plain = group.stream().map(Declared::budget).toList();
            try {
                QueryBudgetChecks.run(admin, where, role, plain, group.get(0).field()).forEach(r -> results.put(r.budget().name(), r));
            } catch (OwnerSession.RefusedRoleException e) {
                plain.forEach(b -> results.put(b.name(), Result.failed(b, e.getMessage())));
            } catch (SQLException e) {
                plain.forEach(b -> results.put(b.name(), Result.failed(b,
                        "could not log in as a member of " + role + " on " + where.host() + ": " + DrillChecks.describe(e))));
            }
        });
        return budgets.stream().map(b -> results.get(b.name())).toList();
    }
}
