package com.company.database.schemaversion.local;

import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerImage;
import com.company.database.schemaversion.runner.RunnerPackageBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** ./schemaversion runner-image DIR: the task runner's image from the project's handler jar, without Docker. */
class RunnerImageCommandTest {
    @TempDir
    Path temp;

    private Path project() throws IOException {
        Path project = Files.createDirectories(temp.resolve("project"));
        Files.writeString(project.resolve(".rpdk-config"), "{\"typeName\":\"Company::Database::SchemaVersion\"}");
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        Path jar = Files.createDirectories(project.resolve("target")).resolve("company-database-schemaversion-1.0.0.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (String name : RunnerPackageBuilder.REQUIRED) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(("content of " + name).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        Files.setLastModifiedTime(project.resolve(".rpdk-config"), FileTime.fromMillis(0));
        Files.setLastModifiedTime(project.resolve("pom.xml"), FileTime.fromMillis(0));
        return project;
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LocalRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), null);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesTheLayoutAndTheLayerOfTheProjectsHandlerJar() throws IOException {
        Path project = project();
        Path dir = temp.resolve("image");

        Run run = run("runner-image", dir.toString(), "--project", project.toString());

        assertThat(run.code()).as(run.err()).isZero();
        RunnerImage expected = RunnerImage.of(LambdaRunnerPackage.of(
                project.resolve("target/company-database-schemaversion-1.0.0.jar")));
        assertThat(run.out()).contains(expected.codeId()).contains(expected.manifestDigest()).contains("crane append");
        assertThat(dir.resolve("oci-layout")).exists();
        assertThat(dir.resolve("index.json")).exists();
        assertThat(Files.readAllBytes(dir.resolve(RunnerImage.APP_LAYER_FILE))).isEqualTo(expected.appLayerTarGz());
        assertThat(RunnerImage.read(dir, expected.manifestDigest()).labels())
                .containsEntry(RunnerImage.CODE_LABEL, expected.codeId());
    }

    @Test
    void withoutADirectoryOrWithAStaleJarItSaysWhatToDo() throws IOException {
        Path project = project();
        Run noDir = run("runner-image", "--project", project.toString());
        assertThat(noDir.code()).isEqualTo(2);
        assertThat(noDir.err()).contains("runner-image needs one directory");

        Files.writeString(Files.createDirectories(project.resolve("src/main/java")).resolve("Changed.java"), "class Changed {}");
        Files.setLastModifiedTime(project.resolve("src/main/java/Changed.java"), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Run stale = run("runner-image", temp.resolve("image").toString(), "--project", project.toString());
        assertThat(stale.code()).isEqualTo(1);
        assertThat(stale.err()).contains("is older than");
    }
}
