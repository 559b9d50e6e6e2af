package com.company.database.schemaversion.schema;

import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.aws.RecordIntegrity;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.runner.RunnerProtocol;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * registration/registration.yaml is the role an admin deploys instead of resource-role.yaml's Resource "*":
 * its execution role must grant every permission the handlers declare and nothing else, each on the narrowest
 * resource IAM allows, and the registry must be able to assume it.
 */
class RegistrationTemplateTest {
    private static final String TEMPLATE = "registration/registration.yaml";
    /** Actions IAM authorizes only on "*" (no resource-level permissions). */
    private static final Set<String> NO_RESOURCE_SCOPING = Set.of(
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
            "ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:DeregisterTaskDefinition");
    /** The family prefix of the runner's task definitions, as the ECS adapter names them. */
    private static final String TASK_FAMILY_PREFIX = "schemaversion-runner-";
    private static final String CLUSTER_ARN = "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${TaskRunnerCluster}";

    private static JsonNode template() {
        Object yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(ProjectFiles.read(TEMPLATE));
        return new ObjectMapper().valueToTree(yaml);
    }

    private static String typeArnSegment() {
        return ProjectFiles.schemaTree().path("typeName").asText().replace("::", "-");
    }

    /** Statements of the execution role: its inline policies and every AWS::IAM::RolePolicy attached to it. */
    private static List<JsonNode> executionRoleStatements(JsonNode template) {
        JsonNode resources = template.path("Resources");
        List<JsonNode> documents = new ArrayList<>();
        resources.path("ExecutionRole").path("Properties").path("Policies").forEach(p -> documents.add(p.path("PolicyDocument")));
        resources.forEach(r -> {
            if ("AWS::IAM::RolePolicy".equals(r.path("Type").asText())
                    && "ExecutionRole".equals(r.path("Properties").path("RoleName").path("Ref").asText())) {
                documents.add(r.path("Properties").path("PolicyDocument"));
            }
        });
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode document : documents) {
            for (JsonNode statement : document.path("Statement")) {
                // A conditional statement counts with what it grants when the admin fills its parameter.
                statements.add(statement.has("Fn::If") ? statement.get("Fn::If").get(1) : statement);
            }
        }
        return statements;
    }

    /** The ARNs of a Resource: plain strings and Fn::Sub strings, as written. */
    private static List<String> arns(JsonNode resource) {
        List<String> arns = new ArrayList<>();
        (resource.isArray() ? resource : new ObjectMapper().createArrayNode().add(resource))
                .forEach(r -> arns.add(r.has("Fn::Sub") ? r.get("Fn::Sub").asText() : r.asText()));
        return arns;
    }

    private static List<String> list(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) node.forEach(v -> values.add(v.isTextual() ? v.asText() : v.toString()));
        else values.add(node.isTextual() ? node.asText() : node.toString());
        return values;
    }

    @Test
    void executionRoleGrantsExactlyWhatTheHandlersDeclare() {
        TreeSet<String> declared = new TreeSet<>();
        ProjectFiles.schemaTree().path("handlers").forEach(h -> declared.addAll(ProjectFiles.strings(h.path("permissions"))));
        TreeSet<String> granted = new TreeSet<>();
        for (JsonNode statement : executionRoleStatements(template())) {
            assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            granted.addAll(list(statement.path("Action")));
        }
        assertThat(granted).noneMatch(a -> a.contains("*"));
        assertThat(granted).isEqualTo(declared);
    }

    @Test
    void everyStatementIsScopedWhereIamAllowsIt() {
        String thisPartition = "arn:${AWS::Partition}:";
        List<String> problems = new ArrayList<>();
        for (JsonNode statement : executionRoleStatements(template())) {
            List<String> actions = list(statement.path("Action"));
            String resource = statement.path("Resource").toString();
            String sid = statement.path("Sid").asText();
            if (resource.equals("\"*\"")) {
                if (!NO_RESOURCE_SCOPING.containsAll(actions)) problems.add(sid + ": Resource * for " + actions);
                continue;
            }
            statement.path("Resource").forEach(r -> {
                if (r.asText().equals("*")) problems.add(sid + ": a bare * among its resources");
            });
            for (String action : actions) {
                String service = action.substring(0, action.indexOf(':'));
                boolean scoped = (service.equals("iam") ? resource.contains("RunnerRoleArns")
                        || resource.contains("TaskExecutionRoleArn")
                        : resource.contains(service.equals("rds-db") ? "IamDatabaseUsers" : ":" + service + ":"))
                        || resource.contains("RecordKey.Arn");
                if (!scoped) problems.add(sid + ": " + action + " on " + resource);
            }
            if (resource.contains("arn:*:")) {
                // A list of ARNs built with a literal delimiter: the condition pins them to this account and region.
                JsonNode pinned = statement.path("Condition").path("StringEquals");
                if (!pinned.path("aws:ResourceAccount").path("Ref").asText().equals("AWS::AccountId")
                        || !pinned.path("aws:RequestedRegion").path("Ref").asText().equals("AWS::Region")) {
                    problems.add(sid + ": wildcard account or region without a condition pinning them");
                }
            } else if (!resource.contains("RunnerRoleArns") && !resource.contains("RecordKey.Arn")
                    && !resource.contains("TaskExecutionRoleArn")
                    && !resource.contains("IamDatabaseUsers")
                    && !resource.contains(thisPartition)) {
                problems.add(sid + ": ARNs not in this partition: " + resource);
            }
            if (actions.contains("kms:Decrypt")) {
                assertThat(statement.path("Condition").path("StringEquals").path("kms:ViaService").toString())
                        .contains("ssm.${AWS::Region}.amazonaws.com").contains("secretsmanager.${AWS::Region}.amazonaws.com");
            }
            if (actions.contains("iam:PassRole")) {
                // Runner roles to Lambda (the function) and to ECS tasks (the task role); the task execution role
                // to ECS tasks only. No role goes to any other service.
                String service = statement.path("Condition").path("StringEquals").path("iam:PassedToService").asText();
                String roles = statement.path("Resource").path("Ref").asText();
                assertThat(service).as(sid).isIn("lambda.amazonaws.com", "ecs-tasks.amazonaws.com");
                assertThat(roles).as(sid).isEqualTo(service.equals("lambda.amazonaws.com") ? "RunnerRoleArns" : roles)
                        .isIn("RunnerRoleArns", "TaskExecutionRoleArn");
            }
            if (actions.stream().anyMatch(a -> a.startsWith("ecs:")) && !resource.equals("\"*\"")) {
                // Every ECS call on a resource is held to the admin's cluster by the ecs:cluster key as well.
                assertThat(statement.path("Condition").path("ArnEquals").path("ecs:cluster").path("Fn::Sub").asText())
                        .as(sid).isEqualTo(CLUSTER_ARN);
                String arn = arns(statement.path("Resource")).get(0);
                assertThat(arns(statement.path("Resource"))).as(sid).hasSize(1);
                if (actions.contains("ecs:RunTask")) {
                    assertThat(actions).as(sid).containsExactly("ecs:RunTask");
                    assertThat(arn).endsWith(":task-definition/" + TASK_FAMILY_PREFIX + "*");
                } else if (actions.contains("ecs:ListTasks")) {
                    assertThat(arn).endsWith(":container-instance/${TaskRunnerCluster}/*");
                } else {
                    assertThat(actions).as(sid).containsExactlyInAnyOrder("ecs:DescribeTasks", "ecs:StopTask");
                    assertThat(arn).endsWith(":task/${TaskRunnerCluster}/*");
                }
            }
            if (actions.contains("rds-db:connect")) {
                // Only the database users the admin names: a template's IamUsername cannot reach any other.
                assertThat(statement.path("Resource").path("Ref").asText()).isEqualTo("IamDatabaseUsers");
            }
            if (actions.stream().anyMatch(a -> a.startsWith("lambda:"))) {
                assertThat(arns(statement.path("Resource"))).singleElement().asString()
                        .endsWith(":function:" + LambdaRunners.NAME_PREFIX + "*");
            }
            if (actions.contains("kms:GenerateMac") || actions.contains("kms:VerifyMac")) {
                assertThat(statement.path("Resource").toString()).isEqualTo("[{\"Fn::GetAtt\":\"RecordKey.Arn\"}]");
            }
            if (actions.contains("ssm:PutParameter") || actions.contains("ssm:DeleteParameter")
                    || actions.contains("ssm:GetParametersByPath")) {
                // The type's own prefixes, nothing else: a template author's parameters are read, never written.
                for (String arn : arns(statement.path("Resource"))) {
                    String path = arn.substring(arn.indexOf(":parameter") + ":parameter".length());
                    assertThat(List.of(SsmRecordStore.PREFIX, SsmRecordStore.PREFIX + "/*", RunnerProtocol.STEP_PREFIX + "/*"))
                            .as(sid).contains(path);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** Each ECS permission and each role passed to ECS exists only when the admin names a cluster for the tasks. */
    @Test
    void ecsPermissionsOnlyWithATaskRunnerCluster() {
        JsonNode template = template();
        List<String> problems = new ArrayList<>();
        template.path("Resources").path("ExecutionRole").path("Properties").path("Policies").forEach(p ->
                p.path("PolicyDocument").path("Statement").forEach(statement -> {
                    JsonNode granted = statement.has("Fn::If") ? statement.get("Fn::If").get(1) : statement;
                    String condition = statement.has("Fn::If") ? statement.get("Fn::If").get(0).asText() : "";
                    boolean ecs = list(granted.path("Action")).stream().anyMatch(a -> a.startsWith("ecs:"))
                            || granted.path("Condition").toString().contains("ecs-tasks.amazonaws.com");
                    if (ecs && !Set.of("RunsTasks", "PassesTaskRoles", "PassesTaskExecutionRole").contains(condition)) {
                        problems.add(granted.path("Sid").asText() + " under condition '" + condition + "'");
                    }
                }));
        assertThat(problems).isEmpty();
        JsonNode conditions = template.path("Conditions");
        assertThat(conditions.path("RunsTasks").toString()).contains("TaskRunnerCluster");
        assertThat(conditions.path("PassesTaskRoles").toString()).contains("RunsTasks").contains("PassesRunnerRoles");
        assertThat(conditions.path("PassesTaskExecutionRole").toString()).contains("RunsTasks").contains("TaskExecutionRoleArn");
        JsonNode parameters = template.path("Parameters");
        assertThat(parameters.path("TaskRunnerCluster").path("Default").asText()).isEmpty();
        assertThat(parameters.path("TaskExecutionRoleArn").path("Default").asText()).isEmpty();
        // A name only: it is put into ARNs, where a * or an ARN would widen or break them.
        assertThat("default").matches(parameters.path("TaskRunnerCluster").path("AllowedPattern").asText());
        assertThat("*").doesNotMatch(parameters.path("TaskRunnerCluster").path("AllowedPattern").asText());
        assertThat("arn:aws:ecs:eu-west-1:123456789012:cluster/x")
                .doesNotMatch(parameters.path("TaskRunnerCluster").path("AllowedPattern").asText());
    }

    @Test
    void theRegistryCanAssumeBothRoles() {
        JsonNode resources = template().path("Resources");
        for (String role : List.of("ExecutionRole", "LoggingRole")) {
            JsonNode trust = resources.path(role).path("Properties").path("AssumeRolePolicyDocument").path("Statement").get(0);
            assertThat(trust.path("Principal").path("Service").asText()).isEqualTo("resources.cloudformation.amazonaws.com");
            assertThat(trust.path("Condition").path("StringEquals").path("aws:SourceAccount").path("Ref").asText())
                    .isEqualTo("AWS::AccountId");
            // The registry's ARN keeps the type name's case: type/resource/Company-Database-SchemaVersion/...
            assertThat(trust.path("Condition").path("StringLike").path("aws:SourceArn").path("Fn::Sub").asText())
                    .isEqualTo("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:type/resource/"
                            + typeArnSegment() + "/*");
        }
    }

    @Test
    void registersTheTypeWithThoseRolesAndAnHmacKey() {
        JsonNode resources = template().path("Resources");
        JsonNode version = resources.path("ResourceVersion").path("Properties");
        assertThat(resources.path("ResourceVersion").path("Type").asText()).isEqualTo("AWS::CloudFormation::ResourceVersion");
        assertThat(version.path("TypeName").asText()).isEqualTo(ProjectFiles.schemaTree().path("typeName").asText());
        assertThat(version.path("SchemaHandlerPackage").path("Ref").asText()).isEqualTo("SchemaHandlerPackage");
        assertThat(version.path("ExecutionRoleArn").path("Fn::GetAtt").asText()).isEqualTo("ExecutionRole.Arn");
        assertThat(version.path("LoggingConfig").path("LogRoleArn").path("Fn::GetAtt").asText()).isEqualTo("LoggingRole.Arn");
        assertThat(version.path("LoggingConfig").path("LogGroupName").path("Ref").asText()).isEqualTo("LogGroup");
        assertThat(resources.path("ResourceDefaultVersion").path("Type").asText()).isEqualTo("AWS::CloudFormation::ResourceDefaultVersion");
        assertThat(resources.path("ResourceDefaultVersion").path("Properties").path("TypeVersionArn").path("Ref").asText())
                .isEqualTo("ResourceVersion");

        JsonNode key = resources.path("RecordKey").path("Properties");
        assertThat(key.path("KeySpec").asText()).isEqualTo("HMAC_256");
        assertThat(key.path("KeyUsage").asText()).isEqualTo("GENERATE_VERIFY_MAC");
        // Signed by default: the alias the handlers look for when the type configuration names no key, in place
        // before the type version is registered.
        JsonNode alias = resources.path("RecordKeyAlias");
        assertThat(alias.path("Type").asText()).isEqualTo("AWS::KMS::Alias");
        assertThat(alias.path("Properties").path("AliasName").asText()).isEqualTo(RecordIntegrity.DEFAULT_KEY_ALIAS);
        assertThat(alias.path("Properties").path("TargetKeyId").path("Ref").asText()).isEqualTo("RecordKey");
        assertThat(resources.path("ResourceVersion").path("DependsOn").toString()).contains("\"RecordKeyAlias\"");
        // Long form only: StackSets and plain YAML readers take it as it is.
        assertThat(ProjectFiles.read(TEMPLATE)).doesNotContainPattern("(:|-) ![A-Za-z]");
        assertThat(template().path("Outputs").path("TypeConfiguration").toString()).contains("IntegrityKeyArn").contains("RecordKey.Arn");
    }
}
