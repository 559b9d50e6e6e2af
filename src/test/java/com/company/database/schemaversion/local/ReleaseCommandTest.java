package com.company.database.schemaversion.local;

import com.company.database.schemaversion.testing.RegistryEmulator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.RegistryType;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code schemaversion release} and {@code versions} through the CLI entry, with the real CloudFormation and S3
 * SDK clients, against the local registry endpoint: the 50-version limit is never crossed, and each error the
 * services answer ends the command with a message that says what happened, in what state the type is, and what to
 * do. The project is a copy of this one's .rpdk-config, schema, pom.xml and inputs/ with a small stand-in for the
 * handler jar (the registry reads only the package's schema; uploading the real jar 120 times proves nothing more).
 */
class ReleaseCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGION = "eu-west-1";
    private static final String TYPE = "Company::Database::SchemaVersion";
    private static final String BUCKET = "release-artifacts";
    private static final String EXECUTION_ROLE = "arn:aws:iam::123456789012:role/schemaversion-execution";
    private static final String LOG_ROLE = "arn:aws:iam::123456789012:role/schemaversion-logging";

    private RegistryEmulator registry;
    private Path project;

    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    @BeforeEach
    void start() throws IOException {
        registry = new RegistryEmulator(REGION);
        registry.createBucket(BUCKET);
        project = fixtureProject();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** This project's packaging inputs, with a jar newer than its sources. */
    static Path fixtureProject() throws IOException {
        Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path dir = Files.createTempDirectory(Files.createDirectories(root.resolve("target").resolve("release-test")), "project-");
        for (String f : List.of(".rpdk-config", "company-database-schemaversion.json", "pom.xml")) {
            Files.copy(root.resolve(f), dir.resolve(f));
        }
        Files.createDirectories(dir.resolve("inputs"));
        try (Stream<Path> inputs = Files.list(root.resolve("inputs"))) {
            for (Path in : inputs.toList()) {
                Files.copy(in, dir.resolve("inputs").resolve(in.getFileName()));
            }
        }
        Path source = Files.createDirectories(dir.resolve("src/main/java/com/company")).resolve("Handler.java");
        Files.writeString(source, "class Handler {}\n");
        FileTime anHourAgo = FileTime.from(Instant.now().minusSeconds(3600));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(f, anHourAgo);
            }
        }
        Path jar = Files.createDirectories(dir.resolve("target")).resolve("company-database-schemaversion-1.0.0.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("com/company/Handler.class"));
            zip.write(new byte[]{(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
            zip.closeEntry();
        }
        return dir;
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LocalRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                LocalRunnerHarness.endpoints());
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run release(String... extra) {
        List<String> args = new ArrayList<>(List.of("release", "--project", project.toString(), "--region", REGION,
                "--endpoint-url", registry.endpoint(), "--s3-endpoint-url", registry.endpoint(), "--bucket", BUCKET,
                "--execution-role-arn", EXECUTION_ROLE, "--log-role-arn", LOG_ROLE, "--poll-seconds", "0"));
        Collections.addAll(args, extra);
        return run(args.toArray(String[]::new));
    }

    private List<String> liveIds() {
        return registry.liveVersions(TYPE).stream().map(RegistryEmulator.Version::versionId).toList();
    }

    private static String id(int n) {
        return String.format("%08d", n);
    }

    // ---------------------------------------------------------------- the limit

    @Test
    void sixtyReleasesInARowWithKeepTenNeverExceedTheLimit() {
        for (int n = 1; n <= 60; n++) {
            Run r = release("--keep", "10");
            assertThat(r.exitCode()).as("release %d: %s", n, r).isZero();
            assertThat(r.out()).contains("Released " + TYPE + " version " + id(n));
            assertThat(registry.defaultVersion(TYPE)).isEqualTo(id(n));
            assertThat(registry.liveVersions(TYPE)).hasSize(Math.min(n, 10));
        }
        assertThat(liveIds()).containsExactly(id(51), id(52), id(53), id(54), id(55), id(56), id(57), id(58), id(59), id(60));
        assertThat(registry.allVersions(TYPE)).hasSize(60);
        // The new version is registered before the oldest beyond --keep goes: 11 at most, never 50.
        assertThat(registry.mostLiveVersions()).isEqualTo(11).isLessThanOrEqualTo(RegistryEmulator.DEFAULT_MAX_VERSIONS);
        // Each release registered once, with the scoped roles and the log group, from the bucket it uploaded to.
        RegistryEmulator.Version last = registry.liveVersions(TYPE).get(9);
        assertThat(last.executionRoleArn()).isEqualTo(EXECUTION_ROLE);
        assertThat(last.logRoleArn()).isEqualTo(LOG_ROLE);
        assertThat(last.logGroupName()).isEqualTo("company-database-schemaversion-logs");
        assertThat(last.packageUrl()).startsWith("s3://" + BUCKET + "/company-database-schemaversion-").endsWith(".zip");
        assertThat(registry.calls().stream().filter("RegisterType"::equals)).hasSize(60);
    }

    @Test
    void atTheLimitAReleaseMakesRoomFirstOrSaysWhatToDo() {
        for (int n = 1; n <= 50; n++) {
            assertThat(release("--keep", "all").exitCode()).isZero();
        }
        assertThat(registry.liveVersions(TYPE)).hasSize(50);
        int callsBefore = registry.calls().size();

        Run refused = release("--keep", "all");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("has 50 live versions in eu-west-1, the registry's limit (50 per account and"
                        + " Region, quota L-EA1018E8)", "--keep all", "so it uploads and registers nothing",
                "Release with --keep N", "deregister-type", "Nothing has been changed in the registry.");
        assertThat(registry.calls().subList(callsBefore, registry.calls().size())).containsExactly("ListTypeVersions");
        assertThat(registry.liveVersions(TYPE)).hasSize(50);

        // Sixty more in a row that keep as many as the registry allows: each deregisters the oldest first.
        for (int n = 51; n <= 110; n++) {
            Run r = release("--keep", "50");
            assertThat(r.exitCode()).as("release %d: %s", n, r).isZero();
            assertThat(r.out()).contains("at the limit of 50: deregistering the oldest first", "deregister " + id(n - 50));
            assertThat(registry.defaultVersion(TYPE)).isEqualTo(id(n));
        }
        assertThat(registry.mostLiveVersions()).isEqualTo(50);
        assertThat(liveIds()).hasSize(50).startsWith(id(61)).endsWith(id(110));
    }

    @Test
    void theDefaultIsNeverDeregisteredEvenWhenItIsTheOldest() throws IOException {
        registry.close();
        registry = new RegistryEmulator(REGION, 3);
        registry.createBucket(BUCKET);
        for (int n = 1; n <= 3; n++) {
            assertThat(release("--keep", "all", "--max-versions", "3").exitCode()).isZero();
        }
        try (CloudFormationClient cfn = client()) {
            // Someone rolls the type back to its first version by hand.
            cfn.setTypeDefaultVersion(b -> b.type(RegistryType.RESOURCE).typeName(TYPE).versionId(id(1)));
        }
        Run r = release("--keep", "3", "--max-versions", "3");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        // Room was made with the oldest version that is not the default; 00000001 stays until it is no longer it.
        assertThat(r.out()).contains("deregister 00000002").doesNotContain("deregister 00000001");
        assertThat(liveIds()).containsExactly(id(1), id(3), id(4));
        assertThat(registry.defaultVersion(TYPE)).isEqualTo(id(4));
        assertThat(registry.mostLiveVersions()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- each error, as the user reads it

    @Test
    void aBucketThatDoesNotExist() {
        Run r = release("--bucket", "no-such-bucket");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Could not upload the package to s3://no-such-bucket/", "S3 refused PutObject (NoSuchBucket",
                "HTTP 404", "The bucket no-such-bucket does not exist. Create it (aws s3 mb s3://no-such-bucket --region eu-west-1",
                "Nothing has been changed in the registry.");
        assertThat(registry.calls()).doesNotContain("RegisterType");
    }

    @Test
    void s3DeniesTheUpload() {
        registry.failWith("PutObject", 403, "AccessDenied", "Access Denied");
        Run r = release("--key-prefix", "types/");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("S3 refused PutObject (AccessDenied: Access Denied, HTTP 403)",
                "The caller lacks s3:PutObject on arn:aws:s3:::release-artifacts/types/*",
                "examples/pipeline/github-roles.yaml (ReleaseRole)", "Nothing has been changed in the registry");
    }

    @Test
    void cloudFormationDeniesTheRegistration() {
        registry.failWith("RegisterType", 403, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/ci/run is not"
                + " authorized to perform: cloudformation:RegisterType");
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Could not register the new version: CloudFormation refused RegisterType (AccessDenied:"
                        + " User: arn:aws:sts::123456789012:assumed-role/ci/run is not authorized", "HTTP 403",
                "cloudformation:RegisterType on the type, s3:GetObject on the package, and iam:PassRole on the execution role",
                "The package is uploaded to s3://release-artifacts/", "nothing has been registered");
        assertThat(registry.liveVersions(TYPE)).isEmpty();
    }

    @Test
    void throttlingThatOutlastsTheRetries() {
        registry.failWith("ListTypeVersions", 400, "Throttling", "Rate exceeded");
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Could not list the live versions: CloudFormation refused ListTypeVersions (Throttling:"
                + " Rate exceeded, HTTP 400)", "the SDK's retries did not get through: wait a few minutes and run the release again");
        // The SDK retried before giving up.
        assertThat(registry.calls().stream().filter("ListTypeVersions"::equals).count()).isGreaterThan(1);
    }

    @Test
    void expiredCredentials() {
        registry.failWith("ListTypeVersions", 403, "ExpiredToken", "The security token included in the request is expired");
        Run r = versions();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("CloudFormation refused ListTypeVersions (ExpiredToken: The security token included in"
                + " the request is expired, HTTP 403)", "AWS does not accept the credentials in use", "aws sso login");
    }

    @Test
    void aRoleArnTheServiceRejects() {
        Run r = release("--execution-role-arn", "schemaversion-execution");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("CloudFormation refused RegisterType (ValidationError: 1 validation error detected: Value"
                        + " 'schemaversion-execution' at 'executionRoleArn' failed to satisfy constraint",
                "Check --execution-role-arn, --log-role-arn and --log-group (the ExecutionRoleArn, LogRoleArn and LogGroupName"
                        + " outputs of registration/registration.yaml)");
    }

    @Test
    void anotherRegistrationOfTheTypeIsRunning() {
        String running = startAnotherRegistration();
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("CloudFormation refused RegisterType (CFNRegistryException: Registration of type " + TYPE
                        + " is already in progress", "HTTP 400", "Another registration of " + TYPE + " is running (" + running,
                "the registry runs one at a time", "a pipeline concurrency group");
        // Told by the registrations the registry lists as IN_PROGRESS, not by the refusal's words.
        assertThat(registry.calls()).contains("ListTypeRegistrations");
    }

    /** A registration of the type that stays IN_PROGRESS, as another pipeline's would; its token. */
    private String startAnotherRegistration() {
        registry.pollsToComplete(1000);
        try (CloudFormationClient cfn = client()) {
            return cfn.registerType(b -> b.type(RegistryType.RESOURCE).typeName(TYPE)
                    .schemaHandlerPackage("s3://" + BUCKET + "/other.zip")).registrationToken();
        }
    }

    @Test
    void theRefusalsWordsDecideNothing() {
        // Words that speak of a registration in progress, while none is running: the limit is what is left.
        registry.failWith("RegisterType", 400, "CFNRegistryException", "Registration of type " + TYPE + " is already in progress");
        Run limit = release();
        assertThat(limit.exitCode()).isEqualTo(1);
        assertThat(limit.err()).contains("No other registration of " + TYPE + " is running", "counted against --max-versions 50",
                "raise the quota L-EA1018E8").doesNotContain("Another registration");
        registry.clearFailures();

        // Words that speak of the limit, while another registration runs: that registration is what the user must know.
        String running = startAnotherRegistration();
        registry.failWith("RegisterType", 400, "CFNRegistryException", "Maximum number of versions exceeded");
        Run busy = release();
        assertThat(busy.exitCode()).isEqualTo(1);
        assertThat(busy.err()).contains("Another registration of " + TYPE + " is running (" + running)
                .doesNotContain("quota L-EA1018E8");
    }

    @Test
    void aRefusalThatCannotBeToldApartSaysWhereToLook() {
        startAnotherRegistration();
        registry.failWith("ListTypeRegistrations", 403, "AccessDenied", "not authorized to perform: cloudformation:ListTypeRegistrations");
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("CloudFormation refused RegisterType (CFNRegistryException: Registration of type " + TYPE,
                "See ./schemaversion versions for the type's state.", "nothing has been registered")
                .doesNotContain("Another registration", "quota L-EA1018E8");
    }

    @Test
    void theServiceLimitIsLowerThanTheReleaseAssumed() throws IOException {
        registry.close();
        registry = new RegistryEmulator(REGION, 3);
        registry.createBucket(BUCKET);
        for (int n = 1; n <= 3; n++) {
            assertThat(release("--keep", "all").exitCode()).isZero();
        }
        Run r = release("--keep", "all");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("CloudFormation refused RegisterType (CFNRegistryException: Maximum number of versions (3)"
                        + " exceeded for type " + TYPE, "counted against --max-versions 50",
                "lower --max-versions to your account's limit", "raise the quota L-EA1018E8");
        assertThat(registry.liveVersions(TYPE)).hasSize(3);
    }

    @Test
    void otherTypesVersionsCountTowardsTheAccountsLimit() throws IOException {
        registry.close();
        registry = new RegistryEmulator(REGION, 3);
        registry.createBucket(BUCKET);
        String other = "Company::Other::Thing";
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("schema.json"));
            out.write(("{\"typeName\": \"" + other + "\"}").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
                .endpointOverride(URI.create(registry.endpoint())).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
             CloudFormationClient cfn = client()) {
            s3.putObject(b -> b.bucket(BUCKET).key("other.zip"), RequestBody.fromBytes(zip.toByteArray()));
            for (int n = 1; n <= 2; n++) {
                String token = cfn.registerType(b -> b.type(RegistryType.RESOURCE).typeName(other)
                        .schemaHandlerPackage("s3://" + BUCKET + "/other.zip")).registrationToken();
                while (!"COMPLETE".equals(cfn.describeTypeRegistration(b -> b.registrationToken(token)).progressStatusAsString())) {
                    Thread.onSpinWait();
                }
            }
        }
        assertThat(release("--keep", "all").exitCode()).isZero();
        // Three live versions in the account, one of them this type's: the registry refuses a fourth.
        Run r = release("--keep", "all");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("CloudFormation refused RegisterType (CFNRegistryException:", "No other registration of "
                + TYPE + " is running", "they count every private resource type's versions in the account and Region",
                "raise the quota L-EA1018E8");
        assertThat(registry.liveVersions(TYPE)).hasSize(1);
        assertThat(registry.liveVersions(other)).hasSize(2);
    }

    @Test
    void aRegistrationThatFails() {
        assertThat(release().exitCode()).isZero();
        registry.failRegistrations("Failed to download the schema handler package: Access Denied");
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("IN_PROGRESS", "FAILED: Failed to download the schema handler package: Access Denied");
        assertThat(r.err()).contains("CloudFormation could not register the package (registration ",
                "FAILED: Failed to download the schema handler package: Access Denied)", "s3:GetObject on it",
                "trusts resources.cloudformation.amazonaws.com", "the default version is still 00000001");
        assertThat(liveIds()).containsExactly(id(1));
    }

    @Test
    void aRegistrationTokenTheServiceDoesNotKnow() {
        registry.failWith("DescribeTypeRegistration", 400, "CFNRegistryException", "Registration token not found");
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Could not follow the registration ", "CloudFormation refused DescribeTypeRegistration"
                + " (CFNRegistryException: Registration token not found, HTTP 400)", "was accepted; the default version is still none");
    }

    @Test
    void theNewVersionVanishesBeforeItBecomesTheDefault() {
        assertThat(release().exitCode()).isZero();
        registry.failWith("SetTypeDefaultVersion", 404, "TypeNotFoundException", "Type not found");
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Could not make 00000002 the default version: CloudFormation refused SetTypeDefaultVersion"
                        + " (TypeNotFoundException: Type not found, HTTP 404)", "deregistered meanwhile by someone else?",
                "Version 00000002 is registered but is not the default; the default is still 00000001. Make it the default"
                        + " with aws cloudformation set-type-default-version --arn arn:aws:cloudformation:eu-west-1:123456789012:"
                        + "type/resource/Company-Database-SchemaVersion/00000002");
        assertThat(registry.defaultVersion(TYPE)).isEqualTo(id(1));
    }

    @Test
    void aVersionTheRegistryKeepsIsAWarningNotAFailure() {
        assertThat(release().exitCode()).isZero();
        registry.failWith("DeregisterType", 400, "CFNRegistryException", "Cannot deregister the default version");
        Run r = release("--keep", "1");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("warning: CloudFormation keeps version 00000001 (CFNRegistryException: Cannot deregister"
                + " the default version). It is the default now, or another release changed the versions meanwhile; see"
                + " ./schemaversion versions. It stays registered.", "Released " + TYPE + " version 00000002");
        assertThat(liveIds()).containsExactly(id(1), id(2));
    }

    @Test
    void aVersionAlreadyDeregisteredIsSkipped() {
        assertThat(release().exitCode()).isZero();
        registry.failWith("DeregisterType", 404, "TypeNotFoundException", "");
        Run r = release("--keep", "1");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("deregister 00000001: already deregistered (TypeNotFoundException), skipped");
    }

    @Test
    void anEndpointThatDoesNotAnswer() {
        Run r = run("versions", "--project", project.toString(), "--region", REGION, "--endpoint-url", "http://127.0.0.1:1");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Could not list the versions: CloudFormation did not answer ListTypeVersions",
                "Check the network and the endpoint http://127.0.0.1:1");
    }

    @Test
    void theDefaultVersionCannotBeDeregisteredWhileOthersAreLive() {
        // The endpoint's own rule, which the release relies on never meeting.
        assertThat(release("--keep", "all").exitCode()).isZero();
        assertThat(release("--keep", "all").exitCode()).isZero();
        try (CloudFormationClient cfn = client()) {
            String arn = "arn:aws:cloudformation:eu-west-1:123456789012:type/resource/Company-Database-SchemaVersion/" + id(2);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> cfn.deregisterType(b -> b.arn(arn))))
                    .hasMessageContaining("is the default version").hasMessageContaining("Status Code: 400");
        }
        assertThat(liveIds()).containsExactly(id(1), id(2));
    }

    // ---------------------------------------------------------------- before any call

    @Test
    void aJarOlderThanItsSourcesIsNotReleased() throws IOException {
        Path source = project.resolve("src/main/java/com/company/Handler.java");
        Files.writeString(source, "class Handler { int changed; }\n");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(60)));
        Run r = release();
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("target/company-database-schemaversion-1.0.0.jar is older than"
                + " src/main/java/com/company/Handler.java", "./mvnw -B -DskipTests package");
        assertThat(registry.calls()).isEmpty();
    }

    @Test
    void whatTheReleaseNeedsIsAskedForByName() {
        Run r = run("release", "--project", project.toString(), "--region", REGION);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("release needs --bucket NAME", "--execution-role-arn ARN (registration/registration.yaml's"
                + " output ExecutionRoleArn)");
        Run keep = release("--keep", "0");
        assertThat(keep.exitCode()).isEqualTo(2);
        assertThat(keep.err()).contains("--keep wants 1 to 50");
    }

    @Test
    void dryRunWritesThePackageAsCfnSubmitLaysItOut() throws IOException {
        Run r = run("release", "--project", project.toString(), "--region", REGION, "--dry-run");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Path zip = project.resolve("target/company-database-schemaversion.zip");
        List<String> names = new ArrayList<>();
        String configuration = null;
        String metadata = null;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(zip)))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
                assertThat(e.getMethod()).as(e.getName()).isEqualTo(ZipEntry.STORED);
                if (e.getName().equals("configuration-schema.json")) {
                    configuration = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } else if (e.getName().equals(".cfn_metadata.json")) {
                    metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        assertThat(names).containsExactly("configuration-schema.json", ".rpdk-config", "schema.json",
                "inputs/inputs_1_create.json", "inputs/inputs_1_invalid.json", "inputs/inputs_1_update.json",
                "inputs/inputs_2_create.json", "inputs/inputs_2_invalid.json", "inputs/inputs_2_update.json",
                "inputs/inputs_3_create.json", "inputs/inputs_3_invalid.json", "inputs/inputs_3_update.json",
                "inputs/typeconfig.json", "target/company-database-schemaversion-1.0.0.jar", "pom.xml",
                "src/main/java/com/company/Handler.java", ".cfn_metadata.json");
        JsonNode schema = JSON.readTree(project.resolve("company-database-schemaversion.json").toFile());
        JsonNode config = JSON.readTree(configuration);
        assertThat(config.path("typeName").asText()).isEqualTo(TYPE);
        assertThat(config.path("definitions")).isEqualTo(schema.path("definitions"));
        assertThat(config.path("properties")).isEqualTo(schema.path("typeConfiguration").path("properties"));
        assertThat(configuration).startsWith("{\n    \"").doesNotContain("\" : ");
        assertThat(metadata).isEqualTo("{\"plugin-tool-version\": \"2.2.3\", \"plugin-name\": \"java\", \"plugin-version\":"
                + " \"2.2.5\", \"cli-version\": \"0.2.39\"}");
    }

    // ---------------------------------------------------------------- versions

    private Run versions(String... extra) {
        List<String> args = new ArrayList<>(List.of("versions", "--project", project.toString(), "--region", REGION,
                "--endpoint-url", registry.endpoint()));
        Collections.addAll(args, extra);
        return run(args.toArray(String[]::new));
    }

    @Test
    void versionsListsTheLiveVersionsWithTheDefaultMarkedAndTheirDates() {
        Run none = versions();
        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).contains(TYPE + " in eu-west-1: 0 live version(s) of at most 50, none registered",
                "Register the first one with ./schemaversion release");
        for (int n = 1; n <= 4; n++) {
            assertThat(release("--keep", "3").exitCode()).isZero();
        }
        Run r = versions();
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String arn = "arn:aws:cloudformation:eu-west-1:123456789012:type/resource/Company-Database-SchemaVersion/";
        assertThat(r.out()).contains(TYPE + " in eu-west-1: 3 live version(s) of at most 50, default 00000004")
                .containsPattern("VERSION\\s+STATUS\\s+REGISTERED \\(UTC\\)\\s+ARN")
                .containsPattern("00000002\\s+live\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+" + arn + "00000002")
                .containsPattern("00000004\\s+default\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+" + arn + "00000004")
                .doesNotContain("00000001");
        Run all = versions("--all");
        assertThat(all.out()).containsPattern("00000001\\s+deregistered\\s+\\d{4}-");
        assertThat(all.out().indexOf("00000001")).isLessThan(all.out().indexOf("00000002"));
    }

    private CloudFormationClient client() {
        return CloudFormationClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
                .endpointOverride(URI.create(registry.endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    }
}
