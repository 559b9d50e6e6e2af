package com.company.database.schemaversion.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The binding rule without a model (what the runner can apply too), and the scrubbing of pieces of a value. */
class LoginBindingsTest {
    private static final List<LoginBindings.Binding> TWO_TEAMS = List.of(
            new LoginBindings.Binding(List.of("/orders/db/"), null, List.of("*.cluster-abc.eu-west-1.rds.amazonaws.com"),
                    List.of("orders")),
            new LoginBindings.Binding(List.of("/payments/db"), List.of("pay_migrator"), List.of("payments.example.com"), null));

    @Test
    void aParameterIsBoundOnlyWhereABindingListsItsPrefixHostAndDatabase() {
        String orders = "orders.cluster-abc.eu-west-1.rds.amazonaws.com";
        assertThat(LoginBindings.parameterRefusal("P", "/orders/db/password", orders, "orders", TWO_TEAMS)).isNull();
        assertThat(LoginBindings.parameterRefusal("P", "/orders/db/password", "ORDERS.cluster-abc.eu-west-1.rds.amazonaws.com.",
                "orders", TWO_TEAMS)).isNull();
        assertThat(LoginBindings.parameterRefusal("P", "/orders/db/password", orders, "reports", TWO_TEAMS))
                .isEqualTo("P /orders/db/password is not bound to Database.Host " + orders + " (database reports)");
        assertThat(LoginBindings.parameterRefusal("P", "/payments/db/password", orders, "orders", TWO_TEAMS)).isNotNull();
        assertThat(LoginBindings.parameterRefusal("P", "/payments/dbx/password", "payments.example.com", "x", TWO_TEAMS)).isNotNull();
        assertThat(LoginBindings.parameterRefusal("P", "/orders/db/../../payments/db/password", orders, "orders", TWO_TEAMS)).isNotNull();
        assertThat(LoginBindings.parameterRefusal("P", "/orders/db/password", "cluster-abc.eu-west-1.rds.amazonaws.com", "orders",
                TWO_TEAMS)).as("*.domain is not the domain itself").isNotNull();
    }

    @Test
    void theHostFolderBindsALoginToThatHostAlone() {
        String p = LoginBindings.HOST_PATH + "db.example.com/password";
        assertThat(LoginBindings.parameterRefusal("P", p, "DB.example.com", "any", List.of())).isNull();
        assertThat(LoginBindings.parameterRefusal("P", p, "db.example.com.evil.com", "any", List.of())).isNotNull();
        assertThat(LoginBindings.parameterRefusal("P", p, "example.com", "any", List.of())).isNotNull();
        assertThat(LoginBindings.parameterRefusal("P", LoginBindings.HOST_PATH + "db.example.com", "db.example.com", "any",
                List.of())).as("the folder, not a parameter named after the host").isNotNull();
    }

    @Test
    void anIamUserNeedsABindingThatListsIt() {
        assertThat(LoginBindings.iamUserRefusal("pay_migrator", "payments.example.com", "payments", TWO_TEAMS)).isNull();
        assertThat(LoginBindings.iamUserRefusal("postgres", "payments.example.com", "payments", TWO_TEAMS)).isNotNull();
        assertThat(LoginBindings.iamUserRefusal("pay_migrator", "orders.cluster-abc.eu-west-1.rds.amazonaws.com", "orders",
                TWO_TEAMS)).isNotNull();
        assertThat(LoginBindings.iamUserRefusal("anyone", "h", "d", List.of(new LoginBindings.Binding(null,
                List.of(LoginBindings.ANY_USER), List.of("h"), null)))).isNull();
    }

    @Test
    void everyPieceOfALoginValueIsScrubbedButTheTypesOwnWordsStay() {
        String password = "password-Zq81-" + "x".repeat(70);
        ConnectionSpec spec = new ConnectionSpec("db.example.com", 5432, "orders", null, "orders_migrator", password,
                null, "the login in SSM parameters /orders/db/username and /orders/db/password");
        String cut = password.substring(0, 63);
        String redacted = spec.redact("The database db.example.com:5432/orders rejected the login in SSM parameters"
                + " /orders/db/username and /orders/db/password: role \"" + cut + "\" does not exist; and 'Zq81-xxxxx'");
        assertThat(redacted).doesNotContain(cut).doesNotContain("Zq81-xxx").doesNotContain("xxxxxxxx")
                .contains("/orders/db/password").contains("db.example.com:5432/orders").contains("<password>");
    }
}
