package com.company.database.schemaversion.security;

import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.company.database.schemaversion.testing.TestDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class DirectModeClaimTest extends ClaimAttacks {
    @Override
    protected ObjectNode resource(String target) {
        return model(target);
    }

    /**
     * The first resource on a database creates the claims table, which needs CREATE on the database: a login
     * without it is told what to run, and nothing is applied. Once an administrator created the table and
     * granted it, the same login claims.
     */
    @Test
    void aLoginThatCannotKeepClaimsIsToldWhatToRunAndNothingIsApplied() {
        String role = "team_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        TestDatabase.execute(database, "CREATE ROLE " + role + " LOGIN PASSWORD 'Pw-7f3c9e1d'; GRANT ALL ON SCHEMA public TO "
                + role + "; REVOKE CREATE ON DATABASE " + database + " FROM PUBLIC");
        ssm().put("/orders/db/team-user", "String", role);
        ssm().put("/orders/db/team-pass", "SecureString", "Pw-7f3c9e1d");
        ObjectNode m = model("3");
        ((ObjectNode) m.get("Credentials")).put("UsernameParameter", "/orders/db/team-user")
                .put("PasswordParameter", "/orders/db/team-pass");

        Outcome refused = create(m);

        assertThat(refused.errorCode()).as(refused.message()).isEqualTo("AccessDenied");
        assertThat(refused.message()).contains("company_schemaversion.claims").contains("CREATE on the database")
                .contains("Nothing was applied").doesNotContain("Pw-7f3c9e1d");
        assertThat(refused.model()).isNull();
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'flyway_schema_history'"))
                .containsExactly("0");

        TestDatabase.execute(database, "CREATE SCHEMA company_schemaversion; CREATE TABLE company_schemaversion.claims"
                + " (schema_name text PRIMARY KEY, resource_id text NOT NULL, stack_id text, logical_id text,"
                + " create_request text, created_history boolean NOT NULL, on_delete text NOT NULL,"
                + " claimed_at timestamptz NOT NULL DEFAULT now()); GRANT USAGE ON SCHEMA company_schemaversion TO "
                + role + "; GRANT SELECT, INSERT, UPDATE, DELETE ON company_schemaversion.claims TO " + role);
        Outcome created = create(m);
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(query("SELECT resource_id FROM company_schemaversion.claims")).containsExactly(idOf(m));
    }
}
