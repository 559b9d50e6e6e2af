package com.company.database.schemaversion.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The architecture of the type as tests: each rule of {@link ArchitectureRules} holds for the type's classes
 * (src/main and src/local, as compiled to target/classes), and fails on a probe under architecture/probe that
 * breaks it, so that no rule can pass by matching nothing.
 */
class ArchitectureTest {
    private static final String BASE = "com.company.database.schemaversion";
    private static final String PROBE = BASE + ".architecture.probe";

    private static final JavaClasses TYPE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);
    private static final JavaClasses PROBES = new ClassFileImporter().importPackages(PROBE);
    private static final ArchitectureRules RULES = new ArchitectureRules(BASE, generatedClasses());
    private static final ArchitectureRules PROBE_RULES = new ArchitectureRules(PROBE, Set.of());

    /** The classes cfn generate writes into the base package: their sources say so. */
    private static Set<String> generatedClasses() {
        Path dir = Path.of("src", "main", "java", BASE.replace('.', '/'));
        try (Stream<Path> files = Files.list(dir)) {
            Set<String> names = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).contains("This is a generated file");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).map(f -> f.getFileName().toString().replace(".java", "")).collect(Collectors.toSet());
            assertThat(names).as("generated classes in " + dir).contains("ResourceModel", "HandlerWrapper");
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void failsOnProbe(ArchRule rule, String offender, String... notOffenders) {
        EvaluationResult result = rule.evaluate(PROBES);
        assertThat(result.hasViolation()).as("the rule fails on its probe: " + rule.getDescription()).isTrue();
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(report).contains(PROBE + "." + offender);
        for (String fine : notOffenders) {
            assertThat(report).doesNotContain(PROBE + "." + fine);
        }
    }

    @Test
    void theCoreDependsOnNoEngineAwsJdbcFlywayOrCloudFormationType() {
        RULES.coreIsPure().check(TYPE);
    }

    @Test
    void probeCoreUsingJdbc() {
        failsOnProbe(PROBE_RULES.coreIsPure(), "core.CoreUsesJdbc");
    }

    @Test
    void enginesDependOnNoAwsTypeAndNothingOfTheContractPolicyOrModes() {
        RULES.enginesKnowNoAwsNorTheContract().check(TYPE);
    }

    @Test
    void probeEngineHoldingAnAwsClient() {
        failsOnProbe(PROBE_RULES.enginesKnowNoAwsNorTheContract(), "engine.EngineUsesAnSsmClient",
                "engine.EngineSignsTokens");
    }

    @Test
    void theRunnerUsesNoHandlerClass() {
        RULES.theRunnerUsesNoHandlerClass().check(TYPE);
    }

    @Test
    void probeRunnerUsingAHandler() {
        failsOnProbe(PROBE_RULES.theRunnerUsesNoHandlerClass(), "runner.RunnerUsesAHandler");
    }

    @Test
    void coreEngineAndRunnerNeedOnlyWhatTheRunnerPackageCarries() {
        RULES.theRunnerNeedsOnlyWhatItsPackageCarries().check(TYPE);
    }

    @Test
    void probeRunnerNeedingAClassItsPackageLacks() {
        failsOnProbe(PROBE_RULES.theRunnerNeedsOnlyWhatItsPackageCarries(), "runner.RunnerUsesAHandler");
    }

    @Test
    void theAwsAdaptersDependOnNeitherTheContractNorPolicyNorModes() {
        RULES.adaptersKnowNeitherContractNorPolicyNorMode(Set.of())
                .check(TYPE);
    }

    @Test
    void probeAdapterUsingAPolicy() {
        failsOnProbe(PROBE_RULES.adaptersKnowNeitherContractNorPolicyNorMode(Set.of()), "aws.AdapterUsesPolicy");
    }

    @Test
    void flywayInternalsAreUsedOnlyInTheEngine() {
        RULES.flywayInternalsOnlyInTheEngine().check(TYPE);
    }

    @Test
    void probeModeUsingFlywayInternals() {
        failsOnProbe(PROBE_RULES.flywayInternalsOnlyInTheEngine(), "mode.ModeUsesFlywayInternals");
    }

    @Test
    void nothingOfTheTypeUsesTheLocalRunner() {
        RULES.nothingUsesTheLocalRunner().check(TYPE);
        assertThat(TYPE.containPackage(BASE + ".local")).as("the local runner's classes were imported too").isTrue();
        assertThat(Files.isDirectory(Path.of("src", "main", "java", BASE.replace('.', '/'), "local")))
                .as("the local runner stays out of src/main/java").isFalse();
    }

    @Test
    void probeUsingTheLocalRunner() {
        failsOnProbe(PROBE_RULES.nothingUsesTheLocalRunner(), "policy.PolicyUsesLocal");
    }

    @Test
    void thePackagesAreFreeOfCycles() {
        RULES.noCycles(Set.of()).check(TYPE);
    }

    @Test
    void probePackageCycle() {
        failsOnProbe(PROBE_RULES.noCycles(Set.of()), "ping.Ping");
    }
}
