package com.company.database.schemaversion.local;

import com.company.database.schemaversion.testing.RegistryEmulator;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * examples/pipeline: the workflow, the buildspecs and the two role templates parse as YAML, every
 * {@code ./schemaversion} command they run is one the local runner accepts (its flags parsed by {@link Options}),
 * the test step runs what CI runs, the release roles grant exactly what a release calls (the calls recorded by
 * the local registry endpoint during a real release), and both templates grant the release and deploy steps the
 * same statements.
 */
class PipelineExampleTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path DIR = ROOT.resolve("examples/pipeline");
    private static final List<String> STEP_FILES = List.of("github-actions.yml", "codebuild/buildspec-test.yml",
            "codebuild/buildspec-release.yml", "codebuild/buildspec-deploy.yml");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String file) throws IOException {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(DIR.resolve(file)));
    }

    /** Every shell command of a workflow's run steps or a buildspec's phases, continuation lines joined. */
    @SuppressWarnings("unchecked")
    private static List<String> commands(String file) throws IOException {
        Map<String, Object> doc = yaml(file);
        List<String> scripts = new ArrayList<>();
        if (doc.containsKey("jobs")) {
            for (Object job : ((Map<String, Object>) doc.get("jobs")).values()) {
                for (Object step : (List<Object>) ((Map<String, Object>) job).get("steps")) {
                    Object run = ((Map<String, Object>) step).get("run");
                    if (run != null) {
                        scripts.add(run.toString());
                    }
                }
            }
        } else {
            for (Object phase : ((Map<String, Object>) doc.get("phases")).values()) {
                Object commands = ((Map<String, Object>) phase).get("commands");
                if (commands != null) {
                    ((List<Object>) commands).forEach(c -> scripts.add(c.toString()));
                }
            }
        }
        List<String> lines = new ArrayList<>();
        for (String script : scripts) {
            for (String line : script.replace("\\\n", " ").split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line.trim().replaceAll("\\s+", " "));
                }
            }
        }
        return lines;
    }

    /** The words a shell would pass, with ${{ vars.X }} and $VAR standing for a value (a number where one is due). */
    private static List<String> words(String command) {
        String substituted = command.replaceAll("\\$\\{\\{[^}]*}}", "VALUE").replace("$KEEP_VERSIONS", "10")
                .replaceAll("\\$\\{?[A-Z_]+}?", "VALUE");
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(substituted);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return words;
    }

    @Test
    void everyFileIsYamlAndTheTemplatesUseTheLongFormOnly() throws IOException {
        for (String f : List.of("github-actions.yml", "codebuild/buildspec-test.yml", "codebuild/buildspec-release.yml",
                "codebuild/buildspec-deploy.yml", "github-roles.yaml", "codepipeline.yaml")) {
            assertThat(yaml(f)).as(f).isNotEmpty();
        }
        for (String f : List.of("codebuild/buildspec-test.yml", "codebuild/buildspec-release.yml", "codebuild/buildspec-deploy.yml")) {
            assertThat(yaml(f).get("version")).as(f).isEqualTo(0.2);
        }
    }

    @Test
    void everySchemaversionCommandIsOneTheLocalRunnerAccepts() throws IOException {
        int releases = 0;
        for (String file : STEP_FILES) {
            for (String command : commands(file)) {
                if (!command.startsWith("./schemaversion ")) {
                    continue;
                }
                List<String> words = words(command);
                String[] args = words.subList(1, words.size()).toArray(String[]::new);
                Options o = Options.parse(args);
                assertThat(o.command).as(file + ": " + command).isIn("release", "versions");
                if ("release".equals(o.command)) {
                    releases++;
                    assertThat(o.bucket).as(command).isNotNull();
                    assertThat(o.executionRoleArn).as(command).isNotNull();
                    assertThat(o.logRoleArn).as(command).isNotNull();
                    assertThat(o.regionGiven).as(command).isTrue();
                    // The pipeline releases the jar its tests ran against, never one it builds on the way.
                    assertThat(words).as(command).contains("--no-build");
                    assertThat(o.keyPrefix).isEqualTo("releases/");
                }
            }
        }
        assertThat(releases).as("release commands in the workflow and the release buildspec").isEqualTo(2);
    }

    @Test
    void theTestStepRunsWhatCiRunsAndTheDeployStepDeploysTheExampleStack() throws IOException {
        assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("./mvnw -B verify");
        assertThat(commands("github-actions.yml")).contains("./mvnw -B verify");
        assertThat(commands("codebuild/buildspec-test.yml")).contains("./mvnw -B verify");
        for (String file : List.of("github-actions.yml", "codebuild/buildspec-deploy.yml")) {
            String deploy = commands(file).stream().filter(c -> c.startsWith("aws cloudformation deploy")).findFirst().orElseThrow();
            List<String> words = words(deploy);
            assertThat(words.get(words.indexOf("--template-file") + 1)).isEqualTo("examples/vpc-aurora/template.yaml");
            assertThat(ROOT.resolve("examples/vpc-aurora/template.yaml")).exists();
            // CloudFormation creates the resources with the stack role, not the pipeline's.
            assertThat(words).contains("--role-arn");
        }
        Map<String, Object> pipeline = yaml("codepipeline.yaml");
        for (String project : List.of("TestProject", "ReleaseProject", "DeployProject")) {
            String buildspec = String.valueOf(source(pipeline, project).get("BuildSpec"));
            assertThat(ROOT.resolve(buildspec)).as(project).exists();
            // Each $VARIABLE the buildspec uses is CodeBuild's own or one the project sets.
            Set<String> declared = new TreeSet<>(Set.of("AWS_REGION", "CODEBUILD_SRC_DIR"));
            declared.addAll(environment(pipeline, project));
            for (String command : commands(buildspec.substring("examples/pipeline/".length()))) {
                Matcher variable = Pattern.compile("\\$\\{?([A-Z_]+)").matcher(command);
                while (variable.find()) {
                    assertThat(declared).as(project + ": " + command).contains(variable.group(1));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> environment(Map<String, Object> template, String project) {
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        Map<String, Object> properties = (Map<String, Object>) ((Map<String, Object>) resources.get(project)).get("Properties");
        Object variables = ((Map<String, Object>) properties.get("Environment")).get("EnvironmentVariables");
        List<String> names = new ArrayList<>();
        if (variables != null) {
            ((List<Object>) variables).forEach(v -> names.add(String.valueOf(((Map<String, Object>) v).get("Name"))));
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(Map<String, Object> template, String project) {
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        return (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) resources.get(project)).get("Properties")).get("Source");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Map<String, Object> template, String role) {
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        Map<String, Object> properties = (Map<String, Object>) ((Map<String, Object>) resources.get(role)).get("Properties");
        List<Map<String, Object>> all = new ArrayList<>();
        for (Object policy : (List<Object>) properties.get("Policies")) {
            Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) policy).get("PolicyDocument");
            for (Object s : (List<Object>) document.get("Statement")) {
                Map<String, Object> statement = (Map<String, Object>) s;
                // A CodeBuild project's own logs and the pipeline's artifacts are the CodeBuild role's, not the step's.
                if (!Set.of("OwnLogs", "PipelineArtifacts").contains(statement.get("Sid"))) {
                    all.add(statement);
                }
            }
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> actions(List<Map<String, Object>> statements) {
        Set<String> actions = new TreeSet<>();
        for (Map<String, Object> s : statements) {
            assertThat(s.get("Effect")).isEqualTo("Allow");
            Object a = s.get("Action");
            if (a instanceof List<?> list) {
                list.forEach(x -> actions.add(x.toString()));
            } else {
                actions.add(a.toString());
            }
        }
        return actions;
    }

    @Test
    void bothPipelinesGrantEachStepTheSameStatements() throws IOException {
        Map<String, Object> github = yaml("github-roles.yaml");
        Map<String, Object> codepipeline = yaml("codepipeline.yaml");
        for (String role : List.of("ReleaseRole", "DeployRole")) {
            assertThat(statements(codepipeline, role)).as(role).isEqualTo(statements(github, role));
        }
        Object stackRole = ((Map<?, ?>) github.get("Resources")).get("StackRole");
        assertThat(((Map<?, ?>) codepipeline.get("Resources")).get("StackRole")).isEqualTo(stackRole);
    }

    @Test
    void theReleaseRoleGrantsExactlyWhatAReleaseCalls() throws IOException {
        Set<String> called = new TreeSet<>();
        try (RegistryEmulator registry = new RegistryEmulator("eu-west-1")) {
            registry.createBucket("release-artifacts");
            Path project = ReleaseCommandTest.fixtureProject();
            List<String> base = List.of("release", "--project", project.toString(), "--region", "eu-west-1",
                    "--endpoint-url", registry.endpoint(), "--s3-endpoint-url", registry.endpoint(),
                    "--bucket", "release-artifacts", "--key-prefix", "releases/",
                    "--execution-role-arn", "arn:aws:iam::123456789012:role/x", "--log-role-arn",
                    "arn:aws:iam::123456789012:role/y", "--poll-seconds", "0", "--keep", "1");
            for (int i = 0; i < 2; i++) { // the second release deregisters the first version
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertThat(LocalRunner.run(base.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(out, true, StandardCharsets.UTF_8), LocalRunnerHarness.endpoints())).as(out.toString(StandardCharsets.UTF_8)).isZero();
            }
            // A refused registration: the release asks which registrations are in progress to say why.
            registry.failWith("RegisterType", 400, "CFNRegistryException", "refused");
            ByteArrayOutputStream refused = new ByteArrayOutputStream();
            assertThat(LocalRunner.run(base.toArray(String[]::new), new PrintStream(refused, true, StandardCharsets.UTF_8),
                    new PrintStream(refused, true, StandardCharsets.UTF_8), LocalRunnerHarness.endpoints()))
                    .as(refused.toString(StandardCharsets.UTF_8)).isEqualTo(1);
            for (String call : registry.calls()) {
                called.add(call.startsWith("S3 PutObject") ? "s3:PutObject" : "cloudformation:" + call);
                if (call.startsWith("S3 PutObject")) {
                    assertThat(call).startsWith("S3 PutObject release-artifacts/releases/");
                }
            }
        }
        // RegisterType reads the package as the caller and passes the two roles on.
        called.add("s3:GetObject");
        called.add("iam:PassRole");
        assertThat(called).containsExactlyInAnyOrder("s3:PutObject", "s3:GetObject", "iam:PassRole",
                "cloudformation:ListTypeVersions", "cloudformation:RegisterType", "cloudformation:DescribeTypeRegistration",
                "cloudformation:ListTypeRegistrations",
                "cloudformation:SetTypeDefaultVersion", "cloudformation:DeregisterType");
        for (String template : List.of("github-roles.yaml", "codepipeline.yaml")) {
            assertThat(actions(statements(yaml(template), "ReleaseRole"))).as(template).isEqualTo(called);
        }
    }

    @Test
    void theReadmesWalkATeamThroughIt() throws IOException {
        String guide = Files.readString(DIR.resolve("README.md"));
        assertThat(guide).contains("# Release and deploy from a pipeline");
        for (String file : List.of("github-actions.yml", "github-roles.yaml", "codepipeline.yaml",
                "codebuild/buildspec-test.yml", "codebuild/buildspec-release.yml", "codebuild/buildspec-deploy.yml")) {
            assertThat(guide).as("the guide names " + file).contains(file);
        }
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains("examples/pipeline");
    }
}
