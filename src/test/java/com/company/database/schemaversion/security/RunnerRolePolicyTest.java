package com.company.database.schemaversion.security;

import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestModels;
import com.company.database.schemaversion.vpc.AbstractVpcRunnerTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A runner function runs with the role Execution.RoleArn names, and the type passes that role (iam:PassRole):
 * a template must not give a function in the customer's VPC any role that trusts Lambda. Only roles the
 * account admin names in Runner.AllowedRoleArns are used; none by default.
 */
class RunnerRolePolicyTest extends AbstractVpcRunnerTest {

    private ObjectNode allowingRoles(String... roles) {
        ObjectNode c = TestModels.testAccount();
        var allowed = c.putObject("Runner").putArray("AllowedRoleArns");
        for (String role : roles) {
            allowed.add(role);
        }
        if (roles.length == 0) {
            c.remove("Runner");
        }
        return c;
    }

    @Test
    void aRoleTheAdminDidNotNameIsRefusedBeforeAnyFunctionExists() {
        driver.withTypeConfiguration(allowingRoles("arn:aws:iam::123456789012:role/approved-runners/*"));

        Outcome o = create(vpcModel("3"));

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Execution.RoleArn " + ROLE).contains("Runner.AllowedRoleArns")
                .contains("approved-runners/*");
        assertThat(lambda().functionNames()).isEmpty();
        assertThat(lambda().count("CreateFunction")).isZero();
        assertThat(tablesInSchema()).isEmpty();
    }

    @Test
    void vpcRunnerIsOffUntilTheAdminNamesARole() {
        driver.withTypeConfiguration(allowingRoles());

        Outcome o = create(vpcModel("3"));

        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("not set, so Execution.Mode VpcRunner is off");
        assertThat(lambda().functionNames()).isEmpty();
    }

    @Test
    void aRoleUnderAnAllowedPrefixRuns() {
        driver.withTypeConfiguration(allowingRoles("arn:aws:iam::123456789012:role/schemaversion-*"));

        Outcome o = create(vpcModel("3"));

        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
    }

    @Test
    void aFunctionMadeBeforeTheAdminRemovedItsRoleIsNotInvokedAgain() {
        Outcome created = create(vpcModel("3"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        long invocationsBefore = lambda().count("Invoke");
        driver.withTypeConfiguration(allowingRoles("arn:aws:iam::123456789012:role/approved-runners/*"));

        Outcome read = read(created.model());

        assertThat(read.errorCode()).isEqualTo("InvalidRequest");
        assertThat(read.message()).contains("Runner.AllowedRoleArns");
        assertThat(lambda().count("Invoke")).isEqualTo(invocationsBefore);
    }
}
