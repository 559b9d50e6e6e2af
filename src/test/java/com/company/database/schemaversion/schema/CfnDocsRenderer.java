package com.company.database.schemaversion.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What `cfn generate` (cloudformation-cli 0.2.39: Project.generate_docs with templates docs-readme.md and
 * docs-subproperty.md, rendered with trim_blocks and lstrip_blocks) writes into docs/ for a resource schema,
 * re-done in Java because CI cannot install the CLI. It covers the schema features this type uses and refuses
 * the others (so a schema change it cannot follow fails loudly instead of passing): $ref to definitions,
 * objects with properties or patternProperties, oneOf/anyOf/allOf merged into their object the way the
 * CLI's flattener does (their required lists join the object's, which is why docs/credentials.md marks all
 * three parameters Required), arrays of primitives, enum, minLength, maxLength, pattern, createOnly and
 * readOnly properties. Its quirks are kept on purpose: a top-level property's comma in the JSON syntax block
 * depends on the last property including read-only ones, a definition's page is named after the definition,
 * not the property, and a second property of an already documented definition gets its type link only.
 */
final class CfnDocsRenderer {
    private static final Map<String, String> BASIC = Map.of(
            "string", "String", "number", "Double", "integer", "Integer", "boolean", "Boolean");
    private static final Set<Character> MARKDOWN_RESERVED = Set.of('^', '*', '+', '.', '(', '[', '{', '#');
    private static final String UPDATE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html";

    private final JsonNode schema;
    private final String typeName;
    private final Map<String, Types> markedDown = new HashMap<>();
    private final Map<String, String> pages = new LinkedHashMap<>();

    private record Types(String json, String yaml, String longForm) {
    }

    /** One property as the templates see it. */
    private record Prop(String name, JsonNode schema, Types types, boolean readOnly, boolean createOnly) {
    }

    private CfnDocsRenderer(JsonNode schema) {
        this.schema = schema;
        this.typeName = schema.path("typeName").asText();
    }

    /** File name under docs/ to its content, README.md first. */
    static Map<String, String> render(JsonNode schema) {
        if (schema.has("conditionalCreateOnlyProperties")) throw new UnsupportedOperationException("conditionalCreateOnlyProperties");
        CfnDocsRenderer renderer = new CfnDocsRenderer(schema);
        Map<String, String> result = new LinkedHashMap<>();
        List<Prop> properties = new ArrayList<>();
        schema.path("properties").fields().forEachRemaining(p ->
                properties.add(renderer.property(p.getKey(), p.getValue(), List.of(p.getKey()))));
        result.put("README.md", renderer.readme(properties));
        result.putAll(renderer.pages);
        return result;
    }

    private Prop property(String name, JsonNode prop, List<String> path) {
        String propName = name;
        List<String> propPath = path;
        if (prop.has("$ref")) {
            String ref = prop.get("$ref").asText();
            if (!ref.startsWith("#/definitions/")) throw new UnsupportedOperationException("$ref " + ref);
            propName = ref.substring("#/definitions/".length());
            propPath = List.of(propName);
            prop = schema.path("definitions").path(propName);
        }
        String pointer = "/properties/" + String.join("/", propPath);
        if (markedDown.containsKey(propName)) {
            // The CLI returns only the cached types here: no description, constraints or update behaviour.
            return new Prop(name, JsonNodeFactory.instance.objectNode(), markedDown.get(propName), false, false);
        }
        boolean readOnly = ProjectFiles.strings(schema.path("readOnlyProperties")).contains(pointer);
        boolean createOnly = ProjectFiles.strings(schema.path("createOnlyProperties")).contains(pointer);

        if (prop.path("type").isArray()) throw new UnsupportedOperationException("several types at " + pointer);
        String type = prop.path("type").asText("object");
        Types types;
        if (BASIC.containsKey(type)) {
            String basic = BASIC.get(type);
            types = new Types(basic, basic, basic);
        } else if (type.equals("array")) {
            JsonNode items = prop.path("items");
            if (items.has("$ref") || items.path("type").asText("object").equals("object")) {
                throw new UnsupportedOperationException("array of objects at " + pointer);
            }
            Types item = property(propName, items, propPath).types();
            types = new Types("[ " + item.json() + ", ... ]", "\n      - " + item.yaml(), "List of " + item.longForm());
        } else if (type.equals("object")) {
            types = object(propName, prop, propPath);
        } else {
            throw new UnsupportedOperationException("type " + type + " at " + pointer);
        }
        return new Prop(name, prop, types, readOnly, createOnly);
    }

