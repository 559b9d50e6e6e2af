package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerPackageBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The runner package's selection, service files, determinism and code id, on a small stand-in for the handler's
 * code (RunnerPackageIT does the same on the real handler jar after 'package').
 */
class RunnerPackageBuilderTest {
    @TempDir
    Path temp;

    /** What a handler artifact holds, in miniature: runner code, handler code, other SDK clients, service files. */
    private static Map<String, String> handlerFiles() {
        Map<String, String> files = new TreeMap<>();
        for (String required : RunnerPackageBuilder.REQUIRED) {
            files.put(required, "content of " + required);
        }
        files.put("com/company/database/schemaversion/core/Version.class", "core");
        files.put("com/company/database/schemaversion/CreateHandler.class", "handler");
        files.put("com/company/database/schemaversion/aws/LambdaRunners.class", "handler side");
        files.put("com/company/database/schemaversion/local/LocalRunner.class", "local");
        files.put("db/migration/orders/V1__create_customers.sql", "CREATE TABLE customers (id int);");
        files.put("org/postgresql/jdbc/PgConnection.class", "pgjdbc");
        files.put("software/amazon/awssdk/core/SdkClient.class", "sdk core");
        files.put("software/amazon/awssdk/http/urlconnection/UrlConnectionSdkHttpService.class", "http");
        files.put("software/amazon/awssdk/http/apache/ApacheSdkHttpService.class", "apache");
        files.put("software/amazon/awssdk/services/lambda/LambdaClient.class", "lambda client");
        files.put("software/amazon/awssdk/services/cloudwatch/CloudWatchClient.class", "cloudwatch client");
        files.put("software/amazon/awssdk/protocols/query/AwsQueryProtocolFactory.class", "query protocol");
        files.put("software/amazon/cloudformation/LambdaWrapper.class", "wrapper");
        files.put("com/google/common/base/Strings.class", "guava");
        files.put("mime.types", "text/plain txt");
        files.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
        files.put("META-INF/services/software.amazon.awssdk.http.SdkHttpService",
                "# providers\nsoftware.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService\n"
                        + "software.amazon.awssdk.http.apache.ApacheSdkHttpService\n");
        files.put("META-INF/services/java.sql.Driver", "org.postgresql.Driver\n");
        files.put("META-INF/services/org.apache.logging.log4j.spi.Provider", "org.apache.logging.log4j.core.impl.Log4jProvider\n");
        return files;
    }

    private Path directory(Path root, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        return root;
    }

