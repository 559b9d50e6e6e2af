package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Digests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Selects the VPC runner's code from the handler's own code root and zips it, so that the handler artifact carries
 * one copy of every class rather than a second, pre-built runner package.
 *
 * <p>A code root is what Lambda or a JVM runs the handler from: the shaded handler jar, or the directory Lambda
 * extracts that jar to (/var/task, plus /var/task/lib/*.jar if present). The same entries are selected in both
 * forms, and the code id (a digest over the selected names and contents) is the same for both.
 *
 * <p>The runner needs our core, engine and runner packages, the baked migration sets, the CA bundle (default TLS
 * mode verify-full), Flyway, the PostgreSQL driver, Jackson, the Lambda runtime interfaces and the AWS SDK's
 * SSM client with the SDK core it stands on; nothing of the CloudFormation wrapper, the other AWS clients or the
 * handler. Service files (META-INF/services) are kept with only the providers the package carries, so the
 * runner's ServiceLoader lookups (Flyway plugins, java.sql.Driver, the SDK's HTTP service) find no missing class.
 */
public final class RunnerPackageBuilder {
    /** Part of the code id: a change in how the package is laid out gives a new id even for the same classes. */
    static final String FORMAT = "schemaversion-runner-package/1";
    private static final String SERVICES = "META-INF/services/";
    private static final String SDK = "software/amazon/awssdk/";
    private static final List<String> INCLUDED = List.of(
            "com/company/database/schemaversion/core/",
            "com/company/database/schemaversion/engine/",
            "com/company/database/schemaversion/runner/",
            // The account policy's rules (its static methods), which the runner applies to its own configuration:
            // the one class outside core, engine and runner that the runner loads, and only those methods of it.
            "com/company/database/schemaversion/policy/AccountPolicy.class",
            "db/migration/",
            "certs/",
            "org/flywaydb/",
            "org/postgresql/",
            "com/fasterxml/jackson/core/",
            "com/fasterxml/jackson/databind/",
            "com/fasterxml/jackson/annotation/",
            "com/amazonaws/services/lambda/runtime/",
            SDK,
            "org/reactivestreams/",
            "org/slf4j/",
            "mime.types");
    /** Parts of the SDK the runner does not use: other services, their protocols, the Apache HTTP client. */
    private static final List<String> EXCLUDED = List.of(
            SDK + "protocols/query/",
            SDK + "protocols/rpcv2/",
            SDK + "thirdparty/jackson/dataformat/",
            SDK + "http/apache/");
    private static final String SERVICES_KEPT = SDK + "services/ssm/";
    /** Without these the package cannot run: a code root without them is not a handler artifact. */
    public static final List<String> REQUIRED = List.of(
            "com/company/database/schemaversion/runner/RunnerEntrypoint.class",
            "org/flywaydb/core/Flyway.class",
            "org/postgresql/Driver.class",
            SERVICES_KEPT + "SsmClient.class",
            "com/amazonaws/services/lambda/runtime/RequestStreamHandler.class",
            "certs/rds-ca-bundle.pem");
    /** 1980-01-01, the first DOS date: a fixed time in the zip's own format, the same in every time zone. */
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
    static final int COMPRESSION_LEVEL = Deflater.DEFAULT_COMPRESSION;

    private RunnerPackageBuilder() {
    }

    static boolean selected(String name) {
        if (name.endsWith("/")) {
            return false; // directories are derived from the files
        }
        if (name.equals(RunnerEntrypoint.EXTRA_CA_ENTRY)) {
            return false; // only ever the type configuration's, added by withExtraCa: never a file of the code root
        }
        if (name.startsWith(SDK + "services/")) {
            return name.startsWith(SERVICES_KEPT);
        }
        for (String excluded : EXCLUDED) {
            if (name.startsWith(excluded)) {
                return false;
            }
        }
        for (String included : INCLUDED) {
            if (name.startsWith(included)) {
                return true;
            }
        }
        return false;
    }

    /** The code root of the classes running now: a jar file or a directory. */
    static Path codeRoot() {
        try {
            return Path.of(RunnerPackageBuilder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate the handler's code: " + e.getMessage(), e);
        }
    }

    /**
     * One file of the package: its size and CRC-32, and where to read it (a file, or an entry of a jar), or its
     * content when it has no other place (a merged service file).
     */
    record FileEntry(long size, long crc, Path origin, boolean inJar, byte[] content) {
        static FileEntry of(byte[] content) {
            return new FileEntry(content.length, crcOf(content), null, false, content);
        }
    }

    /**
     * The runner's files, by name, in name order: selected entries and the filtered service files. Reads no class
     * from a jar (its directory records each entry's size and CRC-32); reads each selected file of a directory
     * once, for its CRC-32, and keeps no content but the service files'.
     */
    static TreeMap<String, FileEntry> select(Path root) {
        Map<String, FileEntry> found = new TreeMap<>();
        Map<String, LinkedHashSet<String>> services = new TreeMap<>();
        try {
            if (Files.isDirectory(root)) {
                readDirectory(root, found, services);
                Path lib = root.resolve("lib");
                if (Files.isDirectory(lib)) {
                    try (Stream<Path> jars = Files.list(lib)) {
                        for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                            readJar(jar, found, services);
                        }
                    }
                }
            } else {
                readJar(root, found, services);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the handler's code at " + root + ": " + e.getMessage(), e);
        }
        TreeMap<String, FileEntry> files = new TreeMap<>(found);
        for (Map.Entry<String, LinkedHashSet<String>> service : services.entrySet()) {
            StringBuilder providers = new StringBuilder();
            for (String provider : service.getValue()) {
                if (found.containsKey(provider.replace('.', '/') + ".class")) {
                    providers.append(provider).append('\n');
                }
            }
            if (providers.length() > 0) {
                files.put(SERVICES + service.getKey(), FileEntry.of(providers.toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
        List<String> missing = REQUIRED.stream().filter(n -> !files.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The handler's code at " + root + " lacks what the VPC runner needs: "
                    + missing + ". Execution.Mode VpcRunner needs the artifact 'mvn package' builds.");
        }
        return files;
    }

    /**
     * Hex SHA-256 over the format and every file's name, size and CRC-32, in name order. The CRC stands for the
     * content: a jar records it for every entry, so identifying the code of a jar reads no class; a changed file
     * that keeps both its size and its CRC-32 would go unnoticed, a one in four billion chance per changed file.
     */
    static String codeId(TreeMap<String, FileEntry> files) {
        MessageDigest sha = Digests.sha256();
        sha.update(FORMAT.getBytes(StandardCharsets.UTF_8));
        ByteBuffer numbers = ByteBuffer.allocate(16);
        for (Map.Entry<String, FileEntry> file : files.entrySet()) {
            byte[] name = file.getKey().getBytes(StandardCharsets.UTF_8);
            numbers.clear();
            numbers.putInt(name.length).putInt((int) file.getValue().crc()).putLong(file.getValue().size());
            sha.update(numbers.array());
            sha.update(name);
        }
        return Digests.hex(sha.digest());
    }

    /**
     * The deployment package: directory entries then files, in name order, all with the same time and
     * compression level, so the same files give the same bytes (and Lambda the same CodeSha256). Each file is
     * read when it is written, and must still have the size and CRC-32 it was selected with: the package is
     * then the code the code id names.
     */
    static byte[] zip(TreeMap<String, FileEntry> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024 * 1024);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(COMPRESSION_LEVEL);
            Set<String> written = new HashSet<>();
            read(files, (name, content) -> {
                // A file's folders come right before it in name order (any name between "a/" and "a/b" starts
                // with "a/"), so writing each folder before its first file keeps the whole package in name order.
                for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                    String folder = name.substring(0, slash + 1);
                    if (written.add(folder)) {
                        put(zip, folder, null);
                    }
                }
                put(zip, name, content);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(FIXED_TIME);
        zip.putNextEntry(entry);
        if (content != null) {
            zip.write(content);
        }
        zip.closeEntry();
    }

    /** Receives each file of a package in name order, with its content. */
    interface FileContent {
        void accept(String name, byte[] content) throws IOException;
    }

    /**
     * Reads every file in name order, each checked as {@link #zip} checks it (the size and CRC-32 it was selected
     * with), and hands it on: another format of the same package (the task runner's image layer).
     */
    static void read(TreeMap<String, FileEntry> files, FileContent into) {
        Map<Path, ZipFile> jars = new HashMap<>();
        try {
            for (Map.Entry<String, FileEntry> file : files.entrySet()) {
                byte[] content = contentOf(file.getKey(), file.getValue(), jars);
                if (content.length != file.getValue().size() || crcOf(content) != file.getValue().crc()) {
                    throw new IllegalStateException(file.getKey() + " changed while the runner package was being built");
                }
                into.accept(file.getKey(), content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ZipFile jar : jars.values()) {
                try {
                    jar.close();
                } catch (IOException e) {
                    // read-only: nothing lost
                }
            }
        }
    }

    private static byte[] contentOf(String name, FileEntry file, Map<Path, ZipFile> jars) throws IOException {
        if (file.content() != null) {
            return file.content();
        }
        if (!file.inJar()) {
            return Files.readAllBytes(file.origin());
        }
        ZipFile jar = jars.get(file.origin());
        if (jar == null) {
            jar = new ZipFile(file.origin().toFile());
            jars.put(file.origin(), jar);
        }
        ZipEntry entry = jar.getEntry(name);
        if (entry == null) {
            throw new IOException(name + " is no longer in " + file.origin());
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    private static long crcOf(byte[] content) {
        CRC32 crc = new CRC32();
        crc.update(content);
        return crc.getValue();
    }

    private static void readDirectory(Path root, Map<String, FileEntry> found,
                                      Map<String, LinkedHashSet<String>> services) throws IOException {
        // Only into directories that can hold selected files: the handler's directory has twice as many others.
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                String name = root.relativize(dir).toString().replace('\\', '/');
                return name.isEmpty() || mayHoldSelected(name + "/") ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                String name = root.relativize(file).toString().replace('\\', '/');
                if (attributes.isRegularFile() && (name.startsWith(SERVICES) || selected(name))) {
                    add(name, () -> Files.readAllBytes(file), () -> {
                        byte[] content = Files.readAllBytes(file);
                        return new FileEntry(content.length, crcOf(content), file, false, null);
                    }, found, services);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Whether a directory (name ending in '/') can hold a selected file or a service file. */
    public static boolean mayHoldSelected(String directory) {
        if (SERVICES.startsWith(directory) || directory.startsWith(SERVICES)) {
            return true;
        }
        if (directory.startsWith(SDK + "services/") && !directory.equals(SDK + "services/")) {
            return directory.startsWith(SERVICES_KEPT);
        }
        for (String excluded : EXCLUDED) {
            if (directory.startsWith(excluded)) {
                return false;
            }
        }
        for (String included : INCLUDED) {
            if (included.startsWith(directory) || directory.startsWith(included)) {
                return true;
            }
        }
        return false;
    }

    private static void readJar(Path jar, Map<String, FileEntry> found,
                                Map<String, LinkedHashSet<String>> services) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName();
                if (!entry.isDirectory() && (name.startsWith(SERVICES) || selected(name))) {
                    add(name, () -> {
                        try (InputStream in = zip.getInputStream(entry)) {
                            return in.readAllBytes();
                        }
                    }, () -> {
                        if (entry.getCrc() != -1 && entry.getSize() != -1) {
                            return new FileEntry(entry.getSize(), entry.getCrc(), jar, true, null);
                        }
                        try (InputStream in = zip.getInputStream(entry)) {
                            byte[] content = in.readAllBytes();
                            return new FileEntry(content.length, crcOf(content), jar, true, null);
                        }
                    }, found, services);
                }
            }
        }
    }

    private interface Reader<T> {
        T read() throws IOException;
    }

    /** The first root that has a file wins, as on a class path; service files merge, as the shade plugin's do. */
    private static void add(String name, Reader<byte[]> content, Reader<FileEntry> file, Map<String, FileEntry> found,
                            Map<String, LinkedHashSet<String>> services) throws IOException {
        if (name.startsWith(SERVICES)) {
            String service = name.substring(SERVICES.length());
            if (service.isEmpty() || service.contains("/")) {
                return;
            }
            Set<String> providers = services.computeIfAbsent(service, s -> new LinkedHashSet<>());
            for (String line : new String(content.read(), StandardCharsets.UTF_8).split("\n")) {
                int comment = line.indexOf('#');
                String provider = (comment >= 0 ? line.substring(0, comment) : line).trim();
                if (!provider.isEmpty()) {
                    providers.add(provider);
                }
            }
        } else if (!found.containsKey(name)) {
            found.put(name, file.read());
        }
    }

    /** The files plus the account admin's extra CA certificates at the entry the runner reads them from. */
    static TreeMap<String, FileEntry> withExtraCa(TreeMap<String, FileEntry> files, byte[] pem) {
        TreeMap<String, FileEntry> out = new TreeMap<>(files);
        out.put(RunnerEntrypoint.EXTRA_CA_ENTRY, FileEntry.of(pem));
        return out;
    }

    /** The files of a zip, with their content (a test's stand-in package). */
    static TreeMap<String, FileEntry> entries(byte[] zip) {
        TreeMap<String, FileEntry> out = new TreeMap<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    out.put(e.getName(), FileEntry.of(in.readAllBytes()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** For messages: how many files and bytes the package holds. */
    static String describe(TreeMap<String, FileEntry> files) {
        long bytes = 0;
        for (FileEntry f : files.values()) {
            bytes += f.size();
        }
        return files.size() + " files, " + bytes + " bytes unpacked";
    }
}