    private Types object(String propName, JsonNode prop, List<String> propPath) {
        JsonNode children = prop.has("properties") ? prop.get("properties") : prop.path("patternProperties");
        if (children.isEmpty()) {
            return new Types("Map", "Map", "Map");
        }
        children.fields().forEachRemaining(c -> {
            boolean inlineObject = !c.getValue().has("$ref") && c.getValue().path("type").asText("object").equals("object")
                    && c.getValue().has("properties");
            if (inlineObject && propPath.size() > 0 && prop.has("properties")) {
                // The CLI names such a page after the enclosing definition (its flattener's ref path): not modelled.
                throw new UnsupportedOperationException("inline object " + c.getKey() + " in " + propPath);
            }
        });
        String fileName = String.join("-", propPath).toLowerCase() + ".md";
        String link = "<a href=\"" + fileName + "\">" + propName + "</a>";
        Types types = new Types(link, link, link);
        markedDown.put(propName, types);
        List<Prop> properties = new ArrayList<>();
        List<String> required = new ArrayList<>(ProjectFiles.strings(prop.path("required")));
        for (String combiner : List.of("oneOf", "anyOf", "allOf")) {
            prop.path(combiner).forEach(s -> {
                if (s.has("properties") || s.has("$ref")) throw new UnsupportedOperationException(combiner + " with properties");
                required.addAll(ProjectFiles.strings(s.path("required")));
            });
        }
        children.fields().forEachRemaining(c -> {
            List<String> childPath = new ArrayList<>(propPath);
            childPath.add(c.getKey());
            properties.add(property(c.getKey(), c.getValue(), childPath));
        });
        pages.put(fileName, subpropertyPage(String.join(" ", propPath), prop, properties, required));
        return types;
    }

    private String readme(List<Prop> properties) {
        StringBuilder out = new StringBuilder("# ").append(typeName).append("\n");
        description(out, schema);
        out.append("\n## Syntax\n\nTo declare this entity in your AWS CloudFormation template, use the following syntax:\n\n");
        out.append("### JSON\n\n<pre>\n{\n    \"Type\" : \"").append(typeName).append("\",\n    \"Properties\" : {\n");
        for (int i = 0; i < properties.size(); i++) {
            Prop p = properties.get(i);
            if (p.readOnly()) continue;
            out.append("        \"").append(anchor(p.name())).append("\" : <i>").append(p.types().json()).append("</i>")
                    .append(i < properties.size() - 1 ? "," : "").append("\n");
        }
        out.append("    }\n}\n</pre>\n\n### YAML\n\n<pre>\nType: ").append(typeName).append("\nProperties:\n");
        for (Prop p : properties) {
            if (!p.readOnly()) out.append("    ").append(anchor(p.name())).append(": <i>").append(p.types().yaml()).append("</i>\n");
        }
        out.append("</pre>\n");
        List<String> required = ProjectFiles.strings(schema.path("required"));
        propertySection(out, properties, required, false);
        String ref = schema.path("primaryIdentifier").size() == 1
                ? schema.path("primaryIdentifier").get(0).asText().replaceFirst("^/properties/", "") : null;
        if (ref != null && ref.contains("/")) ref = null;
        List<String> readOnly = ProjectFiles.strings(schema.path("readOnlyProperties"));
        if (ref != null || !readOnly.isEmpty()) {
            out.append("## Return Values\n");
            if (ref != null) {
                out.append("\n### Ref\n\nWhen you pass the logical ID of this resource to the intrinsic `Ref` function, Ref returns the ")
                        .append(ref).append(".\n");
            }
            if (!readOnly.isEmpty()) {
                out.append("\n### Fn::GetAtt\n\nThe `Fn::GetAtt` intrinsic function returns a value for a specified attribute of this type."
                        + " The following are the available attributes and sample return values.\n\nFor more information about using"
                        + " the `Fn::GetAtt` intrinsic function, see [Fn::GetAtt](https://docs.aws.amazon.com/AWSCloudFormation/latest/"
                        + "UserGuide/intrinsic-function-reference-getatt.html).\n\n");
                for (String pointer : readOnly) {
                    String name = pointer.substring(pointer.lastIndexOf('/') + 1);
                    JsonNode property = ProjectFiles.resolveProperty(schema, pointer);
                    String description = pointer.split("/").length == 3 && property != null && property.has("description")
                            ? property.get("description").asText() : "Returns the <code>" + name + "</code> value.";
                    out.append("#### ").append(name).append("\n\n").append(description).append("\n\n");
                }
            }
        }
        return out.toString();
    }

