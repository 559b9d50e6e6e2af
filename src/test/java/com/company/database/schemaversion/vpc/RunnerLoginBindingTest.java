package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static com.company.database.schemaversion.security.LoginBindingTest.PAYMENTS_PASSWORD;
import static com.company.database.schemaversion.security.LoginBindingTest.PAYMENTS_PASSWORD_PARAM;
import static com.company.database.schemaversion.security.LoginBindingTest.twoTeams;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * security/LoginBindingTest in Execution.Mode VpcRunner, where the runner reads the login with its own role
 * and the failure travels back through the runner's answer: another team's password named as the user name is
 * refused before a runner is configured with it, and where the binding lets it be read, no piece of it comes
 * back in the event, the handler's log or the runner's log.
 */
class RunnerLoginBindingTest extends AbstractVpcRunnerTest {

    private ObjectNode attack(ObjectNode model) {
        ((ObjectNode) model.get("Credentials")).put("UsernameParameter", PAYMENTS_PASSWORD_PARAM);
        return model;
    }

    private void assertNoPieceOf(String value, Outcome o) {
        String everything = String.join("\n", handlerLog) + "\n" + events + "\n" + o.response() + "\n"
                + String.join("\n", lambda().runnerLog());
        assertThat(everything).doesNotContain(value).doesNotContain(value.substring(0, 63))
                .doesNotContain(value.substring(0, 20)).doesNotContain(value.substring(20, 40));
    }

    @Test
    void anotherTeamsPasswordIsNotGivenToARunnerForAServerItIsNotBoundTo() {
        ssm().put(PAYMENTS_PASSWORD_PARAM, "SecureString", PAYMENTS_PASSWORD);
        driver.withTypeConfiguration(twoTeams("payments.cluster-xyz.eu-west-1.rds.amazonaws.com"));

        Outcome o = create(attack(vpcModel("3")));

        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Credentials.UsernameParameter " + PAYMENTS_PASSWORD_PARAM)
                .contains("not bound to Database.Host 127.0.0.1");
        assertThat(lambda().functionNames()).as("no runner was configured with it").isEmpty();
        assertThat(ssm().requests()).noneMatch(r -> r.contains("GetParameter") && r.contains(PAYMENTS_PASSWORD_PARAM));
        assertNoPieceOf(PAYMENTS_PASSWORD, o);
    }

    @Test
    void onAServerBothTeamsShareTheRunnerShowsNoPieceOfAValueReadAsAUserName() {
        ssm().put(PAYMENTS_PASSWORD_PARAM, "SecureString", PAYMENTS_PASSWORD);
        driver.withTypeConfiguration(twoTeams("127.0.0.1"));

        Outcome o = create(attack(vpcModel("3")));

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidCredentials");
        assertThat(o.message()).contains("127.0.0.1").contains("(SQLSTATE 28");
        assertNoPieceOf(PAYMENTS_PASSWORD, o);
        assertThat(tablesInSchema()).isEmpty();
    }
}
