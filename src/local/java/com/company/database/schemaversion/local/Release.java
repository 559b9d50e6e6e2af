package com.company.database.schemaversion.local;

import com.company.database.schemaversion.core.Digests;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CfnRegistryException;
import software.amazon.awssdk.services.cloudformation.model.DeprecatedStatus;
import software.amazon.awssdk.services.cloudformation.model.DescribeTypeRegistrationResponse;
import software.amazon.awssdk.services.cloudformation.model.LoggingConfig;
import software.amazon.awssdk.services.cloudformation.model.RegisterTypeRequest;
import software.amazon.awssdk.services.cloudformation.model.RegistrationStatus;
import software.amazon.awssdk.services.cloudformation.model.RegistryType;
import software.amazon.awssdk.services.cloudformation.model.TypeNotFoundException;
import software.amazon.awssdk.services.cloudformation.model.TypeVersionSummary;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code schemaversion release} and {@code schemaversion versions}: what {@code cfn submit --set-default} does
 * (package the project, upload it, RegisterType, wait, SetTypeDefaultVersion), with the scoped execution role and
 * logging configuration of registration/registration.yaml and a bucket the user names, and what it leaves to the
 * user: staying under the registry's 50 live versions of a type (the oldest beyond {@code --keep} are
 * deregistered, never the default; at the limit, before registering). Every service error ends the command with
 * what happened, what state the type is left in, and what to do.
 */
final class Release {
    static final int DEFAULT_KEEP = 10;
    static final String DEFAULT_LOG_GROUP = "company-database-schemaversion-logs";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final String POLICY = "examples/pipeline/github-roles.yaml (ReleaseRole)";

    private final Options o;
    private final PrintStream out;
    private final Region region;
    private final AwsCredentialsProvider cloudFormationCredentials;
    private final AwsCredentialsProvider s3Credentials;
    private String typeName;
    /** What the release has done so far, for the message of an error that stops it. */
    private String state = "Nothing has been changed in the registry.";

    private Release(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
        this.region = region(o);
        this.cloudFormationCredentials = credentials(o.endpointUrl);
        this.s3Credentials = credentials(o.s3EndpointUrl);
    }

    static int release(Options o, PrintStream out, PrintStream err) {
        return run(o, out, err, true);
    }

    static int versions(Options o, PrintStream out, PrintStream err) {
        return run(o, out, err, false);
    }

