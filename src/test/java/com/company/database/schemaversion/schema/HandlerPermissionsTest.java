package com.company.database.schemaversion.schema;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * resource-role.yaml is the role `cfn submit` deploys for the handlers: it must allow exactly what the schema's
 * handlers declare, in the form `cfn generate` writes (which would overwrite any hand edit).
 */
class HandlerPermissionsTest {

    /**
     * cloudformation-cli's templates/resource-role.yml (the version with the aws:SourceAccount/aws:SourceArn
     * condition), rendered with trim_blocks and lstrip_blocks as project.generate() does.
     */
    private static String generatedRole(String typeName, int sessionSeconds, String effect, List<String> actions) {
        String actionLines = actions.stream().map(a -> "                - \"" + a + "\"\n").collect(Collectors.joining());
        return """
                AWSTemplateFormatVersion: "2010-09-09"
                Description: >
                  This CloudFormation template creates a role assumed by CloudFormation
                  during CRUDL operations to mutate resources on behalf of the customer.

                Resources:
                  ExecutionRole:
                    Type: AWS::IAM::Role
                    Properties:
                      MaxSessionDuration: %d
                      AssumeRolePolicyDocument:
                        Version: '2012-10-17'
                        Statement:
                          - Effect: Allow
                            Principal:
                              Service: resources.cloudformation.amazonaws.com
                            Action: sts:AssumeRole
                            Condition:
                              StringEquals:
                                aws:SourceAccount:
                                  Ref: AWS::AccountId
                              StringLike:
                                aws:SourceArn:
                                  Fn::Sub: arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:type/resource/%s/*
                      Path: "/"
                      Policies:
                        - PolicyName: ResourceTypePolicy
                          PolicyDocument:
                            Version: '2012-10-17'
                            Statement:
                              - Effect: %s
                                Action:
                """.formatted(sessionSeconds, typeName, effect)
                + actionLines
                + """
                                Resource: "*"
                Outputs:
                  ExecutionRoleArn:
                    Value:
                      Fn::GetAtt: ExecutionRole.Arn
                """;
    }

    /** How cfn names the type in the registry's ARNs: the type name with :: replaced by -, case kept. */
    private static String typeArnSegment() {
        return ProjectFiles.schemaTree().path("typeName").asText().replace("::", "-");
    }

    @Test
    void theRegistryCanAssumeTheRole() {
        // The registry's ARN is case-sensitive: a lower-case type name here fails every handler call.
        assertThat(ProjectFiles.read("resource-role.yaml"))
                .contains(":type/resource/Company-Database-SchemaVersion/*\n")
                .contains(":type/resource/" + typeArnSegment() + "/*\n");
    }

    private static List<String> permissions(JsonNode handler) {
        return ProjectFiles.strings(handler.path("permissions"));
    }

    @Test
    void resourceRoleIsWhatCfnGenerateWritesForTheSchema() {
        JsonNode handlers = ProjectFiles.schemaTree().path("handlers");
        TreeSet<String> union = new TreeSet<>();
        int longestTimeout = 0;
        for (JsonNode handler : handlers) {
            union.addAll(permissions(handler));
            longestTimeout = Math.max(longestTimeout, handler.path("timeoutInMinutes").asInt(120));
        }
        union.remove("");
        int sessionSeconds = Math.min(43200, Math.max(3600, 70 * longestTimeout));
        boolean none = union.isEmpty();
        String expected = generatedRole(typeArnSegment(), sessionSeconds, none ? "Deny" : "Allow",
                none ? List.of("*") : new ArrayList<>(union));

        assertThat(ProjectFiles.read("resource-role.yaml")).isEqualTo(expected);
    }

    @Test
    void roleAllowsExactlyTheUnionOfHandlerPermissions() {
        // Independent of the exact text: the policy's action list, parsed, is the union, no more and no less.
        Matcher action = Pattern.compile("(?m)^ {16}- \"([^\"]+)\"$").matcher(ProjectFiles.read("resource-role.yaml"));
        List<String> inRole = new ArrayList<>();
        while (action.find()) inRole.add(action.group(1));

        TreeSet<String> union = new TreeSet<>();
        ProjectFiles.schemaTree().path("handlers").forEach(handler -> union.addAll(permissions(handler)));

        assertThat(inRole).doesNotHaveDuplicates().isSorted().containsExactlyInAnyOrderElementsOf(union);
    }

    @Test
    void handlersDeclareWhatTheirAwsCallsNeed() {
        JsonNode handlers = ProjectFiles.schemaTree().path("handlers");
        // Every handler reads records (kms:VerifyMac with a record key); Create and Update also sign them.
        Map<String, List<String>> needed = Map.of(
                "create", List.of("ssm:GetParameter", "ssm:PutParameter", "kms:Decrypt", "secretsmanager:GetSecretValue", "kms:GenerateMac", "kms:VerifyMac"),
                "read", List.of("ssm:GetParameter", "kms:Decrypt", "secretsmanager:GetSecretValue", "kms:VerifyMac"),
                "update", List.of("ssm:GetParameter", "ssm:PutParameter", "kms:Decrypt", "secretsmanager:GetSecretValue", "kms:GenerateMac", "kms:VerifyMac"),
                "delete", List.of("ssm:GetParameter", "ssm:DeleteParameter", "kms:Decrypt", "secretsmanager:GetSecretValue", "kms:VerifyMac"),
                "list", List.of("ssm:GetParametersByPath", "kms:VerifyMac"));
        assertThat(ProjectFiles.strings(handlers.path("list").path("permissions"))).containsExactlyInAnyOrder("ssm:GetParametersByPath", "kms:VerifyMac");
        needed.forEach((name, actions) -> assertThat(permissions(handlers.path(name)))
                .as("permissions of the %s handler", name)
                .containsAll(actions)
                .doesNotHaveDuplicates()
                .noneMatch(p -> p.contains("*"))
                // Nothing tags SSM parameters; the record store writes untagged String parameters.
                .doesNotContain("ssm:AddTagsToResource"));
    }
}
