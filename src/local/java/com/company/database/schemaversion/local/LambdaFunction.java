package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One function of the {@link LocalLambda} as Lambda keeps it: $LATEST, or a published version. */
final class LambdaFunction {
    private static final ObjectMapper JSON = new ObjectMapper();

    String name;
    String region;
    String role;
    String handler;
    String runtime;
    int timeout;
    int memory;
    List<String> subnets = List.of();
    List<String> groups = List.of();
    Map<String, String> environment = Map.of();
    String codeSha256;
    long codeSize;
    byte[] code;
    List<String> layers = List.of();
    JsonNode fileSystemConfigs;
    String kmsKeyArn;
    String deadLetterTarget;
    String tracingMode = "PassThrough";
    int ephemeralStorage = 512;
    String snapStartApplyOn = "None";
    String logFormat = "Text";
    String logGroup;
    List<String> architectures = List.of("x86_64");
    String packageType = "Zip";
    /** This qualifier's own: Lambda keeps one per function, version and alias. */
    ObjectNode eventInvokeConfig;
    /** "$LATEST", or the number of a published version (an immutable snapshot). */
    String version = "$LATEST";
    /** Changes with every change of $LATEST's code or configuration (PublishVersion's precondition). */
    String revisionId = java.util.UUID.randomUUID().toString();
    final TreeMap<Integer, LambdaFunction> versions = new TreeMap<>();
    int lastVersion;
    String state = "Pending";
    String stateReasonCode;
    String stateReason;
    String lastUpdateStatus = "Successful";
    int pollsLeft;
    boolean deleting;

    /** What PublishVersion keeps: code and configuration as they are now, never changed afterwards. */
    LambdaFunction snapshot(int number) {
        LambdaFunction v = new LambdaFunction();
        v.name = name;
        v.region = region;
        v.role = role;
        v.handler = handler;
        v.runtime = runtime;
        v.timeout = timeout;
        v.memory = memory;
        v.subnets = subnets;
        v.groups = groups;
        v.environment = Map.copyOf(environment);
        v.codeSha256 = codeSha256;
        v.codeSize = codeSize;
        v.code = code;
        v.layers = List.copyOf(layers);
        v.fileSystemConfigs = fileSystemConfigs;
        v.kmsKeyArn = kmsKeyArn;
        v.deadLetterTarget = deadLetterTarget;
        v.tracingMode = tracingMode;
        v.ephemeralStorage = ephemeralStorage;
        v.snapStartApplyOn = snapStartApplyOn;
        v.logFormat = logFormat;
        v.logGroup = logGroup;
        v.architectures = architectures;
        v.packageType = packageType;
        v.version = Integer.toString(number);
        v.revisionId = java.util.UUID.randomUUID().toString();
        v.state = "Active";
        return v;
    }

    /** Code and configuration, for PublishVersion's "nothing changed since the last version". */
    String signature() {
        return String.join("|", codeSha256, String.valueOf(role), String.valueOf(handler), String.valueOf(runtime),
                Integer.toString(timeout), Integer.toString(memory), subnets.toString(), groups.toString(),
                new TreeMap<>(environment).toString(), layers.toString(), String.valueOf(fileSystemConfigs),
                String.valueOf(kmsKeyArn), String.valueOf(deadLetterTarget), tracingMode,
                Integer.toString(ephemeralStorage), snapStartApplyOn, logFormat, String.valueOf(logGroup),
                architectures.toString(), packageType);
    }

    /** GetFunction's Configuration, as Lambda shapes it. */
    ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.put("FunctionName", name);
        c.put("FunctionArn", "arn:aws:lambda:us-east-1:123456789012:function:" + name
                + ("$LATEST".equals(version) ? "" : ":" + version));
        c.put("Runtime", runtime);
        c.put("Role", role);
        c.put("Handler", handler);
        c.put("CodeSize", codeSize);
        c.put("Timeout", timeout);
        c.put("MemorySize", memory);
        c.put("CodeSha256", codeSha256);
        if (!environment.isEmpty()) {
            ObjectNode variables = c.putObject("Environment").putObject("Variables");
            environment.forEach(variables::put);
        }
        c.put("Version", version);
        c.put("RevisionId", revisionId);
        ObjectNode vpc = c.putObject("VpcConfig");
        ArrayNode s = vpc.putArray("SubnetIds");
        subnets.forEach(s::add);
        ArrayNode g = vpc.putArray("SecurityGroupIds");
        groups.forEach(g::add);
        vpc.put("VpcId", "vpc-0123456789abcdef0");
        c.put("State", state);
        if (stateReason != null) c.put("StateReason", stateReason);
        if (stateReasonCode != null) c.put("StateReasonCode", stateReasonCode);
        c.put("LastUpdateStatus", lastUpdateStatus);
        c.put("PackageType", packageType);
        if (!layers.isEmpty()) {
            ArrayNode layerList = c.putArray("Layers");
            layers.forEach(arn -> layerList.addObject().put("Arn", arn).put("CodeSize", 1024));
        }
        if (fileSystemConfigs != null) c.set("FileSystemConfigs", fileSystemConfigs);
        if (kmsKeyArn != null) c.put("KMSKeyArn", kmsKeyArn);
        if (deadLetterTarget != null) c.putObject("DeadLetterConfig").put("TargetArn", deadLetterTarget);
        c.putObject("TracingConfig").put("Mode", tracingMode);
        c.putObject("EphemeralStorage").put("Size", ephemeralStorage);
        c.putObject("SnapStart").put("ApplyOn", snapStartApplyOn).put("OptimizationStatus", "Off");
        c.putObject("LoggingConfig").put("LogFormat", logFormat).put("LogGroup", logGroup);
        ArrayNode architectureList = c.putArray("Architectures");
        architectures.forEach(architectureList::add);
        return c;
    }
}
