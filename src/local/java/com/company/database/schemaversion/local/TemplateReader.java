package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes one resource's Properties out of a CloudFormation template (YAML with the short-form tags, or JSON)
 * and resolves the intrinsic functions the way CloudFormation would, with the values of other resources'
 * Ref/GetAtt given on the command line (Name=Value, Resource.Attribute=Value). Template parameters fall back
 * to their Default.
 */
public final class TemplateReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]+)}");

    private final Map<String, String> values;
    private final Map<String, Object> templateParameters;

    private TemplateReader(Map<String, String> values, Map<String, Object> templateParameters) {
        this.values = values;
        this.templateParameters = templateParameters;
    }

    /** The resolved Properties of {@code logicalId}, as the JSON the handler receives. */
    public static ObjectNode properties(Path template, String logicalId, Map<String, String> values) throws IOException {
        Object parsed = new Yaml(new CloudFormationConstructor()).load(Files.readString(template));
        if (!(parsed instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException(template + " is not a CloudFormation template (no top-level mapping).");
        }
        Map<?, ?> resources = root.get("Resources") instanceof Map<?, ?> r ? r : Map.of();
        if (!(resources.get(logicalId) instanceof Map<?, ?> resource)) {
            throw new IllegalArgumentException("Template " + template + " has no resource " + logicalId
                    + "; its resources are " + resources.keySet() + ".");
        }
        Object type = resource.get("Type");
        if (!CloudFormationDriver.TYPE_NAME.equals(type)) {
            throw new IllegalArgumentException("Resource " + logicalId + " is a " + type + ", not a "
                    + CloudFormationDriver.TYPE_NAME + ".");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = root.get("Parameters") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
        TemplateReader reader = new TemplateReader(values, parameters);
        Object properties = reader.resolve(resource.get("Properties") == null ? Map.of() : resource.get("Properties"),
                logicalId + ".Properties");
        return JSON.valueToTree(properties);
    }

    private Object resolve(Object value, String where) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1) {
                String key = String.valueOf(map.keySet().iterator().next());
                Object arg = map.values().iterator().next();
                if ("Ref".equals(key)) {
                    return lookup(String.valueOf(arg), "!Ref " + arg, where);
                }
                if (key.startsWith("Fn::")) {
                    return function(key, arg, where);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), resolve(v, where + "." + k)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(resolve(list.get(i), where + "[" + i + "]"));
            }
            return out;
        }
        return value;
    }

    private Object function(String name, Object arg, String where) {
        switch (name) {
            case "Fn::GetAtt" -> {
                List<?> parts = arg instanceof List<?> l ? l : splitGetAtt(String.valueOf(arg));
                String key = parts.get(0) + "." + resolve(parts.get(1), where);
                return lookup(key, "!GetAtt " + key, where);
            }
            case "Fn::Sub" -> {
                String text;
                Map<?, ?> local = Map.of();
                if (arg instanceof List<?> l) {
                    text = String.valueOf(l.get(0));
                    local = l.size() > 1 && l.get(1) instanceof Map<?, ?> m ? m : Map.of();
                } else {
                    text = String.valueOf(arg);
                }
                Matcher m = SUB_VARIABLE.matcher(text);
                StringBuilder sb = new StringBuilder();
                while (m.find()) {
                    String replacement;
                    if (!m.group(1).isEmpty()) {
                        replacement = "${" + m.group(2) + "}";
                    } else if (local.containsKey(m.group(2))) {
                        replacement = String.valueOf(resolve(local.get(m.group(2)), where));
                    } else {
                        replacement = String.valueOf(lookup(m.group(2), "${" + m.group(2) + "} in !Sub", where));
                    }
                    m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
                }
                m.appendTail(sb);
                return sb.toString();
            }
            case "Fn::Join" -> {
                List<?> l = (List<?>) arg;
                Object items = resolve(l.get(1), where);
                List<String> parts = new ArrayList<>();
                for (Object o : (List<?>) items) {
                    parts.add(String.valueOf(o));
                }
                return String.join(String.valueOf(l.get(0)), parts);
            }
            case "Fn::Select" -> {
                List<?> l = (List<?>) arg;
                int index = Integer.parseInt(String.valueOf(resolve(l.get(0), where)));
                return ((List<?>) resolve(l.get(1), where)).get(index);
            }
            case "Fn::ImportValue" -> {
                String export = String.valueOf(resolve(arg, where));
                return lookup(export, "!ImportValue " + export, where);
            }
            default -> throw new IllegalArgumentException(where + " uses " + name
                    + ", which the local runner does not evaluate: write the value itself, or pass the properties as JSON with --properties.");
        }
    }

    private Object lookup(String key, String expression, String where) {
        if (values.containsKey(key)) {
            return values.get(key);
        }
        if (templateParameters.get(key) instanceof Map<?, ?> parameter && parameter.containsKey("Default")) {
            return parameter.get("Default");
        }
        switch (key) {
            case "AWS::Region" -> { return "us-east-1"; }
            case "AWS::AccountId" -> { return "123456789012"; }
            case "AWS::Partition" -> { return "aws"; }
            case "AWS::URLSuffix" -> { return "amazonaws.com"; }
            case "AWS::StackName" -> { return "local"; }
            default -> { }
        }
        throw new IllegalArgumentException(where + " needs the value of " + expression
                + ": give it with --param " + key + "=VALUE.");
    }

    private static List<String> splitGetAtt(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0) {
            throw new IllegalArgumentException("!GetAtt " + text + " is not Resource.Attribute.");
        }
        return List.of(text.substring(0, dot), text.substring(dot + 1));
    }

    /** Turns the short-form tags (!Ref X) into their long form ({Ref: X}), as CloudFormation reads them. */
    private static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            for (String fn : List.of("Ref", "GetAtt", "Sub", "Join", "Select", "ImportValue", "If", "Equals", "Not",
                    "And", "Or", "FindInMap", "Base64", "Cidr", "GetAZs", "Split", "Condition", "Length", "ToJsonString")) {
                String longName = "Ref".equals(fn) || "Condition".equals(fn) ? fn : "Fn::" + fn;
                this.yamlConstructors.put(new Tag("!" + fn), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object value;
                        if (node instanceof ScalarNode scalar) {
                            value = constructScalar(scalar);
                        } else if (node instanceof SequenceNode sequence) {
                            value = constructSequence(sequence);
                        } else {
                            value = constructMapping((MappingNode) node);
                        }
                        Map<String, Object> wrapped = new LinkedHashMap<>();
                        wrapped.put(longName, value);
                        return wrapped;
                    }
                });
            }
        }
    }
}