    private Path jar(Path jar, Map<String, String> files) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static List<String> namesIn(byte[] zipBytes, Path scratch) throws IOException {
        Files.write(scratch, zipBytes);
        try (ZipFile zip = new ZipFile(scratch.toFile())) {
            return Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    private static String entry(byte[] zipBytes, Path scratch, String name) throws IOException {
        Files.write(scratch, zipBytes);
        try (ZipFile zip = new ZipFile(scratch.toFile())) {
            return new String(zip.getInputStream(zip.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void selectsTheRunnersCodeAndLeavesTheHandlersOut() throws IOException {
        Path root = directory(Files.createDirectories(temp.resolve("task")), handlerFiles());
        List<String> names = namesIn(LambdaRunnerPackage.of(root).zip(), temp.resolve("p.zip"));

        assertThat(names).contains("com/company/database/schemaversion/core/Version.class",
                "db/migration/orders/V1__create_customers.sql", "db/migration/orders/", "db/migration/",
                "certs/rds-ca-bundle.pem", "org/postgresql/jdbc/PgConnection.class", "mime.types",
                "software/amazon/awssdk/services/ssm/SsmClient.class",
                "software/amazon/awssdk/http/urlconnection/UrlConnectionSdkHttpService.class");
        assertThat(names).doesNotContain("com/company/database/schemaversion/CreateHandler.class",
                "com/company/database/schemaversion/aws/LambdaRunners.class",
                "com/company/database/schemaversion/local/LocalRunner.class",
                "software/amazon/awssdk/http/apache/ApacheSdkHttpService.class",
                "software/amazon/awssdk/services/lambda/LambdaClient.class",
                "software/amazon/awssdk/services/cloudwatch/CloudWatchClient.class",
                "software/amazon/awssdk/protocols/query/AwsQueryProtocolFactory.class",
                "software/amazon/cloudformation/LambdaWrapper.class", "com/google/common/base/Strings.class",
                "META-INF/MANIFEST.MF", "META-INF/services/org.apache.logging.log4j.spi.Provider");
        assertThat(names).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theExtraCaBundleIsAnEntryOfItsOwnExactlyWhenConfiguredAndNeverAFileOfTheCodeRoot() throws IOException {
        Map<String, String> files = handlerFiles();
        // A file at the bundle's entry in the code root itself (a build mistake) is not what the admin configured.
        files.put(com.company.database.schemaversion.runner.RunnerEntrypoint.EXTRA_CA_ENTRY, "stray");
        Path root = directory(Files.createDirectories(temp.resolve("task")), files);
        LambdaRunnerPackage plain = LambdaRunnerPackage.of(root);
        String pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        String entry = com.company.database.schemaversion.runner.RunnerEntrypoint.EXTRA_CA_ENTRY;

        assertThat(namesIn(plain.zip(), temp.resolve("plain.zip"))).doesNotContain(entry);
        assertThat(plain.withExtraCa(null)).isSameAs(plain);
        assertThat(plain.withExtraCa("  ")).isSameAs(plain);
        assertThat(plain.extraCaDigest()).isNull();

        LambdaRunnerPackage withPem = plain.withExtraCa(pem);
        List<String> names = namesIn(withPem.zip(), temp.resolve("with.zip"));
        assertThat(entry(withPem.zip(), temp.resolve("with.zip"), entry)).isEqualTo(pem);
        List<String> expected = new ArrayList<>(namesIn(plain.zip(), temp.resolve("plain.zip")));
        expected.add(entry);
        assertThat(names).containsExactlyInAnyOrderElementsOf(expected).isSorted();
        assertThat(withPem.codeSha256()).isNotEqualTo(plain.codeSha256());
        assertThat(withPem.codeId()).isNotEqualTo(plain.codeId());
        assertThat(withPem.extraCaDigest()).isEqualTo(LambdaRunnerPackage.digestOf(pem)).hasSize(64);
        // Kept per bundle: the same bundle costs nothing the second time; another one gives another package.
        assertThat(plain.withExtraCa(pem)).isSameAs(withPem);
        LambdaRunnerPackage other = plain.withExtraCa(pem + pem);
        assertThat(other.codeSha256()).isNotEqualTo(withPem.codeSha256());
        // Deterministic: another JVM (another instance) builds the same bytes for the same code and bundle.
        assertThat(LambdaRunnerPackage.of(root).withExtraCa(pem).zip()).isEqualTo(withPem.zip());
    }

    @Test
    void serviceFilesKeepOnlyProvidersThePackageCarries() throws IOException {
        Path root = directory(Files.createDirectories(temp.resolve("task")), handlerFiles());
        byte[] zip = LambdaRunnerPackage.of(root).zip();
        assertThat(entry(zip, temp.resolve("p.zip"), "META-INF/services/software.amazon.awssdk.http.SdkHttpService"))
                .isEqualTo("software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService\n");
        assertThat(entry(zip, temp.resolve("p.zip"), "META-INF/services/java.sql.Driver")).isEqualTo("org.postgresql.Driver\n");
    }

    @Test
    void serviceFilesOfLibJarsMergeWithTheDirectorysAndTheDirectoryWinsForOtherFiles() throws IOException {
        Map<String, String> files = handlerFiles();
        files.remove("org/flywaydb/core/Flyway.class");
        Path root = directory(Files.createDirectories(temp.resolve("task")), files);
        Files.createDirectories(root.resolve("lib"));
        jar(root.resolve("lib/flyway.jar"), Map.of(
                "org/flywaydb/core/Flyway.class", "flyway",
                "org/flywaydb/database/postgresql/PostgreSQLDatabaseType.class", "pg plugin",
                "db/migration/orders/V1__create_customers.sql", "a different V1 that must lose",
                "META-INF/services/java.sql.Driver", "org.flywaydb.NotInThePackage\n",
                "META-INF/services/org.flywaydb.core.extensibility.Plugin",
                "org.flywaydb.database.postgresql.PostgreSQLDatabaseType\n"));
        byte[] zip = LambdaRunnerPackage.of(root).zip();
        Path scratch = temp.resolve("p.zip");
        assertThat(entry(zip, scratch, "META-INF/services/org.flywaydb.core.extensibility.Plugin"))
                .isEqualTo("org.flywaydb.database.postgresql.PostgreSQLDatabaseType\n");
        assertThat(entry(zip, scratch, "META-INF/services/java.sql.Driver")).isEqualTo("org.postgresql.Driver\n");
        assertThat(entry(zip, scratch, "db/migration/orders/V1__create_customers.sql")).isEqualTo("CREATE TABLE customers (id int);");
    }

    @Test
    void aJarAndItsExtractedDirectoryGiveTheSameIdAndBytesAndAnyChangeGivesANewId() throws IOException {
        Map<String, String> files = handlerFiles();
        LambdaRunnerPackage fromJar = LambdaRunnerPackage.of(jar(temp.resolve("handler.jar"), files));
        LambdaRunnerPackage fromDirectory = LambdaRunnerPackage.of(directory(Files.createDirectories(temp.resolve("task")), files));
        assertThat(fromJar.codeId()).isEqualTo(fromDirectory.codeId()).matches("[0-9a-f]{64}");
        assertThat(fromJar.zip()).isEqualTo(fromDirectory.zip());
        assertThat(fromJar.codeSha256()).isEqualTo(fromDirectory.codeSha256());

        files.put("com/company/database/schemaversion/CreateHandler.class", "a handler change only");
        assertThat(LambdaRunnerPackage.of(jar(temp.resolve("handler2.jar"), files)).codeId())
                .as("the runner does not change with the handler").isEqualTo(fromJar.codeId());

        files.put("db/migration/orders/V1__create_customers.sql", "CREATE TABLE customers (id int8);");
        String migrationChanged = LambdaRunnerPackage.of(jar(temp.resolve("handler3.jar"), files)).codeId();
        assertThat(migrationChanged).isNotEqualTo(fromJar.codeId());

        files.put("META-INF/services/java.sql.Driver", "org.postgresql.Driver\norg.postgresql.jdbc.PgConnection\n");
        assertThat(LambdaRunnerPackage.of(jar(temp.resolve("handler4.jar"), files)).codeId()).isNotEqualTo(migrationChanged);
    }

    @Test
    void aFileChangedAfterTheCodeWasIdentifiedIsNotPackagedUnderThatId() throws IOException {
        Path root = directory(Files.createDirectories(temp.resolve("task")), handlerFiles());
        LambdaRunnerPackage identified = LambdaRunnerPackage.of(root);
        Files.writeString(root.resolve("db/migration/orders/V1__create_customers.sql"), "CREATE TABLE customers (id int8);");
        assertThatThrownBy(identified::zip).isInstanceOf(ReconcileException.class)
                .hasMessageContaining("db/migration/orders/V1__create_customers.sql changed");
    }

    @Test
    void entriesCarryAFixedTimeWhateverTheTimeZone() throws IOException {
        byte[] zip = LambdaRunnerPackage.of(jar(temp.resolve("handler.jar"), handlerFiles())).zip();
        Path scratch = temp.resolve("p.zip");
        Files.write(scratch, zip);
        List<Long> times = new ArrayList<>();
        try (ZipFile z = new ZipFile(scratch.toFile())) {
            z.stream().forEach(e -> times.add(e.getTimeLocal().toLocalDate().toEpochDay()));
        }
        assertThat(times).containsOnly(java.time.LocalDate.of(1980, 1, 1).toEpochDay());
    }

    @Test
    void aCodeRootWithoutTheRunnersLibrariesIsRefusedWithWhatIsMissing() throws IOException {
        Map<String, String> files = handlerFiles();
        files.remove("org/postgresql/Driver.class");
        files.remove("certs/rds-ca-bundle.pem");
        Path root = directory(Files.createDirectories(temp.resolve("classes")), files);
        assertThatThrownBy(() -> LambdaRunnerPackage.of(root)).isInstanceOf(ReconcileException.class)
                .hasMessageContaining("org/postgresql/Driver.class").hasMessageContaining("certs/rds-ca-bundle.pem")
                .hasMessageContaining(root.toString());
    }

    @Test
    void directoriesThatCannotHoldSelectedFilesAreNotWalked() {
        assertThat(RunnerPackageBuilder.mayHoldSelected("software/")).isTrue();
        assertThat(RunnerPackageBuilder.mayHoldSelected("software/amazon/awssdk/services/")).isTrue();
        assertThat(RunnerPackageBuilder.mayHoldSelected("software/amazon/awssdk/services/ssm/model/")).isTrue();
        assertThat(RunnerPackageBuilder.mayHoldSelected("software/amazon/awssdk/services/lambda/")).isFalse();
        assertThat(RunnerPackageBuilder.mayHoldSelected("software/amazon/cloudformation/")).isFalse();
        assertThat(RunnerPackageBuilder.mayHoldSelected("com/google/")).isFalse();
        assertThat(RunnerPackageBuilder.mayHoldSelected("META-INF/")).isTrue();
        assertThat(RunnerPackageBuilder.mayHoldSelected("META-INF/maven/")).isFalse();
        try (Stream<String> s = Stream.of("db/", "db/migration/orders/", "com/company/database/schemaversion/")) {
            assertThat(s).allMatch(RunnerPackageBuilder::mayHoldSelected);
        }
    }
}
