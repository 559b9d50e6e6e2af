package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reserved-role rule for placeholders in VpcRunner mode: the handler refuses before it configures or invokes
 * the runner, and the runner refuses a configuration that carries such a value however it got there.
 */
class VpcRunnerReservedRoleTest extends AbstractVpcRunnerTest {
    private static final String GRANTS_TO_EVERYONE = "SELECT c.relname || ' ' || a.privilege_type FROM pg_class c,"
            + " aclexplode(c.relacl) a WHERE c.relnamespace = 'public'::regnamespace"
            + " AND (a.grantee = 0 OR a.grantee::regrole::text LIKE 'pg\\_%')";

    @Test
    void anUpdateWhoseAppRoleIsPublicIsRefusedAndTheRunnerAppliesNothing() {
        Outcome created = create(vpcModel("6"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        List<String> tables = tablesInSchema();
        int invocations = lambda().invocations().size();
        ObjectNode next = vpcModel("7").put("Id", created.model().path("Id").asText());
        next.putObject("Placeholders").put("AppRole", "public");

        Outcome updated = update(next, created.model());

        assertThat(updated.errorCode()).as(updated.message()).isEqualTo("InvalidRequest");
        assertThat(updated.message()).contains("Placeholders.AppRole");
        assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(tablesInSchema()).isEqualTo(tables);
        assertThat(query(GRANTS_TO_EVERYONE)).isEmpty();
        assertThat(lambda().invocations()).as("no runner call").hasSize(invocations);
    }

    @Test
    void theRunnerRefusesAConfigurationWithAReservedRole() {
        for (String role : List.of("public", "CURRENT_USER", "pg_write_all_data")) {
            RunnerConfig config = new RunnerConfig("db.cluster-xyz.eu-west-1.rds.amazonaws.com", 5432, "orders",
                    "verify-full", "/orders/db/username", "/orders/db/password", null, "public", "orders",
                    Map.of("AppRole", "orders_app"), 10, 40, "7", null, null);
            String json = config.environment(null).get(RunnerConfig.CONFIG_VARIABLE).replace("orders_app", role);

            assertThatThrownBy(() -> RunnerConfig.fromEnvironment(Map.of(RunnerConfig.CONFIG_VARIABLE, json)))
                    .as(role)
                    .isInstanceOf(ReconcileException.class)
                    .hasMessageContaining("placeholder AppRole")
                    .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED);
        }
    }
}
