package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The schema handler package, laid out as {@code cfn submit} (cloudformation-cli 0.2.39 with the Java plugin
 * 2.2.3) lays it out: Project.submit writes configuration-schema.json (the schema's typeConfiguration with the
 * schema's definitions and typeName, json.dumps indent 4) when the schema has one, then .rpdk-config, then
 * _add_resources_content_to_zip: the schema file as schema.json, every file in inputs/ as inputs/NAME, the Java
 * plugin's package step (the one target/TYPE-*.jar under its own path, pom.xml, every file under src/ and
 * target/generated-sources/), and .cfn_metadata.json; overrides.json last when the project has one. Entries are
 * stored, not deflated (zipfile's default, which the CLI keeps for the registry's size check).
 *
 * <p>Before packaging it refuses what cfn submit would refuse (no jar, several jars) and, unlike the CLI, a jar
 * older than the sources it is built from: registering a stale artifact is the mistake a release must not make.
 */
final class HandlerPackage {
    static final String CLI_VERSION = "0.2.39";
    static final String JAVA_PLUGIN_TOOL_VERSION = "2.2.3";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final String typeName;
    final String hyphenatedName;
    final Path jar;

    private HandlerPackage(Path root, String typeName, Path jar) {
        this.root = root;
        this.typeName = typeName;
        this.hyphenatedName = typeName.replace("::", "-").toLowerCase(java.util.Locale.ROOT);
        this.jar = jar;
    }

