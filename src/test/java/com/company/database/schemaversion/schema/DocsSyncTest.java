package com.company.database.schemaversion.schema;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/ is exactly what `cfn generate` writes from the schema (CI cannot run the CLI, so CfnDocsRenderer
 * renders its templates here), and guides/properties-reference.md, the hand-written reference, has an entry
 * for every setting: the resource's properties and the account admin's type configuration.
 */
class DocsSyncTest {

    @Test
    void docsAreExactlyWhatCfnGenerateWrites() throws IOException {
        Map<String, String> expected = CfnDocsRenderer.render(ProjectFiles.schemaTree());
        Path docs = ProjectFiles.root().resolve("docs");
        TreeSet<String> present;
        try (Stream<Path> files = Files.list(docs)) {
            present = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(present).as("cfn generate deletes docs/ and writes these files; hand-written pages belong in guides/")
                .isEqualTo(new TreeSet<>(expected.keySet()));
        expected.forEach((file, content) -> assertThat(ProjectFiles.read("docs/" + file))
                .as("docs/%s differs from what cfn generate writes: run cfn generate and commit its output", file)
                .isEqualTo(content));
    }

    /** Every setting: Name or Object.Name for the resource, TypeConfiguration.Group.Name for the admin's settings. */
    private static List<Map.Entry<String, JsonNode>> settings(JsonNode schema) {
        List<Map.Entry<String, JsonNode>> settings = new ArrayList<>();
        schema.path("properties").fields().forEachRemaining(p -> {
            settings.add(Map.entry(p.getKey(), ProjectFiles.dereference(schema, p.getValue())));
            ProjectFiles.dereference(schema, p.getValue()).path("properties").fields().forEachRemaining(c ->
                    settings.add(Map.entry(p.getKey() + "." + c.getKey(), ProjectFiles.dereference(schema, c.getValue()))));
        });
        schema.path("typeConfiguration").path("properties").fields().forEachRemaining(g -> {
            String group = "TypeConfiguration." + g.getKey();
            settings.add(Map.entry(group, ProjectFiles.dereference(schema, g.getValue())));
            ProjectFiles.dereference(schema, g.getValue()).path("properties").fields().forEachRemaining(c ->
                    settings.add(Map.entry(group + "." + c.getKey(), ProjectFiles.dereference(schema, c.getValue()))));
        });
        return settings;
    }

    @Test
    void propertiesReferenceHasAnEntryForEverySetting() {
        String reference = ProjectFiles.read("guides/properties-reference.md");
        List<String> problems = new ArrayList<>();
        List<Map.Entry<String, JsonNode>> settings = settings(ProjectFiles.schemaTree());
        assertThat(settings).extracting(Map.Entry::getKey).contains("TypeConfiguration.Records.IntegrityKeyArn");
        for (Map.Entry<String, JsonNode> setting : settings) {
            String name = setting.getKey();
            Matcher m = Pattern.compile("(?ms)^### " + Pattern.quote(name) + "\\n(.*?)(?=^#{2,3} |\\z)").matcher(reference);
            if (!m.find()) {
                problems.add("no '### " + name + "' entry");
                continue;
            }
            String text = m.group(1);
            if (!text.contains("**Type:**")) problems.add(name + ": no Type");
            JsonNode property = setting.getValue();
            JsonNode items = property.path("items");
            if (property.has("default") && !text.contains("**Default:** `" + property.get("default").asText() + "`")) {
                problems.add(name + ": Default is not the schema's " + property.get("default"));
            }
            if (property.has("minimum") && property.has("maximum") && !text.contains(
                    property.get("minimum").asText() + " to " + property.get("maximum").asText())) {
                problems.add(name + ": bounds are not the schema's " + property.get("minimum") + ".." + property.get("maximum"));
            }
            for (JsonNode constrained : List.of(property, items)) {
                if (constrained.has("pattern") && !text.contains("`" + constrained.get("pattern").asText() + "`")) {
                    problems.add(name + ": pattern is not the schema's");
                }
                constrained.path("enum").forEach(v -> {
                    if (!text.contains("`" + v.asText() + "`")) problems.add(name + ": value " + v.asText() + " undocumented");
                });
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void relativeLinksBetweenPagesResolve() throws IOException {
        List<String> broken = new ArrayList<>();
        Pattern link = Pattern.compile("(?:\\]\\(|href=\")((?:\\.\\./)*[A-Za-z0-9_./-]+\\.(?:md|yaml|yml))(#[^)\"]*)?[)\"]");
        for (String folder : List.of("docs", "guides")) {
            try (Stream<Path> pages = Files.list(ProjectFiles.root().resolve(folder))) {
                for (Path page : pages.filter(p -> p.toString().endsWith(".md")).toList()) {
                    Matcher m = link.matcher(Files.readString(page));
                    while (m.find()) {
                        if (!Files.isRegularFile(page.getParent().resolve(m.group(1)).normalize())) {
                            broken.add(folder + "/" + page.getFileName() + " -> " + m.group(1));
                        }
                    }
                }
            }
        }
        Matcher m = link.matcher(ProjectFiles.read("README.md"));
        while (m.find()) {
            if (!Files.isRegularFile(ProjectFiles.root().resolve(m.group(1)).normalize())) broken.add("README.md -> " + m.group(1));
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void readmeLinksTheGuides() throws IOException {
        String readme = ProjectFiles.read("README.md");
        try (Stream<Path> guides = Files.list(ProjectFiles.root().resolve("guides"))) {
            assertThat(guides.map(p -> "guides/" + p.getFileName()).toList())
                    .allSatisfy(guide -> assertThat(readme).contains("](" + guide + ")"));
        }
    }

    @Test
    void schemaPointsAtTheDocs() {
        assertThat(ProjectFiles.schemaTree().path("documentationUrl").asText()).endsWith("/docs/README.md");
    }
}
