package com.company.database.schemaversion.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU seconds spent by this JVM and by the PostgreSQL server (the postmaster, its children alive or not yet
 * reaped, and the children it has reaped), read from /proc. On a machine other processes load, wall time
 * mostly measures the load; the CPU a deploy costs both sides barely moves with it. NaN without /proc.
 */
final class CpuMeter {
    private static final double TICKS_PER_SECOND = 100.0;
    private final long postmaster;

    private CpuMeter(long postmaster) {
        this.postmaster = postmaster;
    }

    /** The meter of the server listening on {@code port} (started with -p port), or one that reads NaN. */
    static CpuMeter forServerOnPort(int port) {
        String option = "\0-p\0" + port + "\0";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return new CpuMeter(procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                            return cmd.contains("postgres") && cmd.contains(option);
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    })
                    .mapToLong(p -> Long.parseLong(p.getFileName().toString())).min().orElse(-1));
        } catch (IOException e) {
            return new CpuMeter(-1);
        }
    }

    /** This JVM's CPU plus the server's, in seconds, since each started. */
    double seconds() {
        return jvm() + server();
    }

    static double jvm() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    double server() {
        if (postmaster < 0) {
            return Double.NaN;
        }
        long[] own = stat(postmaster);
        if (own == null) {
            return Double.NaN;
        }
        long ticks = own[1] + own[2] + own[3] + own[4];
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            ticks += procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .map(p -> stat(Long.parseLong(p.getFileName().toString())))
                    .filter(s -> s != null && s[0] == postmaster)
                    .mapToLong(s -> s[1] + s[2] + s[3] + s[4]).sum();
        } catch (IOException e) {
            return Double.NaN;
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** ppid, utime, stime, cutime, cstime of a process; null when it is gone. */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
