package com.company.database.schemaversion.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What `cfn submit` and `sam local` read besides the schema: .rpdk-config, pom.xml, template.yml and the one
 * jar under target/. The cfn CLI cannot run in this build, so its expectations are checked here.
 */
class PackagingLayoutTest {
    private static final String MAVEN_NS = "http://maven.apache.org/POM/4.0.0";
    private static final String PACKAGE = "com.company.database.schemaversion";

    private static Element child(Element parent, String name) {
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element e && MAVEN_NS.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) return e;
        }
        return null;
    }

    private static Element pom() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document document = factory.newDocumentBuilder().parse(ProjectFiles.root().resolve("pom.xml").toFile());
        return document.getDocumentElement();
    }

    private static String jarName() throws Exception {
        Element project = pom();
        return child(project, "artifactId").getTextContent() + "-" + child(project, "version").getTextContent() + ".jar";
    }

    @Test
    void rpdkConfigIsWhatCfnInitWritesForAJavaType() throws Exception {
        String text = ProjectFiles.read(".rpdk-config");
        JsonNode config = new ObjectMapper().readTree(text);
        List<String> keys = new ArrayList<>();
        config.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("artifact_type", "typeName", "language", "runtime", "entrypoint",
                "testEntrypoint", "settings", "executableEntrypoint");
        assertThat(config.path("typeName").asText()).isEqualTo(ProjectFiles.schemaTree().path("typeName").asText());
        assertThat(config.path("language").asText()).isEqualTo("java");
        assertThat(config.path("runtime").asText()).isEqualTo("java17");
        // The entrypoint is ours (the generated wrapper reading the request safely), which cfn generate never rewrites.
        assertThat(config.path("entrypoint").asText()).isEqualTo(PACKAGE + ".HandlerEntrypoint::handleRequest");
        assertThat(config.path("testEntrypoint").asText()).isEqualTo(PACKAGE + ".HandlerWrapper::testEntrypoint");
        assertThat(config.path("executableEntrypoint").asText()).isEqualTo(PACKAGE + ".HandlerWrapperExecutable");
        assertThat(String.join(".", ProjectFiles.strings(config.path("settings").path("namespace")))).isEqualTo(PACKAGE);
        assertThat(config.path("settings").path("protocolVersion").asText()).isEqualTo("2.0.0");
        // json.dump(indent=4) plus a newline, as the CLI writes it.
        @SuppressWarnings("unchecked")
        Map<String, Object> asMap = new ObjectMapper().readValue(text, LinkedHashMap.class);
        String pythonStyle = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writer(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                        .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))
                        .withArrayIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))
                        .withoutSpacesInObjectEntries())
                .writeValueAsString(asMap).replace("\":", "\": ").replace("[ ]", "[]") + "\n";
        assertThat(text).isEqualTo(pythonStyle);
    }

    @Test
    void entrypointsNameClassesThatExist() throws Exception {
        assertThat(Class.forName(PACKAGE + ".HandlerEntrypoint").getSuperclass().getName()).isEqualTo(PACKAGE + ".HandlerWrapper");
        Class.forName(PACKAGE + ".HandlerEntrypoint").getMethod("handleRequest", java.io.InputStream.class,
                java.io.OutputStream.class, com.amazonaws.services.lambda.runtime.Context.class);
        Class.forName(PACKAGE + ".HandlerWrapper").getMethod("testEntrypoint", java.io.InputStream.class,
                java.io.OutputStream.class, com.amazonaws.services.lambda.runtime.Context.class);
        Class.forName(PACKAGE + ".HandlerWrapperExecutable").getMethod("main", String[].class);
    }

    @Test
    void pomCarriesThePluginDependencyWhereTheCliLooksForIt() throws Exception {
        Element project = pom();
        assertThat(project.getNamespaceURI()).isEqualTo(MAVEN_NS);
        Element dependencies = child(project, "dependencies");
        String pluginVersion = null;
        NodeList list = dependencies.getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            if (list.item(i) instanceof Element dependency
                    && "aws-cloudformation-rpdk-java-plugin".equals(child(dependency, "artifactId").getTextContent())) {
                pluginVersion = child(dependency, "version").getTextContent();
            }
        }
        // The CLI reads the raw text (no ${property} resolution) and compares it as a string with "2.0.3".
        assertThat(pluginVersion).isEqualTo("2.2.5");
    }

    @Test
    void samTemplateRunsTheShadedJarWithTheConfiguredEntrypoints() throws Exception {
        String template = ProjectFiles.read("template.yml");
        JsonNode config = new ObjectMapper().readTree(ProjectFiles.read(".rpdk-config"));
        Map<String, Map<String, String>> functions = new LinkedHashMap<>();
        Matcher function = Pattern.compile("(?m)^  (\\w+):\\n    Type: AWS::Serverless::Function\\n    Properties:\\n((?:      \\w+: .+\\n)+)")
                .matcher(template);
        while (function.find()) {
            Map<String, String> properties = new LinkedHashMap<>();
            for (String line : function.group(2).split("\n")) {
                String[] pair = line.trim().split(": ", 2);
                properties.put(pair[0], pair[1]);
            }
            functions.put(function.group(1), properties);
        }
        assertThat(functions).containsOnlyKeys("TypeFunction", "TestEntrypoint");
        String codeUri = "./target/" + jarName();
        assertThat(functions.get("TypeFunction")).containsEntry("Handler", config.path("entrypoint").asText())
                .containsEntry("Runtime", config.path("runtime").asText()).containsEntry("CodeUri", codeUri);
        assertThat(functions.get("TestEntrypoint")).containsEntry("Handler", config.path("testEntrypoint").asText())
                .containsEntry("Runtime", config.path("runtime").asText()).containsEntry("CodeUri", codeUri);
        assertThat(template).startsWith("""
                AWSTemplateFormatVersion: "2010-09-09"
                Transform: AWS::Serverless-2016-10-31
                Description: AWS SAM template for Company::Database::SchemaVersion resource type
                """.replace("for Company", "for the Company"));
        assertThat(template).contains("Globals:\n  Function:\n    Timeout: 60");
    }

    @Test
    void atMostOneJarMatchesWhatCfnSubmitPackages() throws Exception {
        // Before `mvn package` there is no jar yet; after it, exactly one may match or cfn submit stops with
        // "Multiple JARs match". maven-shade keeps the thin jar as original-*.jar, outside the glob.
        Path target = ProjectFiles.root().resolve("target");
        List<String> matching = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                files.map(p -> p.getFileName().toString())
                        .filter(name -> name.startsWith("company-database-schemaversion-") && name.endsWith(".jar"))
                        .forEach(matching::add);
            }
        }
        assertThat(matching.size()).as("jars matching target/company-database-schemaversion-*.jar: %s", matching)
                .isLessThanOrEqualTo(1);
        matching.forEach(name -> assertThat(name).isEqualTo(new File(jarNameUnchecked()).getName()));
    }

    private static String jarNameUnchecked() {
        try {
            return jarName();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
