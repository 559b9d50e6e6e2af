package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.ReconcileException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The task runner's image, built from a small stand-in for the handler's code (RunnerImageIT does the same on the
 * real handler jar after 'package'): reproducible, self-consistent, and read back only when every blob matches.
 */
class RunnerImageTest {
    private static final String LONG_NAME = "software/amazon/awssdk/services/ssm/model/"
            + "DescribeMaintenanceWindowExecutionTaskInvocationsResponse$BuilderImpl$SomethingLonger.class";
    /** A file name beyond ustar's 100 bytes, as Flyway has: the tar carries its path in a PAX record. */
    private static final String LONGER_NAME = "org/flywaydb/core/api/output/errors/"
            + "ObsoleteConfigurationParametersExceptionToErrorObjectConverter$ObsoleteConfigurationParametersErrorOutputItem.class";

    @TempDir
    Path temp;

    private static Map<String, String> handlerFiles() {
        Map<String, String> files = new TreeMap<>();
        for (String required : RunnerPackageBuilder.REQUIRED) {
            files.put(required, "content of " + required);
        }
        files.put("com/company/database/schemaversion/runner/RunnerTask.class", "task");
        files.put("com/company/database/schemaversion/CreateHandler.class", "handler, not the runner's");
        files.put("db/migration/orders/V1__create_customers.sql", "CREATE TABLE customers (id int);");
        files.put("org/postgresql/jdbc/PgConnection.class", "pgjdbc");
        files.put(LONG_NAME, "a long name");
        files.put(LONGER_NAME, "a longer name");
        files.put("META-INF/services/java.sql.Driver", "org.postgresql.Driver\norg.other.Driver\n");
        return files;
    }

