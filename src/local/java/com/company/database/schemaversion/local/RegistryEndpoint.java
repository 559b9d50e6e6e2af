package com.company.database.schemaversion.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Exactly the CloudFormation registry calls and the S3 call the release command makes, on 127.0.0.1, so that the
 * real SDK clients talk to it as to the services (one port serves both: CloudFormation's requests are POSTs to
 * "/", S3's are path-style PUTs to "/bucket/key").
 *
 * <p>What it implements from the services' API references (the CloudFormation API Reference pages of each
 * action, its Common Errors page, and botocore's service model cloudformation-2010-05-15, which the SDKs are
 * generated from):
 * <ul>
 *   <li>CloudFormation speaks the awsQuery protocol: a form-encoded POST with Action and Version=2010-05-15, and
 *       an XML answer {@code <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>} in the namespace
 *       http://cloudformation.amazonaws.com/doc/2010-05-15/; errors are
 *       {@code <ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>}.</li>
 *   <li>RegisterType (TypeName and SchemaHandlerPackage required; Type, LoggingConfig with both LogRoleArn and
 *       LogGroupName, ExecutionRoleArn, ClientRequestToken) answers a RegistrationToken at once; the same
 *       ClientRequestToken answers the same registration (its idempotency key). Registration is asynchronous:
 *       DescribeTypeRegistration answers ProgressStatus IN_PROGRESS, then COMPLETE with TypeArn and
 *       TypeVersionArn, or FAILED with a Description. "You can have a maximum of 50 resource extension versions
 *       registered at a time. This maximum is per account and per Region": a RegisterType that would go beyond
 *       it (counting every type's live versions) answers CFNRegistryException; so does a second RegisterType of
 *       a type while one is in progress (the registry runs one registration of a type at a time). RegisterType's
 *       only modelled error is CFNRegistryException (HTTP 400), so the words of its message are the endpoint's
 *       own and a client must not read them. The first version of a type becomes its default; later ones do not until
 *       SetTypeDefaultVersion. Version ids are 8-digit, counted per type, never reused.</li>
 *   <li>ListTypeRegistrations (TypeArn, or Type and TypeName; RegistrationStatusFilter COMPLETE, IN_PROGRESS or
 *       FAILED, IN_PROGRESS by default) answers the RegistrationTokenList of the type's registrations in that
 *       status; its only modelled error is CFNRegistryException.</li>
 *   <li>ListTypeVersions (Arn, or Type and TypeName; DeprecatedStatus LIVE by default; MaxResults 1 to 100;
 *       NextToken) answers TypeVersionSummaries (Type, TypeName, VersionId, IsDefaultVersion, Arn, TimeCreated,
 *       Description); an unknown type has no versions (its only documented error is CFNRegistryException).</li>
 *   <li>SetTypeDefaultVersion and DeregisterType take the version's Arn, or Type, TypeName and VersionId; an
 *       unknown or deregistered version answers TypeNotFoundException (HTTP 404). "You can't deregister the
 *       default version of an extension if there are other active versions of that extension": that answers
 *       CFNRegistryException (HTTP 400); deregistering the only version deregisters the type.</li>
 *   <li>Constraint violations (a missing required parameter, a TypeName, role ARN, log group name or MaxResults
 *       outside its pattern or range) answer ValidationError, HTTP 400; an unknown action InvalidAction; a
 *       request without a SigV4 Authorization header MissingAuthenticationToken, HTTP 403.</li>
 *   <li>S3 PutObject (REST-XML, path style): NoSuchBucket (404) for a bucket that does not exist; an
 *       aws-chunked body (the SDK's streaming upload with a trailing checksum) is decoded; a Content-MD5 or
 *       x-amz-checksum-crc32 that does not match the body answers BadDigest; the answer carries the ETag (the
 *       body's MD5). Errors are {@code <Error><Code>..</Code><Message>..</Message></Error>}.</li>
 * </ul>
 * The registration itself reads the package from this endpoint's S3: a package that is missing, is not a zip,
 * or has no schema.json naming the type fails the registration, as CloudFormation's validation of the schema
 * would. Subclasses inject the errors the services answer besides ({@link #intercept}, {@link #rejectPackage}).
 */
public class RegistryEndpoint implements AutoCloseable {
    public static final String ACCOUNT = "123456789012";
    public static final int DEFAULT_MAX_VERSIONS = 50;
    private static final String NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(::MODULE){0,1}");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:.+:iam::[0-9]{12}:role/.+");
    private static final Pattern LOG_GROUP = Pattern.compile("[\\.\\-_/#A-Za-z0-9]+");
    private static final Pattern TOKEN = Pattern.compile("[a-zA-Z0-9][-a-zA-Z0-9]*");

    /** An error answer: HTTP status, error code, message. */
    public record Fault(int status, String code, String message) {
    }

    /** One stored S3 object (only what the registration reads back is kept besides its digest). */
    public record StoredObject(String bucket, String key, byte[] body, String etag) {
    }

    /** A registered version of a type. */
    public record Version(String typeName, String versionId, Instant created, boolean live, String executionRoleArn,
                          String logRoleArn, String logGroupName, String packageUrl) {
        String arn(String typeArn) {
            return typeArn + "/" + versionId;
        }
    }

    private static final class Registration {
        final String token;
        final String typeName;
        final Map<String, String> params;
        int polls;
        String status = "IN_PROGRESS";
        String description = "Deployment is currently in DEPLOY_STAGE of status IN_PROGRESS";
        String versionId;

        Registration(String token, String typeName, Map<String, String> params) {
            this.token = token;
            this.typeName = typeName;
            this.params = params;
        }
    }

    private static final class TypeState {
        final List<Version> versions = new ArrayList<>();
        int nextVersion = 1;
        String defaultVersion;
    }

    private final HttpServer server;
    private final String region;
    private final int maxVersions;
    private final Map<String, Map<String, StoredObject>> buckets = new TreeMap<>();
    private final Map<String, TypeState> types = new HashMap<>();
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    private final Map<String, String> requestTokens = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private int pollsToComplete = 1;
    private int mostLiveVersions;
    private Instant lastCreated = Instant.EPOCH;

    /** On any free port. */
    public RegistryEndpoint(String region, int maxVersions) throws IOException {
        this(region, maxVersions, 0);
    }

    public RegistryEndpoint(String region, int maxVersions, int port) throws IOException {
        this.region = region;
        this.maxVersions = maxVersions;
        server = LocalServer.start(port, this::handle, 2, "registry-endpoint");
    }

    public String endpoint() {
        return LocalServer.endpoint(server);
    }

    public String region() {
        return region;
    }

    /** How many DescribeTypeRegistration calls answer IN_PROGRESS before the registration completes. */
    public synchronized void pollsToComplete(int polls) {
        this.pollsToComplete = polls;
    }

    public synchronized void createBucket(String name) {
        buckets.computeIfAbsent(name, n -> new TreeMap<>());
    }

    public synchronized StoredObject object(String bucket, String key) {
        Map<String, StoredObject> objects = buckets.get(bucket);
        return objects == null ? null : objects.get(key);
    }

    /** The live versions of the type, oldest first. */
    public synchronized List<Version> liveVersions(String typeName) {
        TypeState t = types.get(typeName);
        return t == null ? List.of() : t.versions.stream().filter(Version::live).toList();
    }

    /** Every version the type ever had, deregistered ones too, oldest first. */
    public synchronized List<Version> allVersions(String typeName) {
        TypeState t = types.get(typeName);
        return t == null ? List.of() : List.copyOf(t.versions);
    }

    public synchronized String defaultVersion(String typeName) {
        TypeState t = types.get(typeName);
        return t == null ? null : t.defaultVersion;
    }

    /** The most live versions the account ever held at once (of all types). */
    public synchronized int mostLiveVersions() {
        return mostLiveVersions;
    }

    /** "Action" for CloudFormation, "S3 PutObject bucket/key" for S3, in order. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /**
     * Sees each request as it arrives ({@code service} "cloudformation" or "s3"; the action; the query parameters,
     * or for S3 "Bucket" and "Key"), and may answer it with an error instead (null: serve it).
     */
    protected Fault intercept(String service, String action, Map<String, String> params) {
        return null;
    }

    /** Why a registration fails after its package was read (the Description of a FAILED registration), or null. */
    protected String rejectPackage(String typeName, Map<String, String> registerParams) {
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            boolean s3 = !"/".equals(exchange.getRequestURI().getRawPath());
            if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 ")) {
                Fault f = new Fault(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
                if (s3) {
                    s3Error(exchange, new Fault(403, "AccessDenied", "Access Denied"), null);
                } else {
                    queryError(exchange, f);
                }
                return;
            }
            if (s3) {
                handleS3(exchange, body);
            } else {
                handleQuery(exchange, new String(body, StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            queryError(exchange, new Fault(500, "InternalFailure", String.valueOf(e)));
        }
    }

    // ---------------------------------------------------------------- CloudFormation (awsQuery)

    private void handleQuery(HttpExchange ex, String form) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            p.put(k, v);
        }
        String action = p.getOrDefault("Action", "");
        synchronized (this) {
            calls.add(action);
        }
        Fault injected = intercept("cloudformation", action, p);
        if (injected != null) {
            queryError(ex, injected);
            return;
        }
        if (!"2010-05-15".equals(p.get("Version"))) {
            queryError(ex, new Fault(400, "InvalidParameterValue", "Version must be 2010-05-15, got " + p.get("Version")));
            return;
        }
        Object answer;
        synchronized (this) {
            answer = switch (action) {
                case "RegisterType" -> registerType(p);
                case "DescribeTypeRegistration" -> describeTypeRegistration(p);
                case "ListTypeRegistrations" -> listTypeRegistrations(p);
                case "ListTypeVersions" -> listTypeVersions(p);
                case "SetTypeDefaultVersion" -> setTypeDefaultVersion(p);
                case "DeregisterType" -> deregisterType(p);
                default -> new Fault(400, "InvalidAction", "Not served by the local registry endpoint: " + action);
            };
        }
        if (answer instanceof Fault f) {
            queryError(ex, f);
        } else {
            String requestId = UUID.randomUUID().toString();
            String xml = "<" + action + "Response xmlns=\"" + NS + "\">\n  <" + action + "Result>" + answer + "</"
                    + action + "Result>\n  <ResponseMetadata>\n    <RequestId>" + requestId
                    + "</RequestId>\n  </ResponseMetadata>\n</" + action + "Response>\n";
            send(ex, 200, "text/xml", xml.getBytes(StandardCharsets.UTF_8), requestId);
        }
    }

    private Object registerType(Map<String, String> p) {
        Fault invalid = firstOf(
                required(p, "TypeName", "typeName"), required(p, "SchemaHandlerPackage", "schemaHandlerPackage"),
                matches(p, "TypeName", "typeName", TYPE_NAME), matches(p, "ExecutionRoleArn", "executionRoleArn", ROLE_ARN),
                matches(p, "LoggingConfig.LogRoleArn", "loggingConfig.logRoleArn", ROLE_ARN),
                matches(p, "LoggingConfig.LogGroupName", "loggingConfig.logGroupName", LOG_GROUP),
                matches(p, "ClientRequestToken", "clientRequestToken", TOKEN),
                oneOf(p, "Type", "type", "RESOURCE", "MODULE", "HOOK"));
        if (invalid != null) {
            return invalid;
        }
        boolean logRole = p.containsKey("LoggingConfig.LogRoleArn");
        boolean logGroup = p.containsKey("LoggingConfig.LogGroupName");
        if (logRole != logGroup) {
            return validation(logRole ? "loggingConfig.logGroupName" : "loggingConfig.logRoleArn", null,
                    "Member must not be null");
        }
        String typeName = p.get("TypeName");
        String clientToken = p.get("ClientRequestToken");
        if (clientToken != null && requestTokens.containsKey(clientToken)) {
            return "\n    <RegistrationToken>" + requestTokens.get(clientToken) + "</RegistrationToken>\n  ";
        }
        for (Registration r : registrations.values()) {
            if (r.typeName.equals(typeName) && "IN_PROGRESS".equals(r.status)) {
                return new Fault(400, "CFNRegistryException", "Registration of type " + typeName
                        + " is already in progress (registration token " + r.token + ")");
            }
        }
        if (liveInAccount() >= maxVersions) {
            return new Fault(400, "CFNRegistryException", "Maximum number of versions (" + maxVersions
                    + ") exceeded for type " + typeName + ". Deregister a version before registering a new one.");
        }
        String token = UUID.randomUUID().toString();
        registrations.put(token, new Registration(token, typeName, Map.copyOf(p)));
        if (clientToken != null) {
            requestTokens.put(clientToken, token);
        }
        return "\n    <RegistrationToken>" + token + "</RegistrationToken>\n  ";
    }

    /** The limit is per account and Region: every type's live versions count. */
    private int liveInAccount() {
        int live = 0;
        for (TypeState each : types.values()) {
            live += (int) each.versions.stream().filter(Version::live).count();
        }
        return live;
    }

    private Object listTypeRegistrations(Map<String, String> p) {
        String typeName;
        if (p.containsKey("TypeArn")) {
            String prefix = typeArn("");
            String arn = p.get("TypeArn");
            if (!arn.startsWith(prefix)) {
                return validation("typeArn", arn, "Member must satisfy regular expression pattern: "
                        + "arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:[0-9]{12}:type/.+");
            }
            typeName = arn.substring(prefix.length()).replace("-", "::");
        } else {
            Object type = typeOf(p, false);
            if (type instanceof Fault f) {
                return f;
            }
            typeName = (String) type;
        }
        Fault invalid = oneOf(p, "RegistrationStatusFilter", "registrationStatusFilter", "COMPLETE", "IN_PROGRESS", "FAILED");
        if (invalid != null) {
            return invalid;
        }
        String status = p.getOrDefault("RegistrationStatusFilter", "IN_PROGRESS");
        StringBuilder x = new StringBuilder("\n    <RegistrationTokenList>");
        for (Registration r : registrations.values()) {
            if (r.typeName.equals(typeName) && r.status.equals(status)) {
                x.append("\n      <member>").append(r.token).append("</member>");
            }
        }
        return x.append("\n    </RegistrationTokenList>\n  ").toString();
    }

    private Object describeTypeRegistration(Map<String, String> p) {
        Fault invalid = firstOf(required(p, "RegistrationToken", "registrationToken"),
                matches(p, "RegistrationToken", "registrationToken", TOKEN));
        if (invalid != null) {
            return invalid;
        }
        Registration r = registrations.get(p.get("RegistrationToken"));
        if (r == null) {
            return new Fault(400, "CFNRegistryException", "Registration token " + p.get("RegistrationToken") + " not found");
        }
        if ("IN_PROGRESS".equals(r.status) && ++r.polls > pollsToComplete) {
            complete(r);
        }
        StringBuilder x = new StringBuilder("\n    <ProgressStatus>").append(r.status).append("</ProgressStatus>\n    <Description>")
                .append(xml(r.description)).append("</Description>");
        if ("COMPLETE".equals(r.status)) {
            String typeArn = typeArn(r.typeName);
            x.append("\n    <TypeArn>").append(typeArn).append("</TypeArn>\n    <TypeVersionArn>").append(typeArn)
                    .append('/').append(r.versionId).append("</TypeVersionArn>");
        }
        return x.append("\n  ").toString();
    }

    private void complete(Registration r) {
        String failure = readPackage(r.typeName, r.params.get("SchemaHandlerPackage"));
        if (failure == null) {
            failure = rejectPackage(r.typeName, r.params);
        }
        if (failure != null) {
            r.status = "FAILED";
            r.description = failure;
            return;
        }
        TypeState t = types.computeIfAbsent(r.typeName, n -> new TypeState());
        String id = String.format(Locale.ROOT, "%08d", t.nextVersion++);
        Instant created = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        if (!created.isAfter(lastCreated)) {
            created = lastCreated.plusMillis(1);
        }
        lastCreated = created;
        t.versions.add(new Version(r.typeName, id, created, true, r.params.get("ExecutionRoleArn"),
                r.params.get("LoggingConfig.LogRoleArn"), r.params.get("LoggingConfig.LogGroupName"),
                r.params.get("SchemaHandlerPackage")));
        if (t.defaultVersion == null) {
            t.defaultVersion = id;
        }
        r.versionId = id;
        r.status = "COMPLETE";
        r.description = "Deployment is currently in DEPLOY_STAGE of status COMPLETED";
        mostLiveVersions = Math.max(mostLiveVersions, liveInAccount());
    }

    /** What CloudFormation finds when it reads the package: null when it holds the type's schema. */
    private String readPackage(String typeName, String url) {
        if (!url.startsWith("s3://") || url.indexOf('/', 5) < 0) {
            return "Invalid SchemaHandlerPackage " + url + ": expected s3://bucket/key";
        }
        String bucket = url.substring(5, url.indexOf('/', 5));
        String key = url.substring(url.indexOf('/', 5) + 1);
        StoredObject o = object(bucket, key);
        if (o == null) {
            return "Failed to download the schema handler package " + url + ": the object does not exist or access is denied";
        }
        String schema = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(o.body()))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if ("schema.json".equals(e.getName())) {
                    schema = new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            return "The schema handler package " + url + " is not a valid zip file";
        }
        if (schema == null) {
            return "The schema handler package " + url + " has no schema.json";
        }
        if (!schema.contains("\"typeName\"") || !schema.replaceAll("\\s", "").contains("\"typeName\":\"" + typeName + "\"")) {
            return "Schema typeName does not match the type being registered (" + typeName + ")";
        }
        return null;
    }

    private Object listTypeVersions(Map<String, String> p) {
        Object type = typeOf(p, false);
        if (type instanceof Fault f) {
            return f;
        }
        Fault invalid = oneOf(p, "DeprecatedStatus", "deprecatedStatus", "LIVE", "DEPRECATED");
        if (invalid != null) {
            return invalid;
        }
        int max = 100;
        if (p.containsKey("MaxResults")) {
            try {
                max = Integer.parseInt(p.get("MaxResults"));
            } catch (NumberFormatException e) {
                max = 0;
            }
            if (max < 1 || max > 100) {
                return validation("maxResults", p.get("MaxResults"), "Member must have value between 1 and 100");
            }
        }
        boolean live = !"DEPRECATED".equals(p.get("DeprecatedStatus"));
        String typeName = (String) type;
        TypeState t = types.get(typeName);
        List<Version> matching = t == null ? List.of() : t.versions.stream().filter(v -> v.live() == live).toList();
        int start = 0;
        if (p.containsKey("NextToken")) {
            try {
                start = Integer.parseInt(new String(Base64.getDecoder().decode(p.get("NextToken")), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return new Fault(400, "CFNRegistryException", "Invalid NextToken");
            }
        }
        StringBuilder x = new StringBuilder("\n    <TypeVersionSummaries>");
        int end = Math.min(matching.size(), start + max);
        String typeArn = typeArn(typeName);
        for (int i = start; i < end; i++) {
            Version v = matching.get(i);
            x.append("\n      <member>\n        <Type>RESOURCE</Type>\n        <TypeName>").append(v.typeName())
                    .append("</TypeName>\n        <VersionId>").append(v.versionId())
                    .append("</VersionId>\n        <IsDefaultVersion>").append(v.live() && v.versionId().equals(t.defaultVersion))
                    .append("</IsDefaultVersion>\n        <Arn>").append(v.arn(typeArn))
                    .append("</Arn>\n        <TimeCreated>").append(v.created())
                    .append("</TimeCreated>\n        <Description>").append(xml(description(typeName)))
                    .append("</Description>\n      </member>");
        }
        x.append("\n    </TypeVersionSummaries>");
        if (end < matching.size()) {
            x.append("\n    <NextToken>").append(Base64.getEncoder().encodeToString(
                    Integer.toString(end).getBytes(StandardCharsets.UTF_8))).append("</NextToken>");
        }
        return x.append("\n  ").toString();
    }

    private String description(String typeName) {
        return "A resource type registered from its schema handler package (" + typeName + ")";
    }

    private Object setTypeDefaultVersion(Map<String, String> p) {
        Object found = versionOf(p);
        if (found instanceof Fault f) {
            return f;
        }
        Version v = (Version) found;
        types.get(v.typeName()).defaultVersion = v.versionId();
        return "";
    }

    private Object deregisterType(Map<String, String> p) {
        boolean wholeType = !p.containsKey("VersionId") && (p.get("Arn") == null || !p.get("Arn").matches(".*/[0-9]{8}$"));
        if (wholeType) {
            Object type = typeOf(p, true);
            if (type instanceof Fault f) {
                return f;
            }
            List<Version> live = liveVersions((String) type);
            if (live.isEmpty()) {
                return new Fault(404, "TypeNotFoundException", "Type " + type + " not found");
            }
            if (live.size() > 1) {
                return new Fault(400, "CFNRegistryException", "Type " + type + " has " + live.size()
                        + " live versions: deregister every version but the default first");
            }
            p = new LinkedHashMap<>(p);
            p.put("VersionId", live.get(0).versionId());
            p.put("TypeName", (String) type);
            p.putIfAbsent("Type", "RESOURCE");
            p.remove("Arn");
        }
        Object found = versionOf(p);
        if (found instanceof Fault f) {
            return f;
        }
        Version v = (Version) found;
        TypeState t = types.get(v.typeName());
        long live = t.versions.stream().filter(Version::live).count();
        if (v.versionId().equals(t.defaultVersion) && live > 1) {
            return new Fault(400, "CFNRegistryException", "Version " + v.versionId() + " is the default version of "
                    + v.typeName() + " and cannot be deregistered while other versions are live."
                    + " Set another default version first");
        }
        t.versions.set(t.versions.indexOf(v), new Version(v.typeName(), v.versionId(), v.created(), false,
                v.executionRoleArn(), v.logRoleArn(), v.logGroupName(), v.packageUrl()));
        if (v.versionId().equals(t.defaultVersion)) {
            t.defaultVersion = null;
        }
        return "";
    }

    /** The type a request names (Arn, or Type and TypeName), or a Fault. */
    private Object typeOf(Map<String, String> p, boolean arnMayNameVersion) {
        String arn = p.get("Arn");
        if (arn != null) {
            String prefix = "arn:aws:cloudformation:" + region + ":" + ACCOUNT + ":type/resource/";
            if (!arn.startsWith(prefix)) {
                return validation("arn", arn, "Member must satisfy regular expression pattern: "
                        + "arn:aws[A-Za-z0-9-]{0,64}:cloudformation:[A-Za-z0-9-]{1,64}:[0-9]{12}:type/.+");
            }
            String rest = arn.substring(prefix.length());
            if (arnMayNameVersion && rest.contains("/")) {
                rest = rest.substring(0, rest.indexOf('/'));
            }
            return rest.replace("-", "::");
        }
        Fault invalid = firstOf(required(p, "TypeName", "typeName"), matches(p, "TypeName", "typeName", TYPE_NAME),
                oneOf(p, "Type", "type", "RESOURCE", "MODULE", "HOOK"));
        if (invalid != null) {
            return invalid;
        }
        if (!p.containsKey("Type")) {
            return new Fault(400, "CFNRegistryException", "Type must be specified with TypeName");
        }
        return p.get("TypeName");
    }

    /** The live version a request names (the version's Arn, or Type, TypeName and VersionId), or a Fault. */
    private Object versionOf(Map<String, String> p) {
        String typeName;
        String versionId;
        String arn = p.get("Arn");
        if (arn != null) {
            Object type = typeOf(p, true);
            if (type instanceof Fault f) {
                return f;
            }
            typeName = (String) type;
            int slash = arn.lastIndexOf('/');
            versionId = arn.substring(slash + 1);
            if (!arn.substring(0, slash).equals(typeArn(typeName))) {
                return new Fault(400, "CFNRegistryException", "The ARN " + arn + " names no type version");
            }
        } else {
            Object type = typeOf(p, false);
            if (type instanceof Fault f) {
                return f;
            }
            typeName = (String) type;
            versionId = p.get("VersionId");
            if (versionId == null) {
                return validation("versionId", null, "Member must not be null");
            }
        }
        TypeState t = types.get(typeName);
        if (t != null) {
            for (Version v : t.versions) {
                if (v.versionId().equals(versionId) && v.live()) {
                    return v;
                }
            }
        }
        return new Fault(404, "TypeNotFoundException", "The type " + typeName + " has no live version " + versionId);
    }

    public String typeArn(String typeName) {
        return "arn:aws:cloudformation:" + region + ":" + ACCOUNT + ":type/resource/" + typeName.replace("::", "-");
    }

    private static Fault firstOf(Fault... faults) {
        for (Fault f : faults) {
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static Fault required(Map<String, String> p, String name, String member) {
        return p.containsKey(name) ? null : validation(member, null, "Member must not be null");
    }

    private static Fault matches(Map<String, String> p, String name, String member, Pattern pattern) {
        String v = p.get(name);
        return v == null || pattern.matcher(v).matches() ? null
                : validation(member, v, "Member must satisfy regular expression pattern: " + pattern.pattern());
    }

    private static Fault oneOf(Map<String, String> p, String name, String member, String... allowed) {
        String v = p.get(name);
        return v == null || List.of(allowed).contains(v) ? null
                : validation(member, v, "Member must satisfy enum value set: [" + String.join(", ", allowed) + "]");
    }

    /** The wording AWS validation errors use. */
    private static Fault validation(String member, String value, String constraint) {
        return new Fault(400, "ValidationError", "1 validation error detected: Value "
                + (value == null ? "null" : "'" + value + "'") + " at '" + member + "' failed to satisfy constraint: " + constraint);
    }

    private static void queryError(HttpExchange ex, Fault f) throws IOException {
        String requestId = UUID.randomUUID().toString();
        String body = "<ErrorResponse xmlns=\"" + NS + "\">\n  <Error>\n    <Type>" + (f.status() >= 500 ? "Receiver" : "Sender")
                + "</Type>\n    <Code>" + xml(f.code()) + "</Code>\n    <Message>" + xml(f.message())
                + "</Message>\n  </Error>\n  <RequestId>" + requestId + "</RequestId>\n</ErrorResponse>\n";
        send(ex, f.status(), "text/xml", body.getBytes(StandardCharsets.UTF_8), requestId);
    }

    // ---------------------------------------------------------------- S3 (REST-XML)

    private void handleS3(HttpExchange ex, byte[] body) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        int slash = path.indexOf('/', 1);
        String bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
        String key = slash < 0 ? "" : URLDecoder.decode(path.substring(slash + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
        String method = ex.getRequestMethod();
        synchronized (this) {
            calls.add("S3 " + ("PUT".equals(method) ? "PutObject" : method) + " " + bucket + "/" + key);
        }
        if (!"PUT".equals(method) || key.isEmpty() || ex.getRequestURI().getRawQuery() != null) {
            s3Error(ex, new Fault(405, "MethodNotAllowed", "Only PutObject is served by the local endpoint"), path);
            return;
        }
        Fault injected = intercept("s3", "PutObject", Map.of("Bucket", bucket, "Key", key));
        if (injected != null) {
            s3Error(ex, injected, path);
            return;
        }
        String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
        String sha = ex.getRequestHeaders().getFirst("x-amz-content-sha256");
        Map<String, String> trailers = new HashMap<>();
        if ((encoding != null && encoding.contains("aws-chunked")) || (sha != null && sha.startsWith("STREAMING-"))) {
            body = decodeChunked(body, trailers);
        }
        String md5 = hex(digest("MD5", body));
        String contentMd5 = ex.getRequestHeaders().getFirst("Content-MD5");
        if (contentMd5 != null && !contentMd5.equals(Base64.getEncoder().encodeToString(digest("MD5", body)))) {
            s3Error(ex, new Fault(400, "BadDigest", "The Content-MD5 you specified did not match what we received."), path);
            return;
        }
        String crc = trailers.getOrDefault("x-amz-checksum-crc32", ex.getRequestHeaders().getFirst("x-amz-checksum-crc32"));
        if (crc != null) {
            CRC32 c = new CRC32();
            c.update(body);
            byte[] b = new byte[]{(byte) (c.getValue() >>> 24), (byte) (c.getValue() >>> 16), (byte) (c.getValue() >>> 8), (byte) c.getValue()};
            if (!crc.equals(Base64.getEncoder().encodeToString(b))) {
                s3Error(ex, new Fault(400, "BadDigest", "The CRC32 you specified did not match the calculated checksum."), path);
                return;
            }
        }
        synchronized (this) {
            Map<String, StoredObject> objects = buckets.get(bucket);
            if (objects == null) {
                s3Error(ex, new Fault(404, "NoSuchBucket", "The specified bucket does not exist"), path);
                return;
            }
            objects.put(key, new StoredObject(bucket, key, body, md5));
        }
        ex.getResponseHeaders().set("ETag", "\"" + md5 + "\"");
        if (crc != null) {
            ex.getResponseHeaders().set("x-amz-checksum-crc32", crc);
        }
        send(ex, 200, null, new byte[0], UUID.randomUUID().toString());
    }

    /** aws-chunked: "hex-size[;chunk-signature=...]\r\n" data "\r\n" ..., a 0-size chunk, then trailer lines. */
    private static byte[] decodeChunked(byte[] in, Map<String, String> trailers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < in.length) {
            int eol = indexOfCrlf(in, i);
            String header = new String(in, i, eol - i, StandardCharsets.US_ASCII);
            int semi = header.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? header : header.substring(0, semi)).trim(), 16);
            i = eol + 2;
            if (size == 0) {
                while (i < in.length) {
                    int end = indexOfCrlf(in, i);
                    String line = new String(in, i, end - i, StandardCharsets.US_ASCII);
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        trailers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                    }
                    i = end + 2;
                }
                break;
            }
            out.write(in, i, size);
            i += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] in, int from) {
        for (int i = from; i + 1 < in.length; i++) {
            if (in[i] == '\r' && in[i + 1] == '\n') {
                return i;
            }
        }
        return in.length;
    }

    private static void s3Error(HttpExchange ex, Fault f, String resource) throws IOException {
        String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + xml(f.code()) + "</Code><Message>"
                + xml(f.message()) + "</Message>" + (resource == null ? "" : "<Resource>" + xml(resource) + "</Resource>")
                + "<RequestId>" + requestId + "</RequestId><HostId>local</HostId></Error>";
        ex.getResponseHeaders().set("x-amz-request-id", requestId);
        send(ex, f.status(), "application/xml", body.getBytes(StandardCharsets.UTF_8), requestId);
    }

    // ---------------------------------------------------------------- common

    private static void send(HttpExchange ex, int status, String contentType, byte[] body, String requestId) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.getResponseHeaders().set("x-amzn-RequestId", requestId);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String xml(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static byte[] digest(String algorithm, byte[] body) {
        try {
            return MessageDigest.getInstance(algorithm).digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
