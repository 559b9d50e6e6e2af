package com.company.database.schemaversion.core;

import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The core's own Version must order and compare exactly as Flyway's MigrationVersion does. */
class VersionTest {
    private static final List<String> SPELLINGS = List.of("1", "1.0", "1.0.0", "1.1", "1_1", "1.2", "1.10", "1.9",
            "2", "2.0.1", "007", "7", "10", "9", "20261125.1", "20261125.0930", "1_14", "1.14", "3.000001");

    @Test
    void ordersEveryPairAsFlywayDoes() {
        for (String a : SPELLINGS) {
            for (String b : SPELLINGS) {
                int ours = Integer.signum(Version.parse(a).compareTo(Version.parse(b)));
                int flyways = Integer.signum(MigrationVersion.fromVersion(a).compareTo(MigrationVersion.fromVersion(b)));
                assertThat(ours).as("%s vs %s", a, b).isEqualTo(flyways);
                assertThat(Version.parse(a).equals(Version.parse(b))).as("%s equals %s", a, b)
                        .isEqualTo(MigrationVersion.fromVersion(a).equals(MigrationVersion.fromVersion(b)));
            }
        }
        List<String> sorted = SPELLINGS.stream().sorted(Comparator.comparing(Version::parse)).toList();
        List<String> flywaySorted = SPELLINGS.stream().sorted(Comparator.comparing(MigrationVersion::fromVersion)).toList();
        assertThat(sorted.stream().map(Version::parse).toList())
                .isEqualTo(flywaySorted.stream().map(Version::parse).toList());
    }

    @Test
    void theFileNameSpellingMeansTheDottedVersionAndPrintsDotted() {
        assertThat(Version.parse("1_14")).isEqualTo(Version.parse("1.14"));
        assertThat(Version.parse("1_14").toString()).isEqualTo("1.14");
        assertThat(Version.isValid("1_14")).isTrue();
    }

    @Test
    void whatIsNoVersionIsRefused() {
        for (String bad : new String[] {"", "latest", "1.", ".1", "1..2", "v1", "1-2", "1.a", " 1"}) {
            assertThat(Version.isValid(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> Version.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Version.isValid(null)).isFalse();
    }
}