    /** A jar of these files, in this order, each entry stamped with this time. */
    private Path jar(String name, Map<String, String> files, boolean reversed, long time) throws IOException {
        Path jar = temp.resolve(name);
        List<String> names = new ArrayList<>(files.keySet());
        if (reversed) {
            java.util.Collections.reverse(names);
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (String n : names) {
                ZipEntry e = new ZipEntry(n);
                e.setLastModifiedTime(FileTime.fromMillis(time));
                zip.putNextEntry(e);
                zip.write(files.get(n).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static Map<String, byte[]> filesUnder(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private RunnerImage image() throws IOException {
        return RunnerImage.of(LambdaRunnerPackage.of(jar("handler.jar", handlerFiles(), false, 1_000_000_000_000L)));
    }

    @Test
    void theLayoutIsByteIdenticalWhenBuiltTwiceFromTheSameFiles() throws IOException {
        RunnerImage first = image();
        // Another jar of the same files: other entry order, other times.
        RunnerImage second = RunnerImage.of(LambdaRunnerPackage.of(jar("again.jar", handlerFiles(), true, 1_700_000_000_000L)));
        first.writeLayout(temp.resolve("a"));
        second.writeLayout(temp.resolve("b"));

        Map<String, byte[]> a = filesUnder(temp.resolve("a"));
        Map<String, byte[]> b = filesUnder(temp.resolve("b"));
        assertThat(a.keySet()).isEqualTo(b.keySet()).contains("oci-layout", "index.json");
        a.forEach((name, bytes) -> assertThat(b.get(name)).as(name).isEqualTo(bytes));
        assertThat(second.manifestDigest()).isEqualTo(first.manifestDigest());
        assertThat(second.appLayerTarGz()).isEqualTo(first.appLayerTarGz());
    }

    @Test
    void everyBlobIsNamedByItsDigestAndTheIndexManifestAndConfigAgree() throws IOException {
        RunnerImage image = image();
        Path layout = temp.resolve("layout");
        image.writeLayout(layout);

        Map<String, byte[]> blobs = filesUnder(layout.resolve("blobs/sha256"));
        assertThat(blobs).hasSize(3);
        blobs.forEach((name, bytes) -> assertThat(Digests.sha256Hex(bytes)).isEqualTo(name));
        JsonNode index = RunnerProtocol.parse(Files.readAllBytes(layout.resolve("index.json")));
        assertThat(index.path("manifests").get(0).path("digest").asText()).isEqualTo(image.manifestDigest());
        assertThat(RunnerProtocol.parse(Files.readAllBytes(layout.resolve("oci-layout"))).path("imageLayoutVersion").asText())
                .isEqualTo("1.0.0");

        RunnerImage.Image read = RunnerImage.read(layout, image.manifestDigest());
        assertThat(read.entrypoint()).containsExactly("java", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=75", "-cp",
                "/opt/schemaversion-runner", RunnerTask.class.getName());
        assertThat(read.workingDir()).isEqualTo("/opt/schemaversion-runner");
        assertThat(read.cmd()).isEmpty();
        Path rootfs = temp.resolve("rootfs");
        read.extractTo(rootfs);
        assertThat(com.company.database.schemaversion.local.LocalEcs.hostCommand(read.entrypoint(), rootfs))
                .containsExactly(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=75", "-cp",
                        rootfs.resolve("opt/schemaversion-runner").toString(), RunnerTask.class.getName());
        assertThat(read.labels()).containsEntry(RunnerImage.CODE_LABEL, image.codeId())
                .containsEntry(RunnerImage.PROTOCOL_LABEL, Integer.toString(RunnerProtocol.VERSION));
        assertThat(read.layers()).singleElement().satisfies(l -> {
            assertThat(l.digest()).isEqualTo(image.layerDigest());
            assertThat(l.diffId()).isEqualTo("sha256:" + Digests.sha256Hex(image.appLayerTar()));
        });
        JsonNode config = RunnerProtocol.parse(blobs.get(RunnerProtocol.parse(blobs.get(
                image.manifestDigest().substring(7))).path("config").path("digest").asText().substring(7)));
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
        assertThat(config.path("os").asText()).isEqualTo("linux");
    }

    @Test
    void theLayerHoldsTheRunnerPackageAndItsFilesHaveTheHandlersCodeId() throws IOException {
        Path jar = jar("handler.jar", handlerFiles(), false, 1_000_000_000_000L);
        LambdaRunnerPackage runnerPackage = LambdaRunnerPackage.of(jar);
        RunnerImage image = RunnerImage.of(runnerPackage);
        Path layout = temp.resolve("layout");
        image.writeLayout(layout);
        Path rootfs = temp.resolve("rootfs");

        RunnerImage.read(layout, image.manifestDigest()).extractTo(rootfs);

        Path code = rootfs.resolve("opt/schemaversion-runner");
        Map<String, byte[]> files = filesUnder(code);
        assertThat(files).containsKey(LONG_NAME).containsKey(LONGER_NAME).containsKey("com/company/database/schemaversion/runner/RunnerTask.class")
                .doesNotContainKey("com/company/database/schemaversion/CreateHandler.class");
        assertThat(new String(files.get("META-INF/services/java.sql.Driver"), StandardCharsets.UTF_8))
                .isEqualTo("org.postgresql.Driver\n");
        assertThat(image.codeId()).isEqualTo(runnerPackage.codeId());
        assertThat(RunnerTask.ownCodeId(code)).isEqualTo(runnerPackage.codeId());

        // What another layer might add beside the runner's files runs unidentified: it is refused.
        Files.writeString(code.resolve("META-INF/services/org.flywaydb.core.extensibility.Plugin"), "org.example.Evil\n");
        assertThatThrownBy(() -> RunnerTask.ownCodeId(code)).isInstanceOf(ReconcileException.class)
                .hasMessageContaining("does not cover").hasMessageContaining("org.flywaydb.core.extensibility.Plugin");
    }

    @Test
    void aChangedFileChangesTheCodeIdAndEveryDigest() throws IOException {
        RunnerImage image = image();
        Map<String, String> changed = handlerFiles();
        changed.put("db/migration/orders/V1__create_customers.sql", "CREATE TABLE customers (id bigint);");
        RunnerImage other = RunnerImage.of(LambdaRunnerPackage.of(jar("changed.jar", changed, false, 1_000_000_000_000L)));

        assertThat(other.codeId()).isNotEqualTo(image.codeId());
        assertThat(other.layerDigest()).isNotEqualTo(image.layerDigest());
        assertThat(other.manifestDigest()).isNotEqualTo(image.manifestDigest());
    }

    @Test
    void theReaderRefusesABlobWhoseContentDoesNotMatchItsDigest() throws IOException {
        RunnerImage image = image();
        Path layout = temp.resolve("layout");
        image.writeLayout(layout);
        Path layer = layout.resolve("blobs/sha256/" + image.layerDigest().substring(7));
        byte[] original = Files.readAllBytes(layer);
        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 1;
        Files.write(layer, tampered);

        assertThatThrownBy(() -> RunnerImage.read(layout, image.manifestDigest()))
                .isInstanceOf(RunnerImage.LayoutException.class).hasMessageContaining(image.layerDigest())
                .hasMessageContaining("changed or damaged");

        Files.write(layer, original);
        JsonNode manifest = RunnerProtocol.parse(Files.readAllBytes(layout.resolve("blobs/sha256/" + image.manifestDigest().substring(7))));
        Path config = layout.resolve("blobs/sha256/" + manifest.path("config").path("digest").asText().substring(7));
        Files.writeString(config, Files.readString(config).replace("RunnerTask", "EvilTask"));
        assertThatThrownBy(() -> RunnerImage.read(layout, image.manifestDigest()))
                .isInstanceOf(RunnerImage.LayoutException.class).hasMessageContaining("config");

        assertThatThrownBy(() -> RunnerImage.read(layout, "sha256:" + "0".repeat(64)))
                .isInstanceOf(RunnerImage.LayoutException.class).hasMessageContaining("has no blob");
        assertThatThrownBy(() -> RunnerImage.read(layout, "latest"))
                .isInstanceOf(RunnerImage.LayoutException.class).hasMessageContaining("sha256");
    }

    @Test
    void theLayerIsAPlainUstarArchiveWithFixedTimesOwnersAndModes() throws IOException {
        byte[] tar = image().appLayerTar();
        int paxRecords = 0;
        for (int offset = 0; offset + 512 <= tar.length; ) {
            byte[] h = java.util.Arrays.copyOfRange(tar, offset, offset + 512);
            if (h[0] == 0) {
                break;
            }
            String name = new String(h, 0, 100, StandardCharsets.US_ASCII).replace("\0", "");
            String prefix = new String(h, 345, 155, StandardCharsets.US_ASCII).replace("\0", "");
            String path = prefix.isEmpty() ? name : prefix + "/" + name;
            long size = Long.parseLong(new String(h, 124, 11, StandardCharsets.US_ASCII), 8);
            assertThat(new String(h, 257, 6, StandardCharsets.US_ASCII)).isEqualTo("ustar\0");
            if (h[156] == 'x') {
                // Only a path, for a name ustar cannot hold: never a time.
                String records = new String(tar, offset + 512, (int) size, StandardCharsets.UTF_8);
                assertThat(records).isEqualTo(records.length() + " path=opt/schemaversion-runner/" + LONGER_NAME + "\n");
                paxRecords++;
            } else {
                assertThat(path).startsWith("opt/");
                assertThat((char) h[156]).as(path).isIn('0', '5');
            }
            assertThat(new String(h, 100, 7, StandardCharsets.US_ASCII)).as(path).isEqualTo(h[156] == '5' ? "0000755" : "0000644");
            assertThat(new String(h, 108, 15, StandardCharsets.US_ASCII)).isEqualTo("0000000\0" + "0000000");
            assertThat(Long.parseLong(new String(h, 136, 11, StandardCharsets.US_ASCII), 8)).isEqualTo(315_532_800L);
            offset += 512 + (int) ((size + 511) / 512 * 512);
        }
        assertThat(paxRecords).isEqualTo(1);
    }

    @Test
    void aPackageWithTheAdminsExtraCaCertificatesIsNoImage() throws IOException {
        LambdaRunnerPackage withCa = LambdaRunnerPackage.of(jar("handler.jar", handlerFiles(), false, 0))
                .withExtraCa("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> RunnerImage.of(withCa)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(RunnerTask.EXTRA_CA_VARIABLE);
    }
}