    private static int run(Options o, PrintStream out, PrintStream err, boolean release) {
        Release r;
        try {
            r = new Release(o, out);
        } catch (ReleaseException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        try {
            return release ? r.release() : r.versions();
        } catch (ReleaseException e) {
            out.println();
            err.println("error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    // ---------------------------------------------------------------- versions

    private int versions() throws IOException {
        typeName = typeNameOf(projectRoot());
        try (CloudFormationClient cfn = cloudFormation()) {
            List<TypeVersionSummary> live = list(cfn, DeprecatedStatus.LIVE, "list the versions");
            List<TypeVersionSummary> gone = o.all ? list(cfn, DeprecatedStatus.DEPRECATED, "list the deregistered versions") : List.of();
            String defaultId = live.stream().filter(v -> Boolean.TRUE.equals(v.isDefaultVersion()))
                    .map(TypeVersionSummary::versionId).findFirst().orElse(null);
            out.println(typeName + " in " + region + ": " + live.size() + " live version(s) of at most " + o.maxVersions
                    + (defaultId != null ? ", default " + defaultId : ", none registered"));
            if (live.isEmpty() && gone.isEmpty()) {
                out.println("Register the first one with ./schemaversion release (guides/local-runner.md#release).");
                return 0;
            }
            out.printf("  %-10s %-12s %-20s %s%n", "VERSION", "STATUS", "REGISTERED (UTC)", "ARN");
            List<TypeVersionSummary> all = new ArrayList<>(live);
            all.addAll(gone);
            all.sort(ORDER);
            for (TypeVersionSummary v : all) {
                String status = gone.contains(v) ? "deregistered" : Boolean.TRUE.equals(v.isDefaultVersion()) ? "default" : "live";
                out.printf("  %-10s %-12s %-20s %s%n", v.versionId(), status,
                        v.timeCreated() == null ? "?" : WHEN.format(v.timeCreated()), v.arn());
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------- release

    private int release() throws IOException {
        Path root = projectRoot();
        HandlerPackage pkg = HandlerPackage.of(root);
        typeName = pkg.typeName;
        if (o.dryRun) {
            Path zip = root.resolve("target").resolve(pkg.hyphenatedName + ".zip");
            List<String> entries;
            try (OutputStream file = Files.newOutputStream(zip)) {
                entries = pkg.write(file);
            }
            out.println("Dry run: " + zip + " (" + size(Files.size(zip)) + ", " + entries.size()
                    + " entries, laid out as cfn submit " + HandlerPackage.CLI_VERSION + " lays it out); nothing uploaded or registered.");
            return 0;
        }
        requireOptions();
        int keep = o.keep == null ? DEFAULT_KEEP : o.keep;
        out.println("Release " + typeName + " to " + region + " (" + (keep == Integer.MAX_VALUE ? "keeping every version"
                : "keeping the newest " + keep + " version(s)") + ", at most " + o.maxVersions + " live):");

        try (CloudFormationClient cfn = cloudFormation()) {
            // 1. Room under the limit: decided before anything is uploaded, made after the upload succeeded.
            List<TypeVersionSummary> live = list(cfn, DeprecatedStatus.LIVE, "list the live versions");
            String previousDefault = defaultOf(live);
            out.println("  versions  " + live.size() + " live" + (previousDefault != null ? ", default " + previousDefault : ""));
            List<TypeVersionSummary> makeRoom = List.of();
            if (live.size() >= o.maxVersions) {
                int need = live.size() - o.maxVersions + 1;
                List<TypeVersionSummary> candidates = live.stream().filter(v -> !Boolean.TRUE.equals(v.isDefaultVersion()))
                        .sorted(ORDER).toList();
                // Only versions the release would deregister anyway once the new one is registered.
                int prunable = keep == Integer.MAX_VALUE ? 0 : Math.max(0, live.size() + 1 - keep);
                if (need > Math.min(prunable, candidates.size())) {
                    throw new ReleaseException(typeName + " has " + live.size() + " live versions in " + region
                            + ", the registry's limit (" + o.maxVersions + " per account and Region, quota L-EA1018E8), and "
                            + (keep == Integer.MAX_VALUE ? "--keep all" : "--keep " + keep)
                            + " lets the release deregister none of them, so it uploads and registers nothing. Release with"
                            + " --keep N (N at most " + o.maxVersions + ") to deregister the oldest versions first, deregister"
                            + " some yourself (aws cloudformation deregister-type --arn ARN, see ./schemaversion versions), or"
                            + " raise the quota and pass --max-versions. " + state);
                }
                makeRoom = candidates.subList(0, need);
            }

            // 2. The package, as cfn submit builds it, and its upload.
            String url = upload(root, pkg);
            if (!makeRoom.isEmpty()) {
                out.println("  room      at the limit of " + o.maxVersions + ": deregistering the oldest first");
                for (TypeVersionSummary v : makeRoom) {
                    deregister(cfn, v, "to make room");
                }
            }

            // 3. RegisterType with the scoped roles, and the wait.
            RegisterTypeRequest.Builder register = RegisterTypeRequest.builder().type(RegistryType.RESOURCE).typeName(typeName)
                    .schemaHandlerPackage(url).executionRoleArn(o.executionRoleArn).clientRequestToken(UUID.randomUUID().toString());
            if (o.logRoleArn != null) {
                register.loggingConfig(LoggingConfig.builder().logRoleArn(o.logRoleArn).logGroupName(o.logGroup).build());
            }
            String token;
            try {
                token = cfn.registerType(register.build()).registrationToken();
            } catch (CfnRegistryException e) {
                throw registerRefused(cfn, e);
            } catch (SdkException e) {
                throw failure("register the new version", "CloudFormation", "RegisterType", e);
            }
            out.println("  register  execution role " + o.executionRoleArn);
            out.println("            " + (o.logRoleArn != null ? "logs to " + o.logGroup + " through " + o.logRoleArn
                    : "no LoggingConfig (--log-role-arn not given): the handlers' logs go nowhere"));
            out.println("            registration " + token);
            state = "The registration " + token + " of " + url + " was accepted; the default version is still "
                    + (previousDefault == null ? "none" : previousDefault) + ".";
            String versionArn = await(cfn, token);
            String versionId = versionArn.substring(versionArn.lastIndexOf('/') + 1);
            state = "Version " + versionId + " is registered but is not the default; the default is still "
                    + (previousDefault == null ? "none" : previousDefault) + ". Make it the default with"
                    + " aws cloudformation set-type-default-version --arn " + versionArn + ", or run the release again.";

            // 4. The new default.
            try {
                cfn.setTypeDefaultVersion(b -> b.arn(versionArn));
            } catch (SdkException e) {
                throw failure("make " + versionId + " the default version", "CloudFormation", "SetTypeDefaultVersion", e);
            }
            out.println("  default   " + versionId + (previousDefault != null && !previousDefault.equals(versionId)
                    ? " (was " + previousDefault + ")" : ""));
            state = "Version " + versionId + " is registered and is the default.";

            // 5. The oldest beyond --keep, never the default.
            int deregistered = 0;
            if (keep != Integer.MAX_VALUE) {
                List<TypeVersionSummary> now = new ArrayList<>(list(cfn, DeprecatedStatus.LIVE, "list the versions to prune"));
                now.sort(ORDER.reversed());
                List<TypeVersionSummary> beyond = new ArrayList<>(now.subList(Math.min(keep, now.size()), now.size()));
                beyond.removeIf(v -> Boolean.TRUE.equals(v.isDefaultVersion()) || v.versionId().equals(versionId));
                beyond.sort(ORDER);
                for (TypeVersionSummary v : beyond) {
                    if (deregister(cfn, v, "beyond --keep " + keep)) {
                        deregistered++;
                    }
                }
            }
            List<TypeVersionSummary> after = list(cfn, DeprecatedStatus.LIVE, "count the live versions");
            out.println();
            out.println("Released " + typeName + " version " + versionId + " (" + versionArn + "), now the default; "
                    + after.size() + " live version(s)" + (deregistered > 0 ? ", " + deregistered + " older one(s) deregistered" : "") + ".");
            return 0;
        }
    }

    /** Writes the package to target/release/, uploads it and returns its s3:// URL. */
    private String upload(Path root, HandlerPackage pkg) throws IOException {
        Path dir = Files.createDirectories(root.resolve("target").resolve("release"));
        Path zip = Files.createTempFile(dir, pkg.hyphenatedName + "-", ".zip");
        try {
            MessageDigest sha = sha256();
            List<String> entries;
            try (OutputStream file = new DigestOutputStream(Files.newOutputStream(zip), sha)) {
                entries = pkg.write(file);
            }
            out.println("  package   " + root.relativize(pkg.jar) + " built " + WHEN.format(
                    Files.getLastModifiedTime(pkg.jar).toInstant()) + " UTC; " + entries.size() + " entries, " + size(Files.size(zip)));
            String stamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace("Z", "").replace(':', '-');
            String key = o.keyPrefix + pkg.hyphenatedName + "-" + stamp + "-" + Digests.hex(sha.digest()).substring(0, 12) + ".zip";
            String url = "s3://" + o.bucket + "/" + key;
            try (S3Client s3 = s3()) {
                s3.putObject(b -> b.bucket(o.bucket).key(key).contentType("application/zip"), RequestBody.fromFile(zip));
            } catch (SdkException e) {
                throw failure("upload the package to " + url, "S3", "PutObject", e);
            }
            out.println("  upload    " + url);
            state = "The package is uploaded to " + url + "; nothing has been registered.";
            return url;
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    private void requireOptions() {
        List<String> missing = new ArrayList<>();
        if (o.bucket == null) {
            missing.add("--bucket NAME (an S3 bucket in " + region + " the release may write the package to)");
        }
        if (o.executionRoleArn == null) {
            missing.add("--execution-role-arn ARN (registration/registration.yaml's output ExecutionRoleArn)");
        }
        if (!missing.isEmpty()) {
            throw new Options.UsageException("release needs " + String.join(" and ", missing) + ".");
        }
        if (o.keep != null && o.keep != Integer.MAX_VALUE && (o.keep < 1 || o.keep > o.maxVersions)) {
            throw new Options.UsageException("--keep wants 1 to " + o.maxVersions + " (the new version counts), or all.");
        }
    }

    /** Polls DescribeTypeRegistration until COMPLETE (the version's ARN) or FAILED, showing the progress. */
    private String await(CloudFormationClient cfn, String token) {
        Instant start = Instant.now();
        Instant deadline = start.plus(Duration.ofMinutes(o.waitMinutes));
        String shown = null;
        Instant lastShown = start;
        while (true) {
            DescribeTypeRegistrationResponse r;
            try {
                r = cfn.describeTypeRegistration(b -> b.registrationToken(token));
            } catch (SdkException e) {
                throw failure("follow the registration " + token, "CloudFormation", "DescribeTypeRegistration", e);
            }
            long seconds = Duration.between(start, Instant.now()).toSeconds();
            String status = r.progressStatusAsString();
            String line = status + (r.description() != null ? ": " + r.description() : "");
            if (!line.equals(shown) || Duration.between(lastShown, Instant.now()).toSeconds() >= 30) {
                out.printf("            %3d:%02d %s%n", seconds / 60, seconds % 60, line);
                shown = line;
                lastShown = Instant.now();
            }
            switch (status) {
                case "COMPLETE" -> {
                    return r.typeVersionArn();
                }
                case "FAILED" -> throw new ReleaseException("CloudFormation could not register the package " + "(registration "
                        + token + " FAILED: " + r.description() + "). Check that the package is the project's"
                        + " (./schemaversion release --dry-run writes it to target/), that the caller may read it"
                        + " (s3:GetObject on it: RegisterType reads the package as the caller), and that the execution role"
                        + " trusts resources.cloudformation.amazonaws.com. " + state);
                default -> { }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new ReleaseException("The registration " + token + " is still " + status + " after " + o.waitMinutes
                        + " minute(s); it goes on in CloudFormation. Follow it with aws cloudformation"
                        + " describe-type-registration --registration-token " + token + ", then make the new version the"
                        + " default (aws cloudformation set-type-default-version --arn ...) or run the release again."
                        + " Nothing has been deregistered after the registration.");
            }
            sleep(o.pollSeconds);
        }
    }

    /** Deregisters one version; false when CloudFormation keeps it (the message says why). */
    private boolean deregister(CloudFormationClient cfn, TypeVersionSummary v, String why) {
        try {
            cfn.deregisterType(b -> b.arn(v.arn()));
            out.println("  deregister " + v.versionId() + " (registered " + (v.timeCreated() == null ? "?" : WHEN.format(v.timeCreated()))
                    + " UTC, " + why + ")");
            return true;
        } catch (TypeNotFoundException e) {
            out.println("  deregister " + v.versionId() + ": already deregistered (TypeNotFoundException), skipped");
            return false;
        } catch (CfnRegistryException e) {
            out.println("  warning: CloudFormation keeps version " + v.versionId() + " (CFNRegistryException: "
                    + e.awsErrorDetails().errorMessage() + "). It is the default now, or another release changed the"
                    + " versions meanwhile; see ./schemaversion versions. It stays registered.");
            return false;
        } catch (SdkException e) {
            throw failure("deregister version " + v.versionId(), "CloudFormation", "DeregisterType", e);
        }
    }

    private List<TypeVersionSummary> list(CloudFormationClient cfn, DeprecatedStatus status, String what) {
        try {
            List<TypeVersionSummary> all = new ArrayList<>();
            cfn.listTypeVersionsPaginator(b -> b.type(RegistryType.RESOURCE).typeName(typeName).deprecatedStatus(status)
                    .maxResults(100)).forEach(page -> all.addAll(page.typeVersionSummaries()));
            all.sort(ORDER);
            return all;
        } catch (SdkException e) {
            throw failure(what, "CloudFormation", "ListTypeVersions", e);
        }
    }

    /** Oldest first: by version id (8 digits, counted up), then by registration time. */
    private static final Comparator<TypeVersionSummary> ORDER = Comparator
            .comparing((TypeVersionSummary v) -> v.versionId() == null ? "" : v.versionId())
            .thenComparing(v -> v.timeCreated() == null ? Instant.EPOCH : v.timeCreated());

    private static String defaultOf(List<TypeVersionSummary> versions) {
        return versions.stream().filter(v -> Boolean.TRUE.equals(v.isDefaultVersion())).map(TypeVersionSummary::versionId)
                .findFirst().orElse(null);
    }

    // ---------------------------------------------------------------- errors

    private static final Set<String> ACCESS = Set.of("AccessDenied", "AccessDeniedException", "NotAuthorized",
            "UnauthorizedOperation", "AllAccessDisabled");
    private static final Set<String> CREDENTIALS = Set.of("InvalidClientTokenId", "UnrecognizedClientException",
            "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "InvalidAccessKeyId", "IncompleteSignature",
            "MissingAuthenticationToken", "RequestExpired", "TokenRefreshRequired");
    private static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "TooManyRequestsException",
            "RequestLimitExceeded", "SlowDown", "ThrottledException", "RequestThrottled");

    /** The message for a call that failed: what was asked, what the service said, what state it leaves, what to do. */
    private ReleaseException failure(String what, String service, String action, SdkException e) {
        if (!(e instanceof AwsServiceException ase)) {
            String unavailable = credentialsUnavailable("S3".equals(service) ? s3Credentials : cloudFormationCredentials);
            if (unavailable != null) {
                return new ReleaseException("Could not " + what + ": no AWS credentials (" + unavailable + "). Run with a"
                        + " profile (AWS_PROFILE=...), after aws sso login, or where a role is provided (CodeBuild's service"
                        + " role, GitHub's OIDC role). " + state);
            }
            return new ReleaseException("Could not " + what + ": " + service + " did not answer " + action + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "). Check the network and the endpoint"
                    + (endpoint(service) != null ? " " + endpoint(service) : "") + ", then run the release again. " + state);
        }
        String code = code(ase);
        String head = refusal(what, service, action, ase);
        if (ACCESS.contains(code)) {
            return new ReleaseException(head + "The caller lacks " + permissionFor(action) + "; the least a release needs is in "
                    + POLICY + ". " + state);
        }
        if (CREDENTIALS.contains(code)) {
            return new ReleaseException(head + "AWS does not accept the credentials in use (expired or wrong): refresh"
                    + " them (aws sso login, a new session) and run the release again. " + state);
        }
        if (THROTTLING.contains(code)) {
            return new ReleaseException(head + service + " throttled the call and the SDK's retries did not get"
                    + " through: wait a few minutes and run the release again (another pipeline or script may be calling"
                    + " the registry at the same time). " + state);
        }
        if ("NoSuchBucket".equals(code)) {
            return new ReleaseException(head + "The bucket " + o.bucket + " does not exist. Create it (aws s3 mb s3://"
                    + o.bucket + " --region " + region + ", with versioning and encryption as your account requires) or"
                    + " name another with --bucket. " + state);
        }
        if (Set.of("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException").contains(code)) {
            return new ReleaseException(head + "The bucket " + o.bucket + " is in another Region than " + region
                    + ": CloudFormation reads the package from the Region it registers in; use a bucket in " + region
                    + ". " + state);
        }
        if ("ValidationError".equals(code)) {
            return new ReleaseException(head + "Check --execution-role-arn, --log-role-arn and --log-group (the"
                    + " ExecutionRoleArn, LogRoleArn and LogGroupName outputs of registration/registration.yaml). " + state);
        }
        if (ase instanceof TypeNotFoundException) {
            return new ReleaseException(head + "The version is gone from the registry (deregistered meanwhile by"
                    + " someone else?): see ./schemaversion versions and run the release again. " + state);
        }
        if (ase instanceof CfnRegistryException) {
            return new ReleaseException(head + "See ./schemaversion versions for the type's state. " + state);
        }
        return new ReleaseException(head + state);
    }

    /**
     * RegisterType's only modelled error is CFNRegistryException, for each reason the registry refuses a version;
     * the two a release meets are told apart by what the registry holds, not by the error's words: a registration
     * of the type still IN_PROGRESS (ListTypeRegistrations), else the documented limit of live versions per
     * account and Region, which counts other types' versions too.
     */
    private ReleaseException registerRefused(CloudFormationClient cfn, CfnRegistryException e) {
        ReleaseException refused = failure("register the new version", "CloudFormation", "RegisterType", e);
        List<String> running = new ArrayList<>();
        try {
            cfn.listTypeRegistrationsPaginator(b -> b.type(RegistryType.RESOURCE).typeName(typeName)
                    .registrationStatusFilter(RegistrationStatus.IN_PROGRESS)).forEach(page -> running.addAll(page.registrationTokenList()));
        } catch (SdkException unlisted) {
            return refused;
        }
        String head = refusal("register the new version", "CloudFormation", "RegisterType", e);
        if (!running.isEmpty()) {
            return new ReleaseException(head + "Another registration of " + typeName + " is running (" + String.join(", ", running)
                    + "; another pipeline run or cfn submit?): the registry runs one at a time. Wait for it to finish"
                    + " (./schemaversion versions), then run the release again; let one release run at a time"
                    + " (a pipeline concurrency group). " + state);
        }
        return new ReleaseException(head + "No other registration of " + typeName + " is running, so the registry holds as"
                + " many versions as it allows (they count every private resource type's versions in the account and"
                + " Region); this release counted against --max-versions " + o.maxVersions + ". Deregister older versions"
                + " (./schemaversion release --keep N deregisters the oldest; lower --max-versions to your"
                + " account's limit if it is below " + o.maxVersions + ") or raise the quota L-EA1018E8. " + state);
    }

    /** Why the provider has no credentials to give (its own words, shown), or null when it has them. */
    private static String credentialsUnavailable(AwsCredentialsProvider provider) {
        try {
            provider.resolveCredentials();
            return null;
        } catch (SdkClientException e) {
            return e.getMessage();
        }
    }

    /** What was asked and what the service answered: its code, its words (shown, never read), the HTTP status. */
    private static String refusal(String what, String service, String action, AwsServiceException e) {
        String said = code(e) + (e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? ": " + e.awsErrorDetails().errorMessage() : "") + ", HTTP " + e.statusCode();
        return "Could not " + what + ": " + service + " refused " + action + " (" + said + "). ";
    }

    private static String code(AwsServiceException e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null ? e.awsErrorDetails().errorCode() : "HTTP" + e.statusCode();
    }

    private String permissionFor(String action) {
        return switch (action) {
            case "PutObject" -> "s3:PutObject on arn:aws:s3:::" + o.bucket + "/" + o.keyPrefix + "*";
            case "RegisterType" -> "cloudformation:RegisterType on the type, s3:GetObject on the package, and iam:PassRole"
                    + " on the execution role and the log role";
            default -> "cloudformation:" + action + " on the type";
        };
    }

    // ---------------------------------------------------------------- clients and options

    private CloudFormationClient cloudFormation() {
        var b = CloudFormationClient.builder().httpClient(UrlConnectionHttpClient.create()).region(region)
                .credentialsProvider(cloudFormationCredentials);
        if (o.endpointUrl != null) {
            b.endpointOverride(URI.create(o.endpointUrl));
        }
        return b.build();
    }

    private S3Client s3() {
        var b = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(region)
                .credentialsProvider(s3Credentials);
        if (o.s3EndpointUrl != null) {
            b.endpointOverride(URI.create(o.s3EndpointUrl)).forcePathStyle(true);
        }
        return b.build();
    }

    private String endpoint(String service) {
        return "S3".equals(service) ? o.s3EndpointUrl : o.endpointUrl;
    }

    /**
     * The usual chain (profile, environment, the role CodeBuild or GitHub's OIDC step provides); a local endpoint
     * (127.0.0.1) checks only that requests are signed, so a fixed pair signs them and no real credential is sent.
     */
    private static AwsCredentialsProvider credentials(String endpoint) {
        if (endpoint != null) {
            String host = URI.create(endpoint).getHost();
            if ("127.0.0.1".equals(host) || "localhost".equals(host)) {
                return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
            }
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static Region region(Options o) {
        if (o.regionGiven) {
            return Region.of(o.region);
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new ReleaseException("No AWS Region: give --region REGION or set AWS_REGION.");
        }
    }

    private Path projectRoot() {
        if (o.project != null) {
            return o.project;
        }
        String fromLauncher = System.getProperty("schemaversion.root");
        return Path.of(fromLauncher != null ? fromLauncher : ".");
    }

    private static String typeNameOf(Path root) throws IOException {
        Path config = root.resolve(".rpdk-config");
        if (!Files.isRegularFile(config)) {
            throw new ReleaseException("No .rpdk-config in " + root.toAbsolutePath() + ": give the project with --project DIR.");
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(config)).path("typeName").asText();
    }

    private static MessageDigest sha256() {
        return Digests.sha256();
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }

    private static void sleep(int seconds) {
        if (seconds <= 0) {
            return;
        }
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReleaseException("Interrupted while waiting for the registration.");
        }
    }
}
