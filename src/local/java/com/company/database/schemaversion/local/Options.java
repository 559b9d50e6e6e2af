package com.company.database.schemaversion.local;

import com.company.database.schemaversion.core.Regions;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command line of the local runner: one subcommand, then --options. */
final class Options {
    static final int DEFAULT_EMBEDDED_PORT = 54329;
    static final int DEFAULT_SERVE_PORT = 3001;
    static final int DEFAULT_REGISTRY_PORT = 3002;

    String command;
    Path home;
    Path template;
    String resource;
    Path propertiesFile;
    final Map<String, String> params = new LinkedHashMap<>();
    String target;
    String host;
    Integer port;
    String database;
    String sslMode;
    boolean asIs;
    int embeddedPort = DEFAULT_EMBEDDED_PORT;
    boolean reset;
    Path migrations;
    Integer startWindowSeconds;
    /**
     * Not a flag: the runner code the handlers upload, for a host whose classes are not a handler artifact (the
     * tests run serve from their class folders, from which no runner package can be built).
     */
    LambdaRunnerPackage runnerPackage;
    Path parametersFile;
    Path typeConfigFile;
    boolean aws;
    String region = Regions.FALLBACK;
    int servePort = DEFAULT_SERVE_PORT;
    String id;
    String nextToken;
    boolean verbose;
    boolean honourDelays = true;
    boolean rollback = true;
    boolean redirect = true;
    boolean regionGiven;
    // release, versions, serve-registry
    Path project;
    String bucket;
    String keyPrefix = "";
    String executionRoleArn;
    String logRoleArn;
    String logGroup = Release.DEFAULT_LOG_GROUP;
    /** null: Release.DEFAULT_KEEP; Integer.MAX_VALUE: all. */
    Integer keep;
    int maxVersions = RegistryEndpoint.DEFAULT_MAX_VERSIONS;
    int waitMinutes = 60;
    int pollSeconds = 10;
    String endpointUrl;
    String s3EndpointUrl;
    boolean dryRun;
    boolean all;
    final List<String> positional = new ArrayList<>();

