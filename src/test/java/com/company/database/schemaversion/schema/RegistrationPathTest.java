package com.company.database.schemaversion.schema;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The least-privilege registration is the documented path: every command in the README, the guides and the
 * examples that registers the type passes the scoped execution role of registration/registration.yaml. cfn submit
 * without --role-arn deploys resource-role.yaml (every handler permission on Resource "*", iam:PassRole on any
 * role) and registers the version with it, and does so again for every later version; --no-role registers
 * handlers that cannot call AWS. A command counts wherever a reader would copy it from: a fenced code block
 * (continuation lines joined, shell comments dropped) or an inline code span.
 */
class RegistrationPathTest {
    private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```[^\\n]*\\n(.*?)^\\s*```");
    private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern SUBMIT = Pattern.compile("\\bcfn\\s+submit\\b");
    private static final Pattern REGISTER_TYPE = Pattern.compile("\\bregister-type\\b");
    private static final Pattern ROLE_ARN = Pattern.compile("--role-arn[ =]+(\"?\\$\\{?ROLE\\}?\"?|arn:aws[a-z-]*:iam::\\S+)");
    private static final String ROLE_FROM_REGISTRATION_STACK = "OutputKey=='ExecutionRoleArn'";

    @Test
    void everyRegistrationCommandPassesTheScopedRole() {
        List<String> problems = new ArrayList<>();
        for (Path file : documents()) {
            String text = ProjectFiles.read(file.toString());
            boolean usesRoleVariable = false;
            for (String command : commands(text)) {
                String where = file + ": " + command;
                if (command.contains("resource-role.yaml") && (command.contains("--template-file")
                        || command.contains("--template-body") || command.contains("create-stack"))) {
                    problems.add(where + " deploys resource-role.yaml");
                }
                if (REGISTER_TYPE.matcher(command).find() && !command.contains("--execution-role-arn")) {
                    problems.add(where + " registers without --execution-role-arn");
                }
                // Prose that names the command or its flag (`cfn submit`, `cfn submit --role-arn`) runs nothing.
                if (!SUBMIT.matcher(command).find() || command.trim().matches("cfn\\s+submit(\\s+--role-arn)?")
                        || command.contains("--dry-run")) {
                    continue;
                }
                Matcher role = ROLE_ARN.matcher(command);
                if (command.contains("--no-role")) {
                    problems.add(where + " registers with --no-role");
                } else if (!role.find()) {
                    problems.add(where + " registers without --role-arn (cfn submit would deploy resource-role.yaml)");
                } else {
                    usesRoleVariable |= role.group(1).contains("ROLE");
                }
            }
            if (usesRoleVariable && !text.contains(ROLE_FROM_REGISTRATION_STACK)) {
                problems.add(file + ": passes $ROLE without reading it from the registration stack's ExecutionRoleArn");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theReadmeDeploysTheRegistrationStackBeforeItsFirstSubmit() {
        String readme = ProjectFiles.read("README.md");
        List<String> commands = commands(readme);
        int deploy = -1;
        int submit = -1;
        for (int i = 0; i < commands.size(); i++) {
            String c = commands.get(i);
            if (deploy < 0 && c.contains("--template-file registration/registration.yaml")) {
                deploy = i;
            }
            if (submit < 0 && SUBMIT.matcher(c).find() && !c.trim().matches("cfn\\s+submit")) {
                submit = i;
            }
        }
        assertThat(deploy).as("the README deploys registration/registration.yaml").isGreaterThanOrEqualTo(0);
        assertThat(submit).as("the README registers the type").isGreaterThan(deploy);
    }

    @Test
    void aBareSubmitIsCaught() {
        // The check itself: what the README said before, and the forms it must accept.
        assertThat(commands("```bash\ncfn submit --set-default --region eu-west-1\n```\n")).containsExactly(
                "cfn submit --set-default --region eu-west-1");
        assertThat(commands("3. `./mvnw -B verify && cfn submit`; then")).containsExactly("./mvnw -B verify && cfn submit");
        assertThat(ROLE_ARN.matcher("cfn submit --set-default").find()).isFalse();
        assertThat(ROLE_ARN.matcher("cfn submit --role-arn \"$ROLE\" --set-default").find()).isTrue();
        assertThat(commands("```\naws cloudformation deploy \\\n  --template-file x.yaml # cfn submit here\n```"))
                .containsExactly("aws cloudformation deploy --template-file x.yaml");
    }

    /** The README, every guide, and every text file of the examples. */
    private static List<Path> documents() {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("README.md"));
        for (String folder : List.of("guides", "examples")) {
            Path dir = ProjectFiles.root().resolve(folder);
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> p.toString().matches(".*\\.(md|ya?ml|sh|json)$"))
                        .map(p -> ProjectFiles.root().relativize(p))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** Shell commands a reader would copy: fenced lines (continuations joined, comments dropped) and inline spans. */
    static List<String> commands(String text) {
        List<String> commands = new ArrayList<>();
        StringBuilder outside = new StringBuilder();
        Matcher fence = FENCE.matcher(text);
        int last = 0;
        while (fence.find()) {
            outside.append(text, last, fence.start()).append('\n');
            last = fence.end();
            StringBuilder current = new StringBuilder();
            for (String line : fence.group(1).split("\n")) {
                String code = line.replaceAll("(^|\\s)#.*$", "").stripTrailing();
                boolean continues = code.endsWith("\\");
                current.append(continues ? code.substring(0, code.length() - 1) : code).append(' ');
                if (!continues) {
                    String command = current.toString().trim().replaceAll("\\s+", " ");
                    if (!command.isEmpty()) {
                        commands.add(command);
                    }
                    current.setLength(0);
                }
            }
        }
        outside.append(text.substring(last));
        Matcher inline = INLINE.matcher(outside);
        while (inline.find()) {
            commands.add(inline.group(1).trim());
        }
        return commands;
    }
}
