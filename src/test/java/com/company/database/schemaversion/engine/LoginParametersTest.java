package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one login reader the handler and the VPC runner share, against values held in a map. */
class LoginParametersTest {
    private static final Map<String, String> SSM = Map.of(
            "/db/user", "app_user",
            "/db/pass", "s3cret-pass",
            "/db/secret", "{\"username\":\"secret_user\",\"password\":\"secret-pass\"}",
            "/db/notjson", "secret-pass-not-json",
            "/db/nofields", "{\"user\":\"x\"}");

    private static String fetch(String name, String property) {
        return SSM.get(name);
    }

    @Test
    void readsBothShapes() {
        Login pair = LoginParameters.read("/db/user", "/db/pass", null, LoginParametersTest::fetch, "");
        Login secret = LoginParameters.read(null, null, "/db/secret", LoginParametersTest::fetch, "");
        assertThat(pair).isEqualTo(new Login("app_user", "s3cret-pass"));
        assertThat(secret).isEqualTo(new Login("secret_user", "secret-pass"));
    }

    @Test
    void toStringShowsNeitherUserNorPassword() {
        String shown = new Login("app_user", "s3cret-pass").toString();
        assertThat(shown).doesNotContain("app_user").doesNotContain("s3cret-pass");
    }

    @Test
    void aSecretThatIsNotJsonIsNamedButNotQuoted() {
        assertThatThrownBy(() -> LoginParameters.read(null, null, "/db/notjson", LoginParametersTest::fetch,
                " (read by the VPC runner)"))
                .isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.CREDENTIALS_NOT_FOUND);
                    assertThat(e.getCause()).isNull();
                })
                .hasMessageContaining("/db/notjson (Credentials.SecretParameter) is not JSON")
                .hasMessageEndingWith("(read by the VPC runner).")
                .hasMessageNotContaining("secret-pass-not-json");
    }

    @Test
    void aSecretWithoutStringFieldsIsRefused() {
        assertThatThrownBy(() -> LoginParameters.read(null, null, "/db/nofields", LoginParametersTest::fetch, ""))
                .hasMessage("SSM parameter /db/nofields (Credentials.SecretParameter) does not hold JSON with string"
                        + " fields username and password.");
    }

    @Test
    void aHalfPairIsInvalidInput() {
        assertThatThrownBy(() -> LoginParameters.read("/db/user", null, null, LoginParametersTest::fetch, ""))
                .isInstanceOfSatisfying(ReconcileException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT));
    }
}
