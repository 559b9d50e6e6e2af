package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The VPC runner's deployment package, built from the handler's own code (see {@link RunnerPackageBuilder}), and
 * the figures that identify it.
 *
 * <ul>
 * <li>{@link #codeId()}: a digest over the selected files' names, sizes and CRC-32s (no content read from a jar):
 * names the selection; the zip build checks every file against it.</li>
 * <li>{@link #zip()} and {@link #codeSha256()}: the zip itself, and the base64 SHA-256 Lambda reports as the
 * function's CodeSha256 once it runs it. The handler compares that CodeSha256 with {@link #codeSha256()} before
 * every invocation: the expected identity is computed here, from the handler's own code, never read from the
 * function (whose environment anyone with lambda:UpdateFunctionConfiguration could set). Built once per handler
 * environment (in Lambda: once per container), on the first call that needs it (from the jar or from the directory
 * Lambda extracts it to; guides/performance.md has the cost), then kept by the environment.</li>
 * <li>{@link #withExtraCa(String)}: the same code plus the account admin's Connections.ExtraCaCertificates at
 * {@link RunnerEntrypoint#EXTRA_CA_ENTRY}, where the runner reads them. The bundle is part of the code, so the
 * CodeSha256 check covers it: no SSM parameter or environment variable anyone could rewrite, no size limit
 * beyond the package's, no permission for the runner. Kept per bundle digest (the account's one bundle, and
 * one more while the admin changes it): the zip with the bundle is built instead of the one without, not
 * besides it, so a configured bundle costs nothing extra.</li>
 * </ul>
 */
public final class LambdaRunnerPackage {
    /** The current bundle and the one before it: a change of the type configuration keeps no third. */
    private static final int MAX_BUNDLES = 2;

    private final TreeMap<String, RunnerPackageBuilder.FileEntry> files;
    private final String codeId;
    private final String extraCaDigest;
    private volatile byte[] zip;
    private volatile String codeSha256;
    private final Map<String, LambdaRunnerPackage> withBundles = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LambdaRunnerPackage> eldest) {
            return size() > MAX_BUNDLES;
        }
    };

    private LambdaRunnerPackage(TreeMap<String, RunnerPackageBuilder.FileEntry> files, String codeId, byte[] zip,
                                String extraCaDigest) {
        this.files = files;
        this.codeId = codeId;
        this.zip = zip;
        this.extraCaDigest = extraCaDigest;
    }

    /** The package of the code this JVM runs (a handler environment keeps it: see HandlerEnvironment#lambda). */
    public static LambdaRunnerPackage ofOwnCode() {
        return of(RunnerPackageBuilder.codeRoot());
    }

    /** The package of the handler code at this root (a handler jar, or the directory Lambda extracted it to). */
    public static LambdaRunnerPackage of(Path root) {
        try {
            TreeMap<String, RunnerPackageBuilder.FileEntry> files = RunnerPackageBuilder.select(root);
            return new LambdaRunnerPackage(files, RunnerPackageBuilder.codeId(files), null, null);
        } catch (RuntimeException e) {
            throw new ReconcileException(Reason.INTERNAL, "Cannot prepare the VPC runner's code: " + e.getMessage());
        }
    }

    /**
     * A package made elsewhere, for a handler environment whose runner is not built from a handler artifact (the
     * tests: the local Lambda runs this JVM's runner classes, and reads the package's other files, such as the
     * extra CA entry, from the zip).
     */
    public static LambdaRunnerPackage ofZip(byte[] zip) {
        return new LambdaRunnerPackage(RunnerPackageBuilder.entries(zip),
                Digests.sha256Hex(zip), zip, null);
    }

    /** This package with the given extra CA certificates at {@link RunnerEntrypoint#EXTRA_CA_ENTRY}; this one for none. */
    public LambdaRunnerPackage withExtraCa(String extraCaCertificates) {
        if (extraCaCertificates == null || extraCaCertificates.isBlank()) {
            return this;
        }
        if (extraCaDigest != null) {
            throw new IllegalStateException("the package already carries extra CA certificates");
        }
        byte[] pem = extraCaCertificates.getBytes(StandardCharsets.UTF_8);
        String digest = digestOf(extraCaCertificates);
        synchronized (withBundles) {
            return withBundles.computeIfAbsent(digest, d -> {
                TreeMap<String, RunnerPackageBuilder.FileEntry> withPem = RunnerPackageBuilder.withExtraCa(files, pem);
                return new LambdaRunnerPackage(withPem, RunnerPackageBuilder.codeId(withPem), null, d);
            });
        }
    }

    /**
     * Hex SHA-256 of extra CA certificates as the package carries them (what the resource record keeps of the
     * bundle its runner code was built with), or null for none.
     */
    public static String digestOf(String extraCaCertificates) {
        return extraCaCertificates == null || extraCaCertificates.isBlank() ? null : Digests.sha256Hex(extraCaCertificates);
    }

    /** The digest of the extra CA certificates this package carries ({@link #digestOf}), null for none. */
    public String extraCaDigest() {
        return extraCaDigest;
    }

    public String codeId() {
        return codeId;
    }

    /** The package's files by name (the task runner's image carries the same ones). */
    TreeMap<String, RunnerPackageBuilder.FileEntry> files() {
        return files;
    }

    public byte[] zip() {
        byte[] z = zip;
        if (z == null) {
            synchronized (this) {
                z = zip;
                if (z == null) {
                    try {
                        z = RunnerPackageBuilder.zip(files);
                    } catch (RuntimeException e) {
                        throw new ReconcileException(Reason.INTERNAL, "Cannot build the VPC runner's package: " + e.getMessage());
                    }
                    zip = z;
                }
            }
        }
        return z;
    }

    /** What Lambda reports as CodeSha256 for a function running {@link #zip()}. */
    public String codeSha256() {
        String s = codeSha256;
        if (s == null) {
            s = Base64.getEncoder().encodeToString(Digests.sha256(zip()));
            codeSha256 = s;
        }
        return s;
    }

    /**
     * Writes the package the given handler jar would build to a file, with how long each step took: for
     * measuring its size (the benchmark) and for looking inside.
     * Usage: java -cp target/company-database-schemaversion-1.0.0.jar
     * com.company.database.schemaversion.runner.LambdaRunnerPackage [code root] target/schemaversion-runner.zip
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LambdaRunnerPackage [handler jar or directory] <output zip>");
            System.exit(2);
        }
        Path root = args.length == 2 ? Path.of(args[0]) : RunnerPackageBuilder.codeRoot();
        Path out = Path.of(args[args.length - 1]);
        long t0 = System.nanoTime();
        TreeMap<String, RunnerPackageBuilder.FileEntry> files = RunnerPackageBuilder.select(root);
        String id = RunnerPackageBuilder.codeId(files);
        long t1 = System.nanoTime();
        byte[] zip = RunnerPackageBuilder.zip(files);
        long t2 = System.nanoTime();
        Files.write(out, zip);
        System.out.printf("runner package %s: %d bytes (%s); code id %s (%d ms); package built in %d ms%n",
                out, zip.length, RunnerPackageBuilder.describe(files), id, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }
}