    /** The project at {@code root}, its handler jar checked: present, alone, and newer than its sources. */
    static HandlerPackage of(Path root) throws IOException {
        Path config = root.resolve(".rpdk-config");
        if (!Files.isRegularFile(config)) {
            throw new ReleaseException("No .rpdk-config in " + root.toAbsolutePath()
                    + ": run the release from the project's folder, or give it with --project DIR.");
        }
        String typeName = JSON.readTree(Files.readString(config)).path("typeName").asText();
        String hyphenated = typeName.replace("::", "-").toLowerCase(java.util.Locale.ROOT);
        Path target = root.resolve("target");
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> found = Files.newDirectoryStream(target, hyphenated + "-*.jar")) {
                found.forEach(jars::add);
            }
        }
        if (jars.isEmpty()) {
            throw new ReleaseException("No handler artifact: target/" + hyphenated + "-*.jar does not exist. Build it with"
                    + " ./mvnw -B -DskipTests package (./schemaversion release builds it for you when it is missing).");
        }
        if (jars.size() > 1) {
            throw new ReleaseException("Several jars match target/" + hyphenated + "-*.jar (" + jars
                    + "); cfn submit would refuse them too. Run ./mvnw -B clean package.");
        }
        HandlerPackage p = new HandlerPackage(root, typeName, jars.get(0));
        Path newer = p.newestSourceAfter(Files.getLastModifiedTime(jars.get(0)));
        if (newer != null) {
            throw new ReleaseException(root.relativize(jars.get(0)) + " is older than " + root.relativize(newer)
                    + ": it would register code that is not what the checkout holds. Rebuild it with"
                    + " ./mvnw -B -DskipTests package (./schemaversion release does this for you; in a pipeline,"
                    + " release the jar the test step built).");
        }
        return p;
    }

    /** A source of the handler artifact changed after {@code built}, or null. */
    private Path newestSourceAfter(FileTime built) throws IOException {
        List<Path> sources = new ArrayList<>();
        sources.add(root.resolve("pom.xml"));
        sources.add(schemaFile());
        sources.add(root.resolve(".rpdk-config"));
        Path main = root.resolve("src").resolve("main");
        if (Files.isDirectory(main)) {
            try (Stream<Path> files = Files.walk(main)) {
                files.filter(Files::isRegularFile).forEach(sources::add);
            }
        }
        Path newest = null;
        FileTime newestTime = built;
        for (Path s : sources) {
            if (Files.isRegularFile(s) && Files.getLastModifiedTime(s).compareTo(newestTime) > 0) {
                newest = s;
                newestTime = Files.getLastModifiedTime(s);
            }
        }
        return newest;
    }

    Path schemaFile() {
        return root.resolve(hyphenatedName + ".json");
    }

    /** Writes the package; returns the entry names in order. */
    List<String> write(OutputStream out) throws IOException {
        List<String> names = new ArrayList<>();
        JsonNode schema = JSON.readTree(Files.readString(schemaFile()));
        try (ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8)) {
            if (schema.has("typeConfiguration")) {
                ObjectNode configuration = schema.get("typeConfiguration").deepCopy();
                configuration.set("definitions", schema.has("definitions") ? schema.get("definitions") : JSON.createObjectNode());
                configuration.put("typeName", typeName);
                stored(zip, names, "configuration-schema.json", pythonJson(configuration, 0).getBytes(StandardCharsets.UTF_8),
                        Instant.now());
            }
            file(zip, names, root.resolve(".rpdk-config"), ".rpdk-config");
            file(zip, names, schemaFile(), "schema.json");
            Path inputs = root.resolve("inputs");
            if (Files.isDirectory(inputs)) {
                for (Path input : sorted(inputs, false)) {
                    file(zip, names, input, "inputs/" + input.getFileName());
                }
            }
            file(zip, names, jar, relative(jar));
            file(zip, names, root.resolve("pom.xml"), "pom.xml");
            for (String tree : List.of("src", "target/generated-sources")) {
                Path dir = root.resolve(tree);
                if (Files.isDirectory(dir)) {
                    for (Path f : sorted(dir, true)) {
                        file(zip, names, f, relative(f));
                    }
                }
            }
            String metadata = "{\"plugin-tool-version\": \"" + JAVA_PLUGIN_TOOL_VERSION + "\", \"plugin-name\": \"java\", "
                    + "\"plugin-version\": \"" + javaPluginVersion() + "\", \"cli-version\": \"" + CLI_VERSION + "\"}";
            stored(zip, names, ".cfn_metadata.json", metadata.getBytes(StandardCharsets.UTF_8), Instant.now());
            Path overrides = root.resolve("overrides.json");
            if (Files.isRegularFile(overrides)) {
                file(zip, names, overrides, "overrides.json");
            }
        }
        return names;
    }

    private String relative(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static List<Path> sorted(Path dir, boolean recursive) throws IOException {
        try (Stream<Path> files = recursive ? Files.walk(dir) : Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void file(ZipOutputStream zip, List<String> names, Path file, String name) throws IOException {
        stored(zip, names, name, Files.readAllBytes(file), Files.getLastModifiedTime(file).toInstant());
    }

    private static void stored(ZipOutputStream zip, List<String> names, String name, byte[] bytes, Instant time) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        // zipfile's strict_timestamps=False clamps to the DOS range, which starts in 1980.
        e.setTime(Math.max(time.toEpochMilli(), Instant.parse("1980-01-01T00:00:00Z").toEpochMilli()));
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
        names.add(name);
    }

    /** The plugin version the CLI reads from the pom's dependency on aws-cloudformation-rpdk-java-plugin. */
    private String javaPluginVersion() throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var doc = factory.newDocumentBuilder().parse(root.resolve("pom.xml").toFile());
            var artifacts = doc.getElementsByTagNameNS("http://maven.apache.org/POM/4.0.0", "artifactId");
            for (int i = 0; i < artifacts.getLength(); i++) {
                var a = artifacts.item(i);
                if ("aws-cloudformation-rpdk-java-plugin".equals(a.getTextContent())
                        && "dependency".equals(a.getParentNode().getLocalName())
                        && "dependencies".equals(a.getParentNode().getParentNode().getLocalName())
                        && "project".equals(a.getParentNode().getParentNode().getParentNode().getLocalName())) {
                    var siblings = a.getParentNode().getChildNodes();
                    for (int j = 0; j < siblings.getLength(); j++) {
                        if ("version".equals(siblings.item(j).getLocalName())) {
                            return siblings.item(j).getTextContent();
                        }
                    }
                }
            }
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException("pom.xml is invalid: " + e.getMessage(), e);
        }
        throw new ReleaseException("pom.xml has no aws-cloudformation-rpdk-java-plugin dependency; cfn submit needs it too.");
    }

    /** What Python's json.dumps(value, indent=4) writes (ensure_ascii, ", " and ": " separators). */
    static String pythonJson(JsonNode node, int depth) {
        String pad = "    ".repeat(depth + 1);
        String close = "    ".repeat(depth);
        if (node.isObject()) {
            if (node.isEmpty()) {
                return "{}";
            }
            StringBuilder b = new StringBuilder("{\n");
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                b.append(pad).append(pythonString(f.getKey())).append(": ").append(pythonJson(f.getValue(), depth + 1));
                b.append(fields.hasNext() ? ",\n" : "\n");
            }
            return b.append(close).append('}').toString();
        }
        if (node.isArray()) {
            if (node.isEmpty()) {
                return "[]";
            }
            StringBuilder b = new StringBuilder("[\n");
            for (int i = 0; i < node.size(); i++) {
                b.append(pad).append(pythonJson(node.get(i), depth + 1)).append(i + 1 < node.size() ? ",\n" : "\n");
            }
            return b.append(close).append(']').toString();
        }
        if (node.isTextual()) {
            return pythonString(node.asText());
        }
        if (node.isNull()) {
            return "null";
        }
        return node.toString();
    }

    private static String pythonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
