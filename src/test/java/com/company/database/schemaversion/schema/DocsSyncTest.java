package com.company.database.schemaversion.schema;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/ follows the schema: the pages `cfn generate` writes (README.md for the resource, one page per
 * definition) and the hand-written properties reference. When a property is added or tightened, these fail
 * until the docs say the same.
 */
class DocsSyncTest {
    private static final String TYPE_NAME = "Company::Database::SchemaVersion";

    /** cfn generate names a definition's page after the definition: Database -> docs/database.md. */
    private static String pageFor(String definition) {
        return definition.isEmpty() ? "docs/README.md" : "docs/" + definition.toLowerCase() + ".md";
    }

    /** The text of one property's entry on a generated page: from its heading to the next heading. */
    private static String entry(String page, String property) {
        Matcher m = Pattern.compile("(?ms)^#### " + Pattern.quote(property) + "\\n(.*?)(?=^#{2,4} |\\z)").matcher(page);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void everyPropertyHasAnEntryOnItsGeneratedPage() {
        JsonNode schema = ProjectFiles.schemaTree();
        List<String> readOnly = ProjectFiles.strings(schema.path("readOnlyProperties"));
        List<String> createOnly = ProjectFiles.strings(schema.path("createOnlyProperties"));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> object : ProjectFiles.objectsWithProperties(schema).entrySet()) {
            String pageName = pageFor(object.getKey());
            if (!Files.isRegularFile(ProjectFiles.root().resolve(pageName))) {
                problems.add(pageName + " is missing");
                continue;
            }
            String page = ProjectFiles.read(pageName);
            String title = "# " + TYPE_NAME + (object.getKey().isEmpty() ? "" : " " + object.getKey()) + "\n";
            if (!page.startsWith(title)) problems.add(pageName + " does not start with " + title.trim());
            List<String> required = ProjectFiles.strings(object.getValue().path("required"));
            object.getValue().path("properties").fields().forEachRemaining(p -> {
                String name = p.getKey();
                JsonNode property = p.getValue();
                String pointer = "/properties/" + (object.getKey().isEmpty() ? "" : object.getKey() + "/") + name;
                String where = pageName + " " + name;
                String text = entry(page, name);
                if (text == null) {
                    problems.add(where + ": no '#### " + name + "' entry");
                    return;
                }
                if (readOnly.contains(pointer)) {
                    // Read-only properties appear only under Fn::GetAtt, as cfn generate writes them.
                    if (page.indexOf("#### " + name) < page.indexOf("### Fn::GetAtt")) problems.add(where + ": read-only, belongs under Fn::GetAtt");
                    return;
                }
                if (!page.contains("title=\"" + name + "\">" + name + "</a>")) problems.add(where + ": missing from the Syntax blocks");
                if (property.has("description") && !text.contains(property.get("description").asText())) problems.add(where + ": description differs from the schema");
                if (!text.contains("_Required_: " + (required.contains(name) ? "Yes" : "No"))) problems.add(where + ": Required differs from the schema");
                if (property.has("pattern") && !text.contains("_Pattern_: <code>" + property.get("pattern").asText() + "</code>")) problems.add(where + ": Pattern differs from the schema");
                if (property.has("enum")) {
                    List<String> codes = new ArrayList<>();
                    property.get("enum").forEach(v -> codes.add("<code>" + v.asText() + "</code>"));
                    if (!text.contains("_Allowed Values_: " + String.join(" | ", codes))) problems.add(where + ": Allowed Values differ from the schema");
                }
                boolean replacement = text.contains("#update-replacement");
                if (replacement != createOnly.contains(pointer)) problems.add(where + ": Update requires differs from createOnlyProperties");
            });
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void propertiesReferenceHasAnEntryForEverySetting() {
        String reference = ProjectFiles.read("docs/properties-reference.md");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> object : ProjectFiles.objectsWithProperties(ProjectFiles.schemaTree()).entrySet()) {
            object.getValue().path("properties").fields().forEachRemaining(p -> {
                String name = object.getKey().isEmpty() ? p.getKey() : object.getKey() + "." + p.getKey();
                Matcher m = Pattern.compile("(?ms)^### " + Pattern.quote(name) + "\\n(.*?)(?=^#{2,3} |\\z)").matcher(reference);
                if (!m.find()) {
                    problems.add("no '### " + name + "' entry");
                    return;
                }
                String text = m.group(1);
                if (!text.contains("**Type:**")) problems.add(name + ": no Type");
                JsonNode property = p.getValue();
                if (property.has("default") && !text.contains("**Default:** `" + property.get("default").asText() + "`")) {
                    problems.add(name + ": Default is not the schema's " + property.get("default"));
                }
                if (property.has("minimum") && property.has("maximum") && !text.contains(
                        property.get("minimum").asText() + " to " + property.get("maximum").asText())) {
                    problems.add(name + ": bounds are not the schema's " + property.get("minimum") + ".." + property.get("maximum"));
                }
                if (property.has("pattern") && !text.contains("`" + property.get("pattern").asText() + "`")) {
                    problems.add(name + ": pattern is not the schema's");
                }
                if (property.has("enum")) {
                    property.get("enum").forEach(v -> {
                        if (!text.contains("`" + v.asText() + "`")) problems.add(name + ": value " + v.asText() + " undocumented");
                    });
                }
            });
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void relativeLinksBetweenDocsResolve() throws IOException {
        Path docs = ProjectFiles.root().resolve("docs");
        List<String> broken = new ArrayList<>();
        Pattern link = Pattern.compile("(?:\\]\\(|href=\")([A-Za-z0-9_.-]+\\.md)(#[^)\"]*)?[)\"]");
        try (Stream<Path> pages = Files.list(docs)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).toList()) {
                Matcher m = link.matcher(Files.readString(page));
                while (m.find()) {
                    if (!Files.isRegularFile(docs.resolve(m.group(1)))) broken.add(page.getFileName() + " -> " + m.group(1));
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void schemaPointsAtTheDocs() {
        assertThat(ProjectFiles.schemaTree().path("documentationUrl").asText()).endsWith("/docs/README.md");
    }
}
