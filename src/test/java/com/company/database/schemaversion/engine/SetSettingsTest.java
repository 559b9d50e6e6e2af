package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-set settings file: every baked set's file is valid (so the build fails on a bad one), and bad ones are refused. */
class SetSettingsTest {

    /** The build-time check: runs in ./mvnw verify, before the artifact is packaged. */
    @Test
    void everyBakedSetsSettingsFileIsValid() throws IOException {
        List<String> sets = MigrationCatalog.bakedSets();
        assertThat(sets).isNotEmpty();
        for (String set : sets) {
            SetSettings.load(MigrationSource.baked(set));
        }
        // Every settings file in the source tree belongs to a set the catalog sees, so none escapes the check above.
        try (Stream<Path> files = Files.walk(Path.of("src/main/resources", MigrationSource.BAKED_ROOT))) {
            files.filter(p -> p.getFileName().toString().equals(SetSettings.FILE))
                    .forEach(p -> assertThat(sets).contains(p.getParent().getFileName().toString()));
        }
    }

    @Test
    void everyTestSetsSettingsFileIsValid() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/parity"))) {
            files.filter(p -> p.getFileName().toString().equals(SetSettings.FILE))
                    .forEach(p -> SetSettings.load(MigrationSource.directory(p.getParent())));
        }
    }

    @Test
    void theAllowedSettingsAreTakenAndPlaceholderDefaultsYieldToTheTemplate() {
        SetSettings s = SetSettings.parse("flyway.placeholderReplacement=false\nflyway.placeholderPrefix=#[\n"
                + "flyway.placeholderSuffix=]\nflyway.placeholders.Region=eu\nflyway.placeholders.Role=app\n"
                + "flyway.mixed=true\nflyway.encoding=ISO-8859-1\n", "x/flyway.conf");
        assertThat(s.flyway()).containsEntry("flyway.placeholderReplacement", "false")
                .containsEntry("flyway.placeholderPrefix", "#[").containsEntry("flyway.placeholderSuffix", "]")
                .containsEntry("flyway.mixed", "true").containsEntry("flyway.encoding", "ISO-8859-1")
                .doesNotContainKey("flyway.placeholders.Region");
        assertThat(s.placeholders(Map.of("Role", "owner"))).containsEntry("Region", "eu").containsEntry("Role", "owner");
    }

    @Test
    void settingsThatDecideWhatRunsOrHideDriftAreRefusedWithTheReason() {
        assertRefused("flyway.target=5", "'flyway.target' cannot be set by a migration set: the target is the template's TargetVersion");
        assertRefused("flyway.outOfOrder=true", "version order");
        assertRefused("flyway.ignoreMigrationPatterns=*:missing", "hide drift");
        assertRefused("flyway.baselineOnMigrate=true", "Adoption.BaselineVersion");
        assertRefused("flyway.group=true", "per-call budget");
        assertRefused("flyway.callbacks=com.example.Evil", "Java callbacks are code");
        assertRefused("flyway.url=jdbc:postgresql://elsewhere/db", "Database and Credentials");
    }

    @Test
    void malformedValuesAndUnknownKeysAreRefused() {
        assertRefused("flyway.placeholderReplacement=yes", "must be true or false");
        assertRefused("flyway.placeholderPrefix=", "must not be empty");
        assertRefused("flyway.encoding=no-such-charset", "no known character set");
        assertRefused("flyway.fancyNewThing=1", "not a setting a migration set may choose; allowed are");
        assertRefused("placeholderReplacement=false", "is not a Flyway setting");
    }

    private static void assertRefused(String text, String reason) {
        assertThatThrownBy(() -> SetSettings.parse(text, "orders/flyway.conf"))
                .isInstanceOfSatisfying(ReconcileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("orders/flyway.conf").contains(reason);
                });
    }
}