    private String subpropertyPage(String subpropertyName, JsonNode object, List<Prop> properties, List<String> required) {
        StringBuilder out = new StringBuilder("# ").append(typeName).append(" ").append(subpropertyName).append("\n");
        description(out, object);
        out.append("\n## Syntax\n\nTo declare this entity in your AWS CloudFormation template, use the following syntax:\n\n");
        out.append("### JSON\n\n<pre>\n{\n");
        for (int i = 0; i < properties.size(); i++) {
            Prop p = properties.get(i);
            if (p.readOnly()) continue;
            out.append("    \"").append(anchor(p.name())).append("\" : <i>").append(p.types().json()).append("</i>")
                    .append(i < properties.size() - 1 ? "," : "").append("\n");
        }
        out.append("}\n</pre>\n\n### YAML\n\n<pre>\n");
        for (Prop p : properties) {
            if (!p.readOnly()) out.append(anchor(p.name())).append(": <i>").append(p.types().yaml()).append("</i>\n");
        }
        out.append("</pre>\n");
        propertySection(out, properties, required, true);
        return out.toString();
    }

    private static void description(StringBuilder out, JsonNode node) {
        if (node.hasNonNull("description") && !node.get("description").asText().isEmpty()) {
            out.append("\n").append(node.get("description").asText()).append("\n");
        }
    }

    private static String anchor(String name) {
        return "<a href=\"#" + name.toLowerCase() + "\" title=\"" + name + "\">" + name + "</a>";
    }

    private static void propertySection(StringBuilder out, List<Prop> properties, List<String> required, boolean escapeHeading) {
        if (properties.isEmpty()) return;
        out.append("\n## Properties\n\n");
        Set<String> requiredNames = new LinkedHashSet<>(required);
        for (Prop p : properties) {
            if (p.readOnly()) continue;
            JsonNode s = p.schema();
            out.append("#### ").append(escapeHeading ? escapeMarkdown(p.name()) : p.name()).append("\n");
            description(out, s);
            out.append("\n_Required_: ").append(requiredNames.contains(p.name()) ? "Yes" : "No").append("\n\n");
            out.append("_Type_: ").append(p.types().longForm()).append("\n");
            if (s.has("enum") && !s.get("enum").isEmpty()) {
                List<String> values = new ArrayList<>();
                s.get("enum").forEach(v -> values.add("<code>" + v.asText() + "</code>"));
                // trim_blocks eats the newline after the template's {% endfor %}: one blank line follows, not two.
                out.append("\n_Allowed Values_: ").append(String.join(" | ", values)).append("\n");
            }
            if (s.path("minLength").asInt(0) != 0) out.append("\n_Minimum Length_: <code>").append(s.get("minLength").asText()).append("</code>\n");
            if (s.path("maxLength").asInt(0) != 0) out.append("\n_Maximum Length_: <code>").append(s.get("maxLength").asText()).append("</code>\n");
            if (s.hasNonNull("pattern") && !s.get("pattern").asText().isEmpty()) {
                out.append("\n_Pattern_: <code>").append(s.get("pattern").asText()).append("</code>\n");
            }
            out.append(p.createOnly() ? "\n_Update requires_: [Replacement](" + UPDATE + "#update-replacement)\n"
                    : "\n_Update requires_: [No interruption](" + UPDATE + "#update-no-interrupt)\n");
            out.append("\n");
        }
    }

    private static String escapeMarkdown(String s) {
        return !s.isEmpty() && MARKDOWN_RESERVED.contains(s.charAt(0)) ? "\\" + s : s;
    }
}
