package com.company.database.schemaversion.vpc;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.runner.RunnerConfig;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The runner's configuration as the handler writes it into the function's environment, and as the runner reads
 * it back: the runner applies the schema's rules to it, whoever wrote it.
 */
class RunnerConfigTest {
    private static final RunnerConfig CONFIG = new RunnerConfig("db.cluster-xyz.eu-west-1.rds.amazonaws.com", 5432,
            "orders", "verify-full", null, null, "/aws/reference/secretsmanager/rds!cluster-1", "public", "orders",
            Map.of("AppRole", "orders_app"), 10, 40, "7", null, null);

    @Test
    void whatTheHandlerWritesTheRunnerReadsBack() {
        Map<String, String> environment = CONFIG.environment(null);

        assertThat(environment).containsOnlyKeys(RunnerConfig.CONFIG_VARIABLE);
        assertThat(RunnerConfig.fromEnvironment(environment)).isEqualTo(CONFIG);
    }

    @Test
    void cleanIsArmedOnlyUntilTheArmExpires() {
        Instant now = Instant.parse("2026-11-29T20:00:00Z");
        Map<String, String> armed = CONFIG.environment(RunnerConfig.armUntil(now.plusSeconds(600)));

        assertThat(RunnerConfig.cleanArmed(armed, now)).isTrue();
        assertThat(RunnerConfig.cleanArmed(armed, now.plusSeconds(600))).isFalse();
        assertThat(RunnerConfig.cleanArmed(CONFIG.environment(null), now)).isFalse();
        assertThat(RunnerConfig.cleanArmed(Map.of(RunnerConfig.CLEAN_VARIABLE, "armed"), now)).isFalse();
        assertThat(RunnerConfig.cleanArmed(Map.of(RunnerConfig.CLEAN_VARIABLE, "-1"), now)).isFalse();
    }

    @Test
    void aConfigurationTheHandlerWouldNotWriteIsRefused() {
        String good = CONFIG.environment(null).get(RunnerConfig.CONFIG_VARIABLE);
        Map<String, String> bad = Map.of(
                "an unknown field", good.replace("{", "{\"jdbcUrl\":\"jdbc:postgresql://evil/\","),
                "a host that is no DNS name", good.replace("db.cluster-xyz", "db cluster;xyz"),
                "an SslMode libpq lacks", good.replace("verify-full", "allow"),
                "a parameter pair and a secret", good.replace("{", "{\"usernameParameter\":\"/u\",\"passwordParameter\":\"/p\","),
                "a placeholder name Flyway would not take", good.replace("AppRole", "App-Role"),
                "a lock timeout of zero", good.replace("\"lockSeconds\":10", "\"lockSeconds\":0"),
                "a target that is no version", good.replace("\"target\":\"7\"", "\"target\":\"7; drop\""),
                "a port that is text", good.replace("\"port\":5432", "\"port\":\"5432\""),
                "no JSON", "host=db");
        bad.forEach((what, json) -> assertThatThrownBy(() -> RunnerConfig.fromEnvironment(Map.of(RunnerConfig.CONFIG_VARIABLE, json)))
                .as(what)
                .isInstanceOf(ReconcileException.class)
                .hasMessageContaining("refuses to run")
                .extracting(e -> ((ReconcileException) e).reason()).isEqualTo(Reason.RUNNER_FAILED));
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(Map.of())).hasMessageContaining(RunnerConfig.CONFIG_VARIABLE);
    }

    @Test
    void aStepMayReachAtMostTheConfiguredTarget() {
        assertThat(CONFIG.allows(Version.parse("7"))).isTrue();
        assertThat(CONFIG.allows(Version.parse("6.1"))).isTrue();
        assertThat(CONFIG.allows(Version.parse("7.1"))).isFalse();
        RunnerConfig latest = new RunnerConfig("db", 5432, "orders", null, "/u", "/p", null, "public", null, null, 10, 40, "latest", null, null);
        assertThat(latest.allows(Version.parse("999"))).isTrue();
    }

    @Test
    void theEnvironmentsSizeCountsEveryNameAndValue() {
        assertThat(RunnerConfig.environmentBytes(Map.of("AB", "cde", "F", "é"))).isEqualTo(2 + 3 + 1 + 2);
    }
}
