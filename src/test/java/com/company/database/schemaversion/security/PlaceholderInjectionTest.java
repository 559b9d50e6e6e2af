package com.company.database.schemaversion.security;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, reproduction 4: placeholder values are pasted into the SQL text of the baked migrations, which run
 * as the migration user. V6 of the orders set uses "${AppRole}" in CREATE ROLE and GRANT: a value that closes
 * the identifier adds statements of the author's choosing.
 */
class PlaceholderInjectionTest extends AbstractHandlerTest {

    @Test
    void aValueThatWouldCloseTheIdentifierIsRefusedAndCreatesNothing() {
        String role = "inj_" + database;
        String table = "injected_" + database;
        ObjectNode m = model("latest");
        m.putObject("Placeholders").put("AppRole", role + "\" ; CREATE TABLE IF NOT EXISTS public." + table + " (id int) ; --");

        Outcome o = create(m);

        assertThat(o.status()).isEqualTo("FAILED");
        assertThat(o.errorCode()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Placeholders.AppRole").contains("the character \"").contains("Nothing was applied");
        assertThat(o.message()).as("the value itself is not echoed").doesNotContain("CREATE TABLE");
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).containsExactly("0");
        assertThat(TestDatabase.query("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'"))
                .containsExactly("0");
    }

    @Test
    void aRecordWithAnUnsafeValueIsRefusedOnUpdateToo() {
        Outcome created = create(model("5"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        ObjectNode next = model("latest").put("Id", created.model().path("Id").asText());
        next.putObject("Placeholders").put("AppRole", "orders_app WITH SUPERUSER");

        Outcome updated = update(next, created.model());

        assertThat(updated.errorCode()).isEqualTo("InvalidRequest");
        assertThat(updated.message()).contains("Placeholders.AppRole contains a space");
        assertThat(history()).containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void aPlainValueQuotedByTheScriptStillWorks() {
        ObjectNode m = model("latest");
        m.putObject("Placeholders").put("AppRole", "orders-app." + database);

        Outcome o = create(m);

        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(TestDatabase.query("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'orders-app." + database + "'"))
                .containsExactly("1");
    }
}