    static final String USAGE = """
            Usage: schemaversion <command> [options]

            Commands:
              plan       what a Create or Update to --target would apply; changes nothing
              create     Create the resource, as CloudFormation would (stack events, then the model)
              update     Update it to the given properties (the previous ones are those of the last create/update)
              read       Read it: the model with what the database says now
              delete     Delete it (the schema and its data stay unless OnDelete is Clean)
              list       List the resources the type knows about
              serve      answer the Lambda Invoke API on 127.0.0.1:3001 for cfn test / cfn invoke
              lifecycle  the whole lifecycle of the sample "orders" set on the embedded PostgreSQL, explained
              release    package the handler like the cfn CLI's submit, upload it, register it with the scoped roles, wait,
                         make it the default and deregister the oldest versions beyond --keep (AWS, your credentials)
              versions   the type's registered versions in the Region (the default marked)
              serve-registry  a local CloudFormation registry and S3 endpoint for trying release (127.0.0.1:3002)
              runner-image DIR  write the task runner's OCI image layout (and app-layer.tar.gz) from the handler jar

            Resource properties (default: the sample "orders" resource):
              --template FILE --resource LOGICAL_ID   a CloudFormation template (YAML or JSON)
              --param NAME=VALUE                      value of !Ref NAME or of !GetAtt NAME (Resource.Attribute=VALUE)
              --properties FILE                       the Properties as a JSON file
              --target VERSION                        sets TargetVersion (e.g. 3, 2.1, latest)
              --id ID                                 the resource's Id for read/update/delete (default: remembered)

            Database (default: the embedded PostgreSQL under .schemaversion/pg, port 54329):
              --host HOST [--port PORT] [--database NAME] [--sslmode MODE]   a real server instead
              --database NAME                         with the embedded server: which database (created if missing)
              --as-is                                 use the Database properties exactly as given
              --embedded-port PORT                    port of the embedded server (0: any free port)
              --reset                                 start from scratch: wipe the embedded server, records and state
              --migrations DIR                        use this folder of V<version>__<name>.sql scripts instead of the baked set

            Credentials and AWS:
              --parameters FILE                       SSM parameter values for the local SSM endpoint
                                                      (default .schemaversion/parameters.json)
              --aws                                   use the real SSM with your AWS profile instead
              --typeconfig FILE                       the account admin's type configuration (the JSON given to
                                                      aws cloudformation set-type-configuration; with serve: for
                                                      requests that carry none). Default: none, the type's safe
                                                      defaults; on the embedded server without --aws, one that
                                                      allows any local parameter and SslMode disable on 127.0.0.1
              --region REGION                         region of the requests (default us-east-1)

            Release and versions (./schemaversion release --bucket B --execution-role-arn ARN --log-role-arn ARN):
              --bucket NAME                           S3 bucket in the Region for the package (required)
              --key-prefix PREFIX                     key prefix in the bucket (e.g. releases/)
              --execution-role-arn ARN                the handlers' role: registration.yaml's ExecutionRoleArn (required)
              --log-role-arn ARN                      the log delivery role: registration.yaml's LogRoleArn
              --log-group NAME                        the handlers' log group (default company-database-schemaversion-logs)
              --keep N|all                            live versions to keep, the new one included (default 10); older
                                                      ones are deregistered, never the default
              --max-versions N                        live versions the registry allows (default 50; your quota if raised)
              --wait-minutes N                        how long to wait for the registration (default 60)
              --poll-seconds N                        seconds between progress checks (default 10)
              --project DIR                           the project (default: the launcher's folder)
              --endpoint-url URL / --s3-endpoint-url URL   other CloudFormation / S3 endpoints (e.g. serve-registry's)
              --dry-run                               release: write the package to target/ and stop
              --no-build                              release, runner-image: do not let the launcher build a missing or stale jar
              --all                                   versions: the deregistered ones too

            Other:
              --home DIR                              where the runner keeps its state (default .schemaversion/ by the launcher)
              --port PORT / --serve-port PORT         with serve: the port to listen on (default 3001)
              --next-token TOKEN                      with list: the page to ask for
              --no-delays                             do not sleep callbackDelaySeconds between calls
              --no-rollback                           keep a resource whose Create failed (CloudFormation deletes it)
              --no-redirect                           with serve on the embedded server: leave each request's Database as sent
              --start-window SECONDS                  how long each handler call keeps starting migrations (default 25,
                                                      as in Lambda; 0: one migration per call, to watch the IN_PROGRESS loop)
              --verbose                               print the handler's log lines too
            """;

