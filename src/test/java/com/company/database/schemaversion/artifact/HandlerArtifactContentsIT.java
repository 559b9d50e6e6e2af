package com.company.database.schemaversion.artifact;

import com.company.database.schemaversion.testing.TestArtifacts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After 'package': the CloudFormation and S3 clients the local runner's release command uses (and the protocol
 * libraries only they bring) are in target/schemaversion-local.jar and not in the handler artifact, which
 * CloudFormation runs and which has no use for them (pom.xml, the handler-artifact execution's artifactSet).
 */
class HandlerArtifactContentsIT {
    private static final List<String> RELEASE_ONLY = List.of(
            "software/amazon/awssdk/services/cloudformation/",
            "software/amazon/awssdk/services/s3/",
            "software/amazon/awssdk/protocols/query/",
            "software/amazon/awssdk/protocols/xml/",
            "software/amazon/awssdk/arns/",
            "software/amazon/awssdk/crt/");

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theReleaseClientsAreInTheLocalRunnerAndNotInTheHandlerArtifact() throws IOException {
        List<String> handler = entries(TestArtifacts.handlerJar());
        for (String prefix : RELEASE_ONLY) {
            assertThat(handler).as("handler artifact entries under " + prefix).noneMatch(n -> n.startsWith(prefix));
        }
        List<String> local = entries(Path.of("target", "schemaversion-local.jar"));
        assertThat(local).contains("software/amazon/awssdk/services/cloudformation/CloudFormationClient.class",
                "software/amazon/awssdk/services/s3/S3Client.class",
                "com/company/database/schemaversion/local/Release.class",
                "com/company/database/schemaversion/local/RegistryEndpoint.class");
        assertThat(handler).noneMatch(n -> n.startsWith("com/company/database/schemaversion/local/"));
    }
}
