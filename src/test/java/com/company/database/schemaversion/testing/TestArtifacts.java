package com.company.database.schemaversion.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What 'mvn package' built, for the integration tests that run it. */
public final class TestArtifacts {
    private TestArtifacts() {
    }

    /** The handler artifact: the one jar cfn submit would package (target/company-database-schemaversion-*.jar). */
    public static Path handlerJar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "company-database-schemaversion-*.jar")) {
            List<Path> found = new ArrayList<>();
            jars.forEach(found::add);
            assertThat(found).as("cfn submit packages exactly one jar matching this pattern").hasSize(1);
            return found.get(0).toAbsolutePath();
        }
    }
}
