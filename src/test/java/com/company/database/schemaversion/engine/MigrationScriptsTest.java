package com.company.database.schemaversion.engine;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's own reading of a script's placeholders, as Flyway will replace them. */
class MigrationScriptsTest {
    @Test
    void findsTheFirstPlaceholderWithoutAValue() {
        String sql = "GRANT SELECT ON orders TO ${AppRole};\nGRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${Reader};";
        assertThat(MigrationScripts.missingPlaceholder(sql, "${", "}", "flyway:", Set.of("AppRole"))).isEqualTo("Reader");
        assertThat(MigrationScripts.missingPlaceholder(sql, "${", "}", "flyway:", Set.of("approle", "READER"))).isNull();
    }

    @Test
    void followsTheConfiguredPrefixAndSuffix() {
        String sql = "CREATE ROLE #[Role]; SELECT '${not_a_placeholder_here}';";
        assertThat(MigrationScripts.missingPlaceholder(sql, "#[", "]", "flyway:", Set.of())).isEqualTo("Role");
        assertThat(MigrationScripts.missingPlaceholder(sql, "#[", "]", "flyway:", Set.of("Role"))).isNull();
        assertThat(MigrationScripts.missingPlaceholder("SELECT '${unterminated';", "${", "}", "flyway:", Set.of())).isNull();
    }

    @Test
    void readsABakedScriptAndNothingOutsideTheSet() {
        MigrationSource orders = MigrationSource.baked("orders");
        assertThat(MigrationScripts.read(orders, "V1__create_customers.sql", java.nio.charset.StandardCharsets.UTF_8))
                .containsIgnoringCase("CREATE TABLE");
        assertThat(MigrationScripts.read(orders, "no-such-script.sql", java.nio.charset.StandardCharsets.UTF_8)).isNull();
    }
}
