package com.company.database.schemaversion.security;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A placeholder value that names PUBLIC or a built-in role turns the sample set's GRANT ... TO "${AppRole}" into a
 * grant to every role (PostgreSQL reads the quoted "public" as PUBLIC) or to logins the author does not know (the
 * pg_ roles). Tried end to end in Direct mode through the real wrapper; the grants would show in the tables'
 * ACLs. VpcRunnerReservedRoleTest tries the same through the runner.
 */
class ReservedRolePlaceholderTest extends AbstractHandlerTest {
    /** Tables of the test database's public schema whose ACL grants anything to PUBLIC (grantee 0) or a pg_ role. */
    static final String GRANTS_TO_EVERYONE = "SELECT c.relname || ' ' || CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
            + " ELSE a.grantee::regrole::text END || ' ' || a.privilege_type FROM pg_class c, aclexplode(c.relacl) a"
            + " WHERE c.relnamespace = 'public'::regnamespace AND (a.grantee = 0 OR a.grantee::regrole::text LIKE 'pg\\_%')"
            + " ORDER BY 1";
    static final String EVERYTHING = "SELECT c.relkind || ' ' || c.relname || ' ' || coalesce(c.relacl::text, '-')"
            + " FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1";

    @Test
    void anUpdateWhoseAppRoleIsPublicGrantsNothingToEveryRole() {
        Outcome created = create(model("6"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        List<String> before = query(EVERYTHING);
        ObjectNode next = model("7").put("Id", created.model().path("Id").asText());
        next.putObject("Placeholders").put("AppRole", "public");

        Outcome updated = update(next, created.model());

        assertThat(query(GRANTS_TO_EVERYONE)).as("grants to PUBLIC or a pg_ role").isEmpty();
        assertRefused(updated);
        assertThat(history()).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(query(EVERYTHING)).isEqualTo(before);
    }

    @Test
    void everySpellingOfAReservedOrBuiltInRoleIsRefusedOnCreateAndTouchesNothing() {
        for (String role : List.of("PUBLIC", "Public", "current_user", "SESSION_USER", "current_role", "pg_monitor",
                "PG_READ_ALL_DATA", "pg_write_all_data", "none")) {
            ObjectNode m = model("latest");
            m.putObject("Placeholders").put("AppRole", role);

            Outcome o = create(m);

            assertRefused(o);
            assertThat(query(EVERYTHING)).as(role).isEmpty();
        }
    }

    @Test
    void aRoleOfOnesOwnStillWorks() {
        ObjectNode m = model("latest");
        m.putObject("Placeholders").put("AppRole", "publisher_app");

        Outcome o = create(m);

        assertThat(o.status()).as(o.message()).isEqualTo("SUCCESS");
        assertThat(query(GRANTS_TO_EVERYONE)).isEmpty();
    }

    static void assertRefused(Outcome o) {
        assertThat(o.status()).as(o.message()).isEqualTo("FAILED");
        assertThat(o.errorCode()).as(o.message()).isEqualTo("InvalidRequest");
        assertThat(o.message()).contains("Placeholders.AppRole").contains("Nothing was applied");
    }
}
