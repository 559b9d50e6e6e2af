package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialsTest extends AbstractHandlerTest {
    private static final String SECRET = "/aws/reference/secretsmanager/rds!cluster-orders";

    private ObjectNode withSecretParameter(String target) {
        ObjectNode m = model(target);
        m.putObject("Credentials").put("SecretParameter", SECRET);
        return m;
    }

    @Test
    void wrongPasswordIsInvalidCredentialsAndChangesNothing() {
        ssm().put(PASSWORD_PARAM, "SecureString", "not-the-password-71");

        Outcome outcome = create(model("3"));

        assertThat(outcome.errorCode()).isEqualTo("InvalidCredentials");
        assertThat(outcome.message()).contains(USER_PARAM).contains(PASSWORD_PARAM).contains("28P01")
                .doesNotContain("'" + TestDatabase.USER + "'").doesNotContain("\"" + TestDatabase.USER + "\"")
                .doesNotContain("not-the-password-71");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
                .containsExactly("0");
    }

    @Test
    void missingPasswordParameterIsInvalidRequestNamingIt() {
        ssm().remove(PASSWORD_PARAM);

        Outcome outcome = create(model("3"));

        assertThat(outcome.errorCode()).isEqualTo("InvalidRequest");
        assertThat(outcome.message()).contains(PASSWORD_PARAM).contains("Credentials.PasswordParameter")
                .contains("does not exist");
        assertThat(outcome.calls()).as("fails on the first call").isEqualTo(1);
        assertThat(ssm().names()).as("no resource record claimed").noneMatch(n -> n.startsWith(SsmRecordStore.PREFIX));
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
                .containsExactly("0");
    }

    @Test
    void secretParameterWithUsernameAndPasswordJsonWorks() {
        ssm().put(SECRET, "SecureString", "{\"username\":\"" + TestDatabase.USER + "\",\"password\":\""
                + TestDatabase.PASSWORD + "\",\"engine\":\"postgres\",\"port\":5432}");

        Outcome outcome = create(withSecretParameter("3"));

        assertThat(outcome.status()).as(outcome.message()).isEqualTo("SUCCESS");
        assertThat(history()).containsExactly("1", "2", "3");
        assertThat(outcome.model().path("Credentials").path("SecretParameter").asText()).isEqualTo(SECRET);
    }

    @Test
    void secretParameterThatIsNotJsonIsInvalidRequestWithoutEchoingIt() {
        String value = "hunter2-plain-text-secret";
        ssm().put(SECRET, "SecureString", value);

        Outcome outcome = create(withSecretParameter("3"));

        assertThat(outcome.errorCode()).isEqualTo("InvalidRequest");
        assertThat(outcome.message()).contains(SECRET).contains("username").doesNotContain(value);
        assertThat(ssm().names()).as("no resource record claimed").noneMatch(n -> n.startsWith(SsmRecordStore.PREFIX));
        assertThat(handlerLog).noneMatch(l -> l.contains(value));
        assertThat(events).noneMatch(e -> e.message().contains(value));
    }

    @Test
    void secretParameterJsonWithoutPasswordIsInvalidRequestWithoutEchoingIt() {
        String value = "{\"username\":\"postgres\",\"pass\":\"hunter2-json-secret\"}";
        ssm().put(SECRET, "SecureString", value);

        Outcome outcome = create(withSecretParameter("3"));

        assertThat(outcome.errorCode()).isEqualTo("InvalidRequest");
        assertThat(outcome.message()).contains(SECRET).doesNotContain("hunter2-json-secret");
    }
}