    static Options parse(String[] args) {
        Options o = new Options();
        if (args.length == 0 || args[0].startsWith("-")) {
            throw args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))
                    ? UsageException.helpAsked() : new UsageException("Give a command first.");
        }
        o.command = args[0];
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--home" -> o.home = Path.of(value(args, ++i, a));
                case "--template" -> o.template = Path.of(value(args, ++i, a));
                case "--resource" -> o.resource = value(args, ++i, a);
                case "--properties" -> o.propertiesFile = Path.of(value(args, ++i, a));
                case "--param" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException("--param wants NAME=VALUE, got '" + kv + "'.");
                    }
                    o.params.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--target" -> o.target = value(args, ++i, a);
                case "--host" -> o.host = value(args, ++i, a);
                case "--port" -> o.port = number(value(args, ++i, a), a);
                case "--database" -> o.database = value(args, ++i, a);
                case "--sslmode" -> o.sslMode = value(args, ++i, a);
                case "--as-is" -> o.asIs = true;
                case "--embedded-port" -> o.embeddedPort = number(value(args, ++i, a), a);
                case "--serve-port" -> o.servePort = number(value(args, ++i, a), a);
                case "--reset" -> o.reset = true;
                case "--migrations" -> o.migrations = Path.of(value(args, ++i, a));
                case "--start-window" -> {
                    o.startWindowSeconds = number(value(args, ++i, a), a);
                    if (o.startWindowSeconds < 0 || o.startWindowSeconds > 45) {
                        throw new UsageException("--start-window wants 0 to 45 seconds: a call must still answer within"
                                + " CloudFormation's 60 s.");
                    }
                }
                case "--parameters" -> o.parametersFile = Path.of(value(args, ++i, a));
                case "--aws" -> o.aws = true;
                case "--typeconfig" -> o.typeConfigFile = Path.of(value(args, ++i, a));
                case "--region" -> {
                    o.region = value(args, ++i, a);
                    o.regionGiven = true;
                }
                case "--project" -> o.project = Path.of(value(args, ++i, a));
                case "--bucket" -> o.bucket = value(args, ++i, a);
                case "--key-prefix" -> o.keyPrefix = value(args, ++i, a);
                case "--execution-role-arn" -> o.executionRoleArn = value(args, ++i, a);
                case "--log-role-arn" -> o.logRoleArn = value(args, ++i, a);
                case "--log-group" -> o.logGroup = value(args, ++i, a);
                case "--keep" -> {
                    String keep = value(args, ++i, a);
                    o.keep = "all".equals(keep) ? Integer.MAX_VALUE : number(keep, a);
                }
                case "--max-versions" -> o.maxVersions = number(value(args, ++i, a), a);
                case "--wait-minutes" -> o.waitMinutes = number(value(args, ++i, a), a);
                case "--poll-seconds" -> o.pollSeconds = number(value(args, ++i, a), a);
                case "--endpoint-url" -> o.endpointUrl = value(args, ++i, a);
                case "--s3-endpoint-url" -> o.s3EndpointUrl = value(args, ++i, a);
                case "--dry-run" -> o.dryRun = true;
                case "--no-build" -> { } // the launcher's: it builds no handler artifact before a release
                case "--all" -> o.all = true;
                case "--id" -> o.id = value(args, ++i, a);
                case "--next-token" -> o.nextToken = value(args, ++i, a);
                case "--no-delays" -> o.honourDelays = false;
                case "--no-rollback" -> o.rollback = false;
                case "--no-redirect" -> o.redirect = false;
                case "--verbose" -> o.verbose = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("Unknown option " + a + ".");
                    }
                    o.positional.add(a);
                }
            }
        }
        if (("serve".equals(o.command) || "serve-registry".equals(o.command)) && o.port != null && o.host == null) {
            // serve's --port is the listening port; the database port goes with --host.
            o.servePort = o.port;
            o.port = null;
        }
        if (o.template != null && o.propertiesFile != null) {
            throw new UsageException("Give --template or --properties, not both.");
        }
        if (o.template != null && o.resource == null) {
            throw new UsageException("--template needs --resource LOGICAL_ID: which resource of the template to use.");
        }
        if (o.host != null && o.asIs) {
            throw new UsageException("--as-is uses the template's Database; it cannot be combined with --host.");
        }
        if (o.home == null) {
            String fromLauncher = System.getProperty("schemaversion.home");
            o.home = Path.of(fromLauncher != null ? fromLauncher : ".schemaversion");
        }
        return o;
    }

    boolean embedded() {
        return host == null && !asIs;
    }

    String logicalId() {
        return resource != null ? resource : "SchemaVersion";
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value.");
        }
        return args[i];
    }

    private static int number(String text, String option) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " wants a number, got '" + text + "'.");
        }
    }

    /** A mistake on the command line: the message, then the usage. */
    static final class UsageException extends RuntimeException {
        /** The user asked for the usage: no mistake to show, and not a failure. */
        final boolean help;

        UsageException(String message) {
            this(message, false);
        }

        private UsageException(String message, boolean help) {
            super(message);
            this.help = help;
        }

        static UsageException helpAsked() {
            return new UsageException("", true);
        }
    }
}
